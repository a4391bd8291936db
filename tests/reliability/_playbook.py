# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turns a list of steps (see _steps.py) into one playbook, so many module runs share one
``ansible-playbook`` start-up. Secrets never appear in the playbook text: each is an extra var
(``leak.vN``) referenced by a template, as a real playbook would take it from a vault.

Every module task sits in a block whose rescue keeps the failed result, and the results are
saved (by a ``no_log`` task) to a JSON file the test reads back.
"""

import json
import os

import yaml


class PlaybookBuilder(object):
    def __init__(self, sim_name, secrets):
        self.sim_name = sim_name
        self.secret_vars = {}
        for index, value in enumerate(secrets):
            self.secret_vars.setdefault(value, "v%d" % index)
        self.plays = []

    # -- templating of secrets ---------------------------------------------------
    def template(self, value):
        if isinstance(value, str) and value in self.secret_vars:
            return "{{ leak.%s }}" % self.secret_vars[value]
        if isinstance(value, dict):
            return dict((k, self.template(v)) for k, v in value.items())
        if isinstance(value, list):
            return [self.template(v) for v in value]
        return value

    def extra_vars(self):
        return {"leak": dict((name, value) for value, name in self.secret_vars.items())}

    # -- tasks ----------------------------------------------------------------
    def fault_task(self, fault):
        return {"name": "Inject a fault into %s" % self.sim_name,
                "ansible.builtin.uri": {"url": "{{ sim.%s.control_url }}/faults" % self.sim_name, "method": "POST",
                                        "ca_path": "{{ sim.ca_path }}", "body_format": "json", "body": fault}}

    def clear_faults_task(self):
        return {"name": "Clear the faults of %s" % self.sim_name,
                "ansible.builtin.uri": {"url": "{{ sim.%s.control_url }}/faults" % self.sim_name, "method": "DELETE",
                                        "ca_path": "{{ sim.ca_path }}"}}

    def module_task(self, index, step, params=None, name=None):
        task = {"name": name or "Step %d: %s %s" % (index, step.module, step.name),
                "sso.oidc.%s" % step.module: self.template(step.params if params is None else params),
                "register": "r%d" % index}
        if step.check:
            task["check_mode"] = True
        if step.diff:
            task["diff"] = True
        if getattr(step, "returns", None):
            task["no_log"] = True  # a task that registers a returned secret, as the module's docs ask
        # step.env is not given as the task keyword ``environment:`` (Ansible prints it at -vvv): the
        # caller passes it to ansible-playbook's own environment, as AWX injects credentials.
        return {"name": "Step %d block" % index, "block": [task],
                "rescue": [{"name": "Keep the failed result of step %d" % index,
                            "ansible.builtin.set_fact": {"r%d" % index: "{{ ansible_failed_result }}"}}]}

    def steps_tasks(self, steps, first_index=0, params_of=None):
        tasks, indexes = [], []
        for offset, step in enumerate(steps):
            index = first_index + offset
            for fault in step.faults:
                tasks.append(self.fault_task(fault))
            params = params_of(step) if params_of else None
            tasks.append(self.module_task(index, step, params))
            if step.faults:
                tasks.append(self.clear_faults_task())
            indexes.append(index)
        return tasks, indexes

    def add_play(self, name, tasks, module_defaults=None):
        play = {"name": name, "hosts": "localhost", "gather_facts": False, "tasks": tasks}
        if module_defaults:
            play["module_defaults"] = self.template(module_defaults)
        self.plays.append(play)

    def save_play(self, indexes, path):
        content = "{{ {%s} | to_json }}" % ", ".join("'r%d': r%d | default({'missing': true})" % (i, i)
                                                     for i in indexes)
        self.plays.append({"name": "Save the registered results", "hosts": "localhost", "gather_facts": False,
                           "tasks": [{"name": "Save the registered results", "no_log": True, "check_mode": False,
                                      "ansible.builtin.copy": {"content": content, "dest": path,
                                                               "mode": "0600"}}]})

    def write(self, directory, name="leaks.yml"):
        path = os.path.join(directory, name)
        with open(path, "w") as handle:
            handle.write("---\n")
            yaml.safe_dump(self.plays, handle, sort_keys=False, allow_unicode=True, width=1000)
        return path


def load_results(path):
    with open(path) as handle:
        return json.load(handle)

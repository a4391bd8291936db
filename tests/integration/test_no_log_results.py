# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A resource-set task with ``no_log: true`` shows none of its ``results``, on every ansible-core line.

ansible-core 2.19 and later read a ``results`` list as a loop's results: under ``no_log`` they hide the task's
result but keep ``results``, hiding only the items marked ``_ansible_no_log`` (2.16 to 2.18 hide it all). The
set modules mark their items when the task has ``no_log`` (``SsoModule._censorable``), in the worker process
and as module processes alike. The registered variable keeps every item, for the tasks that read it.
"""

import json

import pytest

MARKER = "nolog-visible-name-4d1e"

PLAYBOOK = """
- name: A set module under no_log
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/sso.oidc.checkmarx:
      url: "{{ sim.checkmarx.url }}"
      username: "{{ sim.checkmarx.username }}"
      password: "{{ sim.checkmarx.password }}"
      ca_path: "{{ sim.ca_path }}"
  tasks:
    - name: Create a client, and fail another one, under no_log
      sso.oidc.cx_oidc_clients:
        config:
          - client_id: nolog-refused
            name: %(marker)s too
            allowed_grant_types: [client_credentials]
            allowed_scopes: [sast_rest_api]
            client_secrets: [nolog-client-secret-02]
          - client_id: nolog-client
            name: %(marker)s
            allowed_grant_types: [client_credentials]
            allowed_scopes: [sast_rest_api]
            client_secrets: [nolog-client-secret-01]
      no_log: true
      register: made
      ignore_errors: true

    - name: Write what was registered
      ansible.builtin.copy:
        content: "{{ made | to_json }}"
        dest: "{{ results_path }}"
        mode: "0600"
"""


@pytest.mark.parametrize("in_process", [True, False], ids=["worker", "module_process"])
def test_no_log_set_task_shows_no_item(cx, run_playbook, tmp_path, in_process):
    # The first create (nolog-refused, the first entry) is refused; the second goes through.
    cx.fault("checkmarx", method="POST", path="/OIDCClients", status=400, times=1,
             body={"message": "refused by the test"})
    path = tmp_path / "no_log.yml"
    path.write_text(PLAYBOOK % {"marker": MARKER})
    extra = {"results_path": str(tmp_path / "made.json")}
    if not in_process:
        extra["sso_oidc_in_process"] = False
    result = run_playbook(str(path), extra_vars=extra, args=("-vvv",))
    assert result.rc == 0, result
    assert MARKER not in result.output, result
    assert "nolog-client-secret" not in result.output
    assert "the output has been hidden" in result.output, result
    made = json.loads((tmp_path / "made.json").read_text())
    assert made["failed"] and made["failed_keys"] == ["nolog-refused"], made
    actions = dict((item["key"], item["action"]) for item in made["results"])
    assert actions == {"nolog-client": "created", "nolog-refused": "failed"}, made

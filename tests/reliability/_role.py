# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role sso_rollout driven through the collection's own example, playbooks/sso_rollout.yml,
with fresh canary secrets.

The example reads URLs and credentials from the harness's env.json (``sim_env_file``). A
:class:`Scenario` reconfigures every simulator to accept canary credentials (a Checkmarx user,
SlashID API key, vCenter user, Wickr key pair) and writes an env.json that carries them, plus
a canary client secret for the identity provider. A wrapper playbook imports the example and
then saves (no_log) the role's facts so a test can read what each target's module returned.
"""

import json
import os
import uuid

import yaml

from reliability._support import REPO, canary

PLAYBOOK = os.path.join(REPO, "playbooks", "sso_rollout.yml")
ROLE = os.path.join(REPO, "roles", "sso_rollout", "tasks", "main.yml")
SERVICES = ("wickr", "checkmarx", "slashid", "vcenter")
WICKR_ATTRS = ("ACCESS_KEY", "SECRET_KEY", "TEMP_ACCESS_KEY", "TEMP_SECRET_KEY", "SESSION_TOKEN")


def available():
    return os.path.exists(PLAYBOOK) and os.path.exists(ROLE)


class Scenario(object):
    def __init__(self, rel, tag):
        self.rel = rel
        self.tag = tag
        self.secrets = []
        self.results = None
        env = rel.harness.describe()

        # Checkmarx: a canary user (the example logs in with the vendor's default login client).
        cx_user, cx_password = "rollout-%s" % uuid.uuid4().hex[:6], self.secret("checkmarx-password")
        rel.reset("checkmarx", {"users": {cx_user: {"password": cx_password, "active": True,
                                                    "permissions": ["Manage Clients"]}}})
        env["checkmarx"].update(username=cx_user, password=cx_password)
        # SlashID: a canary organization key.
        org, api_key = str(uuid.uuid4()), self.secret("slashid-api-key")
        rel.reset("slashid", None, org_id=org, api_key=api_key)
        env["slashid"].update(org_id=org, api_key=api_key)
        # vCenter: a canary user; client secrets shown in clear by the API (the worst case).
        vc_user, vc_password = "rollout-%s@vsphere.local" % uuid.uuid4().hex[:6], self.secret("vcenter-password")
        rel.reset("vcenter", {"users": {vc_user: vc_password}}, secret_visibility="clear")
        env["vcenter"].update(username=vc_user, password=vc_password)
        # Wickr: a canary long-term key pair (SigV4 is verified with it); the secret shown in clear.
        rel.reset("wickr", None, secret_visibility="clear")
        app = rel.app("wickr")
        rel.remember_attrs(app, WICKR_ATTRS)
        app.ACCESS_KEY = "AKIA" + uuid.uuid4().hex[:16].upper()
        app.SECRET_KEY = self.secret("wickr-secret-key")
        env["wickr"].update(access_key=app.ACCESS_KEY, secret_key=app.SECRET_KEY)
        # The identity provider's client secret (oidc-provider-mock accepts any).
        env["oidc"]["client_secret"] = self.secret("idp-client-secret")
        self.env = env
        for name in SERVICES:
            rel.clear_requests(name)

    def secret(self, label):
        value = canary("rollout-%s" % label)
        self.secrets.append(value)
        return value

    def all_secrets(self):
        out = list(self.secrets)
        out += list(self.rel.app("checkmarx").tokens)
        vc = self.rel.app("vcenter")
        out += list(getattr(vc, "_rel_sessions", [])) + list(vc.state.get("sessions", {}))
        return out

    def services(self):
        return SERVICES

    def run(self, run_playbook, directory, args=(), env=None, check=False, name="rollout"):
        directory = str(directory)
        env_file = os.path.join(directory, "%s-env.json" % name)
        with open(env_file, "w") as handle:
            json.dump(self.env, handle)
        results = os.path.join(directory, "%s-results.json" % name)
        wrapper = [
            {"name": "The example rollout", "ansible.builtin.import_playbook": PLAYBOOK},
            {"name": "Save what the role recorded", "hosts": "localhost", "gather_facts": False, "tasks": [
                {"name": "Save the role's facts", "no_log": True, "check_mode": False, "ansible.builtin.copy": {
                    "dest": results, "mode": "0600",
                    "content": "{{ {'runs': sso_rollout__runs | default({}), 'summary': sso_rollout_summary "
                               "| default([]), 'changed': sso_rollout_changed | default({})} | to_json }}"}}]},
        ]
        path = os.path.join(directory, "%s.yml" % name)
        with open(path, "w") as handle:
            handle.write("---\n")
            yaml.safe_dump(wrapper, handle, sort_keys=False)
        from reliability._cases import profile

        profile("vcenter")._tap(self.rel)  # pylint: disable=protected-access
        result = run_playbook(path, extra_vars={"sim_env_file": env_file}, args=list(args), env=env, check=check)
        self.results = None
        if os.path.exists(results):
            with open(results) as handle:
                self.results = json.load(handle)
            os.remove(results)
        return result

    def end_states(self):
        """{(kind, key): (action, end_state)} from what each target's set module returned."""
        out = {}
        for kind, run in ((self.results or {}).get("runs") or {}).items():
            for entry in run.get("results") or []:
                out[(kind.split(":")[0], str(entry.get("key")))] = (entry.get("action"), entry.get("end_state"))
        return out

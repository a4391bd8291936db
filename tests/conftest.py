# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared pytest fixtures of sso.oidc.

* ``sim``: the simulator harness (all simulators + the real OpenID provider),
  started once per test session (per xdist worker) on free loopback ports.
* ``sim_env``: its env.json as a dict.
* ``run_playbook``: runs ``ansible-playbook`` against localhost with the
  collection on ANSIBLE_COLLECTIONS_PATH and ``sim`` as an extra var.
* ``sim_api``: small client for the simulators' control API.

The collection is imported as ``ansible_collections.sso.oidc``: when the
repository does not already sit at ``.../ansible_collections/sso/oidc``, a
symlink under ``build/collections`` makes it so.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.request

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS_DIR)


def collections_root():
    parts = REPO.split(os.sep)
    if parts[-3:] == ["ansible_collections", "sso", "oidc"]:
        return os.sep.join(parts[:-3])
    root = os.path.join(REPO, "build", "collections")
    link = os.path.join(root, "ansible_collections", "sso", "oidc")
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        try:
            os.symlink(REPO, link)
        except FileExistsError:
            pass
    return root


COLLECTIONS_ROOT = collections_root()
for path in (TESTS_DIR, COLLECTIONS_ROOT):
    if path not in sys.path:
        sys.path.insert(0, path)


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    from simulators.harness import Harness

    harness = Harness(str(tmp_path_factory.mktemp("sim")), persist=False).start()
    try:
        yield harness
    finally:
        harness.stop()


@pytest.fixture(scope="session")
def sim_env(sim):
    return sim.describe()


class SimApi(object):
    """Control API of the simulators, from Python."""

    def __init__(self, harness):
        self.harness = harness

    def _call(self, name, method, sub, body=None):
        app = self.harness.apps[name]
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(app.url + "/_sim" + sub, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=self.harness.pki.client_context(), timeout=10) as resp:
            return json.loads(resp.read().decode() or "null")

    def reset(self, name, seed=None):
        return self._call(name, "POST", "/reset", seed)

    def state(self, name):
        return self._call(name, "GET", "/state")

    def requests(self, name):
        return self._call(name, "GET", "/requests")["requests"]

    def summary(self, name):
        return self._call(name, "GET", "/requests")["summary"]

    def clear_requests(self, name):
        return self._call(name, "DELETE", "/requests")

    def fault(self, name, **fault):
        return self._call(name, "POST", "/faults", fault)

    def clear_faults(self, name):
        return self._call(name, "DELETE", "/faults")

    def config(self, name, **values):
        return self._call(name, "POST", "/config", values)


@pytest.fixture
def sim_api(sim):
    return SimApi(sim)


class PlaybookResult(object):
    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.output = proc.stdout + proc.stderr

    def __repr__(self):
        return "PlaybookResult(rc=%s)\n%s" % (self.rc, self.output[-6000:])


def ansible_env(extra=None):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_ROOT,
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_HOST_KEY_CHECKING": "false",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_DEPRECATION_WARNINGS": "false",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_ROLES_PATH": os.path.join(REPO, "roles"),
        "PYTHONPATH": "",
    })
    env.update(extra or {})
    return env


def write_inventory(directory):
    path = os.path.join(directory, "inventory.ini")
    with open(path, "w") as handle:
        handle.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    return path


@pytest.fixture
def run_playbook(sim, tmp_path):
    """run_playbook(path, extra_vars=None, args=(), env=None, check=False) -> PlaybookResult."""

    def _run(playbook, extra_vars=None, args=(), env=None, check=False, timeout=600):
        variables = {"sim": sim.describe()}
        variables.update(extra_vars or {})
        fd, vars_path = tempfile.mkstemp(suffix=".json", dir=str(tmp_path))
        with os.fdopen(fd, "w") as handle:
            json.dump(variables, handle)
        cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
               "-i", write_inventory(str(tmp_path)), "-e", "@" + vars_path]
        if check:
            cmd.append("--check")
        cmd += list(args)
        cmd.append(playbook if os.path.isabs(playbook) else os.path.join(REPO, playbook))
        proc = subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(env), timeout=timeout,
                              cwd=str(tmp_path), stdin=subprocess.DEVNULL, check=False)
        return PlaybookResult(proc)

    return _run

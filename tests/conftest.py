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
import re
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


@pytest.fixture
def cx(sim_api):
    """The simulators' control API, with the Checkmarx simulator reset."""
    sim_api.reset("checkmarx")
    return sim_api


@pytest.fixture
def cx_conn(sim, sim_env):
    """Connection options of a Checkmarx module for the simulator."""
    env = sim_env["checkmarx"]
    return {"url": env["url"], "username": env["username"], "password": env["password"], "ca_path": sim.pki.ca_path}


def warning_texts(result):
    """The warning texts of a module result (ansible-core 2.19 gives structured warnings in-process)."""
    out = []
    for warning in result.get("warnings") or []:
        if isinstance(warning, dict):
            warning = (warning.get("event") or {}).get("msg") or warning.get("msg") or json.dumps(warning)
        out.append(str(warning))
    return out


def run_module(capsys, module, args, check=False, diff=False):
    """Run ``module.main()`` in this process with ``args``.

    Returns the module's JSON result with its warnings as texts, plus ``_rc`` (the exit code) and
    ``_raw`` (the whole output, to look for leaked secrets)."""
    from ansible.module_utils.common import warnings as ansible_warnings
    from module_args import patch_module_args

    args = dict(args)
    if check:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    capsys.readouterr()
    ansible_warnings._global_warnings.clear()  # module-global: would carry over between in-process runs
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exc:
            module.main()
    out = capsys.readouterr().out
    result = json.loads(out)
    result["warnings"] = warning_texts(result)
    result["_rc"] = exc.value.code
    result["_raw"] = out
    return result


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


def run_cases_in_own_process(path, at_least):
    """Run the test file ``path`` (a ``*_cases.py`` that imports Ansible's controller code) in a pytest process of
    its own, and check that it passed with at least ``at_least`` tests."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", path],
                          cwd=TESTS_DIR, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    passed = re.search(r"(\d+) passed", proc.stdout)
    assert passed and int(passed.group(1)) >= at_least, proc.stdout[-3000:]
    assert "failed" not in proc.stdout.splitlines()[-1], proc.stdout[-3000:]


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


@pytest.fixture(autouse=True)
def _module_tests_stay_out_of_controller_mode(request):
    """Fail the test that imports Ansible's controller code into this pytest process.

    Modules run in-process by these tests must see module_utils as a module process does: once the
    controller is imported (ansible.errors, ansible.plugins ...), ansible-core 2.19+ switches module_utils
    to controller mode, and every later module test in the same xdist worker loses its warnings. Code that
    needs the controller runs in a process of its own (the *_cases.py files)."""
    before = _controller_loaded()
    yield
    if request.node.path.name.endswith("_cases.py"):
        return
    if not before and _controller_loaded():
        pytest.fail("this test imported Ansible's controller code into the shared pytest process; run that part in "
                    "a subprocess (see tests/unit/plugins/filter/test_rollout.py)", pytrace=False)


def _controller_loaded():
    return any(name in sys.modules for name in ("ansible.errors", "ansible.plugins", "ansible.template"))

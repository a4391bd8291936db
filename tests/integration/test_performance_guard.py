# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Performance guard: the request counts and imports that the benchmark's results rest on.

The benchmark (tests/bench/run.py) runs on demand; this guard runs with the suite and fails
on the regressions that would make it slow again: a set task that reads per item or writes
what did not change, a single task that logs in although it was given a token, a module
that imports botocore (or another heavy library) it does not need. Request counts come
from the Checkmarx simulator's request log, not from what the module reports.
"""

import json
import os
import re
import ssl
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from ansible.module_utils.common import warnings as ansible_warnings

from ansible_collections.sso.oidc.plugins.module_utils import _http
from ansible_collections.sso.oidc.plugins.modules import cx_oidc_client, cx_oidc_clients

from conftest import run_module

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES_DIR = os.path.join(os.path.dirname(TESTS), "plugins", "modules")
N = 30
# Libraries no module of the collection needs at import time (botocore: Wickr only).
HEAVY = ("botocore", "boto3", "jsonschema", "openapi_core", "cryptography", "yaml", "jinja2", "hypothesis",
         "ansible.module_utils.urls")


@pytest.fixture(autouse=True)
def _clean_warnings():
    ansible_warnings._global_warnings.clear()
    yield
    ansible_warnings._global_warnings.clear()


def clients(n):
    return [{"client_id": "guard-app-%02d" % i, "name": "Guard app %02d" % i, "enabled": True,
             "allowed_grant_types": ["authorization_code"], "allowed_scopes": ["openid", "profile"],
             "redirect_uris": ["https://app-%02d.guard.example.com/cb" % i],
             "client_secrets": ["guard-secret-%02d-c0ffee" % i]} for i in range(n)]


def run(capsys, module, args):
    return run_module(capsys, module, args)


def counts(cx):
    """The simulator's request log, classified."""
    out = {"token": 0, "list": 0, "by_id": 0, "writes": 0}
    for entry in cx.requests("checkmarx"):
        if entry["path"].lower().endswith("/identity/connect/token"):
            out["token"] += 1
        elif entry["method"] == "GET" and re.search(r"/OIDCClients/?$", entry["path"], re.I):
            out["list"] += 1
        elif entry["method"] == "GET":
            out["by_id"] += 1
        else:
            out["writes"] += 1
    return out


def server_ids(cx):
    return sorted(c["clientId"] for c in cx.state("checkmarx")["clients"] if c["clientId"].startswith("guard-"))


def fetch_token(sim, sim_env):
    env = sim_env["checkmarx"]
    form = urllib.parse.urlencode({"grant_type": "password", "username": env["username"], "password": env["password"],
                                   "scope": "access_control_api sast_rest_api", "client_id": env["auth_client_id"],
                                   "client_secret": env["auth_client_secret"]}).encode()
    req = urllib.request.Request(env["token_url"], data=form, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    ctx = ssl.create_default_context(cafile=sim.pki.ca_path)
    with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
        return json.loads(resp.read().decode())["access_token"]


def test_set_task_reads_once_and_writes_only_what_differs(cx, cx_conn, capsys):
    created = run(capsys, cx_oidc_clients, dict(cx_conn, config=clients(N)))
    assert created["_rc"] == 0 and created["changed"], created
    assert [r["action"] for r in created["results"]] == ["created"] * N
    assert server_ids(cx) == ["guard-app-%02d" % i for i in range(N)]
    # One login, one read, N creates, one read back: never a read per item.
    assert counts(cx) == {"token": 1, "list": 2, "by_id": 0, "writes": N}

    cx.clear_requests("checkmarx")
    rerun = run(capsys, cx_oidc_clients, dict(cx_conn, config=clients(N)))
    assert rerun["_rc"] == 0 and not rerun["changed"], rerun
    assert [r["action"] for r in rerun["results"]] == ["unchanged"] * N
    assert counts(cx) == {"token": 1, "list": 1, "by_id": 0, "writes": 0}

    # One entry changes: one write, and the read back is still one read of the list.
    cx.clear_requests("checkmarx")
    wanted = clients(N)
    wanted[7]["name"] = "Guard app 07, renamed"
    one = run(capsys, cx_oidc_clients, dict(cx_conn, config=wanted))
    assert [r["key"] for r in one["results"] if r["changed"]] == ["guard-app-07"]
    assert counts(cx) == {"token": 1, "list": 2, "by_id": 0, "writes": 1}
    assert [c["clientName"] for c in cx.state("checkmarx")["clients"] if c["clientId"] == "guard-app-07"] == \
        ["Guard app 07, renamed"]


def test_set_task_on_a_summary_list_reads_only_the_clients_it_names(cx, cx_conn, capsys):
    """Whether the list carries every field is UNCONFIRMED: on a server whose list shows summaries,
    the module reads each client it manages once, and never the others (the built-in clients)."""
    run(capsys, cx_oidc_clients, dict(cx_conn, config=clients(N)))
    cx.config("checkmarx", list_summary=True)
    cx.clear_requests("checkmarx")
    rerun = run(capsys, cx_oidc_clients, dict(cx_conn, config=clients(N)))
    assert rerun["_rc"] == 0 and not rerun["changed"], rerun
    assert counts(cx) == {"token": 1, "list": 1, "by_id": N, "writes": 0}


def test_unchanged_single_task_is_one_login_and_one_read(cx, cx_conn, capsys, sim, sim_env):
    entry = clients(1)[0]
    assert run(capsys, cx_oidc_client, dict(cx_conn, **entry))["changed"]
    cx.clear_requests("checkmarx")
    again = run(capsys, cx_oidc_client, dict(cx_conn, **entry))
    assert again["_rc"] == 0 and not again["changed"], again
    assert counts(cx) == {"token": 1, "list": 1, "by_id": 0, "writes": 0}

    # Token reuse: a token obtained once per play means no login at all in the task.
    token = fetch_token(sim, sim_env)
    cx.clear_requests("checkmarx")
    with_token = dict(entry, url=cx_conn["url"], ca_path=cx_conn["ca_path"], token=token)
    reused = run(capsys, cx_oidc_client, with_token)
    assert reused["_rc"] == 0 and not reused["changed"], reused
    assert counts(cx) == {"token": 0, "list": 1, "by_id": 0, "writes": 0}
    assert token not in json.dumps(reused)


def test_scrubber_orders_its_secrets_once_not_per_string(monkeypatch):
    """A set task scrubs thousands of strings against hundreds of secret forms: sorting them per
    string cost a 100-client rerun about 0.3 s of CPU. Sorted once per change, and still correct
    for a secret added after use (the longer secret is removed whole)."""
    calls = []

    def counting_sorted(*args, **kwargs):
        calls.append(1)
        return sorted(*args, **kwargs)

    monkeypatch.setattr(_http, "sorted", counting_sorted, raising=False)
    scrub = _http.Scrubber(["guard-secret-%02d-c0ffee" % i for i in range(N)])
    data = {"results": [{"key": "guard-app-%02d" % i, "msg": "uses guard-secret-%02d-c0ffee" % i} for i in range(N)]}
    masked = scrub.scrub_data(data)
    assert len(calls) == 1
    assert all(r["msg"] == "uses " + _http.MASK for r in masked["results"])
    scrub.add("guard-secret-07-c0ffee-and-more")
    assert scrub("x guard-secret-07-c0ffee-and-more y") == "x %s y" % _http.MASK
    assert scrub("guard-secret-08-c0ffee") == _http.MASK
    assert len(calls) == 2


IMPORT_PROBE = """
import importlib, json, os, sys
root, names, heavy = sys.argv[1], sys.argv[2].split(","), tuple(sys.argv[3].split(","))
sys.path.insert(0, root)
import ansible.module_utils.basic, requests  # every module imports these: the shared base
out = {"_base": sorted(h for h in heavy if h in sys.modules)}
for name in names:
    # A forked child per module: a fresh sys.modules above the shared base, at the cost of a fork.
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            importlib.import_module("ansible_collections.sso.oidc.plugins.modules." + name)
            found = sorted(h for h in heavy if h in sys.modules)
        except BaseException as exc:
            found = {"error": repr(exc)}
        os.write(write_end, json.dumps(found).encode())
        os._exit(0)
    os.close(write_end)
    data = b""
    chunk = os.read(read_end, 65536)
    while chunk:
        data += chunk
        chunk = os.read(read_end, 65536)
    os.close(read_end)
    os.waitpid(pid, 0)
    out[name] = json.loads(data.decode())
print(json.dumps(out))
"""


def _imports_of(module_names, collections_root):
    """{module: [heavy libraries in sys.modules after importing it]}, each module in its own process."""
    proc = subprocess.run([sys.executable, "-c", IMPORT_PROBE, collections_root, ",".join(module_names), ",".join(HEAVY)],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=""), timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out.pop("_base") == [], "ansible.module_utils.basic or requests imports a heavy library"
    return out


def test_only_wickr_modules_import_botocore_and_none_imports_heavy_libraries():
    from conftest import COLLECTIONS_ROOT

    names = sorted(f[:-3] for f in os.listdir(MODULES_DIR) if f.endswith(".py") and not f.startswith("_"))
    assert "cx_oidc_client" in names and "wickr_oidc_config" in names
    found = _imports_of(names, COLLECTIONS_ROOT)
    for name, heavy in found.items():
        expected = ["botocore"] if name.startswith("wickr_") else []
        assert heavy == expected, "%s imports %s at import time; expected %s" % (name, heavy, expected or "none")

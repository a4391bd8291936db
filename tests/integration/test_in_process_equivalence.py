# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The in-process run (plugins/plugin_utils/_in_process.py) changes nothing but speed.

tests/integration/in_process/equivalence.yml runs twice against the simulators: in the worker
process (local connection, the controller's Python: the default) and as module processes
(``sso_oidc_in_process=false``). Both runs must produce the same results, task by task, including
check mode, diff, refused input, an unknown option, warnings in a loop (not carried from one item
to the next), credentials from the ``environment`` keyword, and no secret in the output.
"""

import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOK = os.path.join(HERE, "in_process", "equivalence.yml")
SECRETS = ("eq-client-secret-7f3a1c", "eq-idp-secret-91b2")
IN_WORKER = "runs in the worker process"
WARNING = "scopes: profile email does not include 'openid'"
AS_MODULE = "runs as a module process: sso_oidc_in_process is false"


def _normalise(value):
    """Drop what differs between any two runs (timestamps, generated ids, tracebacks)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in ("exception", "_ansible_no_log", "_ansible_item_label", "ansible_loop_var", "item_label"):
                continue
            out[key] = _normalise(item)
        return out
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str):
        return re.sub(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<uuid>", value)
    return value


def _run(run_playbook, directory, in_process):
    directory.mkdir()
    results_path = str(directory / "results.json")
    extra = {"results_path": results_path}
    if not in_process:
        extra["sso_oidc_in_process"] = False
    result = run_playbook(PLAYBOOK, extra_vars=extra, args=("-vvv",))
    assert result.rc == 0, result
    with open(results_path) as handle:
        data = json.load(handle)
    with open(results_path + ".env") as handle:
        data["env"] = json.load(handle)
    return result, data


def test_worker_and_module_process_give_the_same_results(run_playbook, tmp_path):
    worker, in_worker = _run(run_playbook, tmp_path / "worker", True)
    module, as_module = _run(run_playbook, tmp_path / "module", False)

    # Each run took the path it was meant to take, for every sso.oidc task.
    tasks = len(re.findall(r"^TASK \[(?!Reset|Write|Include|Read the|ansible)", worker.stdout, re.M))
    assert worker.output.count(IN_WORKER) >= 10 and AS_MODULE not in worker.output, worker
    assert module.output.count(AS_MODULE) >= 10 and IN_WORKER not in module.output, module
    assert tasks >= 10

    # No secret in either output, at -vvv.
    for secret in SECRETS:
        assert secret not in worker.output and secret not in module.output

    # The results, task by task.
    assert set(in_worker) == set(as_module)
    for key in sorted(in_worker):
        assert _normalise(in_worker[key]) == _normalise(as_module[key]), key

    # And they are what they should be (the comparison above would pass on two equal failures).
    res = in_worker
    assert res["check"]["changed"] and res["create"]["changed"] and not res["rerun"]["changed"]
    assert res["update"]["changed"] and res["update"]["diff"]["after"]["name"] == "Equivalence app, renamed"
    assert res["info"]["clients"][0]["name"] == "Equivalence app, renamed"
    assert res["refused"]["failed"] and "access_token_lifetime" in res["refused"]["msg"]
    assert res["unknown"]["failed"] and "no_such_option" in res["unknown"]["msg"]
    assert [r["changed"] for r in res["loop"]] == [True, True]
    # The first item warns about its scopes; the second item must not repeat that warning. Counted as
    # displayed warnings: at -vvv ansible-core 2.16 to 2.18 also print the item's result with its warnings.
    displayed = re.compile(r"\[WARNING\]: +" + re.escape(WARNING))
    for output in (worker.output, module.output):
        assert len(displayed.findall(output)) == 1, output
    for item in res["loop"]:
        assert WARNING not in json.dumps(item) or item["item"] == ["profile", "email"], item
    assert res["delete"]["changed"] and not res["delete_again"]["changed"]
    # The play without module_defaults found the server through the CX_* variables of its environment keyword.
    assert res["env"]["clients"] and all(c["client_id"] != "eq-app" for c in res["env"]["clients"]), res["env"]
    # The registered results hold no secret either (the diff shows a masked client secret).
    assert not any(secret in json.dumps(res) for secret in SECRETS)
    assert "********" in json.dumps(res["create"]["diff"])

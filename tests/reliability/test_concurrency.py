# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Concurrency suite: ten ``ansible-playbook`` processes at once against one simulator.

* Ten runs, each on its own resource: every run succeeds and the server ends holding exactly the
  ten objects asked for, each once.
* Ten runs on the same resource, each asking for a different state of it: the server ends holding
  exactly one object for the key, in one of the requested states, and no run reports an error other
  than a clear conflict (the vendor said the object exists or changed meanwhile).
"""

import json
import os
import re
import subprocess
import sys
import time

import pytest

from reliability import _cases, _steps
from reliability._playbook import PlaybookBuilder

SUITE = "concurrency"
RUNS = 10
CONFLICT_WORDS = re.compile(r"conflict|already exists|exists already|created meanwhile|changed meanwhile|"
                            r"modified|HTTP 409|concurrent", re.I)


def _launch(rel, ctx, steps, directory, index):
    """Start one ansible-playbook process for ``steps``; return (process, results path)."""
    import conftest  # the parent conftest: the environment and inventory every playbook run uses

    builder = PlaybookBuilder(ctx.profile.service, ctx.secrets)
    tasks, indexes = builder.steps_tasks(steps)
    builder.add_play("Concurrent run %d" % index, tasks)
    results = os.path.join(directory, "results-%d.json" % index)
    builder.save_play(indexes, results)
    playbook = builder.write(directory, "run-%d.yml" % index)
    variables = {"sim": rel.harness.describe()}
    variables.update(builder.extra_vars())
    vars_path = os.path.join(directory, "vars-%d.json" % index)
    with open(vars_path, "w") as handle:
        json.dump(variables, handle)
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i",
           conftest.write_inventory(directory), "-e", "@" + vars_path, playbook]
    env = conftest.ansible_env({"ANSIBLE_PIPELINING": "1"})
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            cwd=directory, stdin=subprocess.DEVNULL)
    return proc, results


def run_parallel(rel, ctx, step_lists, directory):
    """Run every list of steps in its own ansible-playbook, all at once; return [(rc, output, results)]."""
    started = [_launch(rel, ctx, steps, directory, i) for i, steps in enumerate(step_lists)]
    out = []
    for proc, results in started:
        output, _err = proc.communicate(timeout=600)
        data = None
        if os.path.exists(results):
            with open(results) as handle:
                data = json.load(handle)
        out.append((proc.returncode, output, data))
    return out


def _result(data):
    return (data or {}).get("r0") or {"failed": True, "msg": "no result recorded"}


@pytest.mark.parametrize("service", ["checkmarx"])
def test_ten_runs_on_different_resources(rel, case, tmp_path, service):
    profile = _cases.profile(service)
    if not profile.available("single"):
        pytest.fail("%s is missing: every module of the collection is covered" % profile.single)
    ctx = profile.prepare(rel, "par")
    keys = [ctx.key("p") for _i in range(RUNS)]
    step_lists = [[_steps.Step("create", profile.single, ctx.params(**profile.create(ctx, k)), expect="changed")]
                  for k in keys]
    start = time.time()
    outcomes = run_parallel(rel, ctx, step_lists, str(tmp_path))
    elapsed = round(time.time() - start, 1)
    problems = []
    for index, (key, (rc, output, data)) in enumerate(zip(keys, outcomes)):
        with case(SUITE, profile.single, "different resources: run %d of %d" % (index + 1, RUNS)) as c:
            c.elapsed = elapsed
            res = _result(data)
            if rc != 0 or res.get("failed") or not res.get("changed"):
                c.fail("run for %s: rc=%s %s\n%s" % (key, rc, res.get("msg"), output[-1500:]), problems)
            objects = profile.objects(rel, key)
            if len(objects) != 1:
                c.fail("%d objects for %s" % (len(objects), key), problems)
    with case(SUITE, profile.single, "different resources: the server holds exactly the %d objects" % RUNS) as c:
        if sorted(k for k in keys if len(profile.objects(rel, k)) == 1) != sorted(keys):
            c.fail("not every key has exactly one object", problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("service", ["slashid", "vcenter"])
def test_ten_runs_on_the_same_resource(rel, case, tmp_path, service):
    profile = _cases.profile(service)
    if not profile.available("single"):
        pytest.fail("%s is missing: every module of the collection is covered" % profile.single)
    ctx = profile.prepare(rel, "same")
    key = ctx.key("s")
    base = profile.create(ctx, key)
    field = profile.name_option or "upn_claim"
    wanted = ["%s variant %d" % (key, i) if field != "upn_claim" else "claim%d" % i for i in range(RUNS)]
    step_lists = [[_steps.Step("create or update", profile.single, ctx.params(**dict(base, **{field: value})),
                               expect="any")] for value in wanted]
    # A slow create (3 s before the server handles it) widens the window between "read: absent" and
    # "created": every run that reads within those 3 s also finds nothing and creates, whatever the
    # load of the machine, so the race really happens.
    rel.fault(service, method="POST", path=profile.create_path, delay=3, times=RUNS)
    start = time.time()
    outcomes = run_parallel(rel, ctx, step_lists, str(tmp_path))
    elapsed = round(time.time() - start, 1)
    problems = []
    ok = 0
    for index, (rc, output, data) in enumerate(outcomes):
        with case(SUITE, profile.single, "same resource: run %d of %d" % (index + 1, RUNS)) as c:
            c.elapsed = elapsed
            res = _result(data)
            if res.get("failed"):
                msg = str(res.get("msg"))
                c.detail = "conflict: %s" % msg[:200]
                if not CONFLICT_WORDS.search(msg) or "Traceback" in msg:
                    c.fail("an error that is not a clear conflict: %s\n%s" % (msg, output[-1000:]), problems)
            else:
                ok += 1
    with case(SUITE, profile.single, "same resource: one object, in a requested state") as c:
        objects = profile.objects(rel, key)
        if len(objects) != 1:
            c.fail("DUPLICATES: %d objects for %s" % (len(objects), key), problems)
        if ok == 0:
            c.fail("no run succeeded", problems)
        c.detail = {"succeeded": ok, "conflicts": RUNS - ok}
        if len(objects) == 1:
            final = rel.run(profile.info, ctx.params(**profile.info_params(ctx, key)))
            have = json.dumps(final.data.get(profile.info_list_key) or final.data, ensure_ascii=False)
            if not any(json.dumps(w, ensure_ascii=False)[1:-1] in have for w in wanted):
                c.fail("the server holds none of the requested states: %s" % have[:500], problems)
    assert not problems, "\n".join(problems)

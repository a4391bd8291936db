# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role sso_rollout under the check-mode guarantee and the leak scan, in three runs of the
collection's example playbook (playbooks/sso_rollout.yml) at ``-vvvv`` with canary secrets:

1. check mode: no write reaches any simulator and no state changes; the role records what each
   target's module predicts;
2. the real run: every target's ``end_state`` equals the prediction (on creates, less what only the
   server decides: the ids it assigns, and whether it shows a secret back at all);
3. check mode again: nothing would change.

Every run's complete output, the role's recorded results and every simulator's request log are
searched for every secret, in every encoding (the issue's leak suite, for the role).
"""

import json

import pytest

from reliability import _cases, _role
from reliability._steps import write_requests
from reliability._support import find_leaks, scan_request_log
from reliability.test_check_mode import comparable

SUITE = "role"
ANSIBLE_ENV = {"ANSIBLE_DISPLAY_TRACEBACK": "always", "ANSIBLE_PIPELINING": "1"}


def _scan(case, scenario, rel, result, label, problems):
    secrets = scenario.all_secrets()
    with case(SUITE, "sso_rollout", "%s: no secret in the -vvvv output or the recorded results" % label) as c:
        leaks = find_leaks(result.stdout, secrets, "stdout") + find_leaks(result.stderr, secrets, "stderr")
        leaks += find_leaks(scenario.results, secrets, "role facts")
        c.scans, c.leaks = 3 * len(secrets), len(leaks)
        if leaks:
            c.fail("LEAK %s" % leaks, problems)
    with case(SUITE, "sso_rollout", "%s: no secret in what the clients sent outside the bodies" % label) as c:
        leaks = []
        for name in scenario.services():
            found, scans = scan_request_log(rel.log(name), secrets)
            leaks += found
            c.scans += scans
        c.leaks = len(leaks)
        if leaks:
            c.fail("LEAK %s" % leaks, problems)


def test_role_check_mode_and_leaks(rel, case, run_playbook, tmp_path):
    if not _role.available():
        pytest.fail("the role sso_rollout or its playbook is missing")
    scenario = _role.Scenario(rel, "role")
    problems = []
    states = dict((name, rel.state(name)) for name in scenario.services())

    check = scenario.run(run_playbook, tmp_path, args=["-vvvv"], env=ANSIBLE_ENV, check=True, name="check")
    predicted = scenario.end_states()
    with case(SUITE, "sso_rollout", "check mode writes nothing") as c:
        if check.rc != 0:
            c.fail("the check-mode run failed: %r" % check, problems)
        for name in scenario.services():
            writes = write_requests(rel.log(name))
            if writes:
                c.fail("check mode sent %d write(s) to %s: %s" % (len(writes), name, writes[:3]), problems)
            if rel.state(name) != states[name]:
                c.fail("check mode changed the state of %s" % name, problems)
        if not predicted:
            c.fail("the check-mode run recorded no target", problems)
    _scan(case, scenario, rel, check, "check mode", problems)
    for name in scenario.services():
        rel.clear_requests(name)

    real = scenario.run(run_playbook, tmp_path, args=["-vvvv"], env=ANSIBLE_ENV, name="real")
    actual = scenario.end_states()
    with case(SUITE, "sso_rollout", "check mode predicted the real run") as c:
        if real.rc != 0:
            c.fail("the real run failed: %r" % real, problems)
        for target, (action, state) in sorted(predicted.items()):
            real_action, real_state = actual.get(target, (None, None))
            profile = _cases.profile(target[0])
            created = real_action in ("created", "recreated")
            mine, theirs = comparable(state, profile, created), comparable(real_state, profile, created)
            if action != real_action or mine != theirs:
                c.fail("%s: predicted %s %s, the real run gave %s %s" % (
                    target, action, json.dumps(mine, sort_keys=True)[:400], real_action,
                    json.dumps(theirs, sort_keys=True)[:400]), problems)
        if set(predicted) != set(actual):
            c.fail("targets differ: %s vs %s" % (sorted(predicted), sorted(actual)), problems)
        if not any(a in ("created", "updated") for a, _s in actual.values()):
            c.fail("the real run changed nothing: the comparison proved nothing", problems)
    _scan(case, scenario, rel, real, "real run", problems)
    for name in scenario.services():
        rel.clear_requests(name)

    again = scenario.run(run_playbook, tmp_path, args=["-vvvv"], env=ANSIBLE_ENV, check=True, name="again")
    with case(SUITE, "sso_rollout", "check mode after the real run predicts no change") as c:
        counts = (scenario.results or {}).get("changed") or {}
        if again.rc != 0 or counts.get("changed", 1) != 0:
            c.fail("rc=%s, counts %s" % (again.rc, counts), problems)
        for name in scenario.services():
            if write_requests(rel.log(name)):
                c.fail("writes to %s" % name, problems)
    _scan(case, scenario, rel, again, "second check mode", problems)
    assert not problems, "\n".join(problems)

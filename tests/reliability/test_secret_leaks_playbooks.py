# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret-leak suite, Ansible part: the module paths through ``ansible-playbook -vvvv``.

One playbook per service (many module runs share one ansible-playbook start-up): the single
module on create, unchanged, update, check and diff mode, update_secret=always, credentials
from the environment variables and from ``module_defaults`` (the service's action group),
validation failure, refused login, vendor 4xx, 5xx after the retries, TLS failure and a
malformed 200 body; the info and set modules on a success and a failure path. Secrets come
from extra vars, as from a vault. The complete output (stdout and stderr, tracebacks on), the
registered results and the simulator's request log are searched for every secret, in every
encoding. The role sso_rollout is scanned the same way in test_role.py.
"""

import json
import os

import pytest

from reliability import _cases, _steps
from reliability._playbook import PlaybookBuilder, load_results
from reliability._support import NO_LOG_MARK, TRACEBACK_MARK, ModResult, find_leaks, scan_request_log

SUITE = "leaks"
SERVICES = [p.service for p in _cases.PROFILES]
ANSIBLE_ENV = {"ANSIBLE_DISPLAY_TRACEBACK": "always", "ANSIBLE_STDOUT_CALLBACK": "default", "ANSIBLE_PIPELINING": "1"}

# A representative subset of the in-process paths (test_secret_leaks.py runs them all): what the
# Ansible layer adds is the display of results, diffs, warnings, tracebacks and -vvvv connection
# details, so every kind of outcome is here once.
SINGLE_PATHS = ("create", "update", "check-update", "env-credentials", "validation-failure", "url-credentials",
                "login-refused", "http-5xx-after-retries", "malformed-200", "tls-untrusted")
SET_PATHS = ("merged create",)


def _pick(steps, names):
    return [s for s in steps if any(s.name.startswith(n) for n in names)]


def playbook_steps(profile, ctx, rel):
    steps = []
    if profile.available("single"):
        single = _steps.single_steps(profile, ctx, tls_url=rel.variant_url(profile.service, "untrusted"))
        steps += _pick(single, SINGLE_PATHS)
        if profile.available("info"):
            key = single[0].params[profile.key_option]  # created by the first step, still there
            steps.append(_steps.Step("read one", profile.info, ctx.params(**profile.info_params(ctx, key)),
                                     expect="ok"))
            steps += profile.extra_info_leak_steps(ctx)
    if profile.available("set"):
        steps += _pick(_steps.set_steps(profile, ctx, tls_url=None), SET_PATHS)
    return steps


@pytest.mark.parametrize("mode", ["worker", "module process"])
@pytest.mark.parametrize("service", SERVICES)
def test_playbook_output_never_leaks(rel, case, run_playbook, tmp_path, service, mode):
    """``mode``: in Ansible's worker process (the default here) or as module processes (sso_oidc_in_process=false)."""
    profile = _cases.profile(service)
    if not profile.modules():
        pytest.fail("no module of %s exists" % service)
    ctx = profile.prepare(rel, "pb", **profile.leak_config)
    steps = playbook_steps(profile, ctx, rel)
    defaults_steps = []
    if profile.available("single"):
        key = ctx.key("md")
        defaults_steps = [_steps.Step("module_defaults create", profile.single, ctx.params(**profile.create(ctx, key)),
                                      diff=True, expect="changed")]
    builder = PlaybookBuilder(service, ctx.secrets)
    tasks, indexes = builder.steps_tasks(steps)
    builder.add_play("Leak scan of the %s modules" % service, tasks)
    if defaults_steps:
        conn = dict(ctx.conn)
        tasks, more = builder.steps_tasks(defaults_steps, first_index=len(steps),
                                          params_of=lambda s: dict((k, v) for k, v in s.params.items()
                                                                   if k not in conn))
        builder.add_play("Credentials from module_defaults (group/sso.oidc.%s)" % service, tasks,
                         module_defaults={"group/sso.oidc.%s" % service: conn})
        indexes += more
    results_path = str(tmp_path / "results.json")
    builder.save_play(indexes, results_path)
    playbook = builder.write(str(tmp_path))
    rel.clear_requests(service)

    # Credentials in environment variables are given to ansible-playbook itself, as AWX injects them
    # (the task keyword ``environment:`` would show them: Ansible prints that command line at -vvv).
    env = dict(ANSIBLE_ENV)
    env.update(ctx.env)
    extra_vars = builder.extra_vars()
    if mode != "worker":
        extra_vars["sso_oidc_in_process"] = False
    result = run_playbook(playbook, extra_vars=extra_vars, args=["-vvvv"], env=env)
    assert result.rc == 0, result
    assert ("runs in the worker process" in result.output) == (mode == "worker"), result
    registered = load_results(results_path)
    secrets = ctx.all_secrets()
    log = rel.log(service)
    problems = []
    all_steps = steps + defaults_steps
    output_leaks = find_leaks(result.stdout, secrets, "ansible-playbook stdout") + \
        find_leaks(result.stderr, secrets, "ansible-playbook stderr")
    log_leaks, log_scans = scan_request_log(log, secrets, ctx.allowed_in_query)
    for index, step in enumerate(all_steps):
        with case(SUITE, step.module, "playbook -vvvv (%s): %s" % (mode, step.name)) as c:
            data = registered.get("r%d" % index) or {}
            res = ModResult(None, data, json.dumps(data), "", 0)
            returned = None
            if step.returns:
                # the secret the module exists to return (cx_token's token): registered (the task has no_log), a
                # secret the server issued, and nowhere else (the output below is scanned for it)
                data = dict(data)
                value = data.pop(step.returns, None)
                if not value or value not in secrets:
                    returned = "returned no %s that the server issued" % step.returns
            leaks = find_leaks(data, secrets, "registered result")
            outside = dict(data)
            outside.pop("invocation", None)
            if NO_LOG_MARK in json.dumps(outside):
                leaks.append(("registered result", "(no_log value)", NO_LOG_MARK))
            c.scans = len(secrets)
            c.leaks = len(leaks)
            found = ["LEAK %s" % leaks] if leaks else []
            if returned:
                found.append(returned)
            if data.get("missing"):
                found.append("the step did not run")
            if TRACEBACK_MARK in res.msg:
                found.append("traceback as the message")
            verdict = step.verdict(res)
            if verdict:
                found.append(verdict)
            if found:
                c.fail("; ".join(found), problems)
    with case(SUITE, profile.single or service, "playbook -vvvv (%s): complete output and request log" % mode) as c:
        c.scans = 2 * len(secrets) + log_scans
        c.leaks = len(output_leaks) + len(log_leaks)
        if output_leaks or log_leaks:
            c.fail("LEAK in the output or the request log: %s" % (output_leaks + log_leaks), problems)
    if problems:
        _keep(result, playbook, "leaks-%s-%s" % (service, mode.replace(" ", "-")))
    assert not problems, "\n".join(problems) + "\n" + repr(result)[-3000:]


def _keep(result, playbook, name):
    """Keep the output of a failed run for diagnosis (tests/output/reliability/<name>.log)."""
    from reliability._support import OUTPUT_DIR

    os.makedirs(OUTPUT_DIR, exist_ok=True)
    with open(os.path.join(OUTPUT_DIR, name + ".log"), "w") as handle:
        handle.write(result.output)
    if playbook:
        with open(playbook) as src, open(os.path.join(OUTPUT_DIR, name + ".yml"), "w") as dst:
            dst.write(src.read())


def test_leak_detector_catches_every_encoding():
    """The detector itself: a test that cannot fail is a defect."""
    import base64
    import hashlib
    from urllib.parse import quote, quote_plus

    from reliability._support import canary, leak_needles

    secret = canary("detector")
    raw = secret.encode()
    samples = [
        "prefix %s suffix" % secret,
        json.dumps({"x": secret}),
        json.dumps({"x": secret}, ensure_ascii=False),
        json.dumps({"outer": json.dumps({"x": secret})}),
        quote(secret, safe=""), quote_plus(secret),
        "Authorization: Basic " + base64.b64encode(b"client:" + raw).decode(),
        "Authorization: Basic " + base64.b64encode(b"c:" + raw).decode(),
        "Authorization: Basic " + base64.b64encode(b"cl:" + raw + b"!").decode(),
        base64.urlsafe_b64encode(raw).decode(),
        base64.b64encode(hashlib.sha256(raw).digest()).decode(),
        hashlib.sha256(raw).hexdigest(),
    ]
    for sample in samples:
        assert find_leaks(sample, [secret]), sample
    assert not find_leaks("nothing to see %s" % canary("other"), [secret])
    assert len(leak_needles(secret)) > 10

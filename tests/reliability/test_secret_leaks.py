# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret-leak suite, in-process part: every module on every path, with fresh canary secrets.

Each module's main() runs in this process at verbosity 4 with tracebacks captured, against the
simulator reconfigured to accept canary credentials and set to show as much as the vendor
might (secrets in clear where the vendor leaves that open). After every path the whole
result, stdout, stderr, warnings and the simulator's request log (method, path, query) are
searched for every secret in play, in every encoding (see ``_support.leak_needles``).
The same paths run through ``ansible-playbook -vvvv`` in test_secret_leaks_playbooks.py.
"""

import pytest

from reliability import _cases, _steps
from reliability._support import TRACEBACK_MARK, ModResult, scan_request_log, scan_result

SUITE = "leaks"


def run_steps(rel, case, ctx, module, steps):
    """Run the steps in order; record one case per step; return the problems found."""
    profile = ctx.profile
    problems = []
    for step in steps:
        with case(SUITE, step.module, step.name, fault=step.faults[0] if step.faults else None) as c:
            rel.clear_requests(profile.service)
            for fault in step.faults:
                rel.fault(profile.service, **fault)
            res = rel.run(step.module, step.params, check=step.check, diff=step.diff, env=step.env)
            rel.clear_faults(profile.service)
            c.elapsed = round(res.elapsed, 3)
            log = rel.log(profile.service)
            secrets = ctx.all_secrets()
            returned = None
            if step.returns:
                res, returned = set_aside(res, step.returns, secrets)
            leaks, scans = scan_result(res, secrets)
            log_leaks, log_scans = scan_request_log(log, secrets, ctx.allowed_in_query)
            leaks += log_leaks
            c.scans = scans + log_scans
            c.leaks = len(leaks)
            found = [returned] if returned else []
            if leaks:
                found.append("LEAK %s" % leaks)
            if TRACEBACK_MARK in res.msg:
                found.append("a Python traceback as the message: %s" % res.msg[:300])
            verdict = step.verdict(res)
            if verdict:
                found.append(verdict)
            writes = _steps.write_requests(log)
            if step.writes is not None and len(writes) != step.writes:
                found.append("expected %d write request(s), got %s" % (step.writes, writes))
            if found:
                c.fail("; ".join(found), problems)
    return problems


def set_aside(res, key, secrets):
    """The result without the one secret the module exists to return (``key``, cx_token's token), and what is wrong
    with that secret: it must be one the server issued, and appear once in the module's output (its result) and
    nowhere else (the rest of the result, warnings, stderr and the request log are scanned for it as for every
    secret)."""
    data = dict(res.data)
    value = data.pop(key, None)
    if not value or value not in secrets:
        return res, "returned no %s that the server issued (result keys %s)" % (key, sorted(res.data))
    if res.stdout.count(value) != 1:
        return res, "the returned %s appears %d times in the module's output, not once" % (key, res.stdout.count(value))
    return ModResult(res.rc, data, res.stdout.replace(value, "", 1), res.stderr, res.elapsed), None


SERVICES = [p.service for p in _cases.PROFILES]


def _need(profile, kind):
    if not profile.available(kind):
        pytest.fail("%s module of %s is missing" % (kind, profile.service))


@pytest.mark.parametrize("service", SERVICES)
def test_single_module_never_leaks(rel, case, service):
    profile = _cases.profile(service)
    _need(profile, "single")
    ctx = profile.prepare(rel, "leak", **profile.leak_config)
    tls = rel.variant_url(service, "untrusted")
    steps = _steps.single_steps(profile, ctx, tls_url=tls) + profile.extra_leak_steps(ctx)
    problems = run_steps(rel, case, ctx, profile.single, steps)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("service", SERVICES)
def test_info_module_never_leaks(rel, case, service):
    profile = _cases.profile(service)
    _need(profile, "info")
    _need(profile, "single")
    ctx = profile.prepare(rel, "leakinfo", **profile.leak_config)
    tls = rel.variant_url(service, "wrong_host")
    steps = _steps.info_steps(profile, ctx, tls_url=tls) + profile.extra_info_leak_steps(ctx)
    problems = run_steps(rel, case, ctx, profile.info, steps)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("service", SERVICES)
def test_set_module_never_leaks(rel, case, service):
    profile = _cases.profile(service)
    _need(profile, "set")
    ctx = profile.prepare(rel, "leakset", **profile.leak_config)
    tls = rel.variant_url(service, "expired")
    steps = _steps.set_steps(profile, ctx, tls_url=tls)
    problems = run_steps(rel, case, ctx, profile.set_module, steps)
    assert not problems, "\n".join(problems)


def test_discovery_module_never_leaks(rel, case):
    """oidc_discovery_info takes no secret; the issuer's client secret of the harness must not appear
    either, and no path may end in a traceback."""
    env = rel.env
    secrets = [env["oidc"]["client_secret"]]
    issuers = env["discovery"]["issuers"]
    paths = [("good", {"issuer": issuers["good"]}, False), ("broken", {"issuer": issuers["missing-required"]}, True),
             ("not-json", {"issuer": issuers["not-json"]}, True),
             ("tls", {"issuer": rel.variant_url("discovery", "untrusted") + "/good"}, True),
             ("validation", {"issuer": "http://idp.example.com"}, True)]
    problems = []
    for name, params, should_fail in paths:
        with case(SUITE, "oidc_discovery_info", name) as c:
            params = dict(params, ca_path=env["ca_path"])
            res = rel.run("oidc_discovery_info", params)
            leaks, c.scans = scan_result(res, secrets)
            c.leaks = len(leaks)
            if leaks or TRACEBACK_MARK in res.msg or res.failed != should_fail:
                c.fail("leaks %s / %r" % (leaks, res), problems)
    assert not problems, "\n".join(problems)


def test_suite_detects_a_leaky_module(rel, case, monkeypatch):
    """The scanning is wired to what a module really prints: a module patched to return the base64 of
    its secret must be caught (a test that cannot fail is a defect)."""
    import base64

    from ansible_collections.sso.oidc.plugins.module_utils import _module

    profile = _cases.profile("slashid")
    _need(profile, "single")
    ctx = profile.prepare(rel, "meta")
    original = _module.SsoModule.exit

    def leaky_exit(self, **result):
        result["debug"] = base64.b64encode(("x" + self.params["api_key"]).encode()).decode()
        return original(self, **result)

    monkeypatch.setattr(_module.SsoModule, "exit", leaky_exit)
    with case(SUITE, profile.single, "meta: a leaky module is caught") as c:
        res = rel.run(profile.single, ctx.params(**profile.create(ctx, ctx.key())))
        leaks, c.scans = scan_result(res, ctx.all_secrets())
        assert leaks and leaks[0][1] == ctx.conn["api_key"], res


@pytest.mark.parametrize("service", SERVICES)
def test_unexpected_exception_never_leaks(rel, case, monkeypatch, service):
    """The 'unexpected exception' path: a bug deep in a request that raises with the request in its
    message (as str() and as repr()). The module must turn it into a clean failure whose message and
    captured traceback carry no secret."""
    from ansible_collections.sso.oidc.plugins.module_utils import _http

    profile = _cases.profile(service)
    _need(profile, "single")
    ctx = profile.prepare(rel, "boom")
    problems = []
    original = _http.ApiClient.request
    for style in ("str", "repr"):
        def broken(self, method, path, json_body=None, data=None, _style=style, **kwargs):
            payload = json_body if json_body is not None else data
            if payload is None or "test" in path:  # reads go through; the first write with a body breaks
                return original(self, method, path, json_body=json_body, data=data, **kwargs)
            raise ValueError("cannot handle %s %s %s" % (method, path, payload if _style == "str" else repr(payload)))

        monkeypatch.setattr(_http.ApiClient, "request", broken)
        with case(SUITE, profile.single, "unexpected exception (%s of the request in the message)" % style) as c:
            res = rel.run(profile.single, ctx.params(**profile.create(ctx, ctx.key("x"))))
            leaks, c.scans = scan_result(res, ctx.all_secrets())
            c.leaks = len(leaks)
            if not res.failed or "Unexpected error" not in res.msg or TRACEBACK_MARK in res.msg:
                c.fail("not a clean unexpected-error failure: %s" % res.msg, problems)
            if leaks:
                c.fail("LEAK %s" % leaks, problems)
        monkeypatch.undo()
    assert not problems, "\n".join(problems)

# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The paths every module is driven through (create, update, unchanged, check, diff, delete,
validation failure, refused login, vendor 4xx, 5xx after retries, TLS failure, malformed body,
HTML error page), as data: the in-process leak suite runs them one by one and the playbook
leak suite turns the same list into one ``ansible-playbook -vvvv`` run per service."""

# a fault that never ends, answered at once (Retry-After: 0), so the retries are spent quickly
FOREVER_503 = {"status": 503, "times": -1, "retry_after": 0}


class Step(object):
    def __init__(self, name, module, params, check=False, diff=False, env=None, faults=(), expect="any",
                 writes=None, returns=None):
        self.name = name
        self.module = module
        self.params = params
        self.check = check
        self.diff = diff
        self.env = env or {}
        self.faults = list(faults)
        self.expect = expect      # changed | unchanged | failed | ok | any
        self.writes = writes      # expected number of write requests (None: not checked)
        # the result key of the secret the module exists to return (cx_token's token): the suites check that it is
        # a secret the server issued, allowed there and nowhere else; the playbook registers the task with no_log
        self.returns = returns

    def verdict(self, res):
        """A problem with the outcome (the path did not happen as meant), or None."""
        if self.expect == "failed" and not res.failed:
            return "expected a failure, got %r" % res.msg
        if self.expect in ("changed", "unchanged", "ok") and res.failed:
            return "unexpected failure: %s" % res.msg
        if self.expect == "changed" and not res.changed:
            return "expected changed=true: %s" % res.msg
        if self.expect == "unchanged" and res.changed:
            return "expected changed=false: %s" % res.msg
        return None


def write_requests(log):
    """Requests that may change server state: the simulators classify each (read, write, auth,
    check = a vendor validation call that stores nothing); an injected fault on a non-read counts."""
    return [r for r in log if r["kind"] == "write"
            or (r["kind"] == "fault" and r["method"] not in ("GET", "HEAD", "OPTIONS"))]


def env_conn(ctx):
    return dict(getattr(ctx, "env_params", {}) or {})


def single_steps(profile, ctx, tls_url=None):
    """The paths of the single-resource module."""
    mod = profile.single
    k1, k2 = ctx.key("a"), ctx.key("b")
    steps = [
        Step("create", mod, ctx.params(**profile.create(ctx, k1)), diff=True, expect="changed"),
        Step("unchanged", mod, ctx.params(**profile.create(ctx, k1)), diff=True, expect="unchanged", writes=0),
        Step("update", mod, ctx.params(**profile.update(ctx, k1, 1)), diff=True, expect="changed"),
        Step("check-create", mod, ctx.params(**profile.create(ctx, k2)), check=True, diff=True, expect="changed",
             writes=0),
        Step("check-update", mod, ctx.params(**profile.update(ctx, k1, 2)), check=True, diff=True,
             expect="changed", writes=0),
    ]
    if "update_secret" in profile.single_options():
        # changed when the API cannot show the secret; compared (and unchanged) where it can
        steps.append(Step("update-secret-always", mod, ctx.params(update_secret="always", **profile.create(ctx, k1)),
                          diff=True, expect="any"))
    if ctx.env:
        steps.append(Step("env-credentials", mod, ctx.params(conn=env_conn(ctx), **profile.update(ctx, k1, 3)),
                          env=ctx.env, diff=True, expect="changed"))
    invalid = profile.invalid(ctx)
    if invalid:
        label, options, _option = invalid[0]
        steps.append(Step("validation-failure (%s)" % label, mod, ctx.params(**options), expect="failed", writes=0))
    if profile.refuses_url_credentials:
        # A password in the URL option (not a no_log option): refused before any request, never shown.
        scheme, _sep, rest = profile.url_of(ctx).partition("://")
        url = "%s://admin:%s@%s" % (scheme, ctx.secret("url-password", special=False), rest)
        steps.append(Step("url-credentials", mod,
                          ctx.params(conn=profile.with_url(ctx, url), **profile.update(ctx, k1, 9)),
                          expect="failed", writes=0))
    steps += [
        Step("login-refused", mod, ctx.params(conn=profile.bad_login(ctx), **profile.update(ctx, k1, 4)),
             expect="failed", writes=0),
        Step("http-4xx", mod, ctx.params(**profile.update(ctx, k1, 5)), expect="failed",
             faults=[{"status": 403, "method": m, "path": profile.write_path()} for m in profile.write_methods]),
        Step("http-5xx-after-retries", mod, ctx.params(**profile.update(ctx, k1, 6)), expect="failed",
             faults=[dict(FOREVER_503, path=profile.write_path())]),
        Step("html-error-page", mod, ctx.params(**profile.update(ctx, k1, 7)), expect="failed",
             faults=[{"status": 500, "html": True, "times": -1, "path": profile.write_path()}]),
        Step("malformed-200", mod, ctx.params(**profile.update(ctx, k1, 8)), expect="any",
             faults=[{"malformed": True, "method": "GET", "times": -1, "path": profile.write_path()}]),
    ]
    if tls_url:
        steps.append(Step("tls-untrusted", mod, ctx.params(conn=profile.with_url(ctx, tls_url),
                                                           **profile.update(ctx, k1, 9)), expect="failed", writes=0))
    if profile.can_delete:
        steps += [
            Step("check-delete", mod, ctx.params(state="absent", **{profile.key_option: k1}), check=True, diff=True,
                 expect="changed", writes=0),
            Step("delete", mod, ctx.params(state="absent", **{profile.key_option: k1}), diff=True, expect="changed"),
        ]
    return steps


def info_steps(profile, ctx, tls_url=None):
    mod = profile.info
    key = ctx.key("i")
    steps = [
        Step("setup (create with the single module)", profile.single, ctx.params(**profile.create(ctx, key)),
             expect="changed"),
        Step("read one", mod, ctx.params(**profile.info_params(ctx, key)), expect="ok", writes=0),
    ]
    if profile.info_all_params(ctx) is not None:
        steps.append(Step("read all", mod, ctx.params(**profile.info_all_params(ctx)), expect="ok", writes=0))
    if ctx.env:
        steps.append(Step("env-credentials", mod, ctx.params(conn=env_conn(ctx), **profile.info_params(ctx, key)),
                          env=ctx.env, expect="ok", writes=0))
    steps += [
        Step("login-refused", mod, ctx.params(conn=profile.bad_login(ctx), **profile.info_params(ctx, key)),
             expect="failed", writes=0),
        Step("http-4xx", mod, ctx.params(**profile.info_params(ctx, key)), expect="failed", writes=0,
             faults=[{"status": 403, "method": "GET", "path": profile.write_path(), "times": -1}]),
        Step("http-5xx-after-retries", mod, ctx.params(**profile.info_params(ctx, key)), expect="failed", writes=0,
             faults=[dict(FOREVER_503, path=profile.write_path())]),
        Step("malformed-200", mod, ctx.params(**profile.info_params(ctx, key)), expect="any", writes=0,
             faults=[{"malformed": True, "method": "GET", "times": -1, "path": profile.write_path()}]),
    ]
    if tls_url:
        steps.append(Step("tls-untrusted", mod, ctx.params(conn=profile.with_url(ctx, tls_url),
                                                           **profile.info_params(ctx, key)), expect="failed", writes=0))
    return steps


def set_steps(profile, ctx, tls_url=None):
    mod = profile.set_module
    k1, k2, k3 = ctx.key("s"), ctx.key("s"), ctx.key("s")

    def config(*entries):
        return [profile.entry_for_set(e) for e in entries]

    both = config(profile.create(ctx, k1), profile.create(ctx, k2))
    steps = [
        Step("merged create", mod, ctx.params(config=both, state="merged"), diff=True, expect="changed"),
        Step("merged unchanged", mod, ctx.params(config=both, state="merged"), diff=True, expect="unchanged",
             writes=0),
        Step("merged update", mod, ctx.params(config=config(profile.update(ctx, k1, 1)), state="merged"), diff=True,
             expect="changed"),
        Step("check merged", mod, ctx.params(config=config(profile.create(ctx, k3), profile.update(ctx, k2, 2)),
                                             state="merged"), check=True, diff=True, expect="changed", writes=0),
    ]
    if "replaced" in profile.set_states:
        steps.append(Step("replaced", mod, ctx.params(config=config(profile.create(ctx, k1)), state="replaced"),
                          diff=True, expect="any"))
    if "update_secret" in profile.set_options():
        steps.append(Step("update_secret always", mod, ctx.params(config=both, state="merged",
                                                                  update_secret="always"), diff=True,
                          expect="any"))
    steps.append(Step("gathered", mod, ctx.params(state="gathered"), expect="unchanged", writes=0))
    if "overridden" in profile.set_states:
        steps.append(Step("check overridden", mod, ctx.params(config=config(profile.create(ctx, k1)),
                                                              state="overridden", protected=profile.protected(ctx)),
                          check=True, diff=True, expect="any", writes=0))
    if "deleted" in profile.set_states:
        steps.append(Step("deleted", mod, ctx.params(config=[{profile.key_option: k2}], state="deleted"), diff=True,
                          expect="changed"))
    invalid = profile.invalid(ctx)
    if invalid:
        label, options, _option = invalid[0]
        conn_keys = set(ctx.conn) | set(profile.connection_options())
        entry = dict((k, v) for k, v in options.items() if k not in conn_keys)
        params = ctx.params(config=[profile.entry_for_set(entry)], state="merged")
        params.update(dict((k, v) for k, v in options.items() if k in conn_keys))
        steps.append(Step("validation-failure (%s)" % label, mod, params, expect="failed", writes=0))
    steps += [
        Step("login-refused", mod, ctx.params(conn=profile.bad_login(ctx), config=both, state="merged"),
             expect="failed", writes=0),
        Step("http-5xx-after-retries", mod, ctx.params(config=config(profile.update(ctx, k1, 3)), state="merged"),
             expect="failed", faults=[dict(FOREVER_503, path=profile.write_path())]),
        Step("malformed-200", mod, ctx.params(config=config(profile.update(ctx, k1, 4)), state="merged"),
             expect="any", faults=[{"malformed": True, "method": "GET", "times": -1, "path": profile.write_path()}]),
    ]
    if tls_url:
        steps.append(Step("tls-untrusted", mod, ctx.params(conn=profile.with_url(ctx, tls_url), config=both,
                                                           state="merged"), expect="failed", writes=0))
    return steps

# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check-mode guarantee: check mode writes nothing, and predicts exactly what the real run does.

For every stateful module (single and set), on creates, updates, deletes and the valid edge cases,
and under every simulator setting for what the vendor leaves open (``Profile.config_variants``):

* the check-mode run sends no write request (the simulator's request log, by its own
  classification of each request) and leaves the server state untouched;
* its ``changed``, ``action``, ``end_state`` and ``diff`` equal those of the real run that follows;
* after the real run, check mode predicts no change.

Info modules send no write in check mode either. The role sso_rollout has the same guarantee,
checked in test_role.py.
"""

import json

import pytest

from reliability import _cases
from reliability._steps import write_requests
from reliability._support import module_exists

SUITE = "check_mode"
SERVICES = [p.service for p in _cases.PROFILES]


def _variant_id(config):
    return ",".join("%s=%s" % kv for kv in sorted(config.items())) or "default"


def _params():
    out = []
    for profile in _cases.PROFILES:
        for config in profile.config_variants:
            out.append(pytest.param(profile.service, config, id="%s-%s" % (profile.service, _variant_id(config))))
    return out


MASK = "********"


def comparable(state, profile, created):
    """The part of an end_state check mode can know. On a create (nothing existed before), that leaves
    out what the server alone decides: the identifiers it assigns (vCenter's provider_id) and whether it
    shows a secret back at all (a key that is only a mask on one side). Everything else must match."""
    if not created or not isinstance(state, dict):
        return state
    out = dict((k, v) for k, v in state.items() if k not in profile.server_assigned and v != MASK)
    return out


def _comparable_diff(diff, profile, created):
    if not isinstance(diff, dict):
        return diff
    out = dict(diff)
    if created and isinstance(out.get("after"), dict):
        after = out["after"]
        if "before" in out and isinstance(out["before"], dict) and all(isinstance(v, dict) for v in after.values()) \
                and set(after) <= set(out["before"]):
            out["after"] = dict((k, comparable(v, profile, not out["before"].get(k))) for k, v in after.items())
        else:
            out["after"] = comparable(after, profile, True)
    return out


def _compare(check, real, profile, fields=("changed", "action", "end_state", "diff")):
    problems = []
    created = real.data.get("action") in ("created", "recreated")
    for field in fields:
        mine, theirs = check.data.get(field), real.data.get(field)
        if field == "end_state":
            mine, theirs = comparable(mine, profile, created), comparable(theirs, profile, created)
        elif field == "diff":
            mine, theirs = _comparable_diff(mine, profile, created), _comparable_diff(theirs, profile, created)
        if mine != theirs:
            problems.append("%s: check mode predicted %s, the real run gave %s" % (
                field, json.dumps(check.data.get(field), sort_keys=True, ensure_ascii=False)[:600],
                json.dumps(real.data.get(field), sort_keys=True, ensure_ascii=False)[:600]))
    return problems


def predict_then_run(rel, case, profile, ctx, module, params, label, problems):
    """Check mode, then the real run, then check mode again; record one case."""
    service = profile.service
    with case(SUITE, module, label) as c:
        state_before = rel.state(service)
        rel.clear_requests(service)
        check = rel.run(module, params, check=True, diff=True)
        writes = write_requests(rel.log(service))
        if check.failed:
            c.fail("check mode failed: %s" % check.msg, problems)
            return None
        if writes:
            c.fail("check mode sent %d write(s): %s" % (len(writes), writes), problems)
        if rel.state(service) != state_before:
            c.fail("check mode changed the server state", problems)
        real = rel.run(module, params, diff=True)
        if real.failed:
            c.fail("the real run failed: %s" % real.msg, problems)
            return None
        diffs = _compare(check, real, profile) if module == profile.single else _compare_set(check, real, profile)
        for problem in diffs:
            c.fail(problem, problems)
        rel.clear_requests(service)
        after = rel.run(module, params, check=True, diff=True)
        if after.failed or after.changed or write_requests(rel.log(service)):
            c.fail("after the real run, check mode still predicts a change: %s" % after.msg, problems)
        return real


def _compare_set(check, real, profile):
    problems = []
    if check.data.get("changed") != real.data.get("changed"):
        problems.append("changed: %s vs %s" % (check.data.get("changed"), real.data.get("changed")))
    by_key = dict((str(r.get("key")), r) for r in real.data.get("results") or [])
    for entry in check.data.get("results") or []:
        other = by_key.get(str(entry.get("key"))) or {}
        created = other.get("action") in ("created", "recreated")
        for field in ("action", "end_state", "changed_fields"):
            mine, theirs = entry.get(field), other.get(field)
            if field == "end_state":
                mine, theirs = comparable(mine, profile, created), comparable(theirs, profile, created)
            if mine != theirs:
                problems.append("%s %s: check mode predicted %s, the real run gave %s" % (
                    entry.get("key"), field, json.dumps(mine, sort_keys=True)[:500],
                    json.dumps(theirs, sort_keys=True)[:500]))
    if _comparable_diff(check.data.get("diff") or {}, profile, True) != \
            _comparable_diff(real.data.get("diff") or {}, profile, True):
        problems.append("diff differs: %s vs %s" % (json.dumps(check.data.get("diff"))[:500],
                                                    json.dumps(real.data.get("diff"))[:500]))
    return problems


@pytest.mark.parametrize("service,config", _params())
def test_single_module_check_mode_predicts_the_real_run(rel, case, service, config):
    profile = _cases.profile(service)
    if not profile.available("single"):
        pytest.fail("%s is missing: every module of the collection is covered" % profile.single)
    ctx = profile.prepare(rel, "chk", **config)
    mod = profile.single
    problems = []
    label = " [%s]" % _variant_id(config)
    key = ctx.key("c")
    predict_then_run(rel, case, profile, ctx, mod, ctx.params(**profile.create(ctx, key)), "create" + label, problems)
    for variant in (1, 2):
        predict_then_run(rel, case, profile, ctx, mod, ctx.params(**profile.update(ctx, key, variant)),
                         "update %d%s" % (variant, label), problems)
    if not config:
        for name, entry in profile.edge(ctx):
            predict_then_run(rel, case, profile, ctx, mod, ctx.params(**entry), "edge %s%s" % (name, label), problems)
        for step in profile.extra_leak_steps(ctx):
            if step.module == mod and not step.check and step.expect == "changed" and not step.env:
                predict_then_run(rel, case, profile, ctx, mod, step.params, step.name + label, problems)
    if profile.can_delete:
        predict_then_run(rel, case, profile, ctx, mod, ctx.params(state="absent", **{profile.key_option: key}),
                         "delete" + label, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("service", SERVICES)
def test_set_module_check_mode_predicts_the_real_run(rel, case, service):
    profile = _cases.profile(service)
    if not profile.available("set"):
        pytest.fail("%s is missing: every module of the collection is covered" % profile.set_module)
    ctx = profile.prepare(rel, "chkset")
    mod = profile.set_module
    problems = []
    k1, k2, k3 = ctx.key("s"), ctx.key("s"), ctx.key("s")
    both = [profile.entry_for_set(profile.create(ctx, k)) for k in (k1, k2)]
    predict_then_run(rel, case, profile, ctx, mod, ctx.params(config=both, state="merged"), "merged create",
                     problems)
    mixed = [profile.entry_for_set(profile.update(ctx, k1, 1)), profile.entry_for_set(profile.create(ctx, k3))]
    predict_then_run(rel, case, profile, ctx, mod, ctx.params(config=mixed, state="merged"),
                     "merged update + create", problems)
    if "replaced" in profile.set_states:
        predict_then_run(rel, case, profile, ctx, mod,
                         ctx.params(config=[profile.entry_for_set(profile.create(ctx, k2))], state="replaced"),
                         "replaced", problems)
    if "deleted" in profile.set_states:
        predict_then_run(rel, case, profile, ctx, mod, ctx.params(config=[{profile.key_option: k3}], state="deleted"),
                         "deleted", problems)
    if "overridden" in profile.set_states:
        keep = [profile.entry_for_set(profile.create(ctx, k1))]
        predict_then_run(rel, case, profile, ctx, mod, ctx.params(config=keep, state="overridden",
                                                                  protected=profile.protected(ctx)),
                         "overridden", problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("service", SERVICES + ["discovery"])
def test_info_modules_write_nothing_in_check_mode(rel, case, service):
    if service == "discovery":
        res = rel.run("oidc_discovery_info", {"issuer": rel.env["discovery"]["issuers"]["good"],
                                              "ca_path": rel.env["ca_path"]}, check=True)
        assert not res.failed and not res.changed, res
        assert write_requests(rel.log("discovery")) == []
        return
    profile = _cases.profile(service)
    if not profile.available("info") or not profile.available("single"):
        pytest.fail("%s is missing: every module of the collection is covered" % profile.info)
    ctx = profile.prepare(rel, "chkinfo")
    key = ctx.key("i")
    rel.run(profile.single, ctx.params(**profile.create(ctx, key)))
    rel.clear_requests(service)
    with case(SUITE, profile.info, "info in check mode") as c:
        res = rel.run(profile.info, ctx.params(**profile.info_params(ctx, key)), check=True)
        assert not res.failed and not res.changed, res
        assert write_requests(rel.log(service)) == []
        c.scans = 0
    for extra in profile.extra_info:
        if not module_exists(extra):
            pytest.fail("%s is missing: every module of the collection is covered" % extra)
        with case(SUITE, extra, "info in check mode") as c:
            res = rel.run(extra, ctx.params(**profile.extra_info_params(ctx, extra)), check=True)
            assert not res.failed and not res.changed, res
            assert write_requests(rel.log(service)) == []
            if extra in profile.returns:  # cx_token logs in in check mode too: a token the server issued
                assert res.data.get(profile.returns[extra]) in profile.learned(rel), sorted(res.data)
            c.scans = 0

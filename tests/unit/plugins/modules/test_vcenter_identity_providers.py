# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vcenter_identity_providers (set module) and vcenter_identity_provider_info, in-process against the simulator."""

import ast

import yaml

from test_vcenter_support import SECRET, assert_no_secret, stored, vc  # noqa: F401 pylint: disable=unused-import

PROVIDERS = "/api/vcenter/identity/providers"


def entries(vc, *names, **extra):
    out = []
    for index, name in enumerate(names):
        entry = {"name": name, "oidc": vc.oidc(client_id="client-%d" % index), "domain_names": ["%s.example.com" % name]}
        entry.update(extra)
        out.append(entry)
    return out


def keys_and_actions(result):
    return [(r["key"], r["action"]) for r in result["results"]]


# ----------------------------------------------------------------------------- merged
def test_check_mode_creates_many_with_zero_writes_then_the_real_run_matches(vc):
    config = entries(vc, "a", "b", "c")
    predicted = vc.providers(check=True, diff=True, config=config)
    assert predicted["changed"]
    assert keys_and_actions(predicted) == [("a", "created"), ("b", "created"), ("c", "created")]
    assert predicted["msg"] == "identity providers: (check mode) 3 created"
    assert vc.writes(vc.log()) == [] and vc.providers_state() == {}
    real = vc.providers(diff=True, config=config)
    assert keys_and_actions(real) == keys_and_actions(predicted)
    for before, after in zip(predicted["results"], real["results"]):
        assert dict((k, v) for k, v in after["end_state"].items() if k != "provider_id") == before["end_state"]
    assert [r["end_state"]["is_default"] for r in real["results"]] == [True, False, False]
    assert predicted["diff"]["before"] == real["diff"]["before"] == {"a": {}, "b": {}, "c": {}}
    for key in ("a", "b", "c"):
        assert dict((k, v) for k, v in real["diff"]["after"][key].items() if k != "provider_id") == \
            predicted["diff"]["after"][key]
    log = vc.log()
    assert [(e["method"], e["path"]) for e in vc.writes(log)] == [("POST", PROVIDERS)] * 3
    assert [e["path"] for e in log if e["kind"] == "auth"] == ["/api/session", "/api/session"]  # one login, one logout
    assert sorted(p["name"] for p in vc.providers_state().values()) == ["a", "b", "c"]
    assert_no_secret([predicted, real], SECRET)


def test_rerun_is_one_list_and_zero_writes(vc):
    config = entries(vc, "a", "b", "c")
    vc.providers(config=config)
    vc.log()
    again = vc.providers(config=config)
    assert not again["changed"] and {r["action"] for r in again["results"]} == {"unchanged"}
    log = vc.log()
    assert vc.writes(log) == []
    assert [(e["method"], e["path"]) for e in vc.reads(log)] == [("GET", PROVIDERS)]
    assert again["api_calls"] == {"POST": 1, "GET": 1}


def test_rerun_reads_details_only_for_entries_that_need_them(vc):
    config = entries(vc, "a", "b")
    config[1]["upn_claim"] = "upn"
    vc.providers(config=config)
    vc.log()
    again = vc.providers(config=config)
    assert not again["changed"]
    b_id = vc.by_name("b")["id"]
    assert [e["path"] for e in vc.reads(vc.log())] == [PROVIDERS, PROVIDERS + "/" + b_id]


def test_merged_updates_only_what_differs(vc):
    vc.providers(config=entries(vc, "a", "b"))
    vc.log()
    config = entries(vc, "a", "b")
    config[1]["domain_names"] = ["b.example.com", "b2.example.com"]
    result = vc.providers(config=config)
    assert keys_and_actions(result) == [("a", "unchanged"), ("b", "updated")]
    assert result["results"][1]["changed_fields"] == ["domain_names"]
    assert [e["method"] for e in vc.writes(vc.log())] == ["PATCH"]


# ----------------------------------------------------------------------------- overridden / deleted / replaced
def test_overridden_deletes_the_unlisted_except_protected_ones(vc):
    vc.reset({"p1": stored("keep-by-name", is_default=True), "p2": stored("keep-by-id"), "p3": stored("drop"),
              "p4": stored("listed", domain_names=["x.example.com"], upn_claim="upn")})
    config = [{"name": "listed", "domain_names": ["x.example.com"]}]
    check = vc.providers(check=True, state="overridden", protected=["keep-by-name", "p2"], config=config)
    assert vc.writes(vc.log()) == []
    result = vc.providers(state="overridden", protected=["keep-by-name", "p2"], config=config, diff=True)
    assert keys_and_actions(result) == keys_and_actions(check)
    assert keys_and_actions(result) == [("listed", "updated"), ("drop", "deleted")]
    assert result["results"][0]["changed_fields"] == ["upn_claim"]  # replaced semantics: back to acct
    assert set(vc.providers_state()) == {"p1", "p2", "p4"}
    assert vc.providers_state()["p4"]["upn_claim"] == "acct"
    assert result["diff"]["before"]["drop"]["name"] == "drop" and result["diff"]["after"]["drop"] == {}


def test_deleted_with_no_config_deletes_all_but_protected(vc):
    vc.reset({"p1": stored("a"), "p2": stored("b"), "p3": stored("c")})
    result = vc.providers(state="deleted", protected=["b"])
    assert sorted(keys_and_actions(result)) == [("a", "deleted"), ("c", "deleted")]
    assert set(vc.providers_state()) == {"p2"}
    # one list, no details: deleting needs only the ids
    assert [e["path"] for e in vc.reads(vc.log())] == [PROVIDERS]


def test_deleted_listed_protected_one_fails_but_the_others_are_deleted(vc):
    vc.reset({"p1": stored("a"), "p2": stored("b")})
    result = vc.providers(state="deleted", protected=["b"], config=[{"name": "a"}, {"name": "b"}, {"name": "zz"}])
    assert result["failed"] and result["failed_keys"] == ["b"]
    assert keys_and_actions(result) == [("a", "deleted"), ("b", "failed"), ("zz", "unchanged")]
    assert set(vc.providers_state()) == {"p2"}


def test_a_provider_protected_by_id_and_listed_by_name_fails_and_stays(vc):
    vc.reset({"p1": stored("a"), "p2": stored("b")})
    result = vc.providers(state="deleted", protected=["p2"], config=[{"name": "a"}, {"name": "b"}])
    assert result["failed"] and result["failed_keys"] == ["b"]
    assert keys_and_actions(result) == [("a", "deleted"), ("b", "failed")]
    assert "protected" in result["results"][1]["msg"]
    assert set(vc.providers_state()) == {"p2"}


def test_replaced_resets_what_the_entry_leaves_out(vc):
    vc.reset({"p1": stored("a", domain_names=["a.example.com"], org_ids=["o1"], groups_claim="groups",
                           auth_query_params={"prompt": ["login"]})})
    endpoint = vc.providers_state()["p1"]["oidc"]["discovery_endpoint"]
    result = vc.providers(state="replaced", config=[{"name": "a", "oidc": vc.oidc(discovery_endpoint=endpoint)}])
    assert result["changed"]
    assert sorted(result["results"][0]["changed_fields"]) == ["auth_query_params", "domain_names", "groups_claim",
                                                              "org_ids"]
    server = vc.providers_state()["p1"]
    assert server["domain_names"] == [] and server["org_ids"] == [] and server["groups_claim"] == ""
    assert server["auth_query_params"] == {}
    assert not vc.providers(state="replaced", config=[{"name": "a", "oidc": vc.oidc(discovery_endpoint=endpoint)}])[
        "changed"]


# ----------------------------------------------------------------------------- failures
def test_a_failing_item_does_not_hide_the_others(vc):
    vc.providers(config=entries(vc, "a", "b", "c"))
    b_id = vc.by_name("b")["id"]
    vc.fault(method="PATCH", path="^%s/%s$" % (PROVIDERS, b_id), status=400, times=1)
    config = entries(vc, "a", "b", "c", org_ids=["tenant-1"])
    result = vc.providers(config=config)
    assert result["failed"] and result["failed_keys"] == ["b"]
    assert keys_and_actions(result) == [("a", "updated"), ("b", "failed"), ("c", "updated")]
    assert "HTTP 400: INVALID_ARGUMENT: injected fault" in result["results"][1]["msg"]
    assert result["msg"].startswith("1 of 3 identity provider(s) failed: b: vCenter API PATCH")
    state = dict((p["name"], p) for p in vc.providers_state().values())
    assert state["a"]["org_ids"] == ["tenant-1"] and state["c"]["org_ids"] == ["tenant-1"]
    assert state["b"]["org_ids"] == []


def test_an_ambiguous_name_fails_that_item_only(vc):
    vc.reset({"p1": stored("dup"), "p2": stored("dup"), "p3": stored("ok")})
    result = vc.providers(config=[{"name": "dup", "upn_claim": "x"}, {"name": "ok", "upn_claim": "y"}])
    assert result["failed_keys"] == ["dup"]
    assert vc.providers_state()["p3"]["upn_claim"] == "y"


def test_overridden_never_deletes_providers_that_share_a_listed_ambiguous_name(vc):
    vc.reset({"p1": stored("dup"), "p2": stored("dup"), "p3": stored("other")})
    result = vc.providers(state="overridden", config=[{"name": "dup", "upn_claim": "x"}])
    assert result["failed_keys"] == ["dup"]
    assert keys_and_actions(result) == [("dup", "failed"), ("other", "deleted")]
    assert set(vc.providers_state()) == {"p1", "p2"}


def test_duplicate_keys_and_bad_entries_fail_before_any_request(vc):
    vc.log()
    dup = vc.providers(config=[{"name": "a"}, {"name": "a"}])
    assert dup["failed"] and "each name may appear once; repeated: a" in dup["msg"]
    bad = vc.providers(config=[{"name": "a"}, {"name": "b", "domain_names": ["not a domain"]}])
    assert bad["failed"] and "config[1].domain_names[0]" in bad["msg"]
    nokey = vc.providers(config=[{"domain_names": ["a.example.com"]}])
    assert nokey["failed"] and "config[0].name: set name (or provider_id)" in nokey["msg"]
    assert vc.log() == []


# ----------------------------------------------------------------------------- gathered / info
def test_gathered_returns_every_provider_in_option_names(vc):
    vc.reset({"p1": stored("a", is_default=True, upn_claim="upn"), "p2": stored("b")})
    result = vc.providers(state="gathered")
    assert not result["changed"]
    assert [g["name"] for g in result["gathered"]] == ["a", "b"]
    assert result["gathered"][0]["upn_claim"] == "upn"
    assert result["gathered"][0]["oidc"]["client_secret"] == "********"
    assert_no_secret(result, SECRET)
    # what gathered returns can be given back (without the masked secret) and changes nothing
    config = []
    for item in result["gathered"]:
        entry = dict(item)
        entry["oidc"] = dict(item["oidc"], client_secret=SECRET)
        config.append(entry)
    assert not vc.providers(config=config)["changed"]
    masked = vc.providers(config=result["gathered"])
    assert masked["failed"] and "config[0].oidc.client_secret: the value is a mask" in masked["msg"]


def test_info_all_one_by_name_one_by_id(vc):
    created = vc.providers(config=entries(vc, "a", "b"))
    a_id = created["results"][0]["end_state"]["provider_id"]
    vc.log()
    everything = vc.info()
    assert not everything["changed"] and [p["name"] for p in everything["providers"]] == ["a", "b"]
    first = everything["providers"][0]
    assert first["oidc"]["issuer"] == vc.issuer and first["oidc"]["authentication_method"] == "CLIENT_SECRET_BASIC"
    assert first["oidc"]["authentication_header"] == "********" and first["oidc"]["client_secret"] == "********"
    assert everything["msg"] == "2 identity provider(s) found"
    assert [p["provider_id"] for p in vc.info(name="a")["providers"]] == [a_id]
    assert [p["name"] for p in vc.info(provider_id=a_id)["providers"]] == ["a"]
    assert vc.info(provider_id="nope")["providers"] == []
    assert vc.info(check=True)["providers"] == everything["providers"]
    assert vc.writes(vc.log()) == []
    assert_no_secret(everything, SECRET)


# ----------------------------------------------------------------------------- docs written once
def _module_doc(module):
    tree = ast.parse(open(module.__file__).read())
    return yaml.safe_load([n.value.value for n in tree.body
                           if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == "DOCUMENTATION"][0])


def _same_spec(doc, spec, where):
    assert sorted(doc) == sorted(spec), where
    for name, option in spec.items():
        for key in ("type", "elements", "choices", "required", "default"):
            want = option.get(key) if key != "type" else option.get(key, "str")
            have = doc[name].get(key) if key != "type" else doc[name].get(key, "str")
            if key == "required":
                want, have = bool(want), bool(have)
            assert have == want, (where + name, key)
        if option.get("options"):
            _same_spec(doc[name]["suboptions"], option["options"], where + name + ".")


def test_the_provider_options_are_documented_once_for_both_modules():
    from ansible_collections.sso.oidc.plugins.doc_fragments.vcenter import ModuleDocFragment
    from ansible_collections.sso.oidc.plugins.module_utils import _vcenter_resource
    from ansible_collections.sso.oidc.plugins.modules import vcenter_identity_provider, vcenter_identity_providers

    single, many = _module_doc(vcenter_identity_provider), _module_doc(vcenter_identity_providers)
    assert "sso.oidc.vcenter.provider" in single["extends_documentation_fragment"]
    assert "sso.oidc.vcenter.providers" in many["extends_documentation_fragment"]
    # the modules leave the provider options to the fragment (a shallow merge: suboptions written in the
    # module would replace the fragment's)
    assert "suboptions" not in many["options"]["config"] and "oidc" not in single["options"]
    provider = yaml.safe_load(ModuleDocFragment.PROVIDER)["options"]
    config = yaml.safe_load(ModuleDocFragment.PROVIDERS)["options"]["config"]["suboptions"]
    options = _vcenter_resource.resource_options()
    options.pop("update_secret")  # a task option, documented by sso.oidc.update_secret
    _same_spec(provider, options, "")
    _same_spec(config, options, "config[].")
    for name in options:
        # the same text, with the references to a provider's options under config[]
        assert yaml.safe_dump(config[name], width=10 ** 6).replace("O(config[].", "O(").replace(
            "O(state=merged), O(state=replaced) or O(state=overridden)", "O(state=present)") \
            == yaml.safe_dump(provider[name], width=10 ** 6), name

# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/_slashid_resource.py and _slashid_connection.py: normalisation, payloads, validation, errors
(no network)."""

import pytest
from hypothesis import given, strategies as st

from ansible_collections.sso.oidc.plugins.module_utils import _slashid_connection as C, _slashid_resource as S
from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, Response, Scrubber
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import Engine, InputError, ItemFailure, Task

KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----"
APPLE = {"private_key": KEY, "team_id": "ABCDE12345", "key_id": "FGHIJ67890"}


def res():
    return S.SlashIdCredential(None)


def task(state="merged", **kwargs):
    return Task(state=state, **kwargs)


def entry(**values):
    """A module entry as AnsibleModule hands it over: every option present, unset ones None."""
    out = dict((name, None) for name in S.resource_options())
    out.update(update_secret="on_create", recreate=False)
    options = values.pop("options", None)
    if options is not None:
        full = dict((prov, None) for prov in S.PROVIDERS)
        for prov, sub in options.items():
            spec = S.provider_options()[prov]["options"]
            full[prov] = dict((name, sub.get(name)) for name in spec)
        out["options"] = full
    out.update(values)
    return out


# ----------------------------------------------------------------------------- durations and scopes
@pytest.mark.parametrize("text,seconds", [
    ("720h", 2592000), ("720h0m0s", 2592000), ("1h30m", 5400), ("90m", 5400), ("300s", 300), ("5m", 300),
    ("1.5h", 5400), ("2h45m30.5s", 9930.5), ("0", 0), ("1500ms", 1.5), ("-5m", -300), (".5h", 1800),
])
def test_parse_duration(text, seconds):
    assert S.parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "30d", "5", "h", "1h 30m", "1.2.3s", "m5", None, 300])
def test_parse_duration_refuses(text):
    assert S.parse_duration(text) is None


@pytest.mark.parametrize("seconds,text", [
    (2592000, "720h0m0s"), (300, "5m0s"), (5400, "1h30m0s"), (15777000, "4382h30m0s"), (90.5, "1m30.5s"),
    (1, "1s"), (0, "0s"), (-300, "-5m0s"),
])
def test_format_duration_is_gos(seconds, text):
    assert S.format_duration(seconds) == text


@given(st.integers(min_value=S.MIN_LIFETIME, max_value=S.MAX_LIFETIME))
def test_duration_round_trip(seconds):
    assert S.parse_duration(S.format_duration(seconds)) == seconds
    assert S.canonical_duration("%ds" % seconds) == S.format_duration(seconds)


def test_effective_scopes():
    assert S.effective_scopes("google", None) == ["openid", "email", "profile"]
    assert S.effective_scopes("google", ["z", "email", "a b", "a"]) == ["openid", "email", "profile", "a", "b", "z"]
    assert S.effective_scopes("azuread", []) == ["openid", "email", "profile", "User.Read"]
    # a server that answers the documented default as one string instead of an array
    assert S.effective_scopes("github", "read:user,user:email") == ["read:user", "user:email"]


@given(st.lists(st.sampled_from(["openid", "email", "drive", "x:y", "User.Read", "a"]), max_size=8))
def test_effective_scopes_ignore_order_and_duplicates(scopes):
    assert S.effective_scopes("google", scopes) == S.effective_scopes("google", list(reversed(scopes)) + scopes)


# ----------------------------------------------------------------------------- normalize / desired
def test_normalize_fills_every_default():
    canon = res().normalize(task(), {"client_id": "c", "provider": "okta"})
    assert canon == {"client_id": "c", "provider": "okta", "label": "", "external_cred_id": "",
                     "enable_in_slashid_oidc_authz_server": False,
                     "options": {"okta": {"authorize_scopes": ["openid", "email", "profile"], "organization_url": ""}}}


def test_normalize_is_the_same_with_or_without_server_defaults():
    bare = {"client_id": "c", "provider": "azuread"}
    filled = {"client_id": "c", "provider": "azuread", "label": "", "enable_in_slashid_oidc_authz_server": False,
              "options": {"azuread": {"authorize_scopes": ["openid", "email", "profile", "User.Read"],
                                      "tenant": "common"},
                          "google": {"authorize_scopes": ["openid", "email", "profile"]}}}
    assert res().normalize(task(), bare) == res().normalize(task(), filled)


def test_normalize_apple_keeps_the_key_out_and_registers_it():
    seen = []
    resource, ctx = res(), task(add_secret=seen.append)
    raw = {"client_id": "c", "provider": "apple", "external_cred": "old-ext",
           "options": {"apple": dict(APPLE, secret_lifetime="24h")}}
    canon = resource.normalize(ctx, raw)
    assert canon["options"]["apple"] == {"authorize_scopes": ["openid", "email", "name"], "team_id": "ABCDE12345",
                                         "key_id": "FGHIJ67890", "secret_lifetime": "24h0m0s"}
    assert canon["external_cred_id"] == "old-ext"
    assert seen == [KEY]
    for shown in ("", MASK, None):
        seen[:] = []
        raw["options"]["apple"]["private_key"] = shown
        assert resource.normalize(ctx, raw)["options"]["apple"]["secret_lifetime"] == "24h0m0s"
        assert seen == []


def test_desired_keeps_only_what_is_set():
    want = res().desired(task(), entry(client_id="c", label="", options={"google": {"authorize_scopes": ["drive"]}}))
    assert want == {"client_id": "c", "label": "", "options": {"google": {"authorize_scopes": [
        "openid", "email", "profile", "drive"]}}}
    assert res().desired(task(), entry(client_id="c")) == {"client_id": "c"}
    apple = res().desired(task(), entry(client_id="c", options={"apple": dict(APPLE, secret_lifetime="1440m")}))
    assert apple["options"]["apple"]["secret_lifetime"] == "24h0m0s"


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("values,state,fragment", [
    ({"client_id": ""}, "merged", "client_id: required"),
    ({"client_id": "x "}, "merged", "blanks"),
    ({"client_secret": "abc"}, "merged", "client_secret: too short"),
    ({"provider": "google", "options": {"github": {}}}, "merged", "options.github: does not apply to provider google"),
    ({"options": {"google": {}, "okta": {}}}, "merged", "one provider only"),
    ({"options": {"apple": {"team_id": "ABCDE12345"}}}, "merged", "private_key, key_id: required"),
    ({"options": {"apple": dict(APPLE, key_id="K")}}, "merged", "key_id"),
    ({"options": {"apple": dict(APPLE, private_key="secret")}}, "merged", "not a PEM private key"),
    ({"options": {"apple": dict(APPLE, secret_lifetime="4383h")}}, "merged", "out of range"),
    ({"options": {"apple": dict(APPLE, secret_lifetime="299s")}}, "merged", "out of range"),
    ({"options": {"apple": dict(APPLE, secret_lifetime="forever")}}, "merged", "not a Go duration"),
    ({"options": {"google": {"authorize_scopes": [" "]}}}, "merged", "empty scope"),
])
def test_validate_refuses(values, state, fragment):
    values.setdefault("client_id", "c")
    with pytest.raises(InputError) as err:
        res().validate(task(state), entry(**values), "config[2].")
    assert fragment in str(err.value)
    assert str(err.value).startswith("config[2].")
    assert KEY not in str(err.value)


def test_validate_accepts_and_deleted_only_needs_the_key():
    res().validate(task(), entry(client_id="c", provider="apple", options={"apple": dict(APPLE, secret_lifetime="5m")}),
                   "")
    res().validate(task("deleted"), entry(client_id="c", client_secret="abc", options={"google": {}, "okta": {}}), "")


# ----------------------------------------------------------------------------- compare, payloads, predict
def item(raw):
    return {"raw": raw, "canon": res().normalize(task(), raw)}


def test_merged_compares_only_what_is_set_and_replaced_everything():
    have = item({"client_id": "c", "provider": "azuread", "label": "l",
                 "options": {"azuread": {"tenant": "contoso"}}})
    want = {"client_id": "c", "options": {"azuread": {"authorize_scopes": S.effective_scopes("azuread", [])}}}
    resource = res()
    assert resource.equal(task("merged"), "options", want["options"], have["canon"]["options"], have)
    replaced = task("replaced")
    assert not resource.equal(replaced, "options", want["options"], have["canon"]["options"], have)
    assert not resource.equal(replaced, "options", {}, have["canon"]["options"], have)
    assert resource.equal(replaced, "label", "", "", have) and not resource.equal(replaced, "label", "", "l", have)


def test_private_key_compared_only_when_shown():
    raw = {"client_id": "c", "provider": "apple", "options": {"apple": dict(APPLE, secret_lifetime="720h")}}
    want = {"apple": dict(S.provider_defaults("apple"), **APPLE)}
    resource, ctx = res(), task()
    current = item(raw)
    assert resource.equal(ctx, "options", want, current["canon"]["options"], current)
    other = {"apple": dict(want["apple"], private_key=KEY.replace("MIGH", "XXXX"))}
    assert not resource.equal(ctx, "options", other, current["canon"]["options"], current)
    raw["options"]["apple"]["private_key"] = ""
    current = item(raw)
    assert resource.equal(ctx, "options", other, current["canon"]["options"], current)
    crlf = {"apple": dict(want["apple"], private_key=KEY.replace("\n", "\r\n") + "\n")}
    raw["options"]["apple"]["private_key"] = KEY
    current = item(raw)
    assert resource.equal(ctx, "options", crlf, current["canon"]["options"], current)


def test_create_payload_and_mask():
    resource, ctx = res(), task()
    values = entry(client_id="c", client_secret="s3cret", provider="apple", label="L", external_cred_id="",
                   options={"apple": APPLE})
    want = resource.desired(ctx, values)
    payload = resource.create_payload(ctx, want, resource.given(ctx, values))
    assert payload == {"client_id": "c", "client_secret": "s3cret", "provider": "apple", "label": "L",
                       "options": {"apple": dict(APPLE, secret_lifetime="720h0m0s")}}
    masked = resource.mask_payload(payload)
    assert masked["client_secret"] == MASK and masked["options"]["apple"]["private_key"] == MASK
    assert payload["client_secret"] == "s3cret"  # the payload itself is untouched
    assert resource.predict(ctx, None, want, sorted(want), payload) == {
        "client_id": "c", "provider": "apple", "label": "L", "external_cred_id": "",
        "enable_in_slashid_oidc_authz_server": False,
        "options": {"apple": {"authorize_scopes": ["openid", "email", "name"], "team_id": "ABCDE12345",
                              "key_id": "FGHIJ67890", "secret_lifetime": "720h0m0s"}}}


def test_update_payload_sends_whole_provider_objects_and_secrets_only_when_asked():
    have = item({"client_id": "c", "provider": "okta", "label": "old",
                 "options": {"okta": {"organization_url": "https://o.example"}}})
    resource, ctx = res(), task()
    values = entry(client_id="c", client_secret="s3cret", label="new", options={"okta": {"authorize_scopes": ["groups"]}})
    want, given = resource.desired(ctx, values), resource.given(ctx, values)
    changed = Engine(resource, ctx).differences(have, want)
    assert changed == ["label", "options"]
    payload = resource.update_payload(ctx, have, want, changed, given)
    assert payload == {
        "label": "new",
        "options": {"okta": {"authorize_scopes": ["groups"], "organization_url": "https://o.example"}}}
    always = task(update_secret="always")
    changed_always = Engine(resource, always).differences(have, want)
    assert "client_secret" in changed_always
    assert resource.update_payload(always, have, want, changed_always, given)["client_secret"] == "s3cret"
    assert resource.predict(ctx, have, want, changed, payload)["options"]["okta"] == {
        "authorize_scopes": ["openid", "email", "profile", "groups"], "organization_url": "https://o.example"}


def test_apple_update_without_a_key_fails_clearly():
    apple = dict(APPLE, private_key="", secret_lifetime="24h")
    have = item({"client_id": "c", "provider": "apple", "options": {"apple": apple}})
    with pytest.raises(ItemFailure) as err:
        res().update_payload(task("replaced"), have, {"client_id": "c", "options": {}}, ["options"], {"client_id": "c"})
    assert "private_key" in str(err.value)
    assert err.value.option == "options.apple.private_key"


def test_recreate_needed():
    have = item({"client_id": "c", "provider": "google"})
    assert res().recreate_needed(task(), have, {"provider": "github"}) == ["provider"]
    assert res().recreate_needed(task(), have, {"provider": "google"}) == []
    assert res().recreate_needed(task(), have, {}) == []


def test_write_headers():
    assert C.SlashIdConnection(None).write_headers() == {"SlashID-Required-Consistency": None,
                                                         "SlashID-Required-Consistency-Timeout": None}
    assert C.SlashIdConnection(None, consistency="all_regions", consistency_timeout=5).write_headers() == {
        "SlashID-Required-Consistency": "all_regions", "SlashID-Required-Consistency-Timeout": "5"}


def test_path_is_url_encoded():
    assert S.path("a/b c%") == S.COLLECTION_PATH + "/a%2Fb%20c%25"
    assert S.path() == S.COLLECTION_PATH


# ----------------------------------------------------------------------------- errors
def response(status, text, ctype="application/json"):
    return Response(status, {"Content-Type": ctype}, text)


def test_error_envelope():
    text, code = C.parse_error(response(400, '{"meta": {}, "errors": [{"httpcode": 400, "message": "bad label"},'
                                             ' {"httpcode": 400, "message": "bad tenant"}]}'))
    assert text == "bad label; bad tenant" and code == 400


def test_error_401_and_403_hints():
    text, _code = C.parse_error(response(401, '{"errors": [{"httpcode": 401, "message": "unauthorized"}]}'))
    assert text.startswith("unauthorized. Check api_key (SLASHID_API_KEY) and org_id (SLASHID_ORG_ID)")
    text, _code = C.parse_error(response(403, '{"errors": [{"message": "forbidden"}]}'))
    assert "admin role" in text


def test_error_non_json_404_points_at_the_url():
    text, code = C.parse_error(response(404, "404 page not found\n", "text/plain"))
    assert "404 page not found" in text and "api_url" in text and code is None
    text, _code = C.parse_error(response(502, "<html><title>Bad gateway</title></html>", "text/html"))
    assert "HTML page: Bad gateway" in text


def test_error_json_without_envelope():
    text, _code = C.parse_error(response(500, '{"message": "boom"}'))
    assert text == "boom"


# ----------------------------------------------------------------------------- client factory
class FakeModule(object):
    """Just what connect reads from an SsoModule."""

    def __init__(self, **params):
        self.params = dict(org_id="org", api_key="key-12345", api_url=C.DEFAULT_API_URL, validate_certs=True,
                           ca_path=None, timeout=30, consistency=None, consistency_timeout=None)
        self.params.update(params)
        self.scrub = Scrubber()
        self.clients, self.closers = [], []

    def warn(self, msg):
        pass

    def register_client(self, client):
        self.clients.append(client)

    def on_close(self, fn):
        self.closers.append(fn)

    def add_secret(self, value):
        self.scrub.add(value)


@pytest.mark.parametrize("params,fragment", [
    ({"org_id": None}, "SLASHID_ORG_ID"),
    ({"api_key": ""}, "SLASHID_API_KEY"),
    ({"api_url": "ftp://x"}, "api_url"),
    ({"consistency_timeout": 0}, "1 to 120"),
    ({"consistency_timeout": 121}, "1 to 120"),
    ({"timeout": 0}, "timeout"),
])
def test_connect_refuses(params, fragment):
    with pytest.raises(InputError) as err:
        C.connect(FakeModule(**params))
    assert fragment in str(err.value)


def test_connect_sends_the_auth_headers_and_registers():
    sm = FakeModule(api_url="https://api.sandbox.slashid.com/", consistency="all_regions", consistency_timeout=7)
    conn = C.connect(sm)
    client = conn.client
    assert conn.write_headers() == {"SlashID-Required-Consistency": "all_regions",
                                    "SlashID-Required-Consistency-Timeout": "7"}
    assert client.base_url == "https://api.sandbox.slashid.com"
    assert client.headers["SlashID-OrgID"] == "org" and client.headers["SlashID-API-Key"] == "key-12345"
    assert sm.clients == [client] and sm.closers == [client.close]
    assert client.total_requests() == 0


def test_argument_specs():
    cred = S.SINGLE.module_spec()["argument_spec"]
    assert cred["api_key"]["no_log"] and cred["client_secret"]["no_log"]
    assert cred["options"]["options"]["apple"]["options"]["private_key"]["no_log"]
    creds = S.SET.module_spec()["argument_spec"]
    assert creds["config"]["options"]["options"]["options"]["apple"]["options"]["private_key"]["no_log"]
    assert "update_secret" not in creds["config"]["options"] and creds["update_secret"]["no_log"] is False
    assert creds["config"]["options"]["recreate"]["default"] is False
    info = S.INFO.module_spec()["argument_spec"]
    assert info["provider"]["choices"] == S.PROVIDERS and "state" not in info

# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oidc_discovery_info against the real OpenID provider of the harness and the discovery simulator.

Every test runs the module's main() over real HTTPS and reads the simulator's
request log, so the checks, the retries and the request counts are the real ones.
"""

import json
import ssl
import urllib.request

import pytest

from ansible.module_utils.common import warnings as ansible_warnings

from ansible_collections.sso.oidc.plugins.module_utils import _oidc
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import InputError
from ansible_collections.sso.oidc.plugins.modules import oidc_discovery_info

from conftest import run_module as run_main
from simulators.base import SimServer
from simulators.discovery import DiscoverySim


@pytest.fixture(autouse=True)
def _clean_warnings():
    ansible_warnings._global_warnings.clear()
    yield
    ansible_warnings._global_warnings.clear()


@pytest.fixture
def disco(sim_api):
    sim_api.reset("discovery")
    return sim_api


def run_module(capsys, args, check_mode=False):
    return run_main(capsys, oidc_discovery_info, args, check=check_mode)


def issuer(sim_env, name):
    return sim_env["discovery"]["issuers"][name]


def checks(result, severity=None):
    return sorted(set(f["check"] for f in result["findings"] if severity in (None, f["severity"])))


def fetch_json(sim, url):
    with urllib.request.urlopen(url, context=sim.pki.client_context(), timeout=10) as resp:
        return json.loads(resp.read().decode())


def reads(sim_api, name="discovery"):
    return [(r["method"], r["path"], r["status"]) for r in sim_api.requests(name)]


# --------------------------------------------------------------------------- the real OpenID provider
class TestRealProvider:
    def test_usable(self, capsys, sim, sim_env):
        oidc = sim_env["oidc"]
        res = run_module(capsys, {"issuer": oidc["issuer"], "ca_path": sim_env["ca_path"],
                                  "expected_scopes": oidc["scopes"]})
        assert res["_rc"] == 0, res
        assert not res.get("failed") and res["changed"] is False and res["usable"] is True
        assert res["problems"] == [] and res["findings"] == [] and res["warnings"] == []
        served = fetch_json(sim, oidc["discovery_url"])
        assert res["configuration"] == served
        jwks = fetch_json(sim, served["jwks_uri"])
        assert res["jwks_key_count"] == len(jwks["keys"]) >= 1
        assert res["signing_key_count"] == len(jwks["keys"])
        assert [k["kid"] for k in res["jwks_keys"]] == [k["kid"] for k in jwks["keys"]]
        assert all("n" not in k and "e" not in k for k in res["jwks_keys"])  # a summary, not key material
        assert res["api_calls"] == {"GET": 2}
        assert res["discovery_url"] == oidc["discovery_url"]
        assert "is usable (1 signing key(s))" in res["msg"]

    def test_check_mode_is_the_same_read(self, capsys, sim_env):
        oidc = sim_env["oidc"]
        args = {"issuer": oidc["issuer"], "ca_path": sim_env["ca_path"]}
        normal = run_module(capsys, args)
        checked = run_module(capsys, args, check_mode=True)
        for key in ("usable", "configuration", "jwks_key_count", "problems", "api_calls", "changed"):
            assert checked[key] == normal[key]

    def test_expected_scope_missing_fails(self, capsys, sim_env):
        oidc = sim_env["oidc"]
        res = run_module(capsys, {"issuer": oidc["issuer"], "ca_path": sim_env["ca_path"],
                                  "expected_scopes": ["openid", "groups", "roles"]})
        assert res["_rc"] == 1 and res["failed"] and res["usable"] is False
        assert checks(res) == ["scopes"]
        assert "expected scopes groups, roles are not in scopes_supported" in res["msg"]
        assert res["configuration"]["issuer"] == oidc["issuer"]  # still returned on failure

    def test_fetch_jwks_false_reads_once(self, capsys, sim_env):
        res = run_module(capsys, {"issuer": sim_env["oidc"]["issuer"], "ca_path": sim_env["ca_path"],
                                  "fetch_jwks": False})
        assert res["_rc"] == 0 and res["usable"]
        assert res["api_calls"] == {"GET": 1}
        assert res["jwks_key_count"] is None and res["signing_key_count"] is None and res["jwks_keys"] == []
        assert "JWKS not checked" in res["msg"]

    def test_untrusted_without_ca_path(self, capsys, sim_env):
        res = run_module(capsys, {"issuer": sim_env["oidc"]["issuer"]})
        assert res["_rc"] == 1 and res["usable"] is False
        assert checks(res) == ["discovery"]
        assert "TLS verification failed" in res["msg"] and "ca_path" in res["msg"] and "validate_certs" in res["msg"]
        assert "Traceback" not in res["msg"]
        assert res["api_calls"] == {"GET": 1}  # TLS errors are never retried

    def test_validate_certs_false(self, capsys, sim_env):
        res = run_module(capsys, {"issuer": sim_env["oidc"]["issuer"], "validate_certs": False})
        assert res["_rc"] == 0 and res["usable"], res

    def test_wrong_issuer_spelling_trailing_slash(self, capsys, sim_env):
        res = run_module(capsys, {"issuer": sim_env["oidc"]["issuer"] + "/", "ca_path": sim_env["ca_path"]})
        assert res["_rc"] == 1 and checks(res) == ["issuer"]
        assert "differ only by a trailing slash" in res["msg"]
        assert res["discovery_url"] == sim_env["oidc"]["discovery_url"]  # the slash is removed before the suffix


# --------------------------------------------------------------------------- the broken issuers
BROKEN = [
    # name, failing checks, text in msg
    ("mismatch", ["issuer"], "the document names the issuer"),
    ("trailing-slash", ["issuer"], "differ only by a trailing slash"),
    ("no-jwks", ["required_metadata"], "required metadata missing: jwks_uri"),
    ("empty-jwks", ["jwks"], "holds no keys"),
    ("enc-only-jwks", ["jwks"], "none that can verify ID token signatures (sim-ec-enc-1: it is marked use=enc)"),
    ("private-jwks", ["jwks"], "publishes private key material (d) of key sim-rsa-1"),
    ("jwks-unreachable", ["jwks"], "could not be read: OIDC discovery API GET /keys-moved failed: HTTP 404"),
    ("jwks-not-json", ["jwks"], "is not JSON: non-JSON response (HTML page: Login)"),
    ("http-endpoints", ["endpoints"], "token_endpoint uses plain http"),
    ("http-remote", ["endpoints"], "token_endpoint uses plain http (http://idp.example.com/token)"),
    ("not-json", ["discovery"], "is not JSON: non-JSON response (HTML page: Example Corp Login)"),
    ("not-object", ["discovery"], "is JSON but not an object (it is an array)"),
    ("no-openid-scope", ["scopes"], "does not include openid"),
    ("missing-required", ["required_metadata"],
     "required metadata missing: token_endpoint, subject_types_supported, id_token_signing_alg_values_supported"),
    ("bad-types", ["endpoints", "metadata_type"], "response_types_supported must be a JSON array of strings"),
    ("no-code-flow", ["response_types"], "does not include code"),
    ("alg-none", ["signing_algorithms"], "offers only none"),
    ("redirect", ["discovery"], "answers HTTP 302 with a redirect to"),
    ("unknown-issuer", ["discovery"], "could not be read: OIDC discovery API GET /.well-known/openid-configuration "
                                      "failed: HTTP 404: non-JSON response (HTML page: 404 Not Found)"),
]


@pytest.mark.parametrize("name,failing,text", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_issuer_fails(capsys, sim, sim_env, disco, name, failing, text):
    url = sim_env["discovery"]["url"] + "/" + name
    res = run_module(capsys, {"issuer": url, "ca_path": sim_env["ca_path"]})
    assert res["_rc"] == 1 and res["failed"] is True and res["usable"] is False, res
    assert checks(res, "error") == failing, res["findings"]
    assert text in res["msg"], res["msg"]
    assert res["msg"].startswith("The OpenID provider %s is not usable: " % url)
    assert res["problems"] == [f["message"] for f in res["findings"]]
    assert res["changed"] is False
    log = reads(disco)
    assert all(method == "GET" for method, _p, _s in log)
    assert disco.summary("discovery")["write"] == 0
    # exactly one read of the document, one more of the JWKS when the document names a usable jwks_uri
    assert log[0][1] == "/%s/.well-known/openid-configuration" % name
    assert res["api_calls"] == {"GET": len(log)}


def test_good_issuer_and_its_log(capsys, sim_env, disco):
    url = issuer(sim_env, "good")
    res = run_module(capsys, {"issuer": url, "ca_path": sim_env["ca_path"],
                              "expected_scopes": ["openid", "email", "offline_access"]})
    assert res["_rc"] == 0 and res["usable"] and res["problems"] == []
    assert res["jwks_key_count"] == 2 and res["signing_key_count"] == 1
    sig, enc = res["jwks_keys"]
    assert sig == {"kid": "sim-rsa-1", "kty": "RSA", "use": "sig", "alg": "RS256", "signing": True,
                   "algorithms": ["RS256"]}
    assert enc["signing"] is False and enc["reason"] == "it is marked use=enc" and enc["crv"] == "P-256"
    assert reads(disco) == [("GET", "/good/.well-known/openid-configuration", 200), ("GET", "/good/jwks", 200)]


def test_no_scopes_is_a_warning(capsys, sim_env, disco):
    url = issuer(sim_env, "no-scopes")
    quiet = run_module(capsys, {"issuer": url, "ca_path": sim_env["ca_path"]})
    assert quiet["_rc"] == 0 and quiet["problems"] == [] and quiet["warnings"] == []
    res = run_module(capsys, {"issuer": url, "ca_path": sim_env["ca_path"], "expected_scopes": ["groups"]})
    assert res["_rc"] == 0 and res["usable"] is True
    assert [f["severity"] for f in res["findings"]] == ["warning"]
    assert "does not list scopes_supported" in res["problems"][0]
    assert res["warnings"] == ["%s: %s" % (url, res["problems"][0])]
    assert "1 warning(s)" in res["msg"]


def test_alg_mismatch_is_a_warning(capsys, sim_env, disco):
    res = run_module(capsys, {"issuer": issuer(sim_env, "alg-mismatch"), "ca_path": sim_env["ca_path"]})
    assert res["_rc"] == 0 and res["usable"]
    assert res["findings"] == [{"check": "jwks", "severity": "warning", "message":
                                "no signing key in the JWKS fits the advertised ID token algorithms (RS256); "
                                "the keys fit ES256"}]


def test_http_endpoints_allowed_on_loopback(capsys, sim_env, disco):
    res = run_module(capsys, {"issuer": issuer(sim_env, "http-endpoints"), "ca_path": sim_env["ca_path"],
                              "allow_http": True})
    assert res["_rc"] == 0 and res["usable"] and res["problems"] == []
    remote = run_module(capsys, {"issuer": issuer(sim_env, "http-remote"), "ca_path": sim_env["ca_path"],
                                 "allow_http": True})
    assert remote["_rc"] == 1 and checks(remote) == ["endpoints"]
    assert "accepts plain http only for loopback addresses, and idp.example.com is not one" in remote["msg"]


def test_http_endpoints_hint_allow_http(capsys, sim_env, disco):
    res = run_module(capsys, {"issuer": issuer(sim_env, "http-endpoints"), "ca_path": sim_env["ca_path"]})
    assert res["_rc"] == 1
    assert [f["message"].split(" ")[0] for f in res["findings"]] == [
        "authorization_endpoint", "token_endpoint", "userinfo_endpoint"]
    assert all("set allow_http=true" in p for p in res["problems"])


def test_unusable_jwks_uri_is_not_fetched(capsys, sim_env, disco):
    disco._call("discovery", "POST", "/seed", {"issuers": {"plain-jwks": {
        "document": {"jwks_uri": "http://idp.example.com/jwks"}}}})
    res = run_module(capsys, {"issuer": issuer(sim_env, "good").replace("/good", "/plain-jwks"),
                              "ca_path": sim_env["ca_path"]})
    assert res["_rc"] == 1 and checks(res) == ["endpoints"]
    assert res["api_calls"] == {"GET": 1} and res["jwks_key_count"] is None
    assert reads(disco) == [("GET", "/plain-jwks/.well-known/openid-configuration", 200)]


def test_seeded_keys_and_aliases(capsys, sim_env, disco):
    from simulators.discovery import keys
    k = keys()
    rsa_no_kid = dict(k["sig"])
    del rsa_no_kid["kid"]
    disco._call("discovery", "POST", "/seed", {"issuers": {"custom": {
        "document": {"id_token_signing_alg_values_supported": ["ES256", "RS256"],
                     "mtls_endpoint_aliases": {"token_endpoint": "http://mtls.example.com/token"}},
        "jwks": {"keys": [k["ec_sig"], dict(k["ec_sig"]), rsa_no_kid,
                          dict(k["sig"], kid="ops", key_ops=["encrypt"]),
                          {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"}]}}}})
    res = run_module(capsys, {"issuer": sim_env["discovery"]["url"] + "/custom", "ca_path": sim_env["ca_path"]})
    assert res["_rc"] == 1
    errors = [f["message"] for f in res["findings"] if f["severity"] == "error"]
    warnings = [f["message"] for f in res["findings"] if f["severity"] == "warning"]
    assert errors[0].startswith("mtls_endpoint_aliases.token_endpoint uses plain http")
    assert any("publishes private key material (k) of key hmac" in e for e in errors)
    assert any("signing keys share a kid (sim-ec-sig-1)" in w for w in warnings)
    assert any("not all have a kid" in w for w in warnings)
    assert res["jwks_key_count"] == 5 and res["signing_key_count"] == 3
    reasons = dict((s["kid"], s.get("reason")) for s in res["jwks_keys"])
    assert reasons["ops"] == "its key_ops do not include verify"
    assert reasons["hmac"].startswith("key type oct is not a public signature key type")


def test_missing_issuer_is_reported_once(capsys, sim_env, disco):
    disco._call("discovery", "POST", "/seed", {"issuers": {"anonymous": {"remove": ["issuer"]}}})
    res = run_module(capsys, {"issuer": sim_env["discovery"]["url"] + "/anonymous", "ca_path": sim_env["ca_path"]})
    assert res["_rc"] == 1
    assert res["findings"] == [{"check": "required_metadata", "severity": "error",
                                "message": "required metadata missing: issuer"}]


def test_transient_503_is_retried(capsys, sim_env, disco):
    disco.fault("discovery", path="/good/.well-known", status=503, retry_after=0, times=2)
    res = run_module(capsys, {"issuer": issuer(sim_env, "good"), "ca_path": sim_env["ca_path"]})
    assert res["_rc"] == 0 and res["usable"]
    assert res["api_calls"] == {"GET": 4}
    assert [s for _m, _p, s in reads(disco)] == [503, 503, 200, 200]
    assert len([w for w in res["warnings"] if "HTTP 503; retrying" in w]) == 2


def test_timeout_is_clear(capsys, sim_env, disco):
    disco.fault("discovery", path="/good/jwks", delay=2.5, times=1)
    res = run_module(capsys, {"issuer": issuer(sim_env, "good"), "ca_path": sim_env["ca_path"], "timeout": 1})
    assert res["_rc"] == 1 and checks(res) == ["jwks"]
    assert "no answer within timeout=1s" in res["msg"]


# --------------------------------------------------------------------------- plain http issuers
@pytest.fixture(scope="module")
def plain_http():
    app = DiscoverySim()
    server = SimServer(app).start()
    app.url = server.url
    try:
        yield app
    finally:
        server.stop()


def test_http_issuer_needs_allow_http(capsys, plain_http):
    url = plain_http.url + "/good"
    assert url.startswith("http://127.0.0.1:")
    plain_http.requests = []
    res = run_module(capsys, {"issuer": url})
    assert res["_rc"] == 1 and "uses plain http" in res["msg"] and "allow_http=true" in res["msg"]
    assert plain_http.requests == []  # refused before any request
    ok = run_module(capsys, {"issuer": url, "allow_http": True})
    assert ok["_rc"] == 0 and ok["usable"] and ok["signing_key_count"] == 1, ok
    assert [r["path"] for r in plain_http.requests] == ["/good/.well-known/openid-configuration", "/good/jwks"]


# --------------------------------------------------------------------------- input validation (no network)
INVALID = [
    ({"issuer": "idp.example.com"}, "issuer: 'idp.example.com' is not an https URL"),
    ({"issuer": "ftp://idp.example.com"}, "is not an https URL"),
    ({"issuer": "https://idp.example.com?tenant=1"}, "has a query or fragment"),
    ({"issuer": "https://idp.example.com/#x"}, "has a query or fragment"),
    ({"issuer": "https://user:pw@idp.example.com"}, "issuer: the value carries a user name or password"),
    ({"issuer": "https://idp.example.com:99999"}, "is not a valid URL"),
    ({"issuer": " https://idp.example.com"}, "contains white space"),
    ({"issuer": ""}, "give the issuer URL"),
    ({"issuer": "http://idp.example.com"}, "uses plain http; OpenID providers must use https"),
    ({"issuer": "http://idp.example.com", "allow_http": True}, "idp.example.com is not one"),
    ({"issuer": "https://idp.example.com", "expected_scopes": ["openid", "profile email"]},
     "expected_scopes[1]: 'profile email' contains white space"),
    ({"issuer": "https://idp.example.com", "expected_scopes": [""]}, "expected_scopes[0]: a scope must be"),
    ({"issuer": "https://idp.example.com", "timeout": 0}, "timeout: must be a positive number"),
]


@pytest.mark.parametrize("args,text", INVALID, ids=[str(i) for i in range(len(INVALID))])
def test_invalid_input_fails_before_any_request(capsys, args, text):
    res = run_module(capsys, args)
    assert res["_rc"] == 1 and text in res["msg"], res["msg"]
    assert "api_calls" not in res  # no client was ever used


def test_missing_issuer_is_an_argument_error(capsys):
    res = run_module(capsys, {})
    assert res["_rc"] == 1 and "missing required arguments: issuer" in res["msg"]


# --------------------------------------------------------------------------- pure functions
@pytest.mark.parametrize("host,expected", [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("LOCALHOST.", True), ("10.0.0.1", False), ("localhost.example.com", False), ("", False), (None, False),
])
def test_is_loopback(host, expected):
    assert _oidc.is_loopback(host) is expected


@pytest.mark.parametrize("given,url", [
    ("https://idp.example.com", "https://idp.example.com/.well-known/openid-configuration"),
    ("https://idp.example.com/", "https://idp.example.com/.well-known/openid-configuration"),
    ("https://idp.example.com/realms/corp", "https://idp.example.com/realms/corp/.well-known/openid-configuration"),
])
def test_discovery_url(given, url):
    assert _oidc.discovery_url(given) == url


@pytest.mark.parametrize("key,signing,algorithms,reason", [
    ({"kty": "RSA", "n": "x", "e": "AQAB"}, True, sorted(_oidc._RSA_ALGS), None),
    ({"kty": "RSA", "n": "x", "e": "AQAB", "alg": "PS256", "key_ops": ["verify"]}, True, ["PS256"], None),
    ({"kty": "RSA", "n": "x", "e": "AQAB", "alg": "ES256"}, False, [], "no signature algorithm fits RSA with alg ES256"),
    ({"kty": "RSA", "e": "AQAB"}, False, [], "it lacks n"),
    ({"kty": "EC", "crv": "P-384", "x": "a", "y": "b"}, True, ["ES384"], None),
    ({"kty": "EC", "crv": "P-999", "x": "a", "y": "b"}, False, [], "no signature algorithm fits EC curve P-999"),
    ({"kty": "OKP", "crv": "Ed25519", "x": "a"}, True, ["Ed25519", "EdDSA"], None),
    ({"kty": "OKP", "crv": "X25519", "x": "a", "use": "enc"}, False, [], "it is marked use=enc"),
    ({"kty": "RSA", "n": "x", "e": "AQAB", "key_ops": "verify"}, False, [], "its key_ops do not include verify"),
    ("not-a-key", False, [], "not a JSON object"),
])
def test_key_summary(key, signing, algorithms, reason):
    out = _oidc.key_summary(key)
    assert out["signing"] is signing and out["algorithms"] == algorithms
    assert out.get("reason") == reason


def test_validate_params_accepts_good_input():
    _oidc.validate_params({"issuer": "https://idp.example.com/realms/x", "expected_scopes": ["openid"], "timeout": 5})
    _oidc.validate_params({"issuer": "http://[::1]:8080", "allow_http": True})
    with pytest.raises(InputError):
        _oidc.validate_params({"issuer": "http://[::1]:8080"})


def test_argument_spec_matches_interface():
    spec = _oidc.argument_spec()
    assert sorted(spec) == ["allow_http", "ca_path", "expected_scopes", "fetch_jwks", "issuer", "timeout",
                            "validate_certs"]
    assert spec["fetch_jwks"]["default"] is True and spec["allow_http"]["default"] is False
    assert spec["issuer"]["required"] is True


def test_ssl_context_of_the_harness_is_used(sim):
    # guard for the tests above: the harness CA is not in the system store
    with pytest.raises(urllib.request.URLError) as exc:
        urllib.request.urlopen(sim.oidc.issuer + "/.well-known/openid-configuration",
                               context=ssl.create_default_context(), timeout=5)
    assert "CERTIFICATE_VERIFY_FAILED" in str(exc.value)

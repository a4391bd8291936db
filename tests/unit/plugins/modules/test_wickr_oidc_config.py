# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wickr_oidc_config: every module path, run through main() against the Wickr simulator over HTTPS."""

import importlib.util
import json
import os

import pytest

from ansible_collections.sso.oidc.plugins.modules import wickr_oidc_config as module

_spec = importlib.util.spec_from_file_location(
    "wickr_test_helpers", os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_wickr_helpers.py"))
h = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(h)

NET = "12345678"
SECRET = "idp-client-secret-4f1c9a"


@pytest.fixture
def wickr(sim, sim_env, sim_api, monkeypatch, tmp_path, capsys):
    """Reset simulator, isolated AWS settings, and a runner: run(args, check=False, diff=False)."""
    h.isolate_aws(monkeypatch, tmp_path)
    sim_api.reset("wickr")

    class Ctx(object):
        env = sim_env
        api = sim_api
        conn = h.connection(sim_env)
        issuer = sim_env["oidc"]["issuer"]

        def args(self, **extra):
            out = dict(self.conn)
            out.update(network_id=NET, company_id="acme", issuer=self.issuer, scopes=["openid", "email"],
                       client_id="wickr-app", secret=SECRET)
            out.update(extra)
            return dict((k, v) for k, v in out.items() if v is not None)

        def run(self, args, check=False, diff=False):
            return h.run_module(module, args, capsys, check=check, diff=diff)

        def stored(self, network_id=NET):
            return sim_api.state("wickr")["networks"][network_id]["oidc"]

        def config(self, **values):
            sim_api.config("wickr", **values)

    return Ctx()


def assert_no_secret(result, *secrets):
    text = json.dumps(result)
    for secret in secrets + (SECRET,):
        assert secret not in text


def test_create_in_check_mode_predicts_and_writes_nothing(wickr):
    result = wickr.run(wickr.args(), check=True, diff=True)
    assert result["changed"] is True and result["action"] == "created"
    assert h.save_count(wickr.api) == 0
    assert h.count(wickr.api, suffix="/oidc/test", kind="check") == 1
    assert wickr.api.state("wickr")["networks"][NET]["oidc"] is None
    assert result["proposed"]["secret"] == "********"
    assert result["diff"]["before"] == {}
    predicted = result["end_state"]
    real = wickr.run(wickr.args())
    assert real["changed"] is True and real["end_state"] == predicted
    assert_no_secret(result)
    assert_no_secret(real)


def test_create_update_and_unchanged(wickr):
    result = wickr.run(wickr.args(custom_username="preferred_username", sso_token_buffer_minutes=5))
    assert result["msg"] == "Wickr OIDC config '%s' created" % NET
    stored = wickr.stored()
    assert (stored["companyId"], stored["issuer"], stored["scopes"], stored["userId"], stored["secret"]) == \
        ("acme", wickr.issuer, "openid email", "wickr-app", SECRET)
    assert (stored["customUsername"], stored["ssoTokenBufferMinutes"]) == ("preferred_username", 5)
    assert result["api_calls"] == {"GET": 2, "POST": 2}
    assert result["end_state"] == {"network_id": NET, "company_id": "acme", "issuer": wickr.issuer,
                                   "scopes": ["openid", "email"], "client_id": "wickr-app",
                                   "custom_username": "preferred_username", "sso_token_buffer_minutes": 5}

    wickr.api.clear_requests("wickr")
    again = wickr.run(wickr.args(scopes="email openid"))
    assert again["changed"] is False and again["action"] == "unchanged"
    assert h.count(wickr.api, method="POST") == 0 and h.count(wickr.api, method="GET") == 1
    assert again["api_calls"] == {"GET": 1}

    # Only scopes set: the full save carries every other field as read, plus the secret given.
    added = wickr.run(dict(wickr.conn, network_id=NET, scopes=["openid", "email", "profile"], secret=SECRET),
                      diff=True)
    assert added["changed"] is True and added["changed_fields"] == ["scopes"]
    assert added["diff"]["before"]["scopes"] == ["openid", "email"]
    assert added["diff"]["after"]["scopes"] == ["openid", "email", "profile"]
    stored = wickr.stored()
    assert stored["scopes"] == "openid email profile" and stored["customUsername"] == "preferred_username"
    assert stored["userId"] == "wickr-app" and stored["secret"] == SECRET and stored["ssoTokenBufferMinutes"] == 5
    assert_no_secret(added)


def test_clearing_an_optional_field(wickr):
    wickr.run(wickr.args(custom_username="nick"))
    result = wickr.run(dict(wickr.conn, network_id=NET, custom_username="", secret=SECRET))
    assert result["changed"] is True and result["changed_fields"] == ["custom_username"]
    assert not wickr.stored()["customUsername"]
    assert "custom_username" not in result["end_state"]
    assert wickr.run(dict(wickr.conn, network_id=NET, custom_username=""))["changed"] is False


def test_minimal_task_on_a_configured_network_is_unchanged(wickr):
    wickr.run(wickr.args())
    wickr.api.clear_requests("wickr")
    result = wickr.run(dict(wickr.conn, network_id=NET))
    assert result["changed"] is False and result["existing"]["company_id"] == "acme"
    assert h.count(wickr.api) == 1


def test_create_needs_the_required_fields(wickr):
    result = wickr.run(dict(wickr.conn, network_id=NET, issuer=wickr.issuer))
    assert result["failed"] is True
    assert result["msg"] == ("Wickr OIDC config '%s' failed: network %s has no OIDC configuration yet; to register "
                             "one set company_id, issuer, scopes (missing: company_id, scopes)" % (NET, NET))
    assert h.count(wickr.api, method="POST") == 0


@pytest.mark.parametrize("check", [False, True])
def test_failing_issuer_fails_with_the_vendor_reason_and_saves_nothing(wickr, check):
    result = wickr.run(wickr.args(issuer="https://127.0.0.1:9/idp"), check=check)
    assert result["failed"] is True
    assert "Wickr API POST /networks/%s/oidc/test failed: HTTP 400: BadRequestError: Unable to fetch the OpenID " \
           "configuration from https://127.0.0.1:9/idp/.well-known/openid-configuration" % NET in result["msg"]
    assert "nothing was saved" in result["msg"]
    assert h.save_count(wickr.api) == 0
    assert h.count(wickr.api, suffix="/oidc/test") == 1


def test_validate_false_skips_the_test(wickr):
    result = wickr.run(wickr.args(issuer="https://127.0.0.1:9/idp", validate=False))
    assert result["changed"] is True
    assert h.count(wickr.api, suffix="/oidc/test") == 0 and h.save_count(wickr.api) == 1


def test_ca_certificate_goes_with_the_test_call(wickr):
    with open(wickr.env["ca_path"]) as handle:
        good = handle.read()
    with open(wickr.env["untrusted_ca_path"]) as handle:
        other = handle.read()
    bad = wickr.run(wickr.args(ca_certificate=other))
    assert bad["failed"] is True and "CERTIFICATE_VERIFY_FAILED" in bad["msg"]
    assert h.save_count(wickr.api) == 0
    assert wickr.run(wickr.args(ca_certificate=good))["changed"] is True


def test_invalid_network_id_fails_before_any_request(wickr):
    result = wickr.run(wickr.args(network_id="1234"))
    assert result["failed"] is True
    assert result["msg"].startswith("network_id: '1234' is not a Wickr network ID")
    assert h.count(wickr.api) == 0


def test_unknown_network_is_a_clean_404(wickr):
    result = wickr.run(wickr.args(network_id="99999999"))
    assert result["failed"] is True
    assert "Wickr API GET /networks/99999999/oidc failed: HTTP 404: ResourceNotFoundError: Network not found" \
        in result["msg"]
    assert h.count(wickr.api, method="POST") == 0


def test_vendor_validation_error_text(wickr):
    wickr.config(company_id_rule="region_prefix")
    result = wickr.run(wickr.args(validate=False))
    assert result["failed"] is True
    assert result["msg"].startswith("Wickr OIDC config '%s' failed: Wickr API POST /networks/%s/oidc/save failed: "
                                    "HTTP 400: BadRequestError: Invalid companyId (request id " % (NET, NET))
    assert wickr.run(wickr.args(company_id="us-east-1-acme", validate=False))["changed"] is True


def test_wrong_secret_key_fails_clearly(wickr):
    result = wickr.run(wickr.args(secret_key="not-the-right-secret-key"))
    assert result["failed"] is True and "exception" not in result
    assert "HTTP 403: InvalidSignatureException: The request signature we calculated does not match" in result["msg"]
    assert "Check the AWS credentials" in result["msg"]
    assert "not-the-right-secret-key" not in json.dumps(result)
    assert result["error_code"] == "InvalidSignatureException" and result["status"] == 403


def test_untrusted_tls_names_the_wickr_option(wickr):
    result = wickr.run(wickr.args(aws_ca_bundle=wickr.env["untrusted_ca_path"]))
    assert result["failed"] is True
    assert "TLS verification failed (the server certificate is not trusted)" in result["msg"]
    assert "Set aws_ca_bundle (or AWS_CA_BUNDLE) to a PEM bundle" in result["msg"]
    assert wickr.run(wickr.args(aws_ca_bundle=None, validate_certs=False))["changed"] is True


def test_wrong_region_and_unknown_key(wickr):
    result = wickr.run(wickr.args(region="eu-west-1"))
    assert "Credential should be scoped to a valid region, not 'eu-west-1'" in result["msg"]
    result = wickr.run(wickr.args(access_key="AKIAUNKNOWNKEY000000"))
    assert "UnrecognizedClientException: The security token included in the request is invalid" in result["msg"]


def test_temporary_credentials_with_session_token(wickr):
    env = wickr.env["wickr"]
    args = wickr.args(access_key=env["temp_access_key"], secret_key=env["temp_secret_key"],
                      session_token=env["session_token"])
    result = wickr.run(args)
    assert result["changed"] is True
    assert env["session_token"] not in json.dumps(result)
    missing = wickr.run(dict(args, session_token=None, network_id="23456789"))
    assert "UnrecognizedClientException" in missing["msg"]


def test_credentials_and_region_from_aws_environment(wickr, monkeypatch):
    env = wickr.env["wickr"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", env["access_key"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", env["secret_key"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", env["region"])
    monkeypatch.setenv("AWS_ENDPOINT_URL", env["url"])
    monkeypatch.setenv("AWS_CA_BUNDLE", wickr.env["ca_path"])
    args = wickr.args(access_key=None, secret_key=None, region=None, endpoint_url=None, aws_ca_bundle=None)
    result = wickr.run(args)
    assert result["changed"] is True and wickr.stored()["companyId"] == "acme"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "a-wrong-secret-in-the-environment")
    wrong = wickr.run(args)
    assert "these came from the AWS_* environment variables" in wrong["msg"]
    assert "a-wrong-secret-in-the-environment" not in json.dumps(wrong)
    assert env["secret_key"] not in json.dumps(result)


def test_credentials_from_a_profile(wickr, tmp_path, monkeypatch):
    env = wickr.env["wickr"]
    (tmp_path / "aws-credentials").write_text("[wickr-admin]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                                              % (env["access_key"], env["secret_key"]))
    (tmp_path / "aws-config").write_text("[profile wickr-admin]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_PROFILE", "wickr-admin")
    result = wickr.run(wickr.args(access_key=None, secret_key=None, region=None))
    assert result["changed"] is True


def test_no_credentials_at_all(wickr):
    result = wickr.run(wickr.args(access_key=None, secret_key=None))
    assert result["failed"] is True and result["msg"].startswith("no AWS credentials found")
    assert h.count(wickr.api) == 0


def test_rate_limit_with_retry_after_is_survived(wickr):
    wickr.api.fault("wickr", method="GET", path="/oidc$", status=429, retry_after=1, times=1)
    result = wickr.run(wickr.args())
    assert result["changed"] is True
    assert any("HTTP 429; retrying in 1.0s" in warning for warning in h.warnings(result))
    log = wickr.api.requests("wickr")
    assert log[0]["status"] == 429 and log[1]["status"] == 200
    assert result["api_calls"]["GET"] == 3


def test_a_server_error_on_save_fails_with_the_aws_error(wickr):
    wickr.api.fault("wickr", method="POST", path="/save$", status=500, times=1)
    result = wickr.run(wickr.args(validate=False))
    assert result["failed"] is True
    assert "HTTP 500: InternalServerError: injected fault" in result["msg"]


# ---------------------------------------------------------------- secret policies
@pytest.mark.parametrize("visibility", ["omitted", "masked"])
def test_secret_not_shown_follows_update_secret(wickr, visibility):
    wickr.config(secret_visibility=visibility)
    wickr.run(wickr.args())
    assert wickr.run(wickr.args(secret="another-secret"))["changed"] is False
    assert wickr.stored()["secret"] == SECRET
    result = wickr.run(wickr.args(secret="another-secret", update_secret="always"), diff=True)
    assert result["changed"] is True and result["changed_fields"] == ["secret"]
    assert wickr.stored()["secret"] == "another-secret"
    assert "secret" not in result["end_state"]
    assert_no_secret(result, "another-secret")


def test_masked_secret_warns_when_a_save_cannot_resend_it(wickr):
    wickr.config(secret_visibility="masked")
    wickr.run(wickr.args())
    result = wickr.run(dict(wickr.conn, network_id=NET, scopes=["openid"]))
    assert result["changed"] is True
    assert any("shows the stored secret only masked" in warning for warning in h.warnings(result))


def test_secret_shown_in_clear_is_compared(wickr):
    wickr.config(secret_visibility="clear")
    created = wickr.run(wickr.args())
    assert created["end_state"]["secret"] == "********"
    assert wickr.run(wickr.args())["changed"] is False
    assert wickr.run(wickr.args(update_secret="always"))["changed"] is False
    check = wickr.run(wickr.args(secret="rotated-secret"), check=True, diff=True)
    assert check["changed"] is True and check["changed_fields"] == ["secret"]
    assert check["diff"]["after"]["secret"] == "******** (changed)"
    assert wickr.stored()["secret"] == SECRET
    real = wickr.run(wickr.args(secret="rotated-secret"), diff=True)
    assert real["end_state"] == check["end_state"] and real["diff"] == check["diff"]
    assert wickr.stored()["secret"] == "rotated-secret"
    # Not given: the clear secret is carried by the full save.
    wickr.run(dict(wickr.conn, network_id=NET, scopes=["openid"]))
    assert wickr.stored()["secret"] == "rotated-secret"
    assert_no_secret(check, "rotated-secret")
    assert_no_secret(real, "rotated-secret")


# ---------------------------------------------------------------- userId / clientId
@pytest.mark.parametrize("readback", ["userId", "clientId"])
def test_client_id_is_idempotent_under_both_readbacks(wickr, readback):
    wickr.config(client_id_readback=readback)
    created = wickr.run(wickr.args())
    assert created["end_state"]["client_id"] == "wickr-app"
    assert wickr.stored()["userId"] == "wickr-app"
    assert wickr.run(wickr.args())["changed"] is False
    changed = wickr.run(wickr.args(client_id="wickr-app-2"))
    assert changed["changed_fields"] == ["client_id"] and wickr.stored()["userId"] == "wickr-app-2"
    assert changed["end_state"]["client_id"] == "wickr-app-2"

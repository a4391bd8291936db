# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the Wickr module tests (no tests here): run a module's main() in-process
against the real simulator over HTTPS and read its JSON result."""

from conftest import run_module as run_main, warning_texts

AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_WICKR",
    "AWS_CA_BUNDLE", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


def isolate_aws(monkeypatch, tmp_path):
    """No AWS setting of the machine leaks into a test: empty config files, no IMDS."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def connection(sim_env):
    env = sim_env["wickr"]
    return {
        "endpoint_url": env["url"],
        "region": env["region"],
        "access_key": env["access_key"],
        "secret_key": env["secret_key"],
        "aws_ca_bundle": sim_env["ca_path"],
    }


def run_module(module, args, capsys, check=False, diff=False):
    """main() of ``module`` with ``args``; returns the result dict (with 'failed' when it failed)."""
    result = run_main(capsys, module, args, check=check, diff=diff)
    result["rc"] = result["_rc"]
    return result


def save_count(sim_api, network_id=None):
    return len([r for r in sim_api.requests("wickr") if r["path"].endswith("/oidc/save")
                and (network_id is None or "/%s/" % network_id in r["path"])])


def count(sim_api, method=None, suffix=None, kind=None):
    return len([r for r in sim_api.requests("wickr")
                if (method is None or r["method"] == method) and (suffix is None or r["path"].endswith(suffix))
                and (kind is None or r["kind"] == kind)])


warnings = warning_texts

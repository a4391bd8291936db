# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollout run the way AWX runs a job: through ansible-runner, with a private data directory.

The private data directory holds what AWX writes for a job: ``inventory/``, ``project/`` (the example
playbook playbooks/sso_rollout.yml, as a project checkout would hold it), ``env/extravars`` (the job
template's variables: targets and identity provider, no application credential), ``env/envvars`` (the
credentials, as environment variables: Checkmarx and SlashID rendered from the collection's credential
types exactly as AWX renders them, their CA bundles written by the file injectors; vCenter and Wickr as
AWX's built-in "VMware vCenter" and "Amazon Web Services" types inject them), fact caching into the
artifact directory as AWX enables it, and AWX's job variables.

Asserted: rc 0; a second job changes nothing; no secret in the runner's artifacts (stdout, every job
event, the fact cache); the set_stats artifact (per_host false) carries one record per target under a
key of its own, which is what an AWX workflow hands to its next node. Then the same targets run as the fleet
rollout (playbooks/sso_fleet.yml, one inventory host per target) in the two slices AWX makes of a sliced
job: each slice runs only its hosts, nothing changes, and the slices' artifacts add up to every target once.
"""

import os
import shutil
import sys

import ansible_runner
import pytest
import yaml

from conftest import COLLECTIONS_ROOT, REPO
from simulators import awx

APPS = ("wickr", "checkmarx", "slashid", "vcenter")
NETWORKS = ("12345678", "23456789")
CX_CLIENTS = ("corporate-sso-web", "corporate-sso-cli")


def _private_data_dir(root, sim, sim_env, fleet=False):
    """The private data directory of a job: the single-play rollout (playbooks/sso_rollout.yml, every target
    on localhost, targets in the job's extra variables), or with ``fleet`` the fleet rollout
    (playbooks/sso_fleet.yml, one inventory host per target, targets in the inventory)."""
    pdd = os.path.join(root, "pdd-fleet" if fleet else "pdd")
    for sub in ("inventory", "project", "env"):
        os.makedirs(os.path.join(pdd, sub), exist_ok=True)
    playbook = "sso_fleet.yml" if fleet else "sso_rollout.yml"
    shutil.copy(os.path.join(REPO, "playbooks", playbook), os.path.join(pdd, "project", playbook))

    ca = sim_env["ca_path"]
    with open(ca) as handle:
        ca_pem = handle.read()
    cx, sid, vc, wk = sim_env["checkmarx"], sim_env["slashid"], sim_env["vcenter"], sim_env["wickr"]
    idp = sim_env["oidc"]

    # The credentials of the job, as AWX injects them.
    env, secrets = {}, []
    cx_env, _safe = awx.inject(awx.load("checkmarx"), {"url": cx["url"], "username": cx["username"],
                                                       "password": cx["password"], "token": "", "ca_bundle": ca_pem},
                               pdd)
    sid_env, _safe = awx.inject(awx.load("slashid"), {"org_id": sid["org_id"], "api_key": sid["api_key"],
                                                      "api_url": sid["api_url"], "ca_bundle": ca_pem}, pdd)
    env.update(cx_env)
    env.update(sid_env)
    env.update(awx.builtin_vmware_env(vc["hostname"], vc["username"], vc["password"], validate_certs=True))
    env.update(awx.builtin_aws_env(wk["temp_access_key"], wk["temp_secret_key"], wk["session_token"]))
    secrets += [cx["password"], sid["api_key"], vc["password"], wk["temp_secret_key"], wk["session_token"],
                idp["client_secret"]]

    artifacts = os.path.join(pdd, "artifacts")
    env.update({
        # AWX's own job environment (a subset): collections of the job, fact cache in the artifacts
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_ROOT,
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_ROLES_PATH": os.path.join(pdd, "project", "roles"),
        "ANSIBLE_CACHE_PLUGIN": "jsonfile",
        "ANSIBLE_CACHE_PLUGIN_CONNECTION": os.path.join(artifacts, "fact_cache"),
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_FORCE_COLOR": "False",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "AWX_PRIVATE_DATA_DIR": pdd,
        "JOB_ID": "17",
        "INVENTORY_ID": "1",
        "PYTHONPATH": "",
        # the execution environment's ansible-playbook: this test's ansible-core
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        # isolated AWS settings of this machine
        "AWS_CONFIG_FILE": os.path.join(root, "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(root, "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    with open(os.path.join(pdd, "env", "envvars"), "w") as handle:
        yaml.safe_dump(env, handle)

    # The job template's variables: targets and identity provider. No application credential here; AWX injects
    # no region, no vCenter port and no CA for Wickr, vCenter or the identity provider, so those are variables.
    extravars = {
        "sim_env_file": sim.env_path,
        "sso_rollout_ca_path": None,
        "sso_rollout_idp": {
            "issuer": idp["issuer"], "client_id": idp["client_id"], "client_secret": idp["client_secret"],
            "scopes": idp["scopes"], "name": "Corporate SSO", "ca_path": ca,
            "redirect_uris": [idp["issuer"] + "/broker/checkmarx/endpoint"],
        },
        "sso_rollout_wickr": {
            "region": wk["region"], "endpoint_url": wk["url"], "aws_ca_bundle": ca,
            "networks": [{"network_id": NETWORKS[0], "company_id": "us-east-1-acme-eng"},
                         {"network_id": NETWORKS[1], "company_id": "us-east-1-acme-sales",
                          "sso_token_buffer_minutes": 10}],
        },
        "sso_rollout_checkmarx": {
            "clients": [{"client_id": CX_CLIENTS[0], "name": "Corporate SSO (web)"},
                        {"client_id": CX_CLIENTS[1], "name": "Corporate SSO (command line)",
                         "allowed_scopes": ["openid", "profile", "email", "offline_access"],
                         "allow_offline_access": True}],
        },
        "sso_rollout_slashid": {
            "credentials": [{"label": "Corporate SSO"},
                            {"client_id": idp["client_id"] + "-staging", "label": "Corporate SSO (staging)"}],
        },
        "sso_rollout_vcenter": [{"hostname": vc["hostname"], "port": vc["port"], "ca_path": ca,
                                 "provider": {"domain_names": ["example.com"]}}],
    }
    if fleet:
        # One host per target, each with its own section; the identity provider for the whole group.
        sections = {"vcenter-01": ("sso_rollout_vcenter", "sso_fleet_vcenter"),
                    "cxsast-01": ("sso_rollout_checkmarx", "sso_fleet_checkmarx"),
                    "slashid-01": ("sso_rollout_slashid", "sso_fleet_slashid"),
                    "wickr-01": ("sso_rollout_wickr", "sso_fleet_wickr")}
        children = {}
        for host, (var, group) in sections.items():
            children[group] = {"hosts": {host: {var: extravars.pop(var)}}}
        inventory = {"sso_fleet": {"vars": {"sso_rollout_idp": extravars.pop("sso_rollout_idp")},
                                   "children": children}}
        with open(os.path.join(pdd, "inventory", "hosts.yml"), "w") as handle:
            yaml.safe_dump(inventory, handle)
    else:
        with open(os.path.join(pdd, "inventory", "hosts"), "w") as handle:
            handle.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    with open(os.path.join(pdd, "env", "extravars"), "w") as handle:
        yaml.safe_dump(extravars, handle)
    return pdd, secrets


def _job(pdd, ident, playbook="sso_rollout.yml", limit=None):
    return ansible_runner.run(private_data_dir=pdd, playbook=playbook, ident=ident, quiet=True, limit=limit,
                              forks=10, timeout=300)


def _slices(hosts, count):
    """AWX job slicing: the hosts ordered by name, slice n (1-based) of ``count`` gets hosts[n-1::count]."""
    ordered = sorted(hosts)
    return [ordered[n - 1::count] for n in range(1, count + 1)]


def _assert_no_secret(pdd, ident, runner, secrets):
    files = _artifact_files(pdd, ident)
    names = set(os.path.relpath(f, os.path.join(pdd, "artifacts", ident)).split(os.sep, maxsplit=1)[0] for f in files)
    assert {"stdout", "job_events"} <= names, names
    events = [f for f in files if os.sep + "job_events" + os.sep in f]
    assert len(events) == len(list(runner.events)) > 20
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read().decode("utf-8", "replace")
        for secret in secrets:
            assert secret not in data, "a secret is in %s" % path


def _stats(runner):
    stats = [e for e in runner.events if e.get("event") == "playbook_on_stats"]
    assert len(stats) == 1
    return stats[0]["event_data"]


def _artifact_files(pdd, ident):
    """Every file the job left in its artifact directory, except ``command`` (the runner's copy of its own
    input: the command line and the environment AWX gave it, credentials included by design)."""
    root = os.path.join(pdd, "artifacts", ident)
    out = []
    for base, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(base, name)
            if os.path.relpath(path, root) != "command":
                out.append(path)
    return out


@pytest.mark.slow
def test_rollout_runs_as_an_awx_job(sim, sim_env, sim_api, tmp_path):
    for name in APPS:
        sim_api.reset(name)
    pdd, secrets = _private_data_dir(str(tmp_path), sim, sim_env)

    first = _job(pdd, "job-1")
    stdout = first.stdout.read()
    assert first.rc == 0 and first.status == "successful", stdout[-4000:]
    stats = _stats(first)
    assert sum(stats["changed"].values()) > 0

    # The workflow artifact: one record per target, under a key of its own.
    results = stats["artifact_data"]["sso_rollout_results"]
    expected = (["wickr:%s" % n for n in NETWORKS] + ["checkmarx:%s" % c for c in CX_CLIENTS]
                + ["slashid:%s" % sim_env["oidc"]["client_id"], "slashid:%s-staging" % sim_env["oidc"]["client_id"]])
    assert set(expected) <= set(results), sorted(results)
    vcenter = [k for k in results if k.startswith("vcenter:")]
    assert len(vcenter) == 1 and len(results) == len(expected) + 1
    for key, record in results.items():
        assert key == "%s:%s" % (record["kind"], record["key"])
        assert record["status"] == "created", record
    # what the job wrote is on the servers
    state = sim_api.state("checkmarx")
    assert set(CX_CLIENTS) <= set(c["clientId"] for c in state["clients"])

    second = _job(pdd, "job-2")
    stdout_2 = second.stdout.read()
    assert second.rc == 0, stdout_2[-4000:]
    stats_2 = _stats(second)
    assert sum(stats_2["changed"].values()) == 0, stdout_2[-4000:]
    assert set(r["status"] for r in stats_2["artifact_data"]["sso_rollout_results"].values()) == {"unchanged"}

    # No secret anywhere in what the jobs left: stdout, every job event, the fact cache.
    for ident, runner in (("job-1", first), ("job-2", second)):
        _assert_no_secret(pdd, ident, runner, secrets)

    # The same targets as a fleet (one inventory host per target), in the two slices AWX makes of a job
    # template with job_slice_count 2: each slice configures only its own targets, and as the single-play
    # jobs configured them already, nothing changes. The slices' artifacts add up to every target once.
    fleet_pdd, fleet_secrets = _private_data_dir(str(tmp_path), sim, sim_env, fleet=True)
    combined = {}
    for number, hosts in enumerate(_slices(["vcenter-01", "cxsast-01", "slashid-01", "wickr-01"], 2), 1):
        ident = "fleet-slice-%d" % number
        job = _job(fleet_pdd, ident, playbook="sso_fleet.yml", limit=",".join(hosts))
        out = job.stdout.read()
        assert job.rc == 0, out[-4000:]
        stats = _stats(job)
        assert sorted(stats["ok"]) == sorted(hosts)  # only this slice's hosts ran
        assert sum(stats["changed"].values()) == 0, out[-4000:]
        part = stats["artifact_data"]["sso_rollout_results"]
        assert not set(part) & set(combined)
        combined.update(part)
        _assert_no_secret(fleet_pdd, ident, job, fleet_secrets)
    assert set(combined) == set(results)
    assert set(r["status"] for r in combined.values()) == {"unchanged"}

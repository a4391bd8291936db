# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX credential types of extensions/awx/credential_types: AWX accepts them, they render as AWX renders
them, the configuration-as-code copy holds the same data and survives Ansible's templating."""

import os
import subprocess
import sys

import pytest
import yaml

from conftest import REPO, ansible_env, write_inventory
from simulators import awx

TYPES = ("checkmarx", "slashid")
ENV_OF = {
    "checkmarx": ("CX_URL", "CX_USERNAME", "CX_PASSWORD", "CX_TOKEN", "CX_AUTH_CLIENT_ID", "CX_AUTH_CLIENT_SECRET",
                  "CX_CA_PATH", "CX_VALIDATE_CERTS"),
    "slashid": ("SLASHID_ORG_ID", "SLASHID_API_KEY", "SLASHID_API_URL", "SLASHID_CA_PATH"),
}
CONTROLLER_FILE = os.path.join(awx.CREDENTIAL_TYPES_DIR, "controller_credential_types.yml")


class _UnsafeLoader(yaml.SafeLoader):
    pass


_UnsafeLoader.add_constructor("!unsafe", lambda loader, node: ("!unsafe", loader.construct_scalar(node)))


def _strip_unsafe(data, tagged):
    if isinstance(data, dict):
        return dict((k, _strip_unsafe(v, tagged)) for k, v in data.items())
    if isinstance(data, list):
        return [_strip_unsafe(v, tagged) for v in data]
    if isinstance(data, tuple) and data[0] == "!unsafe":
        tagged.append(data[1])
        return data[1]
    return data


@pytest.mark.parametrize("name", TYPES)
def test_awx_accepts_the_credential_type(name):
    ctype = awx.load(name)
    awx.validate(ctype)
    assert ctype["kind"] == "cloud"
    fields = dict((f["id"], f) for f in ctype["inputs"]["fields"])
    for field in fields.values():
        secret = any(word in field["id"] for word in ("password", "secret", "token", "key"))
        assert bool(field.get("secret")) == secret, field["id"]
    assert set(ctype["injectors"]["env"]) == set(ENV_OF[name])
    assert list(ctype["injectors"]["file"]) == ["template.ca_bundle"]
    assert fields["ca_bundle"].get("multiline") is True


@pytest.mark.parametrize("broken, message", [
    ({"injectors": {"env": {"ANSIBLE_CONFIG": "{{ url }}"}}}, "may affect Ansible configuration"),
    ({"injectors": {"env": {"PATH": "{{ url }}"}}}, "not allowed"),
    ({"injectors": {"env": {"CX_URL": "{{ no_such_field }}"}}}, "undefined field"),
    ({"injectors": {"env": {"CX_CA_PATH": "{{ tower.filename }}"}}}, "unnamed file injector"),
    ({"injectors": {"env": {"CX_URL": "{{ url.__class__ }}"}}}, "unsafe code execution"),
    ({"injectors": {"env": {"CX_URL": "{% if url %}"}}}, "Syntax error"),
    ({"inputs": {"fields": [{"id": "tower", "label": "x"}]}}, "reserved"),
    ({"inputs": {"fields": [{"id": "b", "label": "b", "type": "boolean", "secret": True}]}}, "not allowed for boolean"),
])
def test_the_validator_refuses_what_awx_refuses(broken, message):
    ctype = awx.load("checkmarx")
    for key, value in broken.items():
        ctype[key] = value
    if "inputs" in broken:
        ctype["injectors"] = {}
    with pytest.raises(awx.InvalidCredentialType, match=message):
        awx.validate(ctype)


def test_the_controller_file_holds_the_same_types_with_unsafe_templates():
    with open(CONTROLLER_FILE) as handle:
        raw = yaml.load(handle, Loader=_UnsafeLoader)
    tagged = []
    data = _strip_unsafe(raw, tagged)
    assert list(data) == ["controller_credential_types"]
    assert data["controller_credential_types"] == [awx.load(name) for name in TYPES]
    templates = [t for name in TYPES for inj in awx.load(name)["injectors"].values() for t in inj.values()]
    assert sorted(tagged) == sorted(templates)


def test_ansible_passes_the_controller_templates_on_unrendered(tmp_path):
    """What awx.awx.credential_type / infra.aap_configuration receive: the templates as written."""
    playbook = tmp_path / "read.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False,
        "tasks": [
            {"ansible.builtin.include_vars": {"file": CONTROLLER_FILE}},
            {"ansible.builtin.copy": {"dest": str(tmp_path / "out.json"),
                                      "content": "{{ controller_credential_types | to_json }}", "mode": "0600"}},
        ]}]))
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i",
                           write_inventory(str(tmp_path)), str(playbook)], capture_output=True, text=True,
                          env=ansible_env(), cwd=str(tmp_path), timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    received = yaml.safe_load((tmp_path / "out.json").read_text())
    assert received == [awx.load(name) for name in TYPES]


def test_blank_optional_fields_inject_empty_values_and_an_empty_ca_file(tmp_path):
    ctype = awx.load("checkmarx")
    env, safe = awx.inject(ctype, {"url": "https://cx.example.com", "username": "admin", "password": "pw-1",
                                   "token": ""}, str(tmp_path))
    assert env == {"CX_URL": "https://cx.example.com", "CX_USERNAME": "admin", "CX_PASSWORD": "pw-1", "CX_TOKEN": "",
                   "CX_AUTH_CLIENT_ID": "", "CX_AUTH_CLIENT_SECRET": "", "CX_CA_PATH": "", "CX_VALIDATE_CERTS": ""}
    assert safe["CX_PASSWORD"] == "**********" and safe["CX_TOKEN"] == "**********"
    # AWX wrote the CA file although the field was blank; the injector does not point at it
    written = os.listdir(str(tmp_path / "env"))
    assert len(written) == 1 and os.path.getsize(str(tmp_path / "env" / written[0])) == 0


def test_filled_fields_inject_the_ca_file_and_the_tls_switch(tmp_path):
    ctype = awx.load("checkmarx")
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    env, safe = awx.inject(ctype, {"url": "https://cx", "token": "tok-1", "ca_bundle": pem,
                                   "skip_tls_verify": True}, str(tmp_path))
    assert env["CX_CA_PATH"].startswith(str(tmp_path / "env") + os.sep)
    with open(env["CX_CA_PATH"]) as handle:
        assert handle.read() == pem
    assert oct(os.stat(env["CX_CA_PATH"]).st_mode & 0o777) == "0o600"
    assert env["CX_VALIDATE_CERTS"] == "False" and safe["CX_TOKEN"] == "**********"
    env, _safe = awx.inject(ctype, {"url": "https://cx", "skip_tls_verify": False}, str(tmp_path))
    assert env["CX_VALIDATE_CERTS"] == ""


def test_slashid_injection(tmp_path):
    env, safe = awx.inject(awx.load("slashid"), {"org_id": "org-1", "api_key": "key-1"}, str(tmp_path))
    assert env == {"SLASHID_ORG_ID": "org-1", "SLASHID_API_KEY": "key-1", "SLASHID_API_URL": "",
                   "SLASHID_CA_PATH": ""}
    assert safe["SLASHID_API_KEY"] == "**********"


def test_the_credential_types_are_in_the_built_collection(tmp_path):
    """galaxy.yml's build_ignore must not drop extensions/awx."""
    with open(os.path.join(REPO, "galaxy.yml")) as handle:
        ignored = yaml.safe_load(handle).get("build_ignore") or []
    import fnmatch

    for name in ("checkmarx.yml", "slashid.yml", "controller_credential_types.yml"):
        rel = "extensions/awx/credential_types/" + name
        parts = rel.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        assert not any(fnmatch.fnmatch(p, pattern) for p in prefixes for pattern in ignored), rel

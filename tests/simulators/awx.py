# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX's custom credential types, as AWX validates and injects them (for the tests).

Follows AWX's own code (github.com/ansible/awx, awx/main/fields.py ``CredentialTypeInputField`` and
``CredentialTypeInjectorField``, awx/main/models/credential.py ``CredentialType.inject_credential``):

* validation: the JSON schemas of ``inputs`` and ``injectors``, the reserved field id ``tower``, unique ids,
  ``secret``/``multiline``/``format``/``choices`` only on strings, environment names starting with ``ANSIBLE_``
  or in AWX's ENV_BLOCKLIST refused, every template rendered in an ``ImmutableSandboxedEnvironment`` with
  ``StrictUndefined`` against ``EXAMPLE`` values (an unknown field or ``tower.filename`` without a file
  injector is an error);
* injection: a field left blank is not in the template namespace (it renders as ``""``), a boolean left
  out is ``False``; every ``file`` injector is written to ``<private_data_dir>/env/tmp*`` (mode 0600)
  *whether or not its field was filled*, and its path is ``tower.filename.<name>`` (``tower.filename`` for
  the single-file form); every ``env`` injector is rendered into the job's environment, and again with
  the secret fields as ``**********`` into the "safe" environment AWX stores with the job.
"""

import os
import stat
import tempfile

import yaml
from jinja2 import StrictUndefined, sandbox
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError

CREDENTIAL_TYPES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                    "extensions", "awx", "credential_types")

# awx/main/constants.py
ENV_BLOCKLIST = frozenset((
    "VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID", "INVENTORY_UPDATE_ID",
    "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES", "CALLBACK_QUEUE", "CALLBACK_CONNECTION",
    "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS", "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_CONFIG_PATH",
))

# awx/main/fields.py CredentialTypeInputField.schema
INPUTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "required": {"type": "array", "items": {"type": "string"}},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"enum": ["string", "boolean"]},
                    "format": {"enum": ["ssh_private_key", "url"]},
                    "choices": {"type": "array", "minItems": 1, "items": {"type": "string"}, "uniqueItems": True},
                    "id": {"type": "string", "pattern": "^[a-zA-Z_]+[a-zA-Z0-9_]*$"},
                    "label": {"type": "string"},
                    "help_text": {"type": "string"},
                    "multiline": {"type": "boolean"},
                    "secret": {"type": "boolean"},
                    "ask_at_runtime": {"type": "boolean"},
                    "default": {},
                },
                "additionalProperties": False,
                "required": ["id", "label"],
            },
        },
    },
}

# awx/main/fields.py CredentialTypeInjectorField.schema
INJECTORS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "file": {
            "type": "object",
            "patternProperties": {r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$": {"type": "string"}},
            "additionalProperties": False,
        },
        "env": {
            "type": "object",
            "patternProperties": {"^[a-zA-Z_]+[a-zA-Z0-9_]*$": {"type": "string", "pattern": "^[\x00-\x7F]*$"}},
            "additionalProperties": False,
        },
        "extra_vars": {
            "type": "object",
            "patternProperties": {r"^[a-zA-Z_\{\}]+[a-zA-Z0-9_\{\}]*$": {
                "anyOf": [{"type": "string"}, {"type": "array"}, {"$ref": "#/properties/extra_vars"}]}},
            "additionalProperties": False,
        },
    },
}

KINDS = ("ssh", "vault", "net", "scm", "cloud", "registry", "token", "insights", "external", "kubernetes",
         "galaxy", "cryptography")


class InvalidCredentialType(ValueError):
    pass


def load(name):
    """A credential type of the collection (``checkmarx`` or ``slashid``), as the API takes it."""
    with open(os.path.join(CREDENTIAL_TYPES_DIR, name + ".yml")) as handle:
        return yaml.safe_load(handle)


def validate_env_var_allowed(name):
    if name.startswith("ANSIBLE_"):
        raise InvalidCredentialType("Environment variable %s may affect Ansible configuration so its use is not "
                                    "allowed in credentials." % name)
    if name in ENV_BLOCKLIST:
        raise InvalidCredentialType("Environment variable %s is not allowed to be used in credentials." % name)


def validate(credential_type):
    """Raise InvalidCredentialType where AWX would refuse the credential type."""
    import jsonschema

    if credential_type.get("kind") not in KINDS:
        raise InvalidCredentialType("kind: %r" % credential_type.get("kind"))
    inputs = credential_type.get("inputs") or {}
    injectors = credential_type.get("injectors") or {}
    try:
        jsonschema.validate(inputs, INPUTS_SCHEMA)
        jsonschema.validate(injectors, INJECTORS_SCHEMA)
    except jsonschema.ValidationError as exc:
        raise InvalidCredentialType(exc.message)
    ids = set()
    for field in inputs.get("fields", []):
        if field["id"] == "tower":
            raise InvalidCredentialType('"tower" is a reserved field name')
        if field["id"] in ids:
            raise InvalidCredentialType("field IDs must be unique (%s)" % field["id"])
        ids.add(field["id"])
        ftype = field.get("type", "string")
        if "default" in field and not isinstance(field["default"], {"string": str, "boolean": bool}[ftype]):
            raise InvalidCredentialType("%s is not a %s" % (field["default"], ftype))
        for key in ("choices", "multiline", "format", "secret"):
            if key in field and ftype != "string":
                raise InvalidCredentialType("%s not allowed for %s type (%s)" % (key, ftype, field["id"]))
    for name in inputs.get("required", []):
        if name not in ids:
            raise InvalidCredentialType("required names an unknown field %s" % name)

    namespace = dict((field_id, "EXAMPLE") for field_id in ids)

    class ExplodingNamespace(object):
        def __str__(self):
            raise UndefinedError("Must define unnamed file injector in order to reference `tower.filename`.")

    class TowerNamespace(object):
        def __init__(self):
            self.filename = ExplodingNamespace()

        def __str__(self):
            raise UndefinedError("Cannot directly reference reserved `tower` namespace container.")

    namespace["tower"] = TowerNamespace()
    names = [x for x in injectors.get("file", {}) if x.startswith("template")]
    if "template" in names:
        namespace["tower"].filename = "EXAMPLE_FILENAME"
        if len(names) > 1:
            raise InvalidCredentialType("Must use multi-file syntax when injecting multiple files")
    else:
        for name in names:
            setattr(namespace["tower"].filename, name.split(".")[1], "EXAMPLE_FILENAME")

    def check(kind, key, tmpl):
        try:
            sandbox.ImmutableSandboxedEnvironment(undefined=StrictUndefined).from_string(tmpl).render(namespace)
        except UndefinedError as exc:
            raise InvalidCredentialType("%s uses an undefined field (%s)" % (key, exc))
        except SecurityError as exc:
            raise InvalidCredentialType("Encountered unsafe code execution: %s" % exc)
        except TemplateSyntaxError as exc:
            raise InvalidCredentialType("Syntax error rendering template for %s inside of %s (%s)" % (key, kind, exc))

    for kind, injector in injectors.items():
        if kind == "env":
            for key in injector:
                validate_env_var_allowed(key)
        if kind == "extra_vars":
            raise InvalidCredentialType("these tests render env and file injectors only")
        for key, tmpl in injector.items():
            check(kind, key, tmpl)


def inject(credential_type, inputs, private_data_dir):
    """``(env, safe_env)`` of a job that uses a credential of ``credential_type`` with ``inputs``.

    ``inputs`` is what the credential holds: a field the user left blank is either missing or ``""``.
    Files are written below ``<private_data_dir>/env`` as AWX does (the runner's private data dir)."""
    fields = (credential_type.get("inputs") or {}).get("fields", [])
    secret_fields = set(f["id"] for f in fields if f.get("secret"))
    injectors = credential_type.get("injectors") or {}

    class TowerNamespace(object):
        pass

    tower = TowerNamespace()
    namespace = {"tower": tower}
    safe_namespace = {"tower": tower}
    for name, value in inputs.items():
        if isinstance(value, bool):
            safe_namespace[name] = namespace[name] = value
            continue
        if name in secret_fields:
            safe_namespace[name] = "**********"
        elif len(value):
            safe_namespace[name] = value
        if len(value):
            namespace[name] = value
    for field in fields:
        if field.get("type", "string") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = safe_namespace[field["id"]] = False

    env_dir = os.path.join(private_data_dir, "env")
    os.makedirs(env_dir, exist_ok=True)
    box = sandbox.ImmutableSandboxedEnvironment()
    for label, tmpl in injectors.get("file", {}).items():
        data = box.from_string(tmpl).render(**namespace)
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, "w") as out:
            out.write(data)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        if "." not in label:
            tower.filename = path
        else:
            if not hasattr(tower, "filename"):
                tower.filename = TowerNamespace()
            setattr(tower.filename, label.split(".")[1], path)

    env, safe_env = {}, {}
    for name, tmpl in injectors.get("env", {}).items():
        try:
            validate_env_var_allowed(name)
        except InvalidCredentialType:
            continue  # AWX logs and ignores it
        env[name] = box.from_string(tmpl).render(**namespace)
        safe_env[name] = box.from_string(tmpl).render(**safe_namespace)
    return env, safe_env


# ---------------------------------------------------------------- AWX's built-in (managed) credential types
def builtin_aws_env(username, password, security_token=""):
    """The "Amazon Web Services" credential type: keys, and both token names when a token is set; no region."""
    env = {"AWS_ACCESS_KEY_ID": username, "AWS_SECRET_ACCESS_KEY": password}
    if security_token:
        env["AWS_SECURITY_TOKEN"] = security_token
        env["AWS_SESSION_TOKEN"] = security_token
    return env


def builtin_vmware_env(host, username, password, validate_certs=True):
    """The "VMware vCenter" credential type: host, user, password; VMWARE_VALIDATE_CERTS from AWX's global
    setting as the string "True" or "False"; no port."""
    return {"VMWARE_USER": username, "VMWARE_PASSWORD": password, "VMWARE_HOST": host,
            "VMWARE_VALIDATE_CERTS": str(bool(validate_certs))}

# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vCenter identity providers: every fact of the resource, its normalisation and payloads (private).

Service facts (vCenter 7.0.3 spec, ``/api`` endpoints; the session is in ``_vcenter_connection``):

* ``GET /api/vcenter/identity/providers`` -> ``[Summary]`` (no org_ids, claims, claim_map, LDAP
  or client secret), ``GET .../{provider}`` -> ``Info`` (everything, but no provider id),
  ``POST`` CreateSpec -> 201 + id, ``PATCH`` UpdateSpec -> 204 (unset fields unchanged,
  ``config_tag`` required), ``DELETE`` -> 204.
* ``name`` is not unique; the id is assigned by vCenter. The first provider is always the default;
  ``is_default`` (create) / ``make_default`` (update) move the flag, nothing clears it.
* ``federation_type`` (vSphere API 8.0.1.0: ``DIRECT_FEDERATION``, ``INDIRECT_FEDERATION``; 9.0.0.0 adds
  ``VMWARE_SSO_FEDERATION``) is in Summary, Info, CreateSpec and UpdateSpec from 8.0.1 on (official SDK
  bindings). It is sent only to a server whose API has it: the release is read once (the connection's
  ``api_version``), and only when a write would carry it.
* Payloads carry the user's values (the API's forms of them); the canonical forms are for comparison only.
* Whether Info shows ``client_secret`` and the LDAP ``password`` in clear is not documented:
  they are compared when shown in clear (or when the Summary's ``authentication_header``,
  ``Basic base64(client_id:secret)``, reveals the client secret), otherwise ``update_secret`` applies.

The resource is stateless: what it learns during a task (the ids it created, the secrets it sent, the
providers on the server as the task goes) is in ``task.memo`` under ``vcenter.*`` keys.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re

from urllib.parse import parse_qs, unquote_plus, urlsplit

from ansible_collections.sso.oidc.plugins.module_utils._http import (
    MASK, SERVER_FAILURES, ApiError, quote_path,
)
from ansible_collections.sso.oidc.plugins.module_utils._module import (
    info_module, set_module, single_module, task_of,
)
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import (
    InputError, ItemFailure, Resource, confirm_write,
)
from ansible_collections.sso.oidc.plugins.module_utils._vcenter_connection import (
    SERVICE, VERSIONS_PATH, connect, connection_options, version_text,
)

PROVIDERS_PATH = "/api/vcenter/identity/providers"

FEDERATION_TYPES = ["DIRECT_FEDERATION", "INDIRECT_FEDERATION", "VMWARE_SSO_FEDERATION"]
#: the vSphere API release that added each federation_type value (SDK bindings, identity_client.FederationType)
FEDERATION_SINCE = {"DIRECT_FEDERATION": (8, 0, 1), "INDIRECT_FEDERATION": (8, 0, 1),
                    "VMWARE_SSO_FEDERATION": (9, 0, 0)}

API_TAG = {"oidc": "Oidc", "oauth2": "Oauth2"}
OPTION_TAG = dict((v.lower(), k) for k, v in API_TAG.items())

IDM_PROTOCOLS = ["REST", "SCIM", "SCIM2_0", "LDAP"]
AUTH_METHODS = ["CLIENT_SECRET_BASIC", "CLIENT_SECRET_POST", "CLIENT_SECRET_JWT", "PRIVATE_KEY_JWT"]

#: canonical top-level fields that only GET .../providers/{id} (Info) shows
INFO_ONLY = frozenset(("org_ids", "upn_claim", "groups_claim", "idm_protocol", "idm_endpoints",
                       "active_directory_over_ldap"))
#: canonical fields of the oidc / oauth2 specs that only Info shows (client_secret: see IdentityProvider.needs_info)
INFO_ONLY_SUB = {
    "oidc": frozenset(("claim_map",)),
    "oauth2": frozenset(("public_key_uri", "claim_map", "issuer", "authentication_method")),
}
#: discovered / read-only fields shown by the info module
READ_ONLY_SUB = ("issuer", "auth_endpoint", "token_endpoint", "public_key_uri", "logout_endpoint",
                 "authentication_method")
SECRET_PATHS = ("oidc.client_secret", "oauth2.client_secret", "active_directory_over_ldap.password")

_MASK_WORDS = ("masked", "redacted", "hidden", "secret", "not shown")

#: task.memo keys (the facts this resource learns during one task)
CREATED = "vcenter.created"      # provider ids created in this task
SENT = "vcenter.sent"            # (provider id, secret path) -> the secret sent in this task
LIVE = "vcenter.live"            # providers on the server as the task goes (predicts the first-is-default rule)
DEFAULT_OF = "vcenter.default"   # key -> whether the create planned for it makes the default provider
VERSION = "vcenter.version"      # the vSphere API release, when a write needed it (see _check_federation)
CHECKED = "vcenter.federation_checked"


# ---------------------------------------------------------------------------- options
#: what the oidc and the oauth2 spec both have: the vCenter application at the provider, and the claim map
CLIENT_SPEC = {
    "client_id": {"type": "str", "required": True},
    "client_secret": {"type": "str", "required": True, "no_log": True},
    "claim_map": {"type": "dict"},
}

OIDC_SPEC = dict(CLIENT_SPEC, discovery_endpoint={"type": "str", "required": True})

OAUTH2_SPEC = dict(
    CLIENT_SPEC,
    auth_endpoint={"type": "str", "required": True},
    token_endpoint={"type": "str", "required": True, "no_log": False},
    public_key_uri={"type": "str", "required": True, "no_log": False},
    issuer={"type": "str", "required": True},
    authentication_method={"type": "str", "required": True, "choices": AUTH_METHODS},
    auth_query_params={"type": "dict"},
)

LDAP_SPEC = {
    "user_name": {"type": "str", "required": True},
    "password": {"type": "str", "required": True, "no_log": True},
    "users_base_dn": {"type": "str", "required": True},
    "groups_base_dn": {"type": "str", "required": True},
    "server_endpoints": {"type": "list", "elements": "str", "required": True},
    "cert_chain": {"type": "list", "elements": "str"},
}


def resource_options():
    """The options of one identity provider (the single module, and each entry of the set module)."""
    return {
        "name": {"type": "str"},
        "provider_id": {"type": "str"},
        "config_tag": {"type": "str", "choices": ["oidc", "oauth2"]},
        "oidc": {"type": "dict", "options": copy.deepcopy(OIDC_SPEC)},
        "oauth2": {"type": "dict", "options": copy.deepcopy(OAUTH2_SPEC)},
        "is_default": {"type": "bool"},
        "domain_names": {"type": "list", "elements": "str"},
        "auth_query_params": {"type": "dict"},
        "idm_protocol": {"type": "str", "choices": IDM_PROTOCOLS},
        "idm_endpoints": {"type": "list", "elements": "str"},
        "active_directory_over_ldap": {"type": "dict", "options": copy.deepcopy(LDAP_SPEC)},
        "upn_claim": {"type": "str"},
        "groups_claim": {"type": "str"},
        "org_ids": {"type": "list", "elements": "str"},
        "federation_type": {"type": "str", "choices": FEDERATION_TYPES},
        "recreate": {"type": "bool", "default": False},
        "update_secret": {"type": "str", "default": "on_create", "choices": ["on_create", "always"]},
    }


def info_options():
    """The info module's options: the connection, and name or provider_id to select."""
    spec = connection_options()
    spec.update({"name": {"type": "str"}, "provider_id": {"type": "str"}})
    return spec


# ---------------------------------------------------------------------------- normalisation
def _is_masked(value):
    if value is None:
        return True
    text = str(value).strip()
    if not text:
        return True
    if re.match(r"^[*\u2022]+$", text):
        return True
    return text.strip("<>[]() ").lower() in _MASK_WORDS


def _str_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def _set_list(value, lower=False):
    items = [v.strip() for v in _str_list(value)]
    if lower:
        items = [v.lower() for v in items]
    return sorted(set(v for v in items if v))


def _query_params(value):
    """auth_query_params: {key: [values]} with values sorted (a value may be given as one string)."""
    if not isinstance(value, dict):
        return value
    return dict((str(k), sorted(_str_list(v))) for k, v in value.items())


def _claim_map(value):
    """claim_map: {claim: {external group: [vCenter groups]}}, group lists compared as sets."""
    if not isinstance(value, dict):
        return value
    out = {}
    for claim, mapping in value.items():
        if isinstance(mapping, dict):
            out[str(claim)] = dict((str(g), _set_list(v)) for g, v in mapping.items())
        else:
            out[str(claim)] = mapping
    return out


def _pem_list(value):
    return [str(v).replace("\r\n", "\n").strip() for v in _str_list(value)]


def header_secret(header, client_id=None):
    """The client secret an ``authentication_header`` reveals, or None.

    ``Authorization: Basic base64(client_id:secret)`` (the vendor's example) and a
    form-encoded ``client_id=..&client_secret=..`` are understood; a masked header reveals nothing.
    """
    if not isinstance(header, str) or _is_masked(header):
        return None
    text = header.strip()
    if text.lower().startswith("authorization:"):
        text = text.split(":", 1)[1].strip()
    if text.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(text[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return None
        cid, sep, secret = decoded.partition(":")
        if not sep or not secret:
            return None
        if client_id is None or cid == client_id:
            return secret
        if unquote_plus(cid) == client_id:  # RFC 6749 2.3.1 form-encodes both parts
            return unquote_plus(secret)
        return None
    if "client_secret=" in text:
        values = parse_qs(text, keep_blank_values=True)
        secret = (values.get("client_secret") or [None])[0]
        cid = (values.get("client_id") or [None])[0]
        if secret and (client_id is None or cid in (None, client_id)):
            return secret
    return None


def _check_url(where, value, schemes=("https", "http")):
    parts = urlsplit(value or "")
    if parts.scheme.lower() not in schemes or not parts.netloc:
        raise InputError("%s: %r is not a URL (%s)" % (where, value, " or ".join("%s://..." % s for s in schemes)))


def _check_secret(where, value):
    if value is None:
        return
    if value == MASK or re.match(r"^\*+$", value or ""):
        raise InputError("%s: the value is a mask (%s), for example from a gathered result; give the real secret"
                         % (where, value))
    if len(value) < 4:
        raise InputError("%s: a secret needs at least 4 characters" % where)


def _check_str_dict(where, value, what):
    if value is None:
        return
    if not isinstance(value, dict):
        raise InputError("%s: must be a dictionary of %s" % (where, what))


def _check_query_params(where, value):
    _check_str_dict(where, value, "parameter names and lists of values")
    for key, values in (value or {}).items():
        if not str(key):
            raise InputError("%s: a parameter name must not be empty" % where)
        items = values if isinstance(values, (list, tuple)) else ([] if values is None else [values])
        for item in items:
            if isinstance(item, (dict, list, tuple)):
                raise InputError("%s.%s: values must be strings (a list of strings for a repeated parameter)"
                                 % (where, key))


def _check_claim_map(where, value):
    _check_str_dict(where, value, "claims, each mapping external groups to lists of vCenter groups")
    for claim, mapping in (value or {}).items():
        if not isinstance(mapping, dict):
            raise InputError("%s.%s: must map each external group to a list of vCenter groups, for example "
                             "{perms: {'ExternalAdmins': ['vsphere.local\\\\Administrators']}}" % (where, claim))
        for group, targets in mapping.items():
            items = targets if isinstance(targets, (list, tuple)) else [targets]
            if any(isinstance(t, (dict, list, tuple)) or t is None for t in items):
                raise InputError("%s.%s.%s: must be a vCenter group name or a list of them" % (where, claim, group))


def _as_written(value):
    """A list option as the user wrote it (a single string as a list of one): no sorting, no de-duplication."""
    return _str_list(value)


def _api_query_params(value):
    """{name: [values]} in the user's order (a single value may be written as a string)."""
    if not isinstance(value, dict):
        return value
    return dict((str(k), _str_list(v)) for k, v in value.items())


def _api_claim_map(value):
    """claim_map in the user's order (a single vCenter group may be written as a string)."""
    if not isinstance(value, dict):
        return value
    out = {}
    for claim, mapping in value.items():
        out[str(claim)] = (dict((str(g), _str_list(v)) for g, v in mapping.items())
                           if isinstance(mapping, dict) else mapping)
    return out


def _federation_message(version, values, keys):
    since = max(FEDERATION_SINCE.get(v, (8, 0, 1)) for v in values)
    return ("federation_type: this vCenter's API is vSphere API %s, and federation_type %s needs vSphere API %s or "
            "later (DIRECT_FEDERATION and INDIRECT_FEDERATION came with 8.0.1, VMWARE_SSO_FEDERATION with 9.0); "
            "leave federation_type out for this vCenter, or upgrade it. Nothing was written (identity provider(s) %s)"
            % (version_text(version), " / ".join(sorted(set(values))), version_text(since),
               ", ".join(repr(k) for k in keys)))


def _api_ldap(ldap):
    out = dict((k, copy.deepcopy(v)) for k, v in ldap.items() if k != "cert_chain" and v is not None)
    if ldap.get("cert_chain") is not None:
        out["cert_chain"] = {"cert_chain": list(ldap["cert_chain"])}
    return out


# ---------------------------------------------------------------------------- the resource
class IdentityProvider(Resource):
    """A vCenter identity provider, in option space.

    The key is ``name`` (not unique on the server: an ambiguous name fails unless ``provider_id``
    is given). ``protected`` accepts provider ids too: the first read protects the name of a provider
    whose id is protected, so overridden and deleted never remove it.
    """

    service = SERVICE
    kind = "identity provider"
    key = "name"
    secret_fields = SECRET_PATHS
    defaults = {"domain_names": [], "auth_query_params": {}, "org_ids": [], "upn_claim": "acct", "groups_claim": ""}

    def builtin_keys(self, task):
        # overridden never deletes a provider whose name the task lists: such a provider is either the
        # one an entry addresses, or one of several that share an ambiguous name (that entry fails)
        if task.state == "overridden":
            return tuple(sorted(set(e["name"] for e in task.entries if e.get("name"))))
        return ()

    # -- validation ----------------------------------------------------------
    def validate(self, task, entry, where):
        name, pid = entry.get("name"), entry.get("provider_id")
        if name is None and pid is None:
            raise InputError("%sname: set name (or provider_id) to say which identity provider" % where)
        if name is not None and not name.strip():
            raise InputError("%sname: must not be empty" % where)
        if pid is not None and not pid.strip():
            raise InputError("%sprovider_id: must not be empty" % where)
        if task.state == "deleted":
            return
        tag, oidc, oauth2 = entry.get("config_tag"), entry.get("oidc"), entry.get("oauth2")
        if oidc is not None and oauth2 is not None:
            raise InputError("%soidc, oauth2: give one of them (with config_tag oidc or oauth2), not both" % where)
        if tag == "oidc" and oauth2 is not None:
            raise InputError("%soauth2: is only used with config_tag=oauth2 (config_tag is oidc)" % where)
        if tag == "oauth2" and oidc is not None:
            raise InputError("%soidc: is only used with config_tag=oidc (config_tag is oauth2)" % where)
        if oidc is not None:
            _check_url(where + "oidc.discovery_endpoint", oidc.get("discovery_endpoint"))
            _check_secret(where + "oidc.client_secret", oidc.get("client_secret"))
            _check_claim_map(where + "oidc.claim_map", oidc.get("claim_map"))
            if not (oidc.get("client_id") or "").strip():
                raise InputError("%soidc.client_id: must not be empty" % where)
        if oauth2 is not None:
            for field in ("auth_endpoint", "token_endpoint", "public_key_uri"):
                _check_url(where + "oauth2." + field, oauth2.get(field))
            _check_secret(where + "oauth2.client_secret", oauth2.get("client_secret"))
            _check_claim_map(where + "oauth2.claim_map", oauth2.get("claim_map"))
            _check_query_params(where + "oauth2.auth_query_params", oauth2.get("auth_query_params"))
            for field in ("client_id", "issuer"):
                if not (oauth2.get(field) or "").strip():
                    raise InputError("%soauth2.%s: must not be empty" % (where, field))
        for index, domain in enumerate(entry.get("domain_names") or []):
            if not domain or not domain.strip() or "/" in domain or " " in domain.strip():
                raise InputError("%sdomain_names[%d]: %r is not a domain name (for example corp.example.com)"
                                 % (where, index, domain))
        for index, org in enumerate(entry.get("org_ids") or []):
            if not (org or "").strip():
                raise InputError("%sorg_ids[%d]: must not be empty" % (where, index))
        _check_query_params(where + "auth_query_params", entry.get("auth_query_params"))
        protocol, endpoints, ldap = entry.get("idm_protocol"), entry.get("idm_endpoints"), \
            entry.get("active_directory_over_ldap")
        if endpoints is not None:
            if not endpoints:
                raise InputError("%sidm_endpoints: give at least one endpoint (vCenter refuses an empty list)" % where)
            if protocol == "LDAP":
                raise InputError("%sidm_endpoints: are used with idm_protocol REST, SCIM or SCIM2_0; LDAP uses "
                                 "active_directory_over_ldap.server_endpoints" % where)
            for index, endpoint in enumerate(endpoints):
                _check_url("%sidm_endpoints[%d]" % (where, index), endpoint)
        if protocol == "LDAP" and ldap is None:
            raise InputError("%sactive_directory_over_ldap: is required with idm_protocol=LDAP" % where)
        if ldap is not None:
            if protocol is not None and protocol != "LDAP":
                raise InputError("%sactive_directory_over_ldap: is only used with idm_protocol=LDAP (idm_protocol is "
                                 "%s)" % (where, protocol))
            _check_secret(where + "active_directory_over_ldap.password", ldap.get("password"))
            servers = ldap.get("server_endpoints") or []
            if not servers:
                raise InputError("%sactive_directory_over_ldap.server_endpoints: give at least one server" % where)
            for index, server in enumerate(servers):
                _check_url("%sactive_directory_over_ldap.server_endpoints[%d]" % (where, index), server,
                           schemes=("ldap", "ldaps"))
            if ldap.get("cert_chain") is not None and not [c for c in ldap["cert_chain"] if (c or "").strip()]:
                raise InputError("%sactive_directory_over_ldap.cert_chain: give at least one PEM certificate, or leave "
                                 "it out" % where)
        if entry.get("upn_claim") is not None and not entry["upn_claim"].strip():
            raise InputError("%supn_claim: must not be empty (vCenter's default is acct)" % where)

    # -- canonical form ------------------------------------------------------
    def desired(self, task, entry):
        want = {}
        for key in ("name", "provider_id", "is_default", "upn_claim", "groups_claim", "idm_protocol",
                    "federation_type"):
            if entry.get(key) is not None:
                want[key] = entry[key]
        tag = entry.get("config_tag")
        if tag is None and entry.get("oauth2") is not None:
            tag = "oauth2"
        elif tag is None and entry.get("oidc") is not None:
            tag = "oidc"
        if tag is not None:
            want["config_tag"] = tag
        if entry.get("domain_names") is not None:
            want["domain_names"] = _set_list(entry["domain_names"], lower=True)
        for key in ("org_ids", "idm_endpoints"):
            if entry.get(key) is not None:
                want[key] = _set_list(entry[key])
        if entry.get("auth_query_params") is not None:
            want["auth_query_params"] = _query_params(entry["auth_query_params"])
        for key in ("oidc", "oauth2"):
            spec = entry.get(key)
            if spec is None:
                continue
            sub = dict((k, copy.deepcopy(v)) for k, v in spec.items() if v is not None)
            if "claim_map" in sub:
                sub["claim_map"] = _claim_map(sub["claim_map"])
            elif task.full:
                sub["claim_map"] = {}
            if key == "oauth2":
                if "auth_query_params" in sub:
                    sub["auth_query_params"] = _query_params(sub["auth_query_params"])
                elif task.full:
                    sub["auth_query_params"] = {}
            want[key] = sub
        ldap = entry.get("active_directory_over_ldap")
        if ldap is not None:
            sub = dict((k, copy.deepcopy(v)) for k, v in ldap.items() if v is not None)
            if "server_endpoints" in sub:
                sub["server_endpoints"] = [s.strip() for s in _str_list(sub["server_endpoints"])]
            if "cert_chain" in sub:
                sub["cert_chain"] = _pem_list(sub["cert_chain"])
            want["active_directory_over_ldap"] = sub
        return want

    def normalize(self, task, raw):
        summary = raw.get("summary") or {}
        info = raw.get("info")
        src = info if info is not None else summary
        pid = summary.get("provider")
        tag = str(src.get("config_tag") or summary.get("config_tag") or "")
        canon = {
            "provider_id": pid,
            "name": src.get("name", summary.get("name", "")) or "",
            "config_tag": OPTION_TAG.get(tag.lower(), tag.lower()),
            "is_default": bool(src.get("is_default", summary.get("is_default"))),
            "domain_names": _set_list(src.get("domain_names") or summary.get("domain_names"), lower=True),
            "auth_query_params": _query_params(src.get("auth_query_params") or summary.get("auth_query_params") or {}),
        }
        federation = src.get("federation_type") or summary.get("federation_type")
        if federation:
            canon["federation_type"] = federation
        if info is not None:
            canon["org_ids"] = _set_list(info.get("org_ids"))
            canon["upn_claim"] = info.get("upn_claim") or "acct"
            canon["groups_claim"] = info.get("groups_claim") or ""
            if info.get("idm_protocol"):
                canon["idm_protocol"] = info["idm_protocol"]
            if info.get("idm_endpoints"):
                canon["idm_endpoints"] = _set_list(info["idm_endpoints"])
            ldap = info.get("active_directory_over_ldap")
            if isinstance(ldap, dict):
                sub = {}
                for field in ("user_name", "users_base_dn", "groups_base_dn"):
                    if ldap.get(field) is not None:
                        sub[field] = ldap[field]
                sub["server_endpoints"] = [str(s) for s in ldap.get("server_endpoints") or []]
                chain = (ldap.get("cert_chain") or {}).get("cert_chain") if isinstance(ldap.get("cert_chain"), dict) \
                    else ldap.get("cert_chain")
                if chain:
                    sub["cert_chain"] = _pem_list(chain)
                sub["password"] = _secret(task, pid, "active_directory_over_ldap.password", ldap.get("password"),
                                          None)
                canon["active_directory_over_ldap"] = sub
        for key, fields in (("oidc", ("discovery_endpoint", "client_id")),
                            ("oauth2", ("auth_endpoint", "token_endpoint", "client_id"))):
            if canon["config_tag"] != key:
                continue
            s_sub = summary.get(key) if isinstance(summary.get(key), dict) else {}
            i_sub = info.get(key) if info is not None and isinstance(info.get(key), dict) else None
            if not s_sub and i_sub is None:
                continue
            sub = {}
            for field in fields:
                value = (i_sub or {}).get(field, s_sub.get(field))
                if value is not None:
                    sub[field] = value
            if key == "oauth2":
                sub["auth_query_params"] = _query_params(((i_sub or s_sub).get("auth_query_params")) or {})
            if i_sub is not None:
                sub["claim_map"] = _claim_map(i_sub.get("claim_map") or {})
                if key == "oauth2":
                    for field in ("public_key_uri", "issuer", "authentication_method"):
                        if i_sub.get(field) is not None:
                            sub[field] = i_sub[field]
            header = s_sub.get("authentication_header")
            if isinstance(header, str) and not _is_masked(header):
                task.add_secret(header)
            sub["client_secret"] = _secret(task, pid, key + ".client_secret", (i_sub or {}).get("client_secret"),
                                           header_secret(header, sub.get("client_id")))
            canon[key] = sub
        return canon

    def key_of(self, canon):
        name = canon.get("name")
        return name if name is not None else canon.get("provider_id")

    def match(self, task, want, existing):
        pid = want.get("provider_id")
        where = task.where.get(self.key_of(want), "")
        if pid is not None:
            for item in existing:
                if item["canon"].get("provider_id") == pid:
                    return item
            if task.state == "deleted":
                return None
            raise ItemFailure("provider_id %r: vCenter has no identity provider with this id. vCenter assigns the id "
                              "when it creates a provider: leave provider_id out to create one by name" % pid,
                              option=where + "provider_id")
        name = want.get("name")
        found = [item for item in existing if item["canon"].get("name") == name]
        if len(found) > 1:
            raise ItemFailure("name %r matches %d identity providers (provider_id %s); set provider_id to choose one"
                              % (name, len(found), ", ".join(str(i["canon"].get("provider_id")) for i in found)),
                              option=where + "provider_id")
        return found[0] if found else None

    def match_written(self, task, hint, want, fresh):
        if hint is not None:
            for item in fresh:
                if item["canon"].get("provider_id") == hint:
                    return item
        try:
            return self.match(task, want, fresh)
        except ItemFailure:
            return None

    def equal(self, task, field, want, have, item):
        if field == "is_default":
            if want or not have:
                return bool(want) == bool(have)
            default_wanted = task.state != "deleted" and any(e.get("is_default") for e in task.entries)
            if not default_wanted:
                task.warn("identity provider %r is the default provider and is_default=false cannot change that: "
                          "vCenter has no call to unset the default; set is_default=true on the provider that "
                          "should be the default instead" % (self.key_of(item["canon"]) if item else None,))
            return True
        if field in ("oidc", "oauth2", "active_directory_over_ldap"):
            if not isinstance(have, dict) or not isinstance(want, dict):
                return want == have
            secret = "password" if field == "active_directory_over_ldap" else "client_secret"
            for sub, value in want.items():
                if sub == secret:
                    if not secret_equal(task, value, have.get(sub)):
                        return False
                elif value != have.get(sub):
                    return False
            return True
        return want == have

    def written(self, task, field, want, have, item):
        """The read-back check of one written field. ``is_default: true`` must read back as the default;
        ``false`` is vCenter's to decide (the first provider is always the default, nothing clears the flag),
        so it is not checked and does not warn again. Every other field as :meth:`equal` compares it."""
        if field == "is_default":
            return bool(have) or not want
        return self.equal(task, field, want, have, item)

    # -- reading -------------------------------------------------------------
    def list_summaries(self):
        response = self.conn.request("GET", PROVIDERS_PATH)
        data = response.json
        if isinstance(data, dict) and isinstance(data.get("value"), list):
            data = data["value"]
        if not isinstance(data, list):
            raise ApiError(SERVICE, "GET", PROVIDERS_PATH, status=response.status,
                           vendor_text="expected a JSON list of identity providers, got %s" % type(data).__name__)
        return [s for s in data if isinstance(s, dict) and s.get("provider")]

    def get_info(self, pid):
        """The Info of one provider, or None when it is gone (deleted since the list)."""
        path = "%s/%s" % (PROVIDERS_PATH, quote_path(pid))
        response = self.conn.request("GET", path, allow_status=(404,))
        if response.status == 404:
            return None
        data = response.json
        if isinstance(data, dict) and isinstance(data.get("value"), dict) and "config_tag" not in data:
            data = data["value"]
        if not isinstance(data, dict):
            raise ApiError(SERVICE, "GET", path, status=response.status,
                           vendor_text="expected a JSON object, got %s" % type(data).__name__)
        return data

    def needs_info(self, task, want, summary):
        """Whether comparing ``want`` needs the provider's Info (one GET), beside the list's Summary."""
        if task.state == "deleted":
            return False
        if task.full:
            return True
        if set(want) & INFO_ONLY:
            return True
        for field in ("name", "domain_names", "auth_query_params"):
            if field in want and field not in summary:
                return True
        for key in ("oidc", "oauth2"):
            sub = want.get(key)
            if not sub:
                continue
            if set(sub) & INFO_ONLY_SUB[key]:
                return True
            s_sub = summary.get(key) if isinstance(summary.get(key), dict) else {}
            if any(f not in s_sub for f in sub if f not in INFO_ONLY_SUB[key] and f != "client_secret"):
                return True
            if "client_secret" in sub and header_secret(s_sub.get("authentication_header"),
                                                        s_sub.get("client_id")) is None:
                return True
        return False

    def read_all(self, task, keys=None):
        summaries = self.list_summaries()
        infos = {}
        first = task.existing is None
        if first:
            task.memo[LIVE] = len(summaries)
            self._protect_by_id(task, summaries, infos)
        created = task.memo.setdefault(CREATED, set())
        summaries = self._settle_duplicates(task, summaries, infos)
        self._check_federation(task, summaries, infos)
        if task.state == "gathered":
            need = set(s["provider"] for s in summaries)
        else:
            need = set(created)
            for want in [self.desired(task, entry) for entry in task.entries]:
                if keys is not None and self.key_of(want) not in keys:
                    continue
                found = self._addressed(want, summaries, infos)
                if len(found) == 1 and self.needs_info(task, want, found[0]):
                    need.add(found[0]["provider"])
        raws = []
        for summary in summaries:
            pid = summary["provider"]
            if pid in infos:
                info = infos[pid]
            elif pid in need:
                info = self.get_info(pid)
            else:
                raws.append({"summary": summary, "info": None})
                continue
            if info is not None:  # None: deleted since the list
                raws.append({"summary": summary, "info": info})
        return raws

    def _addressed(self, want, summaries, infos):
        """The summaries ``want`` addresses: by provider_id when it has one, else by name."""
        if want.get("provider_id") is not None:
            return [s for s in summaries if s["provider"] == want["provider_id"]]
        return [s for s in summaries if self._name_of(s, infos) == want.get("name")]

    def _name_of(self, summary, infos):
        if "name" in summary:
            return summary.get("name") or ""
        pid = summary["provider"]
        if pid not in infos:
            infos[pid] = self.get_info(pid)
        return ((infos.get(pid) or {}).get("name")) or ""

    def _protect_by_id(self, task, summaries, infos):
        """``protected`` may name provider ids: the first read protects the names of those providers (the
        key the engine compares), so overridden and deleted never remove them."""
        for summary in summaries:
            if summary["provider"] in task.protected:
                task.protected.add(self._name_of(summary, infos))

    def _settle_duplicates(self, task, summaries, infos):
        """Names are not unique: two runs that read at the same moment may each create the provider.

        After this run's creates, a provider of the same name listed before ours wins (vCenter lists
        in a stable order, so every racing run picks the same one): ours is deleted and the task goes
        on with that one, with a warning. Without a race this costs nothing (it uses the read-back list).
        """
        created = task.memo.setdefault(CREATED, set())
        gone = set()
        for pid in sorted(created):
            mine = [s for s in summaries if s["provider"] == pid]
            if not mine:
                continue
            name = self._name_of(mine[0], infos)
            same = [s for s in summaries if s["provider"] not in gone and self._name_of(s, infos) == name]
            first = same[0]["provider"]
            if len(same) < 2 or first == pid:
                continue
            self.conn.request("DELETE", "%s/%s" % (PROVIDERS_PATH, quote_path(pid)), expected=(200, 204),
                              allow_status=(404,))
            gone.add(pid)
            created.discard(pid)
            if first not in created:
                created.add(first)
                task.warn("identity provider %r was created by another run at the same time (provider_id %s); the "
                          "one this run created (provider_id %s) was deleted again and the task goes on with the "
                          "other" % (name, first, pid))
        return [s for s in summaries if s["provider"] not in gone]

    def _check_federation(self, task, summaries, infos):
        """Before any write: when an entry's federation_type would be written (a create, or a provider that
        shows another value), make sure the server's API has it; fail the task otherwise.

        Costs nothing when no entry sets federation_type, or every provider already shows the value asked
        for (a rerun). A provider that shows any federation_type proves 8.0.1 (VMWARE_SSO_FEDERATION: 9.0);
        otherwise the release is read once (the connection's api_version)."""
        if task.memo.get(CHECKED) or task.state in ("deleted", "gathered"):
            return
        task.memo[CHECKED] = True
        needed, keys = set(), []
        for entry in task.entries:
            value = entry.get("federation_type")
            if value is None:
                continue
            want = self.desired(task, entry)
            found = self._addressed(want, summaries, infos)
            if len(found) == 1 and (found[0].get("federation_type") or
                                    (infos.get(found[0]["provider"]) or {}).get("federation_type")) == value:
                continue
            needed.add(value)
            keys.append(self.key_of(want))
        if not needed:
            return
        since = max(FEDERATION_SINCE.get(v, (8, 0, 1)) for v in needed)
        shown = set(s.get("federation_type") for s in summaries if s.get("federation_type"))
        if shown and since <= ((9, 0, 0) if "VMWARE_SSO_FEDERATION" in shown else (8, 0, 1)):
            return
        getter = getattr(self.conn, "api_version", None)
        version = getter() if getter is not None else None
        if version is None:
            task.warn("federation_type: the vSphere API release of this vCenter could not be read (%s); "
                      "federation_type is sent, and the read-back shows whether vCenter kept it" % VERSIONS_PATH)
            return
        task.memo[VERSION] = version
        too_old = sorted(v for v in needed if version < FEDERATION_SINCE.get(v, (8, 0, 1)))
        if too_old:
            # the whole task fails before its first write
            raise ItemFailure(_federation_message(version, too_old, keys), option="federation_type")

    def read_selected(self, name=None, provider_id=None):
        """Info module: the providers with this name / id (all when neither is given), with their Info."""
        out = []
        for summary in self.list_summaries():
            if provider_id is not None and summary["provider"] != provider_id:
                continue
            if name is not None and (summary.get("name") or "") != name:
                continue
            info = self.get_info(summary["provider"])
            if info is not None:
                out.append({"summary": summary, "info": info})
        return out

    def view(self, task, raw):
        """The info module's view: the canonical form plus the discovered, read-only fields, masked."""
        canon = self.mask(self.normalize(task, raw))
        summary, info = raw.get("summary") or {}, raw.get("info") or {}
        for key in ("oidc", "oauth2"):
            if key not in canon:
                continue
            s_sub = summary.get(key) if isinstance(summary.get(key), dict) else {}
            i_sub = info.get(key) if isinstance(info.get(key), dict) else {}
            for field in READ_ONLY_SUB:
                value = i_sub.get(field, s_sub.get(field))
                if value is not None:
                    canon[key][field] = value
            if s_sub.get("authentication_header") is not None:
                canon[key]["authentication_header"] = MASK if s_sub["authentication_header"] else ""
        return canon

    # -- writing -------------------------------------------------------------
    def _federation_allowed(self, task, value, key):
        """Fail this item before its write when the server's API is known to lack ``federation_type`` ``value``."""
        version = task.memo.get(VERSION)
        if value and version and version < FEDERATION_SINCE.get(value, (8, 0, 1)):
            raise ItemFailure(_federation_message(version, [value], [key]),
                              option=task.where.get(key, "") + "federation_type")

    def create_payload(self, task, want, given, replacing=None):
        key = self.key_of(want)
        where = task.where.get(key, "")
        tag = want.get("config_tag")
        if tag is None or not want.get(tag):
            raise ItemFailure("identity provider %r does not exist and creating it needs oidc (discovery_endpoint, "
                              "client_id, client_secret), or oauth2 with config_tag=oauth2" % key,
                              option=where + "oidc")
        self._federation_allowed(task, want.get("federation_type"), key)
        payload = {"config_tag": API_TAG[tag]}
        for field in ("name", "is_default", "idm_protocol", "upn_claim", "federation_type"):
            if want.get(field) is not None:
                payload[field] = _api_value(field, want, given)
        if want.get("groups_claim"):
            payload["groups_claim"] = _api_value("groups_claim", want, given)
        for field in ("domain_names", "org_ids", "idm_endpoints", "auth_query_params"):
            if want.get(field) is not None:
                payload[field] = _api_value(field, want, given)
        spec = _api_sub(tag, want, given)
        spec.setdefault("claim_map", {})
        payload[tag] = spec
        ldap = want.get("active_directory_over_ldap")
        if ldap is not None:
            if any(str(e).lower().startswith("ldaps://") for e in ldap.get("server_endpoints") or []) \
                    and not ldap.get("cert_chain"):
                raise ItemFailure("identity provider %r does not exist and creating it with an ldaps:// server needs "
                                  "active_directory_over_ldap.cert_chain (the PEM certificate chain of the LDAP "
                                  "servers)" % key, option=where + "active_directory_over_ldap.cert_chain")
            payload["active_directory_over_ldap"] = _api_ldap(_api_ldap_of(want, given))
        live = task.memo.get(LIVE) or 0
        if replacing is not None:  # the provider it replaces is deleted first
            live = max(0, live - 1)
        task.memo.setdefault(DEFAULT_OF, {})[key] = bool(want.get("is_default")) or live == 0
        task.memo[LIVE] = live + 1
        return payload

    def update_payload(self, task, item, want, changed, given):
        return self._plan_update(task, item, want, changed, given)[0]

    def _plan_update(self, task, item, want, changed, given):
        """(PATCH body, predicted canonical state): only the fields that differ, with the user's values."""
        have = item["canon"]
        tag = have.get("config_tag")
        payload = {"config_tag": API_TAG.get(tag, tag)}
        new = copy.deepcopy(have)
        for field in changed:
            value = copy.deepcopy(want.get(field))
            if field in ("provider_id", "config_tag"):
                continue
            if field == "is_default":
                if value:
                    payload["make_default"] = True
                    new["is_default"] = True
            elif field == "groups_claim" and value == "":
                payload["reset_groups_claim"] = True
                new[field] = ""
            elif field in ("oidc", "oauth2"):
                sub_payload, sub_new = {}, copy.deepcopy(have.get(field) or {})
                api_sub = _api_sub(field, want, given)
                for sub, sub_value in value.items():
                    if sub == "client_secret":
                        if secret_equal(task, sub_value, sub_new.get(sub)):
                            continue
                    elif sub_value == sub_new.get(sub):
                        continue
                    sub_payload[sub] = api_sub[sub]
                    sub_new[sub] = copy.deepcopy(sub_value)
                payload[field] = sub_payload
                new[field] = sub_new
            elif field == "active_directory_over_ldap":
                kept = dict((k, v) for k, v in (have.get(field) or {}).items() if k != "password")
                merged = dict(kept, **value)
                sent = dict(kept, **_api_ldap_of(want, given))
                payload[field] = _api_ldap(sent)
                new[field] = merged
            else:
                if field == "federation_type":
                    self._federation_allowed(task, value, self.key_of(want))
                payload[field] = _api_value(field, want, given)
                new[field] = value
        return payload, new

    def predict(self, task, item, want, changed, payload):
        if item is not None:
            return self._plan_update(task, item, want, changed, {})[1]
        tag = want.get("config_tag")
        canon = {
            "name": want.get("name", ""),
            "config_tag": tag,
            "is_default": bool((task.memo.get(DEFAULT_OF) or {}).get(self.key_of(want))),
            "domain_names": copy.deepcopy(want.get("domain_names", [])),
            "auth_query_params": copy.deepcopy(want.get("auth_query_params", {})),
            "org_ids": copy.deepcopy(want.get("org_ids", [])),
            "upn_claim": want.get("upn_claim") or "acct",
            "groups_claim": want.get("groups_claim") or "",
        }
        for field in ("idm_protocol", "idm_endpoints", "active_directory_over_ldap", "federation_type"):
            if want.get(field):
                canon[field] = copy.deepcopy(want[field])
        if tag and want.get(tag):
            sub = copy.deepcopy(want[tag])
            sub.setdefault("claim_map", {})
            if tag == "oauth2":
                sub.setdefault("auth_query_params", {})
            canon[tag] = sub
        return canon

    def send_create(self, task, payload, want):
        """POST the CreateSpec; never blindly again, since names are not unique and a second POST
        would create a second provider.

        The POST goes out without automatic retries. When its outcome is unclear (no answer, 408, 429,
        5xx), the list is read again (``confirm_write``): a new provider with this name is taken as ours;
        otherwise a POST the server cannot have processed (429, 503, a refused connection) is sent again
        after a backoff, as often as the client retries a request.
        """
        name = payload.get("name", "")

        def send():
            response = self.conn.request("POST", PROVIDERS_PATH, json_body=payload, expected=(200, 201),
                                         retry=False, settle=SERVER_FAILURES)
            pid = response.json
            if isinstance(pid, dict):
                pid = pid.get("value")
            if not isinstance(pid, str) or not pid:
                raise ApiError(SERVICE, "POST", PROVIDERS_PATH, status=response.status,
                               vendor_text="the response holds no provider id")
            return pid

        pid = confirm_write(task, send, lambda: self._landed(task, name) or False, "create",
                            resends=self.conn.retries)
        task.memo.setdefault(CREATED, set()).add(pid)
        _remember_secrets(task, pid, payload)
        return pid

    def _landed(self, task, name):
        """The id of a provider named ``name`` that the first read did not see, or None."""
        try:
            summaries = self.list_summaries()
        except ApiError:
            return None
        known = set(item["canon"].get("provider_id") for item in task.existing or ())
        known |= task.memo.get(CREATED, set())
        infos = {}
        for summary in summaries:
            if summary["provider"] not in known and self._name_of(summary, infos) == name:
                return summary["provider"]
        return None

    def send_update(self, task, item, payload, want):
        pid = item["canon"]["provider_id"]
        self.conn.request("PATCH", "%s/%s" % (PROVIDERS_PATH, quote_path(pid)), json_body=payload,
                          expected=(200, 204))
        _remember_secrets(task, pid, payload)
        return pid

    def send_delete(self, task, item):
        pid = item["canon"]["provider_id"]
        self.conn.request("DELETE", "%s/%s" % (PROVIDERS_PATH, quote_path(pid)), expected=(200, 204),
                          allow_status=(404,))

    def recreate_needed(self, task, item, want):
        tag = want.get("config_tag")
        if tag is not None and tag != item["canon"].get("config_tag"):
            return ["config_tag"]
        return []

    def mask_payload(self, payload):
        out = copy.deepcopy(payload)
        for path in SECRET_PATHS:
            key, sub = path.split(".")
            if isinstance(out.get(key), dict) and out[key].get(sub) is not None:
                out[key][sub] = MASK
        return out


def secret_equal(task, want, have):
    """A secret compared under the task's update_secret policy (MASK: set, but not shown)."""
    return task.secret_unchanged(want, None if have is None or have == MASK else have)


def _secret(task, pid, path, shown, from_header):
    """A secret in canonical form: the clear value when the server reveals it (or this task just sent
    it), else MASK, which means "set, but not shown"."""
    if shown is not None and not _is_masked(shown):
        task.add_secret(shown)
        return shown
    if from_header is not None:
        task.add_secret(from_header)
        return from_header
    sent = task.memo.get(SENT) or {}
    if (pid, path) in sent:
        return sent[(pid, path)]
    return MASK


def _remember_secrets(task, pid, payload):
    sent = task.memo.setdefault(SENT, {})
    for path in SECRET_PATHS:
        key, sub = path.split(".")
        value = (payload.get(key) or {}).get(sub)
        if value is not None:
            sent[(pid, path)] = value


def _api_value(field, want, given):
    """The API form of the user's value of a top-level field (the canonical value when the user left it
    out, e.g. a default that replaced adds)."""
    value = given.get(field)
    if value is None:
        return copy.deepcopy(want.get(field))
    if field in ("domain_names", "org_ids", "idm_endpoints"):
        return _as_written(value)
    if field == "auth_query_params":
        return _api_query_params(value)
    return copy.deepcopy(value)


def _api_sub(key, want, given):
    """The API form of the user's oidc / oauth2 spec (the canonical one for what the user left out)."""
    out = dict((k, copy.deepcopy(v)) for k, v in (want.get(key) or {}).items())
    for sub, value in (given.get(key) or {}).items():
        if value is None:
            continue
        if sub == "claim_map":
            value = _api_claim_map(value)
        elif sub == "auth_query_params":
            value = _api_query_params(value)
        out[sub] = copy.deepcopy(value)
    return out


def _api_ldap_of(want, given):
    out = dict((k, copy.deepcopy(v)) for k, v in (want.get("active_directory_over_ldap") or {}).items())
    for sub, value in (given.get("active_directory_over_ldap") or {}).items():
        if value is not None:
            out[sub] = _as_written(value) if sub == "server_endpoints" else copy.deepcopy(value)
    return out


# ---------------------------------------------------------------------------- the modules
def run_info(sm):
    """vcenter_identity_provider_info: one provider (by name or id) or all."""
    res = IdentityProvider(connect(sm))
    task = task_of(sm, res, "gathered", [])
    name, pid = sm.params.get("name"), sm.params.get("provider_id")
    providers = [res.view(task, raw) for raw in res.read_selected(name=name, provider_id=pid)]
    if pid is not None:
        what = "identity provider %r" % pid
    elif name is not None:
        what = "identity provider(s) named %r" % name
    else:
        what = "identity provider(s)"
    sm.exit(changed=False, providers=providers, msg="%d %s found" % (len(providers), what), api_calls=sm.api_calls())


#: vcenter_identity_provider
SINGLE = single_module(connection_options, resource_options, connect, IdentityProvider,
                       mutually_exclusive=[("oidc", "oauth2")], required_one_of=[("name", "provider_id")])
#: vcenter_identity_providers: one login, one list, then only the writes that differ
SET = set_module(connection_options, resource_options, connect, IdentityProvider)
#: vcenter_identity_provider_info
INFO = info_module(info_options, run_info, mutually_exclusive=[("name", "provider_id")])

# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the sso_rollout role: what the role sends to each module and how it reads the outcome.

The role holds no vendor facts and builds no data with Jinja: every entry it sends to a resource-set
module, every connection it passes as module_defaults, the verification of what it reads back and the
summary come from these functions (one documentation file per filter, next to this file).

* ``rollout_entries``: the module entries of one target kind from the one identity-provider definition.
* ``rollout_connections``: the connection options of each target kind, as its modules name them.
* ``rollout_repeated``: the keys given more than once, per kind.
* ``rollout_done``: the keys configured without failure, per kind.
* ``rollout_verified``: what an info module read back, next to what was configured.
* ``rollout_summary``: one record per target (created, updated, unchanged, failed, skipped) and the counts.
"""

from __future__ import annotations

import json
import re

from collections.abc import Mapping

from urllib.parse import urlsplit

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence

KINDS = ("wickr", "checkmarx", "slashid", "vcenter")
DEFAULT_SCOPES = ["openid", "profile", "email"]
DEFAULT_NAME = "sso-rollout"

# The connection options of each target kind, as its modules name them (tests/integration/test_role.py
# checks them against the modules' argument specs). Only those a section sets reach the modules.
CONNECTION_OPTIONS = {
    "idp": ("validate_certs", "ca_path", "timeout"),
    "wickr": ("access_key", "secret_key", "session_token", "profile", "region", "endpoint_url", "use_fips_endpoint",
              "use_dualstack_endpoint", "aws_ca_bundle", "validate_certs", "timeout"),
    "checkmarx": ("url", "token", "username", "password", "auth_client_id", "auth_client_secret", "ca_path",
                  "validate_certs", "timeout"),
    "slashid": ("org_id", "api_key", "api_url", "consistency", "consistency_timeout", "ca_path", "validate_certs",
                "timeout"),
    "vcenter": ("hostname", "username", "password", "session_id", "port", "ca_path", "validate_certs", "timeout"),
}
# The role-wide defaults (sso_rollout_ca_path, _validate_certs, _timeout) and the option each kind takes them in.
ROLE_WIDE = ("ca_path", "validate_certs", "timeout")
AZURE_TENANT = re.compile(r"^https://login\.microsoftonline\.com/([^/]+)")
# vCenter oauth2 endpoint options and the discovery-document fields they come from.
OAUTH2_ENDPOINTS = (("auth_endpoint", "authorization_endpoint"), ("token_endpoint", "token_endpoint"),
                    ("public_key_uri", "jwks_uri"))
VERIFY_FIELDS = {
    "wickr": ("issuer", "company_id"),
    "checkmarx": ("enabled", "redirect_uris"),
    "slashid": ("provider", "organization_url", "tenant"),
    "vcenter": ("config_tag", "endpoint", "client_id"),
}


# ------------------------------------------------------------------------------------------ helpers
def _dict(value, what):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AnsibleFilterError("%s must be a dictionary, got %s" % (what, type(value).__name__))
    return value


def _list(value, what):
    if value is None or value == "":
        return []
    if not is_sequence(value):
        raise AnsibleFilterError("%s must be a list, got %s" % (what, type(value).__name__))
    return list(value)


def _given(value, what):
    """The options of a dict that are set (None means 'not set', as in an argument spec)."""
    return dict((k, v) for k, v in _dict(value, what).items() if v is not None)


def _items(section, field, option):
    """The set options of each item of a target list (section[field]), named option.field[index] in errors."""
    for index, item in enumerate(_list(section.get(field), "%s.%s" % (option, field))):
        yield _given(item, "%s.%s[%d]" % (option, field, index))


def _copy(value):
    """A plain copy of a value Ansible passed in: new dicts and lists, the same leaves.

    Not ``copy.deepcopy``: on ansible-core 2.19 and later a value from a variable can be a lazily templated
    container, whose deep copy copies its templating context too (most of the plan's cost, per host).
    """
    if isinstance(value, Mapping):
        return dict((key, _copy(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_copy(item) for item in value]
    return value


def _merge(base, given):
    """Recursive merge (dicts merged, anything else replaced), like ansible.builtin.combine(recursive=True)."""
    out = _copy(base)
    for key, value in given.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = _copy(value)
    return out


def _scopes(idp):
    return list(idp.get("scopes") or DEFAULT_SCOPES)


def _discovery_url(idp):
    return idp.get("discovery_url") or (str(idp.get("issuer") or "").rstrip("/") + "/.well-known/openid-configuration")


def _origin(idp):
    parts = urlsplit(str(idp.get("issuer") or ""))
    return "%s://%s" % (parts.scheme, parts.netloc)


def _role_wide(defaults):
    return [(k, v) for k, v in ((k, _dict(defaults, "defaults").get(k)) for k in ROLE_WIDE) if v is not None]


def _same(want, have):
    if isinstance(want, (list, tuple)) and isinstance(have, (list, tuple)):
        return sorted(want, key=json.dumps) == sorted(have, key=json.dumps)
    return want == have


# ------------------------------------------------------------------------------------------ entries
def _wickr(idp, section):
    base = {"issuer": idp.get("issuer"), "scopes": _scopes(idp), "client_id": idp.get("client_id"),
            "secret": idp.get("client_secret")}
    if idp.get("ca_certificate"):
        base["ca_certificate"] = idp["ca_certificate"]
    if section.get("validate") is not None:
        base["validate"] = section["validate"]
    out = []
    for given in _items(section, "networks", "sso_rollout_wickr"):
        entry = dict(base)
        entry.update(given)
        entry["network_id"] = str(entry.get("network_id"))
        out.append(entry)
    return out


def _checkmarx(idp, section):
    out = []
    for given in _items(section, "clients", "sso_rollout_checkmarx"):
        entry = {"allowed_grant_types": ["authorization_code"], "allowed_scopes": _scopes(idp)}
        if given.get("require_client_secret", True):
            entry["client_secrets"] = [idp.get("client_secret")]
        for field in ("redirect_uris", "post_logout_redirect_uris"):
            if idp.get(field):
                entry[field] = list(idp[field])
        entry.update(given)
        out.append(entry)
    return out


def _slashid(idp, section):
    out = []
    for given in _items(section, "credentials", "sso_rollout_slashid"):
        provider = given.get("provider") or section.get("provider") or "okta"
        entry = {"client_id": idp.get("client_id"), "client_secret": idp.get("client_secret"), "provider": provider}
        if provider == "okta":
            entry["options"] = {"okta": {"organization_url": _origin(idp), "authorize_scopes": _scopes(idp)}}
        elif provider == "azuread":
            azure = {"authorize_scopes": _scopes(idp)}
            tenant = AZURE_TENANT.search(str(idp.get("issuer") or ""))
            if tenant:
                azure["tenant"] = tenant.group(1)
            entry["options"] = {"azuread": azure}
        out.append(_merge(entry, given))
    return out


def _vcenter(idp, vcenters, defaults, discovery):
    doc = _dict(_dict(discovery, "discovery").get("configuration"), "discovery.configuration")
    out = []
    for index, vc in enumerate(_list(vcenters, "sso_rollout_vcenter")):
        vc = _dict(vc, "sso_rollout_vcenter[%d]" % index)
        given = _given(vc.get("provider"), "sso_rollout_vcenter[%d].provider" % index)
        tag = given.get("config_tag") or "oidc"
        entry = {"name": idp.get("name") or DEFAULT_NAME, "config_tag": tag}
        claim_map = idp.get("claim_map") or {}
        if tag == "oidc":
            entry["oidc"] = {"discovery_endpoint": _discovery_url(idp), "client_id": idp.get("client_id"),
                             "client_secret": idp.get("client_secret"), "claim_map": claim_map}
        else:
            oauth2 = {"issuer": idp.get("issuer"), "client_id": idp.get("client_id"),
                      "client_secret": idp.get("client_secret"), "claim_map": claim_map,
                      "authentication_method": "CLIENT_SECRET_BASIC"}
            for field, meta in OAUTH2_ENDPOINTS:
                if meta in doc:
                    oauth2[field] = doc[meta]
            entry["oauth2"] = oauth2
        for field in ("upn_claim", "groups_claim"):
            if idp.get(field):
                entry[field] = idp[field]
        entry = _merge(entry, given)
        conn = dict((k, vc[k]) for k in CONNECTION_OPTIONS["vcenter"] if vc.get(k) is not None)
        for key, value in _role_wide(defaults):
            conn.setdefault(key, value)
        try:
            port = int(vc.get("port") or 443)
        except (TypeError, ValueError):
            raise AnsibleFilterError("sso_rollout_vcenter[%d].port: %r is not a port number" % (index, vc.get("port")))
        key = "%s%s/%s" % (vc.get("hostname") or "", "" if port == 443 else ":%d" % port, entry["name"])
        out.append({"vcenter": vc, "entry": entry, "connection": conn, "key": key})
    return out


def rollout_entries(idp, kind, section=None, defaults=None, discovery=None):
    """The module entries of one target kind (for vcenter: one target per vCenter, with its connection)."""
    idp = _dict(idp, "sso_rollout_idp")
    if kind == "wickr":
        return _wickr(idp, _dict(section, "sso_rollout_wickr"))
    if kind == "checkmarx":
        return _checkmarx(idp, _dict(section, "sso_rollout_checkmarx"))
    if kind == "slashid":
        return _slashid(idp, _dict(section, "sso_rollout_slashid"))
    if kind == "vcenter":
        return _vcenter(idp, section, defaults, discovery)
    raise AnsibleFilterError("rollout_entries: kind must be one of %s, got %r" % (", ".join(KINDS), kind))


# ------------------------------------------------------------------------------------------ connections
def rollout_connections(sections, defaults=None, token=None):
    """{kind: the connection options the section sets, plus the role-wide defaults it does not}."""
    out = {}
    for kind, section in _dict(sections, "sections").items():
        if kind not in CONNECTION_OPTIONS or kind == "vcenter":
            raise AnsibleFilterError("rollout_connections: unknown section %r (vCenter connections come with "
                                     "rollout_entries)" % kind)
        section = _dict(section, "sections.%s" % kind)
        conn = dict((k, section[k]) for k in CONNECTION_OPTIONS[kind] if section.get(k) is not None)
        for key, value in _role_wide(defaults):
            conn.setdefault("aws_ca_bundle" if kind == "wickr" and key == "ca_path" else key, value)
        if kind == "checkmarx" and token:
            conn["token"] = token
        out[kind] = conn
    return out


# ------------------------------------------------------------------------------------------ keys
def rollout_repeated(keys):
    """{kind: [keys given more than once]} for the kinds that repeat one (Checkmarx ignores case)."""
    out = {}
    for kind, values in _dict(keys, "keys").items():
        folded = [str(v).lower() if kind == "checkmarx" else v for v in _list(values, "keys.%s" % kind)]
        dupes = []
        for value in folded:
            if folded.count(value) > 1 and value not in dupes:
                dupes.append(value)
        if dupes:
            out[kind] = dupes
    return out


def _lower(key):
    return str(key).lower()


def _failed_keys(run):
    """The keys a set module reported in failed_keys: they failed even where the item's action says what was
    written (a write whose read-back did not show it keeps its action, created or updated)."""
    return set(_lower(k) for k in _list(run.get("failed_keys"), "failed_keys"))


def rollout_done(runs):
    """{kind: [keys configured without failure]} from the role's record of each configure task."""
    out = dict((kind, []) for kind in KINDS)
    for name, run in _dict(runs, "runs").items():
        kind = name.split(":")[0]
        if kind not in out:
            continue
        run = _dict(run, "runs.%s" % name)
        failed = _failed_keys(run)
        for result in _list(run.get("results"), "results"):
            if (result or {}).get("action", "failed") != "failed" and _lower(result.get("key")) not in failed:
                out[kind].append(name[len("vcenter:"):] if kind == "vcenter" else str(result.get("key")))
    return out


# ------------------------------------------------------------------------------------------ verify
def _record(kind, key, error, want, have):
    return {"kind": kind, "key": key, "error": error, "want": want, "have": have if error is None else {}}


def rollout_verified(read, kind, entries=None, done=None, target=None):
    """What the info module read back for each target configured without failure, next to what was configured."""
    read = _dict(read, "read")
    if target is not None:  # one info task for one target (not a loop): the target is its item
        read = {"results": [dict(read, item=_dict(target, "target"))]}
    out = []
    if kind in ("wickr", "vcenter"):  # one info task per target (a loop): the item is the entry / target
        for r in _list(read.get("results"), "read.results"):
            if not isinstance(r, dict) or "item" not in r:
                continue
            item = r["item"]
            if kind == "wickr":
                have = r.get("oidc_config")
                error = None if have is not None else (r.get("msg") or "no oidc_config returned")
                out.append(_record("wickr", item.get("network_id"), error,
                                   {"issuer": item.get("issuer"), "company_id": item.get("company_id")},
                                   {"issuer": (have or {}).get("issuer"), "company_id": (have or {}).get("company_id")}))
                continue
            want = item["entry"]
            tag = want.get("config_tag")
            providers = r.get("providers")
            found = [p for p in providers or [] if isinstance(p, dict) and p.get("name") == want.get("name")]
            have = found[0] if found else None
            if providers is None:
                error = r.get("msg") or "no providers returned"
            else:
                error = None if have is not None else "the identity provider is not on the vCenter"
            field = "discovery_endpoint" if tag == "oidc" else "issuer"
            mine = want.get(tag) or {}
            theirs = (have or {}).get(tag) or {}
            out.append(_record("vcenter", item["key"], error,
                               {"config_tag": tag, "endpoint": mine.get(field), "client_id": mine.get("client_id")},
                               {"config_tag": (have or {}).get("config_tag"), "endpoint": theirs.get(field),
                                "client_id": theirs.get("client_id")}))
        return out
    if kind not in ("checkmarx", "slashid"):
        raise AnsibleFilterError("rollout_verified: kind must be one of %s, got %r" % (", ".join(KINDS), kind))
    listed = read.get("clients" if kind == "checkmarx" else "credentials")
    configured = set(str(k) for k in _list(_dict(done, "done").get(kind), "done.%s" % kind))
    for want in _list(entries, "entries"):
        key = want.get("client_id")
        if key not in configured:
            continue
        found = [c for c in listed or [] if isinstance(c, dict) and c.get("client_id") == key]
        have = found[0] if found else None
        if listed is None:
            error = read.get("msg") or ("no clients returned" if kind == "checkmarx" else "no credentials returned")
        else:
            error = None if have is not None else ("the client is not on the server" if kind == "checkmarx"
                                                   else "the credential is not on the server")
        if kind == "checkmarx":
            theirs = have or {}
            out.append(_record(kind, key, error,
                               {"enabled": want.get("enabled", True), "redirect_uris": want.get("redirect_uris")},
                               {"enabled": theirs.get("enabled", True) if theirs.get("enabled") is not None else True,
                                "redirect_uris": theirs.get("redirect_uris") or []}))
        else:
            provider = want.get("provider")
            mine = (want.get("options") or {}).get(provider) or {}
            theirs = ((have or {}).get("options") or {}).get(provider) or {}
            out.append(_record(kind, key, error,
                               {"provider": provider, "organization_url": mine.get("organization_url"),
                                "tenant": mine.get("tenant")},
                               {"provider": (have or {}).get("provider"), "organization_url": theirs.get("organization_url"),
                                "tenant": theirs.get("tenant")}))
    return out


# ------------------------------------------------------------------------------------------ summary
def _problems(verified):
    out = {}
    for v in _list(verified, "verified"):
        found = []
        if v.get("error"):
            found.append("could not read it back: %s" % v["error"])
        else:
            have = v.get("have") or {}
            for field, want in (v.get("want") or {}).items():
                if want is None:
                    continue
                if not _same(want, have.get(field)):
                    found.append("%s is %s, expected %s" % (field, json.dumps(have.get(field)), json.dumps(want)))
        out["%s|%s" % (v.get("kind"), v.get("key"))] = found
    return out


def rollout_summary(runs, entries, verified=None, stop=False):
    """{'records': one per target, 'counts': per status, plus changed and total}."""
    runs = _dict(runs, "runs")
    entries = _dict(entries, "entries")
    targets = []
    for e in _list(entries.get("wickr"), "entries.wickr"):
        targets.append(("wickr", str(e.get("network_id")), runs.get("wickr"), str(e.get("network_id"))))
    for kind in ("checkmarx", "slashid"):
        for e in _list(entries.get(kind), "entries.%s" % kind):
            targets.append((kind, e.get("client_id"), runs.get(kind), e.get("client_id")))
    for t in _list(entries.get("vcenter"), "entries.vcenter"):
        targets.append(("vcenter", t["key"], runs.get("vcenter:" + t["key"]), t["entry"]["name"]))
    problems = _problems(verified)
    records = []
    for kind, key, run, result_key in targets:
        record = {"kind": kind, "key": key, "action": None, "changed": False, "verified": None,
                  "changed_fields": [], "msg": ""}
        if run is None:
            record["status"] = "skipped"
            record["msg"] = ("not configured: an earlier target failed and sso_rollout_fail_fast is true" if stop
                             else "not configured: its tag was not selected")
            records.append(record)
            continue
        for r in run.get("results") or []:
            if str(r.get("key")) == str(result_key) or _lower(r.get("key")) == _lower(result_key):
                record.update(action=r.get("action"), msg=r.get("msg") or "", changed_fields=r.get("changed_fields") or [])
                break
        if record["action"] is None:
            record["action"] = "failed"
            record["msg"] = run.get("msg") if run.get("failed") else "the module returned no result for it"
        status = "updated" if record["action"] == "recreated" else record["action"]
        record["changed"] = status in ("created", "updated", "deleted")
        if _lower(result_key) in _failed_keys(run):  # written (changed) and still failed: see _failed_keys
            status = "failed"
        record["status"] = status
        found = problems.get("%s|%s" % (kind, key))
        if found is not None:
            record["verified"] = not found
            if found:
                record["status"] = "failed"
                record["msg"] = "verify: " + "; ".join(found)
        records.append(record)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0, "skipped": 0}
    for record in records:
        counts[record["status"]] = counts.get(record["status"], 0) + 1
    counts["changed"] = counts["created"] + counts["updated"]
    counts["total"] = len(records)
    return {"records": records, "counts": counts}


def rollout_report(records, counts, issuer="", check_mode=False):
    """The printed summary: a head line, one line per target (and first, when a target failed, which failed)."""
    records = _list(records, "records")
    counts = _dict(counts, "counts")
    head = "SSO rollout of %s%s: %s target(s), %s created, %s updated, %s unchanged, %s failed%s" % (
        issuer, " (check mode: the plan; nothing was written)" if check_mode else "", counts.get("total", 0),
        counts.get("created", 0), counts.get("updated", 0), counts.get("unchanged", 0), counts.get("failed", 0),
        ", %s skipped" % counts["skipped"] if counts.get("skipped") else "")
    lines = [head]
    for record in records:
        line = "%-10s %-44s %s" % (record.get("kind"), record.get("key"), record.get("status"))
        if record.get("status") == "updated" and record.get("changed_fields"):
            line += " (%s)" % ", ".join(record["changed_fields"])
        if record.get("status") in ("failed", "skipped"):
            line += ": %s" % record.get("msg")
        lines.append(line)
    failed = [r for r in records if r.get("status") == "failed"]
    if failed:
        lines.insert(0, "The SSO rollout failed for %d of %d target(s): %s. See the summary below."
                     % (len(failed), len(records), ", ".join("%s %s" % (r.get("kind"), r.get("key")) for r in failed)))
    return lines


class FilterModule(object):
    def filters(self):
        return {
            "rollout_report": rollout_report,
            "rollout_entries": rollout_entries,
            "rollout_connections": rollout_connections,
            "rollout_repeated": rollout_repeated,
            "rollout_done": rollout_done,
            "rollout_verified": rollout_verified,
            "rollout_summary": rollout_summary,
        }

# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SlashID OIDC provider credentials for SSO (private: not part of the collection's public API).

Everything the SlashID API says about the resource, from its OpenAPI spec (SlashID API 1.1):

* ``/organizations/sso/oidc/provider-credentials`` (GET list with ``oauth_provider``,
  POST create answering 201 without ``result``) and ``.../{oauth_client_id}`` (GET, PATCH,
  DELETE); the path key is the provider's OAuth client_id, URL-encoded.
* A write answered with 408 ("consistency not reached in time, the write may still land") is
  followed by reads that tell what really happened (``confirm_write``, reads after 0, 1 and 2 s).
* ``client_secret`` is never returned; ``options.apple.private_key`` may or may not be.

The canonical form of a credential (``normalize``/``desired``) is in option space with the
provider's documented defaults filled in, so the answer is the same whether or not the
server fills them in: ``authorize_scopes`` is the effective set (the always-requested
default scopes first, then the others sorted), ``secret_lifetime`` is Go's
``time.Duration`` string (``720h0m0s``).

That form is for comparison only (the engine's rule): creates and updates send the options
exactly as the user wrote them (``authorize_scopes: [read:org]`` stays that, ``secret_lifetime:
720h`` stays ``720h``), also on a provider change with ``recreate``. Options the user left out
of an update's provider object (which the API replaces whole) keep the values the server
showed; only apple's required ``secret_lifetime`` gets its documented default on a create
without it.
"""

from __future__ import annotations

import copy
import re

from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, ApiError, quote_path, short_body
from ansible_collections.sso.oidc.plugins.module_utils._module import info_module, set_module, single_module
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import (
    InputError, ItemFailure, Resource, Task, confirm_write, text_key,
)
from ansible_collections.sso.oidc.plugins.module_utils._slashid_connection import (
    SERVICE, connect, connection_options,
)

COLLECTION_PATH = "/organizations/sso/oidc/provider-credentials"
KIND = "SlashID SSO credential"

PROVIDERS = ["google", "github", "bitbucket", "gitlab", "facebook", "line", "azuread", "okta", "apple"]

#: authorize_scopes defaults; the API always requests these scopes in addition to any listed.
DEFAULT_SCOPES = {
    "google": ("openid", "email", "profile"),
    "github": ("read:user", "user:email"),
    "bitbucket": ("account",),
    "gitlab": ("read_user",),
    "facebook": ("email", "public_profile"),
    "line": ("openid", "email", "profile"),
    "azuread": ("openid", "email", "profile", "User.Read"),
    "okta": ("openid", "email", "profile"),
    "apple": ("openid", "email", "name"),
}

#: the other provider options and their API defaults (apple's private_key, team_id and key_id have none)
PROVIDER_FIELDS = {
    "azuread": {"tenant": "common"},
    "okta": {"organization_url": ""},
    "apple": {"team_id": "", "key_id": "", "secret_lifetime": "720h0m0s"},
}

APPLE_REQUIRED = ("private_key", "team_id", "key_id")
MIN_LIFETIME = 300
MAX_LIFETIME = 15777000

#: after a 408, read the credential at once, then after 1 s and 2 s more
READBACK_DELAYS = (0.0, 1.0, 2.0)

WRITE_FIELDS = ("label", "external_cred_id", "enable_in_slashid_oidc_authz_server")


# ----------------------------------------------------------------------------- option specs
def _scopes_spec():
    return {"type": "list", "elements": "str"}


def provider_options():
    """The suboptions of ``options``: one dict per provider."""
    spec = dict((prov, {"type": "dict", "options": {"authorize_scopes": _scopes_spec()}}) for prov in PROVIDERS)
    spec["azuread"]["options"]["tenant"] = {"type": "str"}
    spec["okta"]["options"]["organization_url"] = {"type": "str"}
    spec["apple"]["options"].update({
        "private_key": {"type": "str", "no_log": True},
        "team_id": {"type": "str"},
        "key_id": {"type": "str", "no_log": False},
        "secret_lifetime": {"type": "str", "no_log": False},
    })
    return spec


def resource_options():
    """What the single module takes beside the connection (each entry of the set module, less update_secret)."""
    return {
        "client_id": {"type": "str", "required": True},
        "client_secret": {"type": "str", "no_log": True},
        "provider": {"type": "str", "choices": list(PROVIDERS)},
        "label": {"type": "str"},
        "external_cred_id": {"type": "str"},
        "enable_in_slashid_oidc_authz_server": {"type": "bool"},
        "options": {"type": "dict", "options": provider_options()},
        "update_secret": {"type": "str", "default": "on_create", "choices": ["on_create", "always"], "no_log": False},
        "recreate": {"type": "bool", "default": False},
    }


def info_options():
    """slashid_sso_cred_info."""
    spec = connection_options()
    spec["client_id"] = {"type": "str"}
    spec["provider"] = {"type": "str", "choices": list(PROVIDERS)}
    return spec


# ----------------------------------------------------------------------------- value helpers
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_GO_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")


def parse_duration(text):
    """Seconds in a Go ``time.Duration`` string ("720h", "1h30m", "300s"), or None when it is not one."""
    if not isinstance(text, str):
        return None
    body = text.strip()
    sign = 1.0
    if body[:1] in ("+", "-"):
        sign = -1.0 if body[0] == "-" else 1.0
        body = body[1:]
    if body == "0":
        return 0.0
    if not body:
        return None
    pos, total = 0, 0.0
    while pos < len(body):
        match = _GO_PART.match(body, pos)
        if not match:
            return None
        total += float(match.group(1)) * _GO_UNITS[match.group(2)]
        pos = match.end()
    return sign * total


def format_duration(seconds):
    """Go's ``Duration.String()`` of a number of seconds ("720h0m0s", "5m0s", "1m30.5s")."""
    nanos = int(round(seconds * 1e9))
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    nanos = abs(nanos)
    hours, rest = divmod(nanos, 3600 * 10 ** 9)
    minutes, rest = divmod(rest, 60 * 10 ** 9)
    secs, frac = divmod(rest, 10 ** 9)
    text = str(secs)
    if frac:
        text += "." + ("%09d" % frac).rstrip("0")
    if hours:
        return "%s%dh%dm%ss" % (sign, hours, minutes, text)
    if minutes:
        return "%s%dm%ss" % (sign, minutes, text)
    return "%s%ss" % (sign, text)


def canonical_duration(text):
    seconds = parse_duration(text)
    return text if seconds is None else format_duration(seconds)


def split_scopes(scopes):
    """Scopes as a list without duplicates; blank-separated scopes in one item are split (OAuth scope syntax)."""
    if isinstance(scopes, str):
        scopes = scopes.replace(",", " ").split()
    out = []
    for scope in scopes or ():
        for part in str(scope).split():
            if part not in out:
                out.append(part)
    return out


def effective_scopes(provider, scopes):
    """The scopes a credential really requests: the defaults (always requested) first, then the rest sorted."""
    defaults = list(DEFAULT_SCOPES.get(provider, ()))
    extra = sorted(set(split_scopes(scopes)) - set(defaults))
    return defaults + extra


def pem_text(value):
    """A PEM value with line endings and surrounding blanks normalised, for comparison."""
    if not isinstance(value, str):
        return None
    lines = [line.strip() for line in value.strip().replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def same_pem(want, shown):
    return pem_text(want) == pem_text(shown)


def shown_private_key(raw):
    """The apple private key a server showed, when it really showed one (not empty, not masked)."""
    options = (raw or {}).get("options") or {}
    apple = options.get("apple") if isinstance(options, dict) else None
    value = apple.get("private_key") if isinstance(apple, dict) else None
    if isinstance(value, str) and "-----BEGIN" in value:
        return value
    return None


def provider_defaults(provider):
    """Canonical options of ``provider`` with every API default."""
    out = {"authorize_scopes": list(DEFAULT_SCOPES[provider])}
    out.update(copy.deepcopy(PROVIDER_FIELDS.get(provider, {})))
    return out


def canonical_provider_options(provider, given):
    """Canonical options of one provider from an API object (defaults filled in, private_key left out)."""
    given = given if isinstance(given, dict) else {}
    out = provider_defaults(provider)
    out["authorize_scopes"] = effective_scopes(provider, given.get("authorize_scopes"))
    for field, default in PROVIDER_FIELDS.get(provider, {}).items():
        value = given.get(field)
        if value in (None, ""):
            value = default
        out[field] = canonical_duration(value) if field == "secret_lifetime" else value
    return out


def path(client_id=None):
    """The collection path, or the path of one credential (its client_id URL-encoded)."""
    if client_id is None:
        return COLLECTION_PATH
    return "%s/%s" % (COLLECTION_PATH, quote_path(client_id))


# ----------------------------------------------------------------------------- reads
def _unexpected(conn, method, where, response, what):
    return ApiError(SERVICE, method, where, status=response.status,
                    vendor_text=conn.scrub("unexpected answer (%s): %s" % (what, short_body(response))))


def get_cred(conn, client_id):
    """The API object of one credential, or None when SlashID says it does not exist."""
    where = path(client_id)
    resp = conn.request("GET", where, allow_status=(404,))
    if resp.status == 404:
        if isinstance(resp.json, dict):
            return None
        # A 404 that is not the JSON envelope is an unknown endpoint, not an unknown credential.
        raise conn.http_error("GET", where, resp)
    data = resp.json
    if not isinstance(data, dict) or not isinstance(data.get("result"), dict):
        raise _unexpected(conn, "GET", where, resp, "no result object")
    return data["result"]


def list_creds(conn, warn, provider=None):
    """Every credential (of ``provider`` when given: the API's ``oauth_provider`` filter)."""
    params = {"oauth_provider": provider} if provider else None
    resp = conn.request("GET", COLLECTION_PATH, params=params)
    data = resp.json
    if not isinstance(data, dict) or not isinstance(data.get("result", []), (list, type(None))):
        raise _unexpected(conn, "GET", COLLECTION_PATH, resp, "no result list")
    result = [r for r in data.get("result") or [] if isinstance(r, dict) and isinstance(r.get("client_id"), str)]
    pagination = (data.get("meta") or {}).get("pagination") or {}
    total = pagination.get("total_count") if isinstance(pagination, dict) else None
    if isinstance(total, int) and total > len(result):
        warn("SlashID listed %d of %d SSO credentials; the others were not compared" % (len(result), total))
    return result


# ----------------------------------------------------------------------------- the resource
class SlashIdCredential(Resource):
    """One set of OIDC provider credentials for SSO, keyed by the provider's OAuth client_id."""

    service = SERVICE
    kind = KIND
    key = "client_id"
    secret_fields = ("client_secret", "options.apple.private_key")
    write_only = ("client_secret", "options.apple.private_key")
    #: canonical values of an option left out (replaced/overridden); options {} = every provider default
    defaults = {"label": "", "external_cred_id": "", "enable_in_slashid_oidc_authz_server": False, "options": {}}

    # ------------------------------------------------------------------ validation (no network)
    def validate(self, task, entry, where):
        text_key(entry, "client_id", where, "required, the OAuth client_id the provider issued")
        if task.state == "deleted":
            return
        secret = entry.get("client_secret")
        if secret is not None and len(secret) < 4:
            raise InputError("%sclient_secret: too short to be a client secret (at least 4 characters)" % where)
        provider = entry.get("provider")
        given = dict((prov, sub) for prov, sub in (entry.get("options") or {}).items() if sub is not None)
        if len(given) > 1:
            raise InputError("%soptions: set the options of one provider only (got %s)"
                             % (where, ", ".join(sorted(given))))
        for prov, sub in given.items():
            if provider and prov != provider:
                raise InputError("%soptions.%s: does not apply to provider %s; use options.%s"
                                 % (where, prov, provider, provider))
            self._validate_provider_options(prov, sub, "%soptions.%s." % (where, prov))

    @staticmethod
    def _validate_provider_options(provider, sub, where):
        for scope in sub.get("authorize_scopes") or []:
            if not str(scope).strip():
                raise InputError("%sauthorize_scopes: empty scope" % where)
        if provider != "apple":
            return
        missing = [f for f in APPLE_REQUIRED if not sub.get(f)]
        if missing:
            raise InputError("%s%s: required with options.apple (the API takes the apple options only whole, and "
                             "never shows the private key back)" % (where, ", ".join(missing)))
        for field in ("team_id", "key_id"):
            if not re.match(r"^[A-Za-z0-9]{10}$", sub[field]):
                raise InputError("%s%s: %r is not the 10-character identifier Apple issues" % (where, field, sub[field]))
        if "PRIVATE KEY" not in sub["private_key"]:
            raise InputError("%sprivate_key: not a PEM private key (the ES256 key from Apple, PKCS8 PEM, "
                             "-----BEGIN PRIVATE KEY-----)" % where)
        lifetime = sub.get("secret_lifetime")
        if lifetime is not None:
            seconds = parse_duration(lifetime)
            if seconds is None:
                raise InputError("%ssecret_lifetime: %r is not a Go duration such as 720h, 24h or 90m"
                                 % (where, lifetime))
            if not MIN_LIFETIME <= seconds <= MAX_LIFETIME:
                raise InputError("%ssecret_lifetime: %s is out of range; SlashID accepts 5m (300s) to 15777000s "
                                 "(about 6 months)" % (where, lifetime))

    # ------------------------------------------------------------------ reading
    def read_all(self, task, keys=None):
        if keys is not None and len(keys) == 1:
            raw = get_cred(self.conn, keys[0])
            return [raw] if raw is not None else []
        return list_creds(self.conn, task.warn)

    def normalize(self, task, raw):
        provider = raw.get("provider")
        options = raw.get("options") if isinstance(raw.get("options"), dict) else {}
        shown = shown_private_key(raw)
        if shown:
            task.add_secret(shown)
        canon = {
            "client_id": raw.get("client_id"),
            "provider": provider,
            "label": raw.get("label") or "",
            "external_cred_id": raw.get("external_cred_id") or raw.get("external_cred") or "",
            "enable_in_slashid_oidc_authz_server": bool(raw.get("enable_in_slashid_oidc_authz_server")),
            "options": {},
        }
        if provider in DEFAULT_SCOPES:
            canon["options"][provider] = canonical_provider_options(provider, options.get(provider))
        return canon

    def _item(self, task, raw):
        return {"raw": raw, "canon": self.normalize(task, raw)}

    def desired(self, task, entry):
        want = {}
        for name in ("client_id", "client_secret", "provider") + WRITE_FIELDS:
            if entry.get(name) is not None:
                want[name] = entry[name]
        options = {}
        for prov, sub in (entry.get("options") or {}).items():
            if sub is None:
                continue
            canon = {}
            for field, value in sub.items():
                if value is None:
                    continue
                if field == "authorize_scopes":
                    value = effective_scopes(prov, value)
                elif field == "secret_lifetime":
                    value = canonical_duration(value)
                canon[field] = value
            options[prov] = canon
        if options:
            want["options"] = options
        return want

    def match(self, task, want, existing):
        item = Resource.match(self, task, want, existing)
        if task.state == "deleted":
            return item
        key = self.key_of(want)
        where = task.where.get(key, "")
        options = want.get("options") or {}
        if item is None:
            missing = [f for f in ("provider", "client_secret") if want.get(f) is None]
            if missing:
                raise ItemFailure("%s%s: required to create %s %r, which does not exist"
                                  % (where, " and ".join(missing), KIND, key), key=key, option=where + missing[0])
            if want["provider"] == "apple" and "apple" not in options:
                raise ItemFailure("%soptions.apple: required to create an apple credential (private_key, team_id, "
                                  "key_id)" % where, key=key, option=where + "options.apple")
            return item
        have_provider = item["canon"].get("provider")
        provider = want.get("provider") or have_provider
        for prov in options:
            if prov != provider:
                raise ItemFailure("%soptions.%s: %s %r is a %s credential; use options.%s"
                                  % (where, prov, KIND, key, provider, provider), key=key,
                                  option="%soptions.%s" % (where, prov))
        if provider != have_provider and task.may_recreate(key):
            if want.get("client_secret") is None:
                raise ItemFailure("%sclient_secret: required to create %s %r again with provider %s"
                                  % (where, KIND, key, provider), key=key, option=where + "client_secret")
            if provider == "apple" and "apple" not in options:
                raise ItemFailure("%soptions.apple: required to create %s %r again with provider apple"
                                  % (where, KIND, key), key=key, option=where + "options.apple")
        if provider == "apple" and task.full and "apple" not in options:
            raise ItemFailure("%soptions.apple: required with state=%s, which sets every option, and the apple "
                              "options are only accepted whole" % (where, task.state), key=key,
                              option=where + "options.apple")
        return item

    def match_written(self, task, hint, want, fresh):
        return Resource.match(self, task, want, fresh)

    # ------------------------------------------------------------------ comparing
    def equal(self, task, field, want, have, item):
        if field == "options":
            return self.options_equal(task, want, have, item)
        if field in ("label", "external_cred_id"):
            return (want or "") == (have or "")
        if field == "enable_in_slashid_oidc_authz_server":
            return bool(want) == bool(have)
        return want == have

    def options_equal(self, task, want, have, item):
        """``want``'s provider options against ``have`` (of ``item``); a private key compares only when shown."""
        have = have or {}
        if not want:
            if not task.full or not have:
                return True
            provider = sorted(have)[0]
            want = {provider: {}}
        for prov, sub in want.items():
            have_sub = have.get(prov)
            if have_sub is None:
                return False
            if task.full:
                full = provider_defaults(prov)
                full.update(sub)
                sub = full
            for field, value in sub.items():
                if field == "private_key":
                    shown = shown_private_key(item["raw"]) if item else None
                    if shown is not None and not task.secret_unchanged(value, shown, same=same_pem):
                        return False
                    continue
                if have_sub.get(field) != value:
                    return False
        return True

    def recreate_needed(self, task, item, want):
        if want.get("provider") and want["provider"] != item["canon"].get("provider"):
            return ["provider"]
        return []

    # ------------------------------------------------------------------ payloads
    @staticmethod
    def _api_options(provider, sub):
        """One provider's options as the API takes them; apple's object is always whole."""
        out = copy.deepcopy(sub)
        if provider == "apple":
            out.setdefault("secret_lifetime", PROVIDER_FIELDS["apple"]["secret_lifetime"])
        return out

    def create_payload(self, task, want, given, replacing=None):
        """The POST body: the options as the user wrote them (never the comparison form)."""
        provider = given.get("provider", want["provider"])
        payload = {"client_id": given.get("client_id", want["client_id"]),
                   "client_secret": given.get("client_secret", want.get("client_secret")), "provider": provider}
        for field in WRITE_FIELDS:
            value = given.get(field)
            if value is None or (field == "external_cred_id" and value == ""):
                continue
            payload[field] = value
        sub = (given.get("options") or {}).get(provider)
        if sub is not None:
            payload["options"] = {provider: self._api_options(provider, sub)}
        return payload

    @staticmethod
    def _stored_options(item, provider):
        """One provider's options as the server showed them (private key left out), for a whole-object PATCH."""
        options = item["raw"].get("options") if isinstance(item["raw"].get("options"), dict) else {}
        shown = options.get(provider) if isinstance(options.get(provider), dict) else {}
        out = dict((k, copy.deepcopy(v)) for k, v in shown.items() if k != "private_key" and v is not None)
        canon = item["canon"]["options"].get(provider) or provider_defaults(provider)
        if provider == "apple":
            for field in ("team_id", "key_id", "secret_lifetime"):
                if out.get(field) in (None, ""):
                    out[field] = canon.get(field)
        return out

    def _update_options(self, task, item, given):
        provider = item["canon"]["provider"]
        base = provider_defaults(provider) if task.full else self._stored_options(item, provider)
        base.update(copy.deepcopy((given.get("options") or {}).get(provider) or {}))
        if provider == "apple" and not base.get("private_key"):
            shown = shown_private_key(item["raw"])
            if not shown:
                key = item["canon"]["client_id"]
                where = task.where.get(key, "")
                raise ItemFailure("%soptions.apple.private_key: required to change the apple options of %s %r (the "
                                  "API takes them only whole)" % (where, KIND, key), key=key,
                                  option=where + "options.apple.private_key")
            base["private_key"] = shown
        return {provider: self._api_options(provider, base)}

    def update_payload(self, task, item, want, changed, given):
        """The PATCH body: the changed fields at the user's values (a reset field of replaced: its default)."""
        payload = {}
        for field in changed:
            if field in WRITE_FIELDS:
                payload[field] = given[field] if field in given else want[field]
            elif field == "client_secret":
                payload["client_secret"] = given.get("client_secret", want["client_secret"])
            elif field in ("options", "options.apple.private_key"):
                payload["options"] = self._update_options(task, item, given)
        return payload

    def mask_payload(self, payload):
        out = copy.deepcopy(payload)
        if out.get("client_secret"):
            out["client_secret"] = MASK
        apple = (out.get("options") or {}).get("apple")
        if isinstance(apple, dict) and apple.get("private_key"):
            apple["private_key"] = MASK
        return out

    def predict(self, task, item, want, changed, payload):
        """The normalisation of what the server holds after ``payload``: the body itself for a create,
        the stored object with the body applied for an update (a provider object is replaced whole)."""
        if item is None:
            return self.normalize(task, payload)
        raw = copy.deepcopy(item["raw"])
        for field, value in payload.items():
            if field == "options":
                merged = dict(raw.get("options") or {})
                merged.update(copy.deepcopy(value))
                raw["options"] = merged
            elif field != "client_secret":
                raw[field] = value
        return self.normalize(task, raw)

    # ------------------------------------------------------------------ writing
    def _landed(self, task, want, fields):
        """Does a fresh read show ``fields`` at ``want``'s values? None: only a secret changed (cannot tell)."""
        def landed():
            raw = get_cred(self.conn, want["client_id"])
            if raw is None:
                return False
            if not fields:
                return None
            item = self._item(task, raw)
            return all(self.equal(task, f, want[f], item["canon"].get(f), item) for f in fields if f in want)
        return landed

    def _confirmed(self, task, method, where, body, landed, what):
        """One write; after a 408 the reads tell whether it was applied (and the task warns or fails truthfully)."""
        confirm_write(task, lambda: self.conn.write(method, where, body), landed, what, delays=READBACK_DELAYS,
                      not_seen=("reads after it do not show the %s yet; SlashID may still apply it later, so run the "
                                "task again to see the outcome (raise consistency_timeout to wait longer)" % what),
                      cannot_tell=("the change is only to a secret SlashID never shows, so whether it was applied "
                                   "cannot be read back; run the task again with update_secret=always to send it "
                                   "again"))

    def send_create(self, task, payload, want):
        client_id = want["client_id"]

        def landed():
            raw = get_cred(self.conn, client_id)
            return raw is not None and raw.get("provider") == want["provider"]

        try:
            self._confirmed(task, "POST", COLLECTION_PATH, payload, landed, "create")
        except ApiError as exc:
            if exc.status not in (400, 409):
                raise
            raw = get_cred(self.conn, client_id)
            if raw is None:
                raise
            self._adopt(task, exc, raw, want)
        return None

    def _adopt(self, task, exc, raw, want):
        """A create refused because the client_id exists (created meanwhile, or by a write that landed late)."""
        item = self._item(task, raw)
        if item["canon"]["provider"] != want["provider"]:
            raise ItemFailure.from_api(exc, key=want["client_id"],
                                       hint="%s %r exists already with provider %s; set recreate=true to replace it"
                                       % (KIND, want["client_id"], item["canon"]["provider"]))
        changed = [f for f in sorted(want) if f not in self.write_only
                   and not self.equal(task, f, want[f], item["canon"].get(f), item)]
        changed.append("client_secret")
        if "private_key" in ((want.get("options") or {}).get("apple") or {}) and "options" not in changed:
            changed.append("options.apple.private_key")
        task.warn("SlashID refused to create %s %r (HTTP %s) because it exists already (created meanwhile, or by "
                  "an earlier write that landed late); it was updated to the wanted state instead"
                  % (KIND, want["client_id"], exc.status))
        entry = task.entry(want["client_id"])
        given = self.given(task, entry) if entry is not None else want
        payload = self.update_payload(task, item, want, changed, given)
        self._confirmed(task, "PATCH", path(want["client_id"]), payload,
                        self._landed(task, want, [f for f in changed if f not in self.write_only]), "update")

    def send_update(self, task, item, payload, want):
        client_id = item["canon"]["client_id"]
        fields = [f for f in payload if f != "client_secret"]
        if fields == ["options"] and set(self._changed_option_fields(item, payload)) <= {"private_key"}:
            fields = []
        self._confirmed(task, "PATCH", path(client_id), payload,
                        self._landed(task, dict(want, client_id=client_id), fields), "update")
        return None

    @staticmethod
    def _changed_option_fields(item, payload):
        provider = item["canon"]["provider"]
        have = item["canon"]["options"].get(provider) or {}
        sent = payload["options"].get(provider) or {}
        sent_canon = canonical_provider_options(provider, sent)
        return [f for f in sent if f == "private_key" or have.get(f) != sent_canon.get(f)]

    def send_delete(self, task, item):
        client_id = item["canon"]["client_id"]
        try:
            self._confirmed(task, "DELETE", path(client_id), None,
                            lambda: get_cred(self.conn, client_id) is None, "delete")
        except ApiError as exc:
            if exc.status != 404 or not isinstance(exc.body, dict):
                raise
            # SlashID's JSON 404: gone already (deleted meanwhile), the wanted outcome


# ----------------------------------------------------------------------------- info
def run_info(sm):
    """slashid_sso_cred_info: one credential or all, optionally of one provider."""
    conn = connect(sm)
    client_id = sm.params.get("client_id")
    provider = sm.params.get("provider")
    if client_id is not None:
        if not client_id.strip():
            raise InputError("client_id: must not be empty; leave it out to list every credential")
        raw = get_cred(conn, client_id)
        raws = [raw] if raw is not None else []
    else:
        raws = list_creds(conn, sm.warn, provider)
    res = SlashIdCredential(conn)
    task = _read_task(sm)
    creds = [res.mask(res.normalize(task, raw)) for raw in raws]
    if provider:
        creds = [c for c in creds if c.get("provider") == provider]
    what = "%d %s(s)" % (len(creds), KIND)
    if client_id is not None and not creds:
        what = "no %s %r%s" % (KIND, client_id, " with provider %s" % provider if provider else "")
    sm.exit(changed=False, credentials=creds, msg="found %s" % what, api_calls=sm.api_calls())


def _read_task(sm):
    """The task context of a read-only run (normalize registers a private key the server shows as a secret)."""
    return Task(state="gathered", warn=sm.warn, add_secret=sm.add_secret)


# ----------------------------------------------------------------------------- the modules
SINGLE = single_module(connection_options, resource_options, connect, SlashIdCredential)
SET = set_module(connection_options, resource_options, connect, SlashIdCredential)
INFO = info_module(info_options, run_info)

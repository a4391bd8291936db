# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-service table of the reliability suites.

One :class:`Profile` per service says how to drive its modules against its simulator:
the connection options (with fresh canary credentials the simulator is reconfigured to
accept), a resource to create and an update of it, how to find the objects of a key in
the simulator's state (for duplicate checks), the learned secrets (tokens, session ids),
the module's own validation rules with the option each one names, and valid edge cases.
The suites are generic over this table: a service is covered once its modules exist.
"""

import base64
import copy
import hashlib
import json
import uuid

from reliability._support import argument_spec, canary, module_exists


def b64sha256(value):
    return base64.b64encode(hashlib.sha256(value.encode("utf-8")).digest()).decode("ascii")


class Ctx(object):
    """One prepared run: connection options, environment equivalent and every secret in play."""

    def __init__(self, rel, profile, tag):
        self.rel = rel
        self.profile = profile
        self.tag = tag
        self.conn = {}
        self.env = {}
        self.secrets = []
        self.allowed_in_query = []   # secrets the vendor API itself puts in a query (documented)
        self.serial = 0
        self.entries = {}

    def secret(self, label, special=True):
        value = canary("%s-%s" % (self.profile.service, label), special=special)
        self.secrets.append(value)
        return value

    def key(self, label="r"):
        self.serial += 1
        return self.profile.make_key(self, "%s%d" % (label, self.serial))

    def params(self, module=None, conn=None, **options):
        out = copy.deepcopy(self.conn if conn is None else conn)
        out.update(copy.deepcopy(options))
        return out

    def all_secrets(self):
        return list(self.secrets) + list(self.profile.learned(self.rel))


class Profile(object):
    service = None          # simulator name
    single = None           # single-resource module
    info = None             # info module
    set_module = None       # resource-set module
    key_option = None
    info_list_key = None    # the list the info module returns
    can_delete = True
    set_states = ("merged", "replaced", "overridden", "deleted", "gathered")
    # simulator config that shows as much as the vendor might (secrets in clear): the leak suite's worst case
    leak_config = {}
    # simulator settings for what the vendor leaves open (UNCONFIRMED facts): predictions must hold under each
    config_variants = ({},)
    server_assigned = ()    # canonical fields the server assigns on create (check mode cannot know them)

    write_methods = ("POST", "PUT", "PATCH", "DELETE")
    read_path = None        # regex of the read requests (GET) of the resource
    create_path = None      # regex of the create request (POST)
    login_path = None       # regex of the login request, when the service has one
    ca_option = "ca_path"
    label = None            # the service name in the modules' messages
    name_option = None      # a free-text display name (hypothesis draws unicode for it)
    refuses_url_credentials = False  # the URL/host option refuses user information (issue 14 item 7)
    extra_info = ()         # further info modules of the service (e.g. wickr_network_info), each covered too
    returns = {}            # module -> the result key of the secret it exists to return (cx_token's token)

    def secret_options(self):
        from reliability._support import no_log_options

        return no_log_options(self.single_options())

    def service_label(self):
        return self.label or self.service
    SET_ONLY = ("config", "state", "protected", "update_secret")

    def single_options(self):
        return argument_spec(self.single)["spec"]

    def set_options(self):
        return argument_spec(self.set_module)["spec"] if self.set_module and module_exists(self.set_module) else {}

    def connection_options(self):
        """Option names of the connection (the set module's options beside config/state/...)."""
        if self.set_module and module_exists(self.set_module):
            return set(self.set_options()) - set(self.SET_ONLY)
        info = argument_spec(self.info)["spec"]
        return set(info) - {self.key_option, "provider"}

    def protected(self, ctx):
        """Keys overridden/deleted must never touch in these tests (e.g. the login client)."""
        return []

    def info_all_params(self, ctx):
        return {}

    def extra_leak_steps(self, ctx):
        """Service-specific leak paths of the single module (nested secrets, tokens, ...)."""
        return []

    def extra_info_leak_steps(self, ctx):
        return []

    def extra_info_params(self, ctx, module):
        """Valid options (beside the connection) of one of :attr:`extra_info`."""
        return {}

    def available(self, kind="single"):
        name = {"single": self.single, "info": self.info, "set": self.set_module}[kind]
        return name is not None and module_exists(name)

    def modules(self):
        return [m for m in (self.single, self.info, self.set_module) + tuple(self.extra_info)
                if m and module_exists(m)]

    # -- to implement ---------------------------------------------------------
    def prepare(self, rel, tag, **config):
        """Reset the simulator with canary credentials; return a Ctx."""
        raise NotImplementedError

    def make_key(self, ctx, label):
        return "rel-%s-%s-%s" % (ctx.tag, label, uuid.uuid4().hex[:6])

    def create(self, ctx, key):
        """Single-module resource options that create ``key`` (secrets registered in ctx); the same
        options every time for one key, so a second run is a no-op."""
        if key not in ctx.entries:
            ctx.entries[key] = self._create(ctx, key)
        return copy.deepcopy(ctx.entries[key])

    def _create(self, ctx, key):
        raise NotImplementedError

    def update(self, ctx, key, variant=1):
        """Single-module resource options that change a non-secret field of ``key`` (``variant`` picks
        one of several different updates)."""
        raise NotImplementedError

    def objects(self, rel, key):
        """The simulator's stored objects for ``key`` (a list: more than one is a duplicate)."""
        raise NotImplementedError

    def learned(self, rel):
        """Secrets the simulator issued during the run (tokens, session ids)."""
        return []

    def url_of(self, ctx):
        raise NotImplementedError

    def with_url(self, ctx, url):
        """Connection options pointing at another URL of the same simulator (TLS variants)."""
        raise NotImplementedError

    def bad_login(self, ctx):
        """Connection options with a wrong (canary) credential: the vendor refuses the login."""
        raise NotImplementedError

    def write_path(self):
        """Regex of the resource paths (fault injection)."""
        raise NotImplementedError

    def info_params(self, ctx, key):
        return {self.key_option: key}

    def invalid(self, ctx):
        """[(label, single-module options, option named in the message)] the module must refuse."""
        return []

    def edge(self, ctx):
        """[(label, single-module resource options)] valid edge cases that must round-trip idempotently."""
        return []

    def field_of(self, end_state, option):
        return (end_state or {}).get(option)

    def entry_for_set(self, entry):
        out = copy.deepcopy(entry)
        out.pop("update_secret", None)
        return out


# =========================================================================== Checkmarx
class CheckmarxProfile(Profile):
    service = "checkmarx"
    single = "cx_oidc_client"
    info = "cx_oidc_client_info"
    set_module = "cx_oidc_clients"
    key_option = "client_id"
    info_list_key = "clients"
    write_methods = ("POST", "PUT", "DELETE")
    read_path = "OIDCClients"
    create_path = "OIDCClients/?$"
    config_variants = ({}, {"put_omitted": "keep"}, {"secrets_stored_as": "as_sent"}, {"list_summary": True},
                       {"error_format": "problem"})
    login_path = "identity/connect/token"
    label = "Checkmarx"
    name_option = "name"
    extra_info = ("cx_token",)
    #: the result key of the secret a module exists to return
    returns = {"cx_token": "token"}

    def protected(self, ctx):
        return [ctx.conn["auth_client_id"]]

    def prepare(self, rel, tag, **config):
        ctx = Ctx(rel, self, tag)
        user = "reladm-%s" % uuid.uuid4().hex[:8]
        password = ctx.secret("password")
        auth_client = "rel_ro_client_%s" % uuid.uuid4().hex[:6]
        auth_secret = ctx.secret("auth-client-secret")
        seed = {
            "users": {user: {"password": password, "active": True,
                             "permissions": ["Manage Clients", "Manage Users", "Manage Roles"]}},
            "clients": [{"clientId": auth_client, "clientName": "reliability login client",
                         "clientSecrets": [b64sha256(auth_secret)], "allowedGrantTypes": ["password"],
                         "allowedScopes": ["sast_rest_api", "access_control_api", "sast_api", "offline_access"],
                         "enabled": True, "requireClientSecret": True}],
        }
        rel.reset(self.service, seed, **config)
        env = rel.env[self.service]
        ctx.user = user
        ctx.auth_client = auth_client
        ctx.conn = {"url": env["url"], "username": user, "password": password, "auth_client_id": auth_client,
                    "auth_client_secret": auth_secret, "ca_path": rel.env["ca_path"]}
        ctx.env = {"CX_URL": env["url"], "CX_USERNAME": user, "CX_PASSWORD": password,
                   "CX_AUTH_CLIENT_ID": auth_client, "CX_AUTH_CLIENT_SECRET": auth_secret,
                   "CX_CA_PATH": rel.env["ca_path"]}
        return ctx

    def make_key(self, ctx, label):
        return "rel-%s-%s-%s" % (ctx.tag, label, uuid.uuid4().hex[:6])

    def _create(self, ctx, key):
        return {"client_id": key, "name": "Reliability %s" % key, "client_secrets": [ctx.secret("client-secret")],
                "allowed_grant_types": ["authorization_code"], "allowed_scopes": ["openid", "profile", "email"],
                "redirect_uris": ["https://app.example.com/%s/callback" % key]}

    def update(self, ctx, key, variant=1):
        # PUT is a full replacement and the API shows secrets only as hashes: an update carries the plaintext
        # secrets (the module refuses to send hashes back, see cx_oidc_client's docs).
        return {"client_id": key, "name": "Reliability %s (update %d)" % (key, variant),
                "access_token_lifetime": 1800 + variant, "allowed_scopes": ["openid", "profile"],
                "client_secrets": list(self.create(ctx, key)["client_secrets"])}

    def objects(self, rel, key):
        return [c for c in rel.state(self.service)["clients"] if c["clientId"].lower() == key.lower()]

    def learned(self, rel):
        return list(rel.app(self.service).tokens)

    refuses_url_credentials = True

    def url_of(self, ctx):
        return ctx.conn["url"]

    def with_url(self, ctx, url):
        out = copy.deepcopy(ctx.conn)
        out["url"] = url
        return out

    def bad_login(self, ctx):
        out = copy.deepcopy(ctx.conn)
        out["password"] = ctx.secret("wrong-password")
        return out

    def write_path(self):
        return "OIDCClients"

    def info_params(self, ctx, key):
        return {"client_id": key}

    def mint_token(self, ctx, lifetime=3600):
        """A bearer token the simulator accepts (as if obtained earlier), made of a canary."""
        import time

        token = ctx.secret("token", special=False)
        self_tokens = ctx.rel.app(self.service).tokens
        self_tokens[token] = {"user": ctx.user, "client": ctx.auth_client, "expires": time.time() + lifetime,
                              "scopes": ["access_control_api", "sast_rest_api"]}
        return token

    def extra_leak_steps(self, ctx):
        from reliability._steps import Step

        key = ctx.key("tok")
        conn = {"url": ctx.conn["url"], "ca_path": ctx.conn["ca_path"]}
        return [
            Step("token given (CX_TOKEN) create", self.single,
                 ctx.params(conn=dict(conn, token=self.mint_token(ctx)), **self.create(ctx, key)), diff=True,
                 expect="changed"),
            Step("expired token given", self.single,
                 ctx.params(conn=dict(conn, token=self.mint_token(ctx, lifetime=-10)), **self.update(ctx, key, 1)),
                 expect="failed", writes=0),
            Step("token from the environment", self.single, ctx.params(conn={}, **self.update(ctx, key, 2)),
                 env={"CX_URL": conn["url"], "CX_CA_PATH": conn["ca_path"], "CX_TOKEN": self.mint_token(ctx)},
                 diff=True, expect="changed"),
        ]

    def extra_info_leak_steps(self, ctx):
        """cx_token: the token it returns may appear only in its result, which the task registers with no_log."""
        from reliability._steps import FOREVER_503, Step

        conn = {"url": ctx.conn["url"], "ca_path": ctx.conn["ca_path"]}
        scheme, _sep, rest = ctx.conn["url"].partition("://")
        url = "%s://admin:%s@%s" % (scheme, ctx.secret("token-url-password", special=False), rest)
        return [
            Step("cx_token: login", "cx_token", ctx.params(), expect="ok", writes=0, returns="token"),
            Step("cx_token: login in check mode", "cx_token", ctx.params(), check=True, expect="ok", writes=0,
                 returns="token"),
            Step("cx_token: credentials from the environment", "cx_token", ctx.params(conn={}), env=ctx.env,
                 expect="ok", writes=0, returns="token"),
            Step("cx_token: token given", "cx_token", ctx.params(conn=dict(conn, token=self.mint_token(ctx))),
                 expect="ok", writes=0),
            Step("cx_token: login refused", "cx_token", ctx.params(conn=self.bad_login(ctx)), expect="failed",
                 writes=0),
            Step("cx_token: url-credentials", "cx_token", ctx.params(conn=self.with_url(ctx, url)), expect="failed",
                 writes=0),
            # the login POSTs answered 503 count as (faulted) writes; nothing else is sent
            Step("cx_token: http-5xx-after-retries", "cx_token", ctx.params(), expect="failed",
                 faults=[dict(FOREVER_503, method="POST", path=self.login_path)]),
        ]

    def invalid(self, ctx):
        key = ctx.key("bad")
        base = self.create(ctx, key)
        return [
            ("empty client_id", dict(base, client_id=""), "client_id"),
            ("padded client_id", dict(base, client_id=" %s " % key), "client_id"),
            ("short secret", dict(base, client_secrets=["abc"]), "client_secrets"),
            ("duplicate secret", dict(base, client_secrets=["same-secret-1234", "same-secret-1234"]), "client_secrets"),
            ("exclusive grants", dict(base, allowed_grant_types=["implicit", "authorization_code"]),
             "allowed_grant_types"),
            ("bad cors origin", dict(base, allowed_cors_origins=["not an origin"]), "allowed_cors_origins"),
            ("zero lifetime", dict(base, access_token_lifetime=0), "access_token_lifetime"),
            ("negative lifetime", dict(base, sliding_refresh_token_lifetime=-5), "sliding_refresh_token_lifetime"),
            ("empty claim type", dict(base, claims=[{"type": " ", "value": "x"}]), "claims"),
            ("no url", dict(base, url=None), "url"),
            ("bad url", dict(base, url="ftp://cx.example.com"), "url"),
            ("zero timeout", dict(base, timeout=0), "timeout"),
        ]

    def edge(self, ctx):
        key = ctx.key("edge")
        return [
            ("unicode name", {"client_id": key + "-\u00fc\u00e9", "name": "Cl\u00efent \u65e5\u672c \u2713 %s" % key}),
            ("empty lists", {"client_id": ctx.key("edge"), "redirect_uris": [], "allowed_cors_origins": [],
                             "post_logout_redirect_uris": [], "claims": []}),
            ("long name", {"client_id": ctx.key("edge"), "name": "N" * 200}),
            ("max lifetimes", {"client_id": ctx.key("edge"), "access_token_lifetime": 2147483647,
                               "absolute_refresh_token_lifetime": 2147483647}),
            ("claims", {"client_id": ctx.key("edge"),
                        "claims": [{"type": "role", "value": "\u00e4dmin"}, {"type": "dept", "value": ""}]}),
        ]


# =========================================================================== SlashID
class SlashIdProfile(Profile):
    service = "slashid"
    single = "slashid_sso_cred"
    info = "slashid_sso_cred_info"
    set_module = "slashid_sso_creds"
    key_option = "client_id"
    info_list_key = "credentials"
    write_methods = ("POST", "PATCH", "DELETE")
    read_path = "provider-credentials"
    create_path = "provider-credentials$"
    config_variants = ({}, {"fill_option_defaults": False}, {"fill_option_defaults": "all"},
                       {"scopes_include_defaults": True}, {"duration_format": "go", "private_key_in_response": "masked"},
                       {"patch_options": "merge"})
    label = "SlashID"
    name_option = "label"
    leak_config = {"private_key_in_response": "plain"}

    def prepare(self, rel, tag, **config):
        ctx = Ctx(rel, self, tag)
        org = str(uuid.uuid4())
        api_key = ctx.secret("api-key")
        config = dict(config)
        config.setdefault("org_id", org)
        config.setdefault("api_key", api_key)
        rel.reset(self.service, None, **config)
        env = rel.env[self.service]
        ctx.conn = {"org_id": org, "api_key": api_key, "api_url": env["url"], "ca_path": rel.env["ca_path"]}
        ctx.env = {"SLASHID_ORG_ID": org, "SLASHID_API_KEY": api_key, "SLASHID_API_URL": env["url"],
                   "SLASHID_CA_PATH": rel.env["ca_path"]}
        return ctx

    def apple_key(self, ctx):
        inner = ctx.secret("apple-key", special=False)
        pem = "-----BEGIN PRIVATE KEY-----\n%s\n%s\n-----END PRIVATE KEY-----" % (
            base64.b64encode(inner.encode()).decode(), inner)
        ctx.secrets.append(pem)
        return pem

    def _create(self, ctx, key):
        return {"client_id": key, "client_secret": ctx.secret("client-secret"), "provider": "okta",
                "label": "Reliability %s" % key,
                "options": {"okta": {"organization_url": "https://corp.okta.example.com",
                                     "authorize_scopes": ["groups"]}}}

    def create_apple(self, ctx, key):
        return {"client_id": key, "client_secret": ctx.secret("client-secret"), "provider": "apple",
                "label": "Apple %s" % key,
                "options": {"apple": {"private_key": self.apple_key(ctx), "team_id": "ABCDE12345",
                                      "key_id": "KEYID12345", "secret_lifetime": "24h"}}}

    def update(self, ctx, key, variant=1):
        return {"client_id": key, "label": "Reliability %s (update %d)" % (key, variant)}

    def extra_leak_steps(self, ctx):
        """The nested secret options.apple.private_key, with the simulator returning it in clear."""
        from reliability._steps import Step

        key = ctx.key("apple")
        entry = self.create_apple(ctx, key)
        return [
            Step("apple create (nested private_key)", self.single, ctx.params(**entry), diff=True, expect="changed"),
            Step("apple unchanged", self.single, ctx.params(**entry), diff=True, expect="unchanged", writes=0),
            Step("apple check update", self.single, ctx.params(**dict(entry, label="Apple (new label)")), check=True,
                 diff=True, expect="changed", writes=0),
            Step("apple bad team_id", self.single, ctx.params(**dict(entry, options={"apple": dict(
                entry["options"]["apple"], team_id="bad")})), expect="failed", writes=0),
        ]

    def objects(self, rel, key):
        cred = rel.state(self.service)["credentials"].get(key)
        return [cred] if cred else []

    refuses_url_credentials = True

    def url_of(self, ctx):
        return ctx.conn["api_url"]

    def with_url(self, ctx, url):
        out = copy.deepcopy(ctx.conn)
        out["api_url"] = url
        return out

    def bad_login(self, ctx):
        out = copy.deepcopy(ctx.conn)
        out["api_key"] = ctx.secret("wrong-api-key")
        return out

    def write_path(self):
        return "provider-credentials"

    def invalid(self, ctx):
        key = ctx.key("bad")
        base = self.create(ctx, key)
        return [
            ("empty client_id", dict(base, client_id=""), "client_id"),
            ("padded client_id", dict(base, client_id=" %s" % key), "client_id"),
            ("short secret", dict(base, client_secret="ab"), "client_secret"),
            ("options of two providers", dict(base, options={"okta": {"organization_url": "https://x.example.com"},
                                                             "google": {}}), "options"),
            ("options of another provider", dict(base, options={"google": {"authorize_scopes": ["x"]}}),
             "options.google"),
            ("apple without key", dict(base, provider="apple", options={"apple": {"team_id": "ABCDE12345",
                                                                                  "key_id": "KEYID12345"}}),
             "private_key"),
            ("apple bad team", dict(self.create_apple(ctx, key), options={"apple": {
                "private_key": self.apple_key(ctx), "team_id": "short", "key_id": "KEYID12345"}}), "team_id"),
            ("apple bad lifetime", dict(self.create_apple(ctx, key), options={"apple": {
                "private_key": self.apple_key(ctx), "team_id": "ABCDE12345", "key_id": "KEYID12345",
                "secret_lifetime": "1m"}}), "secret_lifetime"),
            ("bad api_url", dict(base, api_url="ftp://api.example.com"), "api_url"),
            ("consistency timeout", dict(base, consistency_timeout=121), "consistency_timeout"),
            ("no api key", dict(base, api_key=None), "api_key"),
        ]

    def edge(self, ctx):
        return [
            ("unicode label", {"client_id": ctx.key("edge"), "client_secret": ctx.secret("edge"),
                               "provider": "google", "label": "\u00c9tiquette \u65e5\u672c \u2713"}),
            ("unicode client_id", {"client_id": ctx.key("edge") + "-\u00e9/x y", "client_secret": ctx.secret("edge"),
                                   "provider": "github"}),
            ("empty scopes", {"client_id": ctx.key("edge"), "client_secret": ctx.secret("edge"),
                              "provider": "gitlab", "options": {"gitlab": {"authorize_scopes": []}}}),
            ("long label", {"client_id": ctx.key("edge"), "client_secret": ctx.secret("edge"),
                            "provider": "google", "label": "L" * 255}),
            ("azuread tenant", {"client_id": ctx.key("edge"), "client_secret": ctx.secret("edge"),
                                "provider": "azuread", "options": {"azuread": {"tenant": "organizations"}}}),
        ]


# =========================================================================== vCenter
class VcenterProfile(Profile):
    service = "vcenter"
    single = "vcenter_identity_provider"
    info = "vcenter_identity_provider_info"
    set_module = "vcenter_identity_providers"
    key_option = "name"
    info_list_key = "providers"
    write_methods = ("POST", "PATCH", "DELETE")
    read_path = "identity/providers"
    create_path = "identity/providers$"
    config_variants = ({}, {"secret_visibility": "masked", "header_visibility": "masked"},
                       {"secret_visibility": "omitted"}, {"list_requires_auth": False},
                       {"api_version": "8.0.1"}, {"api_version": "9.0", "federation_type_default": "DIRECT_FEDERATION"})
    login_path = "/api/session$"
    label = "vCenter"
    refuses_url_credentials = True
    # provider_id, and the federation_type a 8.0.1+ server may fill in on a create that gives none (the
    # bindings leave it open: simulator switch federation_type_default)
    server_assigned = ("provider_id", "federation_type")
    leak_config = {"secret_visibility": "clear", "header_visibility": "clear"}

    def prepare(self, rel, tag, **config):
        ctx = Ctx(rel, self, tag)
        user = "reladm-%s@vsphere.local" % uuid.uuid4().hex[:6]
        password = ctx.secret("password")
        rel.reset(self.service, {"users": {user: password}}, **config)
        env = rel.env[self.service]
        ctx.conn = {"hostname": env["hostname"], "port": env["port"], "username": user, "password": password,
                    "ca_path": rel.env["ca_path"]}
        ctx.env = {"VMWARE_HOST": env["hostname"], "VMWARE_PORT": str(env["port"]), "VMWARE_USER": user,
                   "VMWARE_PASSWORD": password}
        ctx.env_params = {"ca_path": rel.env["ca_path"]}
        self._tap(rel)
        return ctx

    def _tap(self, rel):
        """Record every session id the simulator issues (they are deleted at logout)."""
        app = rel.app(self.service)
        if getattr(app, "_rel_tapped", False):
            return
        app._rel_tapped = True
        app._rel_sessions = []
        for route in app.routes:
            if route.method == "POST" and route.regex.pattern.endswith("/api/session$"):
                original = route.handler

                def tapped(req, _original=original, _app=app):
                    resp = _original(req)
                    if resp.status == 201:
                        try:
                            _app._rel_sessions.append(json.loads(resp.body.decode("utf-8")))
                        except ValueError:
                            pass
                    return resp

                route.handler = tapped

    def learned(self, rel):
        app = rel.app(self.service)
        return list(getattr(app, "_rel_sessions", [])) + list(app.state.get("sessions", {}))

    def discovery(self, rel):
        return rel.env["oidc"]["discovery_url"]

    def _create(self, ctx, key):
        return {"name": key, "config_tag": "oidc",
                "oidc": {"discovery_endpoint": self.discovery(ctx.rel), "client_id": "vc-%s" % key,
                         "client_secret": ctx.secret("client-secret"), "claim_map": {}},
                "domain_names": ["corp.example.com"], "upn_claim": "upn", "groups_claim": "groups"}

    def create_ldap(self, ctx, key):
        entry = self.create(ctx, key)
        entry.update({"idm_protocol": "LDAP", "active_directory_over_ldap": {
            "user_name": "cn=svc,dc=corp,dc=example,dc=com", "password": ctx.secret("ldap-password"),
            "users_base_dn": "ou=users,dc=corp,dc=example,dc=com",
            "groups_base_dn": "ou=groups,dc=corp,dc=example,dc=com",
            "server_endpoints": ["ldap://dc1.corp.example.com:389"]}})
        return entry

    def update(self, ctx, key, variant=1):
        return {"name": key, "domain_names": ["corp.example.com", "v%d.example.org" % variant], "upn_claim": "email"}

    def extra_leak_steps(self, ctx):
        """The nested LDAP password, and the secret shown masked or omitted by the API."""
        from reliability._steps import Step

        key = ctx.key("ldap")
        entry = self.create_ldap(ctx, key)
        return [
            Step("ldap create (nested password)", self.single, ctx.params(**entry), diff=True, expect="changed"),
            Step("ldap unchanged", self.single, ctx.params(**entry), diff=True, expect="unchanged", writes=0),
            Step("ldap check update", self.single, ctx.params(**dict(entry, upn_claim="mail")), check=True, diff=True,
                 expect="changed", writes=0),
        ]

    def objects(self, rel, key):
        return [p for p in rel.state(self.service)["providers"].values() if p.get("name") == key]

    def url_of(self, ctx):
        return "https://%s:%s" % (ctx.conn["hostname"], ctx.conn["port"])

    def with_url(self, ctx, url):
        out = copy.deepcopy(ctx.conn)
        hostport = url.split("://", 1)[1]
        out["hostname"], port = hostport.rsplit(":", 1)
        out["port"] = int(port)
        return out

    def bad_login(self, ctx):
        out = copy.deepcopy(ctx.conn)
        out["password"] = ctx.secret("wrong-password")
        return out

    def write_path(self):
        return "identity/providers"

    def invalid(self, ctx):
        key = ctx.key("bad")
        base = self.create(ctx, key)
        oidc = base["oidc"]
        ldap = self.create_ldap(ctx, ctx.key("badldap"))
        return [
            ("empty name", dict(base, name=""), "name"),
            ("url as hostname", dict(base, hostname="https://vc.example.com"), "hostname"),
            ("port in hostname", dict(base, hostname="vc.example.com:443"), "hostname"),
            ("port out of range", dict(base, port=70000), "port"),
            ("no password", dict(base, password=None), "password"),
            ("discovery endpoint not a URL", dict(base, oidc=dict(oidc, discovery_endpoint="not a url")),
             "oidc.discovery_endpoint"),
            ("masked secret given back", dict(base, oidc=dict(oidc, client_secret="********")), "oidc.client_secret"),
            ("short secret", dict(base, oidc=dict(oidc, client_secret="abc")), "oidc.client_secret"),
            ("blank client_id", dict(base, oidc=dict(oidc, client_id=" ")), "oidc.client_id"),
            ("claim_map not a map of lists", dict(base, oidc=dict(oidc, claim_map={"perms": "admins"})),
             "oidc.claim_map"),
            ("oauth2 with config_tag oidc", dict(base, oauth2={
                "auth_endpoint": "https://idp.example.com/auth", "token_endpoint": "https://idp.example.com/token",
                "public_key_uri": "https://idp.example.com/keys", "client_id": "c", "client_secret": "s3cr3t-value",
                "claim_map": {}, "issuer": "https://idp.example.com", "authentication_method": "CLIENT_SECRET_POST"}),
             "oauth2"),
            ("bad domain", dict(base, domain_names=["not a domain/x"]), "domain_names"),
            ("empty org id", dict(base, org_ids=[""]), "org_ids"),
            ("LDAP without its settings", dict(base, idm_protocol="LDAP"), "active_directory_over_ldap"),
            ("LDAP without servers", dict(ldap, active_directory_over_ldap=dict(
                ldap["active_directory_over_ldap"], server_endpoints=[])), "server_endpoints"),
            ("SCIM without endpoints", dict(base, idm_protocol="SCIM2_0", idm_endpoints=[]), "idm_endpoints"),
            ("blank upn_claim", dict(base, upn_claim=""), "upn_claim"),
        ]

    def edge(self, ctx):
        return [
            ("unicode name", dict(self.create(ctx, ctx.key("edge")), name="F\u00e9d\u00e9ration \u65e5\u672c")),
            ("empty lists", dict(self.create(ctx, ctx.key("edge")), domain_names=[], org_ids=[])),
            ("long name", dict(self.create(ctx, ctx.key("edge")), name="P" * 200)),
        ]


# =========================================================================== Wickr
class WickrProfile(Profile):
    service = "wickr"
    single = "wickr_oidc_config"
    info = "wickr_oidc_info"
    set_module = "wickr_oidc_configs"
    key_option = "network_id"
    info_list_key = None
    can_delete = False
    set_states = ("merged", "replaced", "gathered")
    write_methods = ("POST",)
    read_path = "/oidc$"
    create_path = "/oidc/save$"
    config_variants = ({}, {"secret_visibility": "clear"}, {"secret_visibility": "masked"},
                       {"client_id_readback": "clientId"}, {"error_type": "header"})
    ca_option = "aws_ca_bundle"
    label = "Wickr"
    refuses_url_credentials = True
    extra_info = ("wickr_network_info",)
    leak_config = {"secret_visibility": "clear"}
    CRED_ATTRS = ("ACCESS_KEY", "SECRET_KEY", "TEMP_ACCESS_KEY", "TEMP_SECRET_KEY", "SESSION_TOKEN")

    def prepare(self, rel, tag, **config):
        """Temporary credentials (access key, secret key, session token) made of canaries: the
        simulator verifies SigV4 with them. Restored by the ``rel`` fixture at teardown."""
        ctx = Ctx(rel, self, tag)
        rel.reset(self.service, None, **config)
        app = rel.app(self.service)
        rel.remember_attrs(app, self.CRED_ATTRS)
        access = "ASIA" + uuid.uuid4().hex[:16].upper()
        secret_key = ctx.secret("secret-key")
        token = ctx.secret("session-token", special=False)
        app.TEMP_ACCESS_KEY, app.TEMP_SECRET_KEY, app.SESSION_TOKEN = access, secret_key, token
        # the long-term key pair is not used by these tests: make it unusable too
        app.SECRET_KEY = ctx.secret("unused-long-term-key")
        rel.env = rel.harness.describe()
        env = rel.env[self.service]
        ctx.conn = {"access_key": access, "secret_key": secret_key, "session_token": token,
                    "region": env["region"], "endpoint_url": env["url"], "aws_ca_bundle": rel.env["ca_path"]}
        ctx.env = {"AWS_ACCESS_KEY_ID": access, "AWS_SECRET_ACCESS_KEY": secret_key, "AWS_SESSION_TOKEN": token,
                   "AWS_REGION": env["region"], "AWS_ENDPOINT_URL": env["url"], "AWS_CA_BUNDLE": rel.env["ca_path"]}
        ctx.allowed_in_query = []
        return ctx

    def make_key(self, ctx, label):
        """A fresh network (8 digits) seeded into the simulator: the OIDC config is what gets created."""
        import random

        network_id = "%08d" % random.randint(10000000, 99999999)
        ctx.rel.app(self.service).seed({"networks": {network_id: {"networkName": "Reliability %s" % label}}})
        return network_id

    def issuer(self, rel):
        return rel.env["oidc"]["issuer"]

    def _create(self, ctx, key):
        return {"network_id": key, "company_id": "rel-%s" % key, "issuer": self.issuer(ctx.rel),
                "scopes": ["openid", "profile", "email"], "client_id": "wickr-%s" % key,
                "secret": ctx.secret("idp-secret"), "sso_token_buffer_minutes": 5}

    def update(self, ctx, key, variant=1):
        # client_id is repeated: where the API reads it back as clientId (and userId as a claim name), the
        # module needs it to save the whole configuration again (it says so rather than guess)
        return {"network_id": key, "sso_token_buffer_minutes": 5 + variant, "custom_username": "upn%d" % variant,
                "client_id": self.create(ctx, key)["client_id"]}

    def objects(self, rel, key):
        network = rel.state(self.service)["networks"].get(key) or {}
        return [network["oidc"]] if network.get("oidc") else []

    def url_of(self, ctx):
        return ctx.conn["endpoint_url"]

    def with_url(self, ctx, url):
        out = copy.deepcopy(ctx.conn)
        out["endpoint_url"] = url
        return out

    def bad_login(self, ctx):
        out = copy.deepcopy(ctx.conn)
        out["secret_key"] = ctx.secret("wrong-secret-key")
        return out

    def write_path(self):
        return "/oidc"

    def info_params(self, ctx, key):
        return {"network_id": key}

    def info_all_params(self, ctx):
        return None

    def extra_info_leak_steps(self, ctx):
        """The token exchange: GetOidcInfo carries clientSecret, code and codeVerifier in its query by
        design of the vendor API (botocore's model: querystring members); allowed there, nowhere else."""
        from reliability._steps import Step

        key = ctx.key("tok")
        code, verifier, client_secret = ctx.secret("code"), ctx.secret("verifier"), ctx.secret("token-secret")
        ctx.allowed_in_query += [(r"^/networks/[0-9]{8}/oidc$", v) for v in (code, verifier, client_secret)]
        networks = "wickr_network_info"
        url = ctx.conn["endpoint_url"].replace("://", "://AKIALEAK:%s@" % ctx.secret("url-password", special=False))
        return [
            Step("%s: every page" % networks, networks, ctx.params(), expect="ok", writes=0),
            Step("%s: login refused" % networks, networks, ctx.params(conn=self.bad_login(ctx)), expect="failed",
                 writes=0),
            Step("%s: url-credentials" % networks, networks, ctx.params(conn=self.with_url(ctx, url)),
                 expect="failed", writes=0),
            Step("%s: http-5xx-after-retries" % networks, networks, ctx.params(), expect="failed", writes=0,
                 faults=[{"status": 503, "times": -1, "retry_after": 0, "method": "GET", "path": "^/networks$"}]),
            Step("setup token exchange network", self.single, ctx.params(**self.create(ctx, key)), expect="changed"),
            Step("token exchange (secrets in the vendor's query)", self.info,
                 ctx.params(network_id=key, code=code, code_verifier=verifier, token_client_id="wickr-%s" % key,
                            token_client_secret=client_secret, grant_type="authorization_code",
                            redirect_uri="https://messaging-pro-prod.wickr.com/deeplink/oidc.php"),
                 expect="failed", writes=0),
        ]

    def invalid(self, ctx):
        key = ctx.key("bad")
        base = self.create(ctx, key)
        return [
            ("short network_id", dict(base, network_id="1234"), "network_id"),
            ("letters network_id", dict(base, network_id="abcdefgh"), "network_id"),
            ("blank company_id", dict(base, company_id="  "), "company_id"),
            ("http issuer", dict(base, issuer="http://login.example.com"), "issuer"),
            ("issuer with query", dict(base, issuer="https://login.example.com/?x=1"), "issuer"),
            ("no scopes", dict(base, scopes=[]), "scopes"),
            ("short secret", dict(base, secret="abc"), "secret"),
            ("negative buffer", dict(base, sso_token_buffer_minutes=-1), "sso_token_buffer_minutes"),
            ("not a PEM", dict(base, ca_certificate="hello"), "ca_certificate"),
            ("bad region", dict(base, region="Not A Region"), "region"),
            ("bad endpoint", dict(base, endpoint_url="ftp://wickr.example.com"), "endpoint_url"),
            ("half a key pair", dict(base, secret_key=None), "secret_key"),
            ("zero timeout", dict(base, timeout=0), "timeout"),
        ]

    def edge(self, ctx):
        return [
            ("unicode company", dict(self.create(ctx, ctx.key("edge")), company_id="soci\u00e9t\u00e9-\u65e5\u672c")),
            ("scopes as one string", dict(self.create(ctx, ctx.key("edge")), scopes="openid profile email")),
            ("long extra params", dict(self.create(ctx, ctx.key("edge")), extra_auth_params="prompt=login&" + "x" * 400)),
            ("zero buffer", dict(self.create(ctx, ctx.key("edge")), sso_token_buffer_minutes=0)),
        ]


PROFILES = [CheckmarxProfile(), SlashIdProfile(), VcenterProfile(), WickrProfile()]
BY_SERVICE = dict((p.service, p) for p in PROFILES)


def profile(service):
    return BY_SERVICE[service]

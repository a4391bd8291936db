# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


# The option stored_secrets (a task option of the single and the set module). <secrets> names the secrets option.
_STORED_SECRETS = r"""
  stored_secrets:
    version_added: 0.2.0
    description:
      - What an update that leaves out <secrets> does with the secrets the client already has. The API shows
        them only as stored values (hashes) and an update must send the whole client.
      - V(send_back) (the default) sends the stored values back unchanged, as Checkmarx's own client
        (C(cxpsemea/CxSASTClientGo), C(SaveOIDCClient)) does, so a change needs no plaintext secret. The read-back
        must show exactly the values stored before; if the server re-hashed them, the task fails for that client,
        names it and says to run it again with the plaintext secrets to restore it.
      - V(refuse) makes such an update fail before any write, asking for the plaintext secrets, unless the server is
        seen to store secrets as sent. Choose it for a server known to re-hash values it already stores.
    type: str
    choices: [send_back, refuse]
    default: send_back
"""

# The options of one OIDC client. <o> is the prefix of a client option in a reference (config[]. in the set module),
# <create_only> the note of each field that Checkmarx's update model lacks.
_CLIENT_OPTIONS = r"""
  client_id:
    description:
      - The OAuth 2.0 C(client_id) of the OIDC client (the API's C(clientId)). It identifies the client.
      - The server assigns its own integer C(id); the modules find the client by O(<o>client_id).
    type: str
    required: true
  name:
    description:
      - Display name (C(clientName)). A new client without a name gets its O(<o>client_id) as name.
    type: str
  enabled:
    description:
      - Whether the client may obtain tokens. The server default is V(true).
    type: bool
  require_client_secret:
    description:
      - Whether the client must authenticate with a secret at the token endpoint. The server default is V(true).
    type: bool
  require_pkce:
    version_added: 0.2.0
    description:
      - Whether the client must use PKCE (Proof Key for Code Exchange) with the authorization code flow
        (C(requirePkce)). The server default is V(false).
      - A server whose clients do not show C(requirePkce) (older releases) counts as V(false); setting V(true)
        there fails in the read-back, naming the field.
    type: bool
  client_secrets:
    description:
      - The client's secrets, in plaintext. The list is the whole list; order does not matter.
      - The API never shows a secret, only its hash (base64 of the SHA-256, as IdentityServer stores it). The module
        hashes the given plaintext the same way and compares; an unchanged secret costs no write, a rotated one
        is detected and written. A stored value equal to the plaintext also counts as that secret (servers that
        store what they are sent).
      - Leave it out to keep the current secrets. An update sends the whole client, so an update without this
        option sends the stored secret values back unchanged, as Checkmarx's own client does, and checks in the
        read-back that the server kept exactly the values it stored before. If the server re-hashed them, the task
        fails for that client and says how to restore it (run it again with this option). O(stored_secrets=refuse)
        makes such updates fail before any write instead. See the Checkmarx guide in the collection's docs.
      - Give V([]) to remove every secret.
    type: list
    elements: str
  allowed_grant_types:
    description:
      - Grant types the client may use (C(allowedGrantTypes)).
      - V(implicit), V(authorization_code) and V(hybrid) exclude each other.
    type: list
    elements: str
    choices: [authorization_code, client_credentials, hybrid, implicit, password]
  allowed_scopes:
    description:
      - Scopes the client may request, for example V(openid), V(profile), V(sast_api), V(access_control_api),
        V(offline_access), V(sast_rest_api). Compared as a set.
    type: list
    elements: str
  redirect_uris:
    description:
      - Allowed redirect URIs (needed by the V(implicit) and V(authorization_code) grants). Compared as a set.
    type: list
    elements: str
  post_logout_redirect_uris:
    description:
      - Allowed redirect URIs after logout. Compared as a set.
    type: list
    elements: str
  front_channel_logout_uri:
    description:
      - Front-channel logout URI. V('') removes it.
    type: str
  front_channel_logout_session_required:
    description:
      - Whether the session id is sent to O(<o>front_channel_logout_uri). The server default is V(true).
    type: bool
  back_channel_logout_uri:
    description:
      - Back-channel logout URI. V('') removes it.
    type: str
  back_channel_logout_session_required:
    description:
      - Whether the session id is sent in the back-channel logout token. The server default is V(true).
    type: bool
  allow_offline_access:
    description:
      - Whether the client may request refresh tokens (scope C(offline_access)). The server default is V(false).
    type: bool
  access_token_type:
    description:
      - Format of the access tokens issued to the client. The API's integers, in the IdentityServer4 convention;
        V(jwt) is C(0) (the server default), V(reference) is C(1).
      - <create_only>
    type: str
    choices: [jwt, reference]
  update_access_token_claims_on_refresh:
    description:
      - Whether the claims of the access token are updated on a refresh. The server default is V(false).
      - <create_only>
    type: bool
  include_jwt_id:
    description:
      - Whether JWT access tokens carry a unique C(jti). The server default is V(false).
      - <create_only>
    type: bool
  always_include_user_claims_in_id_token:
    description:
      - Whether user claims are always put in the ID token. The server default is V(false).
      - <create_only>
    type: bool
  identity_token_lifetime:
    description:
      - Lifetime of ID tokens, in seconds (positive). The server default is V(300).
    type: int
  access_token_lifetime:
    description:
      - Lifetime of access tokens, in seconds (positive). The server default is V(3600).
    type: int
  authorization_code_lifetime:
    description:
      - Lifetime of authorization codes, in seconds (positive). The server default is V(300).
    type: int
  absolute_refresh_token_lifetime:
    description:
      - Maximum lifetime of a refresh token, in seconds. The server default is V(2592000) (30 days).
    type: int
  sliding_refresh_token_lifetime:
    description:
      - Sliding lifetime of a refresh token, in seconds. The server default is V(1296000) (15 days).
    type: int
  refresh_token_usage:
    description:
      - Whether a refresh token can be used again. The API's integers, in the IdentityServer4 convention;
        V(reuse) is C(0), V(one_time_only) is C(1) (the server default).
    type: str
    choices: [reuse, one_time_only]
  refresh_token_expiration:
    description:
      - How a refresh token expires. The API's integers, in the IdentityServer4 convention;
        V(sliding) is C(0), V(absolute) is C(1) (the server default).
    type: str
    choices: [sliding, absolute]
  allowed_cors_origins:
    description:
      - Origins allowed to call the token endpoint from a browser, written C(scheme://host[:port]) without a path
        or trailing slash. Compared as a set.
    type: list
    elements: str
  allow_access_tokens_via_browser:
    description:
      - Whether access tokens may be sent through the browser (implicit flow). The server default is V(false).
    type: bool
  claims:
    description:
      - Claims put in every token of the client. Compared as a set.
    type: list
    elements: dict
    suboptions:
      type:
        description:
          - Claim type.
        type: str
        required: true
      value:
        description:
          - Claim value.
        type: str
        required: true
  client_claims_prefix:
    description:
      - Prefix of the client claims' types. The server default is V('') (no prefix).
    type: str
"""


# The note of the fields only a create may set; <recreate> says how to delete and create a client again.
_CREATE_ONLY = ("Checkmarx's update model lacks this field, so a server may take it only when the client is created. The\n"
                "        read-back after an update shows it; if the server kept the old value, the task fails naming the "
                "field. To\n        change it then, <recreate>")


def _client_options(prefix, recreate, indent=""):
    text = _CLIENT_OPTIONS.replace("<create_only>", _CREATE_ONLY).replace("<o>", prefix).replace("<recreate>", recreate)
    return "".join(indent + line if line.strip() else line for line in text.splitlines(True))


class ModuleDocFragment(object):
    # Connection options of the Checkmarx CxSAST Access Control modules (validate_certs, ca_path and
    # timeout are in sso.oidc.connection), the action group, notes.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the CxSAST server, for example V(https://cxsast.example.com).
      - The modules add C(/cxrestapi/auth) themselves; a URL that already ends in C(/cxrestapi) or
        C(/cxrestapi/auth) is accepted too.
      - A URL with a user name or password in it (C(https://user:password@host)) is refused before any request,
        because this option is not secret and Ansible would show it; give the credentials in O(username) and
        O(password), or O(token).
      - Required. If not set, the value of the E(CX_URL) environment variable is used.
    type: str
  username:
    description:
      - Name of a CxSAST application user with the C(Manage Clients) permission.
      - Active Directory users cannot use the CxSAST REST API, even with SSO enabled for the web client.
      - Required unless O(token) is given. If not set, the value of the E(CX_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username).
      - Required unless O(token) is given. If not set, the value of the E(CX_PASSWORD) environment variable is used.
    type: str
  auth_client_id:
    description:
      - The OIDC client the module logs in with (OAuth2 password grant).
      - The token it requests has the scope C(access_control_api) (plus C(sast_rest_api) for
        V(resource_owner_client) and C(sast_api) for V(resource_owner_sast_client), as the vendor documents).
      - If not set, the value of the E(CX_AUTH_CLIENT_ID) environment variable is used, and then the built-in
        V(resource_owner_client).
    type: str
    default: resource_owner_client
  auth_client_secret:
    description:
      - Secret of O(auth_client_id).
      - The default is the secret that the vendor documents for its built-in resource owner clients.
      - If not set, the value of the E(CX_AUTH_CLIENT_SECRET) environment variable is used, and then that default.
    type: str
    default: 014DF517-39D1-4453-B7B3-9930C563627C
  token:
    description:
      - A bearer access token obtained earlier from C(/cxrestapi/auth/identity/connect/token), to skip the login.
        A leading C(Bearer ) is accepted.
      - Get one token per play and pass it to every task through C(module_defaults) (see the examples) to save a
        login per task.
      - When the server refuses the token (it expired), the module logs in with O(username) and O(password)
        if they are given, and fails with a clear message otherwise.
      - If not set, the value of the E(CX_TOKEN) environment variable is used.
    type: str
notes:
  - The modules talk to the CxSAST Access Control REST API (Access Control 1.5 or later, CxSAST 9.0 or later)
    with the media types C(application/json;v=1.0) and the audit header C(cxOrigin) set to C(sso.oidc ansible).
  - One login per task at most. A token that expires during the task is replaced once (a new login) and
    the request repeated. HTTP 429 and 503 are retried with backoff, honouring C(Retry-After).
  - If O(validate_certs) is not set, the value of the E(CX_VALIDATE_CERTS) environment variable is used; if
    O(ca_path) is not set, the value of the E(CX_CA_PATH) environment variable is used.
requirements:
  - requests
attributes:
  action_group:
    description: Use C(group/sso.oidc.checkmarx) or C(group/sso.oidc.all) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - sso.oidc.checkmarx
      - sso.oidc.all
"""


# Added after the class: ansible-test's yamllint sanity test accepts only string literals in a fragment class.
# One OIDC client: cx_oidc_client's options (with stored_secrets), written once in _CLIENT_OPTIONS.
ModuleDocFragment.CLIENT = (
    "options:\n"
    + _client_options("", "delete the client (O(state=absent)) and create it again (with O(client_secrets)).")
    + _STORED_SECRETS.replace("<secrets>", "the client secrets")
)

# cx_oidc_clients: stored_secrets, and the same client options indented under config.suboptions (the module
# documents config itself).
ModuleDocFragment.CLIENTS = (
    "options:\n"
    + _STORED_SECRETS.replace("<secrets>", "O(config[].client_secrets)")
    + "  config:\n    suboptions:\n"
    + _client_options("config[].", "delete the client (O(state=deleted) with its O(config[].client_id)) and "
                      "create it again (with O(config[].client_secrets)).", indent="    ")
)

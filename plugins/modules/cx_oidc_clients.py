#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cx_oidc_clients
short_description: Reconcile many OIDC clients of Checkmarx CxSAST Access Control in one task
version_added: 0.1.0
description:
  - Reconciles a list of OpenID Connect clients of CxSAST Access Control in one task, in the style of
    Ansible's network resource modules.
  - One login and one read of all clients per task, then only the writes that differ, and one more read
    after the writes to return what the server really holds.
  - Each entry of O(config) takes the options of M(sso.oidc.cx_oidc_client) and is compared the same way
    (the single module is this module with a list of one).
  - A failure on one client does not stop the others. The task reports every client's outcome in
    RV(results) and then fails, naming the failed clients in RV(failed_keys).
  - The built-in clients that CxSAST itself logs in with (V(cxsast_client), V(resource_owner_client),
    V(resource_owner_sast_client)) are always protected, beside the ones in O(protected).
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.stateful
  - sso.oidc.checkmarx
attributes:
  action_group:
    description: Use C(group/sso.oidc.checkmarx) or C(group/sso.oidc.all) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - sso.oidc.checkmarx
      - sso.oidc.all
options:
  state:
    description:
      - V(merged) creates the clients listed and updates the options given; options left out keep the server's value.
      - V(replaced) also resets every option left out of an entry to its server default (except O(config[].name) and
        O(config[].client_secrets), which are kept when left out); clients not listed are not touched.
      - V(overridden) is V(replaced) plus the deletion of every client not listed, except the protected ones.
      - V(deleted) deletes the clients listed (only O(config[].client_id) is used), or every client except the
        protected ones when O(config) is empty.
      - V(gathered) reads every client into RV(gathered) and changes nothing.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
  protected:
    description:
      - Client ids that V(overridden) and V(deleted) never delete, beside the built-in clients of the product.
    type: list
    elements: str
    default: []
  update_secret:
    description:
      - Checkmarx shows a hash of each secret, so O(config[].client_secrets) is compared and needs no policy;
        V(on_create) (the default) writes secrets only when they differ.
      - V(always) writes the O(config[].client_secrets) of every entry that has them on every run and reports a change.
    type: str
    choices: [on_create, always]
    default: on_create
  stored_secrets:
    version_added: 0.2.0
    description:
      - What an update that leaves out O(config[].client_secrets) does with the secrets the client already has. The API shows
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
  config:
    description:
      - The clients, each with the options of M(sso.oidc.cx_oidc_client) (without O(ignore:state)).
      - Each O(config[].client_id) may appear once.
    type: list
    elements: dict
    default: []
    suboptions:
      client_id:
        description:
          - The OAuth 2.0 C(client_id) of the OIDC client (the API's C(clientId)). It identifies the client.
          - The server assigns its own integer C(id); the modules find the client by O(config[].client_id).
        type: str
        required: true
      name:
        description:
          - Display name (C(clientName)). A new client without a name gets its O(config[].client_id) as name.
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
          - Whether the session id is sent to O(config[].front_channel_logout_uri). The server default is V(true).
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
          - Checkmarx's update model lacks this field, so a server may take it only when the client is created. The
            read-back after an update shows it; if the server kept the old value, the task fails naming the field. To
            change it then, delete the client (O(state=deleted) with its O(config[].client_id)) and create it again (with O(config[].client_secrets)).
        type: str
        choices: [jwt, reference]
      update_access_token_claims_on_refresh:
        description:
          - Whether the claims of the access token are updated on a refresh. The server default is V(false).
          - Checkmarx's update model lacks this field, so a server may take it only when the client is created. The
            read-back after an update shows it; if the server kept the old value, the task fails naming the field. To
            change it then, delete the client (O(state=deleted) with its O(config[].client_id)) and create it again (with O(config[].client_secrets)).
        type: bool
      include_jwt_id:
        description:
          - Whether JWT access tokens carry a unique C(jti). The server default is V(false).
          - Checkmarx's update model lacks this field, so a server may take it only when the client is created. The
            read-back after an update shows it; if the server kept the old value, the task fails naming the field. To
            change it then, delete the client (O(state=deleted) with its O(config[].client_id)) and create it again (with O(config[].client_secrets)).
        type: bool
      always_include_user_claims_in_id_token:
        description:
          - Whether user claims are always put in the ID token. The server default is V(false).
          - Checkmarx's update model lacks this field, so a server may take it only when the client is created. The
            read-back after an update shows it; if the server kept the old value, the task fails naming the field. To
            change it then, delete the client (O(state=deleted) with its O(config[].client_id)) and create it again (with O(config[].client_secrets)).
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
seealso:
  - module: sso.oidc.cx_oidc_client
  - module: sso.oidc.cx_oidc_client_info
"""

EXAMPLES = r"""
- name: Make sure these clients exist as described (others are left alone)
  sso.oidc.cx_oidc_clients:
    url: https://cxsast.example.com
    username: "{{ cx_username }}"
    password: "{{ cx_password }}"
    config:
      - client_id: portal
        name: Internal portal
        allowed_grant_types: [authorization_code]
        allowed_scopes: [openid, profile]
        redirect_uris: [https://portal.example.com/oidc/callback]
        client_secrets: ["{{ portal_secret }}"]
      - client_id: ci-reporter
        allowed_grant_types: [client_credentials]
        allowed_scopes: [sast_rest_api]
        client_secrets: ["{{ ci_reporter_secret }}"]
  no_log: true

- name: Exactly these clients; delete every other one except the built-ins and a hand-made one
  sso.oidc.cx_oidc_clients:
    url: https://cxsast.example.com
    username: "{{ cx_username }}"
    password: "{{ cx_password }}"
    state: overridden
    protected: [jenkins-plugin]
    config:
      - client_id: portal
        name: Internal portal
        allowed_grant_types: [authorization_code]
        allowed_scopes: [openid, profile]
        redirect_uris: [https://portal.example.com/oidc/callback]
        client_secrets: ["{{ portal_secret }}"]
  no_log: true

- name: Read every client
  sso.oidc.cx_oidc_clients:
    url: https://cxsast.example.com
    username: "{{ cx_username }}"
    password: "{{ cx_password }}"
    state: gathered
  register: cx_clients

- name: Delete two clients
  sso.oidc.cx_oidc_clients:
    url: https://cxsast.example.com
    username: "{{ cx_username }}"
    password: "{{ cx_password }}"
    state: deleted
    config:
      - client_id: legacy-dashboard
      - client_id: old-ci
"""

RETURN = r"""
msg:
  description: A one-line summary (counts by outcome). Absent when the task failed (see C(msg) of the failure).
  returned: success
  type: str
  sample: "OIDC clients: 2 created, 1 unchanged"
results:
  description: One entry per client the task touched or compared, in O(config) order, then the deletions.
  returned: always, except for O(state=gathered) where it is empty
  type: list
  elements: dict
  contains:
    key:
      description: The client's O(config[].client_id).
      type: str
      returned: always
      sample: portal
    action:
      description: V(created), V(updated), V(deleted), V(unchanged) or V(failed).
      type: str
      returned: always
      sample: created
    changed:
      description: Whether this client was (or, in check mode, would be) changed.
      type: bool
      returned: always
    msg:
      description: What happened to this client; for V(failed), the reason with the vendor's text.
      type: str
      returned: always
      sample: OIDC client 'portal' updated (redirect_uris)
    changed_fields:
      description: The options that differed.
      type: list
      elements: str
      returned: when some differed
    proposed:
      description: The body sent to the API (in check mode, that would be sent), secrets masked.
      type: dict
      returned: when a write was (or would be) sent
    end_state:
      description: The client after the task (read back; predicted in check mode), secrets masked.
      type: dict
      returned: when the client exists after the task
  sample:
    - key: portal
      action: created
      changed: true
      msg: OIDC client 'portal' created
gathered:
  description: Every client, in the option names of M(sso.oidc.cx_oidc_client), secrets masked.
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample:
    - client_id: portal
      name: Internal portal
      client_secrets: ["********"]
diff:
  description:
    - C(before) and C(after), each a dictionary keyed by client id with the clients that changed, secrets masked.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The changed clients before.
      type: dict
      returned: always
    after:
      description: The changed clients after (empty dictionary for a deleted one).
      type: dict
      returned: always
failed_keys:
  description: The client ids whose reconciliation failed.
  returned: when some failed
  type: list
  elements: str
  sample: [portal]
api_calls:
  description: HTTP requests sent, by method (the login is a C(POST)).
  returned: always
  type: dict
  sample: {GET: 2, POST: 3, PUT: 1}
"""

from ansible_collections.sso.oidc.plugins.module_utils._checkmarx_resource import SET as MODULE

module_spec, run = MODULE.module_spec, MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

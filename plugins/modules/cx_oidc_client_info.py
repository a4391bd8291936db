#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cx_oidc_client_info
short_description: Read OIDC clients of Checkmarx CxSAST Access Control
version_added: 0.1.0
description:
  - Reads one OpenID Connect client of CxSAST Access Control by O(client_id), or all of them.
  - Returns every client in the option names of M(sso.oidc.cx_oidc_client) (enums as words), plus the
    server's integer C(id). Secret hashes are masked.
  - Sends one login and one list request (plus one read per client if the server lists summaries only).
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.info_module
  - sso.oidc.connection
  - sso.oidc.checkmarx
options:
  client_id:
    description:
      - The C(client_id) of the client to read. All clients when left out.
      - A client that does not exist gives an empty RV(clients) list, not an error.
    type: str
seealso:
  - module: sso.oidc.cx_oidc_client
  - module: sso.oidc.cx_oidc_clients
"""

EXAMPLES = r"""
- name: Read one client
  sso.oidc.cx_oidc_client_info:
    url: https://cxsast.example.com
    username: "{{ cx_username }}"
    password: "{{ cx_password }}"
    client_id: portal
  register: portal

- name: Show its redirect URIs
  ansible.builtin.debug:
    var: portal.clients[0].redirect_uris
  when: portal.clients | length > 0

- name: List every client, connection from CX_URL, CX_USERNAME and CX_PASSWORD
  sso.oidc.cx_oidc_client_info:
  register: all_clients

- name: Show the client ids
  ansible.builtin.debug:
    msg: "{{ all_clients.clients | map(attribute='client_id') | list }}"
"""

RETURN = r"""
msg:
  description: A one-line summary.
  returned: always
  type: str
  sample: 4 OIDC client(s) found
clients:
  description:
    - The clients, in the option names of M(sso.oidc.cx_oidc_client). Empty when O(client_id) names no client.
    - Every option of M(sso.oidc.cx_oidc_client) is a key; the most used are listed here.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The server's integer id of the client.
      type: int
      returned: always
      sample: 7
    client_id:
      description: The OAuth C(client_id).
      type: str
      returned: always
      sample: portal
    name:
      description: Display name.
      type: str
      returned: always
      sample: Internal portal
    enabled:
      description: Whether the client may obtain tokens.
      type: bool
      returned: always
    require_pkce:
      description: Whether the client must use PKCE (C(requirePkce)); V(false) on a server that does not show the field.
      type: bool
      returned: always
      sample: false
    client_secrets:
      description: One masked entry per stored secret (the API shows hashes only; they are masked too).
      type: list
      elements: str
      returned: always
      sample: ["********"]
    allowed_grant_types:
      description: Grant types, sorted.
      type: list
      elements: str
      returned: always
      sample: [authorization_code]
    allowed_scopes:
      description: Scopes, sorted.
      type: list
      elements: str
      returned: always
      sample: [openid, profile]
    redirect_uris:
      description: Redirect URIs, sorted.
      type: list
      elements: str
      returned: always
    access_token_type:
      description: V(jwt) or V(reference).
      type: str
      returned: always
      sample: jwt
    access_token_lifetime:
      description: Access token lifetime in seconds.
      type: int
      returned: always
      sample: 3600
    refresh_token_usage:
      description: V(reuse) or V(one_time_only).
      type: str
      returned: always
      sample: one_time_only
    refresh_token_expiration:
      description: V(sliding) or V(absolute).
      type: str
      returned: always
      sample: absolute
    claims:
      description: Client claims, each with C(type) and C(value), sorted.
      type: list
      elements: dict
      returned: always
  sample:
    - id: 7
      client_id: portal
      name: Internal portal
      enabled: true
      require_client_secret: true
      client_secrets: ["********"]
      allowed_grant_types: [authorization_code]
      allowed_scopes: [openid, profile, sast_api]
      redirect_uris: [https://portal.example.com/oidc/callback]
      post_logout_redirect_uris: []
      front_channel_logout_uri: null
      front_channel_logout_session_required: true
      back_channel_logout_uri: null
      back_channel_logout_session_required: true
      allow_offline_access: false
      access_token_type: jwt
      update_access_token_claims_on_refresh: false
      include_jwt_id: false
      require_pkce: false
      always_include_user_claims_in_id_token: false
      identity_token_lifetime: 300
      access_token_lifetime: 3600
      authorization_code_lifetime: 300
      absolute_refresh_token_lifetime: 2592000
      sliding_refresh_token_lifetime: 1296000
      refresh_token_usage: one_time_only
      refresh_token_expiration: absolute
      allowed_cors_origins: []
      allow_access_tokens_via_browser: false
      claims: []
      client_claims_prefix: ""
api_calls:
  description: HTTP requests sent, by method (the login is a C(POST)).
  returned: always
  type: dict
  sample: {GET: 1, POST: 1}
"""

from ansible_collections.sso.oidc.plugins.module_utils._checkmarx_resource import INFO as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

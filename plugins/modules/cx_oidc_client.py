#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cx_oidc_client
short_description: Manage an OIDC client of Checkmarx CxSAST Access Control
version_added: 0.1.0
description:
  - Creates, updates or deletes one OpenID Connect client of the Checkmarx CxSAST Access Control
    (IdentityServer) service through its REST API (C(/cxrestapi/auth/OIDCClients)).
  - The client is found by O(client_id). Only the options you set are compared with the server; an option
    left out keeps the server's value (a new client gets the server defaults). Lists are compared as sets.
  - An update is a full C(PUT) built from the current client plus what you set, as the API requires. The
    secrets the API shows only as hashes are sent back unchanged when O(client_secrets) is left out, so a change
    needs no plaintext secret (see O(stored_secrets)).
  - Bodies carry your values as written; lists are compared as sets only. Every write is checked by a read-back;
    a field the server did not keep fails the task, naming the field and what the server kept.
  - A task that changes nothing sends no write, and reads no more than the token request and one list.
  - The built-in clients that CxSAST itself logs in with (V(cxsast_client), V(resource_owner_client),
    V(resource_owner_sast_client)) are never deleted.
  - To reconcile many clients in one task (one login, one read), use M(sso.oidc.cx_oidc_clients).
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.stateful
  - sso.oidc.connection
  - sso.oidc.checkmarx
  - sso.oidc.checkmarx.client
options:
  state:
    description:
      - V(present) creates the client or updates it to match the options given.
      - V(absent) deletes it; only O(client_id) is used then.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: sso.oidc.cx_oidc_client_info
  - module: sso.oidc.cx_oidc_clients
"""

EXAMPLES = r"""
- name: Create or update the OIDC client of an internal portal
  sso.oidc.cx_oidc_client:
    url: https://cxsast.example.com
    username: "{{ cx_username }}"
    password: "{{ cx_password }}"
    client_id: portal
    name: Internal portal
    allowed_grant_types: [authorization_code]
    allowed_scopes: [openid, profile, sast_api]
    redirect_uris:
      - https://portal.example.com/oidc/callback
    post_logout_redirect_uris:
      - https://portal.example.com/
    client_secrets:
      - "{{ portal_client_secret }}"
    access_token_lifetime: 1800
    refresh_token_usage: one_time_only
  no_log: true

- name: Change one option of a client whose secrets were set elsewhere (no plaintext needed)
  sso.oidc.cx_oidc_client:
    url: https://cxsast.example.com
    username: "{{ cx_username }}"
    password: "{{ cx_password }}"
    client_id: portal
    access_token_lifetime: 900
    require_pkce: true

- name: Rotate the secret (the old one stops working)
  sso.oidc.cx_oidc_client:
    url: https://cxsast.example.com
    username: "{{ cx_username }}"
    password: "{{ cx_password }}"
    client_id: portal
    client_secrets:
      - "{{ portal_client_secret_new }}"
  no_log: true

# One login for the whole play: get a token once, then every task of the group reuses it.
- name: Log in to CxSAST once
  ansible.builtin.uri:
    url: https://cxsast.example.com/cxrestapi/auth/identity/connect/token
    method: POST
    body_format: form-urlencoded
    body:
      grant_type: password
      username: "{{ cx_username }}"
      password: "{{ cx_password }}"
      scope: access_control_api sast_rest_api
      client_id: resource_owner_client
      client_secret: 014DF517-39D1-4453-B7B3-9930C563627C
  register: cx_login
  no_log: true

- name: Manage several clients with the token
  module_defaults:
    group/sso.oidc.checkmarx:
      url: https://cxsast.example.com
      token: "{{ cx_login.json.access_token }}"
  block:
    - name: A machine-to-machine client
      sso.oidc.cx_oidc_client:
        client_id: ci-reporter
        name: CI reporter
        allowed_grant_types: [client_credentials]
        allowed_scopes: [sast_rest_api]
        client_secrets:
          - "{{ ci_reporter_secret }}"
      no_log: true

    - name: A retired client is gone
      sso.oidc.cx_oidc_client:
        client_id: legacy-dashboard
        state: absent

# Connection from the environment (for example an AWX custom credential):
# CX_URL, CX_USERNAME, CX_PASSWORD (or CX_TOKEN), CX_CA_PATH.
- name: Disable a client, connection from CX_* variables
  sso.oidc.cx_oidc_client:
    client_id: portal
    enabled: false
    # An update sends the whole client: give the secrets of a client that has some (see client_secrets).
    client_secrets:
      - "{{ portal_client_secret_new }}"
  no_log: true
"""

RETURN = r"""
msg:
  description: What happened, in one line.
  returned: always
  type: str
  sample: OIDC client 'portal' updated (access_token_lifetime)
action:
  description: V(created), V(updated), V(deleted) or V(unchanged) (in check mode, what would happen).
  returned: always
  type: str
  sample: updated
changed_fields:
  description: The options whose value differed from the server and were (or would be) written.
  returned: always
  type: list
  elements: str
  sample: [access_token_lifetime]
existing:
  description:
    - The client as read before the task, in option names (enums as words), secrets masked.
    - Empty when the client did not exist.
  returned: always
  type: dict
  sample: {client_id: portal, name: Internal portal, client_secrets: ["********"], access_token_lifetime: 3600}
proposed:
  description:
    - The body sent (or, in check mode, that would be sent) to the API, in the API's names, secrets masked.
    - Empty when nothing is written.
  returned: always
  type: dict
  sample: {clientId: portal, accessTokenLifetime: 1800, clientSecrets: ["********"]}
end_state:
  description:
    - The client after the task, in option names, secrets masked. Read back from the server after a write;
      predicted in check mode. Empty after a deletion.
  returned: always
  type: dict
  sample: {client_id: portal, name: Internal portal, client_secrets: ["********"], access_token_lifetime: 1800}
diff:
  description: Before and after, secrets masked; a changed secret shows as changed, never its value.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The client before.
      type: dict
      returned: always
    after:
      description: The client after.
      type: dict
      returned: always
api_calls:
  description: HTTP requests sent, by method (the login is a C(POST)).
  returned: always
  type: dict
  sample: {GET: 1, POST: 1}
"""

from ansible_collections.sso.oidc.plugins.module_utils._checkmarx_resource import SINGLE as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

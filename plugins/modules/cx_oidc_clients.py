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
  - sso.oidc.connection
  - sso.oidc.checkmarx
  - sso.oidc.checkmarx.clients
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
  config:
    description:
      - The clients, each with the options of M(sso.oidc.cx_oidc_client) (without O(ignore:state)).
      - Each O(config[].client_id) may appear once.
    type: list
    elements: dict
    default: []
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

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

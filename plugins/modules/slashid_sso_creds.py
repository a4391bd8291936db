#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: slashid_sso_creds
short_description: Manage many SlashID OIDC provider credentials for SSO in one task
version_added: 0.1.0
description:
  - Reconciles a list of SlashID OIDC provider credentials for SSO in one task, in the style of Ansible's network
    resource modules. Each entry of O(config) takes the options of M(sso.oidc.slashid_sso_cred).
  - One read of the whole collection per task (a single C(GET) of the credential when O(config) names exactly one
    with O(state=merged), O(state=replaced) or O(state=deleted)), then only the writes that differ, then one read
    back when something was written. A task where nothing differs sends exactly one request.
  - Every entry gets its own outcome in RV(results). A failure on one entry does not stop the others; the task
    reports every outcome and then fails, naming the failed keys in RV(failed_keys).
  - SlashID authenticates each call with the API key; there is no login, no token and no session to reuse.
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.stateful
  - sso.oidc.connection
  - sso.oidc.slashid
  - sso.oidc.slashid.credentials
  - sso.oidc.update_secret
options:
  config:
    description:
      - The credentials, one entry each, keyed by O(config[].client_id). A client ID may appear once.
      - Required (at least one entry) with O(state=merged) and O(state=replaced).
    type: list
    elements: dict
    default: []
  state:
    description:
      - V(merged) creates the listed credentials and changes the options that are set; options left out keep
        SlashID's values.
      - V(replaced) is V(merged), and every option of a listed credential that is left out is set back to its
        default (label and external credential removed, provider options at the API defaults).
      - V(overridden) is V(replaced), and every credential that is not listed is deleted, except those in
        O(protected).
      - V(deleted) deletes the listed credentials (only O(config[].client_id) matters); with an empty O(config) it
        deletes every credential except those in O(protected).
      - V(gathered) reads every credential and returns them in RV(gathered); nothing changes.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
  protected:
    description:
      - Client IDs that O(state=overridden) and O(state=deleted) never delete. Listing a protected credential with
        O(state=deleted) fails that entry.
    type: list
    elements: str
    default: []
seealso:
  - module: sso.oidc.slashid_sso_cred
  - module: sso.oidc.slashid_sso_cred_info
"""

EXAMPLES = r"""
- name: Make sure these credentials exist (others are left alone)
  sso.oidc.slashid_sso_creds:
    org_id: af5fbd30-7ce7-4548-8b30-4cd59cb2aba1
    api_key: "{{ slashid_api_key }}"
    config:
      - client_id: 1234567890-abc.apps.googleusercontent.com
        client_secret: "{{ google_client_secret }}"
        provider: google
        label: Corporate Google
      - client_id: Iv1.8a61f9b3a7aba766
        client_secret: "{{ github_client_secret }}"
        provider: github
        options:
          github:
            authorize_scopes: [read:org]
  no_log: true

- name: Exactly these credentials; delete every other one except the break-glass credential
  sso.oidc.slashid_sso_creds:
    state: overridden
    protected:
      - break-glass-client
    config: "{{ slashid_credentials }}"
  no_log: true

- name: Preview what overridden would do, with a diff
  sso.oidc.slashid_sso_creds:
    state: overridden
    config: "{{ slashid_credentials }}"
  check_mode: true
  diff: true
  no_log: true

- name: Delete two credentials
  sso.oidc.slashid_sso_creds:
    state: deleted
    config:
      - client_id: old-client-1
      - client_id: old-client-2

- name: Read every credential
  sso.oidc.slashid_sso_creds:
    state: gathered
  register: slashid_gathered
"""

RETURN = r"""
msg:
  description: A summary of the outcomes.
  returned: when no entry failed
  type: str
  sample: "SlashID SSO credentials: 2 created, 1 unchanged"
results:
  description: One entry per credential the task touched or compared, in the order of O(config), then the deletions.
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: The client ID.
      type: str
      sample: 1234567890-abc.apps.googleusercontent.com
    action:
      description: V(created), V(updated), V(recreated), V(deleted), V(unchanged) or V(failed).
      type: str
      sample: created
    changed:
      description: Whether this credential changed (or would change in check mode).
      type: bool
      sample: true
    msg:
      description: What happened to this credential; for V(failed), why.
      type: str
      sample: "SlashID SSO credential 'a' created"
    changed_fields:
      description: The options that differed.
      type: list
      elements: str
      returned: when some differed
      sample: [label]
    proposed:
      description: The request body sent (or that would be sent), secrets masked.
      type: dict
      returned: when a create or update was needed
      sample:
        label: Corporate Google
    end_state:
      description: The credential after the task (predicted in check mode), secrets never included.
      type: dict
      returned: unless deleted or failed before a read
      sample:
        client_id: 1234567890-abc.apps.googleusercontent.com
        provider: google
        label: Corporate Google
        external_cred_id: ""
        enable_in_slashid_oidc_authz_server: false
        options:
          google:
            authorize_scopes: [openid, email, profile]
gathered:
  description: Every credential, in the option form of O(config), with the API defaults filled in.
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample:
    - client_id: 1234567890-abc.apps.googleusercontent.com
      provider: google
      label: Corporate Google
      external_cred_id: ""
      enable_in_slashid_oidc_authz_server: false
      options:
        google:
          authorize_scopes: [openid, email, profile]
diff:
  description: Before and after of every credential that changed, keyed by client ID, secrets masked.
  returned: when diff mode is on and O(state) is not V(gathered)
  type: dict
  sample:
    before:
      a: {}
    after:
      a:
        client_id: a
        provider: google
failed_keys:
  description: The client IDs whose entry failed.
  returned: when an entry failed
  type: list
  elements: str
  sample: [Iv1.8a61f9b3a7aba766]
api_calls:
  description: The HTTP requests the task sent, by method.
  returned: always
  type: dict
  sample:
    GET: 2
    POST: 2
"""

from ansible_collections.sso.oidc.plugins.module_utils._slashid_resource import SET as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

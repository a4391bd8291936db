#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: slashid_sso_cred
short_description: Manage one set of SlashID OIDC provider credentials for SSO
version_added: 0.1.0
description:
  - Creates, updates and deletes the OIDC provider credentials that a SlashID organization uses for SSO with a
    third-party identity provider (Google, GitHub, Azure AD, Okta, Apple, ...), through the SlashID API
    C(/organizations/sso/oidc/provider-credentials).
  - The credential is identified by O(client_id), the OAuth client ID the identity provider issued.
  - Only the options that are set are compared and changed; an option left out keeps the value SlashID has.
    Changes are sent with C(PATCH), with only what differs.
  - SlashID never shows O(client_secret) back, so it is sent when the credential is created and otherwise
    only as O(update_secret) says.
  - The provider of a credential cannot be changed in place. A change of O(provider) deletes the credential and
    creates it again, and only when O(recreate=true); otherwise the task fails and changes nothing.
  - To manage many credentials in one task (one read, then only the writes that differ), use
    M(sso.oidc.slashid_sso_creds).
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.stateful
  - sso.oidc.connection
  - sso.oidc.slashid
  - sso.oidc.slashid.credential
  - sso.oidc.update_secret
options:
  state:
    description:
      - V(present) creates or updates the credential, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: sso.oidc.slashid_sso_cred_info
  - module: sso.oidc.slashid_sso_creds
  - name: SlashID API reference
    description: Organization SSO config, OIDC provider credentials.
    link: https://developer.slashid.dev/docs/api
"""

EXAMPLES = r"""
- name: Create or update the Google credential for SSO
  sso.oidc.slashid_sso_cred:
    org_id: af5fbd30-7ce7-4548-8b30-4cd59cb2aba1
    api_key: "{{ slashid_api_key }}"
    client_id: 1234567890-abc.apps.googleusercontent.com
    client_secret: "{{ google_client_secret }}"
    provider: google
    label: Corporate Google
    options:
      google:
        authorize_scopes:
          - https://www.googleapis.com/auth/drive.readonly
  no_log: true

- name: Rotate the client secret (sent and reported as a change on every run)
  sso.oidc.slashid_sso_cred:
    client_id: 1234567890-abc.apps.googleusercontent.com
    client_secret: "{{ new_google_client_secret }}"
    update_secret: always
  no_log: true

- name: Azure AD credential, connection from SLASHID_ORG_ID / SLASHID_API_KEY, waiting for every region
  sso.oidc.slashid_sso_cred:
    client_id: 6731de76-14a6-49ae-97bc-6eba6914391e
    client_secret: "{{ azure_client_secret }}"
    provider: azuread
    options:
      azuread:
        tenant: example.onmicrosoft.com
    consistency: all_regions
    consistency_timeout: 60
  no_log: true

- name: Sign in with Apple
  sso.oidc.slashid_sso_cred:
    client_id: com.example.web
    client_secret: unused-by-apple
    provider: apple
    options:
      apple:
        private_key: "{{ lookup('ansible.builtin.file', 'AuthKey_ABCDE12345.p8') }}"
        team_id: ABCDE12345
        key_id: FGHIJ67890
        secret_lifetime: 2160h
  no_log: true

- name: Move a credential to another provider (delete and create again)
  sso.oidc.slashid_sso_cred:
    client_id: shared-client
    client_secret: "{{ okta_client_secret }}"
    provider: okta
    options:
      okta:
        organization_url: https://example.okta.com
    recreate: true
  no_log: true

- name: Set the connection once for every SlashID task
  module_defaults:
    group/sso.oidc.slashid:
      org_id: af5fbd30-7ce7-4548-8b30-4cd59cb2aba1
      api_key: "{{ slashid_api_key }}"
  block:
    - name: Remove an old credential
      sso.oidc.slashid_sso_cred:
        client_id: old-client-id
        state: absent
"""

RETURN = r"""
msg:
  description: What happened, in one line.
  returned: always
  type: str
  sample: "SlashID SSO credential '1234567890-abc.apps.googleusercontent.com' updated (label)"
action:
  description: V(created), V(updated), V(recreated) (deleted and created again), V(deleted) or V(unchanged).
  returned: always
  type: str
  sample: updated
changed_fields:
  description: The options that differed (and were or would be changed).
  returned: always
  type: list
  elements: str
  sample: [label]
existing:
  description: The credential before the task, in option form with defaults filled in; V({}) when it did not exist.
  returned: always
  type: dict
  sample:
    client_id: 1234567890-abc.apps.googleusercontent.com
    provider: google
    label: Google
    external_cred_id: ""
    enable_in_slashid_oidc_authz_server: false
    options:
      google:
        authorize_scopes: [openid, email, profile]
proposed:
  description: The request body that was sent (or would be sent in check mode), secrets masked; V({}) when none.
  returned: always
  type: dict
  sample:
    label: Corporate Google
end_state:
  description:
    - The credential after the task as read back from SlashID (predicted in check mode); V({}) when absent.
    - Never holds O(client_secret) or O(options.apple.private_key).
  returned: always
  type: dict
  sample:
    client_id: 1234567890-abc.apps.googleusercontent.com
    provider: google
    label: Corporate Google
    external_cred_id: ""
    enable_in_slashid_oidc_authz_server: false
    options:
      google:
        authorize_scopes: [openid, email, profile]
diff:
  description: Before and after, secrets masked.
  returned: when diff mode is on
  type: dict
  sample:
    before:
      label: Google
    after:
      label: Corporate Google
api_calls:
  description: The HTTP requests the task sent, by method.
  returned: always
  type: dict
  sample:
    GET: 2
    PATCH: 1
"""

from ansible_collections.sso.oidc.plugins.module_utils._slashid_resource import SINGLE as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

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
  - sso.oidc.slashid
  - sso.oidc.update_secret
attributes:
  action_group:
    description: Use C(group/sso.oidc.slashid) or C(group/sso.oidc.all) in C(module_defaults) to set the connection
      options once.
    support: full
    membership:
      - sso.oidc.slashid
      - sso.oidc.all
options:
  client_id:
    description:
      - The OAuth client ID issued by the identity provider. It identifies the credential and cannot be changed.
    type: str
    required: true
  client_secret:
    description:
      - The OAuth client secret issued by the identity provider.
      - Required to create the credential (and to create it again when O(provider) changes).
      - SlashID never returns it, so it cannot be compared; O(update_secret) decides when it is sent.
    type: str
  provider:
    description:
      - The identity provider. Required to create the credential.
      - A different provider on an existing credential needs O(recreate=true).
    type: str
    choices: [google, github, bitbucket, gitlab, facebook, line, azuread, okta, apple]
  label:
    description:
      - A label for the credential. V("") removes it.
    type: str
  external_cred_id:
    description:
      - The ID of an external credential stored in SlashID (C(/organizations/config/external-credentials)).
    type: str
  enable_in_slashid_oidc_authz_server:
    description:
      - Whether the credential may be used for SSO when SlashID itself is the OIDC authorization server.
      - SlashID's default is V(false).
    type: bool
  options:
    description:
      - Options of the provider. Set only the key of the credential's provider.
      - Options left out keep SlashID's values, which default to the API defaults given below, so a task without
        O(options) is idempotent.
      - The default scopes of each provider are always requested, whether listed or not, so they are compared as
        part of every scope list; the order of scopes does not matter.
    type: dict
    suboptions:
      google:
        description: Options for Google.
        type: dict
        suboptions:
          authorize_scopes:
            description: Scopes to request. V(openid), V(email) and V(profile) are always requested.
            type: list
            elements: str
      github:
        description: Options for GitHub.
        type: dict
        suboptions:
          authorize_scopes:
            description: Scopes to request. V(read:user) and V(user:email) are always requested.
            type: list
            elements: str
      bitbucket:
        description: Options for Bitbucket.
        type: dict
        suboptions:
          authorize_scopes:
            description: Scopes to request. V(account) is always requested.
            type: list
            elements: str
      gitlab:
        description: Options for GitLab.
        type: dict
        suboptions:
          authorize_scopes:
            description: Scopes to request. V(read_user) is always requested.
            type: list
            elements: str
      facebook:
        description: Options for Facebook.
        type: dict
        suboptions:
          authorize_scopes:
            description: Scopes to request. V(email) and V(public_profile) are always requested.
            type: list
            elements: str
      line:
        description: Options for LINE.
        type: dict
        suboptions:
          authorize_scopes:
            description: Scopes to request. V(openid), V(email) and V(profile) are always requested.
            type: list
            elements: str
      azuread:
        description: Options for Azure AD (Microsoft Entra ID).
        type: dict
        suboptions:
          authorize_scopes:
            description: Scopes to request. V(openid), V(email), V(profile) and V(User.Read) are always requested.
            type: list
            elements: str
          tenant:
            description:
              - The tenant ID (a GUID), the tenant domain, or one of V(common), V(organizations) or V(consumers).
              - SlashID's default is V(common).
            type: str
      okta:
        description: Options for Okta.
        type: dict
        suboptions:
          authorize_scopes:
            description: Scopes to request. V(openid), V(email) and V(profile) are always requested.
            type: list
            elements: str
          organization_url:
            description: The Okta organization URL. SlashID's default is empty.
            type: str
      apple:
        description:
          - Options for Sign in with Apple. Required to create an apple credential.
          - SlashID takes these options only as a whole, so O(options.apple.private_key),
            O(options.apple.team_id) and O(options.apple.key_id) are required whenever O(options.apple) is set.
        type: dict
        suboptions:
          authorize_scopes:
            description: Scopes to request. V(openid), V(email) and V(name) are always requested.
            type: list
            elements: str
          private_key:
            description:
              - The ES256 private key from the Apple developer account, in PKCS8 PEM form.
              - A secret. It is compared only when SlashID shows it back; otherwise O(update_secret) decides
                when it is sent (it is also sent whenever another apple option changes).
            type: str
          team_id:
            description: The 10-character Team ID of the Apple developer account (the issuer of the client secret JWTs).
            type: str
          key_id:
            description: The 10-character identifier of the private key.
            type: str
          secret_lifetime:
            description:
              - Lifetime of each client secret SlashID generates, as a Go duration such as V(720h) or V(24h),
                between 5 minutes and 15,777,000 seconds (about 6 months).
              - SlashID's default is 30 days (V(720h)). Values are compared as durations, so V(720h0m0s) equals
                V(720h) and V(90m) equals V(1h30m). Go durations have no day unit.
            type: str
  recreate:
    description:
      - Allow the delete and create that a change of O(provider) needs.
      - With V(false) a provider change fails with a clear message and changes nothing.
    type: bool
    default: false
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

module_spec, run = MODULE.module_spec, MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

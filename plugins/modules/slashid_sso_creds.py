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
  config:
    description:
      - The credentials, one entry each, keyed by O(config[].client_id). A client ID may appear once.
      - Required (at least one entry) with O(state=merged) and O(state=replaced).
    type: list
    elements: dict
    default: []
    suboptions:
      client_id:
        description:
          - The OAuth client ID issued by the identity provider. It identifies the credential and cannot be changed.
        type: str
        required: true
      client_secret:
        description:
          - The OAuth client secret issued by the identity provider.
          - Required to create the credential (and to create it again when O(config[].provider) changes).
          - SlashID never returns it, so it cannot be compared; O(update_secret) decides when it is sent.
        type: str
      provider:
        description:
          - The identity provider. Required to create the credential.
          - A different provider on an existing credential needs O(config[].recreate=true).
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
            O(config[].options) is idempotent.
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
              - SlashID takes these options only as a whole, so O(config[].options.apple.private_key),
                O(config[].options.apple.team_id) and O(config[].options.apple.key_id) are required whenever O(config[].options.apple) is set.
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
          - Allow the delete and create that a change of O(config[].provider) needs.
          - With V(false) a provider change fails with a clear message and changes nothing.
        type: bool
        default: false
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

module_spec, run = MODULE.module_spec, MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

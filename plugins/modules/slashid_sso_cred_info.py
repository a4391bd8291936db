#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: slashid_sso_cred_info
short_description: Read SlashID OIDC provider credentials for SSO
version_added: 0.1.0
description:
  - Reads one set of OIDC provider credentials for SSO of a SlashID organization, or all of them, optionally only
    those of one provider.
  - Returns them in the option form of M(sso.oidc.slashid_sso_cred), with the API defaults filled in, so an entry
    can be fed back to that module or to M(sso.oidc.slashid_sso_creds).
  - SlashID never returns client secrets; Apple private keys are never returned by this module either.
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.info_module
  - sso.oidc.connection
  - sso.oidc.slashid
options:
  client_id:
    description:
      - The OAuth client ID of one credential. When left out, every credential is returned.
      - A credential that does not exist gives an empty RV(credentials) list, not a failure.
    type: str
  provider:
    description:
      - Return only the credentials of this provider (sent as the C(oauth_provider) filter of the list call).
    type: str
    choices: [google, github, bitbucket, gitlab, facebook, line, azuread, okta, apple]
seealso:
  - module: sso.oidc.slashid_sso_cred
  - module: sso.oidc.slashid_sso_creds
"""

EXAMPLES = r"""
- name: Read every SSO credential of the organization
  sso.oidc.slashid_sso_cred_info:
    org_id: af5fbd30-7ce7-4548-8b30-4cd59cb2aba1
    api_key: "{{ slashid_api_key }}"
  register: slashid_creds

- name: Read the Azure AD credentials only (connection from SLASHID_ORG_ID and SLASHID_API_KEY)
  sso.oidc.slashid_sso_cred_info:
    provider: azuread
  register: azure_creds

- name: Read one credential
  sso.oidc.slashid_sso_cred_info:
    client_id: 1234567890-abc.apps.googleusercontent.com
  register: google_cred

- name: Fail when it is missing
  ansible.builtin.assert:
    that: google_cred.credentials | length == 1
"""

RETURN = r"""
credentials:
  description: The credentials found, in the option form of M(sso.oidc.slashid_sso_cred); an empty list when none.
  returned: always
  type: list
  elements: dict
  contains:
    client_id:
      description: The OAuth client ID.
      type: str
      sample: 1234567890-abc.apps.googleusercontent.com
    provider:
      description: The identity provider.
      type: str
      sample: google
    label:
      description: The label (V("") when none).
      type: str
      sample: Corporate Google
    external_cred_id:
      description: The ID of the external credential in use (V("") when none).
      type: str
      sample: ""
    enable_in_slashid_oidc_authz_server:
      description: Whether the credential is used when SlashID is the OIDC authorization server.
      type: bool
      sample: false
    options:
      description:
        - The options of the credential's provider with the API defaults filled in (the default scopes
          first in O(sso.oidc.slashid_sso_cred#module:options.google.authorize_scopes) and the like).
        - Never holds the Apple private key.
      type: dict
      sample:
        google:
          authorize_scopes: [openid, email, profile]
  sample:
    - client_id: 1234567890-abc.apps.googleusercontent.com
      provider: google
      label: Corporate Google
      external_cred_id: ""
      enable_in_slashid_oidc_authz_server: false
      options:
        google:
          authorize_scopes: [openid, email, profile]
msg:
  description: How many credentials were found.
  returned: always
  type: str
  sample: found 2 SlashID SSO credential(s)
api_calls:
  description: The HTTP requests the task sent, by method.
  returned: always
  type: dict
  sample:
    GET: 1
"""

from ansible_collections.sso.oidc.plugins.module_utils._slashid_resource import INFO as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

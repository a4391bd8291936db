#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vcenter_identity_provider_info
short_description: Read the identity providers of a vCenter Server
version_added: 0.1.0
description:
  - Returns one identity provider of vCenter Server identity federation (by O(name) or O(provider_id)), or all.
  - Reads the list of providers once, then the details of each provider returned (one C(GET) each).
  - Each provider is returned in the option names of M(sso.oidc.vcenter_identity_provider), plus what vCenter
    found in the discovery document (endpoints, issuer, authentication method), with every secret masked.
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.info_module
  - sso.oidc.connection
  - sso.oidc.vcenter
options:
  name:
    description:
      - Return only the providers with this name (names are not unique, so there may be several).
      - Mutually exclusive with O(provider_id).
    type: str
  provider_id:
    description:
      - Return only the provider with this id; an empty list when it does not exist.
      - Mutually exclusive with O(name).
    type: str
seealso:
  - module: sso.oidc.vcenter_identity_provider
  - module: sso.oidc.vcenter_identity_providers
"""

EXAMPLES = r"""
- name: Read every identity provider
  sso.oidc.vcenter_identity_provider_info:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
  register: vc_idps

- name: Show the default provider
  ansible.builtin.debug:
    msg: "{{ vc_idps.providers | selectattr('is_default') | map(attribute='name') | first | default('none') }}"

- name: Read one provider, connection from VMWARE_HOST, VMWARE_USER and VMWARE_PASSWORD
  sso.oidc.vcenter_identity_provider_info:
    name: Corporate SSO
  register: corp_idp

- name: Check the issuer vCenter discovered
  ansible.builtin.assert:
    that:
      - corp_idp.providers | length == 1
      - corp_idp.providers[0].oidc.issuer == 'https://login.example.com/realms/corp'
"""

RETURN = r"""
providers:
  description:
    - The providers, in the order vCenter lists them. Secrets (C(client_secret), the LDAP C(password) and
      C(authentication_header)) are masked.
    - C(federation_type) (V(DIRECT_FEDERATION), V(INDIRECT_FEDERATION) or V(VMWARE_SSO_FEDERATION)) is present
      when vCenter shows one (vSphere API 8.0.1 and later).
  returned: success
  type: list
  elements: dict
  sample:
    - provider_id: 3f1c2d9e-5a7b-4c8d-9e0f-112233445566
      name: Corporate SSO
      config_tag: oidc
      is_default: true
      domain_names: [corp.example.com]
      auth_query_params: {}
      org_ids: []
      upn_claim: upn
      groups_claim: groups
      federation_type: DIRECT_FEDERATION
      oidc:
        discovery_endpoint: https://login.example.com/realms/corp/.well-known/openid-configuration
        client_id: vcenter
        client_secret: "********"
        claim_map: {perms: {vcenter-admins: ['vsphere.local\Administrators']}}
        issuer: https://login.example.com/realms/corp
        auth_endpoint: https://login.example.com/realms/corp/protocol/openid-connect/auth
        token_endpoint: https://login.example.com/realms/corp/protocol/openid-connect/token
        public_key_uri: https://login.example.com/realms/corp/protocol/openid-connect/certs
        logout_endpoint: https://login.example.com/realms/corp/protocol/openid-connect/logout
        authentication_method: CLIENT_SECRET_BASIC
        authentication_header: "********"
msg:
  description: How many providers were found.
  returned: always
  type: str
  sample: 1 identity provider(s) named 'Corporate SSO' found
api_calls:
  description: The HTTP requests the task sent to vCenter, by method (the login included, the logout not).
  returned: success
  type: dict
  sample: {POST: 1, GET: 2}
"""

from ansible_collections.sso.oidc.plugins.module_utils._vcenter_resource import INFO as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

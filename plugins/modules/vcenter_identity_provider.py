#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vcenter_identity_provider
short_description: Manage a vCenter Server identity provider (identity federation with OIDC or OAuth2)
version_added: 0.1.0
description:
  - Creates, updates and deletes one identity provider of vCenter Server identity federation
    (C(vcenter.identity.providers) of the vSphere Automation API), for example Microsoft Entra ID, ADFS,
    Okta or any OpenID Connect provider.
  - The provider is found by O(name); vCenter does not require names to be unique, so when several providers
    share the name the task fails and lists their ids, and O(provider_id) chooses one.
  - Only the options you set are compared; an option left out keeps the vCenter value. A change sends one
    C(PATCH) with only the fields that differ (for example only O(domain_names)).
  - The task reads the list of providers once, and the details of the provider (one more C(GET)) only when an
    option that the list does not show is set (O(org_ids), O(upn_claim), O(groups_claim), O(idm_protocol),
    O(idm_endpoints), O(active_directory_over_ldap), O(oidc.claim_map), most O(oauth2) fields, or a client
    secret the list does not reveal).
  - For an OIDC provider vCenter reads the discovery document at O(oidc.discovery_endpoint) itself when the
    provider is created or the endpoint changes; when it cannot, the task fails with vCenter's reason and nothing
    is written.
  - To manage many providers in one task (one login, one read), use M(sso.oidc.vcenter_identity_providers).
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.stateful
  - sso.oidc.connection
  - sso.oidc.vcenter
  - sso.oidc.vcenter.provider
  - sso.oidc.update_secret
options:
  state:
    description:
      - V(present) creates the provider or updates what differs; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  update_secret:
    description:
      - Applies to O(oidc.client_secret), O(oauth2.client_secret) and O(active_directory_over_ldap.password)
        when vCenter does not show them. Where vCenter shows a secret, it is compared and this option does not matter.
notes:
  - Secrets never appear in results. O(oidc.client_secret), O(oauth2.client_secret),
    O(active_directory_over_ldap.password) and vCenter's C(authentication_header) (it encodes the client secret)
    are masked in RV(existing), RV(proposed), RV(end_state) and RV(diff). Use C(no_log) on the task as well.
  - vCenter does not require unique names, so a create is never sent twice blindly. After a create that failed in a
    way that may hide a provider that was created (no answer, HTTP 408, 429 or 5xx), the list is read again and a new
    provider of that name is taken as the one created; only an HTTP 429 or 503 that created nothing is sent again.
    When two runs create the same name at the same moment, the provider listed first is kept and the other run
    deletes the one it created, with a warning.
  - The redirect URI to register at the identity provider is shown on the vCenter identity provider page.
seealso:
  - module: sso.oidc.vcenter_identity_providers
  - module: sso.oidc.vcenter_identity_provider_info
  - module: sso.oidc.oidc_discovery_info
  - name: vSphere Automation API, identity providers
    description: The vendor's reference of the API this module uses.
    link: https://developer.broadcom.com/xapis/vsphere-automation-api/latest/vcenter/identity/providers/
"""

EXAMPLES = r"""
- name: Federate vCenter with an OpenID Connect provider
  sso.oidc.vcenter_identity_provider:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    name: Corporate SSO
    oidc:
      discovery_endpoint: https://login.example.com/realms/corp/.well-known/openid-configuration
      client_id: vcenter
      client_secret: "{{ vcenter_oidc_secret }}"
      claim_map:
        perms:
          vcenter-admins: ['vsphere.local\Administrators']
    domain_names: [corp.example.com]
    upn_claim: upn
    groups_claim: groups
    is_default: true
  no_log: true

- name: Trust one more domain (one PATCH with only domain_names)
  sso.oidc.vcenter_identity_provider:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    name: Corporate SSO
    domain_names: [corp.example.com, partner.example.com]
  no_log: true

- name: ADFS with Active Directory over LDAPS, connection from VMWARE_* variables
  sso.oidc.vcenter_identity_provider:
    name: ADFS
    oidc:
      discovery_endpoint: https://adfs.corp.example.com/adfs/.well-known/openid-configuration
      client_id: 7b3f0a4e-vcenter
      client_secret: "{{ adfs_secret }}"
    upn_claim: upn
    groups_claim: group
    idm_protocol: LDAP
    active_directory_over_ldap:
      user_name: cn=svc-vcenter,cn=Users,dc=corp,dc=example,dc=com
      password: "{{ ldap_bind_password }}"
      users_base_dn: cn=Users,dc=corp,dc=example,dc=com
      groups_base_dn: dc=corp,dc=example,dc=com
      server_endpoints: [ldaps://dc1.corp.example.com:636]
      cert_chain: ["{{ lookup('ansible.builtin.file', 'corp-ca.pem') }}"]
  environment:
    VMWARE_HOST: vcenter.example.com
    VMWARE_USER: administrator@vsphere.local
    VMWARE_PASSWORD: "{{ vcenter_password }}"
  no_log: true

- name: Rotate the client secret (vCenter does not show it, so send it)
  sso.oidc.vcenter_identity_provider:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    name: Corporate SSO
    oidc:
      discovery_endpoint: https://login.example.com/realms/corp/.well-known/openid-configuration
      client_id: vcenter
      client_secret: "{{ new_secret }}"
    update_secret: always
  no_log: true

- name: Log in once and share the session between tasks
  ansible.builtin.uri:
    url: https://vcenter.example.com/api/session
    method: POST
    url_username: administrator@vsphere.local
    url_password: "{{ vcenter_password }}"
    force_basic_auth: true
    status_code: 201
  register: vc_login
  no_log: true

- name: Use that session (no login, no logout)
  sso.oidc.vcenter_identity_provider:
    hostname: vcenter.example.com
    session_id: "{{ vc_login.json }}"
    name: Corporate SSO
    is_default: true
  no_log: true

- name: Log the session out
  ansible.builtin.uri:
    url: https://vcenter.example.com/api/session
    method: DELETE
    headers:
      vmware-api-session-id: "{{ vc_login.json }}"
    status_code: 204
  no_log: true

- name: Delete one of two providers that share a name
  sso.oidc.vcenter_identity_provider:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    provider_id: 3f1c2d9e-5a7b-4c8d-9e0f-112233445566
    state: absent
  no_log: true

- name: Federate through a federation broker (vCenter 8.0.1 and later)
  sso.oidc.vcenter_identity_provider:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    name: Corporate SSO
    federation_type: INDIRECT_FEDERATION
  no_log: true
"""

RETURN = r"""
msg:
  description: What happened, or would happen in check mode.
  returned: always
  type: str
  sample: identity provider 'Corporate SSO' updated (domain_names)
action:
  description: What happened to the provider, V(created), V(updated), V(deleted), V(recreated) or V(unchanged).
  returned: success
  type: str
  sample: updated
changed_fields:
  description: The options that differed (top-level names; for O(oidc) the whole spec name).
  returned: success
  type: list
  elements: str
  sample: [domain_names]
existing:
  description:
    - The provider as read before the task, in option names, with every secret masked; empty when it did not exist.
    - Options only the details show (O(org_ids), O(upn_claim), ...) are present when the task read the details.
    - C(federation_type) is present when vCenter shows one (vSphere API 8.0.1 and later).
  returned: success
  type: dict
  sample:
    provider_id: 3f1c2d9e-5a7b-4c8d-9e0f-112233445566
    name: Corporate SSO
    config_tag: oidc
    is_default: true
    domain_names: [corp.example.com]
    auth_query_params: {}
    oidc:
      discovery_endpoint: https://login.example.com/realms/corp/.well-known/openid-configuration
      client_id: vcenter
      client_secret: "********"
proposed:
  description:
    - The request body sent (or that would be sent in check mode), with every secret masked; empty when unchanged.
    - It carries your values as you wrote them (for example the case of O(domain_names)); the comparison alone
      uses normalised forms.
  returned: success
  type: dict
  sample:
    config_tag: Oidc
    domain_names: [corp.example.com, partner.example.com]
end_state:
  description:
    - The provider after the task, read back from vCenter; predicted in check mode. Secrets masked. Empty after a delete.
  returned: success
  type: dict
  sample:
    provider_id: 3f1c2d9e-5a7b-4c8d-9e0f-112233445566
    name: Corporate SSO
    config_tag: oidc
    is_default: true
    domain_names: [corp.example.com, partner.example.com]
    auth_query_params: {}
    federation_type: DIRECT_FEDERATION
    oidc:
      discovery_endpoint: https://login.example.com/realms/corp/.well-known/openid-configuration
      client_id: vcenter
      client_secret: "********"
diff:
  description: RV(existing) and RV(end_state) as before and after, secrets masked (a changed secret shows as changed).
  returned: when diff mode is on
  type: dict
  sample:
    before: {name: Corporate SSO, domain_names: [corp.example.com]}
    after: {name: Corporate SSO, domain_names: [corp.example.com, partner.example.com]}
api_calls:
  description: The HTTP requests the task sent to vCenter, by method (the login included, the logout not).
  returned: always
  type: dict
  sample: {POST: 1, GET: 1, PATCH: 1}
"""

from ansible_collections.sso.oidc.plugins.module_utils._vcenter_resource import SINGLE as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

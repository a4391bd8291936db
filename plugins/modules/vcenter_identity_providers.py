#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vcenter_identity_providers
short_description: Manage many vCenter Server identity providers in one task
version_added: 0.1.0
description:
  - Reconciles a list of vCenter identity providers in one task, in the style of Ansible's network resource
    modules. Each entry of O(config) takes the options of M(sso.oidc.vcenter_identity_provider) and is
    compared the same way (the single module is this module with one entry).
  - One login per task and one read of the provider list; then one C(GET) of the details of each listed
    provider whose comparison needs them (an option the list does not show, see
    M(sso.oidc.vcenter_identity_provider); always with O(state=replaced) and O(state=overridden));
    then only the writes that differ.
  - A failure of one entry does not stop the others. The task reports the outcome of every entry in
    RV(results) and then fails, naming the failed keys in RV(failed_keys).
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.stateful
  - sso.oidc.connection
  - sso.oidc.vcenter
  - sso.oidc.vcenter.providers
  - sso.oidc.update_secret
options:
  state:
    description:
      - V(merged) creates the listed providers and updates the options they set; other providers are untouched.
      - V(replaced) does the same, and also returns the options a listed provider leaves out to vCenter's defaults
        (O(config[].domain_names), O(config[].org_ids), O(config[].auth_query_params) empty, O(config[].upn_claim)
        V(acct), O(config[].groups_claim) empty, an empty C(claim_map)).
      - V(overridden) is V(replaced) and also deletes every provider that is not listed, except the O(protected) ones.
      - V(deleted) deletes the listed providers (only O(config[].name) or O(config[].provider_id) matter), or every
        provider except the O(protected) ones when O(config) is empty.
      - V(gathered) reads every provider (with its details) into RV(gathered) and changes nothing.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
  protected:
    description:
      - Names or ids of providers that V(overridden) and V(deleted) never delete (a listed one fails instead).
      - vCenter needs no built-in protected provider. V(overridden) also never deletes a provider whose name an
        entry of O(config) gives, for example when several providers share that name and the entry fails.
    type: list
    elements: str
    default: []
  update_secret:
    description:
      - Applies to every entry, as in M(sso.oidc.vcenter_identity_provider).
  config:
    description:
      - The providers. Each entry is identified by O(config[].name) (or O(config[].provider_id)); a key may
        appear once.
    type: list
    elements: dict
    default: []
notes:
  - Secrets are masked in RV(results), RV(gathered) and RV(diff), and so is vCenter's C(authentication_header).
    A masked secret from RV(gathered) cannot be given back as a secret; the task refuses it.
seealso:
  - module: sso.oidc.vcenter_identity_provider
  - module: sso.oidc.vcenter_identity_provider_info
"""

EXAMPLES = r"""
- name: Two providers, one login and one read
  sso.oidc.vcenter_identity_providers:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    config:
      - name: Corporate SSO
        is_default: true
        domain_names: [corp.example.com]
        oidc:
          discovery_endpoint: https://login.example.com/realms/corp/.well-known/openid-configuration
          client_id: vcenter
          client_secret: "{{ corp_secret }}"
      - name: Partner SSO
        domain_names: [partner.example.com]
        oidc:
          discovery_endpoint: https://idp.partner.example.com/.well-known/openid-configuration
          client_id: vcenter-partner
          client_secret: "{{ partner_secret }}"
  no_log: true

- name: Exactly these providers; delete any other except the break-glass one
  sso.oidc.vcenter_identity_providers:
    config:
      - name: Corporate SSO
        oidc:
          discovery_endpoint: https://login.example.com/realms/corp/.well-known/openid-configuration
          client_id: vcenter
          client_secret: "{{ corp_secret }}"
    state: overridden
    protected: [Break-glass IdP]
  environment:
    VMWARE_HOST: vcenter.example.com
    VMWARE_USER: administrator@vsphere.local
    VMWARE_PASSWORD: "{{ vcenter_password }}"
  no_log: true

- name: Read every provider
  sso.oidc.vcenter_identity_providers:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    state: gathered
  register: vc_gathered
"""

RETURN = r"""
msg:
  description: A summary of what happened (or would happen in check mode), or which entries failed.
  returned: always
  type: str
  sample: "identity providers: 1 created, 1 unchanged"
results:
  description: One entry per provider handled, in the order of O(config), then the ones O(state=overridden) deleted.
  returned: success, and when some entries failed
  type: list
  elements: dict
  contains:
    key:
      description: The name of the provider (its id when the entry gives only O(config[].provider_id) or it is protected by id).
      type: str
    action:
      description: V(created), V(updated), V(deleted), V(recreated), V(unchanged) or V(failed).
      type: str
    changed:
      description: Whether the provider was (or in check mode would be) changed.
      type: bool
    msg:
      description: What happened to this provider, or why it failed.
      type: str
    changed_fields:
      description: The options that differed.
      type: list
      elements: str
      returned: when something differed
    proposed:
      description: The request body sent (or that would be sent), secrets masked.
      type: dict
      returned: when a write was planned
    end_state:
      description: The provider after the task (read back; predicted in check mode), secrets masked.
      type: dict
      returned: unless deleted
  sample:
    - key: Corporate SSO
      action: created
      changed: true
      msg: identity provider 'Corporate SSO' created
      changed_fields: [config_tag, domain_names, is_default, name, oidc]
    - key: Partner SSO
      action: unchanged
      changed: false
      msg: identity provider 'Partner SSO' is unchanged
gathered:
  description: Every provider in option names, secrets masked, with O(state=gathered).
  returned: when O(state=gathered)
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
      upn_claim: acct
      groups_claim: ""
      oidc:
        discovery_endpoint: https://login.example.com/realms/corp/.well-known/openid-configuration
        client_id: vcenter
        client_secret: "********"
        claim_map: {}
diff:
  description: C(before) and C(after), each keyed by provider, for the providers that changed; secrets masked.
  returned: when diff mode is on
  type: dict
  sample:
    before: {Partner SSO: {domain_names: [partner.example.com]}}
    after: {Partner SSO: {domain_names: [partner.example.com, partner.example.org]}}
failed_keys:
  description: The keys of the entries that failed.
  returned: when some entries failed
  type: list
  elements: str
  sample: [Partner SSO]
api_calls:
  description: The HTTP requests the task sent to vCenter, by method (the login included, the logout not).
  returned: success, and when some entries failed
  type: dict
  sample: {POST: 1, GET: 3, PATCH: 1}
"""

from ansible_collections.sso.oidc.plugins.module_utils._vcenter_resource import SET as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wickr_network_info
short_description: List the AWS Wickr networks the credentials can see
version_added: 0.2.0
description:
  - Lists the AWS Wickr networks of the account with C(ListNetworks) (C(GET /networks)), every page (the module
    follows C(nextToken) until the service gives none, 100 networks a page).
  - Returns each network's ID, name, access level and standing, and the other fields the service shows, in
    snake_case names, so that network IDs can be discovered instead of typed - for example to feed
    M(sso.oidc.wickr_oidc_configs) (see the examples).
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.info_module
  - sso.oidc.connection.timeout
  - sso.oidc.wickr
notes:
  - The credentials need the IAM action C(wickr:ListNetworks).
seealso:
  - module: sso.oidc.wickr_oidc_configs
  - module: sso.oidc.wickr_oidc_info
  - name: ListNetworks
    description: The AWS Wickr Admin API operation this module uses.
    link: https://docs.aws.amazon.com/wickr/latest/APIReference/API_ListNetworks.html
"""

EXAMPLES = r"""
- name: List the Wickr networks of the account
  sso.oidc.wickr_network_info:
    region: us-east-1
  register: wickr_networks

- name: Show their IDs and names
  ansible.builtin.debug:
    msg: "{{ wickr_networks.networks | map(attribute='network_id') | zip(wickr_networks.networks | map(attribute='network_name')) }}"

- name: One OIDC config entry per premium network found (the same provider, a company ID per network)
  ansible.builtin.set_fact:
    wickr_sso_config: >-
      {{ wickr_sso_config | default([])
         + [wickr_sso | combine({'network_id': item.network_id, 'company_id': 'acme-' ~ item.network_id})] }}
  loop: "{{ wickr_networks.networks | selectattr('access_level', 'equalto', 'PREMIUM') | list }}"
  loop_control:
    label: "{{ item.network_id }} {{ item.network_name }}"
  vars:
    wickr_sso:
      issuer: https://login.example.com/realms/corp
      scopes: [openid, profile, email]
      client_id: wickr
      secret: "{{ vault_wickr_idp_secret }}"
  no_log: true

- name: Register it on all of them in one task
  sso.oidc.wickr_oidc_configs:
    region: us-east-1
    config: "{{ wickr_sso_config }}"
    state: merged
  no_log: true
"""

RETURN = r"""
networks:
  description:
    - Every network the credentials can see, in the order the service lists them. Fields the service leaves
      out are left out.
  returned: success
  type: list
  elements: dict
  contains:
    network_id:
      description: The network ID, 8 digits (the O(sso.oidc.wickr_oidc_config#module:network_id) of the OIDC modules).
      type: str
      sample: "12345678"
    network_name:
      description: The name of the network.
      type: str
      sample: Engineering
    access_level:
      description: The access level, V(STANDARD) or V(PREMIUM).
      type: str
      sample: PREMIUM
    standing:
      description: The current standing (status) of the network, as the service reports it.
      type: int
      returned: when the service shows it
      sample: 1
    aws_account_id:
      description: The AWS account that owns the network.
      type: str
      sample: "123456789012"
    network_arn:
      description: The ARN of the network.
      type: str
      sample: arn:aws:wickr:us-east-1:123456789012:network/12345678
    free_trial_expiration:
      description: When the free trial ends, if the network has one.
      type: str
      returned: when the service shows it
    migration_state:
      description: The SSO redirect URI migration state, V(0) (not started), V(1) (in progress) or V(2) (completed).
      type: int
      returned: when the service shows it
      sample: 2
    encryption_key_arn:
      description: The ARN of the customer managed KMS key of the network, if it has one.
      type: str
      returned: when the service shows it
msg:
  description: How many networks were found.
  returned: success
  type: str
  sample: 6 Wickr network(s) found
api_calls:
  description: Requests sent, by HTTP method (one C(GET) a page).
  returned: always
  type: dict
  sample: {GET: 1}
"""

from ansible_collections.sso.oidc.plugins.module_utils._wickr_resource import NETWORK_INFO as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

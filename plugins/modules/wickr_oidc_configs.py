#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wickr_oidc_configs
short_description: Register the OpenID Connect SSO configuration of many AWS Wickr networks in one task
version_added: 0.1.0
description:
  - Reconciles the OpenID Connect (OIDC) configuration of many AWS Wickr networks in one task, in the style of
    Ansible's network resource modules. Each entry of O(config) takes the options of M(sso.oidc.wickr_oidc_config),
    and each is handled exactly as that module handles it (the single module is the set of one).
  - The Wickr API has no list of OIDC configurations, so the one read of a task is one C(GetOidcInfo) per network in
    O(config) (and, for O(state=gathered) without O(config), one C(ListNetworks) plus one C(GetOidcInfo) per
    network). After that only the networks that differ are saved, then read back.
  - A failure on one network (an unknown network, an issuer that does not pass the test, an API error) does not stop
    the others; the task reports every network's outcome and then fails, naming the networks that failed.
  - The Wickr API cannot remove or disable an OIDC configuration, so the states V(overridden) and V(deleted) of
    other resource-set modules do not exist here.
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.stateful
  - sso.oidc.connection.timeout
  - sso.oidc.wickr
  - sso.oidc.update_secret
options:
  state:
    description:
      - V(merged) sets the options given in each entry and keeps the others as they are.
      - V(replaced) also resets the optional fields an entry leaves out (O(config[].custom_username),
        O(config[].extra_auth_params), O(config[].sso_token_buffer_minutes)); the required fields,
        O(config[].client_id) and the secret are kept.
      - V(gathered) changes nothing and returns the configurations in RV(gathered), for the networks in O(config)
        or, without O(config), for every network the credentials can list.
    type: str
    choices: [merged, replaced, gathered]
    default: merged
  config:
    description:
      - The networks and their OIDC configurations. Each O(config[].network_id) may appear once.
    type: list
    elements: dict
    default: []
    suboptions:
      network_id:
        description:
          - ID of the Wickr network, exactly 8 digits. Quote it in YAML so that leading zeros are kept.
        type: str
        required: true
      company_id:
        description:
          - The company ID users type to sign in with SSO. Required when the network has no OIDC configuration yet.
        type: str
      issuer:
        description:
          - Issuer URL of the OpenID provider (C(https://), no query or fragment). Required for a new configuration.
        type: str
      scopes:
        description:
          - Scopes as a list or one space-separated string, compared as a set. Required for a new configuration.
        type: list
        elements: str
      client_id:
        description:
          - Client ID at the OpenID provider, sent as the API's C(userId); see M(sso.oidc.wickr_oidc_config).
        type: str
      secret:
        description:
          - Client secret at the OpenID provider; compared when the API shows it in clear, else O(update_secret)
            decides. Sent along with every save of this network.
        type: str
      custom_username:
        description:
          - Claim to use as the Wickr username when it is not the email address; an empty string clears it.
        type: str
      extra_auth_params:
        description:
          - Extra parameters for the authorization request, as a query string; an empty string clears it.
        type: str
      sso_token_buffer_minutes:
        description:
          - Minutes before the SSO token expires when Wickr refreshes it.
        type: int
      validate:
        description:
          - Run C(RegisterOidcConfigTest) before saving this network (also in check mode); the network fails with
            the vendor's reason if the issuer does not pass.
        type: bool
        default: true
      ca_certificate:
        description:
          - PEM CA certificate for the Wickr service to trust when it contacts the issuer (sent with the test call).
        type: str
seealso:
  - module: sso.oidc.wickr_oidc_config
  - module: sso.oidc.wickr_oidc_info
"""

EXAMPLES = r"""
- name: Register SSO on three networks in one task
  sso.oidc.wickr_oidc_configs:
    region: us-east-1
    config:
      - network_id: "12345678"
        company_id: us-east-1-acme-eng
        issuer: https://login.example.com
        scopes: [openid, profile, email]
        client_id: wickr-eng
        secret: "{{ vault_wickr_eng_secret }}"
      - network_id: "23456789"
        company_id: us-east-1-acme-sales
        issuer: https://login.example.com
        scopes: openid profile email
        client_id: wickr-sales
        secret: "{{ vault_wickr_sales_secret }}"
      - network_id: "34567890"
        company_id: us-east-1-acme-support
        issuer: https://login.example.com
        scopes: [openid, email]
        client_id: wickr-support
  no_log: true

- name: Preview the changes of a rollout (check mode reads, tests the issuers, and writes nothing)
  sso.oidc.wickr_oidc_configs:
    profile: wickr-admin
    config: "{{ wickr_networks }}"
  check_mode: true
  diff: true
  no_log: true
  register: preview

- name: Read what every network the credentials can list has configured
  sso.oidc.wickr_oidc_configs:
    region: us-east-1
    state: gathered
  register: wickr_sso
"""

RETURN = r"""
changed:
  description: Whether any network was (or in check mode would be) saved.
  returned: always
  type: bool
msg:
  description: A summary of the outcomes.
  returned: success
  type: str
  sample: "Wickr OIDC configs: 2 created, 1 unchanged"
results:
  description: One entry per network of O(config).
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: The network ID.
      type: str
      sample: "12345678"
    action:
      description: V(created), V(updated), V(unchanged) or V(failed).
      type: str
      sample: created
    changed:
      description: Whether this network was (or would be) saved.
      type: bool
    msg:
      description: What happened to this network, or why it failed.
      type: str
    changed_fields:
      description: The options that differed.
      type: list
      elements: str
      returned: when something differed
    proposed:
      description: The C(RegisterOidcConfig) body sent (or that would be sent), secret masked.
      type: dict
      returned: when the network was (or would be) saved
    end_state:
      description: The configuration after the task (read back; predicted in check mode), secrets masked.
      type: dict
      returned: unless the network failed
gathered:
  description: For O(state=gathered), the configured networks' configurations in option names, secrets masked.
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample: [{network_id: "12345678", company_id: acme, issuer: "https://login.example.com", scopes: [openid, email]}]
diff:
  description: Before and after of the networks that changed, keyed by network ID, secrets masked.
  returned: when diff mode is on and O(state) is not V(gathered)
  type: dict
  contains:
    before:
      description: Network ID to the configuration before.
      type: dict
    after:
      description: Network ID to the configuration after.
      type: dict
api_calls:
  description: Requests sent, by HTTP method (retries and C(RegisterOidcConfigTest) calls included).
  returned: always
  type: dict
  sample: {GET: 3, POST: 4}
failed_keys:
  description: The network IDs that failed.
  returned: when some networks failed
  type: list
  elements: str
  sample: ["99999999"]
"""

from ansible_collections.sso.oidc.plugins.module_utils._wickr_resource import SET as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

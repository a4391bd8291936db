#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wickr_oidc_config
short_description: Register the OpenID Connect SSO configuration of an AWS Wickr network
version_added: 0.1.0
description:
  - Registers the OpenID Connect (OIDC) single sign-on configuration of one AWS Wickr network through the Wickr
    Admin API (C(GetOidcInfo), C(RegisterOidcConfigTest), C(RegisterOidcConfig)).
  - Reads the current configuration, compares only the options you set (O(scopes) as a set), and saves only when
    something differs. Check mode and diff mode are fully supported.
  - Before a save, O(validate=true) runs C(RegisterOidcConfigTest), which makes the Wickr service fetch the
    issuer's discovery document; when it does not pass, the task fails with the vendor's reason and nothing is saved.
  - C(RegisterOidcConfig) saves the whole configuration, so every field the task leaves out is sent again as read.
  - To configure many networks in one task, use M(sso.oidc.wickr_oidc_configs).
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
      - V(present) is the only state. The Wickr API has no operation that removes or disables an OIDC
        configuration, so the module cannot offer V(absent); remove SSO in the Wickr admin console.
    type: str
    choices: [present]
    default: present
  network_id:
    description:
      - ID of the Wickr network, exactly 8 digits. Quote it in YAML so that leading zeros are kept.
    type: str
    required: true
  company_id:
    description:
      - The company ID your users type to sign in with SSO (C(companyId)).
      - Required when the network has no OIDC configuration yet.
    type: str
  issuer:
    description:
      - Issuer URL of the OpenID provider, C(https://) without query or fragment, for example
        V(https://login.example.com).
      - A trailing C(/) is ignored when comparing.
      - Required when the network has no OIDC configuration yet.
    type: str
  scopes:
    description:
      - Scopes to request from the OpenID provider, as a list or as one space-separated string; they are sent as
        one space-separated string and compared as a set, so order and duplicates do not matter.
      - Required when the network has no OIDC configuration yet. Should include V(openid).
    type: list
    elements: str
  client_id:
    description:
      - Client ID of the Wickr application at the OpenID provider. It is sent as the API's C(userId) member, which
        the vendor documents as "also referred to as clientID".
      - The read side of the API documents C(userId) as a claim name and has a separate C(clientId); the module
        counts O(client_id) as set when either the read's C(userId) or its C(clientId) shows the value, and reports
        C(userId) (else C(clientId)) otherwise.
      - A save sends the whole configuration. When O(client_id) is left out, the read's value is sent back; if the
        read shows different values in C(userId) and C(clientId), the module cannot tell which one is the client ID
        and fails without saving, asking for O(client_id). Setting O(client_id) in every task avoids that.
    type: str
  secret:
    description:
      - Client secret of the Wickr application at the OpenID provider (C(secret)).
      - Compared when the API shows the stored secret in clear; otherwise O(update_secret) decides when it is sent.
      - Because a save sends the whole configuration, a secret given here is always sent along when anything else
        changes, so that the save keeps it.
    type: str
  custom_username:
    description:
      - Claim to use as the Wickr username when it is not the email address (C(customUsername)).
      - Set to an empty string to clear it.
    type: str
  extra_auth_params:
    description:
      - Extra parameters for the authorization request, as a query string (C(extraAuthParams)).
      - Set to an empty string to clear it.
    type: str
  sso_token_buffer_minutes:
    description:
      - Minutes before the SSO token expires when Wickr refreshes it (C(ssoTokenBufferMinutes)).
    type: int
  validate:
    description:
      - Run C(RegisterOidcConfigTest) against the issuer before a save (also in check mode), and fail with the
        vendor's reason if it does not pass. No test runs when nothing needs saving.
    type: bool
    default: true
  ca_certificate:
    description:
      - PEM CA certificate that the Wickr service should trust when it contacts the issuer, for an OpenID provider
        with a private CA. Sent with the test call only (C(certificate)); the API has no member to save it.
    type: str
notes:
  - The Wickr API may or may not show the stored secret. The module compares it when it is shown in clear,
    and leaves it to O(update_secret) when it is masked or left out; RV(existing) and RV(end_state) show
    C(secret) (masked) only when the API shows it in clear.
  - Check mode predicts RV(end_state) exactly, with one exception - for a network that has no configuration yet,
    it cannot know before the first save whether the API will show the secret, and predicts it left out.
  - C(api_calls) counts C(RegisterOidcConfigTest) as a POST; it changes nothing.
seealso:
  - module: sso.oidc.wickr_oidc_info
  - module: sso.oidc.wickr_oidc_configs
  - name: AWS Wickr SSO configuration
    description: The vendor's guide to SSO for Wickr networks.
    link: https://docs.aws.amazon.com/wickr/latest/adminguide/sso-configuration.html
"""

EXAMPLES = r"""
- name: Register SSO for a Wickr network
  sso.oidc.wickr_oidc_config:
    region: us-east-1
    network_id: "12345678"
    company_id: us-east-1-acme
    issuer: https://login.example.com
    scopes: [openid, profile, email]
    client_id: wickr-app
    secret: "{{ vault_wickr_idp_secret }}"
  no_log: true

- name: Same, with credentials from the AWX AWS credential (AWS_* variables) and the connection set once
  module_defaults:
    group/sso.oidc.wickr:
      region: us-east-1
  block:
    - name: Change only the scopes (order does not matter)
      sso.oidc.wickr_oidc_config:
        network_id: "12345678"
        scopes: openid email profile

- name: Rotate the client secret (the API does not show it back)
  sso.oidc.wickr_oidc_config:
    profile: wickr-admin
    network_id: "12345678"
    client_id: wickr-app
    secret: "{{ new_secret }}"
    update_secret: always
  no_log: true

- name: An OpenID provider behind a private CA
  sso.oidc.wickr_oidc_config:
    region: eu-central-1
    network_id: "23456789"
    company_id: eu-central-1-acme
    issuer: https://idp.corp.example
    scopes: [openid, email]
    client_id: wickr
    ca_certificate: "{{ lookup('ansible.builtin.file', 'corp-ca.pem') }}"
"""

RETURN = r"""
msg:
  description: What happened, in one line.
  returned: always
  type: str
  sample: Wickr OIDC config '12345678' updated (scopes)
action:
  description: V(created) (the network had no OIDC configuration), V(updated) or V(unchanged).
  returned: always
  type: str
  sample: updated
changed_fields:
  description: The options that differed and were (or in check mode would be) saved.
  returned: always
  type: list
  elements: str
  sample: [scopes]
existing:
  description:
    - The configuration as read before the task, in option names; empty when the network had none.
    - C(secret) appears (masked) only when the API shows the secret in clear.
  returned: always
  type: dict
  sample: {network_id: "12345678", company_id: acme, issuer: "https://login.example.com", scopes: [openid, email], client_id: wickr-app}
proposed:
  description: The C(RegisterOidcConfig) body that was (or would be) sent, with the secret masked; empty when unchanged.
  returned: always
  type: dict
  sample: {companyId: acme, issuer: "https://login.example.com", scopes: "openid email profile", userId: wickr-app, secret: "********"}
end_state:
  description: The configuration after the task, read back from the API; predicted in check mode.
  returned: always
  type: dict
  sample: {network_id: "12345678", company_id: acme, issuer: "https://login.example.com", scopes: [openid, email, profile], client_id: wickr-app}
diff:
  description: Before and after, with secrets masked. A changed secret that the API shows shows as changed, never its value.
  returned: when diff mode is on
  type: dict
  sample: {before: {scopes: [openid, email]}, after: {scopes: [openid, email, profile]}}
api_calls:
  description: Requests sent, by HTTP method (retries included).
  returned: always
  type: dict
  sample: {GET: 2, POST: 2}
"""

from ansible_collections.sso.oidc.plugins.module_utils._wickr_resource import SINGLE as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wickr_oidc_info
short_description: Read the OpenID Connect SSO configuration of an AWS Wickr network
version_added: 0.1.0
description:
  - Reads the OpenID Connect (OIDC) configuration of one AWS Wickr network with C(GetOidcInfo), in the option names
    of M(sso.oidc.wickr_oidc_config).
  - Optionally has the Wickr service perform the token exchange that C(GetOidcInfo) supports (authorization code,
    grant type, redirect URI, PKCE verifier, certificate) and returns the tokens in RV(token_info). Tokens are
    returned only when these options are given; register the result of such a task with C(no_log=true).
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.info_module
  - sso.oidc.connection.timeout
  - sso.oidc.wickr
options:
  network_id:
    description:
      - ID of the Wickr network, exactly 8 digits. Quote it in YAML so that leading zeros are kept.
    type: str
    required: true
  code:
    description:
      - Authorization code from the OpenID provider, for the token exchange (C(code)).
    type: str
  grant_type:
    description:
      - OAuth grant type of the token exchange (C(grantType)), for example V(authorization_code).
    type: str
  redirect_uri:
    description:
      - Redirect URI used in the authorization request, for the token exchange (C(redirectUri)).
    type: str
  code_verifier:
    description:
      - PKCE code verifier, for the token exchange (C(codeVerifier)).
    type: str
  token_client_id:
    description:
      - OAuth client ID for the token exchange (the query member C(clientId)).
    type: str
  token_client_secret:
    description:
      - OAuth client secret for the token exchange (the query member C(clientSecret)). It travels in the query
        string, as the API defines it; it never appears in results or messages.
    type: str
  url:
    description:
      - URL of the OpenID provider for the token exchange (C(url)).
    type: str
  certificate:
    description:
      - PEM CA certificate for the Wickr service to trust when it contacts the OpenID provider (C(certificate)).
    type: str
notes:
  - Giving any of O(code), O(grant_type), O(redirect_uri), O(code_verifier), O(token_client_id),
    O(token_client_secret), O(url) or O(certificate) asks for the token exchange.
seealso:
  - module: sso.oidc.wickr_oidc_config
  - module: sso.oidc.wickr_oidc_configs
"""

EXAMPLES = r"""
- name: Read the SSO configuration of a network
  sso.oidc.wickr_oidc_info:
    region: us-east-1
    network_id: "12345678"
  register: wickr_sso

- name: Show whether SSO is configured
  ansible.builtin.debug:
    msg: "{{ wickr_sso.oidc_config.configured }} {{ wickr_sso.oidc_config.redirect_url | default('') }}"

- name: Have Wickr exchange an authorization code for tokens (the result holds tokens)
  sso.oidc.wickr_oidc_info:
    region: us-east-1
    network_id: "12345678"
    code: "{{ auth_code }}"
    grant_type: authorization_code
    redirect_uri: https://messaging-pro-prod.wickr.com/deeplink/oidc.php
    code_verifier: "{{ pkce_verifier }}"
    token_client_id: wickr-app
    token_client_secret: "{{ vault_wickr_idp_secret }}"
  register: wickr_tokens
  no_log: true
"""

RETURN = r"""
oidc_config:
  description:
    - The OIDC configuration of the network in the option names of M(sso.oidc.wickr_oidc_config), plus the fields
      the service assigns. Only C(network_id) and C(configured) when the network has no configuration.
  returned: always
  type: dict
  contains:
    network_id:
      description: The network ID.
      type: str
      sample: "12345678"
    configured:
      description: Whether the network has an OIDC configuration (an issuer or a company ID).
      type: bool
      sample: true
    company_id:
      description: The company ID users type to sign in.
      type: str
      returned: when configured
    issuer:
      description: The issuer URL.
      type: str
      returned: when configured
    scopes:
      description: The scopes, as a list.
      type: list
      elements: str
      returned: when configured
    client_id:
      description: The client ID as M(sso.oidc.wickr_oidc_config) reads it (the read's C(userId), else C(clientId)).
      type: str
      returned: when set
    user_id:
      description: The read's C(userId) as the API returns it.
      type: str
      returned: when set
    oauth_client_id:
      description: The read's C(clientId) as the API returns it.
      type: str
      returned: when set
    secret:
      description: Always masked; present only when the API shows a secret (in clear or masked).
      type: str
      returned: when the API shows a secret
    secret_visibility:
      description: How the API showed the secret - V(clear), V(masked) or V(omitted).
      type: str
      returned: when configured
    custom_username:
      description: The username claim, when set.
      type: str
      returned: when set
    extra_auth_params:
      description: Extra authorization parameters, when set.
      type: str
      returned: when set
    sso_token_buffer_minutes:
      description: The token refresh buffer in minutes, when set.
      type: int
      returned: when set
    application_name:
      description: Name of the OIDC application (assigned by the service).
      type: str
      returned: when set
    application_id:
      description: ID of the OIDC application, 1-10 (assigned by the service).
      type: int
      returned: when set
    redirect_url:
      description: The redirect URL to register at the OpenID provider.
      type: str
      returned: when set
      sample: https://messaging-pro-prod.wickr.com/deeplink/oidc.php
    ca_certificate:
      description: The CA certificate the service uses for the OpenID provider.
      type: str
      returned: when set
token_info:
  description:
    - The tokens of the token exchange. Returned only when a token exchange option was given; holds live
      credentials, so register it only on tasks with C(no_log=true).
  returned: when a token exchange option is given
  type: dict
  contains:
    access_token:
      description: The access token.
      type: str
    id_token:
      description: The ID token (a signed JWT).
      type: str
    refresh_token:
      description: The refresh token.
      type: str
    token_type:
      description: The token type, usually C(Bearer).
      type: str
    expires_in:
      description: Lifetime of the access token in seconds.
      type: int
    code_verifier:
      description: The PKCE code verifier (masked when it was given as O(code_verifier)).
      type: str
    code_challenge:
      description: The PKCE code challenge.
      type: str
api_calls:
  description: Requests sent, by HTTP method.
  returned: always
  type: dict
  sample: {GET: 1}
"""

from ansible_collections.sso.oidc.plugins.module_utils._wickr_resource import INFO as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oidc_discovery_info
short_description: Check that an OpenID Connect provider is usable, from its discovery document
version_added: 0.1.0
description:
  - Reads C(<issuer>/.well-known/openid-configuration) and checks it the way OpenID Connect Discovery 1.0
    requires, before any application is pointed at the provider.
  - The C(issuer) in the document must equal O(issuer) exactly (a trailing slash counts).
  - The required metadata must be present, C(authorization_endpoint), C(token_endpoint), C(jwks_uri),
    C(response_types_supported), C(subject_types_supported) and C(id_token_signing_alg_values_supported),
    and the lists must be JSON arrays of strings.
  - Every endpoint (each C(*_endpoint) and C(jwks_uri)) must use https; plain http is accepted only for loopback
    addresses and only with O(allow_http=true).
  - The provider must offer the authorization code flow (C(code) in C(response_types_supported)) and signed ID
    tokens (an algorithm other than C(none)).
  - With O(fetch_jwks=true), the JWKS at C(jwks_uri) must be reachable, be JSON, hold at least one public key that
    can verify ID token signatures, and publish no private key material.
  - When the provider lists C(scopes_supported), it must include C(openid) and every scope in O(expected_scopes).
    An expected scope the provider does not list is an error, because the applications request it at sign-in.
  - The module fails when a problem makes the issuer unusable, and still returns what it found
    (RV(configuration), RV(problems), RV(findings), RV(usable)), so a playbook can inspect it with
    C(failed_when) or C(block)/C(rescue). Problems that do not prevent use (for example no C(RS256), or no
    C(scopes_supported) to check the expected scopes against) are returned as warnings and do not fail the task.
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.attributes.info_module
  - sso.oidc.connection
attributes:
  action_group:
    description: Use C(group/sso.oidc.all) in C(module_defaults) to set options once for every module of the collection.
    support: full
    membership:
      - sso.oidc.all
options:
  issuer:
    description:
      - The issuer identifier of the OpenID provider, an https URL with no query or fragment, for example
        V(https://idp.example.com) or V(https://login.example.com/realms/corp).
      - It is compared with the C(issuer) of the discovery document exactly, so give it as the provider publishes it.
      - A URL with a user name or password in it (C(https://user:password@host)) is refused before any request, and
        the value is masked in the task's output; discovery documents and key sets are public and need no credentials.
    type: str
    required: true
  expected_scopes:
    description:
      - Scopes the applications will request, for example V(openid), V(profile), V(email), V(groups).
      - Each must appear in the provider's C(scopes_supported) when the provider publishes that list; when it does
        not, the scopes cannot be checked and a warning says so.
    type: list
    elements: str
  fetch_jwks:
    description:
      - Also read the JWKS at C(jwks_uri) and check that it holds a key that can verify ID token signatures.
    type: bool
    default: true
  allow_http:
    description:
      - Accept plain http for the issuer and its endpoints when the host is a loopback address
        (C(127.0.0.0/8), C(::1), C(localhost)), for a test provider on the same machine.
      - Plain http to any other host is refused even when this is V(true).
    type: bool
    default: false
notes:
  - The module sends only unauthenticated C(GET) requests, one for the discovery document and one for the JWKS.
    Transient failures (HTTP 429, 502, 503, 504, dropped connections) are retried with backoff.
  - The checks follow U(https://openid.net/specs/openid-connect-discovery-1_0.html).
seealso:
  - name: OpenID Connect Discovery 1.0
    description: The specification this module checks against.
    link: https://openid.net/specs/openid-connect-discovery-1_0.html
"""

EXAMPLES = r"""
- name: Check the identity provider before rolling it out
  sso.oidc.oidc_discovery_info:
    issuer: https://login.example.com/realms/corp
    expected_scopes: [openid, profile, email, groups]
  register: idp

- name: Show the token endpoint
  ansible.builtin.debug:
    msg: "{{ idp.configuration.token_endpoint }} ({{ idp.jwks_key_count }} key(s) in the JWKS)"

- name: Trust a private CA for the provider
  sso.oidc.oidc_discovery_info:
    issuer: https://idp.lab.example.com
    ca_path: /etc/pki/lab-ca.pem
    timeout: 10

- name: Check a provider running on this machine over plain http
  sso.oidc.oidc_discovery_info:
    issuer: http://127.0.0.1:8080
    allow_http: true

- name: Record the problems of a provider without failing the play
  sso.oidc.oidc_discovery_info:
    issuer: https://idp.example.com
  register: idp_check
  failed_when: false

- name: Report them
  ansible.builtin.debug:
    msg: "{{ idp_check.problems }}"
  when: not idp_check.usable
"""

RETURN = r"""
msg:
  description: One line saying whether the provider is usable, or the problems that make it unusable.
  returned: always
  type: str
  sample: The OpenID provider https://login.example.com/realms/corp is usable (1 signing key(s))
issuer:
  description: The issuer that was checked (O(issuer)).
  returned: always
  type: str
  sample: https://login.example.com/realms/corp
discovery_url:
  description: The URL the discovery document was read from.
  returned: always
  type: str
  sample: https://login.example.com/realms/corp/.well-known/openid-configuration
usable:
  description: Whether the provider passed every check that makes it usable (warnings aside).
  returned: always
  type: bool
  sample: true
configuration:
  description:
    - The discovery document as the provider serves it.
    - Empty when it could not be read or is not a JSON object.
  returned: always
  type: dict
  sample:
    issuer: https://login.example.com/realms/corp
    authorization_endpoint: https://login.example.com/realms/corp/protocol/openid-connect/auth
    token_endpoint: https://login.example.com/realms/corp/protocol/openid-connect/token
    jwks_uri: https://login.example.com/realms/corp/protocol/openid-connect/certs
    response_types_supported: [code]
    subject_types_supported: [public]
    id_token_signing_alg_values_supported: [RS256]
    scopes_supported: [openid, profile, email]
jwks_key_count:
  description:
    - The number of keys in the JWKS (of any use).
    - V(null) when O(fetch_jwks=false) or the JWKS could not be read.
  returned: always
  type: int
  sample: 2
signing_key_count:
  description:
    - The number of keys in the JWKS that can verify ID token signatures.
    - V(null) when O(fetch_jwks=false) or the JWKS could not be read.
  returned: always
  type: int
  sample: 1
jwks_keys:
  description: A public summary of each key in the JWKS (never key material). Empty when the JWKS was not read.
  returned: always
  type: list
  elements: dict
  contains:
    kid:
      description: The key id.
      type: str
      returned: always
      sample: 6cW3tOsrVq2FfwRKjfmI
    kty:
      description: The key type (C(RSA), C(EC), C(OKP), ...).
      type: str
      returned: always
      sample: RSA
    use:
      description: The intended use, C(sig) or C(enc), when the key says.
      type: str
      returned: always
      sample: sig
    alg:
      description: The algorithm the key is bound to, when the key says.
      type: str
      returned: always
      sample: RS256
    crv:
      description: The curve of an C(EC) or C(OKP) key.
      type: str
      returned: when the key has one
      sample: P-256
    signing:
      description: Whether the key can verify ID token signatures.
      type: bool
      returned: always
      sample: true
    algorithms:
      description: The signature algorithms the key can verify.
      type: list
      elements: str
      returned: always
      sample: [RS256, RS384, RS512, PS256, PS384, PS512]
    reason:
      description: Why the key cannot verify ID token signatures.
      type: str
      returned: when C(signing) is false
      sample: it is marked use=enc
problems:
  description:
    - Every finding, in plain language, errors and warnings alike. Empty when all is well.
  returned: always
  type: list
  elements: str
  sample:
    - "required metadata missing: jwks_uri"
    - "expected scope groups is not in scopes_supported (openid, profile, email)"
findings:
  description: The same findings as RV(problems), each with its severity and the check that found it.
  returned: always
  type: list
  elements: dict
  contains:
    check:
      description:
        - The check, one of C(discovery), C(issuer), C(required_metadata), C(metadata_type), C(response_types),
          C(signing_algorithms), C(subject_types), C(endpoints), C(scopes), C(jwks).
      type: str
      returned: always
      sample: issuer
    severity:
      description: C(error) makes the provider unusable and fails the task; C(warning) does not.
      type: str
      returned: always
      sample: error
    message:
      description: The finding in plain language.
      type: str
      returned: always
      sample: "required metadata missing: jwks_uri"
api_calls:
  description: The number of HTTP requests sent, by method (retries included).
  returned: always
  type: dict
  sample: {GET: 2}
"""

from ansible_collections.sso.oidc.plugins.module_utils._oidc import DISCOVERY as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

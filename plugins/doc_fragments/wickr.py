# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # Connection to the AWS Wickr Admin API: amazon.aws option names and AWS_* variables (timeout is in
    # sso.oidc.connection.timeout; validate_certs is here, as the CA bundle option is aws_ca_bundle), notes,
    # and the action group of every Wickr module.
    DOCUMENTATION = r"""
options:
  access_key:
    description:
      - AWS access key ID.
      - Give O(access_key) and O(secret_key) together, or neither. Without them the standard AWS credential chain
        of botocore applies, in this order - the E(AWS_ACCESS_KEY_ID), E(AWS_SECRET_ACCESS_KEY) and E(AWS_SESSION_TOKEN)
        (or E(AWS_SECURITY_TOKEN)) environment variables, the profile from E(AWS_PROFILE) (shared credentials and config files, IAM Identity
        Center/SSO, assume-role, credential_process), container and instance roles. This is how the AWS credential
        type of AWX drives the module unchanged.
      - Cannot be combined with O(profile).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - AWS secret access key that goes with O(access_key).
      - If not set, the credential chain reads E(AWS_SECRET_ACCESS_KEY) (see O(access_key)).
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - AWS session token, for temporary credentials given in O(access_key) and O(secret_key).
      - If not set, the credential chain reads E(AWS_SESSION_TOKEN) or E(AWS_SECURITY_TOKEN) (see O(access_key)); AWX's
        Amazon Web Services credential type sets both when its token field is filled.
    type: str
    aliases: [aws_session_token, security_token]
  profile:
    description:
      - Named profile of the AWS shared config and credentials files to take credentials (and the region) from.
      - If not set, the credential chain reads E(AWS_PROFILE) when no keys are in the environment.
      - Cannot be combined with O(access_key).
    type: str
    aliases: [aws_profile]
  region:
    description:
      - AWS region of the Wickr networks, for example V(us-east-1).
      - It builds the endpoint C(https://admin.wickr.<region>.amazonaws.com) and it is part of every request
        signature, so it is needed with O(endpoint_url) too.
      - If not set, the value of the E(AWS_REGION) or E(AWS_DEFAULT_REGION) environment variable is used (an empty
        variable counts as unset), else the region of the AWS profile.
      - AWX and AAP inject no region with the Amazon Web Services credential type; set this option (for example in the
        job template's variables) or E(AWS_DEFAULT_REGION) (for example in the execution environment or AWX's extra
        environment variables).
    type: str
    aliases: [aws_region]
  endpoint_url:
    description:
      - URL of the Wickr admin API instead of the regional endpoint, for example a VPC endpoint or a test server.
      - If not set, the value of the E(AWS_ENDPOINT_URL_WICKR) or E(AWS_ENDPOINT_URL) environment variable is used.
      - Cannot be combined with O(use_fips_endpoint) or O(use_dualstack_endpoint).
      - A URL with user information (C(https://user:password@host)) is refused before any request; this option is
        not secret, so Ansible would show it. Give the credentials in O(access_key) and O(secret_key) or O(profile).
    type: str
    aliases: [aws_endpoint_url]
  use_fips_endpoint:
    description:
      - Use the FIPS endpoint C(https://admin.wickr-fips.<region>.amazonaws.com).
      - If not set, the value of the E(AWS_USE_FIPS_ENDPOINT) environment variable is used.
    type: bool
    default: false
  use_dualstack_endpoint:
    description:
      - Use the dual-stack (IPv4 and IPv6) endpoint C(https://admin.wickr.<region>.api.aws).
      - If not set, the value of the E(AWS_USE_DUALSTACK_ENDPOINT) environment variable is used.
    type: bool
    default: false
  aws_ca_bundle:
    description:
      - Path to a PEM bundle of CA certificates to trust for the Wickr endpoint instead of the system store.
      - If not set, the value of the E(AWS_CA_BUNDLE) environment variable is used, else C(ca_bundle) of the AWS
        profile.
    type: path
  validate_certs:
    description:
      - Verify the TLS certificate of the Wickr endpoint.
      - Set to V(false) only in a lab; prefer O(aws_ca_bundle) for a private CA.
    type: bool
    default: true
notes:
  - Requests are signed with Signature Version 4 (service C(wickr)) by botocore's own signer; the module needs
    the Python libraries C(botocore) and C(requests) where it runs.
  - There is no login and no session to keep; every request is signed on its own. Credentials from the chain that
    expire (SSO, assume-role, instance roles) are refreshed by botocore during long runs.
  - Secret keys and session tokens, including those found by the credential chain, never appear in results,
    warnings or error messages.
requirements:
  - botocore >= 1.42.14 (the first release with the AWS Wickr service model; the module fails at start-up with an older one)
  - requests
attributes:
  action_group:
    description: Use C(group/sso.oidc.wickr) or C(group/sso.oidc.all) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - sso.oidc.wickr
      - sso.oidc.all
"""

# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


# timeout, written once for both fragments below
_TIMEOUT = r"""
  timeout:
    description:
      - Seconds to wait for each HTTP response.
    type: int
    default: 30
"""


class ModuleDocFragment(object):
    # validate_certs, ca_path and timeout: the same in every module. A service's own fragment
    # (sso.oidc.checkmarx, ...) names the environment variables that fill them in, in its notes.
    DOCUMENTATION = r"""
options:
  validate_certs:
    description:
      - Verify the server's TLS certificate.
      - Set to V(false) only in a lab; prefer O(ca_path) for a private CA.
      - Where the service's notes name an environment variable for it, the strings V(true)/V(false) (any case,
        or V(yes)/V(no), V(1)/V(0)) in that variable are used when the option is not set; an empty variable
        counts as unset.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM bundle of CA certificates to trust instead of the system store.
      - Where the service's notes name an environment variable for it, that variable is used when the option is
        not set; an empty variable, or a path to an empty file (what AWX writes for a blank credential field),
        counts as unset.
    type: path
"""


# Added after the class: ansible-test's yamllint sanity test accepts only string literals in a fragment class.
ModuleDocFragment.DOCUMENTATION = ModuleDocFragment.DOCUMENTATION.rstrip("\n") + _TIMEOUT
# timeout alone (sso.oidc.connection.timeout), for a service whose TLS options are its own vendor's
# (Wickr: amazon.aws's aws_ca_bundle instead of ca_path, so its validate_certs text names that option).
ModuleDocFragment.TIMEOUT = "\noptions:" + _TIMEOUT

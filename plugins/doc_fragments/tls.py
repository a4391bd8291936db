# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # validate_certs, ca_path and timeout without environment fallbacks.
    DOCUMENTATION = r"""
options:
  validate_certs:
    description:
      - Verify the server's TLS certificate.
      - Set to V(false) only in a lab; prefer O(ca_path) for a private CA.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM bundle of CA certificates to trust instead of the system store.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response.
    type: int
    default: 30
"""

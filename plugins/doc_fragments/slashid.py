# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # Connection options of every SlashID module.
    DOCUMENTATION = r"""
options:
  org_id:
    description:
      - The SlashID organization ID, sent as the C(SlashID-OrgID) header with every request.
      - If not set, the value of the E(SLASHID_ORG_ID) environment variable is used. One of the two is required.
    type: str
  api_key:
    description:
      - The organization's API key, sent as the C(SlashID-API-Key) header with every request.
      - SlashID authenticates every call with this key; there is no login and no token, so there is no session
        to reuse between tasks.
      - If not set, the value of the E(SLASHID_API_KEY) environment variable is used. One of the two is required.
    type: str
  api_url:
    description:
      - Base URL of the SlashID API, without a path.
      - V(https://api.slashid.com) is production, V(https://api.sandbox.slashid.com) the sandbox.
      - A URL with a user name or password in it (C(https://user:password@host)) is refused before any request,
        because this option is not secret and Ansible would show it; give the credentials in O(org_id) and O(api_key).
      - If not set, the value of the E(SLASHID_API_URL) environment variable is used, and then the default.
    type: str
    default: https://api.slashid.com
  consistency:
    description:
      - The consistency level that writes (create, update, delete) wait for, sent as the
        C(SlashID-Required-Consistency) header.
      - V(local_region) waits until the write is done in the local region, V(all_regions) until it is done in
        every region. When not set, no header is sent and SlashID uses V(local_region).
      - When SlashID cannot reach the level within O(consistency_timeout) it answers HTTP 408, and the write may
        still be applied later. The module then reads the credential back and reports what really happened.
    type: str
    choices: [local_region, all_regions]
  consistency_timeout:
    description:
      - Seconds (1 to 120) that a write waits for O(consistency), sent as the
        C(SlashID-Required-Consistency-Timeout) header. When not set, SlashID waits 30 seconds.
    type: int
  validate_certs:
    description:
      - Verify the server's TLS certificate.
      - Set to V(false) only in a lab; prefer O(ca_path) for a private CA.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM bundle of CA certificates to trust instead of the system store.
      - If not set, the value of the E(SLASHID_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response.
    type: int
    default: 30
notes:
  - The API key needs the C(admin) role of the organization to create, change or delete credentials;
    reading them also works with C(member).
  - Rate limiting (HTTP 429, honouring C(Retry-After)) and HTTP 503 are retried with backoff.
"""

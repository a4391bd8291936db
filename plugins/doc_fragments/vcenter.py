# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # Connection options of the vCenter modules (names and environment variables as vmware.vmware has them).
    DOCUMENTATION = r"""
options:
  hostname:
    description:
      - The host name or IP address of the vCenter Server, without scheme or path, for example V(vcenter.example.com).
      - The modules use the vSphere Automation API (C(/api), vSphere 7.0 Update 2 and later) over https.
      - A value with user information (C(user:password@host)) is refused before any request; this option is not
        secret, so Ansible would show it. Give the credentials in O(username) and O(password), or O(session_id).
      - If not set, the value of the E(VMWARE_HOST) environment variable is used.
    type: str
    required: true
  port:
    description:
      - The TCP port of the vCenter Server.
      - If not set, the value of the E(VMWARE_PORT) environment variable is used, else V(443).
    type: int
    default: 443
  username:
    description:
      - The vCenter user that logs in, for example V(administrator@vsphere.local).
      - The user needs the privileges C(VcIdentityProviders.Read) and C(VcIdentityProviders.Manage),
        and C(VcIdentityProviders.Create) to create providers.
      - Required unless O(session_id) is given.
      - If not set, the value of the E(VMWARE_USER) environment variable is used.
    type: str
  password:
    description:
      - The password of O(username).
      - Required unless O(session_id) is given.
      - If not set, the value of the E(VMWARE_PASSWORD) environment variable is used.
    type: str
  session_id:
    description:
      - A vSphere Automation API session obtained earlier, for example with M(ansible.builtin.uri) and
        C(POST /api/session), used instead of a login with O(username) and O(password).
      - Many tasks can then share one session. The module does not log this session out; end it yourself
        with C(DELETE /api/session) when the play is done.
      - A session that vCenter no longer accepts (expired or logged out) fails the task with a clear message;
        a session the module opened itself is opened again once instead.
      - If not set, the value of the E(VMWARE_SESSION_ID) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the vCenter TLS certificate.
      - Set to V(false) only in a lab; prefer O(ca_path) for a private CA such as the VMCA.
      - If not set, the value of the E(VMWARE_VALIDATE_CERTS) environment variable is used, else V(true).
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM bundle of CA certificates to trust instead of the system store,
        for example the vCenter's own VMCA root certificate.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response.
    type: int
    default: 30
notes:
  - Without O(session_id), each task logs in once (C(POST /api/session)) and logs out at its end
    (C(DELETE /api/session)), also when the task fails, so no session is left open on the vCenter.
  - Transient failures (HTTP 429 and 503 for any request; 502, 504 and dropped connections for reads and deletes)
    are retried with backoff, honouring C(Retry-After), with a warning per retry.
"""

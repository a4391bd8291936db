#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cx_token
short_description: Get a Checkmarx CxSAST Access Control token for the other Checkmarx modules
version_added: 0.2.0
description:
  - Logs in to CxSAST Access Control once, exactly as every C(sso.oidc.cx_*) module does (the same URL handling,
    login client, default client secret, scopes and error messages), and returns the bearer token.
  - Pass RV(token) to the O(token) option of the other Checkmarx modules (best through C(module_defaults)), so a
    play logs in once instead of once per task.
  - When O(token) (or E(CX_TOKEN)) is already set, the module sends no request and returns no RV(token)
    (RV(logged_in=false)); the other modules take that same token from their own O(token) option or E(CX_TOKEN).
    Ansible masks every returned value equal to a C(no_log) option, so a given token could not be returned anyway.
    A play can therefore call this module unconditionally and pass C(token | default(omit)) on.
  - RV(token) is a secret. Register the result of this task with C(no_log) set, and give the token only to the
    tasks that need it (with C(no_log) set on them too).
author:
  - sso.oidc contributors (@sso-oidc)
extends_documentation_fragment:
  - sso.oidc.attributes
  - sso.oidc.connection
  - sso.oidc.checkmarx
attributes:
  check_mode:
    support: full
    details:
      - The login changes nothing on the server; the module runs the same in check mode, so the Checkmarx tasks
        of a check-mode run can read and plan with the token.
  diff_mode:
    support: N/A
    details:
      - This module never changes anything.
notes:
  - The token lives as long as the server's access token lifetime of O(auth_client_id) (one hour by default). A module
    given an expired token logs in itself when it also has O(username) and O(password).
seealso:
  - module: sso.oidc.cx_oidc_clients
  - module: sso.oidc.cx_oidc_client_info
"""

EXAMPLES = r"""
- name: Log in to Checkmarx once
  sso.oidc.cx_token:
    url: https://cxsast.example.com
    username: "{{ cx_username }}"
    password: "{{ cx_password }}"
  register: cx_login
  no_log: true

- name: Reconcile the clients with that token
  sso.oidc.cx_oidc_clients:
    url: https://cxsast.example.com
    token: "{{ cx_login.token }}"
    config:
      - client_id: portal
        redirect_uris: [https://portal.example.com/oidc/callback]
  no_log: true

- name: Read them back with the same token (no second login)
  sso.oidc.cx_oidc_client_info:
    url: https://cxsast.example.com
    token: "{{ cx_login.token }}"
  no_log: true

- name: Log in unless CX_TOKEN already holds a token
  sso.oidc.cx_token:
  register: cx_maybe
  no_log: true

- name: List the clients with whichever token there is
  sso.oidc.cx_oidc_client_info:
    token: "{{ cx_maybe.token | default(omit) }}"
  no_log: true
"""

RETURN = r"""
msg:
  description: A one-line summary.
  returned: always
  type: str
  sample: Logged in to https://cxsast.example.com as admin
token:
  description:
    - The bearer access token, without the C(Bearer) prefix. A secret; register the task with C(no_log).
  returned: when the module logged in (RV(logged_in=true))
  type: str
  sample: eyJhbGciOiJSUzI1NiIsImtpZCI6...
logged_in:
  description: V(true) when the module logged in; V(false) when O(token) was given (nothing sent, no RV(token)).
  returned: success
  type: bool
  sample: true
api_calls:
  description: HTTP requests sent, by method (the login is one C(POST); none when O(token) was given).
  returned: always
  type: dict
  sample: {POST: 1}
"""

from ansible_collections.sso.oidc.plugins.module_utils._checkmarx_connection import TOKEN as MODULE

module_spec = MODULE.module_spec
run = MODULE.run


def main():
    MODULE.main()


if __name__ == "__main__":
    main()

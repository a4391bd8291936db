# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Environment-variable fallbacks as AWX and AAP inject them (private).

``ansible.module_utils.basic.env_fallback`` returns the first variable that *exists*, so a variable
set to the empty string reaches the module as ``""``. AWX renders an optional credential field that was
left blank as exactly that, and an ``int``/``bool`` option then fails to convert (``VMWARE_PORT=""``) or a
string option carries an empty value that overrides the option's default (``SLASHID_API_URL=""``).

Here an empty variable counts as unset: the next name is tried, then the option's default applies.

AWX also writes the file of a ``file`` injector whether or not its field was filled, so a CA bundle
variable (``CX_CA_PATH``, ``SLASHID_CA_PATH``, ``AWS_CA_BUNDLE``) may name an existing empty file;
:func:`ca_file_fallback` treats that file as unset too (the system trust store applies), because an
empty bundle can only make every TLS handshake fail.
"""

from __future__ import annotations

import os

from ansible.module_utils.errors import AnsibleFallbackNotFound

#: a CA bundle file at most this large is read to see whether it holds anything but white space
_SMALL_FILE = 4096


def env_value(names, environ=None):
    """The value of the first of ``names`` that is set to a non-empty string, else ``None``."""
    environ = os.environ if environ is None else environ
    for name in names:
        value = environ.get(name)
        if value is not None and value != "":
            return value
    return None


def env_fallback(*args, **kwargs):
    """Argument-spec fallback like Ansible's ``env_fallback``, except that an empty variable counts as unset."""
    value = env_value(args)
    if value is None:
        raise AnsibleFallbackNotFound
    return value


def is_blank_file(path):
    """True when ``path`` names an existing regular file that holds nothing but white space."""
    try:
        if not os.path.isfile(path):
            return False
        if os.path.getsize(path) > _SMALL_FILE:
            return False
        with open(path, "rb") as handle:
            return not handle.read().strip()
    except (OSError, IOError, ValueError, TypeError):
        return False


def ca_file_fallback(*args, **kwargs):
    """Fallback of a CA bundle path: an empty variable, or one naming an empty file (AWX's file injector
    of a blank field), counts as unset. Any other path is passed on as given, so a missing file still fails
    with the connection's own message."""
    value = env_value(args)
    if value is None or is_blank_file(os.path.expanduser(value)):
        raise AnsibleFallbackNotFound
    return value

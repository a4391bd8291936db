# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``patch_module_args`` for the tests on every supported ansible-core line.

ansible-core 2.19 and later ship ``ansible.module_utils.testing.patch_module_args`` (and need it: the
old way raises "No serialization profile was specified"); 2.16 to 2.18 do not have it, and their
modules read their arguments from ``basic._ANSIBLE_ARGS``, the way their own unit tests set them.
Test code only: the collection's plugins use no private ansible-core name.
"""

import contextlib
import json

try:
    from ansible.module_utils.testing import patch_module_args  # ansible-core >= 2.19
except ImportError:  # ansible-core 2.16 - 2.18
    from unittest import mock

    @contextlib.contextmanager
    def patch_module_args(args=None):
        """Expose ``args`` to the AnsibleModule instances created within this context."""
        from ansible.module_utils import basic

        if not isinstance(args, (dict, type(None))):
            raise TypeError("The `args` arg must be a dict or None.")
        args = dict(args or {})
        args.setdefault("_ansible_remote_tmp", "/tmp")
        args.setdefault("_ansible_keep_remote_files", False)
        payload = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
        with mock.patch.object(basic, "_ANSIBLE_ARGS", payload):
            yield

__all__ = ["patch_module_args"]

# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs in_process_cases.py in a pytest process of its own (see its docstring for why)."""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def test_in_process_cases_in_their_own_process():
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           os.path.join(HERE, "in_process_cases.py")],
                          cwd=TESTS, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    passed = re.search(r"(\d+) passed", proc.stdout)
    assert passed and int(passed.group(1)) >= 40, proc.stdout[-3000:]


def test_this_process_is_not_a_controller():
    """The module tests of this pytest process see module_utils as a module process does."""
    assert "ansible.plugins.action" not in sys.modules
    try:  # ansible-core 2.19+ has a controller switch in module_utils; 2.16 to 2.18 do not
        from ansible.module_utils import _internal
    except ImportError:
        return
    assert not getattr(_internal, "is_controller", False)

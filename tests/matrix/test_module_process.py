# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules on the managed-node Pythons of the release matrix, as module processes.

scripts/gates/matrix.sh runs this file with ``SSO_OIDC_TARGET_PYTHONS`` set to the interpreters of the
leg (.venvs/target-<X.Y>, made by ``scripts/matrix.sh target X.Y``): the oldest managed-node Python the
README promises that the leg's ansible-core supports, and the newest. For each one: every module file
compiles with it, and tests/matrix/module_process.yml runs its modules there (Checkmarx: create,
unchanged rerun, info; Wickr: create and rerun where botocore with the wickr model exists, that is
Python 3.9 and later, else the clear missing-library failure). Outside the matrix gate (variable unset)
the test is skipped.
"""

import glob
import os
import re
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PLAYBOOK = os.path.join(HERE, "module_process.yml")
TARGETS = os.environ.get("SSO_OIDC_TARGET_PYTHONS", "").split()
COMPILE = """
import sys
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        compile(handle.read(), path, "exec")
print("%d.%d" % sys.version_info[:2])
"""


@pytest.mark.parametrize("python", TARGETS or [None], ids=lambda p: p and os.path.basename(os.path.dirname(
    os.path.dirname(p))) or "unset")
def test_modules_run_as_module_processes_on_the_managed_node_python(python, run_playbook):
    if python is None:
        pytest.skip("SSO_OIDC_TARGET_PYTHONS is not set (scripts/gates/matrix.sh sets it)")
    assert os.access(python, os.X_OK), "managed-node interpreter %s is missing" % python

    files = sorted(glob.glob(os.path.join(REPO, "plugins", "modules", "*.py"))
                   + glob.glob(os.path.join(REPO, "plugins", "module_utils", "*.py")))
    assert files
    proc = subprocess.run([python, "-c", COMPILE] + files, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    version = tuple(int(v) for v in proc.stdout.strip().split("."))

    result = run_playbook(PLAYBOOK, extra_vars={"ansible_python_interpreter": python,
                                                "wickr_expected": version >= (3, 9)}, args=("-vvv",))
    assert result.rc == 0, result
    assert re.search(r"changed=[1-9]\d* .*failed=0", result.stdout), result
    # Each sso.oidc module ran as a module process on this interpreter.
    for module in ("cx_oidc_client", "cx_oidc_client_info", "wickr_oidc_config"):
        assert re.search(r"%s .*AnsiballZ_%s\.py" % (re.escape(python), module), result.stdout), (module, result)
    assert "mp-client-secret-5c1e" not in result.output

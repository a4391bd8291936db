# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs every integration playbook under tests/integration/playbooks/ against the simulators.

A playbook named ``<service>_<topic>.yml`` gets the variable ``sim`` (the harness
environment: URLs, credentials, ``ca_path``) and resets what it uses itself
(see tasks/sim_reset.yml). It passes when ansible-playbook exits 0 and no
task failed; its assertions check the state on the simulators, not only what
the modules report.
"""

import glob
import os
import re

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOKS = sorted(glob.glob(os.path.join(HERE, "playbooks", "*.yml")))


@pytest.mark.parametrize("playbook", PLAYBOOKS, ids=[os.path.basename(p)[:-4] for p in PLAYBOOKS])
def test_playbook(playbook, run_playbook):
    result = run_playbook(playbook)
    assert result.rc == 0, result
    recap = re.findall(r"failed=(\d+)", result.stdout)
    assert recap and all(n == "0" for n in recap), result

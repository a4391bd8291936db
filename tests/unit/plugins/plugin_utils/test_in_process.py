# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs in_process_cases.py in a pytest process of its own (see its docstring for why)."""

import os

from conftest import run_cases_in_own_process


def test_in_process_cases_in_their_own_process():
    run_cases_in_own_process(os.path.join(os.path.dirname(os.path.abspath(__file__)), "in_process_cases.py"), 40)

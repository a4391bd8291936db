# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # Base: every module of the collection.
    DOCUMENTATION = r"""
options: {}
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details:
      - When the task runs on the controller itself (a C(local) connection, the module's Python interpreter is the
        one Ansible runs on, no C(become), no C(async), a Linux controller), the action plugin runs the module's
        code in the worker process that Ansible has already started for the task, instead of starting a new Python
        process for every task and loop item. The module code, its validation, C(no_log) masking and its result are
        the same; only the time differs.
      - Anything else runs the module the usual way. Set the variable C(sso_oidc_in_process=false) to always do that.
        C(-vvv) shows which way each task ran and why.
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
"""

    # A stateful module that reads, compares and writes through the reconcile engine.
    STATEFUL = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - Check mode runs the same read and compare as a real run and stops before the write.
        It returns the predicted end state and sends no write request.
  diff_mode:
    support: full
    details:
      - Before and after are shown with every secret masked. A changed secret shows as changed, never its value.
"""

    # A read-only module.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This module only reads; it runs the same in check mode.
  diff_mode:
    support: N/A
    details:
      - This module never changes anything.
"""

# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # Base: every module of the collection.
    DOCUMENTATION = r"""
options: {}
attributes:
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

# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # The policy for secrets that the API never shows back.
    DOCUMENTATION = r"""
options:
  update_secret:
    description:
      - What to do with a secret the API cannot show back, so that it cannot be compared.
      - V(on_create) sends the secret when the resource is created (and, for APIs that only take
        whole objects, whenever something else changes); an unchanged task stays unchanged.
      - V(always) sends the secret on every run and reports a change; use it to rotate a secret.
    type: str
    choices: [on_create, always]
    default: on_create
"""

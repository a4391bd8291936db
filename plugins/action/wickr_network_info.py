# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sso.oidc.wickr_network_info: see plugins/plugin_utils/_in_process.py."""

from __future__ import annotations

from ansible_collections.sso.oidc.plugins.plugin_utils._in_process import InProcessAction


class ActionModule(InProcessAction):
    pass

# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one action plugin of every sso.oidc module: see plugins/plugin_utils/_in_process.py.

``meta/runtime.yml`` names it as every module's ``action_plugin`` (``plugin_routing: modules:``), so
that ``module_defaults`` keep applying to each module by its own name (an ``action: redirect:`` makes
every module an alias of the one plugin for ``module_defaults``: ansible/ansible#77059).

Why this file has a module's name: ``ansible-test sanity`` (action-plugin-docs, every release line)
wants each action plugin to share its name with a module that documents it, and the release matrix
runs sanity without ignore entries. ``oidc_discovery_info`` is the collection's one module that
belongs to no vendor; the plugin runs every module, whatever the task's module is.
"""

from __future__ import annotations

from ansible_collections.sso.oidc.plugins.plugin_utils._in_process import InProcessAction, preload_modules


class ActionModule(InProcessAction):
    """Runs the task's module in Ansible's worker process when that is equivalent, else as a module process."""


# Ansible's main process imports this file for oidc_discovery_info tasks (the rollout role's first task): the
# code of every sso.oidc module is imported then, so the workers forked for later tasks inherit it.
preload_modules()

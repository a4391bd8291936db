# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faithful API simulators for sso.oidc's tests and demo (not part of the built collection)."""

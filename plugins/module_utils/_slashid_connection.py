# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection to the SlashID API (private: not part of the collection's public API).

* Every call carries ``SlashID-OrgID`` and ``SlashID-API-Key``: an API key, no login and
  no token, so there is nothing to reuse between tasks and nothing to close but the session.
* Mutating calls take ``SlashID-Required-Consistency`` and ``SlashID-Required-Consistency-Timeout``
  (the ``consistency`` and ``consistency_timeout`` options): the connection builds those headers.
  A 408 means "consistency not reached in time, the write may still land": :meth:`SlashIdConnection.write`
  sends a write so that a 408 comes back as an ``UnclearOutcome`` to settle by reading.
* Errors come in the ``{meta, errors: [{httpcode, message}]}`` envelope; a 404 for an
  unknown endpoint is not JSON.
"""

from __future__ import annotations

import re

from ansible_collections.sso.oidc.plugins.module_utils._env import env_fallback
from ansible_collections.sso.oidc.plugins.module_utils._http import (
    ApiClient, default_error_text, refuse_url_credentials, short_body,
)
from ansible_collections.sso.oidc.plugins.module_utils._module import tls_options
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import InputError

SERVICE = "SlashID"
DEFAULT_API_URL = "https://api.slashid.com"
CONSISTENCY_LEVELS = ["local_region", "all_regions"]
#: the one status after which SlashID's write may still land (consistency not reached in time)
CONSISTENCY_TIMEOUT = 408


def connection_options():
    """The connection options of every SlashID module."""
    spec = {
        "org_id": {"type": "str", "fallback": (env_fallback, ["SLASHID_ORG_ID"])},
        "api_key": {"type": "str", "no_log": True, "fallback": (env_fallback, ["SLASHID_API_KEY"])},
        "api_url": {"type": "str", "default": DEFAULT_API_URL, "fallback": (env_fallback, ["SLASHID_API_URL"])},
        "consistency": {"type": "str", "choices": list(CONSISTENCY_LEVELS)},
        "consistency_timeout": {"type": "int"},
    }
    spec.update(tls_options(ca_path_env=["SLASHID_CA_PATH"]))
    return spec


def parse_error(response):
    """Vendor text from the ``{meta, errors: [{httpcode, message}]}`` envelope, with a hint where it helps."""
    data = response.json
    code = None
    if isinstance(data, dict):
        messages = []
        for err in data.get("errors") or []:
            if isinstance(err, dict):
                if err.get("message"):
                    messages.append(str(err["message"]))
                if code is None and err.get("httpcode") is not None:
                    code = err.get("httpcode")
        text = "; ".join(messages) or default_error_text(response)
    else:
        text = short_body(response)
        if response.status == 404:
            text += (" (no JSON error envelope: the URL is not a SlashID API endpoint; check api_url, "
                     "for example %s)" % DEFAULT_API_URL)
    if response.status == 401:
        text += ". Check api_key (SLASHID_API_KEY) and org_id (SLASHID_ORG_ID)"
    elif response.status == 403:
        text += ". The API key needs the admin role of the organization to change SSO credentials"
    return text, code


class SlashIdConnection(object):
    """The ApiClient of one module run plus the write headers the consistency options ask for."""

    def __init__(self, client, consistency=None, consistency_timeout=None):
        self.client = client
        self.consistency = consistency
        self.consistency_timeout = consistency_timeout

    def write_headers(self):
        """The headers of every mutating call (None values are left out by the client)."""
        timeout = self.consistency_timeout
        return {
            "SlashID-Required-Consistency": self.consistency,
            "SlashID-Required-Consistency-Timeout": str(timeout) if timeout is not None else None,
        }

    def request(self, method, path, **kwargs):
        return self.client.request(method, path, **kwargs)

    def write(self, method, path, body=None):
        """Send one write with the consistency headers. A 408 raises ``UnclearOutcome`` (settled by reading,
        ``_reconcile.confirm_write``); a write that got no answer fails with the transport reason, as any
        request does (a POST is never sent twice)."""
        return self.client.request(method, path, json_body=body, headers=self.write_headers(),
                                   settle=(CONSISTENCY_TIMEOUT,))

    def http_error(self, method, path, response):
        return self.client.http_error(method, self.client.url(path), response)

    def scrub(self, text):
        return self.client.scrub(text)

    def close(self):
        self.client.close()


def connect(sm):
    """The connection of one module run. Checks the connection options first; no request is sent here."""
    params = sm.params
    refused = refuse_url_credentials("api_url", params.get("api_url"),
                                     "org_id and api_key (SLASHID_ORG_ID and SLASHID_API_KEY)", module=sm)
    if refused:
        raise InputError(refused)
    for name, env in (("org_id", "SLASHID_ORG_ID"), ("api_key", "SLASHID_API_KEY")):
        if not params.get(name):
            raise InputError("%s: required; set it or the %s environment variable" % (name, env))
    api_url = params.get("api_url") or DEFAULT_API_URL
    if not re.match(r"^https?://[^/\s]+", api_url):
        raise InputError("api_url: %r is not an http(s) URL; use for example %s" % (api_url, DEFAULT_API_URL))
    consistency_timeout = params.get("consistency_timeout")
    if consistency_timeout is not None and not 1 <= consistency_timeout <= 120:
        raise InputError("consistency_timeout: %s is out of range; SlashID accepts 1 to 120 seconds"
                         % consistency_timeout)
    if params.get("timeout") is not None and params["timeout"] <= 0:
        raise InputError("timeout: must be a positive number of seconds")
    headers = {
        "Accept": "application/json",
        "SlashID-OrgID": params["org_id"],
        "SlashID-API-Key": params["api_key"],
    }
    client = ApiClient(SERVICE, api_url, validate_certs=params.get("validate_certs", True),
                       ca_path=params.get("ca_path"), timeout=params.get("timeout") or 30, headers=headers,
                       error_parser=parse_error, warn=sm.warn, scrubber=sm.scrub)
    sm.register_client(client)
    sm.on_close(client.close)
    return SlashIdConnection(client, consistency=params.get("consistency"), consistency_timeout=consistency_timeout)

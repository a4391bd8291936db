# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Starts every simulator plus a real OpenID provider and describes them in one JSON file.

``Harness(directory).start()`` starts, in this process, on free loopback ports:

* the real OpenID provider from PyPI ``oidc-provider-mock``, served over HTTPS
  with the harness CA (its issuer is ``https://127.0.0.1:<port>``);
* every simulator listed in :data:`SIMULATORS` whose module exists.

and writes ``<directory>/env.json`` with their URLs, credentials and the CA
path. ``python -m simulators start|stop|serve`` runs the same in the background.
"""

import importlib
import json
import os
import threading

from simulators.base import SimServer
from simulators.tls import TestPKI

# name -> "module:Class"; a simulator appears in the harness when its module exists.
SIMULATORS = {
    "checkmarx": "simulators.checkmarx:CheckmarxSim",
    "wickr": "simulators.wickr:WickrSim",
    "slashid": "simulators.slashid:SlashIdSim",
    "vcenter": "simulators.vcenter:VcenterSim",
    "discovery": "simulators.discovery:DiscoverySim",
}


def load_simulator_classes(names=None):
    classes = {}
    for name, target in SIMULATORS.items():
        if names is not None and name not in names:
            continue
        module_name, cls_name = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        classes[name] = getattr(module, cls_name)
    return classes


class OidcProvider(object):
    """The real OpenID provider (oidc-provider-mock) over HTTPS on loopback."""

    def __init__(self, pki, host="127.0.0.1", port=0):
        import werkzeug.serving
        from oidc_provider_mock import app as make_app

        self.app = make_app(require_client_registration=False)
        ctx = pki.server_context("good")
        self.server = werkzeug.serving.make_server(host, port, self.app, threaded=True, ssl_context=ctx)
        self.issuer = "https://%s:%d" % (host, self.server.server_port)
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                       name="oidc-provider", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def describe(self):
        return {
            "issuer": self.issuer,
            "discovery_url": self.issuer + "/.well-known/openid-configuration",
            # oidc-provider-mock accepts any client id and secret unless registration is required
            "client_id": "sso-oidc-demo",
            "client_secret": "demo-idp-client-secret-2f6a1c",
            "scopes": ["openid", "profile", "email"],
        }


class Harness(object):
    def __init__(self, directory, names=None, tls=True, persist=True, oidc=True):
        self.directory = os.path.abspath(directory)
        os.makedirs(self.directory, exist_ok=True)
        self.pki = TestPKI(os.path.join(self.directory, "pki")) if tls else None
        self.names = names
        self.persist = persist
        self.with_oidc = oidc
        self.apps = {}
        self.servers = {}
        self.extra_servers = []
        self.oidc = None
        self.env_path = os.path.join(self.directory, "env.json")

    def start(self):
        if self.with_oidc:
            self.oidc = OidcProvider(self.pki).start()
        for name, cls in load_simulator_classes(self.names).items():
            app = cls(self)
            ctx = self.pki.server_context("good") if self.pki else None
            server = SimServer(app, tls_context=ctx).start()
            app.url = server.url
            if self.persist:
                app.attach_state_file(os.path.join(self.directory, "%s.state.json" % name))
            self.apps[name] = app
            self.servers[name] = server
        self.write_env()
        return self

    def serve_variant(self, name, tls_profile):
        """Another server for simulator ``name`` (same state) with a broken TLS
        profile (expired, wrong_host, untrusted), for the TLS fault tests."""
        app = self.apps[name]
        server = SimServer(app, tls_context=self.pki.server_context(tls_profile)).start()
        self.extra_servers.append(server)
        return server.url

    def describe(self):
        env = {
            "ca_path": self.pki.ca_path if self.pki else None,
            "untrusted_ca_path": self.pki.other_ca_path if self.pki else None,
            "directory": self.directory,
            "pid": os.getpid(),
        }
        if self.oidc:
            env["oidc"] = self.oidc.describe()
        for name, app in self.apps.items():
            env[name] = app.describe()
        return env

    def write_env(self):
        tmp = self.env_path + ".tmp"
        with open(tmp, "w") as handle:
            json.dump(self.describe(), handle, indent=2, sort_keys=True)
        os.replace(tmp, self.env_path)

    def reset_all(self):
        for app in self.apps.values():
            app.reset()

    def stop(self):
        for server in list(self.servers.values()) + self.extra_servers:
            try:
                server.stop()
            except Exception:
                pass
        if self.oidc:
            try:
                self.oidc.stop()
            except Exception:
                pass
        self.servers = {}
        self.extra_servers = []

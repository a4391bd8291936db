# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures and hooks of the reliability suites.

The parent ``tests/conftest.py`` gives ``sim`` (the harness), ``sim_api`` and
``run_playbook``. This file adds:

* ``rel``: a :class:`Rel` helper bound to the harness (reset a simulator, read its log
  and state, run a module in-process, open TLS variants of a simulator);
* ``case``: a factory of recorded cases (see ``_support.Case``);
* the figures hooks: every case is appended at once to
  ``tests/output/reliability/figures-<worker>.jsonl``; the controller (or the single process)
  records the test outcomes and, at session end, merges everything into ``figures.json``, which
  ``report.py`` renders into ``docs/reliability.md``.
"""

import copy
import os
import time

import pytest

from reliability import _support
from reliability._support import Case, run_module

_STARTED = {}
_MISSING = object()


# --------------------------------------------------------------------------- figures hooks
def _worker_id(config):
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput else None


def pytest_configure(config):
    if _worker_id(config) is None:
        _STARTED["at"] = time.time()
        _support.clear_figures()


def pytest_runtest_logreport(report):
    """Test outcomes, recorded where every report arrives (the controller, or the single process)."""
    if "reliability/" not in report.nodeid.replace(os.sep, "/") or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    tests = _support.FIGURES["tests"]
    if hasattr(report, "wasxfail"):
        outcome = "xfailed" if report.outcome == "skipped" else "xpassed"
    elif report.when != "call":
        if report.outcome == "failed":
            outcome = "error"
        elif report.outcome == "skipped" and report.when == "setup":
            outcome = "skipped"
        else:
            return
    else:
        outcome = report.outcome
    previous = (tests.get(report.nodeid) or {}).get("outcome")
    if previous in ("failed", "error") and outcome == "passed":
        return
    tests[report.nodeid] = {"outcome": outcome, "duration": round(report.duration, 3)}


def pytest_sessionfinish(session):
    if _worker_id(session.config) is None and _support.FIGURES["tests"]:
        _support.write_tests(_support.FIGURES["tests"])
        _support.merge_figures()


# --------------------------------------------------------------------------- fixtures
class Rel(object):
    """Test-side helper around the harness (no module code)."""

    def __init__(self, harness, api):
        self.harness = harness
        self.api = api
        self.env = harness.describe()
        self._variants = {}
        self._saved_attrs = []
        self._touched = set()

    def remember_attrs(self, obj, names):
        """Save attributes a test overrides on a simulator (restored by :meth:`restore`)."""
        if not any(o is obj for o, _n, _v in self._saved_attrs):
            for name in names:
                self._saved_attrs.append((obj, name, obj.__dict__.get(name, _MISSING)))

    def restore(self):
        """Undo what a test changed on the shared simulators (other suites share this harness)."""
        for obj, name, value in reversed(self._saved_attrs):
            if value is _MISSING:
                obj.__dict__.pop(name, None)
            else:
                setattr(obj, name, value)
        self._saved_attrs = []
        for name in sorted(self._touched):
            self.app(name).reset()
        self._touched = set()
        self.env = self.harness.describe()

    # simulators (driven in-process: the harness runs in this process)
    def app(self, name):
        return self.harness.apps[name]

    def reset(self, name, seed=None, **config):
        self._touched.add(name)
        app = self.app(name)
        app.reset(copy.deepcopy(seed) if seed else None)
        if config:
            with app.lock:
                app.config.update(copy.deepcopy(config))
        self.clear_requests(name)
        self.env = self.harness.describe()

    def clear_requests(self, name):
        app = self.app(name)
        with app.lock:
            app.requests = []

    def clear_faults(self, name):
        app = self.app(name)
        with app.lock:
            app.faults = []

    def state(self, name):
        app = self.app(name)
        with app.lock:
            return copy.deepcopy(app.state)

    def log(self, name):
        app = self.app(name)
        with app.lock:
            return copy.deepcopy(app.requests)

    def writes(self, name):
        """Requests that could change something (see _steps.write_requests)."""
        from reliability._steps import write_requests

        return write_requests(self.log(name))

    def fault(self, name, **fault):
        self.app(name).add_fault(fault)

    def config(self, name, **values):
        app = self.app(name)
        with app.lock:
            app.config.update(copy.deepcopy(values))
            return copy.deepcopy(app.config)

    def variant_url(self, name, profile):
        """URL of the same simulator served with a broken TLS profile (expired, wrong_host, untrusted)."""
        key = (name, profile)
        if key not in self._variants:
            self._variants[key] = self.harness.serve_variant(name, profile)
        return self._variants[key]

    # modules
    @staticmethod
    def run(module, params, **kwargs):
        return run_module(module, params, **kwargs)


@pytest.fixture(scope="session")
def rel_session(sim):
    from conftest import SimApi

    return Rel(sim, SimApi(sim))


@pytest.fixture
def rel(rel_session):
    rel_session.env = rel_session.harness.describe()
    try:
        yield rel_session
    finally:
        rel_session.restore()


@pytest.fixture
def case(request):
    """case(suite, module, name, fault=None) -> a recorded Case (use it as a context manager)."""

    def _make(suite, module, name, fault=None):
        return Case(suite, module, name, fault=fault, nodeid=request.node.nodeid)

    return _make

# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Machinery of the reliability and security suites (tests/reliability).

* :func:`canary` makes unique secret values; :func:`leak_needles` gives every form in
  which a secret could leak (raw, base64 at every byte alignment, URL- and JSON-encoded,
  its SHA-256 hashes); :func:`find_leaks` scans text or data for them.
* :class:`ModuleRunner` runs a module's ``main()`` in-process against the simulators
  (``patch_module_args``), at verbosity 4 with tracebacks captured, and returns the
  parsed result, the warnings and the raw output.
* :func:`argument_spec` captures a module's real argument spec (the truth for the
  bad-input suite) without running it.
* :data:`FIGURES` collects the cases every suite tries; ``conftest.py`` writes them to
  ``tests/output/reliability/figures-<worker>.jsonl`` and ``report.py`` renders them.
"""

import base64
import contextlib
import copy
import hashlib
import importlib
import io
import json
import os
import re
import time
import uuid
from urllib.parse import quote, quote_plus

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(TESTS_DIR)
OUTPUT_DIR = os.path.join(TESTS_DIR, "output", "reliability")
MODULE_PKG = "ansible_collections.sso.oidc.plugins.modules"
TRACEBACK_MARK = "Traceback (most recent call last)"
NO_LOG_MARK = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

# Every environment variable a module of the collection reads: cleared around each
# in-process run so that the developer's shell never changes a test's outcome.
MODULE_ENV_VARS = (
    "CX_URL", "CX_USERNAME", "CX_PASSWORD", "CX_AUTH_CLIENT_ID", "CX_AUTH_CLIENT_SECRET", "CX_TOKEN",
    "CX_VALIDATE_CERTS", "CX_CA_PATH", "CX_TIMEOUT",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
    "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
    "AWS_SECURITY_TOKEN", "EC2_ACCESS_KEY", "EC2_SECRET_KEY", "EC2_SECURITY_TOKEN", "EC2_REGION",
    "AWS_ENDPOINT_URL_WICKR",
    "SLASHID_ORG_ID", "SLASHID_API_KEY", "SLASHID_API_URL", "SLASHID_CA_PATH", "SLASHID_VALIDATE_CERTS",
    "SLASHID_TIMEOUT",
    "VMWARE_HOST", "VMWARE_USER", "VMWARE_PASSWORD", "VMWARE_PORT", "VMWARE_VALIDATE_CERTS", "VMWARE_CA_PATH",
    "VMWARE_TIMEOUT",
)


# --------------------------------------------------------------------------- secrets
def canary(tag, special=True):
    """A unique secret value. ``special`` adds characters that URL and JSON encode
    differently (``+ / = & " \\`` and a non-ASCII letter), so every encoding is distinct."""
    value = "LeakCanary-%s-%s" % (tag, uuid.uuid4().hex[:16])
    if special:
        value += '+/=&"\\\u00e9~'
    return value


def _b64_cores(raw):
    """Substrings that appear in any base64 text that encodes ``raw`` inside a larger blob
    (e.g. ``Basic base64(user:secret)``), for the three byte alignments and both alphabets."""
    out = set()
    for shift in range(3):
        blob = b"\0" * shift + raw
        for enc in (base64.b64encode(blob).decode("ascii"), base64.urlsafe_b64encode(blob).decode("ascii")):
            start = 4 if shift else 0
            core = enc[start:len(enc) - 4]
            if len(core) >= 12:
                out.add(core)
    return out


def leak_needles(secret):
    """Every form in which ``secret`` must never appear in output, logs or results."""
    text = str(secret)
    raw = text.encode("utf-8")
    out = {text, quote(text, safe=""), quote(text), quote_plus(text),
           json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1],
           # the JSON escape of a JSON escape: a secret inside a JSON string inside JSON
           json.dumps(json.dumps(text)[1:-1])[1:-1]}
    out.add(base64.b64encode(raw).decode("ascii").rstrip("="))
    out.add(base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="))
    out |= _b64_cores(raw)
    if text.startswith("LeakCanary-"):
        # the canary's unique core: caught however the rest is escaped or cut (repr, truncation, ...)
        core = re.match(r"LeakCanary-[A-Za-z0-9-]+", text).group(0)
        out.add(core)
    digest = hashlib.sha256(raw).digest()
    out.add(base64.b64encode(digest).decode("ascii"))   # IdentityServer's stored hash (Checkmarx)
    out.add(hashlib.sha256(raw).hexdigest())
    out.add(base64.b64encode(hashlib.sha512(raw).digest()).decode("ascii"))
    return sorted((n for n in out if len(n) >= 8), key=len, reverse=True)


def find_leaks(haystack, secrets, where=""):
    """Return ``[(where, secret, needle)]`` for every secret form found in ``haystack``
    (text, bytes or JSON-like data)."""
    if haystack is None:
        return []
    if not isinstance(haystack, str):
        if isinstance(haystack, bytes):
            haystack = haystack.decode("utf-8", "replace")
        else:
            haystack = json.dumps(haystack, ensure_ascii=False, sort_keys=True, default=str)
    found = []
    for secret in secrets:
        for needle in leak_needles(secret):
            if needle in haystack:
                found.append((where, secret, needle))
                break
    return found


# --------------------------------------------------------------------------- running modules
class _Captured(BaseException):
    """Raised from a patched AnsibleModule to capture the argument spec (never caught by modules)."""


class ModResult(object):
    def __init__(self, rc, data, stdout, stderr, elapsed):
        self.rc = rc
        self.data = data or {}
        self.stdout = stdout
        self.stderr = stderr
        self.elapsed = elapsed

    @property
    def failed(self):
        return bool(self.data.get("failed")) or self.rc not in (0, None)

    @property
    def msg(self):
        return str(self.data.get("msg", ""))

    @property
    def changed(self):
        return bool(self.data.get("changed"))

    @property
    def warnings(self):
        return [str(w) for w in self.data.get("warnings") or []]

    def outside_invocation(self):
        data = dict(self.data)
        data.pop("invocation", None)
        return data

    def __repr__(self):
        return "ModResult(rc=%s, %s)" % (self.rc, json.dumps(self.data, default=str, sort_keys=True)[:4000])


def _reset_module_globals():
    from ansible.module_utils.common import warnings as ans_warnings
    from ansible.module_utils._internal import _traceback

    ans_warnings._global_warnings.clear()  # pylint: disable=protected-access
    ans_warnings._global_deprecations.clear()  # pylint: disable=protected-access
    _traceback._module_tracebacks_enabled_events = None  # pylint: disable=protected-access


@contextlib.contextmanager
def module_env(env):
    """Only ``env`` of the module environment variables is set inside the block."""
    saved = dict((k, os.environ.get(k)) for k in set(MODULE_ENV_VARS) | set(env or {}))
    for name in saved:
        os.environ.pop(name, None)
    for name, value in (env or {}).items():
        os.environ[name] = str(value)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_module(name, params, check=False, diff=False, env=None, verbosity=4):
    """Run ``sso.oidc.<name>``'s main() in this process; return a :class:`ModResult`."""
    from module_args import patch_module_args

    args = copy.deepcopy(params)
    args.update({"_ansible_check_mode": check, "_ansible_diff": diff, "_ansible_verbosity": verbosity,
                 "_ansible_tracebacks_for": ["error", "warning", "deprecated"], "_ansible_no_log": False,
                 "_ansible_module_name": "sso.oidc." + name})
    module = importlib.import_module("%s.%s" % (MODULE_PKG, name))
    out, err = io.StringIO(), io.StringIO()
    _reset_module_globals()
    rc = None
    start = time.time()
    with module_env(env), patch_module_args(args), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            module.main()
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            # The traceback setting of this run (tracebacks for every event) must not reach a later module
            # test in the same pytest process, which would then find "exception" in its result.
            _reset_module_globals()
    elapsed = time.time() - start
    text = out.getvalue()
    data = None
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                data = json.loads(line)
                break
            except ValueError:
                continue
    if data is None:
        data = {"failed": True, "msg": "module printed no JSON result", "_stdout": text}
    return ModResult(rc, data, text, err.getvalue(), elapsed)


_SPECS = {}


def argument_spec(name):
    """The module's real argument spec (and AnsibleModule keyword arguments), captured
    by patching AnsibleModule for one call of main(): nothing is sent anywhere."""
    if name in _SPECS:
        return _SPECS[name]
    from ansible.module_utils import basic
    from module_args import patch_module_args

    module = importlib.import_module("%s.%s" % (MODULE_PKG, name))
    captured = {}
    original = basic.AnsibleModule.__init__

    def fake_init(self, argument_spec, **kwargs):  # pylint: disable=redefined-outer-name
        captured["spec"] = copy.deepcopy(argument_spec)
        captured["kwargs"] = dict((k, copy.deepcopy(v)) for k, v in kwargs.items())
        raise _Captured()

    basic.AnsibleModule.__init__ = fake_init
    try:
        with patch_module_args({}), contextlib.redirect_stdout(io.StringIO()):
            try:
                module.main()
            except _Captured:
                pass
            except SystemExit:
                pass
    finally:
        basic.AnsibleModule.__init__ = original
    if "spec" not in captured:
        raise AssertionError("could not capture the argument spec of %s" % name)
    _SPECS[name] = captured
    return captured


def no_log_options(spec, prefix=""):
    """Dotted paths of every no_log option of an argument spec (nested ones too)."""
    out = []
    for opt, conf in spec.items():
        if conf.get("no_log"):
            out.append(prefix + opt)
        if conf.get("options"):
            out.extend(no_log_options(conf["options"], prefix + opt + "."))
    return out


def module_exists(name):
    return os.path.exists(os.path.join(REPO, "plugins", "modules", name + ".py"))


def module_doc(name):
    import yaml

    module = importlib.import_module("%s.%s" % (MODULE_PKG, name))
    return yaml.safe_load(module.DOCUMENTATION)


# --------------------------------------------------------------------------- figures
FIGURES = {"tests": {}}


def worker_name():
    return os.environ.get("PYTEST_XDIST_WORKER") or "main"


def _append_case(record):
    """Append one case to figures-<worker>.jsonl at once: nothing is lost if a worker dies."""
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    with open(os.path.join(OUTPUT_DIR, "figures-%s.jsonl" % worker_name()), "a") as handle:
        handle.write(json.dumps(record, sort_keys=True, default=str) + "\n")


class Case(object):
    """One case a suite tried: ``with case(...) as c:`` records it as passed when the block ends
    without an exception and without :meth:`fail`; ``c.fault``/``c.survived``/``c.leaks``/``c.scans``
    add detail."""

    def __init__(self, suite, module, name, fault=None, nodeid=None):
        self.record = {"suite": suite, "module": module, "case": name, "fault": fault,
                       "survived": None, "leaks": 0, "scans": 0, "passed": False, "nodeid": nodeid,
                       "error": None}

    def __setattr__(self, key, value):
        if key == "record":
            object.__setattr__(self, key, value)
        else:
            self.record[key] = value

    def __getattr__(self, key):
        try:
            return self.__dict__["record"][key]
        except KeyError:
            raise AttributeError(key)

    def __enter__(self):
        return self

    def fail(self, message, problems=None):
        """Mark the case failed without leaving the block (the test asserts at its end)."""
        self.record["error"] = str(message)[:300]
        self.record["soft_failed"] = True
        if problems is not None:
            problems.append("%s / %s: %s" % (self.record["module"], self.record["case"], message))

    def __exit__(self, exc_type, exc, tb):
        self.record["passed"] = exc_type is None and not self.record.get("soft_failed")
        if exc_type is not None:
            text = str(exc)
            self.record["error"] = "%s: %s" % (exc_type.__name__, text.splitlines()[0][:200] if text else "")
        _append_case(self.record)
        return False


def clear_figures(directory=OUTPUT_DIR):
    if not os.path.isdir(directory):
        return
    for name in os.listdir(directory):
        if name.startswith("figures") and name.endswith((".json", ".jsonl")):
            try:
                os.remove(os.path.join(directory, name))
            except OSError:
                pass


def write_tests(tests, directory=OUTPUT_DIR):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "figures-tests.json"), "w") as handle:
        json.dump(tests, handle, indent=1, sort_keys=True)


def merge_figures(directory=OUTPUT_DIR):
    """Merge figures-<worker>.jsonl (cases) and figures-tests.json (outcomes) into figures.json."""
    if not os.path.isdir(directory):
        return None
    merged = {"cases": [], "tests": {}, "workers": []}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if name.startswith("figures-") and name.endswith(".jsonl"):
            merged["workers"].append(name[len("figures-"):-len(".jsonl")])
            with open(path) as handle:
                merged["cases"].extend(json.loads(line) for line in handle if line.strip())
        elif name == "figures-tests.json":
            with open(path) as handle:
                merged["tests"].update(json.load(handle))
    if not merged["cases"] and not merged["tests"]:
        return None
    merged["generated"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    merged["generated_epoch"] = time.time()
    with open(os.path.join(directory, "figures.json"), "w") as handle:
        json.dump(merged, handle, indent=1, sort_keys=True)
    return merged


# --------------------------------------------------------------------------- leak scanning of one run
def scan_result(res, secrets):
    """Leaks in one in-process module run: the whole result (every key, warnings and the
    captured traceback included), stdout and stderr. Returns (leaks, scans)."""
    leaks = []
    leaks += find_leaks(res.stdout, secrets, "module stdout")
    leaks += find_leaks(res.stderr, secrets, "module stderr")
    leaks += find_leaks(res.data, secrets, "module result")
    outside = json.dumps(res.outside_invocation(), default=str)
    if NO_LOG_MARK in outside:
        leaks.append(("module result", "(no_log value)", NO_LOG_MARK))
    return leaks, 3 * len(secrets)


def scan_request_log(entries, secrets, allowed=()):
    """Leaks in what the client sent outside the body (method, path, query of each request).
    ``allowed``: [(path regex, secret)] the vendor API itself requires in a query."""
    import re

    leaks = []
    for entry in entries:
        text = "%s %s?%s" % (entry.get("method"), entry.get("path"), entry.get("query") or "")
        for where, secret, needle in find_leaks(text, secrets, "request log"):
            if any(re.search(pattern, entry.get("path") or "") and secret == value for pattern, value in allowed):
                continue
            leaks.append((where + " %s %s" % (entry.get("method"), entry.get("path")), secret, needle))
    return leaks, len(secrets)

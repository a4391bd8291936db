# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service contract, proven by a fifth service that exists only here (issue 16, item 5).

``FakeApi`` is a small vendor API in memory (gadgets under ``/tenants/<tenant>/gadgets``): it fills
server defaults, never shows the client secret, shows the signing key only as a hash, refuses a
forbidden scope with its own text, and can be told to fail a request before or after it is applied,
or to answer nothing at all. ``GadgetConnection`` is its connection: a ``request()`` with the
documented per-request policy (``retry=``, ``settle=``, ``UnclearOutcome``) of the one HTTP client.

``Gadget`` is the service's ``Resource``, written only from the contract documented in
``_reconcile.py`` (and docs/developing.md): stateless, every hook taking the task first, per-task facts
in ``task.memo``, the service's task options in ``task.options``, secrets compared through
``task.secret_unchanged``, items failed with ``ItemFailure``, unclear writes settled by
``confirm_write``. ``SINGLE`` and ``SET`` are its module definitions, built the way a service's
resource file builds them. The tests drive them as the module files and the controller-side runner do
(``module_spec()`` and ``run(sm)`` on an ``SsoModule``), and the ``Engine`` directly, through the engine's
behaviour suite: create, update, no-op, delete, check-mode prediction, diff masking, partial failure,
the update_secret policy, recreate, protected keys and an unclear write outcome settled by reading.
"""

import copy
import hashlib
import json
import re

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.sso.oidc.plugins.module_utils._http import (
    MASK, SERVER_FAILURES, ApiError, UnclearOutcome, quote_path,
)
from ansible_collections.sso.oidc.plugins.module_utils._module import (
    SsoModule, set_module, single_module, tls_options,
)
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import (
    SECRET_CHANGED, Engine, InputError, ItemFailure, Resource, Task, confirm_write,
)

CLIENT_SECRET = "cs-Gadget-Secret-1"
OTHER_SECRET = "cs-Gadget-Secret-2"
SIGNING_KEY = "sk-Gadget-Key-1"
OTHER_KEY = "sk-Gadget-Key-2"
API_KEY = "ak-Gadget-Api-Key"
ALL_SECRETS = (CLIENT_SECRET, OTHER_SECRET, SIGNING_KEY, OTHER_KEY, API_KEY)


def key_hash(value):
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:16]


# =========================================================================== the vendor API (in memory)
class FakeApi(object):
    """The vendor: a JSON API over an in-memory store, with fault injection."""

    DEFAULTS = {"type": "web", "enabled": True, "scopes": ["openid"]}

    def __init__(self, gadgets=(), tenant="t1"):
        self.tenant = tenant
        self.objects = {}
        self.next_id = 100
        self.log = []
        self.faults = []
        self.add({"displayName": "default", "type": "web"})  # the server's own, built in
        for gadget in gadgets:
            self.add(gadget)

    def add(self, body):
        obj = dict(copy.deepcopy(self.DEFAULTS), **copy.deepcopy(body))
        obj["id"] = "g%d" % self.next_id
        self.next_id += 1
        self.objects[obj["id"]] = obj
        return obj

    def by_name(self, name):
        return [o for o in self.objects.values() if o["displayName"] == name]

    def fail(self, method, path=".*", times=1, **fault):
        """status=<int> (before: not applied; when='after': applied), lost=True (applied, no answer),
        refused=True (not applied, the connection refused)."""
        fault.setdefault("when", "before")
        self.faults.append(dict(fault, method=method, path=re.compile(path), times=times))

    def _fault(self, method, path, when):
        for fault in self.faults:
            if fault["times"] and fault["when"] == when and fault["method"] == method and fault["path"].search(path):
                fault["times"] -= 1
                return fault
        return None

    @staticmethod
    def shown(obj):
        """How the API shows an object: never the client secret, the signing key as a hash."""
        out = dict((k, copy.deepcopy(v)) for k, v in obj.items() if k not in ("clientSecret", "signingKey"))
        if obj.get("signingKey"):
            out["signingKeyHash"] = key_hash(obj["signingKey"])
        return out

    def handle(self, method, path, body):
        """(status, body, headers), or a dict {'no_answer': ..., 'refused': bool} for a failed exchange."""
        fault = self._fault(method, path, "before")
        if fault is not None:
            self.log.append((method, path, "fault"))
            if fault.get("refused"):
                return {"no_answer": "could not connect (connection refused)", "refused": True}
            return fault["status"], {"message": "injected: HTTP %d" % fault["status"]}, fault.get("headers", {})
        answer = self._route(method, path, body)
        self.log.append((method, path, answer[0]))
        fault = self._fault(method, path, "after")
        if fault is not None:
            if fault.get("lost"):
                return {"no_answer": "the connection was closed before an answer came", "refused": False}
            return fault["status"], {"message": "injected: HTTP %d" % fault["status"]}, {}
        return answer

    def _route(self, method, path, body):
        base = "/tenants/%s/gadgets" % self.tenant
        if not path.startswith(base):
            return 404, {"message": "no tenant here"}, {}
        rest = path[len(base):].lstrip("/")
        if not rest:
            if method == "GET":
                return 200, {"items": [self.shown(o) for o in sorted(self.objects.values(), key=lambda o: o["id"])]}, {}
            if method == "POST":
                problem = self._refuse(body)
                if problem:
                    return 400, {"message": problem}, {}
                if self.by_name(body["displayName"]):
                    return 409, {"message": "a gadget named %s exists" % body["displayName"]}, {}
                return 201, self.shown(self.add(body)), {}
        obj = self.objects.get(rest)
        if obj is None:
            return 404, {"message": "gadget %s not found" % rest}, {}
        if method == "GET":
            return 200, self.shown(obj), {}
        if method == "PUT":
            problem = self._refuse(dict(obj, **body))
            if problem:
                return 400, {"message": problem}, {}
            obj.update(copy.deepcopy(body))
            return 200, self.shown(obj), {}
        if method == "DELETE":
            del self.objects[rest]
            return 204, None, {}
        return 405, {"message": "method not allowed"}, {}

    @staticmethod
    def _refuse(body):
        if "admin" in (body.get("scopes") or []):
            return "scope admin is reserved for the tenant owner"
        return None


class Answer(object):
    def __init__(self, status, body):
        self.status = status
        self.json = body


class GadgetConnection(object):
    """The service's connection: ``request()`` with the one HTTP client's per-request policy.

    Retries 429/503 once when ``retry`` (any method, as ``ApiClient`` does; a refused connection for idempotent
    methods only); ``settle=`` turns the named outcomes (statuses, and ``None`` for no
    answer) into :class:`UnclearOutcome` (``resend`` for 429/503 and a refused
    connection, ``delay`` from Retry-After); every other failure is an :class:`ApiError`."""

    service = "Gadgets"

    def __init__(self, api, api_key):
        if api_key != API_KEY:
            raise ApiError(self.service, "GET", "/", status=401, vendor_text="bad API key")
        self.api = api
        self.counts = {}
        self.closed = False

    def request(self, method, path, json_body=None, allow_status=(), retry=True, settle=None):
        attempts = 2 if retry else 1
        for attempt in range(1, attempts + 1):
            self.counts[method] = self.counts.get(method, 0) + 1
            answer = self.api.handle(method, path, copy.deepcopy(json_body))
            if isinstance(answer, dict):
                if retry and answer["refused"] and method in ("GET", "PUT", "DELETE") and attempt < attempts:
                    continue  # a refused connection is retried for idempotent methods only, as ApiClient does
                if settle is not None and None in settle:
                    raise UnclearOutcome(self.service, method, path, resend=answer["refused"], delay=0.5,
                                         hint=answer["no_answer"])
                raise ApiError(self.service, method, path, hint=answer["no_answer"])
            status, body, headers = answer
            if 200 <= status < 300 or status in allow_status:
                return Answer(status, body)
            if retry and status in (429, 503) and attempt < attempts:
                continue
            text = (body or {}).get("message")
            if settle is not None and status in settle:
                raise UnclearOutcome(self.service, method, path, resend=status in (429, 503),
                                     delay=float(headers.get("Retry-After", 1.0)), status=status, vendor_text=text)
            raise ApiError(self.service, method, path, status=status, vendor_text=text)
        raise AssertionError("not reached")

    def close(self):
        self.closed = True


#: the servers the connection option ``server`` names (a URL in a real service)
SERVERS = {}


def connection_options():
    spec = tls_options()
    spec.update({"server": {"type": "str", "required": True},
                 "api_key": {"type": "str", "no_log": True, "required": True},
                 "tenant": {"type": "str", "default": "t1"}})
    return spec


def connect(sm):
    """Builds the connection from the module's parameters; registers its close and its counts. No request."""
    conn = GadgetConnection(SERVERS[sm.params["server"]], sm.params["api_key"])
    sm.on_close(conn.close)
    sm.register_client(conn)
    return conn


# =========================================================================== the service's resource
SHOWN = {"kind": "type", "enabled": "enabled", "scopes": "scopes"}


class Gadget(Resource):
    """Written from the contract alone: see the module docstring."""

    service = "Gadgets"
    kind = "gadget"
    key = "name"
    secret_fields = ("client_secret", "signing_key")
    write_only = ("client_secret",)
    always_rewrites_secrets = True  # the signing key shows as a hash: update_secret=always rewrites it anyway
    defaults = {"kind": "web", "enabled": True, "scopes": ["openid"]}
    builtin_protected = ("default",)
    task_options = ("tenant",)

    def _path(self, task, gadget_id=None):
        base = "/tenants/%s/gadgets" % quote_path(task.options["tenant"])
        return base + ("/" + quote_path(gadget_id) if gadget_id else "")

    def validate(self, task, entry, where):
        if not entry.get("name"):
            raise InputError("%sname: give the gadget's name" % where)
        for scope in entry.get("scopes") or ():
            if not re.match(r"^[a-z_]+$", scope):
                raise InputError("%sscopes: %r is not a scope (lowercase letters and _ only)" % (where, scope))
        secret = entry.get("client_secret")
        if secret is not None and len(secret) < 8:
            raise InputError("%sclient_secret: must have at least 8 characters" % where)

    def read_all(self, task, keys=None):
        items = self.conn.request("GET", self._path(task)).json["items"]
        return [i for i in items if keys is None or i["displayName"] in keys]

    def normalize(self, task, raw):
        out = {"name": raw["displayName"]}
        for option, field in SHOWN.items():
            if raw.get(field) is not None:
                out[option] = sorted(raw[field]) if option == "scopes" else raw[field]
        if raw.get("signingKeyHash"):
            out["signing_key"] = raw["signingKeyHash"]
        return out

    def desired(self, task, entry):
        want = Resource.desired(self, task, entry)
        if "scopes" in want:
            want["scopes"] = sorted(want["scopes"])
        return want

    def match(self, task, want, existing):
        found = [i for i in existing if i["canon"]["name"] == want["name"]]
        if len(found) > 1:
            raise ItemFailure("gadget %r: %d gadgets have that name on the server; rename all but one"
                              % (want["name"], len(found)), option=task.where.get(want["name"], "") + "name")
        return found[0] if found else None

    def equal(self, task, field, want, have, item):
        if field == "signing_key":
            return task.secret_unchanged(want, have, same=lambda w, s: key_hash(w) == s,
                                         compares_shown=self.always_rewrites_secrets)
        return Resource.equal(self, task, field, want, have, item)

    def recreate_needed(self, task, item, want):
        return ["kind"] if "kind" in want and want["kind"] != item["canon"].get("kind") else []

    @staticmethod
    def _body(given, fields):
        names = dict(SHOWN, name="displayName", client_secret="clientSecret", signing_key="signingKey")
        return dict((names[f], copy.deepcopy(given[f])) for f in fields if f in given and f in names)

    def create_payload(self, task, want, given, replacing=None):
        if replacing is not None:
            task.memo.setdefault("gadgets.replaced", []).append(replacing["raw"]["id"])
        return self._body(given, given)

    def update_payload(self, task, item, want, changed, given):
        return self._body(dict(want, **given), changed)

    def predict(self, task, item, want, changed, payload):
        state = Resource.predict(self, task, item, want, changed, payload)
        if "signingKey" in payload:
            state["signing_key"] = key_hash(payload["signingKey"])  # the API shows the hash
        return state

    def send_create(self, task, payload, want):
        def send():
            return self.conn.request("POST", self._path(task), json_body=payload, retry=False,
                                     settle=SERVER_FAILURES).json["id"]

        def landed():
            found = self.read_all(task, [want["name"]])
            return found[0]["id"] if found else False

        new_id = confirm_write(task, send, landed, "create", resends=1)
        task.memo.setdefault("gadgets.created", []).append(new_id)
        return new_id

    def send_update(self, task, item, payload, want):
        path = self._path(task, item["raw"]["id"])

        def landed():
            fresh = self.conn.request("GET", path).json
            checked = False
            for key, value in payload.items():
                if key == "clientSecret":
                    continue  # never shown: a read cannot tell
                shown = key_hash(value) if key == "signingKey" else value
                kept = fresh.get("signingKeyHash" if key == "signingKey" else key)
                if kept != shown:
                    return False
                checked = True
            return True if checked else None

        confirm_write(task, lambda: self.conn.request("PUT", path, json_body=payload, retry=False,
                                                      settle=SERVER_FAILURES),
                      landed, "update", resends=1,
                      cannot_tell="the client secret cannot be read back; run the task again with "
                                  "update_secret=always to set it")
        return item["raw"]["id"]

    def send_delete(self, task, item):
        path = self._path(task, item["raw"]["id"])
        confirm_write(task, lambda: self.conn.request("DELETE", path, retry=False, settle=SERVER_FAILURES),
                      lambda: self.conn.request("GET", path, allow_status=(404,)).status == 404, "delete")

    def match_written(self, task, hint, want, fresh):
        found = [i for i in fresh if i["raw"]["id"] == hint]
        return found[0] if found else self.match(task, want, fresh)

    def mask_payload(self, payload):
        return dict((k, MASK if k in ("clientSecret", "signingKey") else v) for k, v in payload.items())


def resource_options():
    return {
        "name": {"type": "str", "required": True},
        "kind": {"type": "str", "choices": ["web", "native"]},
        "enabled": {"type": "bool"},
        "scopes": {"type": "list", "elements": "str"},
        "client_secret": {"type": "str", "no_log": True},
        "signing_key": {"type": "str", "no_log": True},
        "update_secret": {"type": "str", "choices": ["on_create", "always"], "default": "on_create",
                          "no_log": False},
        "recreate": {"type": "bool", "default": False},
    }


SINGLE = single_module(connection_options, resource_options, connect, Gadget)
SET = set_module(connection_options, resource_options, connect, Gadget)


# =========================================================================== driving it like Ansible does
class Done(BaseException):  # like SystemExit: SsoModule.run must not catch it
    def __init__(self, result):
        super(Done, self).__init__("done")
        self.result = result


class Adapter(object):
    """What SsoModule needs from Ansible (as docs/developing.md lists it), validated with the module's spec."""

    def __init__(self, module_def, params, check_mode=False, diff_mode=False):
        validation = ArgumentSpecValidator(module_def.module_spec()["argument_spec"]).validate(params)
        assert not validation.error_messages, validation.error_messages
        self.params = validation.validated_parameters
        self.check_mode = check_mode
        self.diff_mode = diff_mode
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)

    def exit_json(self, **result):
        raise Done(result)

    def fail_json(self, msg, **result):
        raise Done(dict(result, msg=msg, failed=True))


def drive(module_def, api, check_mode=False, diff=False, **params):
    """Run a module definition against ``api``; returns its result, with ``warnings`` as a module adds them."""
    SERVERS["fake"] = api
    params = dict(params, server="fake", api_key=API_KEY)
    adapter = Adapter(module_def, params, check_mode=check_mode, diff_mode=diff)
    sm = SsoModule(adapter=adapter, **module_def.module_spec())
    with pytest.raises(Done) as done:
        sm.run(module_def.run)
    result = done.value.result
    if adapter.warnings:
        result["warnings"] = adapter.warnings
    text = json.dumps(result)
    leaked = [s for s in ALL_SECRETS if s in text]
    assert not leaked, "secret in the result: %s" % text
    return result


def engine_run(api, entries, state="merged", **task_kwargs):
    """The Engine driven directly, as run_set does; returns (outcomes, task, resource)."""
    conn = GadgetConnection(api, API_KEY)
    resource = Gadget(conn)
    warnings = task_kwargs.pop("warnings", [])
    task = Task(state=state, entries=entries, options={"tenant": "t1"}, warn=warnings.append,
                sleep=lambda s: None, **task_kwargs)
    engine = Engine(resource, task)
    engine.validate(set_module=True)
    outcomes, _existing = engine.run()
    assert vars(resource) == {"conn": conn}, "the resource kept state: %r" % vars(resource)
    return outcomes, task, conn


def writes(api):
    return [(m, p.rsplit("/", 1)[-1] if m != "POST" else "") for m, p, s in api.log if m != "GET"]


def stored(api, name):
    found = api.by_name(name)
    assert len(found) == 1
    return found[0]


# =========================================================================== create, update, no-op, delete
def test_create_reads_once_writes_once_and_reads_back():
    api = FakeApi()
    result = drive(SINGLE, api, name="web1", scopes=["profile", "openid"], client_secret=CLIENT_SECRET,
                   signing_key=SIGNING_KEY)
    assert result["changed"] and result["action"] == "created" and result["msg"] == "gadget 'web1' created"
    obj = stored(api, "web1")
    assert obj["scopes"] == ["profile", "openid"]  # the user's values as written, not the comparison form
    assert obj["clientSecret"] == CLIENT_SECRET and obj["signingKey"] == SIGNING_KEY
    assert result["proposed"] == {"displayName": "web1", "scopes": ["profile", "openid"], "clientSecret": MASK,
                                  "signingKey": MASK}
    assert result["end_state"] == {"name": "web1", "kind": "web", "enabled": True, "scopes": ["openid", "profile"],
                                   "signing_key": MASK}
    assert result["api_calls"] == {"GET": 2, "POST": 1}


def test_create_through_the_engine_keeps_facts_in_the_task():
    api = FakeApi()
    outcomes, task, _conn = engine_run(api, [{"name": "a"}, {"name": "b", "enabled": False}])
    assert [(o.key, o.action, o.failed) for o in outcomes] == [("a", "created", False), ("b", "created", False)]
    assert task.memo["gadgets.created"] == [stored(api, "a")["id"], stored(api, "b")["id"]]
    assert outcomes[1].end_state == {"name": "b", "kind": "web", "enabled": False, "scopes": ["openid"]}


def test_no_op_reads_once_and_writes_nothing():
    api = FakeApi([{"displayName": "web1", "scopes": ["openid", "profile"], "signingKey": SIGNING_KEY}])
    result = drive(SINGLE, api, name="web1", scopes=["profile", "openid"], signing_key=SIGNING_KEY, diff=True)
    assert not result["changed"] and result["action"] == "unchanged" and result["proposed"] == {}
    assert result["api_calls"] == {"GET": 1} and writes(api) == []
    assert result["diff"] == {"before": result["existing"], "after": result["existing"]}


def test_update_sends_only_the_changed_fields():
    api = FakeApi([{"displayName": "web1", "scopes": ["openid"], "enabled": True}])
    result = drive(SINGLE, api, name="web1", scopes=["openid", "email"], enabled=True)
    assert result["action"] == "updated" and result["changed_fields"] == ["scopes"]
    assert result["proposed"] == {"scopes": ["openid", "email"]}
    assert stored(api, "web1")["scopes"] == ["openid", "email"]
    assert result["end_state"]["scopes"] == ["email", "openid"] and result["api_calls"] == {"GET": 2, "PUT": 1}


def test_delete_then_already_absent():
    api = FakeApi([{"displayName": "web1"}])
    result = drive(SINGLE, api, name="web1", state="absent")
    assert result["changed"] and result["action"] == "deleted" and result["end_state"] == {}
    assert not api.by_name("web1")
    again = drive(SINGLE, api, name="web1", state="absent")
    assert not again["changed"] and again["msg"] == "gadget 'web1' is already absent"
    assert again["api_calls"] == {"GET": 1}


def test_validation_before_any_request_names_the_option():
    api = FakeApi()
    result = drive(SET, api, config=[{"name": "a"}, {"name": "b", "client_secret": "short"}])
    assert result["failed"] and result["msg"] == "config[1].client_secret: must have at least 8 characters"
    assert api.log == []
    result = drive(SINGLE, api, name="a", scopes=["Bad Scope"])
    assert result["msg"] == "scopes: 'Bad Scope' is not a scope (lowercase letters and _ only)" and api.log == []


# =========================================================================== check mode
SCENARIOS = [
    ("create", [], {"name": "a", "scopes": ["b", "a"], "client_secret": CLIENT_SECRET, "signing_key": SIGNING_KEY},
     "present"),
    ("update", [{"displayName": "a", "enabled": True}], {"name": "a", "enabled": False, "signing_key": OTHER_KEY},
     "present"),
    ("recreate", [{"displayName": "a", "type": "web", "scopes": ["x"]}],
     {"name": "a", "kind": "native", "recreate": True}, "present"),
    ("delete", [{"displayName": "a"}], {"name": "a"}, "absent"),
]


@pytest.mark.parametrize("label,objects,params,state", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_check_mode_predicts_the_real_run_without_writing(label, objects, params, state):
    checked, real = FakeApi(objects), FakeApi(objects)
    before = copy.deepcopy(checked.objects)
    predicted = drive(SINGLE, checked, check_mode=True, diff=True, state=state, **params)
    assert checked.objects == before and writes(checked) == [] and predicted["api_calls"] == {"GET": 1}
    done = drive(SINGLE, real, diff=True, state=state, **params)
    assert writes(real), "the real run writes"
    for key in ("changed", "action", "changed_fields", "proposed", "end_state", "diff"):
        assert predicted[key] == done[key], key
    assert predicted["msg"] == done["msg"].replace("' ", "' would be ", 1)


# =========================================================================== secrets: diff masking and update_secret
def test_diff_shows_a_changed_secret_as_changed_never_its_value():
    api = FakeApi([{"displayName": "a", "signingKey": SIGNING_KEY, "clientSecret": CLIENT_SECRET}])
    result = drive(SINGLE, api, diff=True, name="a", signing_key=OTHER_KEY, client_secret=OTHER_SECRET)
    assert result["action"] == "updated" and result["changed_fields"] == ["signing_key"]
    assert result["diff"]["before"]["signing_key"] == MASK and result["diff"]["after"]["signing_key"] == SECRET_CHANGED
    assert "clientSecret" not in result["proposed"]  # write_only: on_create never resends it
    assert stored(api, "a")["clientSecret"] == CLIENT_SECRET and stored(api, "a")["signingKey"] == OTHER_KEY
    config = [{"name": "a", "signing_key": SIGNING_KEY}, {"name": "b", "client_secret": CLIENT_SECRET}]
    sets = drive(SET, api, diff=True, config=config)
    assert sets["diff"]["after"]["a"]["signing_key"] == SECRET_CHANGED and sets["diff"]["before"]["b"] == {}
    assert [r["proposed"] for r in sets["results"]] == [
        {"signingKey": MASK}, {"displayName": "b", "clientSecret": MASK}]


def test_update_secret_write_only_secret():
    api = FakeApi([{"displayName": "a", "clientSecret": CLIENT_SECRET}])
    kept = drive(SINGLE, api, name="a", client_secret=OTHER_SECRET)
    assert kept["action"] == "unchanged" and stored(api, "a")["clientSecret"] == CLIENT_SECRET
    # always: rewritten; the read cannot show it, so confirming it is not asked of the read-back
    sent = drive(SINGLE, api, name="a", client_secret=OTHER_SECRET, update_secret="always")
    assert sent["action"] == "updated" and sent["changed_fields"] == ["client_secret"] and "failed" not in sent
    assert sent["proposed"] == {"clientSecret": MASK} and stored(api, "a")["clientSecret"] == OTHER_SECRET
    sets = drive(SET, api, config=[{"name": "a", "client_secret": CLIENT_SECRET}], update_secret="always")
    assert sets["results"][0]["action"] == "updated" and stored(api, "a")["clientSecret"] == CLIENT_SECRET


def test_update_secret_shown_secret():
    api = FakeApi([{"displayName": "a", "signingKey": SIGNING_KEY}])
    assert drive(SINGLE, api, name="a", signing_key=SIGNING_KEY)["action"] == "unchanged"  # compared by its hash
    changed = drive(SINGLE, api, name="a", signing_key=OTHER_KEY)
    assert changed["action"] == "updated" and stored(api, "a")["signingKey"] == OTHER_KEY
    # always_rewrites_secrets: a shown secret is rewritten with always, and its read-back passes
    again = drive(SINGLE, api, name="a", signing_key=OTHER_KEY, update_secret="always")
    assert again["action"] == "updated" and "failed" not in again and again["api_calls"] == {"GET": 2, "PUT": 1}


# =========================================================================== sets: partial failure, protected
def test_partial_failure_in_a_set():
    api = FakeApi([{"displayName": "a"}, {"displayName": "b"}, {"displayName": "dup"}, {"displayName": "dup"}])
    b_id = stored(api, "b")["id"]
    api.fail("PUT", path="/" + b_id + "$", status=403)  # a clear refusal: no settling
    result = drive(SET, api, config=[
        {"name": "a", "enabled": False},
        {"name": "b", "enabled": False},
        {"name": "c", "scopes": ["admin"]},
        {"name": "dup", "enabled": False},
        {"name": "d"},
    ])
    assert result["failed"] and result["changed"] and result["failed_keys"] == ["b", "c", "dup"]
    actions = dict((r["key"], r["action"]) for r in result["results"])
    assert actions == {"a": "updated", "b": "failed", "c": "failed", "dup": "failed", "d": "created"}
    msgs = dict((r["key"], r["msg"]) for r in result["results"])
    assert msgs["b"] == "gadget 'b' failed: Gadgets API PUT /tenants/t1/gadgets/%s failed: HTTP 403: injected: " \
                        "HTTP 403" % b_id
    assert msgs["c"] == ("gadget 'c' failed: Gadgets API POST /tenants/t1/gadgets failed: HTTP 400: scope admin is "
                         "reserved for the tenant owner")
    assert msgs["dup"] == "gadget 'dup' failed: gadget 'dup': 2 gadgets have that name on the server; rename all " \
                          "but one"
    assert result["msg"].startswith("3 of 5 gadget(s) failed: b: Gadgets API PUT")
    assert stored(api, "a")["enabled"] is False and stored(api, "b")["enabled"] is True and stored(api, "d")


def test_item_failures_carry_key_option_method_path_and_vendor_text():
    api = FakeApi([{"displayName": "dup"}, {"displayName": "dup"}])
    outcomes, _task, _conn = engine_run(api, [{"name": "ok"}, {"name": "dup", "enabled": False},
                                              {"name": "bad", "scopes": ["admin"]}])
    failures = dict((o.key, o.failure) for o in outcomes if o.failed)
    assert sorted(failures) == ["bad", "dup"] and all(isinstance(f, ItemFailure) for f in failures.values())
    assert failures["dup"].key == "dup" and failures["dup"].option == "config[1].name"
    bad = failures["bad"]
    assert (bad.key, bad.method, bad.path, bad.status, bad.vendor_text) == (
        "bad", "POST", "/tenants/t1/gadgets", 400, "scope admin is reserved for the tenant owner")


def test_protected_keys():
    api = FakeApi([{"displayName": "a"}, {"displayName": "keep"}, {"displayName": "gone"}])
    result = drive(SET, api, state="overridden", protected=["keep"], config=[{"name": "a"}, {"name": "new"}])
    assert dict((r["key"], r["action"]) for r in result["results"]) == {"a": "unchanged", "new": "created",
                                                                        "gone": "deleted"}
    assert sorted(o["displayName"] for o in api.objects.values()) == ["a", "default", "keep", "new"]
    result = drive(SET, api, state="deleted", config=[{"name": "default"}])
    assert result["failed"] and result["msg"] == ("1 of 1 gadget(s) failed: default: gadget 'default' is protected "
                                                  "and is never deleted")
    assert api.by_name("default")
    result = drive(SET, api, state="deleted", config=[], protected=["keep"])
    assert sorted(o["displayName"] for o in api.objects.values()) == ["default", "keep"]


# =========================================================================== recreate
def test_recreate_refused_then_allowed():
    api = FakeApi([{"displayName": "a", "type": "web", "scopes": ["x"]}])
    old_id = stored(api, "a")["id"]
    refused = drive(SINGLE, api, name="a", kind="native")
    assert refused["failed"] and "changing kind needs the gadget to be deleted and created again; set " \
                                 "recreate=true to allow it" in refused["msg"]
    assert writes(api) == []
    refused = drive(SET, api, config=[{"name": "a", "kind": "native"}])
    assert refused["failed"] and writes(api) == []
    done = drive(SINGLE, api, name="a", kind="native", recreate=True)
    assert done["action"] == "recreated" and done["msg"] == "gadget 'a' deleted and created again (kind)"
    assert writes(api) == [("DELETE", old_id), ("POST", "")]
    assert stored(api, "a")["type"] == "native" and stored(api, "a")["scopes"] == ["openid"]  # a new object
    replaced = stored(api, "a")["id"]
    outcomes, task, _conn = engine_run(api, [{"name": "a", "kind": "web", "recreate": True}])
    assert outcomes[0].action == "recreated" and task.memo["gadgets.replaced"] == [replaced]
    assert task.memo["gadgets.created"] == [stored(api, "a")["id"]] and stored(api, "a")["type"] == "web"


# =========================================================================== unclear write outcome settled by reading
def test_unclear_create_that_landed_succeeds_with_a_warning():
    api = FakeApi()
    api.fail("POST", lost=True, when="after")
    result = drive(SINGLE, api, name="a", enabled=False)
    assert result["action"] == "created" and "failed" not in result and len(api.by_name("a")) == 1
    assert result["warnings"] == ["Gadgets API POST /tenants/t1/gadgets: no answer; a read shows the create was "
                                  "applied"]
    assert result["api_calls"] == {"GET": 3, "POST": 1}  # read, the settling read, read-back; sent once


def test_unclear_create_that_did_not_land_is_sent_again_when_it_may_be():
    api = FakeApi()
    api.fail("POST", status=503, headers={"Retry-After": "2"})
    result = drive(SINGLE, api, name="a")
    assert result["action"] == "created" and "failed" not in result and len(api.by_name("a")) == 1
    assert result["warnings"] == ["Gadgets API POST /tenants/t1/gadgets: HTTP 503, and a read shows the create was "
                                  "not applied; sending it again in 2.0s (retry 1 of 1)"]
    assert result["api_calls"] == {"GET": 3, "POST": 2}
    api = FakeApi()
    api.fail("POST", refused=True)
    assert drive(SINGLE, api, name="a")["action"] == "created" and len(api.by_name("a")) == 1


def test_unclear_write_that_did_not_land_and_may_have_been_processed_fails():
    api = FakeApi()
    api.fail("POST", status=500)  # before: not applied, but a 500 may have been processed: never resent
    result = drive(SINGLE, api, name="a")
    assert result["failed"] and not api.by_name("a") and result["api_calls"] == {"GET": 2, "POST": 1}
    assert result["msg"] == ("gadget 'a' failed: Gadgets API POST /tenants/t1/gadgets failed: HTTP 500: injected: "
                             "HTTP 500. a read after it does not show the create, so it was not applied or not yet; "
                             "run the task again to see the outcome")


def test_unclear_write_that_a_read_cannot_tell_fails_with_the_hint():
    api = FakeApi([{"displayName": "a", "clientSecret": CLIENT_SECRET}])
    api.fail("PUT", lost=True, when="after")
    result = drive(SINGLE, api, name="a", client_secret=OTHER_SECRET, update_secret="always")
    assert result["failed"] and result["api_calls"] == {"GET": 2, "PUT": 1}
    assert result["msg"].endswith("the client secret cannot be read back; run the task again with "
                                  "update_secret=always to set it")
    assert stored(api, "a")["clientSecret"] == OTHER_SECRET  # it did land: the read could not tell


def test_unclear_delete_settled_by_reading():
    api = FakeApi([{"displayName": "a"}])
    api.fail("DELETE", status=502, when="after")
    result = drive(SINGLE, api, name="a", state="absent")
    assert result["action"] == "deleted" and not api.by_name("a") and len(result["warnings"]) == 1
    assert result["warnings"][0].startswith("Gadgets API DELETE /tenants/t1/gadgets/g")

# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ansible glue (_module): SsoModule, run_single and run_set, driven like a real module.

Each test builds a module with ``patch_module_args``, lets it exit, and reads the
JSON it printed, so what is checked is exactly what Ansible would receive. The
resource is the in-memory fake of test_reconcile.py.
"""

import base64
import json

import pytest

from ansible.module_utils.common import warnings as ansible_warnings
from module_args import patch_module_args

from ansible_collections.sso.oidc.plugins.module_utils import _module
from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, ApiError
from ansible_collections.sso.oidc.plugins.module_utils._module import (
    ModuleDef, SsoModule, entry_of, info_module, run_set, run_single, set_module, set_spec, single_module,
    single_spec, task_of, tls_options,
)
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import InputError, ItemFailure

from test_reconcile import Store, Widget

PASSWORD = "pw-Top-Secret-1"
NESTED = "nested-Secret-2"
DEEP = "deep-Secret-3"
LISTED = "listed-Secret-4"
HEADER = "header-Secret-5"
ALL_SECRETS = (PASSWORD, NESTED, DEEP, LISTED, HEADER)

SPEC = {
    "url": {"type": "str", "default": "https://api.example.com"},
    "password": {"type": "str", "no_log": True},
    "tokens": {"type": "list", "elements": "str", "no_log": True},
    "headers": {"type": "dict", "no_log": True},
    "config": {"type": "list", "elements": "dict", "options": {
        "name": {"type": "str"},
        "secret": {"type": "str", "no_log": True},
        "inner": {"type": "dict", "options": {"key": {"type": "str", "no_log": True}}},
    }},
}

WIDGET = {
    "name": {"type": "str", "required": True},
    "color": {"type": "str"},
    "size": {"type": "int"},
    "tags": {"type": "list", "elements": "str"},
    "provider": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "api_token": {"type": "str", "no_log": True},
    "update_secret": {"type": "str", "default": "on_create", "choices": ["on_create", "always"]},
    "recreate": {"type": "bool", "default": False},
}
ENTRY_KEYS = ("name", "color", "size", "tags", "provider", "password", "api_token", "recreate")


class CountingStore(Store):
    """The fake API, counting requests by method like ApiClient does."""

    def __init__(self, objects=()):
        Store.__init__(self, objects)
        self.counts = {}

    def _count(self, method):
        self.counts[method] = self.counts.get(method, 0) + 1

    def list(self, names=None):
        self._count("GET")
        return Store.list(self, names)

    def create(self, payload):
        self._count("POST")
        return Store.create(self, payload)

    def update(self, name, payload):
        self._count("PUT")
        return Store.update(self, name, payload)

    def delete(self, name):
        self._count("DELETE")
        return Store.delete(self, name)


@pytest.fixture(autouse=True)
def _clean_warnings():
    ansible_warnings._global_warnings.clear()
    yield
    ansible_warnings._global_warnings.clear()


def as_module(capsys, args, main, check_mode=False, diff=False):
    """Run ``main()`` with ``args`` as a module's arguments; return (rc, result dict, raw stdout)."""
    args = dict(args)
    if check_mode:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exc:
            main()
    out = capsys.readouterr().out
    return exc.value.code, json.loads(out), out


def invoke(capsys, args, body, spec=None, check_mode=False, diff=False):
    """Run ``body(sm)`` as a module; return (rc, result dict, raw stdout)."""
    def main():
        sm = SsoModule(spec or SPEC)
        body(sm)
        sm.exit(changed=False, msg="fell through")
    return as_module(capsys, args, main, check_mode=check_mode, diff=diff)


def throw(exc):
    raise exc


SECRET_ARGS = {
    "password": PASSWORD,
    "tokens": [LISTED],
    "headers": {"X-Auth": HEADER},
    "config": [{"name": "one", "secret": NESTED, "inner": {"key": DEEP}}, {"name": "two"}],
}


# --------------------------------------------------------------------------- SsoModule
def test_collects_every_no_log_value(capsys):
    seen = {}

    def body(sm):
        seen["texts"] = [sm.scrub("value %s here" % s) for s in ALL_SECRETS]
        seen["b64"] = sm.scrub(base64.b64encode(DEEP.encode()).decode())
        seen["plain"] = sm.scrub("https://api.example.com one two")
        sm.exit(changed=False)

    rc, _result, _out = invoke(capsys, SECRET_ARGS, body)
    assert rc == 0
    assert seen["texts"] == ["value %s here" % MASK] * len(ALL_SECRETS)
    assert seen["b64"] == MASK
    assert seen["plain"] == "https://api.example.com one two"


def test_exit_fail_and_warn_scrub_everything(capsys):
    def body(sm):
        sm.warn("warning with %s" % NESTED)
        sm.exit(changed=True, msg="done with %s" % PASSWORD, data={"k": [DEEP], DEEP: "as key"})

    rc, result, out = invoke(capsys, SECRET_ARGS, body)
    assert rc == 0 and result["msg"] == "done with %s" % MASK
    assert result["data"] == {"k": [MASK], MASK: "as key"}
    assert not [s for s in ALL_SECRETS if s in out]

    def failing(sm):
        sm.fail("failed with %s" % HEADER, detail={"x": LISTED})

    rc, result, out = invoke(capsys, SECRET_ARGS, failing)
    assert rc == 1 and result["failed"] and result["msg"] == "failed with %s" % MASK
    assert result["detail"] == {"x": MASK}
    assert not [s for s in ALL_SECRETS if s in out]


@pytest.mark.parametrize("error,msg,extra", [
    (InputError("config[1].name: give a name"), "config[1].name: give a name", {}),
    (ApiError("Svc", "PUT", "/things/1", status=409, vendor_text="already exists", error_code="Conflict"),
     "Svc API PUT /things/1 failed: HTTP 409: already exists", {"status": 409, "error_code": "Conflict"}),
])
def test_run_turns_known_errors_into_failures(capsys, error, msg, extra):
    def body(sm):
        sm.run(lambda _sm: throw(error))

    rc, result, _out = invoke(capsys, {}, body)
    assert rc == 1 and result["msg"] == msg
    for key, value in extra.items():
        assert result[key] == value
    assert "exception" not in result or "Traceback" not in result["msg"]


def test_run_turns_a_bug_into_a_clean_failure(capsys, monkeypatch):
    try:
        from ansible.module_utils._internal import _traceback  # ansible-core >= 2.19
    except ImportError:  # 2.16 - 2.18 keep a module's exception= as it is
        pass
    else:
        monkeypatch.setattr(_traceback, "_is_traceback_enabled", lambda event: True)  # as with -vvv

    def explode(sm):
        raise ValueError("bad value %s" % PASSWORD)

    rc, result, out = invoke(capsys, SECRET_ARGS, lambda sm: sm.run(explode))
    assert rc == 1
    assert result["msg"] == ("Unexpected error (ValueError): bad value %s. This is a bug in sso.oidc; please report "
                             "it with the task." % MASK)
    assert "Traceback" not in result["msg"]
    assert "Traceback" in result["exception"] and "explode" in result["exception"]
    assert PASSWORD not in out


def test_api_calls_and_close_hooks(capsys):
    closed = []

    class Client(object):
        def __init__(self, counts):
            self.counts = counts

    def body(sm):
        sm.register_client(Client({"GET": 2, "POST": 1}))
        sm.register_client(Client({"GET": 1}))
        sm.on_close(lambda: closed.append("first"))
        sm.on_close(lambda: throw(RuntimeError("close failed")))
        sm.on_close(lambda: closed.append("third"))
        sm.exit(changed=False, api_calls=sm.api_calls())

    rc, result, _out = invoke(capsys, {}, body)
    assert rc == 0 and result["api_calls"] == {"GET": 3, "POST": 1}
    assert closed == ["first", "third"]  # a failing close hook does not stop the others or fail the task

    closed[:] = []

    def failing(sm):
        sm.on_close(lambda: closed.append("closed"))
        sm.run(lambda _sm: throw(InputError("nope")))

    rc, result, _out = invoke(capsys, {}, failing)
    assert rc == 1 and closed == ["closed"] and "api_calls" not in result


def test_missing_requests_fails_with_the_library_name(capsys, monkeypatch):
    monkeypatch.setattr(_module, "requests", None)
    rc, result, _out = invoke(capsys, {}, lambda sm: None)
    assert rc == 1 and "requests" in result["msg"] and "Failed to import the required Python library" in result["msg"]


def test_tls_options_env_fallbacks(capsys, monkeypatch):
    spec = tls_options(validate_certs_env=["X_VALIDATE"], ca_path_env=["X_CA"], timeout_env=["X_TIMEOUT"])
    monkeypatch.setenv("X_VALIDATE", "no")
    monkeypatch.setenv("X_CA", "/tmp/ca.pem")
    monkeypatch.setenv("X_TIMEOUT", "7")
    seen = {}

    def body(sm):
        seen.update(sm.params)
        sm.exit(changed=False)

    invoke(capsys, {}, body, spec=spec)
    assert seen == {"validate_certs": False, "ca_path": "/tmp/ca.pem", "timeout": 7}
    invoke(capsys, {"timeout": 3}, body, spec=spec)
    assert seen["timeout"] == 3  # a task option wins over the environment
    plain = tls_options()
    assert plain == {"validate_certs": {"type": "bool", "default": True}, "ca_path": {"type": "path"},
                     "timeout": {"type": "int", "default": 30}}


def test_spec_helpers():
    single = single_spec(tls_options(), WIDGET)
    assert single["state"] == {"type": "str", "default": "present", "choices": ["present", "absent"]}
    assert single_spec({}, {}, absent=False)["state"]["choices"] == ["present"]
    multi = set_spec(tls_options(), WIDGET)
    assert "update_secret" not in multi["config"]["options"] and multi["update_secret"]["default"] == "on_create"
    assert multi["config"]["options"]["password"]["no_log"] is True
    assert multi["state"]["choices"] == ["merged", "replaced", "overridden", "deleted", "gathered"]
    assert multi["protected"] == {"type": "list", "elements": "str", "default": []}
    assert "update_secret" not in set_spec({}, WIDGET, states=["merged"], update_secret=False)
    assert "update_secret" in WIDGET  # the helpers copy, never change, the resource spec


# --------------------------------------------------------------------------- run_single
def single(capsys, store, args, **kwargs):
    spec = single_spec(tls_options(), WIDGET)

    def body(sm):
        sm.register_client(store)
        entry = dict((k, sm.params.get(k)) for k in ENTRY_KEYS)
        sm.run(lambda _sm: run_single(_sm, Widget(store), entry))

    return invoke(capsys, args, body, spec=spec, **kwargs)


def test_single_create_then_unchanged(capsys):
    store = CountingStore()
    args = {"name": "w1", "color": "red", "password": PASSWORD}
    rc, result, out = single(capsys, store, args, diff=True)
    assert rc == 0 and result["changed"] is True and result["action"] == "created"
    assert result["msg"] == "widget 'w1' created"
    assert result["proposed"] == {"name": "w1", "colour": "red", "password": MASK}
    assert result["existing"] == {}
    assert result["end_state"] == {"name": "w1", "color": "red", "size": 1, "tags": [], "provider": "local"}
    assert result["diff"] == {"before": {}, "after": result["end_state"]}
    assert result["api_calls"] == {"GET": 2, "POST": 1}
    assert PASSWORD not in out and store.objects["w1"]["password"] == PASSWORD

    rc, again, _out = single(capsys, store, args)
    assert rc == 0 and again["changed"] is False and again["action"] == "unchanged"
    assert again["msg"] == "widget 'w1' is unchanged" and again["proposed"] == {} and "diff" not in again
    assert again["api_calls"] == {"GET": 3, "POST": 1}  # the store counts across runs: one more read only


def test_single_check_mode_and_diff(capsys):
    store = CountingStore([{"name": "w1", "colour": "red", "apiToken": "tok-old-value"}])
    rc, result, out = single(capsys, store, {"name": "w1", "color": "blue", "api_token": "tok-new-value"},
                             check_mode=True, diff=True)
    assert rc == 0 and result["changed"] and result["msg"] == "widget 'w1' would be updated (api_token, color)"
    assert store.writes == [] and store.counts == {"GET": 1}
    assert result["diff"]["before"]["api_token"] == MASK
    assert result["diff"]["after"]["api_token"] == "%s (changed)" % MASK
    assert result["end_state"]["api_token"] == MASK and result["end_state"]["color"] == "blue"
    assert "tok-new-value" not in out and "tok-old-value" not in out


def test_single_delete_and_absent(capsys):
    store = CountingStore([{"name": "w1"}])
    rc, result, _out = single(capsys, store, {"name": "w1", "state": "absent"})
    assert rc == 0 and result["action"] == "deleted" and result["end_state"] == {} and store.objects == {}
    rc, result, _out = single(capsys, store, {"name": "w1", "state": "absent"})
    assert rc == 0 and not result["changed"] and result["msg"] == "widget 'w1' is already absent"


def test_single_api_failure_keeps_the_result(capsys):
    store = CountingStore([{"name": "w1"}])
    store.fail["w1"] = 503
    rc, result, _out = single(capsys, store, {"name": "w1", "size": 4, "password": PASSWORD})
    assert rc == 1 and result["failed"]
    assert result["msg"] == "widget 'w1' failed: Fake API PUT /widgets/w1 failed: HTTP 503: backend unavailable"
    assert result["action"] == "failed" and result["existing"]["name"] == "w1"
    assert store.objects["w1"]["size"] == 1


def test_single_recreate_refused_then_allowed(capsys):
    store = CountingStore([{"name": "w1", "provider": "local"}])
    rc, result, _out = single(capsys, store, {"name": "w1", "provider": "ldap"})
    assert rc == 1 and "set recreate=true" in result["msg"] and store.writes == []
    rc, result, _out = single(capsys, store, {"name": "w1", "provider": "ldap", "recreate": True})
    assert rc == 0 and result["action"] == "recreated"
    assert result["msg"] == "widget 'w1' deleted and created again (provider)"
    assert store.writes == [("delete", "w1"), ("create", "w1")]


def test_single_validation_before_any_request(capsys):
    store = CountingStore()
    rc, result, _out = single(capsys, store, {"name": "w1", "size": -2})
    assert rc == 1 and result["msg"] == "size: must be 0 or more" and store.counts == {}


# --------------------------------------------------------------------------- run_set
def many(capsys, store, args, **kwargs):
    spec = set_spec(tls_options(), WIDGET)

    def body(sm):
        sm.register_client(store)
        sm.run(lambda _sm: run_set(_sm, Widget(store)))

    return invoke(capsys, args, body, spec=spec, **kwargs)


def test_set_merged_creates_and_reports(capsys):
    store = CountingStore([{"name": "a", "size": 2}])
    config = [{"name": "a", "size": 2}, {"name": "b", "password": PASSWORD}, {"name": "c", "color": "red"}]
    rc, result, out = many(capsys, store, {"config": config}, diff=True)
    assert rc == 0 and result["changed"] and result["msg"] == "widgets: 2 created, 1 unchanged"
    assert [(r["key"], r["action"]) for r in result["results"]] == [("a", "unchanged"), ("b", "created"),
                                                                    ("c", "created")]
    assert result["results"][1]["proposed"] == {"name": "b", "password": MASK}
    assert sorted(result["diff"]["after"]) == ["b", "c"] and result["diff"]["before"]["b"] == {}
    assert store.counts == {"GET": 2, "POST": 2} and result["api_calls"] == store.counts
    assert PASSWORD not in out

    rc, result, _out = many(capsys, store, {"config": config}, check_mode=True)
    assert rc == 0 and not result["changed"] and result["msg"] == "widgets: (check mode) 3 unchanged"


def test_set_overridden_protected_and_gathered(capsys):
    store = CountingStore([{"name": "a"}, {"name": "b"}, {"name": "admin"}, {"name": "keep"}])
    rc, result, _out = many(capsys, store, {"config": [{"name": "a"}], "state": "overridden",
                                            "protected": ["keep"]}, check_mode=True)
    assert rc == 0 and result["msg"] == "widgets: (check mode) 1 deleted, 1 unchanged" and store.writes == []
    rc, result, _out = many(capsys, store, {"config": [{"name": "a"}], "state": "overridden",
                                            "protected": ["keep"]})
    assert rc == 0 and sorted(store.objects) == ["a", "admin", "keep"]
    store.objects["a"]["apiToken"] = "tok-gathered-1"
    rc, result, out = many(capsys, store, {"state": "gathered"})
    assert rc == 0 and not result["changed"] and result["msg"] == "3 widget(s) gathered"
    assert sorted(g["name"] for g in result["gathered"]) == ["a", "admin", "keep"]
    assert [g["api_token"] for g in result["gathered"] if g["name"] == "a"] == [MASK]
    assert "tok-gathered-1" not in out


def test_set_partial_failure(capsys):
    store = CountingStore([{"name": "a"}, {"name": "b"}])
    store.fail["b"] = 500
    rc, result, _out = many(capsys, store, {"config": [{"name": "a", "size": 3}, {"name": "b", "size": 3}]})
    assert rc == 1 and result["failed_keys"] == ["b"]
    assert result["msg"] == "1 of 2 widget(s) failed: b: Fake API PUT /widgets/b failed: HTTP 500: backend unavailable"
    assert [(r["key"], r["action"]) for r in result["results"]] == [("a", "updated"), ("b", "failed")]
    assert store.objects["a"]["size"] == 3 and result["changed"] is True


@pytest.mark.parametrize("args,msg", [
    ({"config": [{"name": "a"}, {"name": "a"}]}, "config: each name may appear once; repeated: a"),
    ({"config": [], "state": "merged"}, "config: state=merged needs at least one entry"),
    ({"config": [{"name": "a"}, {"name": "b", "size": -1}]}, "config[1].size: must be 0 or more"),
])
def test_set_input_errors_before_any_request(capsys, args, msg):
    store = CountingStore()
    rc, result, _out = many(capsys, store, args)
    assert rc == 1 and result["msg"] == msg and store.counts == {}


# --------------------------------------------------------------------------- the module shape (ModuleDef)
RESOURCE_OPTIONS = dict((k, v) for k, v in WIDGET.items())
CONNECTION_OPTIONS = dict(tls_options(), url={"type": "str", "default": "https://api.example.com"},
                          api_key={"type": "str", "no_log": True})


def connect_to(store, seen=None):
    """A service's connect(sm): registers its client and its close, no request."""
    def connect(sm):
        sm.register_client(store)
        sm.on_close(lambda: (seen if seen is not None else []).append("closed"))
        return store
    return connect


def run_def(capsys, module, args, check_mode=False, diff=False):
    """Run a ModuleDef as its module file's main() does; return (rc, result, raw stdout)."""
    return as_module(capsys, args, module.main, check_mode=check_mode, diff=diff)


def test_single_module_definition(capsys):
    store, seen = CountingStore([{"name": "w1", "size": 2}]), []
    module = single_module(lambda: CONNECTION_OPTIONS, lambda: RESOURCE_OPTIONS, connect_to(store, seen), Widget)
    spec = module.module_spec()
    assert sorted(spec["argument_spec"]) == sorted(set(CONNECTION_OPTIONS) | set(RESOURCE_OPTIONS) | {"state"})
    assert spec["argument_spec"]["state"]["choices"] == ["present", "absent"]
    rc, result, out = run_def(capsys, module, {"name": "w1", "size": 5, "api_key": HEADER}, diff=True)
    assert rc == 0 and result["action"] == "updated" and result["changed_fields"] == ["size"]
    assert result["diff"]["before"]["size"] == 2 and result["diff"]["after"]["size"] == 5
    assert store.objects["w1"]["size"] == 5 and seen == ["closed"] and HEADER not in out
    assert result["api_calls"] == {"GET": 2, "PUT": 1}
    rc, result, _out = run_def(capsys, module, {"name": "w1", "state": "absent"}, check_mode=True)
    assert rc == 0 and result["msg"] == "widget 'w1' would be deleted" and "w1" in store.objects


def test_set_module_definition_with_extra_options(capsys):
    store = CountingStore([{"name": "a"}, {"name": "b"}])
    module = set_module(lambda: CONNECTION_OPTIONS, lambda: RESOURCE_OPTIONS, connect_to(store), Widget,
                        states=["merged", "deleted"], extra_options=lambda: {"tenant": {"type": "str"}})
    spec = module.module_spec()["argument_spec"]
    assert spec["state"]["choices"] == ["merged", "deleted"] and spec["tenant"] == {"type": "str"}
    assert "update_secret" not in spec["config"]["options"] and "update_secret" in spec
    rc, result, _out = run_def(capsys, module, {"config": [{"name": "a"}], "state": "deleted"})
    assert rc == 0 and result["msg"] == "widgets: 1 deleted" and sorted(store.objects) == ["b"]
    rc, result, _out = run_def(capsys, module, {"config": [{"name": "x"}], "state": "overridden"})
    assert rc == 1 and "overridden" in result["msg"] and store.writes == [("delete", "a")]


def test_info_module_definition_and_exit_with_secret(capsys):
    TOKEN = "tok-returned-6"  # pylint: disable=invalid-name
    closed = []

    def spec():
        return {"password": {"type": "str", "no_log": True}, "name": {"type": "str"}}

    def work(sm):
        sm.on_close(lambda: closed.append(True))
        sm.exit_with_secret("token", TOKEN, msg="token for %s with %s" % (sm.params["name"], PASSWORD),
                            data={"echo": PASSWORD})

    module = info_module(spec, work)
    assert isinstance(module, ModuleDef) and module.module_spec() == {"argument_spec": spec()}
    rc, result, out = run_def(capsys, module, {"password": PASSWORD, "name": "svc"})
    assert rc == 0 and closed == [True]
    assert result["msg"] == "token for svc with %s" % MASK and result["data"] == {"echo": MASK}
    assert result["token"] == TOKEN and out.count(TOKEN) == 1  # the one secret the module exists to return
    assert PASSWORD not in out


def test_module_kwargs_reach_the_module(capsys):
    module = info_module(lambda: {"a": {"type": "str"}, "b": {"type": "str"}},
                         lambda sm: sm.exit(changed=False, a=sm.params["a"]), mutually_exclusive=[["a", "b"]],
                         supports_check_mode=True)
    assert module.module_spec()["mutually_exclusive"] == [["a", "b"]]
    rc, result, _out = run_def(capsys, module, {"a": "1", "b": "2"})
    assert rc == 1 and "mutually exclusive" in result["msg"]
    rc, result, _out = run_def(capsys, module, {"a": "1"}, check_mode=True)
    assert rc == 0 and result["a"] == "1"


def test_entry_of_and_task_of(capsys):
    params = {"name": "w", "size": 3, "state": "absent", "update_secret": "always", "recreate": True,
              "url": "https://x", "tenant": "t1"}
    assert entry_of(params, RESOURCE_OPTIONS) == {
        "name": "w", "color": None, "size": 3, "tags": None, "provider": None, "password": None, "api_token": None,
        "recreate": True}
    seen = {}

    class Tenanted(Widget):
        task_options = ("tenant",)

    def body(sm):
        task = task_of(sm, Tenanted(None), "merged", [{"name": "w"}], protected=["p"], recreate=True)
        task.warn("from the task")
        seen["task"] = task
        sm.exit(changed=False)

    spec = dict(WIDGET, tenant={"type": "str"}, state={"type": "str"})
    rc, result, out = invoke(capsys, {"name": "w", "tenant": "t1", "update_secret": "always"}, body, spec=spec,
                             check_mode=True, diff=True)
    task = seen["task"]
    assert rc == 0 and "from the task" in json.dumps(result["warnings"]) and out.count("from the task") == 1
    assert task.options == {"tenant": "t1"} and task.update_secret == "always" and task.state == "merged"
    assert task.check_mode and task.diff_mode and task.recreate and task.protected == {"p"}


def test_item_failure_is_a_clean_failure(capsys):
    rc, result, _out = invoke(capsys, SECRET_ARGS, lambda sm: sm.run(
        lambda _sm: throw(ItemFailure("config[0].secret: refused %s" % NESTED, option="config[0].secret"))))
    assert rc == 1 and result["msg"] == "config[0].secret: refused %s" % MASK

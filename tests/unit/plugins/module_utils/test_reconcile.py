# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconcile engine (_reconcile: Task, Engine, ItemFailure, confirm_write) with an in-memory fake API.

``Store`` behaves like a small vendor API: it fills server defaults on create,
never shows the password back, shows the API token in clear, and can be told
to fail a write. ``Widget`` is the Resource adapter for it, written the way a
service's resource file writes one: stateless, every hook taking the task first.
(tests/unit/plugins/module_utils/test_contract.py runs the engine's behaviour suite
against a fake service built from the documented contract alone.)
"""

import copy

import pytest

from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, ApiError, UnclearOutcome
from ansible_collections.sso.oidc.plugins.module_utils._reconcile import (
    CONTROL_OPTIONS, SECRET_CHANGED, STATE_OF, STATES, Engine, InputError, ItemFailure, Resource, Task,
    confirm_write, masked_diff, text_key,
)


class Store(object):
    """The fake vendor API."""

    DEFAULTS = {"colour": "blue", "size": 1, "tags": [], "provider": "local"}

    def __init__(self, objects=()):
        self.objects = {}
        self.next_id = 1
        self.writes = []
        self.reads = 0
        self.fail = {}  # name -> HTTP status for the next write of that name
        for obj in objects:
            self.put(dict(self.DEFAULTS, **obj))

    def put(self, obj):
        obj = copy.deepcopy(obj)
        if "id" not in obj:
            obj["id"] = self.next_id
            self.next_id += 1
        self.objects[obj["name"]] = obj
        return obj["id"]

    def check(self, op, name):
        status = self.fail.pop(name, None)
        if status:
            raise ApiError("Fake", op, "/widgets/%s" % name, status=status, vendor_text="backend unavailable")

    def list(self, names=None):
        self.reads += 1
        out = []
        for obj in self.objects.values():
            if names is None or obj["name"] in names:
                out.append(dict((k, copy.deepcopy(v)) for k, v in obj.items() if k != "password"))
        return out

    def create(self, payload):
        self.check("POST", payload["name"])
        self.writes.append(("create", payload["name"]))
        return self.put(dict(self.DEFAULTS, **payload))

    def update(self, name, payload):
        self.check("PUT", name)
        self.writes.append(("update", name))
        obj = dict(self.objects[name])
        obj.update(payload)
        self.put(obj)

    def delete(self, name):
        self.check("DELETE", name)
        self.writes.append(("delete", name))
        del self.objects[name]


class Widget(Resource):
    """The Resource adapter of the fake API, written to the contract: stateless, every hook gets the task."""

    service = "Fake"
    kind = "widget"
    key = "name"
    secret_fields = ("password", "api_token")
    write_only = ("password",)
    defaults = {"color": "blue", "size": 1, "tags": [], "provider": "local"}
    builtin_protected = ("admin",)
    FIELDS = {"color": "colour", "size": "size", "tags": "tags", "provider": "provider",
              "password": "password", "api_token": "apiToken"}
    #: names whose match is ambiguous on the server (several objects): the item fails
    ambiguous = ()

    def validate(self, task, entry, where):
        if entry.get("size") is not None and entry["size"] < 0:
            raise InputError("%ssize: must be 0 or more" % where)

    def read_all(self, task, keys=None):
        return self.conn.list(keys)

    def normalize(self, task, raw):
        out = {"name": raw["name"]}
        for opt, api in self.FIELDS.items():
            if raw.get(api) is not None:
                out[opt] = sorted(raw[api]) if opt == "tags" else raw[api]
        return out

    def desired(self, task, entry):
        want = Resource.desired(self, task, entry)
        if "tags" in want:
            want["tags"] = sorted(want["tags"])
        return want

    def match(self, task, want, existing):
        if want.get("name") in self.ambiguous:
            raise ItemFailure("widget %r: several widgets have that name" % want["name"],
                              option=task.where.get(want["name"], "") + "name")
        return Resource.match(self, task, want, existing)

    def create_payload(self, task, want, given, replacing=None):
        body = dict((self.FIELDS[f], copy.deepcopy(v)) for f, v in given.items() if f in self.FIELDS)
        body["name"] = given["name"]
        return body

    def update_payload(self, task, item, want, changed, given):
        return dict((self.FIELDS[f], copy.deepcopy(given.get(f, want.get(f)))) for f in changed if f in self.FIELDS)

    def send_create(self, task, payload, want):
        return self.conn.create(payload)

    def send_update(self, task, item, payload, want):
        self.conn.update(item["raw"]["name"], payload)

    def send_delete(self, task, item):
        self.conn.delete(item["raw"]["name"])

    def recreate_needed(self, task, item, want):
        if "provider" in want and want["provider"] != item["canon"].get("provider"):
            return ["provider"]
        return []

    def match_written(self, task, hint, want, fresh):
        found = [i for i in fresh if i["raw"]["id"] == hint] if hint is not None else []
        return found[0] if found else self.match(task, want, fresh)

    def mask_payload(self, payload):
        return dict((k, MASK if k in ("password", "apiToken") else v) for k, v in payload.items())


def make_task(entries, state="merged", check_mode=False, **kwargs):
    kwargs.setdefault("warn", WARNINGS.append)
    return Task(state=state, entries=entries, check_mode=check_mode, **kwargs)


WARNINGS = []


def run(store, entries, state="merged", check_mode=False, **kwargs):
    """The engine as run_set drives it: a Task, validation of every entry, one run."""
    resource = kwargs.pop("resource", None) or Widget(store)
    task = make_task(entries, state=state, check_mode=check_mode, **kwargs)
    engine = Engine(resource, task)
    engine.validate(set_module=True)
    return engine.run()


def one(store, entry, **kwargs):
    outcomes, _existing = run(store, [entry], **kwargs)
    assert len(outcomes) == 1
    return outcomes[0]


def canon(store, name):
    return Widget(store).normalize(make_task([]), store.list([name])[0])


# --------------------------------------------------------------------------- create / update / no-op / delete
def test_create_fills_server_defaults_and_reads_back():
    store = Store()
    out = one(store, {"name": "a", "size": 3, "password": "pw-secret-1"})
    assert out.action == "created" and out.changed and not out.failed
    assert out.changed_fields == ["name", "password", "size"]
    assert store.writes == [("create", "a")] and store.reads == 2  # one read, one read-back
    assert store.objects["a"]["password"] == "pw-secret-1"
    assert out.end_state == canon(store, "a") == {"name": "a", "color": "blue", "size": 3, "tags": [],
                                                  "provider": "local"}
    assert out.proposed == {"name": "a", "size": 3, "password": MASK}
    assert out.existing is None


def test_no_op_writes_nothing_and_reads_once():
    store = Store([{"name": "a", "colour": "red", "tags": ["x", "y"]}])
    out = one(store, {"name": "a", "color": "red", "tags": ["y", "x"]})  # order does not matter
    assert out.action == "unchanged" and not out.changed
    assert store.writes == [] and store.reads == 1
    assert out.end_state == out.existing == canon(store, "a")


def test_only_options_set_are_compared():
    store = Store([{"name": "a", "colour": "red", "size": 9}])
    out = one(store, {"name": "a", "size": 9, "color": None})
    assert out.action == "unchanged" and store.objects["a"]["colour"] == "red"


def test_update_sends_only_the_changes():
    store = Store([{"name": "a", "colour": "red", "size": 2, "tags": ["x"]}])
    out = one(store, {"name": "a", "color": "green", "size": 2, "tags": ["x", "z"]})
    assert out.action == "updated" and out.changed_fields == ["color", "tags"]
    assert out.proposed == {"colour": "green", "tags": ["x", "z"]}
    assert store.writes == [("update", "a")]
    assert out.end_state == canon(store, "a") and out.end_state["color"] == "green"
    assert out.existing["color"] == "red"


def test_delete_and_already_absent():
    store = Store([{"name": "a"}])
    out = one(store, {"name": "a"}, state="deleted")
    assert out.action == "deleted" and out.end_state is None and store.writes == [("delete", "a")]
    assert out.existing["name"] == "a" and store.objects == {}
    again = one(store, {"name": "a"}, state="deleted")
    assert again.action == "unchanged" and not again.changed and again.msg == "widget 'a' is already absent"
    assert store.writes == [("delete", "a")]


def test_replaced_resets_unset_fields_to_defaults():
    store = Store([{"name": "a", "colour": "red", "size": 5, "tags": ["t"]}])
    out = one(store, {"name": "a", "size": 5}, state="replaced")
    assert out.action == "updated" and out.changed_fields == ["color", "tags"]
    assert canon(store, "a") == {"name": "a", "color": "blue", "size": 5, "tags": [], "provider": "local"}


def test_merged_leaves_other_objects_alone():
    store = Store([{"name": "a"}, {"name": "b"}])
    outcomes, existing = run(store, [{"name": "a", "size": 2}])
    assert [o.key for o in outcomes] == ["a"] and sorted(store.objects) == ["a", "b"]
    assert [i["canon"]["name"] for i in existing] == ["a"]  # the read asked only for the keys of the task


# --------------------------------------------------------------------------- check mode
SCENARIOS = [
    ("create", [], {"name": "a", "color": "red", "tags": ["b", "a"], "password": "pw-secret-1"}, "merged", {}),
    ("update", [{"name": "a", "size": 4}], {"name": "a", "size": 5, "tags": ["q"]}, "merged", {}),
    ("replaced", [{"name": "a", "colour": "red", "size": 4}], {"name": "a", "size": 4}, "replaced", {}),
    ("secret-always", [{"name": "a"}], {"name": "a", "password": "pw-new-secret"}, "merged",
     {"update_secret": "always"}),
    ("recreate", [{"name": "a", "size": 7}], {"name": "a", "provider": "ldap", "size": 7}, "merged",
     {"recreate": True}),
    ("delete", [{"name": "a"}], {"name": "a"}, "deleted", {}),
]


@pytest.mark.parametrize("label,objects,entry,state,kwargs", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_check_mode_predicts_the_real_run(label, objects, entry, state, kwargs):
    checked_store, real_store = Store(objects), Store(objects)
    before = copy.deepcopy(checked_store.objects)
    predicted = one(checked_store, entry, state=state, check_mode=True, **kwargs)
    assert checked_store.writes == [] and checked_store.objects == before
    assert checked_store.reads == 1  # no read-back in check mode
    real = one(real_store, entry, state=state, **kwargs)
    assert real_store.writes, "the real run must write"
    assert predicted.action == real.action and predicted.changed_fields == real.changed_fields
    assert predicted.proposed == real.proposed
    assert predicted.end_state == real.end_state
    if real.end_state is not None:
        assert real.end_state == canon(real_store, entry["name"])


# --------------------------------------------------------------------------- secrets
def test_update_secret_on_create_vs_always():
    store = Store([{"name": "a", "password": "pw-old-secret"}])
    out = one(store, {"name": "a", "password": "pw-new-secret"}, update_secret="on_create")
    assert out.action == "unchanged" and store.writes == []
    assert store.objects["a"]["password"] == "pw-old-secret"
    out = one(store, {"name": "a", "password": "pw-new-secret"}, update_secret="always")
    assert out.action == "updated" and out.changed_fields == ["password"]
    assert out.proposed == {"password": MASK}
    assert store.objects["a"]["password"] == "pw-new-secret"
    assert "password" not in out.end_state


def test_write_only_secret_sent_with_other_changes_only_when_always():
    store = Store([{"name": "a", "password": "pw-old-secret"}])
    out = one(store, {"name": "a", "size": 8, "password": "pw-new-secret"})
    assert out.changed_fields == ["size"] and store.objects["a"]["password"] == "pw-old-secret"


def test_diff_masks_secrets_and_shows_a_changed_one():
    res = Widget(Store())
    before = {"name": "a", "api_token": "tok-old-value", "size": 1}
    after = {"name": "a", "api_token": "tok-new-value", "size": 2}
    diff = masked_diff(res, before, after)
    assert diff == {"before": {"name": "a", "api_token": MASK, "size": 1},
                    "after": {"name": "a", "api_token": SECRET_CHANGED, "size": 2}}
    same = masked_diff(res, before, dict(before))
    assert same["after"]["api_token"] == MASK
    created = masked_diff(res, None, after)
    assert created == {"before": {}, "after": {"name": "a", "api_token": MASK, "size": 2}}
    assert "tok-" not in repr(diff) + repr(created)


def test_readable_secret_is_compared_and_masked():
    store = Store([{"name": "a", "apiToken": "tok-same-value"}])
    out = one(store, {"name": "a", "api_token": "tok-same-value"})
    assert out.action == "unchanged"
    out = one(store, {"name": "a", "api_token": "tok-other-value"})
    assert out.action == "updated" and out.changed_fields == ["api_token"]
    res = Widget(store)
    assert res.mask(out.end_state)["api_token"] == MASK and res.mask(None) is None
    assert res.mask({"name": "a", "api_token": ""}) == {"name": "a", "api_token": ""}
    assert res.mask({"name": "a", "password": ["p1-secret", "p2-secret"]})["password"] == [MASK, MASK]


# --------------------------------------------------------------------------- sets of resources
def test_overridden_deletes_the_rest_except_protected():
    store = Store([{"name": "a"}, {"name": "b"}, {"name": "admin"}, {"name": "keep"}])
    outcomes = run(store, [{"name": "a", "size": 2}, {"name": "c"}], state="overridden", protected=["keep"])[0]
    assert dict((o.key, o.action) for o in outcomes) == {"a": "updated", "c": "created", "b": "deleted"}
    assert sorted(store.objects) == ["a", "admin", "c", "keep"]
    assert sorted(store.writes) == [("create", "c"), ("delete", "b"), ("update", "a")]


def test_overridden_in_check_mode_writes_nothing():
    store = Store([{"name": "a"}, {"name": "b"}])
    outcomes = run(store, [{"name": "a"}], state="overridden", check_mode=True)[0]
    assert dict((o.key, o.action) for o in outcomes) == {"a": "unchanged", "b": "deleted"}
    assert store.writes == [] and sorted(store.objects) == ["a", "b"]


def test_deleted_without_entries_deletes_all_but_protected():
    store = Store([{"name": "a"}, {"name": "admin"}, {"name": "keep"}])
    outcomes = run(store, [], state="deleted", protected=("keep",))[0]
    assert [(o.key, o.action) for o in outcomes] == [("a", "deleted")]
    assert sorted(store.objects) == ["admin", "keep"]


def test_deleting_a_protected_key_fails_clearly():
    store = Store([{"name": "admin"}])
    out = one(store, {"name": "admin"}, state="deleted")
    assert out.failed and out.action == "failed"
    assert out.msg == "widget 'admin' is protected and is never deleted"
    assert store.writes == [] and "admin" in store.objects


def test_partial_failure_keeps_the_others():
    store = Store([{"name": "a"}, {"name": "b"}])
    store.fail["b"] = 500
    outcomes = run(store, [{"name": "a", "size": 2}, {"name": "b", "size": 2}, {"name": "c"}])[0]
    result = dict((o.key, o) for o in outcomes)
    assert result["a"].action == "updated" and result["c"].action == "created"
    assert result["b"].failed and result["b"].msg == "Fake API PUT /widgets/b failed: HTTP 500: backend unavailable"
    assert store.reads == 2  # one read, one read-back of what was written
    assert store.objects["a"]["size"] == 2 and store.objects["b"]["size"] == 1 and "c" in store.objects
    assert result["a"].end_state == canon(store, "a") and result["c"].end_state == canon(store, "c")


def test_failed_match_is_a_failed_item():
    store = Store([{"name": "dup"}, {"name": "ok"}])
    resource = Widget(store)
    resource.ambiguous = ("dup",)
    outcomes, _existing = run(store, [{"name": "dup", "size": 3}, {"name": "ok", "size": 3}], resource=resource)
    assert [(o.key, o.action) for o in outcomes] == [("dup", "failed"), ("ok", "updated")]
    assert outcomes[0].msg == "widget 'dup': several widgets have that name"
    failure = outcomes[0].failure
    assert isinstance(failure, ItemFailure) and failure.key == "dup" and failure.option == "config[0].name"
    assert store.writes == [("update", "ok")]


def test_cannot_delete_is_a_failed_item():
    store = Store([{"name": "a"}])
    resource = Widget(store)
    resource.can_delete = False
    out = one(store, {"name": "a"}, state="deleted", resource=resource)
    assert out.failed and out.msg == "widget cannot be deleted through the API" and store.writes == []


# --------------------------------------------------------------------------- recreate
def test_recreate_refused_without_permission():
    store = Store([{"name": "a", "provider": "local", "size": 3}])
    out = one(store, {"name": "a", "provider": "ldap"})
    assert out.failed and "set recreate=true to allow it" in out.msg and "changing provider" in out.msg
    assert store.writes == []


def test_recreate_deletes_and_creates():
    store = Store([{"name": "a", "provider": "local", "size": 3}])
    old_id = store.objects["a"]["id"]
    out = one(store, {"name": "a", "provider": "ldap", "recreate": True})
    assert out.action == "recreated" and out.changed and out.changed_fields == ["provider"]
    assert store.writes == [("delete", "a"), ("create", "a")]
    assert store.objects["a"]["id"] != old_id and store.objects["a"]["provider"] == "ldap"
    assert store.objects["a"]["size"] == 1  # a new object: what was not given is the server default
    assert out.end_state == canon(store, "a")


# --------------------------------------------------------------------------- misc
def test_gathered_returns_everything():
    store = Store([{"name": "a"}, {"name": "b"}])
    outcomes, existing = run(store, [], state="gathered")
    assert outcomes == [] and sorted(i["canon"]["name"] for i in existing) == ["a", "b"]
    assert store.writes == []


def test_unknown_state_and_read_errors():
    with pytest.raises(InputError):
        run(Store(), [], state="present")

    class Broken(Widget):
        def read_all(self, task, keys=None):
            raise ApiError("Fake", "GET", "/widgets", status=403, vendor_text="forbidden")

    with pytest.raises(ApiError):
        run(Store(), [{"name": "a"}], resource=Broken(Store()))


def test_validation_names_the_option():
    with pytest.raises(InputError) as exc:
        run(Store(), [{"name": "a"}, {"name": "b", "size": -1}])
    assert str(exc.value) == "config[1].size: must be 0 or more"


def test_base_resource_defaults():
    task = make_task([])
    base = Resource(conn="the connection")
    assert base.conn == "the connection" and not hasattr(base, "params")
    assert base.desired(task, {"name": "a", "state": "present", "update_secret": "always", "recreate": False,
                               "n": None, "l": [1]}) == {"name": "a", "l": [1]}
    assert base.equal(task, "f", [1, 2], [1, 2], None) and not base.equal(task, "f", [1, 2], [2, 1], None)
    assert base.mask_payload({"p": "x"}) == {"p": "x"} and base.recreate_needed(task, None, {}) == []
    assert base.builtin_keys(task) == ()
    for call in (lambda: base.read_all(task), lambda: base.normalize(task, {}),
                 lambda: base.create_payload(task, {}, {}), lambda: base.update_payload(task, None, {}, [], {}),
                 lambda: base.send_create(task, {}, {}), lambda: base.send_update(task, None, {}, {}),
                 lambda: base.send_delete(task, None)):
        with pytest.raises(NotImplementedError):
            call()
    for removed in ("build_create", "build_update", "params", "state", "current", "recreating"):
        assert not hasattr(base, removed)


# --------------------------------------------------------------------------- payload rule and write verification
class StubbornStore(Store):
    """A server that ignores ``size`` on update and caps it at 5 on create."""

    def create(self, payload):
        payload = dict(payload, size=min(payload.get("size", 1), 5))
        return Store.create(self, payload)

    def update(self, name, payload):
        Store.update(self, name, dict((k, v) for k, v in payload.items() if k != "size"))


def test_payloads_carry_the_users_values_not_the_comparison_form():
    store = Store()
    out = one(store, {"name": "a", "tags": ["z", "x"], "size": None})
    assert out.action == "created" and not out.failed
    assert store.objects["a"]["tags"] == ["z", "x"]  # as written, not in the sorted comparison form
    assert out.proposed == {"name": "a", "tags": ["z", "x"]}
    again = one(store, {"name": "a", "tags": ["x", "z"]})
    assert again.action == "unchanged" and store.writes == [("create", "a")]  # idempotence stays exact
    upd = one(store, {"name": "a", "tags": ["y", "x"]})
    assert upd.action == "updated" and store.objects["a"]["tags"] == ["y", "x"]


def test_base_given_keeps_values_and_drops_none_and_control_options():
    base = Resource(conn=None)
    assert base.given(make_task([]), {"name": "a", "state": "present", "recreate": True, "update_secret": "always",
                                      "opts": {"b": ["Z", "a"], "c": None}, "n": None}) == {
        "name": "a", "opts": {"b": ["Z", "a"]}}
    assert set(CONTROL_OPTIONS) == {"state", "update_secret", "recreate"}


def test_a_field_the_server_did_not_keep_fails_the_item_naming_field_and_kept_value():
    store = StubbornStore([{"name": "a", "size": 2}])
    out = one(store, {"name": "a", "size": 4, "color": "red"})
    assert out.failed and out.action == "updated" and out.changed  # the write happened
    assert "size: written as 4, the server kept 2" in out.msg and "color" not in out.msg
    assert out.end_state["size"] == 2 and out.end_state["color"] == "red"
    created = one(store, {"name": "b", "size": 9})
    assert created.failed and created.action == "created"
    assert "size: written as 9, the server kept 5" in created.msg


def test_read_back_failure_masks_secrets():
    class Mangler(Store):
        def update(self, name, payload):
            Store.update(self, name, dict(payload, apiToken="server-kept-token-1"))

    store = Mangler([{"name": "a", "apiToken": "old-token-1"}])
    out = one(store, {"name": "a", "api_token": "new-token-2"})
    assert out.failed and "api_token: written as %s, the server kept %s" % (MASK, MASK) in out.msg
    assert "token-" not in out.msg


def test_a_write_that_does_not_show_in_the_read_back_fails():
    class Forgetful(Store):
        def create(self, payload):
            self.writes.append(("create", payload["name"]))
            return 99

    store = Forgetful()
    out = one(store, {"name": "ghost", "size": 1})
    assert out.failed and out.action == "created" and "does not show it" in out.msg


def test_check_mode_neither_writes_nor_reads_back_even_on_a_stubborn_server():
    store = StubbornStore([{"name": "a", "size": 2}])
    out = one(store, {"name": "a", "size": 4}, check_mode=True)
    assert out.action == "updated" and not out.failed and store.writes == [] and store.reads == 1


# --------------------------------------------------------------------------- the task context
def test_task_carries_what_the_run_asks():
    assert STATE_OF == {"present": "merged", "absent": "deleted"}
    assert STATES == ("merged", "replaced", "overridden", "deleted", "gathered")
    entries = [{"name": "a", "recreate": True}, "not a dict", {"name": "b"}]
    task = Task(state="replaced", entries=entries, protected=["keep"], options={"tenant": "t1"})
    assert task.entries == [{"name": "a", "recreate": True}, {"name": "b"}] and task.full
    assert task.update_secret == "on_create" and not task.check_mode and not task.diff_mode
    assert Task(state="merged").full is False and Task(state="overridden").full is True
    engine = Engine(Widget(Store()), task)
    assert task.protected == {"keep", "admin"}  # the user's and the resource's built-in ones
    engine.validate(set_module=True)
    assert task.entry("a") == entries[0] and task.entry("zzz") is None
    assert task.where == {"a": "config[0].", "b": "config[1]."}
    assert task.may_recreate("a") and not task.may_recreate("b") and not task.may_recreate("zzz")
    assert Task(recreate=True).may_recreate("anything")
    assert task.options == {"tenant": "t1"} and task.memo == {}
    with pytest.raises(InputError) as exc:
        Task(state="present")
    assert str(exc.value) == "state: unknown state 'present'"


@pytest.mark.parametrize("policy,want,shown,kwargs,unchanged", [
    ("on_create", "new-secret", None, {}, True),        # not shown: never rewritten on_create
    ("always", "new-secret", None, {}, False),          # not shown: always rewritten with always
    ("on_create", "same-secret", "same-secret", {}, True),
    ("on_create", "new-secret", "old-secret", {}, False),  # shown: compared whatever the policy
    ("always", "same-secret", "same-secret", {}, True),
    ("always", "same-secret", "same-secret", {"compares_shown": True}, False),
    ("on_create", "abc", "hash:abc", {"same": lambda w, s: s == "hash:" + w}, True),
    ("on_create", "abd", "hash:abc", {"same": lambda w, s: s == "hash:" + w}, False),
])
def test_secret_unchanged_is_the_one_update_secret_policy(policy, want, shown, kwargs, unchanged):
    assert Task(update_secret=policy).secret_unchanged(want, shown, **kwargs) is unchanged


def test_update_secret_always_is_not_a_read_back_failure():
    """A secret the API shows in a comparable form and always_rewrites_secrets: rewritten, and verified."""

    class HashWidget(Widget):
        always_rewrites_secrets = True

    store = Store([{"name": "a", "apiToken": "tok-same-value"}])
    out = one(store, {"name": "a", "api_token": "tok-same-value"}, resource=HashWidget(store),
              update_secret="always")
    assert out.action == "updated" and out.changed_fields == ["api_token"] and not out.failed, out.msg
    assert store.writes == [("update", "a")]
    again = one(store, {"name": "a", "api_token": "tok-same-value"}, resource=HashWidget(store))
    assert again.action == "unchanged"


def test_item_failure_from_an_api_error():
    exc = ApiError("Fake", "PUT", "/widgets/a", status=409, vendor_text="conflict", error_code="E1",
                   hint="Try again later")
    failure = ItemFailure.from_api(exc, key="a")
    assert (failure.key, failure.method, failure.path, failure.status, failure.vendor_text, failure.error_code) == (
        "a", "PUT", "/widgets/a", 409, "conflict", "E1")
    assert str(failure) == "Fake API PUT /widgets/a failed: HTTP 409: conflict. Try again later"
    hinted = ItemFailure.from_api(exc, hint="rename the widget")
    assert str(hinted) == "Fake API PUT /widgets/a failed: HTTP 409: conflict. rename the widget"
    assert failure.option is None and ItemFailure("x", option="config[1].size").option == "config[1].size"


# --------------------------------------------------------------------------- confirm_write
def unclear(resend=False, status=None, delay=2.5):
    return UnclearOutcome("Fake", "POST", "/widgets", resend=resend, delay=delay, status=status,
                          vendor_text="unavailable" if status else None,
                          hint=None if status else "no answer within timeout=30s")


class Sends(object):
    """A write that fails with the given errors first, then returns its hint."""

    def __init__(self, *errors, **kwargs):
        self.errors = list(errors)
        self.calls = 0
        self.hint = kwargs.get("hint", 7)

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.hint


def confirm(send, verdicts, **kwargs):
    warnings, sleeps, reads = [], [], []
    task = Task(warn=warnings.append, sleep=sleeps.append)
    verdicts = list(verdicts)

    def landed():
        reads.append(1)
        return verdicts.pop(0)

    try:
        hint = confirm_write(task, send, landed, "create", **kwargs)
    except ItemFailure as exc:
        return exc, warnings, sleeps, len(reads)
    return hint, warnings, sleeps, len(reads)


def test_confirm_write_clear_outcome_needs_no_read():
    send = Sends(hint=42)
    assert confirm(send, []) == (42, [], [], 0) and send.calls == 1
    with pytest.raises(ApiError) as exc:  # a clear failure passes through, unsettled
        confirm_write(Task(), Sends(ApiError("Fake", "POST", "/widgets", status=400)), lambda: True, "create")
    assert not isinstance(exc.value, UnclearOutcome) and exc.value.status == 400


def test_confirm_write_landed_is_a_success_with_a_warning():
    send = Sends(unclear())
    hint, warnings, sleeps, reads = confirm(send, [{"id": 9}])
    assert hint == {"id": 9} and reads == 1 and send.calls == 1 and sleeps == []
    assert warnings == ["Fake API POST /widgets: no answer; a read shows the create was applied"]
    hint, warnings, _sleeps, _reads = confirm(Sends(unclear(status=503)), [True])
    assert hint is None and warnings == ["Fake API POST /widgets: HTTP 503 (unavailable); a read shows the create "
                                         "was applied"]


def test_confirm_write_reads_after_each_delay_until_it_shows():
    hint, _warnings, sleeps, reads = confirm(Sends(unclear()), [False, False, 5], delays=(0.0, 1.0, 2.0))
    assert hint == 5 and reads == 3 and sleeps == [1.0, 2.0]


def test_confirm_write_resends_only_what_the_server_cannot_have_processed():
    send = Sends(unclear(resend=True, status=429, delay=4.0))
    hint, warnings, sleeps, reads = confirm(send, [False], resends=1)
    assert hint == 7 and send.calls == 2 and reads == 1 and sleeps == [4.0]
    assert warnings == ["Fake API POST /widgets: HTTP 429, and a read shows the create was not applied; sending it "
                        "again in 4.0s (retry 1 of 1)"]
    # not processable-or-not (no answer): never sent again, the failure says what to do
    send = Sends(unclear(resend=False))
    failure, warnings, _sleeps, _reads = confirm(send, [False], resends=3)
    assert isinstance(failure, ItemFailure) and send.calls == 1 and warnings == []
    # what the client saw (no answer) stays in the failure, before what to do
    assert str(failure) == ("Fake API POST /widgets failed. no answer within timeout=30s; a read after it does not "
                            "show the create, so it was not applied or not yet; run the task again to see the outcome")
    # resends are bounded
    send = Sends(unclear(resend=True, status=503), unclear(resend=True, status=503))
    failure, _warnings, _sleeps, _reads = confirm(send, [False, False], resends=1, not_seen="check the server")
    assert send.calls == 2 and str(failure) == "Fake API POST /widgets failed: HTTP 503: unavailable. check the server"
    assert failure.method == "POST" and failure.path == "/widgets" and failure.status == 503


def test_confirm_write_cannot_tell_fails_with_the_hint():
    send = Sends(unclear(resend=True, status=503))
    failure, _warnings, _sleeps, reads = confirm(send, [None], resends=2, cannot_tell="set the secret again")
    assert isinstance(failure, ItemFailure) and send.calls == 1 and reads == 1  # never resent blindly
    assert str(failure) == "Fake API POST /widgets failed: HTTP 503: unavailable. set the secret again"
    failure, _warnings, _sleeps, _reads = confirm(Sends(unclear()), [None])
    assert str(failure).endswith("whether the create was applied cannot be read back; run the task again")


@pytest.mark.parametrize("entry, message", [
    ({}, "config[0].client_id: give the client ID"),
    ({"client_id": 5}, "config[0].client_id: give the client ID"),
    ({"client_id": "  "}, "config[0].client_id: give the client ID"),
    ({"client_id": "app "}, "config[0].client_id: 'app ' has leading or trailing blanks"),
])
def test_text_key_refuses_a_missing_blank_or_padded_key(entry, message):
    with pytest.raises(InputError) as err:
        text_key(entry, "client_id", "config[0].", "give the client ID")
    assert str(err.value) == message


def test_text_key_returns_the_key_as_given():
    assert text_key({"client_id": "App.1"}, "client_id", "", "give the client ID") == "App.1"

# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconcile engine of sso.oidc and the contract every service plugs into (private).

One path for every stateful module: read the existing resources once, normalise
both sides with the resource's one ``normalize`` function, compare only what the
user set, write only on a difference, and read back. Check mode runs the same
path and stops before the write, predicting ``end_state``. A single-resource
module is a set of one: the resource-set modules use this same engine.

The contract (docs/developing.md walks through it):

* A service supplies a :class:`Resource` subclass: a **stateless adapter** over its
  connection. Every hook gets the :class:`Task` (what this module run asks: the engine
  state, the entries, ``update_secret``, ``protected``, ``recreate``, check and diff
  mode, the service's own task options) and only what that call needs. A resource never
  reads module parameters and keeps nothing between calls; a fact learned during the run
  (an id it created, a secret it sent) goes to ``task.memo``.
* The engine owns every decision that is the same for all services: the present/absent
  to merged/deleted mapping (:data:`STATE_OF`), the ``update_secret`` policy
  (:meth:`Task.secret_unchanged`), protected and built-in keys, recreate, check mode,
  the read-back, and one failure type per item (:class:`ItemFailure`).
* **The payload carries the user's values.** The canonical (normalised) form is for
  comparison only: ``create_payload``/``update_payload`` get ``given`` (the options as
  written) beside the canonical ``want`` and put ``given``'s values in the body.
* **Every write is verified by its read-back** (:meth:`Resource.verify_write`), and a
  write whose outcome is unclear (no answer, a reset, a status the request names) is
  settled by reading, through the one shared step :func:`confirm_write`.
"""

from __future__ import annotations

import copy
import time

from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, ApiError, UnclearOutcome

#: the single modules' ``state`` in engine states
STATE_OF = {"present": "merged", "absent": "deleted"}
#: the engine states
STATES = ("merged", "replaced", "overridden", "deleted", "gathered")
#: entry keys that steer the engine and are never resource fields
CONTROL_OPTIONS = ("state", "update_secret", "recreate")
SECRET_CHANGED = MASK + " (changed)"


class InputError(Exception):
    """Invalid user input, found before any network call. The message names the option."""


class ItemFailure(Exception):
    """One item failed after the read: the one failure type of the engine.

    ``str(failure)`` is the user-facing message. It carries the item ``key``, the
    ``option`` path the failure is about (``config[2].client_secret``) or the HTTP
    ``method`` and ``path`` of the call that failed, and the vendor's own text
    (``vendor_text``, ``status``, ``error_code``) when the API refused something.
    The engine turns an :class:`ApiError` raised by a hook into one of these.
    """

    def __init__(self, text, key=None, option=None, method=None, path=None, status=None, vendor_text=None,
                 error_code=None):
        self.text = text
        self.key = key
        self.option = option
        self.method = method
        self.path = path
        self.status = status
        self.vendor_text = vendor_text
        self.error_code = error_code
        super(ItemFailure, self).__init__(text)

    @classmethod
    def from_api(cls, exc, key=None, hint=None):
        """The failure of an API call; ``hint`` replaces the call's own hint (what to do next)."""
        if hint is not None:
            exc = ApiError(exc.service, exc.method, exc.path, status=exc.status, vendor_text=exc.vendor_text,
                           request_id=exc.request_id, hint=hint, body=exc.body, error_code=exc.error_code)
        return cls(str(exc), key=key, method=exc.method, path=exc.path, status=exc.status,
                   vendor_text=exc.vendor_text, error_code=exc.error_code)

    def __str__(self):
        return self.text


class Task(object):
    """What one module run asks of the engine; passed to every :class:`Resource` hook.

    :ivar state: the engine state (merged, replaced, overridden, deleted, gathered).
    :ivar entries: the user's entries, as the module received them (control keys included).
    :ivar update_secret: ``on_create`` or ``always`` (see :meth:`secret_unchanged`).
    :ivar protected: keys that overridden/deleted never delete (the user's and the resource's built-in ones).
    :ivar recreate: whether a change that needs delete + create is allowed for every entry
        (an entry's own ``recreate`` allows it for that entry).
    :ivar options: the service's task options, by name (:attr:`Resource.task_options`), read-only.
    :ivar existing: the first read, set by the engine (items: dicts with ``raw`` and ``canon``).
    :ivar memo: facts a resource learns during the run (ids it created, secrets it sent, the
        server's release): kept here, by the engine, so that resources stay stateless.
    """

    def __init__(self, state="merged", entries=(), check_mode=False, diff_mode=False, update_secret="on_create",
                 protected=(), recreate=False, options=None, warn=None, add_secret=None, sleep=None):
        if state not in STATES:
            raise InputError("state: unknown state %r" % state)
        self.state = state
        self.entries = [e for e in entries or () if isinstance(e, dict)]
        self.check_mode = bool(check_mode)
        self.diff_mode = bool(diff_mode)
        self.update_secret = update_secret or "on_create"
        self.protected = set(protected or ())
        self.recreate = bool(recreate)
        self.options = dict(options or {})
        self.warn = warn or (lambda message: None)
        self.add_secret = add_secret or (lambda value: None)
        self.sleep = sleep or time.sleep
        self.existing = None
        self.memo = {}
        self.where = {}
        self._entries_by_key = {}

    @property
    def full(self):
        """Whether the state sets every option (replaced, overridden): unset options take their defaults."""
        return self.state in ("replaced", "overridden")

    def entry(self, key):
        """The user's entry for ``key`` (None when the task does not name it)."""
        return self._entries_by_key.get(key)

    def may_recreate(self, key):
        """Whether a change of ``key`` that needs delete + create is allowed."""
        entry = self.entry(key) or {}
        return self.recreate or bool(entry.get("recreate"))

    def secret_unchanged(self, want, shown, same=None, compares_shown=False):
        """The ``update_secret`` policy, the same in every service: whether a wanted secret counts as unchanged.

        ``shown`` is the stored value as the read shows it, or None when the API does not show it
        (a masked value counts as not shown). Not shown: unchanged unless ``update_secret=always``.
        Shown: compared (with ``same(want, shown)``, default equality); with ``compares_shown``
        (the API shows every secret in a comparable form, e.g. a hash), ``always`` rewrites it anyway.
        """
        if self.update_secret == "always" and (shown is None or compares_shown):
            return False
        if shown is None:
            return True
        return bool(same(want, shown)) if same is not None else want == shown


class Resource(object):
    """Adapter for one kind of resource: a service's facts, stateless.

    Canonical form: a dict in option space (the module's snake_case option
    names and types), produced by :meth:`normalize` from an API object and by
    :meth:`desired` from the user's options. Comparing canonical dicts is the
    only comparison the engine makes.

    ``self.conn`` is the service's connection (its ``request()`` goes through the one
    HTTP client). Every hook takes the :class:`Task` first; nothing is kept on the
    resource between calls.
    """

    service = "API"
    kind = "resource"
    key = "name"
    #: canonical fields that hold secrets or hashes of secrets: always masked
    secret_fields = ()
    #: options the API never shows back: never compared; sent on create and with update_secret=always
    write_only = ()
    #: whether update_secret=always rewrites secrets the read shows in a comparable form too
    always_rewrites_secrets = False
    #: canonical values the server fills in when an option is left out (used by
    #: replaced/overridden and to predict a create)
    defaults = {}
    #: keys that overridden/deleted never remove (beside the user's ``protected``)
    builtin_protected = ()
    #: module options (outside the entries) this service reads, copied into ``task.options``
    task_options = ()
    can_delete = True

    def __init__(self, conn):
        self.conn = conn

    # -- validation (no network) -------------------------------------------
    def validate(self, task, entry, where):
        """Raise InputError for invalid input, before any network call.

        ``where`` prefixes option names in messages ("" or "config[2].").
        """

    def builtin_keys(self, task):
        """Keys that overridden/deleted never remove (default: :attr:`builtin_protected`)."""
        return self.builtin_protected

    # -- reading ------------------------------------------------------------
    def read_all(self, task, keys=None):
        """Return the existing API objects. ``keys`` are the keys the task names
        (None: all are wanted). One read of the collection where the API allows."""
        raise NotImplementedError

    def normalize(self, task, raw):
        """API object -> canonical dict (the one normalisation of this resource)."""
        raise NotImplementedError

    def desired(self, task, entry):
        """User options -> canonical dict of only the options that were set."""
        return dict((k, copy.deepcopy(v)) for k, v in entry.items()
                    if v is not None and k not in CONTROL_OPTIONS)

    def given(self, task, entry):
        """The user's options exactly as written (``None`` left out, nested too): what payloads carry."""
        return dict((k, _without_none(v)) for k, v in entry.items()
                    if v is not None and k not in CONTROL_OPTIONS)

    def key_of(self, canon):
        return canon.get(self.key)

    def match(self, task, want, existing):
        """The existing item (dict with 'raw' and 'canon') that ``want`` addresses, or None.
        Raise :class:`ItemFailure` when the item cannot be written as asked."""
        key = self.key_of(want)
        found = [item for item in existing if self.key_of(item["canon"]) == key]
        return found[0] if found else None

    def equal(self, task, field, want, have, item):
        """Compare one canonical field of ``item`` (the existing item, or the fresh one on read-back).
        A secret compares through ``task.secret_unchanged`` (the engine's update_secret policy)."""
        if field in self.secret_fields:
            return task.secret_unchanged(want, have, compares_shown=self.always_rewrites_secrets)
        return want == have

    def recreate_needed(self, task, item, want):
        """Fields whose change needs delete + create (e.g. a provider type). Empty when none."""
        return []

    # -- writing ------------------------------------------------------------
    def create_payload(self, task, want, given, replacing=None):
        """Body that creates ``want``, carrying the user's values from ``given``. ``replacing`` is the
        item a recreate deletes just before this create (None for a plain create)."""
        raise NotImplementedError

    def update_payload(self, task, item, want, changed, given):
        """Body that updates ``item`` so that the ``changed`` fields take the user's values from ``given``."""
        raise NotImplementedError

    def send_create(self, task, payload, want):
        """Create; returns a hint used by :meth:`match_written` (e.g. the server id) or None."""
        raise NotImplementedError

    def send_update(self, task, item, payload, want):
        raise NotImplementedError

    def send_delete(self, task, item):
        raise NotImplementedError

    def predict(self, task, item, want, changed, payload):
        """The canonical state expected after the write (check mode and diff); ``payload`` is the body."""
        base = copy.deepcopy(item["canon"]) if item else copy.deepcopy(self.defaults)
        for field in changed:
            if field in want:
                base[field] = copy.deepcopy(want[field])
        if item is None:
            base.update(copy.deepcopy(want))
        for field in self.write_only:
            _del_path(base, field.split("."))
        return base

    def match_written(self, task, hint, want, fresh):
        """Find the object a write produced in a fresh read."""
        return self.match(task, want, fresh)

    # -- read-back ----------------------------------------------------------
    def written(self, task, field, want, have, item):
        """Whether ``field`` read back (``have``, in the fresh ``item``) as written (``want``).

        A secret is compared as :meth:`equal` compares it, but without ``update_secret=always``: that
        decides whether to write a secret, not whether the server kept it (a secret the read does not
        show counts as kept: a read cannot tell)."""
        if field in self.secret_fields and task.update_secret == "always":
            task = copy.copy(task)
            task.update_secret = "on_create"
        return self.equal(task, field, want, have, item)

    def verify_write(self, task, before, after, want, fields):
        """Problems of one write seen in its read-back: a list of ``(field, message)``.

        ``before`` is the item before the write (None for a create), ``after`` the fresh item,
        ``fields`` the canonical fields that were written. The default checks each field with
        :meth:`written`; messages never carry a secret (secret fields are masked).
        """
        problems = []
        for field in fields:
            if field in self.write_only or (field not in want and _get_path(want, field) is None):
                continue
            wanted = _get_path(want, field)
            kept = _get_path(after["canon"], field)
            if not self.written(task, field, wanted, kept, after):
                problems.append((field, "%s: written as %s, the server kept %s"
                                 % (field, _show(self, field, wanted), _show(self, field, kept))))
        return problems

    # -- output -------------------------------------------------------------
    def mask(self, canon):
        """A copy of a canonical dict with every secret field masked."""
        if canon is None:
            return None
        out = copy.deepcopy(canon)
        for field in self.secret_fields:
            _mask_path(out, field.split("."))
        return out

    def mask_payload(self, payload):
        """A copy of an API payload with every secret masked (override per API)."""
        return payload


def text_key(entry, field, where, missing):
    """Check a key option given as text before any request: set, not blank, and without leading or trailing
    blanks (a server compares keys as sent, so " app" would be another client). ``missing`` says what to give."""
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InputError("%s%s: %s" % (where, field, missing))
    if value != value.strip():
        raise InputError("%s%s: %r has leading or trailing blanks" % (where, field, value))
    return value


def confirm_write(task, send, landed, what, delays=(0.0,), resends=0, not_seen=None, cannot_tell=None):
    """Send one write and, when its outcome is unclear, settle it by reading: the one shared step.

    :param send: callable() that sends the write, with a request ``settle=`` policy, and returns its
        hint (e.g. the new id). An :class:`UnclearOutcome` it raises is settled here; any other error
        passes through.
    :param landed: callable() that reads and returns a true value when the write shows (the hint to
        return, or True), False when it does not show, None when a read cannot tell (a change only
        to a secret the API never shows).
    :param what: the write, for messages ("create", "update", "delete").
    :param delays: the waits before each read (an eventually consistent API reads more than once).
    :param resends: how often a write the server cannot have processed (``UnclearOutcome.resend``)
        and that the reads show did not land is sent again, after the delay the client names.
    :param not_seen: the hint of the failure when the reads do not show the write.
    :param cannot_tell: the hint of the failure when a read cannot tell.
    :returns: ``send()``'s hint, or ``landed()``'s when the outcome was settled by reading.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return send()
        except UnclearOutcome as exc:
            verdict = False
            for delay in delays:
                if delay:
                    task.sleep(delay)
                verdict = landed()
                if verdict is not False:
                    break
            if verdict is not False and verdict is not None:
                task.warn("%s API %s %s: %s; a read shows the %s was applied"
                          % (exc.service, exc.method, exc.path, _outcome_text(exc), what))
                return None if verdict is True else verdict
            if verdict is False and exc.resend and attempt <= resends:
                task.warn("%s API %s %s: %s, and a read shows the %s was not applied; sending it again in %.1fs "
                          "(retry %d of %d)" % (exc.service, exc.method, exc.path, exc.outcome, what, exc.delay,
                                                attempt, resends))
                task.sleep(exc.delay)
                continue
            if verdict is None:
                hint = cannot_tell or ("whether the %s was applied cannot be read back; run the task again" % what)
            else:
                hint = not_seen or ("a read after it does not show the %s, so it was not applied or not yet; run the "
                                    "task again to see the outcome" % what)
            if exc.status is None and exc.hint:
                hint = "%s; %s" % (exc.hint, hint)  # what the client saw (no answer, a reset), then what to do
            raise ItemFailure.from_api(exc, hint=hint)


def _outcome_text(exc):
    if exc.status is not None and exc.vendor_text:
        return "HTTP %s (%s)" % (exc.status, exc.vendor_text)
    return exc.outcome


def _without_none(value):
    if isinstance(value, dict):
        return dict((k, _without_none(v)) for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _is_secret(resource, field):
    return any(field == s or field.startswith(s + ".") or s.startswith(field + ".") for s in resource.secret_fields)


def _show(resource, field, value):
    """A field's value for a message: masked when it is (or holds) a secret."""
    if _is_secret(resource, field):
        if field in resource.secret_fields:
            return MASK if not isinstance(value, list) else "[%s]" % ", ".join(MASK for _v in value)
        masked = resource.mask({field.split(".")[0]: copy.deepcopy(value)} if "." not in field else {})
        return repr(masked.get(field.split(".")[0], MASK)) if masked else MASK
    return repr(value)


def _mask_path(data, path):
    if not isinstance(data, dict) or path[0] not in data:
        return
    if len(path) > 1:
        _mask_path(data[path[0]], path[1:])
        return
    value = data[path[0]]
    if value is None or value == "":
        return
    if isinstance(value, list):
        data[path[0]] = [MASK for _v in value]
    else:
        data[path[0]] = MASK


def _del_path(data, path):
    if not isinstance(data, dict) or path[0] not in data:
        return
    if len(path) > 1:
        _del_path(data[path[0]], path[1:])
    else:
        del data[path[0]]


def _get_path(data, path):
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _set_path(data, path, value):
    parts = path.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


class Outcome(object):
    """What happened (or would happen) to one resource."""

    def __init__(self, key, action="unchanged"):
        self.key = key
        self.action = action
        self.existing = None
        self.proposed = None
        self.end_state = None
        self.changed_fields = []
        self.msg = ""
        self.failure = None
        self.hint = None
        self.want = None
        self.item = None

    @property
    def failed(self):
        return self.failure is not None

    def fail(self, failure, written=False):
        """Fail this item. ``written``: the write happened (its read-back failed), so the action stays."""
        if failure.key is None:
            failure.key = self.key
        self.failure, self.msg = failure, str(failure)
        if not written:
            self.action = "failed"

    @property
    def changed(self):
        return self.action in ("created", "updated", "deleted", "recreated")


class Engine(object):
    """Reconciles the task's entries against one read of the existing resources."""

    def __init__(self, resource, task):
        self.resource = resource
        self.task = task
        task.protected = set(task.protected) | set(resource.builtin_keys(task) or ())

    # ------------------------------------------------------------------------
    def validate(self, set_module=False):
        """Check every entry before any network call (and, for a set, that each key appears once)."""
        res, task = self.resource, self.task
        wants = [res.desired(task, e) for e in task.entries]
        keys = [res.key_of(w) for w in wants]
        if set_module:
            dupes = sorted(set(k for k in keys if keys.count(k) > 1), key=str)
            if dupes:
                raise InputError("config: each %s may appear once; repeated: %s"
                                 % (res.key, ", ".join(map(str, dupes))))
            if task.state in ("merged", "replaced") and not task.entries:
                raise InputError("config: state=%s needs at least one entry" % task.state)
        for index, entry in enumerate(task.entries):
            where = "config[%d]." % index if set_module else ""
            res.validate(task, entry, where)
        for key, entry, index in zip(keys, task.entries, range(len(keys))):
            task._entries_by_key.setdefault(key, entry)  # pylint: disable=protected-access
            task.where.setdefault(key, "config[%d]." % index if set_module else "")

    def run(self):
        res, task = self.resource, self.task
        if not task._entries_by_key and task.entries:  # pylint: disable=protected-access
            for entry in task.entries:
                task._entries_by_key.setdefault(res.key_of(res.desired(task, entry)), entry)  # pylint: disable=protected-access
        existing = self._read()
        task.existing = existing
        if task.state == "gathered":
            return [], existing

        outcomes = []
        touched = set()
        for entry in task.entries:
            want = res.desired(task, entry)
            key = res.key_of(want)
            out = Outcome(key)
            outcomes.append(out)
            try:
                item = res.match(task, want, existing)
                if item is not None:
                    touched.add(id(item))
                out.item = item
                out.existing = item["canon"] if item else None
                if task.state == "deleted":
                    self._delete(out, item)
                else:
                    if task.full and item is not None:
                        want = self._with_defaults(want)
                    self._present(out, item, want, entry)
            except ItemFailure as exc:
                out.fail(exc)
            except ApiError as exc:
                out.fail(ItemFailure.from_api(exc))

        if task.state == "overridden" or (task.state == "deleted" and not task.entries):
            for item in existing:
                key = res.key_of(item["canon"])
                if id(item) in touched or key in task.protected:
                    continue
                out = Outcome(key)
                out.item = item
                out.existing = item["canon"]
                outcomes.append(out)
                try:
                    self._delete(out, item)
                except ItemFailure as exc:
                    out.fail(exc)
                except ApiError as exc:
                    out.fail(ItemFailure.from_api(exc))

        self._read_back(outcomes)
        return outcomes, existing

    # ------------------------------------------------------------------------
    def _read(self):
        res, task = self.resource, self.task
        keys = None
        if task.state in ("merged", "replaced") or (task.state == "deleted" and task.entries):
            keys = [res.key_of(res.desired(task, e)) for e in task.entries]
        raws = res.read_all(task, keys)
        return [{"raw": raw, "canon": res.normalize(task, raw)} for raw in raws]

    def _with_defaults(self, want):
        merged = copy.deepcopy(self.resource.defaults)
        merged.update(want)
        return merged

    def _present(self, out, item, want, entry):
        res, task = self.resource, self.task
        out.want = want
        given = res.given(task, entry)
        if item is None:
            out.action = "created"
            out.changed_fields = sorted(want)
            payload = res.create_payload(task, want, given)
            out.proposed = res.mask_payload(copy.deepcopy(payload))
            out.end_state = res.predict(task, None, want, out.changed_fields, payload)
            if not task.check_mode:
                out.hint = res.send_create(task, payload, want)
            return

        changed = self.differences(item, want)
        if not changed:
            out.action = "unchanged"
            out.end_state = item["canon"]
            return

        recreate_fields = res.recreate_needed(task, item, want)
        if recreate_fields:
            if not task.may_recreate(out.key):
                raise ItemFailure(
                    "%s %r: changing %s needs the %s to be deleted and created again; set recreate=true to allow it"
                    % (res.kind, out.key, ", ".join(recreate_fields), res.kind),
                    option=task.where.get(out.key, "") + "recreate")
            out.action = "recreated"
            out.changed_fields = changed
            payload = res.create_payload(task, want, given, replacing=item)
            out.proposed = res.mask_payload(copy.deepcopy(payload))
            out.end_state = res.predict(task, None, want, sorted(want), payload)
            if not task.check_mode:
                res.send_delete(task, item)
                out.hint = res.send_create(task, payload, want)
            return

        out.action = "updated"
        out.changed_fields = changed
        payload = res.update_payload(task, item, want, changed, given)
        out.proposed = res.mask_payload(copy.deepcopy(payload))
        out.end_state = res.predict(task, item, want, changed, payload)
        if not task.check_mode:
            out.hint = res.send_update(task, item, payload, want)

    def differences(self, item, want):
        """Canonical fields of ``want`` that differ from the existing item (the update_secret policy included)."""
        res, task = self.resource, self.task
        have = item["canon"]
        changed = []
        for field in sorted(want):
            if field in res.write_only:
                continue
            if not res.equal(task, field, want[field], have.get(field), item):
                changed.append(field)
        for field in res.write_only:
            if _get_path(want, field) is not None and field not in changed \
                    and not task.secret_unchanged(_get_path(want, field), None):
                changed.append(field)
        return changed

    def _delete(self, out, item):
        res, task = self.resource, self.task
        if item is None:
            out.action = "unchanged"
            out.msg = "%s %r is already absent" % (res.kind, out.key)
            return
        if not res.can_delete:
            raise ItemFailure("%s cannot be deleted through the API" % res.kind, key=out.key)
        if out.key in task.protected:
            raise ItemFailure("%s %r is protected and is never deleted" % (res.kind, out.key), key=out.key)
        out.action = "deleted"
        out.end_state = None
        if not task.check_mode:
            res.send_delete(task, item)

    def _read_back(self, outcomes):
        """One fresh read after the writes: the real end_state, and every written field verified."""
        res, task = self.resource, self.task
        written = [o for o in outcomes if o.changed and o.action != "deleted" and not o.failed]
        if task.check_mode or not written:
            return
        fresh = [{"raw": raw, "canon": res.normalize(task, raw)}
                 for raw in res.read_all(task, [o.key for o in written])]
        for out in written:
            item = res.match_written(task, out.hint, out.want, fresh)
            if item is None:
                out.fail(ItemFailure(
                    "the %s was %s, but a read right after the write does not show it: the server did not "
                    "keep the write, or another client removed it meanwhile (a concurrent change); run the "
                    "task again to see the state"
                    % (res.kind, "created" if out.action in ("created", "recreated") else "updated")), written=True)
                continue
            out.end_state = item["canon"]
            fields = sorted(out.want) if out.action in ("created", "recreated") else list(out.changed_fields)
            problems = res.verify_write(task, out.item if out.action == "updated" else None, item, out.want, fields)
            if problems:
                out.fail(ItemFailure(
                    "the read right after the write does not show what was written (%s): the server did not "
                    "take it, or another client changed it meanwhile (a concurrent change); if a rerun reports "
                    "the same, the server does not keep this value and each run would write it again"
                    % "; ".join(text for _field, text in problems),
                    option=task.where.get(out.key, "") + problems[0][0]), written=True)


def masked_diff(resource, before, after):
    """Diff dicts with secrets masked; a changed secret shows as changed, never its value."""
    b = resource.mask(before) if before is not None else {}
    a = resource.mask(after) if after is not None else {}
    if before is not None and after is not None:
        for field in resource.secret_fields:
            if _get_path(before, field) != _get_path(after, field) and _get_path(after, field) is not None:
                _set_path(a, field, SECRET_CHANGED)
    return {"before": b, "after": a}

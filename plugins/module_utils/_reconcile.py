# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconcile engine of sso.oidc (private).

One path for every stateful module: read the existing resources once, normalise
both sides with the resource's one ``normalize`` function, compare only what the
user set, write only on a difference, and read back. Check mode runs the same
path and stops before the write, predicting ``end_state``. A single-resource
module is a set of one: the resource-set modules use this same engine.

A service plugs in by subclassing :class:`Resource`. Two rules bind every service:

* **The payload carries the user's values.** The canonical (normalised) form is for
  comparison only. The engine hands a resource both ``want`` (canonical, to compare) and
  ``given`` (the options as the user wrote them, see :meth:`Resource.given`); a create or
  update body is built from ``given`` (:meth:`Resource.create_payload`,
  :meth:`Resource.update_payload`), so a server that stores what it is sent holds what the
  user wrote, not our comparison form.
* **Every write is verified by its read-back.** After the writes, one read gives the real
  state; each field that was written must read back as intended (compared in canonical form,
  :meth:`Resource.written`); a field the server did not take fails the item with a message
  naming the field and what the server kept (secrets masked). A resource adds its own
  checks in :meth:`Resource.verify_write`. Check mode neither writes nor reads back.
"""

from __future__ import annotations

import copy

from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, ApiError

STATES_WRITE = ("merged", "replaced", "overridden")
#: entry keys that steer the engine and are never resource fields
CONTROL_OPTIONS = ("state", "update_secret", "recreate")
SECRET_CHANGED = MASK + " (changed)"


class InputError(Exception):
    """Invalid user input, found before any network call. The message names the option."""


class Resource(object):
    """Adapter for one kind of resource. Subclasses supply the service facts.

    Canonical form: a dict in option space (the module's snake_case option
    names and types), produced by :meth:`normalize` from an API object and by
    :meth:`desired` from the user's options. Comparing canonical dicts is the
    only comparison the engine makes.

    Contract (every service):

    * Payloads carry the user's values. :meth:`create_payload` and
      :meth:`update_payload` receive ``given`` (:meth:`given`: the options as
      written, ``None`` left out) beside the canonical ``want``, and must put
      ``given``'s values in the body (translated to the API's names and
      encodings, never normalised: no sorting, de-duplication, added defaults
      or reformatted durations). ``want`` only decides *what* changed. Fields
      the user did not give but the body must carry (a whole-object PUT) keep
      the server's own stored values, or, with ``replaced``/``overridden``,
      the documented defaults. The older :meth:`build_create` /
      :meth:`build_update` hooks still work (the default ``*_payload`` calls
      them) for a resource not yet converted.
    * Writes are verified. After the writes the engine reads once more and
      checks every written field with :meth:`written` (default: :meth:`equal`)
      and :meth:`verify_write`; a field the server did not keep fails the item.
      Write-only fields (:attr:`write_only`) cannot be read back and are skipped.
    """

    service = "API"
    kind = "resource"
    key = "name"
    #: canonical fields that hold secrets or hashes of secrets: always masked
    secret_fields = ()
    #: options the API never shows back: governed by update_secret
    write_only = ()
    #: canonical values the server fills in when an option is left out (used by
    #: replaced/overridden and to predict a create)
    defaults = {}
    #: keys that overridden/deleted never remove (beside the user's ``protected``)
    builtin_protected = ()
    can_delete = True

    def __init__(self, client, params=None):
        self.client = client
        self.params = params or {}

    # -- validation (no network) -------------------------------------------
    def validate(self, entry, where, state):
        """Raise InputError for invalid input, before any network call.

        ``where`` prefixes option names in messages ("" or "config[2].");
        ``state`` is the engine state (merged, replaced, overridden, deleted).
        """

    # -- reading ------------------------------------------------------------
    def read_all(self, keys=None):
        """Return the existing API objects. ``keys`` are the keys the task names
        (None: all are wanted). One read of the collection where the API allows."""
        raise NotImplementedError

    def normalize(self, raw):
        """API object -> canonical dict (the one normalisation of this resource)."""
        raise NotImplementedError

    def desired(self, entry):
        """User options -> canonical dict of only the options that were set."""
        return dict((k, copy.deepcopy(v)) for k, v in entry.items()
                    if v is not None and k not in CONTROL_OPTIONS)

    def given(self, entry):
        """The user's options exactly as written (``None`` left out, nested too): what payloads carry."""
        return dict((k, _without_none(v)) for k, v in entry.items()
                    if v is not None and k not in CONTROL_OPTIONS)

    def key_of(self, canon):
        return canon.get(self.key)

    def match(self, want, existing):
        """Return the existing item (dict with 'raw' and 'canon') that ``want`` addresses, or None."""
        key = self.key_of(want)
        found = [item for item in existing if self.key_of(item["canon"]) == key]
        return found[0] if found else None

    def equal(self, field, want, have):
        """Compare one canonical field. Override for special semantics."""
        return want == have

    # -- writing ------------------------------------------------------------
    def create_payload(self, want, given):
        """Body that creates ``want``, carrying the user's values from ``given`` (see the class contract)."""
        return self.build_create(want)

    def update_payload(self, item, want, changed, given):
        """Body that updates ``item`` so that the ``changed`` fields take the user's values from ``given``."""
        return self.build_update(item, want, changed)

    def build_create(self, want):
        """Payload to create ``want`` (canonical). Returns the API body."""
        raise NotImplementedError

    def build_update(self, item, want, changed):
        """Payload to update existing ``item`` so that ``changed`` fields take ``want``'s values."""
        raise NotImplementedError

    def send_create(self, payload, want):
        """Create; returns a hint used by :meth:`match_written` (e.g. the server id) or None."""
        raise NotImplementedError

    def send_update(self, item, payload, want):
        raise NotImplementedError

    def send_delete(self, item):
        raise NotImplementedError

    def recreate_needed(self, item, want):
        """Fields whose change needs delete + create (e.g. a provider type). Empty when none."""
        return []

    def predict(self, item, want, changed):
        """The canonical state expected after the write (check mode and diff)."""
        base = copy.deepcopy(item["canon"]) if item else copy.deepcopy(self.defaults)
        for field in changed:
            if field in want:
                base[field] = copy.deepcopy(want[field])
        if item is None:
            base.update(copy.deepcopy(want))
        for field in self.write_only:
            _del_path(base, field.split("."))
        return base

    def match_written(self, hint, want, existing):
        """Find the object a write produced in a fresh read."""
        return self.match(want, existing)

    # -- read-back ----------------------------------------------------------
    def written(self, field, want, have, item):
        """Whether ``field`` read back (``have``, in the fresh ``item``) as written (``want``)."""
        return self.equal(field, want, have)

    def verify_write(self, before, after, want, fields):
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
            if not self.written(field, wanted, kept, after):
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
        self.failed = False
        self.hint = None
        self.want = None
        self.item = None

    @property
    def changed(self):
        return self.action in ("created", "updated", "deleted", "recreated")


class Engine(object):
    """Reconciles a list of desired entries against one read of the existing resources."""

    def __init__(self, resource, check_mode=False, update_secret="on_create", protected=(),
                 recreate=False):
        self.resource = resource
        self.check_mode = check_mode
        self.update_secret = update_secret
        self.protected = set(resource.builtin_protected) | set(protected or ())
        self.recreate = recreate

    # ------------------------------------------------------------------------
    def run(self, entries, state):
        res = self.resource
        if state not in ("merged", "replaced", "overridden", "deleted", "gathered"):
            raise InputError("state: unknown state %r" % state)
        existing = self._read(entries, state)
        if state == "gathered":
            return [], existing

        outcomes = []
        touched = set()
        for entry in entries:
            want = res.desired(entry)
            key = res.key_of(want)
            out = Outcome(key)
            outcomes.append(out)
            try:
                item = res.match(want, existing)
            except InputError as exc:
                out.action, out.failed, out.msg = "failed", True, str(exc)
                continue
            if item is not None:
                touched.add(id(item))
            out.item = item
            out.existing = item["canon"] if item else None
            try:
                if state == "deleted":
                    self._delete(out, item)
                else:
                    if state in ("replaced", "overridden") and item is not None:
                        want = self._with_defaults(want)
                    self._present(out, item, want, entry)
            except (ApiError, InputError) as exc:  # InputError: input this item's write needs (after the read)
                out.action, out.failed, out.msg = "failed", True, str(exc)

        if state == "overridden" or (state == "deleted" and not entries):
            for item in existing:
                key = res.key_of(item["canon"])
                if id(item) in touched or key in self.protected:
                    continue
                out = Outcome(key)
                out.item = item
                out.existing = item["canon"]
                outcomes.append(out)
                try:
                    self._delete(out, item)
                except (ApiError, InputError) as exc:
                    out.action, out.failed, out.msg = "failed", True, str(exc)

        self._read_back(outcomes, existing)
        return outcomes, existing

    # ------------------------------------------------------------------------
    def _read(self, entries, state):
        res = self.resource
        keys = None
        if state in ("merged", "replaced") or (state == "deleted" and entries):
            keys = [res.key_of(res.desired(e)) for e in entries]
        raws = res.read_all(keys)
        return [{"raw": raw, "canon": res.normalize(raw)} for raw in raws]

    def _with_defaults(self, want):
        merged = copy.deepcopy(self.resource.defaults)
        merged.update(want)
        return merged

    def _present(self, out, item, want, entry):
        res = self.resource
        out.want = want
        given = res.given(entry)
        if item is None:
            out.action = "created"
            out.changed_fields = sorted(want)
            payload = res.create_payload(want, given)
            out.proposed = res.mask_payload(copy.deepcopy(payload))
            out.end_state = res.predict(None, want, out.changed_fields)
            if not self.check_mode:
                out.hint = res.send_create(payload, want)
            return

        changed = self.differences(item, want)
        if not changed:
            out.action = "unchanged"
            out.end_state = item["canon"]
            return

        recreate_fields = res.recreate_needed(item, want)
        if recreate_fields:
            if not (self.recreate or entry.get("recreate")):
                raise_input = InputError(
                    "%s %r: changing %s needs the %s to be deleted and created again; set recreate=true to allow it"
                    % (res.kind, out.key, ", ".join(recreate_fields), res.kind))
                out.action, out.failed, out.msg = "failed", True, str(raise_input)
                return
            out.action = "recreated"
            out.changed_fields = changed
            payload = res.create_payload(want, given)
            out.proposed = res.mask_payload(copy.deepcopy(payload))
            out.end_state = res.predict(None, want, sorted(want))
            if not self.check_mode:
                res.send_delete(item)
                out.hint = res.send_create(payload, want)
            return

        out.action = "updated"
        out.changed_fields = changed
        payload = res.update_payload(item, want, changed, given)
        out.proposed = res.mask_payload(copy.deepcopy(payload))
        out.end_state = res.predict(item, want, changed)
        if not self.check_mode:
            out.hint = res.send_update(item, payload, want)

    def differences(self, item, want):
        """Canonical fields of ``want`` that differ from the existing item."""
        res = self.resource
        have = item["canon"]
        changed = []
        for field in sorted(want):
            if field in res.write_only:
                continue
            if not res.equal(field, want[field], have.get(field)):
                changed.append(field)
        if self.update_secret == "always":
            for field in res.write_only:
                if _get_path(want, field) is not None and field not in changed:
                    changed.append(field)
        return changed

    def _delete(self, out, item):
        res = self.resource
        if item is None:
            out.action = "unchanged"
            out.msg = "%s %r is already absent" % (res.kind, out.key)
            return
        if not res.can_delete:
            raise InputError("%s cannot be deleted through the API" % res.kind)
        if out.key in self.protected:
            out.action, out.failed = "failed", True
            out.msg = "%s %r is protected and is never deleted" % (res.kind, out.key)
            return
        out.action = "deleted"
        out.end_state = None
        if not self.check_mode:
            res.send_delete(item)

    def _read_back(self, outcomes, existing):
        """One fresh read after the writes: the real end_state, and every written field verified."""
        res = self.resource
        written = [o for o in outcomes if o.changed and o.action != "deleted" and not o.failed]
        if self.check_mode or not written:
            return
        fresh = [{"raw": raw, "canon": res.normalize(raw)}
                 for raw in res.read_all([o.key for o in written])]
        for out in written:
            item = res.match_written(out.hint, out.want, fresh)
            if item is None:
                out.failed = True
                out.msg = ("the %s was %s, but a read right after the write does not show it: the server did not "
                           "keep the write, or another client removed it meanwhile (a concurrent change); run the "
                           "task again to see the state"
                           % (res.kind, "created" if out.action in ("created", "recreated") else "updated"))
                continue
            out.end_state = item["canon"]
            fields = sorted(out.want) if out.action in ("created", "recreated") else list(out.changed_fields)
            problems = res.verify_write(out.item if out.action == "updated" else None, item, out.want, fields)
            if problems:
                out.failed = True
                out.msg = ("the read right after the write does not show what was written (%s): the server did not "
                           "take it, or another client changed it meanwhile (a concurrent change); if a rerun reports "
                           "the same, the server does not keep this value and each run would write it again"
                           % "; ".join(text for _field, text in problems))


def masked_diff(resource, before, after):
    """Diff dicts with secrets masked; a changed secret shows as changed, never its value."""
    b = resource.mask(before) if before is not None else {}
    a = resource.mask(after) if after is not None else {}
    if before is not None and after is not None:
        for field in resource.secret_fields:
            if _get_path(before, field) != _get_path(after, field) and _get_path(after, field) is not None:
                _set_path(a, field, SECRET_CHANGED)
    return {"before": b, "after": a}

# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconcile engine of sso.oidc (private).

One path for every stateful module: read the existing resources once, normalise
both sides with the resource's one ``normalize`` function, compare only what the
user set, write only on a difference, and read back. Check mode runs the same
path and stops before the write, predicting ``end_state``. A single-resource
module is a set of one: the resource-set modules use this same engine.

A service plugs in by subclassing :class:`Resource`.
"""

from __future__ import annotations

import copy

from ansible_collections.sso.oidc.plugins.module_utils._http import MASK, ApiError

STATES_WRITE = ("merged", "replaced", "overridden")
SECRET_CHANGED = MASK + " (changed)"


class InputError(Exception):
    """Invalid user input, found before any network call. The message names the option."""


class Resource(object):
    """Adapter for one kind of resource. Subclasses supply the service facts.

    Canonical form: a dict in option space (the module's snake_case option
    names and types), produced by :meth:`normalize` from an API object and by
    :meth:`desired` from the user's options. Comparing canonical dicts is the
    only comparison the engine makes.
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
                    if v is not None and k not in ("state", "update_secret", "recreate"))

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
        if item is None:
            out.action = "created"
            out.changed_fields = sorted(want)
            payload = res.build_create(want)
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
            payload = res.build_create(want)
            out.proposed = res.mask_payload(copy.deepcopy(payload))
            out.end_state = res.predict(None, want, sorted(want))
            if not self.check_mode:
                res.send_delete(item)
                out.hint = res.send_create(payload, want)
            return

        out.action = "updated"
        out.changed_fields = changed
        payload = res.build_update(item, want, changed)
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
        res = self.resource
        written = [o for o in outcomes if o.changed and o.action != "deleted" and not o.failed]
        if self.check_mode or not written:
            return
        fresh = [{"raw": raw, "canon": res.normalize(raw)}
                 for raw in res.read_all([o.key for o in written])]
        for out in written:
            item = res.match_written(out.hint, out.want, fresh)
            if item is not None:
                out.end_state = item["canon"]


def masked_diff(resource, before, after):
    """Diff dicts with secrets masked; a changed secret shows as changed, never its value."""
    b = resource.mask(before) if before is not None else {}
    a = resource.mask(after) if after is not None else {}
    if before is not None and after is not None:
        for field in resource.secret_fields:
            if _get_path(before, field) != _get_path(after, field) and _get_path(after, field) is not None:
                _set_path(a, field, SECRET_CHANGED)
    return {"before": b, "after": a}

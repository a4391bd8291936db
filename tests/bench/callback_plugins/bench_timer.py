# -*- coding: utf-8 -*-
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback of the sso.oidc benchmark: the wall time of every task, as JSON.

Enabled by ``tests/bench/run.py`` only (``ANSIBLE_CALLBACKS_ENABLED=bench_timer``);
it writes ``{"play": seconds, "tasks": [{"name", "seconds", "items", "changed",
"skipped", "failed"}]}`` to the file named by ``SSO_OIDC_BENCH_TIMER_OUT``.
A task runs from its start event to the last result of its host; with one
host (localhost) that is the whole task, loop items included.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: bench_timer
type: aggregate
short_description: Task timings of the sso.oidc benchmark
description:
  - Writes the wall time of every task and of the play to the JSON file named by E(SSO_OIDC_BENCH_TIMER_OUT).
requirements:
  - enabled in the callbacks setting
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.tasks = []
        self.current = None
        self.play_start = None
        self.last_end = None

    def _start(self, task):
        now = time.perf_counter()
        if self.play_start is None:
            self.play_start = now
        self.current = {"name": task.get_name(), "start": now, "end": now,
                        "items": 0, "changed": 0, "skipped": 0, "failed": 0, "ok": 0,
                        "loop": bool(getattr(task, "loop", None) or getattr(task, "loop_with", None))}
        self.tasks.append(self.current)

    def _result(self, kind, result):
        if self.current is None:
            return
        now = time.perf_counter()
        self.current["end"] = now
        self.last_end = now
        data = getattr(result, "_result", None) or {}
        items = data.get("results")
        if self.current["loop"] and isinstance(items, list):
            self.current["items"] += len(items)
            for item in items:
                if item.get("failed"):
                    self.current["failed"] += 1
                elif item.get("skipped"):
                    self.current["skipped"] += 1
                elif item.get("changed"):
                    self.current["changed"] += 1
                else:
                    self.current["ok"] += 1
        else:
            self.current[kind] += 1

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_runner_on_ok(self, result):
        self._result("changed" if result._result.get("changed") else "ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result("failed", result)

    def v2_runner_on_skipped(self, result):
        self._result("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._result("failed", result)

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("SSO_OIDC_BENCH_TIMER_OUT")
        if not path:
            return
        tasks = []
        for task in self.tasks:
            entry = dict((k, v) for k, v in task.items() if k not in ("start", "end", "loop"))
            entry["seconds"] = round(task["end"] - task["start"], 4)
            tasks.append(entry)
        play = (self.last_end - self.play_start) if self.play_start is not None and self.last_end else 0.0
        with open(path, "w") as handle:
            json.dump({"play": round(play, 4), "tasks": tasks}, handle, indent=1)

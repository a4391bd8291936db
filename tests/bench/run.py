# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sso.oidc benchmark: N Checkmarx OIDC clients, four ways, against the simulator.

    .venv/bin/python tests/bench/run.py [--n 100] [--repeat 3]

Starts the simulator harness (Checkmarx only) in this process, then for every
repetition and every variant: resets the simulator, runs the variant's playbook
once on the empty server (CREATE of N clients) and once more with nothing to
change (RERUN). Variants (playbooks under tests/bench/playbooks/):

* ``uri``: the ansible.builtin.uri playbook written today (one login, one GET of
  the list, ``when:``-skipped POST/PUT per client);
* ``single``: sso.oidc.cx_oidc_client in a loop (one task per client);
* ``single_token``: the same loop with a token obtained once per play;
* ``set``: sso.oidc.cx_oidc_clients, one task;
* ``ping``: ansible.builtin.ping in the same loop, the floor (run once per repetition;
  it does the same with or without clients on the server).

Time is measured two ways: ``wall`` is the whole ansible-playbook process
(interpreter start, inventory and playbook parsing included, about one second
that every playbook pays), ``play`` is from the start of the first task to the
last result of the last task (a callback, tests/bench/callback_plugins). The
requests every run made come from the simulator's request log. Each run is
checked (exit code, no failed task, the server holds the N clients, a rerun
writes nothing); a run that fails a check makes the benchmark exit non-zero.

Writes tests/output/bench/results.json and renders the results block of
docs/performance.md (between the ``bench:begin``/``bench:end`` markers).
Not part of the test suite: run it on demand on a quiet machine.
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
REPO = os.path.dirname(TESTS)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from conftest import COLLECTIONS_ROOT, ansible_env, write_inventory  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOKS = os.path.join(HERE, "playbooks")
DEFAULT_OUTPUT = os.path.join(TESTS, "output", "bench", "results.json")
DEFAULT_DOC = os.path.join(REPO, "docs", "performance.md")
BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
PREFIX = "bench-app-"


class Variant(object):
    def __init__(self, name, label, playbook, scenarios=("create", "rerun"), loop_task=None, extra_args=()):
        self.name = name
        self.label = label
        self.playbook = playbook
        self.scenarios = scenarios
        self.loop_task = loop_task
        self.extra_args = list(extra_args)


VARIANTS = [
    Variant("uri", "(a) ansible.builtin.uri playbook", "cx_uri.yml"),
    Variant("single", "(b) cx_oidc_client in a loop", "cx_single.yml", loop_task="Ensure each OIDC client"),
    Variant("single_token", "(b') cx_oidc_client in a loop, token once per play", "cx_single_token.yml",
            loop_task="Ensure each OIDC client"),
    Variant("single_process", "(b'') cx_oidc_client in a loop, as module processes (sso_oidc_in_process=false)",
            "cx_single.yml", loop_task="Ensure each OIDC client", extra_args=("-e", "sso_oidc_in_process=false")),
    Variant("set", "(c) cx_oidc_clients, one task", "cx_set.yml"),
    Variant("ping", "(d) ansible.builtin.ping loop (floor)", "ping.yml", scenarios=("loop",),
            loop_task="Ping once per client"),
]
BY_NAME = dict((v.name, v) for v in VARIANTS)


def bench_clients(n):
    """The desired state: n web applications that sign in with the authorization code flow."""
    clients = []
    for i in range(1, n + 1):
        host = "app-%03d.bench.example.com" % i
        clients.append({
            "client_id": "%s%03d" % (PREFIX, i),
            "name": "Benchmark application %03d" % i,
            "enabled": True,
            "require_client_secret": True,
            "client_secrets": ["bench-secret-%03d-6f1d0c2e9a" % i],
            "allowed_grant_types": ["authorization_code"],
            "allowed_scopes": ["openid", "profile", "email", "offline_access"],
            "redirect_uris": ["https://%s/oidc/callback" % host],
            "post_logout_redirect_uris": ["https://%s/" % host],
            "allow_offline_access": True,
            "access_token_lifetime": 1800,
        })
    return clients


# ---------------------------------------------------------------------------- simulator
class Control(object):
    """The Checkmarx simulator's control API."""

    def __init__(self, harness, name="checkmarx"):
        self.harness = harness
        self.base = harness.apps[name].url + "/_sim"

    def call(self, method, sub, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + sub, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=self.harness.pki.client_context(), timeout=30) as resp:
            return json.loads(resp.read().decode() or "null")

    def reset(self):
        self.call("POST", "/reset")

    def clear_log(self):
        self.call("DELETE", "/requests")

    def log(self):
        return self.call("GET", "/requests")["requests"]

    def state(self):
        return self.call("GET", "/state")


def count_requests(log):
    """Token calls, reads of the list, other reads and writes, from the simulator's request log."""
    out = {"total": len(log), "token": 0, "list_reads": 0, "other_reads": 0, "writes": 0, "by_method": {}}
    for entry in log:
        method, path = entry["method"], entry["path"]
        out["by_method"][method] = out["by_method"].get(method, 0) + 1
        if path.lower().endswith("/identity/connect/token"):
            out["token"] += 1
        elif method == "GET" and re.search(r"/OIDCClients/?$", path, re.I):
            out["list_reads"] += 1
        elif method in ("GET", "HEAD", "OPTIONS"):
            out["other_reads"] += 1
        else:
            out["writes"] += 1
    return out


def bench_client_ids(state):
    """clientIds of the benchmark's clients found anywhere in the simulator state."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            cid = node.get("clientId")
            if isinstance(cid, str) and cid.startswith(PREFIX):
                found.add(cid)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(state)
    return found


# ---------------------------------------------------------------------------- running
def run_playbook(variant, workdir, vars_path, inventory, env=None):
    """Run the variant's playbook; returns (process, wall seconds, the timer callback's JSON)."""
    timer_path = os.path.join(workdir, "timer.json")
    if os.path.exists(timer_path):
        os.remove(timer_path)
    extra = {
        "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback_plugins"),
        "ANSIBLE_CALLBACKS_ENABLED": "bench_timer",
        "SSO_OIDC_BENCH_TIMER_OUT": timer_path,
    }
    extra.update(env or {})
    env = ansible_env(extra)
    playbook = variant if isinstance(variant, str) else variant.playbook
    extra_args = [] if isinstance(variant, str) else variant.extra_args
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory,
           "-e", "@" + vars_path] + extra_args + [os.path.join(PLAYBOOKS, playbook)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=workdir, timeout=1800,
                          stdin=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    timer = {}
    if os.path.exists(timer_path):
        with open(timer_path) as handle:
            timer = json.load(handle)
    # CPU seconds of ansible-playbook and everything it ran (workers, modules): less sensitive than
    # wall time to other load on the machine.
    timer["cpu"] = round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 3)
    return proc, wall, timer


def measure(variant, scenario, control, workdir, vars_path, inventory, n):
    control.clear_log()
    proc, wall, timer = run_playbook(variant, workdir, vars_path, inventory)
    log = control.log()
    counts = count_requests(log)
    problems = []
    recap = re.findall(r"failed=(\d+)", proc.stdout)
    if proc.returncode != 0 or not recap or any(x != "0" for x in recap):
        problems.append("ansible-playbook rc=%s:\n%s" % (proc.returncode, (proc.stdout + proc.stderr)[-3000:]))
    if variant.name != "ping":
        have = bench_client_ids(control.state())
        if len(have) != n:
            problems.append("the server holds %d of the %d benchmark clients" % (len(have), n))
        if scenario == "rerun" and counts["writes"]:
            problems.append("the rerun wrote %d time(s); it must write nothing" % counts["writes"])
        if scenario == "create" and counts["writes"] != n:
            problems.append("the create wrote %d time(s) for %d clients" % (counts["writes"], n))
    elif counts["total"]:
        problems.append("the ping loop reached the simulator")
    loop = None
    if variant.loop_task:
        for task in timer.get("tasks", []):
            if task["name"] == variant.loop_task:
                loop = task
    return {
        "variant": variant.name,
        "scenario": scenario,
        "wall": round(wall, 3),
        "play": timer.get("play"),
        "cpu": timer.get("cpu"),
        "tasks": timer.get("tasks", []),
        "loop_seconds": loop["seconds"] if loop else None,
        "loop_items": loop["items"] if loop else None,
        "requests": counts,
        "ok": not problems,
        "problems": problems,
    }


def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def summarize(runs, n):
    groups = {}
    for run in runs:
        groups.setdefault((run["variant"], run["scenario"]), []).append(run)
    rows = {}
    for (name, scenario), items in groups.items():
        loops = [r["loop_seconds"] for r in items]
        row = {
            "variant": name, "scenario": scenario, "runs": len(items),
            "wall": median([r["wall"] for r in items]),
            "play": median([r["play"] for r in items]),
            "cpu": median([r["cpu"] for r in items]),
            "wall_all": [r["wall"] for r in items],
            "play_all": [r["play"] for r in items],
            "per_item": median([x / n for x in loops if x is not None]) if any(x is not None for x in loops) else None,
            "requests": items[-1]["requests"],
            "requests_stable": all(r["requests"] == items[-1]["requests"] for r in items),
            "ok": all(r["ok"] for r in items),
        }
        rows["%s/%s" % (name, scenario)] = row
    return rows


def evaluate(rows, n):
    """The issue's targets, each with the numbers it was decided on."""
    def get(key, field):
        row = rows.get(key)
        return row.get(field) if row else None

    targets = []
    uri, setm = get("uri/rerun", "play"), get("set/rerun", "play")
    req = get("set/rerun", "requests") or {}
    if uri and setm:
        targets.append({
            "target": "set module rerun <= 1/3 of the uri playbook's rerun (play time)",
            "value": "%.2f s vs %.2f s: %.2f of it" % (setm, uri, setm / uri),
            "met": setm <= uri / 3.0,
        })
        targets.append({
            "target": "set module rerun: exactly 1 token call, 1 read, 0 writes per task",
            "value": "%d token, %d list read, %d other reads, %d writes" % (
                req.get("token", -1), req.get("list_reads", -1), req.get("other_reads", -1), req.get("writes", -1)),
            "met": (req.get("token"), req.get("list_reads"), req.get("other_reads"), req.get("writes")) == (1, 1, 0, 0),
        })
    uri_c, set_c = get("uri/create", "play"), get("set/create", "play")
    if uri_c and set_c:
        targets.append({
            "target": "set module create of %d faster than the uri playbook's create (play time)" % n,
            "value": "%.2f s vs %.2f s" % (set_c, uri_c),
            "met": set_c < uri_c,
        })
    single, ping = get("single/rerun", "per_item"), get("ping/loop", "per_item")
    if single and ping:
        targets.append({
            "target": "unchanged cx_oidc_client task <= 1.25 x an ansible.builtin.ping task in the same loop",
            "value": "%.3f s vs %.3f s per item: %.2f x" % (single, ping, single / ping),
            "met": single <= 1.25 * ping,
        })
    single_cpu, ping_cpu = get("single/rerun", "cpu"), get("ping/loop", "cpu")
    if single_cpu and ping_cpu:
        targets.append({
            "target": "(cross-check: CPU seconds of the whole run, unchanged cx_oidc_client loop vs ping loop)",
            "value": "%.1f s vs %.1f s: %.2f x" % (single_cpu, ping_cpu, single_cpu / ping_cpu),
            "met": single_cpu <= 1.25 * ping_cpu,
        })
    single_t = get("single_token/rerun", "per_item")
    if single_t and ping:
        targets.append({
            "target": "(same, with a token obtained once per play)",
            "value": "%.3f s vs %.3f s per item: %.2f x" % (single_t, ping, single_t / ping),
            "met": single_t <= 1.25 * ping,
        })
    single_p = get("single_process/rerun", "per_item")
    if single_p and ping:
        targets.append({
            "target": "(for comparison, not a target: the same loop as module processes, sso_oidc_in_process=false)",
            "value": "%.3f s vs %.3f s per item: %.2f x" % (single_p, ping, single_p / ping),
            "met": None,
        })
    return targets


# ---------------------------------------------------------------------------- facts and output
def machine_facts():
    import ansible
    import requests

    cpu = ""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "ansible_core": ansible.__version__,
        "requests": requests.__version__,
        "platform": platform.platform(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def fmt(value, digits=2):
    if value is None:
        return "-"
    return ("%%.%df" % digits) % value


def requests_cell(req):
    if not req:
        return "-"
    return "%d (%d token, %d list, %d other reads, %d writes)" % (
        req["total"], req["token"], req["list_reads"], req["other_reads"], req["writes"])


def table(rows, scenario, n):
    lines = ["| Variant | play (s) | vs uri | wall (s) | CPU (s) | per item (s) | requests per run |",
             "|---|---:|---:|---:|---:|---:|---|"]
    uri = rows.get("uri/%s" % scenario, {}).get("play")
    for variant in VARIANTS:
        row = rows.get("%s/%s" % (variant.name, scenario)) or rows.get("%s/loop" % variant.name)
        if not row:
            continue
        label = variant.label + (" \\*" if variant.name == "ping" else "")
        ratio = "%.2f x" % (row["play"] / uri) if uri and row["play"] else "-"
        req = "-" if variant.name == "ping" else requests_cell(row["requests"])
        if not row["requests_stable"]:
            req += " (varied between runs)"
        if not row["ok"]:
            req += " **CHECK FAILED**"
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            label, fmt(row["play"]), ratio, fmt(row["wall"]), fmt(row["cpu"]), fmt(row["per_item"], 3), req))
    return "\n".join(lines)


def render(result):
    facts, rows, n = result["machine"], result["summary"], result["n"]
    out = [BEGIN, "",
           "Run of %s: `%s`" % (facts["date"], result["command"]), "",
           "Machine: %s CPU(s) (%s), Python %s, ansible-core %s, requests %s, %s; load average %s at the start, "
           "%s at the end." % (facts["nproc"], facts["cpu"] or "unknown CPU", facts["python"], facts["ansible_core"],
                               facts["requests"], facts["platform"],
                               " / ".join(map(str, facts["loadavg_start"])),
                               " / ".join(map(str, facts.get("loadavg_end", [])))), "",
           "Median of %d run(s) each, N = %d clients. *play* runs from the first task's start to the last task's "
           "end; *wall* is the whole `ansible-playbook` process; *CPU* is the user + system time of that process "
           "and everything it ran (workers, modules), the measure least disturbed by other load on the machine. "
           "*per item* is the loop task's play time divided by N. "
           "\\* The ping loop runs once per repetition and is shown in both tables." % (result["repeat"], n), "",
           "### Rerun: %d clients exist, nothing to change" % n, "", table(rows, "rerun", n), "",
           "### Create: %d clients on an empty server" % n, "", table(rows, "create", n), "",
           "### Targets", "", "| Target | Measured | Met |", "|---|---|---|"]
    for target in result["targets"]:
        met = "-" if target["met"] is None else ("yes" if target["met"] else "**no**")
        out.append("| %s | %s | %s |" % (target["target"], target["value"], met))
    out += ["", END]
    return "\n".join(out)


def write_doc(path, block):
    text = ""
    if os.path.exists(path):
        with open(path) as handle:
            text = handle.read()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = (text.rstrip() + "\n\n" if text else "# Performance\n\n") + "## Results\n\n" + block + "\n"
    with open(path, "w") as handle:
        handle.write(text)


def print_table(rows, n):
    print("")
    for scenario in ("rerun", "create"):
        print("%s of %d:" % (scenario.upper(), n))
        print("  %-52s %8s %8s %8s %8s  %s" % ("variant", "play s", "wall s", "cpu s", "item s", "requests"))
        for variant in VARIANTS:
            row = rows.get("%s/%s" % (variant.name, scenario)) or rows.get("%s/loop" % variant.name)
            if not row:
                continue
            print("  %-52s %8s %8s %8s %8s  %s%s" % (
                variant.label, fmt(row["play"]), fmt(row["wall"]), fmt(row["cpu"]), fmt(row["per_item"], 3),
                "-" if variant.name == "ping" else requests_cell(row["requests"]),
                "" if row["ok"] else "  CHECK FAILED"))
        print("")


# ---------------------------------------------------------------------------- main
def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--n", type=int, default=100, help="number of OIDC clients (default 100)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is kept")
    parser.add_argument("--variants", default=",".join(v.name for v in VARIANTS),
                        help="comma-separated subset of: %s" % ", ".join(v.name for v in VARIANTS))
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="results JSON (default tests/output/bench/results.json)")
    parser.add_argument("--doc", default=DEFAULT_DOC, help="markdown file whose results block is rendered")
    parser.add_argument("--no-doc", action="store_true", help="do not touch the markdown file")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (logs, vars)")
    args = parser.parse_args(argv)
    unknown = [v for v in args.variants.split(",") if v not in BY_NAME]
    if unknown:
        parser.error("unknown variant(s): %s" % ", ".join(unknown))
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be at least 1")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from simulators.harness import Harness

    variants = [BY_NAME[v] for v in args.variants.split(",")]
    workdir = tempfile.mkdtemp(prefix="sso-oidc-bench-")
    harness = Harness(os.path.join(workdir, "sim"), names=["checkmarx"], persist=False, oidc=False).start()
    if "checkmarx" not in harness.apps:
        harness.stop()
        sys.exit("the Checkmarx simulator (tests/simulators/checkmarx.py) is missing")
    facts = machine_facts()
    control = Control(harness)
    vars_path = os.path.join(workdir, "vars.json")
    with open(vars_path, "w") as handle:
        json.dump({"sim": harness.describe(), "bench_clients": bench_clients(args.n)}, handle)
    inventory = write_inventory(workdir)
    runs = []
    started = time.time()
    try:
        for rep in range(args.repeat):
            # Rotate the order so that drift on the machine does not favour one variant.
            order = variants[rep % len(variants):] + variants[:rep % len(variants)]
            for variant in order:
                control.reset()
                for scenario in variant.scenarios:
                    run = measure(variant, scenario, control, workdir, vars_path, inventory, args.n)
                    run["repetition"] = rep + 1
                    runs.append(run)
                    print("[%d/%d] %-13s %-6s play %6s s  wall %6s s  requests %s%s" % (
                        rep + 1, args.repeat, variant.name, scenario, fmt(run["play"]), fmt(run["wall"]),
                        run["requests"]["total"], "" if run["ok"] else "  CHECK FAILED: " + "; ".join(run["problems"])),
                        flush=True)
    finally:
        harness.stop()
    facts["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    rows = summarize(runs, args.n)
    command = ".venv/bin/python tests/bench/run.py --n %d --repeat %d" % (args.n, args.repeat)
    if args.variants != ",".join(v.name for v in VARIANTS):
        command += " --variants %s" % args.variants
    result = {"command": command, "n": args.n, "repeat": args.repeat, "machine": facts,
              "seconds": round(time.time() - started, 1), "summary": rows, "targets": evaluate(rows, args.n),
              "runs": runs, "collections_root": COLLECTIONS_ROOT}
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as handle:
        json.dump(result, handle, indent=1)
    print_table(rows, args.n)
    for target in result["targets"]:
        verdict = {None: "info", True: "met"}.get(target["met"], "NOT MET")
        print("  [%s] %s: %s" % (verdict, target["target"], target["value"]))
    print("\nresults: %s" % args.output)
    if not args.no_doc:
        write_doc(args.doc, render(result))
        print("rendered: %s" % args.doc)
    if args.keep:
        print("working directory: %s" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    failed = [r for r in runs if not r["ok"]]
    if failed:
        print("\n%d run(s) failed their checks:" % len(failed))
        for run in failed:
            print("- %s/%s #%d: %s" % (run["variant"], run["scenario"], run["repetition"], "; ".join(run["problems"])))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

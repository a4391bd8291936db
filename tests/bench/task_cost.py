# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the time of one unchanged task goes: Ansible's share, the module's imports, its work.

    .venv/bin/python tests/bench/task_cost.py [--n 100] [--runs 15] [--loop 20] [--loop-rounds 5]

1. Starts the Checkmarx simulator and creates the benchmark's N clients (cx_oidc_clients).
2. Runs tests/bench/playbooks/task_cost.yml (ping, an unchanged cx_oidc_client, an unchanged
   cx_oidc_clients of N) with ANSIBLE_KEEP_REMOTE_FILES=1 and keeps the AnsiballZ payloads.
3. Times each payload as a plain process (``python AnsiballZ_<module>.py``), ``--runs`` times in
   rotation, and checks each answer (no failure, no change) and the simulator log.
4. ``python -X importtime`` on each payload: import time by origin (ansible-core, the requests stack,
   the standard library, sso.oidc), and what the Checkmarx module imports beyond ping.
5. ``python -m cProfile`` on each payload: the phases (imports, AnsibleModule, HTTP, engine, exit).
6. With ``--loop M`` (default 20): the ping and cx_oidc_client loops of run.py with M items, in
   rotation, so that Ansible's own share of a task (loop item time minus the module process) shows.

Writes tests/output/bench/task_cost.json and renders the ``task-cost`` block of docs/performance.md.

Per release line (``--lines 2.16,2.17,2.18,2.19,2.20,2.21``): for each line, the loop measurement above
(ping, cx_oidc_client in the worker process, cx_oidc_client as module processes, side by side, in
rotation) runs in one run under that line's controller venv (``.venvs/core-<line>``, made by
``bash scripts/matrix.sh venv <line>``; ``2.19`` is the pinned ``.venv``), with that venv's Python as
the module interpreter. Writes tests/output/bench/task_cost_lines.json and renders the
``task-cost-lines`` block of docs/performance.md. A line whose venv is missing is reported, not measured.
"""

import argparse
import json
import os
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import run as bench  # noqa: E402  pylint: disable=wrong-import-position

DEFAULT_OUTPUT = os.path.join(bench.TESTS, "output", "bench", "task_cost.json")
BEGIN = "<!-- task-cost:begin -->"
END = "<!-- task-cost:end -->"
PAYLOADS = ("ping", "cx_oidc_client", "cx_oidc_clients")
REQUESTS_STACK = ("requests", "urllib3", "charset_normalizer", "chardet", "idna", "certifi")
MODULE_PROCESS = "cx_oidc_client (module process)"


def as_processes(playbook):
    """The playbook with the modules run as processes (AnsiballZ), not in Ansible's worker process."""
    return bench.Variant(playbook, playbook, playbook, extra_args=("-e", "sso_oidc_in_process=false"))


HEAVY = ("botocore", "boto3", "jsonschema", "openapi_core", "cryptography", "yaml", "ansible.module_utils.urls",
         "hypothesis")


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def origin(name):
    top = name.split(".")[0]
    if name.startswith("ansible_collections."):
        return "sso.oidc"
    if top == "ansible":
        return "ansible-core"
    if top in REQUESTS_STACK:
        return "requests stack"
    return "standard library"


def parse_importtime(text):
    """{module: (self us, cumulative us, depth)} and the total of the top-level imports."""
    mods = {}
    total = 0
    for line in text.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not match:
            continue
        self_us, cum_us, indent, name = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
        depth = (len(indent) - 1) // 2
        mods[name] = (self_us, cum_us, depth)
        if depth == 0:
            total += cum_us
    return mods, total


# cProfile as ``python -m cProfile`` would strip the standard library from sys.path: the AnsiballZ
# wrapper drops the directory of ``__main__.__file__``. From ``-c`` there is no such file.
PROFILE_RUNNER = """
import cProfile, runpy, sys
out, payload = sys.argv[1], sys.argv[2]
sys.argv = [payload]
prof = cProfile.Profile()
prof.enable()
try:
    runpy.run_path(payload, run_name="__main__")
except SystemExit:
    pass
finally:
    prof.disable()
    prof.dump_stats(out)
"""


def run_payload(path, extra_args=(), env=None, cpu=None):
    """Run a payload as a plain process: (process, wall seconds); CPU seconds are appended to ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable] + list(extra_args) + [path], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return proc, wall


def profile_payload(path, out, env=None):
    return subprocess.run([sys.executable, "-c", PROFILE_RUNNER, out, path], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL, env=env, check=False)


def answer(proc):
    for line in reversed(proc.stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def profile_phases(prof_path):
    """Cumulative seconds of the phases of a module run, from a cProfile dump."""
    stats = pstats.Stats(prof_path)
    phases = {"imports": 0.0, "AnsibleModule (argument spec)": 0.0, "HTTP (requests, TLS, server)": 0.0,
              "ApiClient / requests.Session setup": 0.0, "engine (read, normalise, compare)": 0.0,
              "exit_json (result, scrubbing)": 0.0}
    total = stats.total_tt
    engine = http_in_engine = 0.0
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        base = os.path.basename(filename)
        if func == "_find_and_load" and "importlib" in filename:
            phases["imports"] = max(phases["imports"], ct)
        elif base == "basic.py" and func == "__init__" and "module_utils" in filename:
            phases["AnsibleModule (argument spec)"] = max(phases["AnsibleModule (argument spec)"], ct)
        elif base == "_http.py" and func == "request":
            phases["HTTP (requests, TLS, server)"] = max(phases["HTTP (requests, TLS, server)"], ct)
        elif base == "_http.py" and func == "__init__":
            phases["ApiClient / requests.Session setup"] += ct
        elif base == "_reconcile.py" and func == "run":
            engine = max(engine, ct)
        elif base == "basic.py" and func == "exit_json":
            phases["exit_json (result, scrubbing)"] = max(phases["exit_json (result, scrubbing)"], ct)
    http = phases["HTTP (requests, TLS, server)"]
    http_in_engine = min(http, engine)
    phases["engine (read, normalise, compare)"] = max(0.0, engine - http_in_engine)
    return total, phases


def loop_costs(control, workdir, inventory, clients, m, rounds, names=None):
    """Per-item seconds (play time and CPU) of the ping and cx_oidc_client loops (unchanged), alternating.

    CPU per item is (CPU of the run with m items - CPU of the same playbook with an empty loop) / m,
    so the start of ansible-playbook and the login of the token variant are not spread over the items."""
    paths = {}
    for size in (m, 0):
        paths[size] = os.path.join(workdir, "loop_vars_%d.json" % size)
        with open(paths[size], "w") as handle:
            json.dump({"sim": control.harness.describe(), "bench_clients": clients[:size]}, handle)
    plan = (("ping", "ping.yml", "Ping once per client"),
            ("cx_oidc_client", "cx_single.yml", "Ensure each OIDC client"),
            ("cx_oidc_client (token once per play)", "cx_single_token.yml", "Ensure each OIDC client"),
            (MODULE_PROCESS, as_processes("cx_single.yml"), "Ensure each OIDC client"))
    if names:
        plan = tuple(p for p in plan if p[0] in names)
    play = dict((p[0], []) for p in plan)
    cpu = dict((p[0], []) for p in plan)
    for rnd in range(rounds):
        for name, playbook, task_name in plan[rnd % len(plan):] + plan[:rnd % len(plan)]:
            runs = {}
            for size in (m, 0):
                control.clear_log()
                proc, _wall, timer = bench.run_playbook(playbook, workdir, paths[size], inventory)
                if proc.returncode != 0:
                    raise SystemExit("%s failed:\n%s" % (playbook, (proc.stdout + proc.stderr)[-3000:]))
                if name != "ping" and bench.count_requests(control.log())["writes"]:
                    raise SystemExit("%s wrote to the server: the loop is not unchanged" % playbook)
                runs[size] = timer
            for task in runs[m].get("tasks", []):
                if task["name"] == task_name:
                    play[name].append(task["seconds"] / m)
            cpu[name].append((runs[m]["cpu"] - runs[0]["cpu"]) / m)
    return {"play": dict((k, median(v)) for k, v in play.items()),
            "cpu": dict((k, median(v)) for k, v in cpu.items())}


def analyse(args):
    from simulators.harness import Harness

    workdir = tempfile.mkdtemp(prefix="sso-oidc-task-cost-")
    harness = Harness(os.path.join(workdir, "sim"), names=["checkmarx"], persist=False, oidc=False).start()
    result = {"n": args.n, "runs": args.runs, "machine": bench.machine_facts()}
    try:
        control = bench.Control(harness)
        clients = bench.bench_clients(args.n)
        vars_path = os.path.join(workdir, "vars.json")
        with open(vars_path, "w") as handle:
            json.dump({"sim": harness.describe(), "bench_clients": clients}, handle)
        inventory = bench.write_inventory(workdir)

        proc, _wall, _timer = bench.run_playbook("cx_set.yml", workdir, vars_path, inventory)
        if proc.returncode != 0 or len(bench.bench_client_ids(control.state())) != args.n:
            raise SystemExit("could not create the benchmark clients:\n%s" % (proc.stdout + proc.stderr)[-3000:])

        payloads = kept_payloads(workdir, inventory, vars_path, PAYLOADS)
        env = bench.ansible_env()

        # What each payload bundles (module_utils shipped in the zip).
        bundles = {}
        for name, path in payloads.items():
            debug_dir = os.path.join(os.path.dirname(path), "debug_dir")
            shutil.rmtree(debug_dir, ignore_errors=True)
            subprocess.run([sys.executable, path, "explode"], capture_output=True, text=True, env=env, check=True)
            files = {}
            for root, _dirs, names in os.walk(debug_dir):
                for fname in names:
                    if fname.endswith(".py"):
                        full = os.path.join(root, fname)
                        files[os.path.relpath(full, debug_dir)] = os.path.getsize(full)
            bundles[name] = {"files": len(files), "bytes": sum(files.values()),
                             "sso_oidc": dict((k, v) for k, v in sorted(files.items())
                                              if k.startswith("ansible_collections/")),
                             "bundles_urls": "ansible/module_utils/urls.py" in files}
            shutil.rmtree(debug_dir, ignore_errors=True)
        result["bundles"] = bundles

        # Plain process times, in rotation.
        times = dict((name, []) for name in PAYLOADS)
        cpus = dict((name, []) for name in PAYLOADS)
        requests_per_run = {}
        for rnd in range(args.runs):
            for name in PAYLOADS[rnd % 3:] + PAYLOADS[:rnd % 3]:
                control.clear_log()
                proc, seconds = run_payload(payloads[name], env=env, cpu=cpus[name])
                data = answer(proc)
                if not data or data.get("failed") or data.get("changed"):
                    raise SystemExit("%s did not answer unchanged:\n%s%s" % (name, proc.stdout[-2000:], proc.stderr[-2000:]))
                times[name].append(seconds)
                requests_per_run[name] = bench.count_requests(control.log())
        result["process"] = dict((name, {"median": median(v), "min": min(v), "cpu": median(cpus[name]),
                                         "all": [round(x, 4) for x in v]})
                                 for name, v in times.items())
        result["requests"] = requests_per_run

        # Import time by origin.
        imports = {}
        for name in PAYLOADS:
            samples = []
            for _i in range(5):
                proc, _seconds = run_payload(payloads[name], ["-X", "importtime"], env=env)
                samples.append(parse_importtime(proc.stderr))
            total = median([s[1] for s in samples]) / 1e6
            by_module = {}
            for mods, _total in samples:
                for mod, (self_us, _cum, _depth) in mods.items():
                    by_module.setdefault(mod, []).append(self_us)
            self_med = dict((mod, median(v) / 1e6) for mod, v in by_module.items())
            groups = {}
            for mod, sec in self_med.items():
                groups[origin(mod)] = groups.get(origin(mod), 0.0) + sec
            imports[name] = {"total": total, "by_origin": groups, "modules": self_med,
                             "heavy": sorted(m for m in self_med if any(m == h or m.startswith(h + ".") for h in HEAVY))}
        ping_mods = set(imports["ping"]["modules"])
        for name in PAYLOADS[1:]:
            extra = dict((m, s) for m, s in imports[name]["modules"].items() if m not in ping_mods)
            groups = {}
            for mod, sec in extra.items():
                groups[origin(mod)] = groups.get(origin(mod), 0.0) + sec
            top = sorted(extra.items(), key=lambda kv: kv[1], reverse=True)[:12]
            imports[name]["beyond_ping"] = {"total": sum(extra.values()), "by_origin": groups,
                                            "top": [[m, round(s, 4)] for m, s in top]}
        for name in PAYLOADS:
            imports[name].pop("modules")
        result["imports"] = imports

        # Phases under cProfile.
        phases = {}
        for name in PAYLOADS:
            samples = []
            for i in range(3):
                prof = os.path.join(workdir, "%s.%d.prof" % (name, i))
                profile_payload(payloads[name], prof, env=env)
                samples.append(profile_phases(prof))
            phases[name] = {"total": median([s[0] for s in samples]),
                            "phases": dict((k, median([s[1][k] for s in samples])) for k in samples[0][1])}
        result["profile"] = phases

        if args.loop:
            per_item = loop_costs(control, workdir, inventory, clients, args.loop, args.loop_rounds)
            result["loop"] = {"m": args.loop, "per_item": per_item}
    finally:
        harness.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def ms(seconds):
    return "-" if seconds is None else "%.0f ms" % (seconds * 1000)


def render(result):
    proc, imports, prof = result["process"], result["imports"], result["profile"]
    facts = result["machine"]
    lines = [BEGIN, "",
             "Run of %s: `%s` (%s CPU(s), Python %s, ansible-core %s, load average %s)." % (
                 facts["date"], result["command"], facts["nproc"], facts["python"], facts["ansible_core"],
                 " / ".join(map(str, facts["loadavg_start"]))), ""]
    if result.get("loop"):
        play, cpu = result["loop"]["per_item"]["play"], result["loop"]["per_item"]["cpu"]
        lines += ["Per task in a loop of %d (median of %d rounds), and the module as a plain process (median of %d). "
                  "*CPU* counts every process of the task (controller, worker, module) and is the least disturbed "
                  "by other load:" % (result["loop"]["m"], result["loop_rounds"], result["runs"]), "",
                  "| Task | per item, play time | per item, CPU | module process, wall | module process, CPU "
                  "| Ansible's share of the CPU |",
                  "|---|---:|---:|---:|---:|---:|"]
        rows = (("ansible.builtin.ping", "ping", "ping"),
                ("cx_oidc_client, unchanged (in the worker process: the default)", "cx_oidc_client", None),
                ("cx_oidc_client, unchanged, token once per play (in the worker process)",
                 "cx_oidc_client (token once per play)", None),
                ("cx_oidc_client, unchanged, as module processes (`sso_oidc_in_process=false`)", MODULE_PROCESS,
                 "cx_oidc_client"))
        for name, key, payload in rows:
            process = proc[payload] if payload else None
            lines.append("| %s | %s | %s | %s | %s | %s |" % (
                name, ms(play.get(key)), ms(cpu.get(key)), ms(process["median"]) if process else "-",
                ms(process["cpu"]) if process else "-",
                ms(cpu[key] - process["cpu"]) if process and cpu.get(key) is not None else "-"))
        if play.get("ping") and play.get("cx_oidc_client"):
            token_key = "cx_oidc_client (token once per play)"
            lines += ["", "Ratio cx_oidc_client / ping in the same loop: **%.2f by play time, %.2f by CPU** "
                      "(token once per play: %.2f and %.2f; as module processes: %.2f and %.2f)." % (
                          play["cx_oidc_client"] / play["ping"], cpu["cx_oidc_client"] / cpu["ping"],
                          play[token_key] / play["ping"], cpu[token_key] / cpu["ping"],
                          play[MODULE_PROCESS] / play["ping"], cpu[MODULE_PROCESS] / cpu["ping"])]
        lines.append("")
    lines += ["The module as a plain process (`python AnsiballZ_<module>.py`, median of %d runs):" % result["runs"], "",
              "| Payload | process | process CPU | imports (all) | ansible-core | requests stack | standard library "
              "| sso.oidc | requests to the server |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name in PAYLOADS:
        groups = imports[name]["by_origin"]
        req = result["requests"].get(name) or {}
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            name, ms(proc[name]["median"]), ms(proc[name]["cpu"]), ms(imports[name]["total"]), ms(groups.get("ansible-core")),
            ms(groups.get("requests stack")), ms(groups.get("standard library")), ms(groups.get("sso.oidc")),
            "-" if name == "ping" else "%d token, %d list, %d writes" % (
                req.get("token", 0), req.get("list_reads", 0), req.get("writes", 0))))
    lines += ["", "Imports beyond those of ping (self time, `-X importtime`, median of 5):", ""]
    for name in PAYLOADS[1:]:
        extra = imports[name]["beyond_ping"]
        lines.append("- %s: %s in total (%s); largest: %s." % (
            name, ms(extra["total"]),
            ", ".join("%s %s" % (k, ms(v)) for k, v in sorted(extra["by_origin"].items(), key=lambda kv: -kv[1])),
            ", ".join("`%s` %s" % (m, ms(s)) for m, s in extra["top"][:8])))
        heavy = imports[name]["heavy"]
        lines.append("  Heavy libraries imported: %s." % (", ".join("`%s`" % h for h in heavy) if heavy else "none"))
    lines += ["", "Phases under `cProfile` (inflates Python-heavy parts; median of 3):", "",
              "| Payload | total | " + " | ".join(prof["ping"]["phases"]) + " |",
              "|---|---:|" + "---:|" * len(prof["ping"]["phases"])]
    for name in PAYLOADS:
        lines.append("| %s | %s | %s |" % (name, ms(prof[name]["total"]),
                                           " | ".join(ms(v) for v in prof[name]["phases"].values())))
    lines += ["", "Bundled in the payload (AnsiballZ zip, compiled from source on every run): %s." % "; ".join(
        "%s %d files, %d kB%s" % (name, b["files"], b["bytes"] // 1024,
                                  ", ansible.module_utils.urls included" if b["bundles_urls"] else "")
        for name, b in result["bundles"].items()), "", END]
    return "\n".join(lines)


LINE_PLAN = ("ping", "cx_oidc_client", MODULE_PROCESS)
LINES_BEGIN = "<!-- task-cost-lines:begin -->"
LINES_END = "<!-- task-cost-lines:end -->"
DEFAULT_LINES_OUTPUT = os.path.join(bench.TESTS, "output", "bench", "task_cost_lines.json")
IN_WORKER_TARGET = 0.25
MODULE_PROCESS_TARGET = 1.4


def loop_only(args):
    """The loop measurement alone, under this Python's ansible-core (one line of the per-line mode)."""
    from ansible.release import __version__ as core_version
    from simulators.harness import Harness

    workdir = tempfile.mkdtemp(prefix="sso-oidc-task-cost-line-")
    harness = Harness(os.path.join(workdir, "sim"), names=["checkmarx"], persist=False, oidc=False).start()
    try:
        control = bench.Control(harness)
        clients = bench.bench_clients(args.loop)
        vars_path = os.path.join(workdir, "vars.json")
        with open(vars_path, "w") as handle:
            json.dump({"sim": harness.describe(), "bench_clients": clients}, handle)
        inventory = bench.write_inventory(workdir)
        proc, _wall, _timer = bench.run_playbook("cx_set.yml", workdir, vars_path, inventory)
        if proc.returncode != 0 or len(bench.bench_client_ids(control.state())) != args.loop:
            raise SystemExit("could not create the benchmark clients:\n%s" % (proc.stdout + proc.stderr)[-3000:])
        per_item = loop_costs(control, workdir, inventory, clients, args.loop, args.loop_rounds, names=LINE_PLAN)
        parts = process_parts(control, workdir, inventory, vars_path, args.runs) if args.runs else None
    finally:
        harness.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return {"ansible_core": core_version,
            "python": "%d.%d.%d" % sys.version_info[:3], "m": args.loop, "rounds": args.loop_rounds,
            "per_item": per_item, "process_parts": parts}


# Where a module process of an unchanged cx_oidc_client spends its CPU beyond ping's, measured as
# differences of plain processes (``python -c``) so that every part is CPU of a whole process:
#   requests: ``import ansible.module_utils.basic, requests`` minus ``import ansible.module_utils.basic``;
#   sso_oidc: the same plus importing the module and its module_utils from a zip, as AnsiballZ ships them
#             (zipimport compiles them from source; it keeps no bytecode cache);
#   work:     the rest of the payload's CPU beyond ping's (arguments, TLS, token and list, compare, result).
PART_STEPS = (
    ("interpreter", "pass"),
    ("basic", "import ansible.module_utils.basic"),
    ("basic_requests", "import ansible.module_utils.basic, requests"),
    ("basic_requests_sso", "import ansible.module_utils.basic, requests, sys\nsys.path.insert(0, %r)\n"
                           "import ansible_collections.sso.oidc.plugins.modules.cx_oidc_client"),
)


def collection_zip(path):
    """The module and the collection's module_utils in a zip, as the AnsiballZ payload carries them."""
    import zipfile

    plugins = os.path.join(bench.REPO, "plugins")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for package in ("ansible_collections", "ansible_collections/sso", "ansible_collections/sso/oidc",
                        "ansible_collections/sso/oidc/plugins", "ansible_collections/sso/oidc/plugins/modules",
                        "ansible_collections/sso/oidc/plugins/module_utils"):
            archive.writestr(package + "/__init__.py", "")
        for name in sorted(os.listdir(os.path.join(plugins, "module_utils"))):
            if name.endswith(".py") and name != "__init__.py":
                archive.write(os.path.join(plugins, "module_utils", name),
                              "ansible_collections/sso/oidc/plugins/module_utils/" + name)
        archive.write(os.path.join(plugins, "modules", "cx_oidc_client.py"),
                      "ansible_collections/sso/oidc/plugins/modules/cx_oidc_client.py")
    return path


def kept_payloads(workdir, inventory, vars_path, names):
    """Run task_cost.yml as module processes with ANSIBLE_KEEP_REMOTE_FILES; the AnsiballZ payload of each of
    ``names`` by name."""
    remote_tmp = os.path.join(workdir, "remote_tmp")
    proc, _wall, _timer = bench.run_playbook(as_processes("task_cost.yml"), workdir, vars_path, inventory, env={
        "ANSIBLE_KEEP_REMOTE_FILES": "1", "ANSIBLE_REMOTE_TMP": remote_tmp})
    if proc.returncode != 0:
        raise SystemExit("task_cost.yml failed:\n%s" % (proc.stdout + proc.stderr)[-3000:])
    payloads = {}
    for root, _dirs, files in os.walk(remote_tmp):
        for name in files:
            match = re.match(r"AnsiballZ_(\w+)\.py$", name)
            if match and match.group(1) in names:
                payloads[match.group(1)] = os.path.join(root, name)
    missing = [p for p in names if p not in payloads]
    if missing:
        raise SystemExit("payloads not found: %s" % ", ".join(missing))
    return payloads


def process_parts(control, workdir, inventory, vars_path, runs):
    """CPU of the ping and cx_oidc_client payloads as plain processes, and the parts of the difference."""
    payloads = kept_payloads(workdir, inventory, vars_path, ("ping", "cx_oidc_client"))
    zip_path = collection_zip(os.path.join(workdir, "sso_oidc_modules.zip"))
    env = bench.ansible_env()
    cpu = dict((key, []) for key in ["ping", "cx_oidc_client"] + [k for k, _code in PART_STEPS])
    for _rnd in range(runs):
        for name in ("ping", "cx_oidc_client"):
            control.clear_log()
            proc, _seconds = run_payload(payloads[name], env=env, cpu=cpu[name])
            data = answer(proc)
            if not data or data.get("failed") or data.get("changed"):
                raise SystemExit("%s did not answer unchanged:\n%s%s" % (name, proc.stdout[-2000:], proc.stderr[-2000:]))
        for key, code in PART_STEPS:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-c", code % zip_path if "%r" in code else code], check=True,
                           env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[key].append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    med = dict((key, median(values)) for key, values in cpu.items())
    return {"runs": runs, "cpu": med,
            "requests": med["basic_requests"] - med["basic"],
            "sso_oidc": med["basic_requests_sso"] - med["basic_requests"],
            "work": (med["cx_oidc_client"] - med["ping"]) - (med["basic_requests_sso"] - med["basic"])}


def line_python(line):
    """The controller Python of a release line: .venvs/core-<line>, or the pinned .venv for 2.19."""
    venv = os.path.join(bench.REPO, ".venvs", "core-" + line)
    if line == "2.19" and not os.path.isdir(venv):
        venv = os.path.join(bench.REPO, ".venv")
    python = os.path.join(venv, "bin", "python")
    return python if os.access(python, os.X_OK) else None


def per_line(args):
    result = {"machine": bench.machine_facts(), "lines": {}, "loop": args.loop, "rounds": args.loop_rounds}
    for line in [x.strip() for x in args.lines.split(",") if x.strip()]:
        python = line_python(line)
        if python is None:
            print("%s: not measured: no venv (bash scripts/matrix.sh venv %s)" % (line, line), flush=True)
            result["lines"][line] = {"missing": "no venv .venvs/core-%s" % line}
            continue
        out = os.path.join(tempfile.mkdtemp(prefix="sso-oidc-line-"), "line.json")
        print("%s: measuring with %s ..." % (line, python), flush=True)
        proc = subprocess.run([python, os.path.abspath(__file__), "--loop-only", out, "--loop", str(args.loop),
                               "--loop-rounds", str(args.loop_rounds), "--runs", str(args.runs)],
                              capture_output=True, text=True,
                              timeout=3600, check=False)
        if proc.returncode != 0 or not os.path.exists(out):
            result["lines"][line] = {"failed": (proc.stdout + proc.stderr)[-2000:]}
            print("%s: FAILED\n%s" % (line, result["lines"][line]["failed"]), flush=True)
            continue
        with open(out) as handle:
            result["lines"][line] = json.load(handle)
        shutil.rmtree(os.path.dirname(out), ignore_errors=True)
        print(render_lines(result), flush=True)
    return result


def line_ratios(data):
    play, cpu = data["per_item"]["play"], data["per_item"]["cpu"]
    return dict((key, (play[key] / play["ping"], cpu[key] / cpu["ping"])) for key in LINE_PLAN[1:])


def render_lines(result):
    facts = result["machine"]
    lines = [LINES_BEGIN, "",
             "Run of %s: `%s` (%s CPU(s), load average %s at the start). Per task in a loop of %d unchanged items, "
             "median of %d rounds in rotation, each line under its own controller venv with that venv's Python as "
             "the module interpreter. Targets (by CPU, which counts every process of the task and is the least "
             "disturbed by other load): in the worker process at most %.2f× ping, as a module process at most "
             "%.1f× ping." % (facts["date"], result.get("command", ""), facts["nproc"],
                              " / ".join(map(str, facts["loadavg_start"])), result["loop"], result["rounds"],
                              IN_WORKER_TARGET, MODULE_PROCESS_TARGET), "",
             "| ansible-core | Python | ping, per item (play / CPU) | cx_oidc_client in the worker (play / CPU) "
             "| ratio to ping (play / CPU) | cx_oidc_client as a module process (play / CPU) | ratio to ping (play / CPU) |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for line, data in sorted(result["lines"].items(), key=lambda kv: [int(x) for x in kv[0].split(".")]):
        if "per_item" not in data:
            lines.append("| %s | - | not measured: %s | | | | |" % (
                line, data.get("missing") or "the run failed (see the JSON)"))
            continue
        play, cpu = data["per_item"]["play"], data["per_item"]["cpu"]
        ratios = line_ratios(data)

        def cell(key, target):
            rp, rc = ratios[key]
            mark = "" if rc <= target else " (over)"
            return "%.2f / %.2f%s" % (rp, rc, mark)
        lines.append("| %s | %s | %s / %s | %s / %s | %s | %s / %s | %s |" % (
            data.get("ansible_core") or line, data.get("python"), ms(play["ping"]), ms(cpu["ping"]),
            ms(play["cx_oidc_client"]), ms(cpu["cx_oidc_client"]), cell("cx_oidc_client", IN_WORKER_TARGET),
            ms(play[MODULE_PROCESS]), ms(cpu[MODULE_PROCESS]), cell(MODULE_PROCESS, MODULE_PROCESS_TARGET)))
    parts = [(line, data) for line, data in sorted(result["lines"].items(),
                                                   key=lambda kv: [int(x) for x in kv[0].split(".")])
             if data.get("process_parts")]
    if parts:
        lines += ["", "Where the module process's CPU goes beyond ping's (plain processes, median of %d runs in "
                  "rotation; the parts are differences of whole processes: `requests` is `import "
                  "ansible.module_utils.basic, requests` minus `import ansible.module_utils.basic`; sso.oidc is "
                  "importing the module and its module_utils from a zip as AnsiballZ ships them, beyond that; the "
                  "work is the rest). *Allowed* is what 1.4× ping leaves for the whole task, 0.4 × ping's CPU per "
                  "item; *extra per item* is the module-process loop's CPU per item minus ping's:"
                  % parts[0][1]["process_parts"]["runs"], "",
                  "| ansible-core | Python | ping process | cx_oidc_client process | difference | `requests` stack "
                  "| sso.oidc module_utils | work | allowed by 1.4× | extra per item in the loop |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for line, data in parts:
            pp, cpu = data["process_parts"], data["per_item"]["cpu"]
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                data.get("ansible_core") or line, data.get("python"), ms(pp["cpu"]["ping"]),
                ms(pp["cpu"]["cx_oidc_client"]), ms(pp["cpu"]["cx_oidc_client"] - pp["cpu"]["ping"]),
                ms(pp["requests"]), ms(pp["sso_oidc"]), ms(pp["work"]),
                ms((MODULE_PROCESS_TARGET - 1) * cpu["ping"]), ms(cpu[MODULE_PROCESS] - cpu["ping"])))
    lines += ["", LINES_END]
    return "\n".join(lines)


def write_lines_block(path, block):
    with open(path) as handle:
        text = handle.read()
    if LINES_BEGIN in text and LINES_END in text:
        head, rest = text.split(LINES_BEGIN, 1)
        text = head + block + rest.split(LINES_END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    with open(path, "w") as handle:
        handle.write(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--lines", help="per release line, e.g. 2.16,2.17,2.18,2.19,2.20,2.21 (loop measurement only)")
    parser.add_argument("--loop-only", metavar="JSON", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=100, help="clients on the server and in the set task")
    parser.add_argument("--runs", type=int, default=15, help="plain-process runs of each payload (with --lines: "
                        "of the module-process breakdown; 0 skips it)")
    parser.add_argument("--loop", type=int, default=20, help="items of the loop measurement (0: skip it)")
    parser.add_argument("--loop-rounds", type=int, default=5, help="rounds of the loop measurement")
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    parser.add_argument("--doc", default=bench.DEFAULT_DOC)
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.loop_only:
        with open(args.loop_only, "w") as handle:
            json.dump(loop_only(args), handle, indent=1)
        return 0
    if args.lines:
        result = per_line(args)
        result["command"] = (".venv/bin/python tests/bench/task_cost.py --lines %s --loop %d --loop-rounds %d "
                             "--runs %d" % (args.lines, args.loop, args.loop_rounds, args.runs))
        output = DEFAULT_LINES_OUTPUT if args.output == DEFAULT_OUTPUT else args.output
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        with open(output, "w") as handle:
            json.dump(result, handle, indent=1)
        block = render_lines(result)
        print(block)
        if not args.no_doc:
            write_lines_block(args.doc, block)
            print("rendered: %s" % args.doc)
        # The verdict is by CPU: it counts every process of the task and is the least disturbed by other load.
        over = [line for line, data in result["lines"].items() if "per_item" in data and (
            line_ratios(data)["cx_oidc_client"][1] > IN_WORKER_TARGET
            or line_ratios(data)[MODULE_PROCESS][1] > MODULE_PROCESS_TARGET)]
        unmeasured = [line for line, data in result["lines"].items() if "per_item" not in data]
        if over or unmeasured:
            print("over a target: %s; not measured: %s" % (", ".join(over) or "none", ", ".join(unmeasured) or "none"))
            return 1
        return 0
    result = analyse(args)
    result["loop_rounds"] = args.loop_rounds
    result["command"] = (".venv/bin/python tests/bench/task_cost.py --n %d --runs %d --loop %d "
                         "--loop-rounds %d" % (args.n, args.runs, args.loop, args.loop_rounds))
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as handle:
        json.dump(result, handle, indent=1)
    block = render(result)
    print(block)
    if not args.no_doc:
        write_block(args.doc, block)
        print("rendered: %s" % args.doc)
    return 0


def write_block(path, block):
    text = ""
    if os.path.exists(path):
        with open(path) as handle:
            text = handle.read()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = (text.rstrip() + "\n\n" if text else "# Performance\n\n") + "## Per-task cost\n\n" + block + "\n"
    with open(path, "w") as handle:
        handle.write(text)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render docs/reliability.md from the figures of the last reliability run.

Usage (from the repository root or anywhere)::

    cd tests && ../.venv/bin/python -m pytest reliability -n 2
    .venv/bin/python tests/reliability/report.py            # writes docs/reliability.md
    .venv/bin/python tests/reliability/report.py --check    # exit 1 when the figures show a failure

``--figures`` reads another figures.json (or the directory of the figures-<worker>.jsonl files).
"""

import argparse
import collections
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(TESTS_DIR)
DEFAULT_FIGURES = os.path.join(TESTS_DIR, "output", "reliability")
DEFAULT_DOC = os.path.join(REPO, "docs", "reliability.md")

SUITES = collections.OrderedDict([
    ("leaks", ("Secret leaks", "test_secret_leaks.py, test_secret_leaks_playbooks.py")),
    ("faults", ("Faults", "test_faults.py")),
    ("bad_input", ("Bad input", "test_bad_input.py")),
    ("concurrency", ("Concurrency", "test_concurrency.py")),
    ("check_mode", ("Check mode", "test_check_mode.py")),
    ("role", ("Role sso_rollout (check mode and leaks)", "test_role.py")),
])

INTRO = """# Reliability and security

`sso.oidc` handles the identity-provider secrets of whole companies. This page says how the collection is
tested under faults, bad input, concurrency and for secret leaks, how to run those tests, and what the last run
found. The suites live in `tests/reliability/` and run inside the README's test command
(`bash scripts/test.sh`, gate `pytest`), against the same HTTP simulators of the vendor APIs as the
integration tests (`tests/simulators/`), over real HTTPS with the harness CA.

## What is tested

### Secret leaks (`test_secret_leaks.py`, `test_secret_leaks_playbooks.py`)
Every module, on every path: create, update, unchanged, check mode, diff mode, delete, validation failure,
HTTP 4xx (a refused login, a vendor error), HTTP 5xx after the retries are spent, TLS failure, a malformed `200`
body, and an unexpected exception (a bug that raises with the request payload, `str()` or `repr()`, in its message). Each case uses fresh secret values
(`LeakCanary-<module>-<uuid>` plus characters that URL and JSON encode differently) for every secret the module
takes: connection credentials (the simulators are reconfigured to accept them), resource secrets, and the tokens
and session ids the simulators issue during the run. A case fails when any of these appears, raw or
base64-encoded (at any byte alignment, so `Basic base64(user:secret)` is caught), URL-encoded, JSON-escaped
or as its SHA-256/SHA-512 hash:

* in the module result (`msg`, `existing`, `proposed`, `end_state`, `diff`, `results`, `exception`, ...)
  and its warnings, from the module run in-process at verbosity 4 with tracebacks on;
* in the complete `ansible-playbook -vvvv` output (stdout and stderr) and the registered results, for the same
  paths batched into one playbook per service (secrets passed as options from extra vars, through `module_defaults`
  and through the environment variables of `ansible-playbook`, as AWX injects credentials);
* in the three runs of the role `sso_rollout` (`test_role.py`, through the collection's example
  `playbooks/sso_rollout.yml` at `-vvvv`): check mode, the real run and check mode again, and in the facts the
  role records;
* in what the client sent outside the request body (method, path and query of every request in the simulators'
  logs). **The one exception is by design of the vendor API:** AWS Wickr's `GetOidcInfo` token exchange
  (`wickr_oidc_info` with `token_client_secret`) sends `clientSecret` as a query parameter; the suite checks that
  it is there only on that call and never in any output.

Ansible's own `no_log` masking (`VALUE_SPECIFIED_IN_NO_LOG_PARAMETER`) is a last line of defence: the suite also
fails when that marker shows up outside the invocation echo, because it means the module itself let a secret
through.

### Faults (`test_faults.py`)
The simulators' fault injection drives every service's modules through: HTTP 429 with `Retry-After` in seconds
and as an HTTP date; 500, 502, 503, 504; a response slower than `timeout`; a dropped connection; a malformed
JSON body; an HTML error page from a proxy; a token or session that expires in the middle of a run (Checkmarx
token lifetime, vCenter session invalidation); a wrong CA, a host name mismatch and an expired certificate.
Transient faults must be survived within the retry budget (and the module must warn about each retry);
permanent ones must fail with a message that carries the vendor's text and says what to check; no fault may
ever produce a Python traceback as the message; and a create whose response is lost (faults injected *after*
the write landed) must never leave a duplicate on the server: the suite reads the simulator's state.

### Bad input (`test_bad_input.py`)
Property-based tests (hypothesis, bounded examples, no deadline) over each module's real argument spec and
its own validation rules: invalid values must fail before any request reaches a simulator (the request log stays
empty), the message must name the option, and nothing is written. Valid edge cases (unicode names, empty
lists where allowed, maximum lengths) must round-trip and be idempotent (the second run reports no change and
sends no write).

### Concurrency (`test_concurrency.py`)
Ten `ansible-playbook` processes at once against one simulator: on ten different resources they must all end
correct; on the same resource the server must end holding one of the requested states, with no duplicate object,
and no run may report an error other than a clear conflict. In the same-resource runs the simulator holds each
create for 3 seconds, so that every run that reads within that window really races the others, whatever the
machine's load.

A note for playbook authors, found while building the leak suite: do not hand secrets to a task through the
`environment:` keyword. Ansible prints that command line at `-vvv` (`EXEC /bin/sh -c 'CX_PASSWORD=... '`).
Give them as module options from a vault, or put them in the environment of `ansible-playbook` itself, as AWX
credentials do: the modules read `CX_*`, `SLASHID_*`, `VMWARE_*` and `AWS_*` from there, and nothing is
printed.

### Check mode (`test_check_mode.py`, `test_role.py`)
For every stateful module (single and set) and the role: check mode sends no write to any simulator (by the
simulators' own classification of each request) and changes no state; its `changed`, `action`, `end_state` and
`diff` equal those of the real run that follows (creates, updates, deletes, the valid edge cases, and every
simulator setting for what the vendor documents leave open); after the real run, check mode predicts no change.
On a create, two things only the server decides are left out of the comparison: the identifiers it assigns
(vCenter's `provider_id`) and whether it shows a secret back at all (a key that is only a mask on one side).
Info modules send no write in check mode either.

## What the suites found

Found while the suites were built, fixed before this page was generated (the tests now guard the fixes):

* `vcenter_identity_provider`: a create answered 429 or 503 *after* it landed was sent again by the shared
  client, and since vCenter provider names are not unique this made a second provider; ten concurrent runs on
  one name made ten. The module now sends the create without automatic retries and settles duplicates.
* The shared scrubber of secrets did not know Python's own escapes: a secret with a backslash or a quote could
  reach the message of an unexpected error through the `repr()` of a request payload. It now removes those
  forms too.
* The vCenter simulator's control API answered `/_sim/requests` with an error (a method name clash).

A bug a suite finds in a module is recorded as a test marked `xfail(strict=True)` with the reason until the
module is fixed: the "Known bugs" column counts them, and a strict mark turns the suite red the day the fix lands.

## How to run

```bash
bash scripts/test.sh pytest                                 # every pytest suite, as the README's test command runs them
cd tests && ../.venv/bin/python -m pytest reliability -n 2  # only the reliability suites (about 3 minutes)
../.venv/bin/python reliability/report.py                   # then render this page from their figures
```

Each run appends its cases to `tests/output/reliability/figures-<worker>.jsonl`, merged into `figures.json` at
the end of the session. `report.py --check` exits non-zero when the figures show a failed case or a leak.
"""


def load(path):
    if os.path.isdir(path):
        merged_path = os.path.join(path, "figures.json")
        if not os.path.exists(merged_path):
            # the session did not get to merge (interrupted): merge what the workers appended
            sys.path.insert(0, TESTS_DIR)
            from reliability._support import merge_figures  # pylint: disable=import-outside-toplevel

            return merge_figures(path)
        path = merged_path
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def summarize(figures):
    suites = collections.OrderedDict((k, collections.Counter()) for k in SUITES)
    modules = collections.defaultdict(collections.Counter)
    failures = []
    tests = figures.get("tests", {})
    for record in figures.get("cases", []):
        suite = record.get("suite")
        counter = suites.setdefault(suite, collections.Counter())
        outcome = (tests.get(record.get("nodeid")) or {}).get("outcome")
        counter["tried"] += 1
        if record.get("passed"):
            counter["passed"] += 1
        elif outcome == "xfailed":
            counter["known"] += 1
        else:
            counter["failed"] += 1
            failures.append(record)
        counter["scans"] += record.get("scans") or 0
        counter["leaks"] += record.get("leaks") or 0
        if record.get("fault") and suite == "faults":
            counter["faults"] += 1
            if record.get("survived") is True:
                counter["survived"] += 1
            elif record.get("survived") is False and record.get("passed"):
                counter["failed_clean"] += 1
        modules[record.get("module")][suite] += 1
    for nodeid, info in tests.items():
        suite = _suite_of(nodeid)
        if suite is None:
            continue
        suites.setdefault(suite, collections.Counter())["tests_" + info.get("outcome", "unknown")] += 1
    return suites, modules, failures


def _suite_of(nodeid):
    name = nodeid.split("::")[0].replace(os.sep, "/").split("/")[-1]
    for key, (_title, files) in SUITES.items():
        if name in [f.strip() for f in files.split(",")]:
            return key
    return None


def render(figures):
    suites, modules, failures = summarize(figures)
    when = figures.get("generated") or time.strftime("%Y-%m-%d %H:%M:%S")
    lines = [INTRO, "## Figures of the last run", "",
             "Run of %s (%d worker(s)), generated by `tests/reliability/report.py`." % (
                 when, len(figures.get("workers") or []) or 1), ""]
    lines.append("| Suite | Tests passed | Known bugs (xfail) | Cases tried | Cases passed | Faults injected | "
                 "Faults survived | Faults failed cleanly | Leak scans | Leaks found |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    total = collections.Counter()
    for key, counter in suites.items():
        title = SUITES.get(key, (key, ""))[0]
        tests_total = sum(v for k, v in counter.items() if k.startswith("tests_"))
        row = [title, "%d of %d" % (counter["tests_passed"], tests_total), str(counter["tests_xfailed"]),
               str(counter["tried"]), str(counter["passed"]), str(counter["faults"]), str(counter["survived"]),
               str(counter["failed_clean"]), str(counter["scans"]), str(counter["leaks"])]
        lines.append("| " + " | ".join(row) + " |")
        total.update(counter)
        total["tests_total"] += tests_total
    lines.append("| **All** | **%d of %d** | **%d** | **%d** | **%d** | **%d** | **%d** | **%d** | **%d** | **%d** |" % (
        total["tests_passed"], total["tests_total"], total["tests_xfailed"], total["tried"], total["passed"],
        total["faults"], total["survived"], total["failed_clean"], total["scans"], total["leaks"]))
    lines.append("")
    lines.append("*Cases* are the individual checks inside the tests (one module on one path, one injected fault,"
                 " one generated input, ...). *Faults failed cleanly* are permanent faults that ended in a clear"
                 " failure as required. *Leak scans* count (secret, output channel) pairs searched.")
    lines.append("")
    kinds = collections.OrderedDict()
    for record in figures.get("cases", []):
        if record.get("suite") != "faults":
            continue
        row = kinds.setdefault(record.get("case"), collections.Counter())
        row["modules"] += 1
        row["passed"] += 1 if record.get("passed") else 0
        row["survived"] += 1 if record.get("survived") is True else 0
        row["clean"] += 1 if record.get("survived") is False and record.get("passed") else 0
    if kinds:
        lines.append("### Faults by kind")
        lines.append("")
        lines.append("| Fault | Modules | Passed | Survived | Failed cleanly |")
        lines.append("|---|---|---|---|---|")
        for name, row in kinds.items():
            values = (name, row["modules"], row["passed"], row["survived"], row["clean"])
            lines.append("| %s | %d | %d | %d | %d |" % values)
        lines.append("")
    lines.append("### Cases by module")
    lines.append("")
    names = list(SUITES)
    lines.append("| Module | " + " | ".join(SUITES[k][0] for k in names) + " |")
    lines.append("|---|" + "---|" * len(names))
    for module in sorted(m for m in modules if m):
        lines.append("| `%s` | " % module + " | ".join(str(modules[module][k]) for k in names) + " |")
    lines.append("")
    if failures:
        lines.append("### Failed cases")
        lines.append("")
        for record in failures[:50]:
            lines.append("- %s / %s / %s: %s" % (record.get("suite"), record.get("module"), record.get("case"),
                                                 record.get("error")))
        lines.append("")
    known = [n for n, i in figures.get("tests", {}).items() if i.get("outcome") == "xfailed"]
    if known:
        lines.append("### Known bugs (tests marked xfail until the module is fixed)")
        lines.append("")
        for nodeid in sorted(known):
            lines.append("- `%s`" % nodeid)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n", total, failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", default=DEFAULT_FIGURES, help="figures.json or its directory")
    parser.add_argument("--output", default=DEFAULT_DOC, help="the page to write (default docs/reliability.md)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a case failed or a leak was found")
    args = parser.parse_args(argv)
    figures = load(args.figures)
    if not figures:
        print("no figures found at %s: run the reliability suites first" % args.figures, file=sys.stderr)
        return 2
    text, total, failures = render(figures)
    if not args.check:
        with open(args.output, "w") as handle:
            handle.write(text)
        print("wrote %s: %d cases tried, %d passed, %d leaks" % (args.output, total["tried"], total["passed"],
                                                                 total["leaks"]))
    if failures or total["leaks"]:
        print("%d failed case(s), %d leak(s)" % (len(failures), total["leaks"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

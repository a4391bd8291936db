# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the HTTP stack costs a module process: requests against the standard library.

    .venv/bin/python tests/bench/http_stack.py [--runs 21]

Each variant is a fresh interpreter that imports ``ansible.module_utils.basic`` (as every
module does) and then makes two HTTPS requests over one connection to the Checkmarx
simulator (the token call and the list read of an unchanged task):

* ``basic only``: the import and no request (the floor);
* ``requests``: ``requests.Session`` as ``_http.ApiClient`` uses it today;
* ``http.client``: the standard library's ``http.client.HTTPSConnection`` with an ``ssl`` context.

The difference between the last two is what a module would save per task with a
standard-library transport in ``_http.py``. Prints the medians and writes
tests/output/bench/http_stack.json.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import run as bench  # noqa: E402  pylint: disable=wrong-import-position

PRELUDE = "import sys\nimport ansible.module_utils.basic\nurl, ca, token = sys.argv[1], sys.argv[2], sys.argv[3]\n"
VARIANTS = {
    "basic only": PRELUDE,
    "requests": PRELUDE + (
        "import requests\n"
        "s = requests.Session()\n"
        "for path in ('/_sim/health', '/cxrestapi/auth/OIDCClients'):\n"
        "    r = s.get(url + path, headers={'Authorization': 'Bearer ' + token, 'Accept': 'application/json;v=1.0'},"
        " timeout=30, allow_redirects=False, verify=ca)\n"
        "    r.json()\n"
        "s.close()\n"),
    "http.client": PRELUDE + (
        "import http.client, json, ssl, urllib.parse\n"
        "parts = urllib.parse.urlsplit(url)\n"
        "ctx = ssl.create_default_context(cafile=ca)\n"
        "c = http.client.HTTPSConnection(parts.hostname, parts.port, context=ctx, timeout=30)\n"
        "for path in ('/_sim/health', '/cxrestapi/auth/OIDCClients'):\n"
        "    c.request('GET', path, headers={'Authorization': 'Bearer ' + token, 'Accept': 'application/json;v=1.0'})\n"
        "    json.loads(c.getresponse().read())\n"
        "c.close()\n"),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=41)
    parser.add_argument("--output", default=os.path.join(bench.TESTS, "output", "bench", "http_stack.json"))
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    from simulators.harness import Harness

    workdir = tempfile.mkdtemp(prefix="sso-oidc-http-stack-")
    harness = Harness(os.path.join(workdir, "sim"), names=["checkmarx"], persist=False, oidc=False).start()
    try:
        env = harness.describe()
        cx = env["checkmarx"]
        import urllib.parse
        import urllib.request

        form = urllib.parse.urlencode({"grant_type": "password", "username": cx["username"], "password": cx["password"],
                                       "scope": "access_control_api sast_rest_api", "client_id": cx["auth_client_id"],
                                       "client_secret": cx["auth_client_secret"]}).encode()
        req = urllib.request.Request(cx["token_url"], data=form, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(req, context=harness.pki.client_context(), timeout=30) as resp:
            token = json.loads(resp.read().decode())["access_token"]
        times = dict((name, []) for name in VARIANTS)
        cpus = dict((name, []) for name in VARIANTS)
        names = list(VARIANTS)
        for rnd in range(args.runs):
            for name in names[rnd % len(names):] + names[:rnd % len(names)]:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                proc = subprocess.run([sys.executable, "-c", VARIANTS[name], cx["url"], env["ca_path"], token],
                                      capture_output=True, text=True, env=bench.ansible_env(), check=False)
                if proc.returncode != 0:
                    raise SystemExit("%s failed: %s" % (name, proc.stderr[-2000:]))
                times[name].append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    finally:
        harness.stop()
    result = dict((name, {"median": statistics.median(v), "min": min(v), "cpu": statistics.median(cpus[name])})
                  for name, v in times.items())
    result["saving_per_task"] = result["requests"]["median"] - result["http.client"]["median"]
    result["saving_per_task_cpu"] = result["requests"]["cpu"] - result["http.client"]["cpu"]
    result["machine"] = bench.machine_facts()
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as handle:
        json.dump(result, handle, indent=1)
    for name in VARIANTS:
        print("%-12s wall median %6.1f ms   min %6.1f ms   CPU median %6.1f ms" % (
            name, result[name]["median"] * 1000, result[name]["min"] * 1000, result[name]["cpu"] * 1000))
    print("a standard-library transport would save %.1f ms per task (wall, median), %.1f ms of CPU" % (
        result["saving_per_task"] * 1000, result["saving_per_task_cpu"] * 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())

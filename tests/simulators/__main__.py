# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line of the harness.

    python -m simulators start [--dir DIR]   start everything in the background, print env.json's path
    python -m simulators stop  [--dir DIR]   stop what ``start`` started
    python -m simulators serve [--dir DIR]   run in the foreground until SIGTERM / Ctrl-C
    python -m simulators status [--dir DIR]

Run with ``PYTHONPATH=tests`` from the repository root.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time

DEFAULT_DIR = ".sim"


def _env(directory):
    path = os.path.join(directory, "env.json")
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def serve(directory, fresh):
    from simulators.harness import Harness

    if fresh:
        for name in os.listdir(directory) if os.path.isdir(directory) else []:
            if name.endswith(".state.json"):
                os.remove(os.path.join(directory, name))
    harness = Harness(directory).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("simulators running; environment in %s" % harness.env_path, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        harness.stop()
        try:
            os.remove(harness.env_path)
        except OSError:
            pass
    return 0


def start(directory, fresh, wait=30):
    env = _env(directory)
    if env and _alive(env.get("pid", -1)):
        print(os.path.join(directory, "env.json"))
        return 0
    os.makedirs(directory, exist_ok=True)
    env_path = os.path.join(directory, "env.json")
    if os.path.exists(env_path):
        os.remove(env_path)
    log = open(os.path.join(directory, "simulators.log"), "ab")
    cmd = [sys.executable, "-m", "simulators", "serve", "--dir", directory] + (["--fresh"] if fresh else [])
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, env=dict(os.environ))
    deadline = time.time() + wait
    while time.time() < deadline:
        if os.path.exists(env_path):
            print(env_path)
            return 0
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    sys.stderr.write("simulators did not start; see %s\n" % os.path.join(directory, "simulators.log"))
    if proc.poll() is None:
        proc.terminate()
    return 1


def stop(directory, wait=10):
    env = _env(directory)
    if not env:
        print("simulators are not running")
        return 0
    pid = env.get("pid")
    if pid and _alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.time() + wait
        while time.time() < deadline and _alive(pid):
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    try:
        os.remove(os.path.join(directory, "env.json"))
    except OSError:
        pass
    print("simulators stopped")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m simulators")
    parser.add_argument("command", choices=["start", "stop", "serve", "status"])
    parser.add_argument("--dir", default=DEFAULT_DIR, help="state and environment folder (default .sim)")
    parser.add_argument("--fresh", action="store_true", help="forget the saved state before starting")
    args = parser.parse_args(argv)
    directory = os.path.abspath(args.dir)
    if args.command == "serve":
        return serve(directory, args.fresh)
    if args.command == "start":
        return start(directory, args.fresh)
    if args.command == "stop":
        return stop(directory)
    env = _env(directory)
    running = bool(env and _alive(env.get("pid", -1)))
    print(json.dumps({"running": running, "env": env if running else None}, indent=2))
    return 0 if running else 3


if __name__ == "__main__":
    sys.exit(main())

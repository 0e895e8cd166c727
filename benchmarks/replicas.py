"""Replicas behind nginx for tests and benchmarks: deploy/run.sh started and stopped, and
affinity cookies that land on a chosen replica.

nginx hashes each browser's ``bpx_replica`` cookie onto a replica (deploy/README.md). To
put clients on a replica of one's choosing, ``cookies_by_replica`` sends a few requests
with cookies of its own making and reads from nginx's access log which replica served each.
"""

import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import free_port, health, stop_server  # noqa: E402

COOKIE = "bpx_replica"


def start(state, replicas=2, env=None, timeout=90, args=()):
    """deploy/run.sh with ``replicas`` replicas, its state in ``state``, and more of its
    options in ``args`` (e.g. ``("-e", origin)``); (Popen, base URL)."""
    state = Path(state)
    state.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = open(state / "run.log", "wb")
    proc = subprocess.Popen(
        ["bash", str(ROOT / "deploy" / "run.sh"), "-n", str(replicas), "-l",
         f"127.0.0.1:{port}", "-d", str(state / "nginx"), *args],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "PYTHON": sys.executable, **(env or {})})
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while health(url) != "ok":
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError("deploy/run.sh did not come up:\n"
                               + (state / "run.log").read_text(errors="replace")[-3000:])
        time.sleep(0.3)
    return proc, url


def stop(proc):
    """Stop run.sh, which stops its replicas and nginx."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            stop_server(proc)


def cookies_by_replica(url, state, probes=12, timeout=15):
    """{replica address: [cookie values nginx sends there]}, found by sending one request
    per made-up cookie and reading the replica from nginx's access log (flushed every 5 s)."""
    tried = {f"probe{i}{secrets.token_hex(4)}": None for i in range(probes)}
    for value in tried:
        req = urllib.request.Request(f"{url}/_probe_{value}", headers={"Cookie":
                                                                      f"{COOKIE}={value}"})
        try:
            urllib.request.urlopen(req, timeout=10).read()
        except OSError:
            pass                                  # a 404 is logged all the same
    log = Path(state) / "nginx" / "access.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        for value in tried:
            m = re.search(rf"/_probe_{value} \S+ \d+ \d+ upstream=(\S+)", text)
            if m:
                tried[value] = m.group(1)
        if all(tried.values()):
            break
        time.sleep(0.5)
    out = {}
    for value, replica in tried.items():
        if replica:
            out.setdefault(replica, []).append(value)
    return out

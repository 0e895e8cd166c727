"""Replicas behind nginx for tests and benchmarks: deploy/run.sh started and stopped, on one
"host" or two, and affinity cookies that land on a chosen replica.

nginx hashes each browser's ``bpx_replica`` cookie onto a replica (deploy/README.md). To
put clients on a replica of one's choosing, ``cookies_by_replica`` sends a few requests
with cookies of its own making and reads from nginx's access log which replica served each.

Two hosts are simulated on one machine by two run.sh groups on two loopback addresses (all
of 127/8 is loopback on Linux): host 1 (127.0.0.2) runs nginx and its replicas, host 2
(127.0.0.3) replicas only (``run.sh -N``), named to nginx by ``-u``; both on one database.
"""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import health, stop_server  # noqa: E402

COOKIE = "bpx_replica"
HOSTS = ("127.0.0.2", "127.0.0.3")        # the two simulated hosts
NO_NGINX_LINE = re.compile(r"^Backprop Explorer replicas on (\S+) ports: ([\d ]+) \(no nginx",
                           re.MULTILINE)


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _run_sh(state, argv, env):
    """deploy/run.sh ``argv`` in a session of its own, its output in ``state``/run.log, its
    own state in ``state``/nginx."""
    state = Path(state)
    state.mkdir(parents=True, exist_ok=True)
    with open(state / "run.log", "wb") as log:
        return subprocess.Popen(
            ["bash", str(ROOT / "deploy" / "run.sh"), *argv, "-d", str(state / "nginx")],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PYTHON": sys.executable, **(env or {})})


def _failed(proc, state, what):
    stop_server(proc)
    return RuntimeError(f"deploy/run.sh {what} did not come up:\n"
                        + (Path(state) / "run.log").read_text(errors="replace")[-3000:])


def start(state, replicas=2, env=None, timeout=90, args=(), address=None, upstreams=()):
    """deploy/run.sh with ``replicas`` replicas, its state in ``state``, and more of its
    options in ``args`` (e.g. ``("-e", origin)``); (Popen, base URL). ``address``: where
    the replicas listen (``-a``; nginx then listens there too), ``upstreams``: other hosts'
    replicas ("host:port", ``-u`` each)."""
    host = address or "127.0.0.1"
    port = free_port(host)
    argv = ["-n", str(replicas), "-l", f"{host}:{port}"]
    argv += ["-a", address] if address else []
    for up in upstreams:
        argv += ["-u", up]
    proc = _run_sh(state, [*argv, *args], env)
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + timeout
    while health(url) != "ok":
        if proc.poll() is not None or time.monotonic() > deadline:
            raise _failed(proc, state, "")
        time.sleep(0.3)
    return proc, url


def start_replicas(state, replicas=2, address="127.0.0.1", env=None, timeout=90, args=()):
    """deploy/run.sh -N: replicas only, no nginx, listening on ``address``; (Popen,
    ["address:port" of each replica]) once all of them answer their health check."""
    proc = _run_sh(state, ["-N", "-n", str(replicas), "-a", address, *args], env)
    deadline = time.monotonic() + timeout
    while True:
        m = NO_NGINX_LINE.search((Path(state) / "run.log").read_text(errors="replace"))
        if m:
            return proc, [f"{m.group(1)}:{p}" for p in m.group(2).split()]
        if proc.poll() is not None or time.monotonic() > deadline:
            raise _failed(proc, state, "-N")
        time.sleep(0.3)


@dataclass(frozen=True)
class Hosts:
    """Two simulated hosts: ``front`` (run.sh with nginx, whose state is ``state``: pass
    that to cookies_by_replica) and ``back`` (run.sh -N), serving ``url``."""
    front: subprocess.Popen
    back: subprocess.Popen
    url: str
    state: Path

    def stop(self):
        stop(self.front)
        stop(self.back)


def start_two_hosts(state, database_url, replicas=(2, 2), env=None, timeout=90):
    """Host 2 (replicas only, on 127.0.0.3), then host 1 (its replicas and nginx on
    127.0.0.2, host 2's replicas among nginx's upstreams), every replica on the one
    PostgreSQL ``database_url``, their states in ``state``/host1 and ``state``/host2."""
    state = Path(state)
    env = {"BACKPROP_DATABASE_URL": database_url, **(env or {})}
    back, ups = start_replicas(state / "host2", replicas[1], HOSTS[1], env, timeout)
    try:
        front, url = start(state / "host1", replicas[0], env, timeout, address=HOSTS[0],
                           upstreams=ups)
    except BaseException:
        stop(back)
        raise
    return Hosts(front, back, url, state / "host1")


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
            # the replica that answered: the last one tried ("a:1, b:2" when a failed)
            m = re.search(rf"/_probe_{value} \S+ \d+ \d+ upstream=(?:\S+, )*(\S+)", text)
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

"""Load benchmark: N students on the Step-through page at once, against a real server.

Each simulated session speaks Streamlit's websocket protocol (benchmarks/loadclient.py)
and does what reaches the server from a browser on the Step page, whose Next, Prev and
slider step in the browser with no message: it opens the page, reports the step it shows
after a few Next presses (the component's trigger "at"), clicks a cell (trigger "pick"),
types a new seed and jumps to any step, timing every rerun until ``script_finished`` and
checking against ``backprop`` the component's data (every heatmap's numbers, the steps'
titles and known panels), the step the server holds, and a picked cell's derivation
(``backprop.explain.explain``'s lines). Prints rerun latency (p50/p95), errors, reruns
per second, and the resident memory of the server's process tree before, at peak, and
after the sessions have left.

``--scenario browse`` counts every Next press: each student opens the page (one script
run), then presses Next every MIN–MAX seconds, which sends nothing to the server, and
clicks a cell every 10th press, which sends the component's trigger value "pick" (a
rerun; the derivation that comes back is checked). ``--reruns`` counts the presses there.

Every scenario prints the server's CPU time over the run (its process tree, from /proc)
and that per student-minute: CPU seconds / (sessions × minutes of the run), the figure
to compare from one version of a page to the next.

``--scenario train`` puts the students on the Train page instead (benchmarks/loadtrain.py):
step a mini-batch, run an epoch, Play for 5 s (the timer's fragment reruns, "ticks") and
Pause, every decision boundary checked against ``backprop.train``. It also prints the
server time of the ticks and how many ticks each playing student got per second.

    python benchmarks/load.py                          # own server, 30 sessions
    python benchmarks/load.py --sessions 100 --reruns 20
    python benchmarks/load.py --scenario train --sessions 100 --reruns 9
    python benchmarks/load.py --scenario browse --sessions 100 --reruns 60 --think 1 3
    python benchmarks/load.py --url http://127.0.0.1:8080 --pid $(cat /tmp/x/run.pid)
    python benchmarks/load.py --server-arg=--runner.postScriptGC=true   # Streamlit's default

Only loopback addresses are accepted: this machine may load-test nothing else. Exits 1 if
any session saw an error or a wrong figure.
"""

import argparse
import asyncio
import ipaddress
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.loadclient import run_sessions  # noqa: E402

MB = 1024 * 1024
START_TIMEOUT = 60   # seconds for a server to answer /_stcore/health


# The server ---------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health(base_url):
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as r:
            return r.read().decode().strip()
    except OSError:
        return None


def start_server(port, extra_args=(), log_path=None, app="app.py", base_path=""):
    """``streamlit run app.py`` on 127.0.0.1:port, in its own process group; returns the
    Popen once /_stcore/health answers ok. ``base_path`` serves the app under that path
    (server.baseUrlPath, as behind a proxy), and its health is asked for there."""
    cmd = [sys.executable, "-m", "streamlit", "run", app,
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           *(("--server.baseUrlPath", base_path) if base_path else ()), *extra_args]
    log = open(log_path or os.devnull, "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    log.close()
    base = f"http://127.0.0.1:{port}" + (f"/{base_path}" if base_path else "")
    deadline = time.monotonic() + START_TIMEOUT
    while health(base) != "ok":
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            tail = Path(log_path).read_text(errors="replace")[-3000:] if log_path else ""
            raise RuntimeError(f"streamlit did not start on port {port}:\n{tail}")
        time.sleep(0.2)
    if proc.poll() is not None:
        raise RuntimeError(f"port {port} is answered by another server")
    return proc


def stop_server(proc, timeout=10):
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


# Memory -------------------------------------------------------------------------------

def _children():
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(pids):
    """The given processes and all their descendants, each once."""
    kids, seen, todo = _children(), set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo.extend(kids.get(pid, ()))
            yield pid


def tree_rss(pids):
    """Resident memory in bytes of the given processes and all their descendants."""
    total = 0
    for pid in tree(pids):
        try:
            with open(f"/proc/{pid}/status") as f:
                total += sum(int(line.split()[1]) * 1024 for line in f
                             if line.startswith("VmRSS:"))
        except OSError:
            pass
    return total


def tree_cpu(pids):
    """CPU seconds (user + system) used so far by the given processes and all their
    descendants, with the children they have already reaped (cutime, cstime)."""
    total = 0
    for pid in tree(pids):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])   # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def listener_pid(port):
    """The pid of the process listening on a TCP port of this machine, or None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(parts[9])
        except OSError:
            continue
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            for fd in os.listdir(f"/proc/{d}/fd"):
                link = os.readlink(f"/proc/{d}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(d)
        except OSError:
            continue
    return None


class PeakSampler(threading.Thread):
    """Samples the tree's RSS every ``every`` seconds until stopped; keeps the peak."""

    def __init__(self, pids, every=0.25):
        super().__init__(daemon=True)
        self.pids, self.every, self.peak = pids, every, 0
        self._done = threading.Event()

    def run(self):
        while not self._done.is_set():
            self.peak = max(self.peak, tree_rss(self.pids))
            self._done.wait(self.every)

    def stop(self):
        self._done.set()
        self.join()
        self.peak = max(self.peak, tree_rss(self.pids))
        return self.peak


# The benchmark ------------------------------------------------------------------------

def check_loopback(url):
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        sys.exit(f"refusing to load-test {host!r}: only loopback addresses "
                 "(127.0.0.0/8, ::1, localhost) are allowed here")


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]   # nearest rank


def report(results, elapsed, mem, args, url, cpu, server_cpu=None):
    reruns = [x for r in results for x in r.latencies]
    opens = [r.open_latency for r in results if r.open_latency == r.open_latency]
    errors = [e for r in results for e in r.errors]
    ms = 1000
    print(f"target      {url}, {args.scenario} scenario: {args.sessions} sessions × "
          f"{args.reruns} {'presses' if args.scenario == 'browse' else 'reruns'}, think "
          f"{args.think[0]:g}–{args.think[1]:g} s, starts spread over {args.ramp:g} s")
    if opens:
        print(f"page open   p50 {statistics.median(opens) * ms:6.0f} ms   "
              f"p95 {pct(opens, 95) * ms:6.0f} ms   (n={len(opens)})")
    if reruns:
        print(f"rerun       p50 {statistics.median(reruns) * ms:6.0f} ms   "
              f"p95 {pct(reruns, 95) * ms:6.0f} ms   max {max(reruns) * ms:6.0f} ms   "
              f"(n={len(reruns)})")
    ticks = [x for r in results for x in r.ticks]
    if ticks:
        rates = [x for r in results for x in r.rates] or [0.0]
        print(f"Play tick   p50 {statistics.median(ticks) * ms:6.0f} ms   "
              f"p95 {pct(ticks, 95) * ms:6.0f} ms   max {max(ticks) * ms:6.0f} ms   "
              f"(n={len(ticks)}); ticks per second while playing: median "
              f"{statistics.median(rates):.1f}, lowest {min(rates):.1f}")
    runs = len(reruns) + len(opens) + len(ticks)
    print(f"throughput  {runs / elapsed:.1f} script runs/s over "
          f"{elapsed:.1f} s (load client used {cpu:.1f} s of CPU)")
    presses = sum(getattr(r, "presses", 0) for r in results)
    if presses:
        print(f"presses     {presses} Next presses that sent nothing to the server "
              f"({presses / elapsed:.1f}/s)")
    if server_cpu is not None:
        minutes = args.sessions * elapsed / 60
        actions = len(reruns) + presses
        print(f"server CPU  {server_cpu:.1f} s over {elapsed:.1f} s "
              f"({server_cpu / elapsed * 100:.0f}% of one core); "
              f"{server_cpu / minutes:.3f} s per student-minute "
              f"({actions / minutes:.1f} actions per student-minute)")
    print(f"errors      {len(errors)}")
    print("machine     load average {:.1f} before, {:.1f} after; {} cores".format(
        args.loadavg[0], os.getloadavg()[0], os.cpu_count()))
    for e in errors[:10]:
        print(f"  {e}")
    if mem:
        print("server RSS  before {:.0f} MB, peak {:.0f} MB, {:g} s after {:.0f} MB{}".format(
            mem["before"] / MB, mem["peak"] / MB, args.settle, mem["after"] / MB,
            " (after a probe session)" if args.probe else ""))
    return errors


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--url", help="base URL of a running app, e.g. http://127.0.0.1:8501")
    where.add_argument("--port", type=int, help="port of an app running on 127.0.0.1")
    where.add_argument("--start-server", action="store_true",
                       help="start `streamlit run app.py` on a free loopback port "
                            "(the default when neither --url nor --port is given)")
    ap.add_argument("--scenario", choices=("step", "train", "browse"),
                    default="step",
                    help="step: the Step page, what reaches the server (default); "
                         "train: the Train page; browse: the Step page, every Next press "
                         "counted, a cell picked every 10th")
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--reruns", type=int, default=20, help="interactions per session")
    ap.add_argument("--think", type=float, nargs=2, default=(2.0, 8.0), metavar=("MIN", "MAX"),
                    help="seconds a student reads before the next click, drawn uniformly "
                         "(default 2 8: a brisk class, one click per student every 5 s; "
                         "0 0 clicks as fast as the server answers)")
    ap.add_argument("--ramp", type=float, default=5.0,
                    help="seconds over which the sessions arrive (default 5)")
    ap.add_argument("--settle", type=float, default=10.0,
                    help="seconds after the sessions left to measure memory again")
    ap.add_argument("--pid", type=int, action="append",
                    help="root of the server process tree to measure (repeatable); "
                         "default: the process listening on the port")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra argument for the started server, e.g. "
                         "--server-arg=--runner.postScriptGC=true")
    ap.add_argument("--probe", action="store_true",
                    help="open one more session just before the last memory reading: "
                         "Streamlit keeps a closed session for server.disconnectedSessionTTL "
                         "(120 s) and frees it only when a new one connects after that")
    ap.add_argument("--no-warmup", action="store_true",
                    help="measure the baseline on a server no session has used yet")
    args = ap.parse_args(argv)
    if args.sessions < 1 or args.reruns < 0 or args.sessions > 500 or args.reruns > 1000:
        ap.error("use 1..500 sessions and 0..1000 reruns")

    proc = None
    if args.url or args.port:
        url = (args.url or f"http://127.0.0.1:{args.port}").rstrip("/")
        check_loopback(url)
        if health(url) != "ok":
            sys.exit(f"{url}/_stcore/health does not answer ok")
    else:
        port = free_port()
        log = Path(tempfile.gettempdir()) / f"load-streamlit-{port}.log"
        print(f"starting streamlit on 127.0.0.1:{port} (log: {log})")
        proc = start_server(port, args.server_arg, log)
        url = f"http://127.0.0.1:{port}"
    try:
        pids = args.pid or ([proc.pid] if proc else
                            [listener_pid(urllib.parse.urlsplit(url).port or 80)])
        pids = [p for p in pids if p]
        if not args.no_warmup:   # imports happen on a server's first run (4 sessions
            asyncio.run(run_sessions(url, 4, 1,  # reach both replicas behind nginx)
                                     scenario=args.scenario))
            time.sleep(1)
        mem = {"before": tree_rss(pids)} if pids else None
        sampler = PeakSampler(pids) if pids else None
        if sampler:
            sampler.start()
        args.loadavg = os.getloadavg()   # other work on the machine skews the figures
        server0 = tree_cpu(pids) if pids else None
        cpu0, t0 = time.process_time(), time.perf_counter()
        results = asyncio.run(run_sessions(url, args.sessions, args.reruns,
                                           tuple(args.think), args.ramp, args.scenario))
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        server_cpu = tree_cpu(pids) - server0 if pids else None
        if sampler:
            mem["peak"] = sampler.stop()
            time.sleep(args.settle)
            if args.probe:
                asyncio.run(run_sessions(url, 1, 0))
                time.sleep(1)
            mem["after"] = tree_rss(pids)
        errors = report(results, elapsed, mem, args, url, cpu, server_cpu)
    finally:
        if proc:
            stop_server(proc)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

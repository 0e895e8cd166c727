"""Load benchmark of a live class: N students answer one question within a few seconds,
half on each of two Streamlit replicas behind nginx (deploy/run.sh), sharing one class
database; the teacher watches the live view.

Every simulated person speaks Streamlit's websocket protocol (benchmarks/loadclient.py) and
does what the browser does, polling included: a student's page reruns its small polling
fragment every 2 s, the teacher's live view every 1 s (``run_every``). The teacher opens a
class and asks; the students open the join link, join with a nickname, and each answers at
a random moment within ``--window`` seconds (most right, some with the bias left out, some
anything). Printed:

- answers lost: students told "Received" whose answer is not in the database (counted
  there), and students never told "Received";
- how long after the last "Received" the teacher's view showed all N answered;
- the students' response times (join, answer, polling ticks): p50 / p95 / max;
- the replicas' CPU time and script runs per second over the answering window.

    python benchmarks/class_load.py                    # 100 students, 10 s, 2 replicas
    python benchmarks/class_load.py --students 200 --window 5 --noisy 30

``--noisy N`` adds a second class of N students who, during the window, send a wrong
number, a garbage answer or the same answer again every 0.2 s each: the first class's
figures show what they cost it. ``--watchers K`` adds K more teachers' live views.
Exits 1 if any answer was lost or any session saw an error.
"""

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.proto.Alert_pb2 import Alert  # noqa: E402

from benchmarks import replicas  # noqa: E402
from benchmarks.load import _children, pct  # noqa: E402
from benchmarks.loadclient import AppSession, run_sync  # noqa: E402

Z2_1 = 0.15 * 0.05 + 0.20 * 0.10 + 0.35          # the default question: z²₁ of 2-2-2


def alerts(run, fmt):
    return [e.alert.body for e in run.of_type("alert") if e.alert.format == fmt]


def metric(run, label):
    return next((e.metric.body for e in run.of_type("metric") if e.metric.label == label), None)


class Person:
    """One browser: a session, a lock (the browser sends one rerun at a time) and its
    polling loop."""

    def __init__(self, url, cookie, stats, name, tick="poll"):
        self.s = AppSession(url, cookies={replicas.COOKIE: cookie})
        self.lock, self.stats, self.name, self.tick = asyncio.Lock(), stats, name, tick
        self.errors = []

    async def act(self, what, coro_fn):
        async with self.lock:
            run = await coro_fn()
        self.stats.setdefault(what, []).append(run.latency)
        self.errors += [f"{self.name} {what}: {p}" for p in run.problems]
        return run

    async def poll(self, until, on_tick=None):
        """Rerun each run_every fragment at its interval until ``until`` is set."""
        while not until.is_set():
            every = min(self.s.auto_reruns.values(), default=2.0)
            try:
                await asyncio.wait_for(until.wait(), every)
                return
            except asyncio.TimeoutError:
                pass
            for fid in list(self.s.auto_reruns):
                run = await self.act(self.tick, lambda f=fid: self.s.tick(f))
                if on_tick:
                    on_tick(run)


async def teacher_opens(url, cookie, stats):
    t = Person(url, cookie, stats, "teacher", tick="teacher tick")
    await t.s.__aenter__()
    await t.act("teacher open", lambda: t.s.open("Teach"))
    await t.act("teacher open class", lambda: t.s.click("teach_open"))
    query = dict(p.split("=", 1) for p in t.s.query.split("&") if "=" in p)
    await t.act("teacher ask", lambda: t.s.click("teach_ask"))
    return t, query["class"], query["key"]


async def student(url, cookie, code, i, stats, go, window, rng, done, received):
    p = Person(url, cookie, stats, f"student {i}")
    async with p.s:
        await p.act("open", lambda: p.s.open("Class", query=f"code={code}"))
        p.s.fill("_class_nickname", f"student {i}")
        await p.act("join", lambda: p.s.click("class_join"))
        poller = asyncio.create_task(p.poll(done))
        await go.wait()
        await asyncio.sleep(rng.uniform(0, window))
        r = rng.random()
        answer = Z2_1 if r < 0.6 else Z2_1 - 0.35 if r < 0.85 else rng.uniform(-1, 1)
        p.s.fill("_class_answer", f"{answer:.6f}")
        run = await p.act("answer", lambda: p.s.click("class_send"))
        if any(b.startswith("Received") for b in alerts(run, Alert.SUCCESS)):
            received.append(time.perf_counter())
        else:
            p.errors.append(f"student {i}: no 'Received' ({alerts(run, Alert.ERROR)})")
        await poller
    return p.errors


async def noisy(url, cookie, code, i, stats, go, stop, rng):
    """A student of another class who keeps sending: wrong, garbage, or the same again."""
    p = Person(url, cookie, stats, f"noisy {i}")
    async with p.s:
        await p.act("noisy open", lambda: p.s.open("Class", query=f"code={code}"))
        p.s.fill("_class_nickname", f"noisy {i}")
        await p.act("noisy join", lambda: p.s.click("class_join"))
        await go.wait()
        while not stop.is_set():
            if "class_send" in p.s.widgets:
                p.s.fill("_class_answer", rng.choice(["0.5", "abc", "nan", "1,5", "x" * 40]))
                await p.act("noisy send", lambda: p.s.click("class_send"))
            else:
                await p.act("noisy rerun", p.s.rerun)       # received: reloading, say
            await asyncio.sleep(0.2)
    return []


def cpu_seconds(root):
    """User + system CPU seconds of a process tree so far."""
    kids, todo, total, seen = _children(), [root], 0, set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        todo += kids.get(pid, [])
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


async def main_async(args, url, pid, db):
    by = replicas.cookies_by_replica(url, args.state)
    if len(by) < 2:
        raise SystemExit(f"the probe cookies all went to one replica: {by}")
    (rep_a, (cookie_a, *_)), (rep_b, (cookie_b, *_)) = list(by.items())[:2]
    stats = {}
    go, done, stop_noise = asyncio.Event(), asyncio.Event(), asyncio.Event()
    teacher, code, key = await teacher_opens(url, cookie_a, stats)
    seen = []                                  # (time the tick finished, answered shown)
    watchers = [teacher]
    for k in range(args.watchers):
        w = Person(url, cookie_b if k % 2 else cookie_a, stats, f"watcher {k}",
                   tick="teacher tick")
        await w.s.__aenter__()
        await w.act("teacher open", lambda w=w: w.s.open("Teach", query=f"class={code}&key={key}"))
        watchers.append(w)
    tasks = [asyncio.create_task(teacher.poll(done, lambda run: seen.append(
        (time.perf_counter(), metric(run, "Answered")))))]
    tasks += [asyncio.create_task(w.poll(done)) for w in watchers[1:]]
    noise = []
    if args.noisy:
        other = await teacher_opens(url, cookie_b, {})
        noise = [asyncio.create_task(noisy(url, (cookie_a, cookie_b)[i % 2], other[1], i, stats,
                                           go, stop_noise, random.Random(1000 + i)))
                 for i in range(args.noisy)]
    received = []
    students = [asyncio.create_task(student(url, (cookie_a, cookie_b)[i % 2], code, i, stats, go,
                                            args.window, random.Random(args.seed + i), done,
                                            received))
                for i in range(args.students)]
    while len(stats.get("join", [])) < args.students and not any(t.done() for t in students):
        await asyncio.sleep(0.2)
    cpu0, runs0, t_go = cpu_seconds(pid), sum(map(len, stats.values())), time.perf_counter()
    go.set()
    while len(received) + sum(t.done() for t in students) < args.students and \
            time.perf_counter() - t_go < args.window + 60:
        await asyncio.sleep(0.1)
    t_last = max(received, default=float("nan"))
    while time.perf_counter() - t_last < 10 and not any(
            n == str(args.students) for t, n in seen if t >= t_last):
        await asyncio.sleep(0.1)
    elapsed, cpu = time.perf_counter() - t_go, cpu_seconds(pid) - cpu0
    runs = sum(map(len, stats.values())) - runs0
    stop_noise.set()
    done.set()
    errors = [e for t in students for e in await t] + [e for t in noise for e in await t]
    await asyncio.gather(*tasks)
    for w in watchers:
        errors += w.errors
        await w.s.__aexit__(None, None, None)
    shown = next((t for t, n in seen if t >= t_last and n == str(args.students)), None)
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM answers a JOIN students s ON "
                              "s.id = a.student_id WHERE s.nickname LIKE 'student %'").fetchone()[0]
    ms = 1000
    print(f"class       {args.students} students ({args.students - args.students // 2} via "
          f"{rep_a}, {args.students // 2} via {rep_b}) answer within {args.window:g} s; "
          f"{args.noisy} noisy students in another class; {1 + args.watchers} teacher views")
    print(f"answers     received {len(received)}, in the database {stored}, lost "
          f"{len(received) - stored + (args.students - len(received))}")
    print("teacher     shows all {} answered {} after the last 'Received'".format(
        args.students, f"{(shown - t_last) * ms:.0f} ms" if shown else "NEVER (within 10 s)"))
    for what in ("open", "join", "answer", "poll", "noisy send", "teacher tick"):
        xs = stats.get(what, [])
        if xs:
            print(f"{what:<13}p50 {statistics.median(xs) * ms:6.0f} ms   "
                  f"p95 {pct(xs, 95) * ms:6.0f}"
                  f" ms   max {max(xs) * ms:6.0f} ms   (n={len(xs)})")
    print(f"server       {cpu:.1f} s CPU over {elapsed:.1f} s (both replicas and nginx), "
          f"{runs / elapsed:.1f} script runs/s; load average {os.getloadavg()[0]:.1f}")
    for e in errors[:10]:
        print(f"  {e}")
    lost = len(received) != stored or len(received) < args.students
    return 1 if (errors or lost or shown is None) else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=100)
    ap.add_argument("--window", type=float, default=10.0, help="seconds to answer in")
    ap.add_argument("--noisy", type=int, default=0)
    ap.add_argument("--watchers", type=int, default=0)
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if not (1 <= args.students <= 200 and 0 <= args.noisy <= 200 and 0 <= args.watchers <= 50):
        ap.error("use 1..200 students, 0..200 noisy ones and 0..50 watchers")
    with tempfile.TemporaryDirectory(prefix="class-load-") as state:
        args.state = state
        db = str(Path(state) / "class.sqlite3")
        proc, url = replicas.start(state, args.replicas, env={"BACKPROP_CLASS_DB": db})
        try:
            return run_sync(main_async(args, url, proc.pid, db))   # works under Playwright too
        finally:
            replicas.stop(proc)


if __name__ == "__main__":
    sys.exit(main())

"""Load benchmark of a live class: N students answer one question within a few seconds,
spread evenly over Streamlit replicas behind nginx (deploy/run.sh), sharing one class
database (SQLite, or PostgreSQL: ``--database postgres``, on one simulated host or two:
``--hosts 2``); the teacher watches the live view.

Every simulated person speaks Streamlit's websocket protocol (benchmarks/loadclient.py) and
does what the browser does, polling included: a student's page reruns its small polling
fragment every 2 s, the teacher's live view every 1 s (``run_every``). The teacher opens a
class and asks; the students open the join link, join with a nickname, and each answers at
a random moment within ``--window`` seconds (most right, some with the bias left out, some
anything). Printed:

- answers lost: students told "Received" whose answer is not in the database (counted
  there, through the class store), and students never told "Received";
- how long after the last "Received" the teacher's view showed all N answered;
- the students' response times (join, answer, polling ticks): p50 / p95 / max;
- the replicas' CPU time (and PostgreSQL's) and script runs per second over the answering
  window; the load average, and PostgreSQL's version.

    python benchmarks/class_load.py                    # 100 students, 10 s, 2 replicas
    python benchmarks/class_load.py --students 200 --window 5 --noisy 30
    python benchmarks/class_load.py --students 300 --replicas 4 --database postgres --hosts 2

``--database postgres`` starts a PostgreSQL of its own (benchmarks/postgres.py) in the
temporary directory. ``--hosts 2`` (PostgreSQL only) simulates two machines: run.sh with
nginx on 127.0.0.2 and run.sh -N on 127.0.0.3, the replicas split between them
(benchmarks/replicas.py, ``start_two_hosts``).

``--noisy N`` adds a second class of N students who, during the window, send a wrong
number, a garbage answer or the same answer again every 0.2 s each: the first class's
figures show what they cost it. ``--watchers K`` adds K more teachers' live views.
Exits 1 if any answer was lost or any session saw an error.
"""

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.proto.Alert_pb2 import Alert  # noqa: E402

from benchmarks import replicas  # noqa: E402
from benchmarks.load import _children, listener_pid, pct  # noqa: E402
from benchmarks.loadclient import AppSession, run_sync  # noqa: E402
from benchmarks.postgres import class_database  # noqa: E402
from explorer.classroom.db_postgres import POOL_DEFAULT, POOL_ENV  # noqa: E402
from explorer.classroom.store import MAX_STUDENTS, Store  # noqa: E402

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


def stored_answers(location, code, key):
    """(answers of the class's current question, how many distinct students they are from),
    read through the class store: the students' only (nicknames "student N")."""
    with Store(location) as store:
        cls = store.teacher(code, key)
        question = store.current(cls.id)[1]
        rows = [r for r in store.tally(cls.id, question.id)[2] if r[0].startswith("student ")]
    return len(rows), len({r[0] for r in rows})


async def main_async(args, url, pids, location):
    by = replicas.cookies_by_replica(url, args.state, probes=8 * args.replicas + 8)
    if len(by) < args.replicas:
        raise SystemExit(f"the probe cookies reached {len(by)} of {args.replicas} replicas: "
                         f"{sorted(by)}")
    names = sorted(by)
    cookies = [by[r][0] for r in names]      # one per replica: person i on replica i % n
    on = {r: 0 for r in names}
    stats = {}
    go, done, stop_noise = asyncio.Event(), asyncio.Event(), asyncio.Event()
    teacher, code, key = await teacher_opens(url, cookies[0], stats)
    seen = []                                  # (time the tick finished, answered shown)
    watchers = [teacher]
    for k in range(args.watchers):
        w = Person(url, cookies[(k + 1) % len(cookies)], stats, f"watcher {k}",
                   tick="teacher tick")
        await w.s.__aenter__()
        await w.act("teacher open", lambda w=w: w.s.open("Teach", query=f"class={code}&key={key}"))
        watchers.append(w)
    tasks = [asyncio.create_task(teacher.poll(done, lambda run: seen.append(
        (time.perf_counter(), metric(run, "Answered")))))]
    tasks += [asyncio.create_task(w.poll(done)) for w in watchers[1:]]
    noise = []
    if args.noisy:
        other = await teacher_opens(url, cookies[-1], {})
        noise = [asyncio.create_task(noisy(url, cookies[i % len(cookies)], other[1], i, stats,
                                           go, stop_noise, random.Random(1000 + i)))
                 for i in range(args.noisy)]
    received = []
    for i in range(args.students):
        on[names[i % len(names)]] += 1
    students = [asyncio.create_task(student(url, cookies[i % len(cookies)], code, i, stats, go,
                                            args.window, random.Random(args.seed + i), done,
                                            received))
                for i in range(args.students)]
    while len(stats.get("join", [])) < args.students and not any(t.done() for t in students):
        await asyncio.sleep(0.2)
    cpu0, runs0, t_go = cpu_of(pids), sum(map(len, stats.values())), time.perf_counter()
    go.set()
    while len(received) + sum(t.done() for t in students) < args.students and \
            time.perf_counter() - t_go < args.window + 60:
        await asyncio.sleep(0.1)
    t_last = max(received, default=float("nan"))
    while time.perf_counter() - t_last < 10 and not any(
            n == str(args.students) for t, n in seen if t >= t_last):
        await asyncio.sleep(0.1)
    elapsed, cpu = time.perf_counter() - t_go, [b - a for a, b in zip(cpu0, cpu_of(pids))]
    runs = sum(map(len, stats.values())) - runs0
    stop_noise.set()
    done.set()
    errors = [e for t in students for e in await t] + [e for t in noise for e in await t]
    await asyncio.gather(*tasks)
    for w in watchers:
        errors += w.errors
        await w.s.__aexit__(None, None, None)
    shown = next((t for t, n in seen if t >= t_last and n == str(args.students)), None)
    stored, distinct = stored_answers(location, code, key)
    ms = 1000
    print(f"class       {args.students} students over {len(names)} replicas ("
          + ", ".join(f"{on[r]} via {r}" for r in names) + f") answer within {args.window:g} s; "
          f"{args.noisy} noisy students in another class; {1 + args.watchers} teacher views")
    print(f"answers     received {len(received)}, in the database {stored} (from {distinct} "
          f"students), lost {len(received) - distinct + (args.students - len(received))}")
    print("teacher     shows all {} answered {} after the last 'Received'".format(
        args.students, f"{(shown - t_last) * ms:.0f} ms" if shown else "NEVER (within 10 s)"))
    for what in ("open", "join", "answer", "poll", "noisy send", "teacher tick"):
        xs = stats.get(what, [])
        if xs:
            print(f"{what:<13}p50 {statistics.median(xs) * ms:6.0f} ms   "
                  f"p95 {pct(xs, 95) * ms:6.0f}"
                  f" ms   max {max(xs) * ms:6.0f} ms   (n={len(xs)})")
    pg = f", PostgreSQL {cpu[-1]:.1f} s" if args.database == "postgres" else ""
    print(f"server       {sum(cpu[:args.hosts]):.1f} s CPU over {elapsed:.1f} s (replicas and "
          f"nginx{pg}), {runs / elapsed:.1f} script runs/s; load average "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    for e in errors[:10]:
        print(f"  {e}")
    lost = len(received) != stored or stored != distinct or len(received) < args.students
    return 1 if (errors or lost or shown is None) else 0


def cpu_of(pids):
    return [cpu_seconds(pid) if pid else 0.0 for pid in pids]


@contextlib.contextmanager
def deployed(args, state):
    """The replicas (one host or two) on the chosen database: yields (base URL, [root pids
    of each host's run.sh, then PostgreSQL's postmaster or None], the store's location),
    where cookies_by_replica finds nginx's log in args.state."""
    with contextlib.ExitStack() as stack:
        location, env, what, server = stack.enter_context(
            class_database(args.database, state, "class_load"))
        pg_pid = listener_pid(server.port) if server else None
        if server:
            pool = os.environ.get(POOL_ENV) or f"{POOL_DEFAULT} (the default)"
            print(f"database    {what} on 127.0.0.1:{server.port}, a pool of {pool} "
                  "connections per replica", flush=True)
        else:
            print(f"database    {what} {location}", flush=True)
        if args.hosts == 2:
            front = args.replicas - args.replicas // 2
            hosts = replicas.start_two_hosts(state, location,
                                             (front, args.replicas - front), env=env)
            stack.callback(hosts.stop)
            args.state = hosts.state
            yield hosts.url, [hosts.front.pid, hosts.back.pid, pg_pid], location
        else:
            proc, url = replicas.start(state, args.replicas, env=env)
            stack.callback(replicas.stop, proc)
            args.state = state
            yield url, [proc.pid, pg_pid], location


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=100)
    ap.add_argument("--window", type=float, default=10.0, help="seconds to answer in")
    ap.add_argument("--noisy", type=int, default=0)
    ap.add_argument("--watchers", type=int, default=0)
    ap.add_argument("--replicas", type=int, default=2, help="in all, over every host")
    ap.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--hosts", type=int, choices=(1, 2), default=1,
                    help="2: two simulated hosts (PostgreSQL only), the replicas split")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if not (1 <= args.students <= MAX_STUDENTS and 0 <= args.noisy <= MAX_STUDENTS
            and 0 <= args.watchers <= 50):
        ap.error(f"use 1..{MAX_STUDENTS} students, 0..{MAX_STUDENTS} noisy ones and 0..50 "
                 "watchers")
    if args.hosts == 2 and (args.database != "postgres" or args.replicas < 2):
        ap.error("--hosts 2 needs --database postgres (SQLite is one machine's) and 2 or "
                 "more replicas")
    with tempfile.TemporaryDirectory(prefix="class-load-") as state:
        with deployed(args, state) as (url, pids, location):
            return run_sync(main_async(args, url, pids, location))   # works under Playwright


if __name__ == "__main__":
    sys.exit(main())

"""How long a replica's death interrupts a live class: deploy/run.sh -n 2 behind nginx, and
one replica killed with SIGKILL while a question is open. A script run by hand, not a test.

Each trial: the teacher asks a new question (through the class store, as the Teach page
does); ``--students`` students join in headless Chromium on the replica to be killed, and
two more on the other replica. When every page shows the question and has settled, one of
those two answers (the baseline: how long an answer takes with nothing killed), then the
replica is killed. From that moment, each student's page is watched until it has opened a new
websocket (the reconnect), and the student answers as soon as the answer box takes input
again; the other student of the surviving replica (the control) answers at once. Printed,
in seconds from the kill:

- reconnect: the page opened its new websocket;
- page back: the new session's first script run finished (the page is drawn by a live
  session again: before that, what it shows is left from the replica that died);
- can answer: the answer, sent then, is received: the page says "Received" (the gap a
  student sees);
- control: the same for the student on the surviving replica (no gap expected: only
  the extra work the moved students bring to that replica), next to the baseline;
- replica back: the killed replica answers /_stcore/health on its port again (run.sh
  restarted it; its students need not wait for that: nginx sends them to the other one).

It also checks that run.sh is still running, that its log names the exit and the back-off,
and that every "Received" answer is in the class database (read through the class store).
Exits 1 if not. ``--database postgres`` puts the class on a PostgreSQL of its own
(benchmarks/postgres.py, in the temporary directory) instead of a SQLite file.

    python benchmarks/replica_kill.py                    # 3 trials of 3 students
    python benchmarks/replica_kill.py --trials 5 --students 5
    python benchmarks/replica_kill.py --database postgres
"""

import argparse
import asyncio
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from benchmarks import replicas  # noqa: E402
from benchmarks.bench_app import APP_READY, CHROMIUM_ARGS, chromium_path  # noqa: E402
from benchmarks.load import health, listener_pid  # noqa: E402

TIMEOUT = 60_000   # ms: one wait in the page
NAME = "δ²₁"       # the asked cell, as the answer box is labelled
SETTLE = 3.0       # s: the new pages finish loading (plotly.js: 4.8 MB each) first
SLOW = 5.0         # s: a student back later than this has their page's requests printed
STEADY = 62        # s: past run.sh's STEADY, so that every kill gets the first back-off


class Sockets:
    """The websockets a Playwright page (sync or async) opens, in order: when each opened
    and when each of its whole-page script runs finished (time.monotonic()). A page that
    reconnected is live again once its new websocket has seen a run finish: until then the
    page shows what the old session drew, and a click may reach a session that does not
    know its widget yet."""

    def __init__(self, page):
        self.opened, self.finished = [], []
        page.on("websocket", self._open)

    def _open(self, ws):
        self.opened.append(time.monotonic())
        finished = []
        self.finished.append(finished)
        ws.on("framereceived", lambda payload: self._frame(payload, finished))

    @staticmethod
    def _frame(payload, finished):
        if not isinstance(payload, bytes):
            return
        msg = ForwardMsg.FromString(payload)
        if (msg.WhichOneof("type") == "script_finished"
                and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY):
            finished.append(time.monotonic())

    def live_again(self):
        """Whether a second websocket has opened and seen a whole-page run finish."""
        return len(self.finished) >= 2 and bool(self.finished[-1])


class Requests:
    """What a page asks of the server's /_stcore/ (health, host-config, the websocket),
    with when and how it ended: printed for a student whose gap is long."""

    def __init__(self, page):
        self.seen = []
        page.on("requestfinished", lambda r: self._add(r, "done"))
        page.on("requestfailed", lambda r: self._add(r, f"failed: {r.failure}"))
        page.on("websocket", lambda ws: (self._note(f"websocket {ws.url}"), ws.on(
            "close", lambda _: self._note("websocket closed"))))

    def _note(self, what):
        self.seen.append((time.monotonic(), what))

    def _add(self, request, how):
        if "/_stcore/" in request.url:
            self._note(f"{request.method} {request.url.split('/', 3)[3]} {how}")

    def since(self, t0):
        return [f"{t - t0:7.2f} s  {what}" for t, what in self.seen if t >= t0 - 1]


def ask(store, teacher):
    """A new question to the class: δ²₁ at step 8 (BP2) of the 2-2-2 preset; (the Question,
    its right value)."""
    from backprop.explain.steps import steps
    from explorer.classroom import live
    from explorer.practice import questions
    from explorer.presets import PRESETS

    net, x, y = PRESETS["2-2-2 by hand"].make()
    i = 7
    cell = ("delta", 2, 1, None)
    assert cell in questions.cells(net, steps(net, net.backprop(x, y))[i])
    network, right = live.question_of(net, x, y, i, cell)
    return store.ask(teacher.id, network, i, cell, right), right


async def student(browser, url, cookie, code, nickname, number):
    """A student's page, joined, showing question ``number``; (page, its Sockets)."""
    ctx = await browser.new_context(viewport={"width": 1300, "height": 950})
    await ctx.add_cookies([{"name": replicas.COOKIE, "value": cookie, "url": url}])
    page = await ctx.new_page()
    sockets = Sockets(page)
    sockets.requests = Requests(page)
    await page.goto(f"{url}/Class?code={code}", timeout=TIMEOUT)
    await page.wait_for_selector(APP_READY, timeout=TIMEOUT)
    await page.get_by_role("textbox", name="Nickname").fill(nickname)
    await page.get_by_role("button", name="Join").click()
    await page.get_by_text(f"Question {number}: what is {NAME}?").wait_for(timeout=TIMEOUT)
    await page.wait_for_selector(APP_READY, timeout=TIMEOUT)
    return page, sockets


async def answer(page, value):
    """Send ``value`` as soon as the answer box takes it; the time "Received" shows."""
    await page.get_by_role("textbox", name=NAME).fill(value, timeout=TIMEOUT)
    await page.get_by_role("button", name="Send").click(timeout=TIMEOUT)
    await page.get_by_text("Received: your answer").wait_for(timeout=TIMEOUT)
    return time.monotonic()


async def killed_student(page, sockets, value):
    """(reconnect, page back, received) times of a student of the killed replica."""
    while not sockets.live_again():
        await asyncio.sleep(0.02)
    return sockets.opened[1], sockets.finished[1][0], await answer(page, value)


async def back_up(addr):
    while await asyncio.to_thread(health, f"http://{addr}") != "ok":
        await asyncio.sleep(0.1)
    return time.monotonic()


async def trial(browser, url, by, store, teacher, code, number, students):
    (_, on_live), (dead, on_dead) = sorted(by.items())[:2]
    question, right = ask(store, teacher)
    value = f"{right:.6f}"
    pages = await asyncio.gather(
        *(student(browser, url, on_dead[k % len(on_dead)], code, f"t{number}s{k}", number)
          for k in range(students)),
        student(browser, url, on_live[0], code, f"t{number}base", number),
        student(browser, url, on_live[0], code, f"t{number}ctl", number))
    pid = listener_pid(int(dead.rsplit(":", 1)[1]))
    if pid is None:
        raise RuntimeError(f"nothing listens on {dead}")
    await asyncio.sleep(SETTLE)
    t0 = time.monotonic()
    baseline = await answer(pages[-2][0], value) - t0
    await asyncio.sleep(0.5)
    os.kill(pid, signal.SIGKILL)
    t0 = time.monotonic()
    *killed, control, back = await asyncio.gather(
        *(killed_student(p, s, value) for p, s in pages[:-2]),
        answer(pages[-1][0], value), back_up(dead))
    for (_, s), (_, _, r) in zip(pages, killed):
        if r - t0 > SLOW:
            print(f"  a student back after {r - t0:.2f} s; what the page asked for:\n    "
                  + "\n    ".join(s.requests.since(t0)), flush=True)
    for page, _ in pages:
        await page.context.close()
    return ([[t - t0 for t in times] for times in zip(*killed)], control - t0, baseline,
            back - t0, students + 2, question.id)


def row(name, xs):
    return (f"{name:<32} p50 {statistics.median(xs):6.2f}  min {min(xs):6.2f}  "
            f"max {max(xs):6.2f} s   (n = {len(xs)})")


async def main_async(args, state):
    from benchmarks.postgres import class_database

    with class_database(args.database, state, "replica_kill") as (where, env, what, _):
        return await kills(args, state, where, env, what)


async def kills(args, state, where, env, what):
    from playwright.async_api import async_playwright

    from explorer.classroom.store import Store

    run, url = replicas.start(state, env=env)
    store = None
    try:
        by = replicas.cookies_by_replica(url, state)
        if len(by) < 2:
            raise RuntimeError(f"every probe cookie landed on one replica: {by}")
        store = Store(where)
        opened = store.open_class()
        teacher = store.teacher(opened.code, opened.key)
        reconnect, drawn, received, control, base, back, sent = [], [], [], [], [], [], 0
        asked = []
        async with async_playwright() as p:
            path = chromium_path()
            browser = await p.chromium.launch(
                args=CHROMIUM_ARGS, **({"executable_path": path} if path else {}))
            chromium = browser.version
            for number in range(1, args.trials + 1):
                if number > 1:        # let the restarted replica count as steady again
                    await asyncio.sleep(args.pause)
                (w, d, r), c, c0, b, n, q = await trial(browser, url, by, store, teacher,
                                                        opened.code, number, args.students)
                asked.append(q)
                reconnect += w
                drawn += d
                received += r
                control.append(c)
                base.append(c0)
                back.append(b)
                sent += n
                print(f"trial {number}: can answer {', '.join(f'{x:.2f}' for x in r)} s; "
                      f"control {c:.2f} s (baseline {c0:.2f} s); replica back {b:.2f} s",
                      flush=True)
            await browser.close()
        log = (state / "run.log").read_text(errors="replace")
        restarts = re.findall(r"^replica \d \(port \d+\) exited with status (\d+); "
                              r"restarting in (\d+)s$", log, re.MULTILINE)
        answers = sum(len(store.tally(teacher.id, q)[2]) for q in asked)
        alive = run.poll() is None
    finally:
        replicas.stop(run)
        if store is not None:
            store.close()
    print()
    print(f"deploy/run.sh -n 2 on {what}; {args.trials} kills (SIGKILL), {args.students} "
          f"students on the killed replica each time; Chromium {chromium}; load average "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(row("reconnect (new websocket)", reconnect))
    print(row("page back (new session drawn)", drawn))
    print(row("can answer again (Received)", received))
    print(row("control, other replica", control))
    print(row("baseline, before the kill", base))
    print(row("killed replica healthy again", back))
    print(f"run.sh still running after every kill: {alive}; its log: "
          + "; ".join(f"status {s}, restarting in {d}s" for s, d in restarts))
    print(f"answers received {sent}, stored {answers}")
    return alive and len(restarts) == args.trials and answers == sent


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--students", type=int, default=3,
                    help="students on the replica that is killed, each trial")
    ap.add_argument("--pause", type=float, default=STEADY,
                    help="seconds between trials (run.sh resets a replica's back-off once "
                         "it has run 60 s)")
    ap.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="replica-kill-") as tmp:
        ok = asyncio.run(main_async(args, Path(tmp)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

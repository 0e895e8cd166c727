"""A replica dies mid-question, and the class goes on (deploy/run.sh, issue 19).

deploy/run.sh -n 2 behind nginx, in real Chromium: the teacher and two students (Ada, Dee)
on one replica, two students (Bob, Cy) and the teacher's link open on the projector on the
other. Ada and Bob answer; then the second replica is killed with SIGKILL while the
question is open. Then:

- run.sh is still running, and nginx still answers;
- the pages on the surviving replica notice nothing: not reloaded, the same websocket all
  along, and Dee's answer, sent after the kill, is received;
- the killed replica's students get their page back by themselves, on the same seat (no
  join form, the same token in the address): Bob's page shows his answer received, Cy
  answers now; the projector's teacher view comes back too;
- run.sh says so on stderr and starts the replica again, on the same port (health ok);
- every answer acknowledged before the kill is in the store, with its value; the teacher's
  page counts all four answers by itself, and every student's page follows the reveal.
"""

import os
import re
import signal
import time
import urllib.request

import numpy as np
import pytest
from conftest import NGINX, deploy
from test_class import RIGHT, ask, metric, new_page, open_class
from test_explorer import TIMEOUT, screenshot, wait_for_run

from benchmarks import replicas
from benchmarks.load import health, listener_pid
from benchmarks.replica_kill import Sockets
from explorer.classroom.store import Store

STUDENTS = (("Ada", 0, 0.25), ("Bob", 1, 0.5), ("Cy", 1, None), ("Dee", 0, None))
MARK = "() => { window.bpxNotReloaded = true; }"
STILL_MARKED = "() => window.bpxNotReloaded === true"
RESTART_WAIT = 60            # s: run.sh's first back-off is 1 s, a replica starts in ~3 s


def open_page(browser, url, cookie, path):
    """A page in a browser context of its own, pinned by ``cookie``, with the Sockets it
    opens (a reconnect opens another one)."""
    page, errors = new_page(browser, url, cookie)
    sockets = Sockets(page)
    page.goto(f"{url}/{path}")
    wait_for_run(page)
    return page, errors, sockets


def come_back(page, sockets, who):
    """Wait until ``page`` has reconnected and a new session has drawn it."""
    deadline = time.monotonic() + TIMEOUT / 1000
    while not sockets.live_again() and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert sockets.live_again(), f"{who}'s page did not come back: {sockets.opened}"


def send(page, name, answer):
    page.get_by_role("textbox", name=name).fill(answer)
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Received: your answer").wait_for(timeout=TIMEOUT)
    wait_for_run(page)


def test_a_killed_replica_is_restarted_and_its_students_carry_on(browser, tmp_path):
    state = tmp_path / "deploy"
    with deploy(state) as (run, url, by_replica):
        (live, on_live), (dead, on_dead) = sorted(by_replica.items())[:2]
        teacher, errors_t, sockets_t = open_page(browser, url, on_live[0], "Teach")
        code = open_class(teacher)
        ask(teacher, re.compile(r"^8 · BP2"), "Question 1: δ²₁")
        projector, errors_p, sockets_p = open_page(browser, url, on_dead[0],
                                                   teacher.url.split("/", 3)[3])
        projector.get_by_text("Question 1: δ²₁").wait_for(timeout=TIMEOUT)

        pages = {}
        for name, where, answer in STUDENTS:
            cookie = (on_live, on_dead)[where][0]
            page, errors, sockets = open_page(browser, url, cookie, f"Class?code={code}")
            page.get_by_role("textbox", name="Nickname").fill(name)
            page.get_by_role("button", name="Join").click()
            page.get_by_text("Question 1: what is δ²₁?").wait_for(timeout=TIMEOUT)
            wait_for_run(page)
            if answer is not None:
                send(page, "δ²₁", f"{answer}")
            pages[name] = page, errors, sockets
        for page in [teacher, *(p for p, _, _ in pages.values())]:
            page.evaluate(MARK)
        tokens = {n: re.search(r"me=([\w-]+)", p.url).group(1) for n, (p, _, _) in pages.items()}

        # -- the kill, mid-question ------------------------------------------------------
        port = int(dead.rsplit(":", 1)[1])
        old_pid = listener_pid(port)
        assert old_pid is not None
        os.kill(old_pid, signal.SIGKILL)
        killed = time.monotonic()

        # the surviving replica's pages notice nothing: Dee answers at once
        dee, ada = pages["Dee"][0], pages["Ada"][0]
        send(dee, "δ²₁", f"{RIGHT:.6f}")
        assert dee.get_by_text("is right").count() == 1
        time.sleep(max(0.0, killed + 4 - time.monotonic()))   # run.sh used to quit in ~2 s
        assert run.poll() is None, "run.sh exited after one replica was killed"
        for cookie in (on_live[0], on_dead[0]):              # nginx serves both kinds
            assert replicas_health(url, cookie) == "ok"

        # the killed replica's students get their page back, on their seat, by themselves
        cy, bob = pages["Cy"][0], pages["Bob"][0]
        for name in ("Cy", "Bob"):
            come_back(*pages[name][::2], name)
            page = pages[name][0]
            page.get_by_text(f"You are {name} in class {code}").wait_for(timeout=TIMEOUT)
            wait_for_run(page)
            assert page.get_by_role("textbox", name="Nickname").count() == 0
            assert re.search(r"me=([\w-]+)", page.url).group(1) == tokens[name]
        bob.get_by_text("Received: your answer").wait_for(timeout=TIMEOUT)
        come_back(projector, sockets_p, "the projector")
        cy.get_by_text("Question 1: what is δ²₁?").wait_for(timeout=TIMEOUT)
        send(cy, "δ²₁", f"{RIGHT:.6f}")
        assert cy.get_by_text("is right").count() == 1
        screenshot(cy, "replica-restart-student-back")

        # run.sh logged the exit and started the replica again, on the same port
        deadline = time.monotonic() + RESTART_WAIT
        while health(f"http://{dead}") != "ok" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert health(f"http://{dead}") == "ok"
        assert listener_pid(port) not in (None, old_pid)
        assert re.search(rf"^replica \d \(port {port}\) exited with status 137; restarting "
                         r"in 1s$", (state / "run.log").read_text(), re.MULTILINE)
        assert run.poll() is None

        # the teacher's page counts all four by itself, and the answers are in the store
        for view in (teacher, projector):
            view.wait_for_function(
                """() => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
                    m.innerText.includes('Answered') && m.innerText.includes('4'))""",
                timeout=TIMEOUT)
            assert metric(view, "Joined") == "4"
        store = Store(state / "class.sqlite3")
        me = store.resume(code, tokens["Ada"])
        q = store.current(me.class_id)[1]
        stored = {n: store.answer_of(store.resume(code, t), q.id) for n, t in tokens.items()}
        np.testing.assert_allclose([stored[n].value for n in ("Ada", "Bob")], [0.25, 0.5],
                                   rtol=1e-15, atol=0)
        np.testing.assert_allclose([stored[n].value for n in ("Cy", "Dee")],
                                   [float(f"{RIGHT:.6f}")] * 2, rtol=1e-15, atol=0)

        teacher.get_by_role("button", name="Reveal to the class").click()
        teacher.get_by_text("Revealed to the class").wait_for(timeout=TIMEOUT)
        for page, _, _ in pages.values():
            page.get_by_text(f"Revealed: δ²₁ = {RIGHT:.6g}").wait_for(timeout=TIMEOUT)

        # the surviving replica's pages: never reloaded, one websocket all along
        for name, page, sockets in (("teacher", teacher, sockets_t),
                                    ("Ada", ada, pages["Ada"][2]), ("Dee", dee, pages["Dee"][2])):
            assert page.evaluate(STILL_MARKED), f"{name}'s page was reloaded"
            assert len(sockets.opened) == 1, f"{name}'s page reconnected"
        for page, errors in [(teacher, errors_t), (projector, errors_p),
                             *((p, e) for p, e, _ in pages.values())]:
            assert page.locator('[data-testid="stException"]').count() == 0
            assert errors == []
            page.context.close()


def replicas_health(url, cookie):
    """nginx's /_stcore/health for a browser with this replica cookie."""
    req = urllib.request.Request(f"{url}/_stcore/health",
                                 headers={"Cookie": f"{replicas.COOKIE}={cookie}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.read().decode().strip()


def ports(state):
    """(nginx's port, [the replicas' ports]) of the run.sh whose state is ``state``."""
    conf = (state / "nginx" / "nginx.conf").read_text()
    return (int(re.search(r"listen 127\.0\.0\.1:(\d+);", conf).group(1)),
            [int(p) for p in re.findall(r"server 127\.0\.0\.1:(\d+) max_fails", conf)])


def in_session(sid):
    """The pids of the processes of session ``sid`` (run.sh's, as replicas.start runs it)."""
    out = []
    for d in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{d}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[4]) == sid:
                    out.append(int(d))
        except (OSError, ValueError, IndexError):
            continue
    return out


def wait_for_line(state, pattern, timeout=RESTART_WAIT):
    deadline = time.monotonic() + timeout
    while not re.search(pattern, (state / "run.log").read_text(), re.MULTILINE):
        assert time.monotonic() < deadline, (state / "run.log").read_text()
        time.sleep(0.1)


def assert_all_gone(run, state, nginx_pid):
    """Nothing run.sh started is left: no process of its session, no nginx (master or
    worker: their own process group), nothing listening on its ports."""
    front, back = ports(state)
    deadline = time.monotonic() + 15
    while (in_session(run.pid) or group_alive(nginx_pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert in_session(run.pid) == []
    assert not group_alive(nginx_pid)
    assert [listener_pid(p) for p in (front, *back)] == [None] * (1 + len(back))


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_back_off_doubles_and_a_stop_ends_everything(tmp_path, stop):
    """A replica killed twice in a row waits 1 s, then 2 s, before it is started again;
    INT or TERM during that back-off stops run.sh, its replicas, the waiting timer and
    nginx (workers included)."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    state = tmp_path / "deploy"
    run, url = replicas.start(state, env={"BACKPROP_CLASS_DB": str(state / "class.sqlite3")})
    try:
        nginx_pid = int((state / "nginx" / "nginx.pid").read_text())
        _, (first, second) = ports(state)
        os.kill(listener_pid(first), signal.SIGKILL)
        wait_for_line(state, rf"^replica 1 \(port {first}\) exited with status 137; "
                             r"restarting in 1s$")
        wait_for_line(state, rf"^replica 1 \(port {first}\) started again")
        assert health(url) == "ok" and health(f"http://127.0.0.1:{second}") == "ok"
        deadline = time.monotonic() + RESTART_WAIT
        while listener_pid(first) is None:          # listening again: kill it again
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(listener_pid(first), signal.SIGKILL)
        wait_for_line(state, rf"^replica 1 \(port {first}\) exited with status 137; "
                             r"restarting in 2s$")
        run.send_signal(stop)                        # while replica 1 waits its 2 s
        assert run.wait(30) == 128 + stop
        assert (state / "run.log").read_text().count("started again") == 1
        assert_all_gone(run, state, nginx_pid)
    finally:
        replicas.stop(run)


def test_nginx_exiting_stops_everything(tmp_path):
    """nginx's master killed: run.sh says so, stops the replicas and nginx's orphaned
    worker, and exits 1 (a service manager may then start it again)."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    state = tmp_path / "deploy"
    run, url = replicas.start(state, env={"BACKPROP_CLASS_DB": str(state / "class.sqlite3")})
    try:
        nginx_pid = int((state / "nginx" / "nginx.pid").read_text())
        os.kill(nginx_pid, signal.SIGKILL)
        assert run.wait(30) == 1
        assert "error: nginx exited (status 137); stopping" in (state / "run.log").read_text()
        assert_all_gone(run, state, nginx_pid)
    finally:
        replicas.stop(run)

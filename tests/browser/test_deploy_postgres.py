"""The nginx deploy on PostgreSQL (issue 24): one class over replicas that share a PostgreSQL
started by the tests (the ``postgres_url`` fixture: a fresh database), in real Chromium.

- Two replicas (deploy/run.sh -n 2): the teacher on one, students on both; the second
  replica is killed with SIGKILL while the question is open. Every answer a page showed
  as "Received" is in the database with its value, the killed replica's students carry on
  on the other one (same seat), the teacher's page counts every answer, and the database
  password is in no log and no output of run.sh.
- Two simulated hosts (benchmarks/replicas.py, ``start_two_hosts``): nginx and 2 replicas
  on 127.0.0.2, 2 replicas on 127.0.0.3 (run.sh -N), one PostgreSQL. Students on all four
  replicas, as nginx's access log shows; the teacher, on the other host, sees every answer;
  each answer is stored once, a reload included.
"""

import os
import re
import signal
import time
import urllib.parse

import numpy as np
import pytest
from conftest import NGINX
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_class import RIGHT, join, metric, new_page, open_class
from test_explorer import TIMEOUT, wait_for_run
from test_replica_restart import come_back, open_page, send

from benchmarks import replicas
from benchmarks.load import health, listener_pid
from explorer.classroom.store import Store

pytestmark = pytest.mark.skipif(NGINX is None,
                                reason="nginx is not installed (apt-get install -y nginx)")
QUESTION = "Question 1: what is δ²₁?"
# (name, on the replica to be killed, answer before the kill, answer after it)
STUDENTS = (("Ada", False, 0.25, None), ("Bob", True, 0.5, None), ("Cy", True, None, RIGHT),
            ("Dee", False, None, RIGHT), ("Eve", True, None, 0.125))


def choose(page, label, option, tries=4):
    """Pick ``option`` in the selectbox ``label``. The teacher's live view reruns every
    second and may close a list just opened: open it again then."""
    box = page.locator('[data-testid="stSelectbox"]').filter(
        has=page.get_by_text(label, exact=True))
    for attempt in range(tries):
        box.click()
        try:
            page.get_by_role("option", name=option).click(timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")
    wait_for_run(page)


def ask(teacher):
    """Ask δ²₁ at step 8 (BP2) of the 2-2-2 by-hand network, as test_class.ask does."""
    choose(teacher, "Network", "2-2-2 by hand")
    choose(teacher, "Step", re.compile(r"^8 · BP2"))
    teacher.get_by_role("button", name="Ask the class").click()
    teacher.get_by_text("Question 1: δ²₁").wait_for(timeout=TIMEOUT)


def answered(view, n):
    """Wait until the teacher's page ``view`` shows "Answered" ``n`` by itself."""
    view.wait_for_function(
        """n => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
            m.innerText.includes('Answered') && m.innerText.split('\\n').includes(String(n)))""",
        arg=n, timeout=TIMEOUT)


def no_password_in(state, url):
    """The database password appears in no file under ``state`` (run.sh's output, the
    replicas' logs, nginx's logs and configuration)."""
    password = urllib.parse.unquote(urllib.parse.urlsplit(url).password or "")
    assert len(password) >= 8
    found = [p for p in state.rglob("*") if p.is_file()
             and password in p.read_text(errors="replace")]
    assert found == []


def test_a_replica_killed_over_postgresql_loses_no_answer(browser, tmp_path, postgres_url):
    state = tmp_path / "deploy"
    run, url = replicas.start(state, env={"BACKPROP_DATABASE_URL": postgres_url})
    pages = []
    try:
        by = replicas.cookies_by_replica(url, state)
        assert len(by) == 2, by
        (_, on_live), (dead, on_dead) = sorted(by.items())
        teacher, errors_t, sockets_t = open_page(browser, url, on_live[0], "Teach")
        pages.append(teacher)
        code = open_class(teacher)
        ask(teacher)

        students = {}
        for name, doomed, before, _ in STUDENTS:
            page, errors, sockets = open_page(browser, url, (on_live, on_dead)[doomed][0],
                                              f"Class?code={code}")
            page.get_by_role("textbox", name="Nickname").fill(name)
            page.get_by_role("button", name="Join").click()
            page.get_by_text(QUESTION).wait_for(timeout=TIMEOUT)
            wait_for_run(page)
            if before is not None:
                send(page, "δ²₁", f"{before}")
            students[name] = page, errors, sockets
            pages.append(page)
        tokens = {n: re.search(r"me=([\w-]+)", p.url).group(1) for n, (p, _, _) in
                  students.items()}

        # -- the kill, mid-question ------------------------------------------------------
        port = int(dead.rsplit(":", 1)[1])
        old_pid = listener_pid(port)
        assert old_pid is not None
        os.kill(old_pid, signal.SIGKILL)
        send(students["Dee"][0], "δ²₁", f"{RIGHT:.6f}")        # the live replica: at once

        for name, doomed, before, after in STUDENTS:
            if not doomed:
                continue
            page, _, sockets = students[name]
            come_back(page, sockets, name)
            page.get_by_text(f"You are {name} in class {code}").wait_for(timeout=TIMEOUT)
            wait_for_run(page)
            assert re.search(r"me=([\w-]+)", page.url).group(1) == tokens[name]
            if before is not None:
                page.get_by_text("Received: your answer").wait_for(timeout=TIMEOUT)
            else:
                page.get_by_text(QUESTION).wait_for(timeout=TIMEOUT)
                send(page, "δ²₁", f"{after:.6f}")
        assert run.poll() is None, "run.sh exited after one replica was killed"

        # the teacher, who never moved, counts all five by itself
        answered(teacher, len(STUDENTS))
        assert metric(teacher, "Joined") == str(len(STUDENTS))
        assert len(sockets_t.opened) == 1, "the teacher's page reconnected"

        # every acknowledged answer is in PostgreSQL, with its value, once
        with Store(postgres_url) as store:
            me = store.resume(code, tokens["Ada"])
            question = store.current(me.class_id)[1]
            rows = store.tally(me.class_id, question.id)[2]
        values = {nickname: value for nickname, value, *_ in rows}
        assert sorted(r[0] for r in rows) == sorted(n for n, *_ in STUDENTS)
        sent = {n: before if before is not None else float(f"{after:.6f}")
                for n, _, before, after in STUDENTS}
        np.testing.assert_allclose([values[n] for n in sorted(sent)],
                                   [sent[n] for n in sorted(sent)], rtol=1e-15, atol=0)

        # run.sh starts the killed replica again, on its port
        deadline = time.monotonic() + 60
        while health(f"http://{dead}") != "ok" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert listener_pid(port) not in (None, old_pid)
        for page, errors in [(teacher, errors_t), *((p, e) for p, e, _ in students.values())]:
            assert page.locator('[data-testid="stException"]').count() == 0
            assert errors == []
    finally:
        for page in pages:
            page.context.close()
        replicas.stop(run)
    assert re.search(r"^class store: PostgreSQL ", (state / "run.log").read_text(),
                     re.MULTILINE)
    no_password_in(state, postgres_url)


def stream_upstreams(state, expected, timeout=20):
    """The replicas nginx's access log names for closed websockets (/_stcore/stream lines,
    written as a websocket closes; the log is flushed every 5 s), once ``expected`` of them
    are there (or after ``timeout`` s): {address: count}."""
    log = state / "nginx" / "access.log"
    deadline = time.monotonic() + timeout
    seen = {}
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        seen = {}
        for addr in re.findall(r'"GET /_stcore/stream \S+" 101 \d+ upstream=(?:\S+, )*(\S+)',
                               text):
            seen[addr] = seen.get(addr, 0) + 1
        if sum(seen.values()) >= expected:
            break
        time.sleep(0.5)
    return seen


def test_two_hosts_four_replicas_one_postgresql(browser, tmp_path, postgres_url):
    hosts = replicas.start_two_hosts(tmp_path / "hosts", postgres_url)
    try:
        url = hosts.url
        assert url.startswith("http://127.0.0.2:")
        by = replicas.cookies_by_replica(url, hosts.state, probes=40)
        assert sorted({a.split(":")[0] for a in by}) == list(replicas.HOSTS)
        assert len(by) == 4, by
        order = sorted(by)
        # the teacher on host 2, whose replicas nginx on host 1 reaches over "the network"
        teacher, errors_t = new_page(browser, url, by[order[-1]][0])
        teacher.goto(f"{url}/Teach")
        wait_for_run(teacher)
        code = open_class(teacher)
        ask(teacher)

        students = []
        for i in range(8):                               # two on each replica
            name = f"S{i}"
            page, errors = new_page(browser, url, by[order[i % 4]][i // 4 % len(
                by[order[i % 4]])])
            join(page, url, code, name, QUESTION)
            send(page, "δ²₁", f"{0.01 * (i + 1):.2f}")
            students.append((name, page, errors))
        # a reload (same seat, from the address) shows the answer received, not a new box
        for _, page, _ in students[::4]:
            page.reload()
            wait_for_run(page)
            page.get_by_text("Received: your answer").wait_for(timeout=TIMEOUT)
            assert page.get_by_role("button", name="Send").count() == 0

        answered(teacher, 8)
        assert metric(teacher, "Joined") == "8"
        for _, page, errors in students:
            assert page.locator('[data-testid="stException"]').count() == 0
            assert errors == []
            page.context.close()
        # the students' websockets (8, and 2 closed by the reloads), logged as they closed:
        # all four replicas served some; the teacher's is still open
        served = stream_upstreams(hosts.state, 8 + 2)
        assert sorted(served) == order, served
        assert sum(served.values()) == 10, served

        with Store(postgres_url) as store:
            cls = store.teacher(code, re.search(r"key=([\w-]+)", teacher.url).group(1))
            rows = store.tally(cls.id, store.current(cls.id)[1].id)[2]
        assert sorted(r[0] for r in rows) == [f"S{i}" for i in range(8)]     # once each
        np.testing.assert_allclose([v for _, v, *_ in sorted(rows)],
                                   [0.01 * (i + 1) for i in range(8)], rtol=1e-12, atol=0)
        assert errors_t == []
        teacher.context.close()
    finally:
        hosts.stop()
    for host in ("host1", "host2"):
        no_password_in(tmp_path / "hosts" / host, postgres_url)

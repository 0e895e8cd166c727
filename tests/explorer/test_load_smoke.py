"""The load client against a real server: a few students at once, every figure checked.

A smoke run of benchmarks/load.py (5 sessions × 3 reruns on the Step page: the step the
browser reports, a picked cell, a new seed) that asserts zero errors and correct numbers,
never timings, and that its checks catch a wrong number; then the same through
deploy/run.sh (two replicas behind nginx), where a reconnecting browser must find its own
session again. The nginx tests are skipped when nginx is not installed (Debian: apt-get
install -y nginx).
"""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import loadclient  # noqa: E402
from benchmarks.load import free_port, health, stop_server  # noqa: E402
from benchmarks.loadclient import Expected, PageCheck, run_sessions, run_sync  # noqa: E402

PAGE = ROOT / "pages" / "2_Step_through.py"
pytestmark = pytest.mark.skipif(not PAGE.exists(), reason=f"{PAGE.name} is not written yet")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK)
                                  else None)


def assert_clean(results, reruns):
    errors = [e for r in results for e in r.errors]
    assert not errors, "\n".join(errors[:20])
    for r in results:
        assert len(r.latencies) == reruns
        assert r.checked > reruns      # every run showed heatmaps, and they were checked


def test_five_sessions_three_reruns(server):
    results = run_sync(run_sessions(server, 5, 3))
    assert_clean(results, 3)


def test_the_checks_catch_a_wrong_number(server, monkeypatch):
    """The scenario's checks fail when what it expects is off by a little: a heatmap's
    numbers by 1e-7 relative, a derivation's last line."""
    values, derivation = Expected.values, Expected.derivation

    def last_line_off(self, cell, step):
        d = derivation(self, cell, step)
        return {**d, "lines": d["lines"][:-1] + ["0"]} if "lines" in d else d

    monkeypatch.setattr(Expected, "values",
                        lambda self, trace, q, l: values(self, trace, q, l) * (1 + 1e-7))
    (r,) = run_sync(run_sessions(server, 1, 2))
    assert any("open: z^2 differs by up to" in e for e in r.errors), r.errors
    monkeypatch.setattr(Expected, "values", values)
    monkeypatch.setattr(Expected, "derivation", last_line_off)
    monkeypatch.setattr(loadclient, "random_cell", lambda net, rng: [0, 2, 1, 1])   # w²₁₁
    (r,) = run_sync(run_sessions(server, 1, 2))
    assert [e.split(": ", 1)[1][:25] for e in r.errors] == ["the derivation's lines is"], r.errors


@pytest.fixture(scope="module")
def nginx_deploy(tmp_path_factory):
    """deploy/run.sh with two replicas: (its address, its state directory with the logs)."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    state = tmp_path_factory.mktemp("deploy")
    port = free_port()
    log = open(state / "run.log", "wb")
    proc = subprocess.Popen(["bash", str(ROOT / "deploy" / "run.sh"), "-n", "2",
                             "-l", f"127.0.0.1:{port}", "-d", str(state / "state")],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while health(url) != "ok":
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            pytest.fail("deploy/run.sh did not come up:\n"
                        + (state / "run.log").read_text(errors="replace"))
        time.sleep(0.3)
    yield url, state / "state"
    proc.send_signal(signal.SIGTERM)       # run.sh stops its replicas and nginx
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        stop_server(proc)
    log.close()


@pytest.fixture(scope="module")
def nginx_two_replicas(nginx_deploy):
    return nginx_deploy[0]


def _logs(state, lines=40):
    """The tail of nginx's and each replica's log, for a failure message."""
    out = []
    for f in sorted(state.glob("*.log")):
        tail = f.read_text(errors="replace").splitlines()[-lines:]
        out.append(f"--- {f.name}\n" + "\n".join(tail))
    return "\n".join(out)


def test_through_nginx(nginx_two_replicas):
    results = run_sync(run_sessions(nginx_two_replicas, 5, 3))
    assert_clean(results, 3)


RECONNECT_WAIT = 30.0    # seconds before a reconnecting browser gives up and reconnects again


def test_nginx_keeps_a_browser_on_its_replica(nginx_deploy):
    """A reconnecting browser gets its own session back: its cookie pins it to the replica
    that holds the session (with two replicas, half of all guesses would miss).

    A browser whose reconnect goes unanswered reconnects again; so may this one, once,
    and it must still find its own session. Every stall is reported with the logs."""
    url, state = nginx_deploy
    stalls = []

    async def reconnect(s, i):
        for attempt in (1, 2):
            try:
                return await asyncio.wait_for(s.reconnect(), RECONNECT_WAIT)
            except TimeoutError:
                stalls.append(f"student {i}: reconnect {attempt} unanswered after "
                              f"{RECONNECT_WAIT:.0f} s")
        raise AssertionError(f"student {i}: no answer after two reconnects\n"
                             + "\n".join(stalls) + "\n" + _logs(state))

    async def student(i):
        seed = 40 + i
        async with loadclient.AppSession(url) as s:
            await s.open("Step_through")
            await s.set("_seed", seed)
            first = s.session_id
            exp = Expected()
            exp.reseed(seed)
            page = PageCheck(exp)
            for _ in range(2):
                run = await reconnect(s, i)
                assert s.session_id == first, f"student {i} got a new session"
                assert s.value("_seed") == seed
                assert run.problems == []
                problems, checked = page(s, 0)
                assert problems == [] and checked > 0

    async def main():
        await asyncio.gather(*(student(i) for i in range(6)))

    run_sync(main())
    if stalls:    # shown with -rP; a single stall is tolerated, as a browser's retry is
        print("\n".join(stalls) + "\n" + _logs(state))


# --- what nginx keeps from the replicas ---------------------------------------------------

def _request(url, method="GET", body=None, headers=None):
    """The HTTP status of one request (an error status is an answer too)."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def _multipart(name, data):
    boundary = "bpxboundary7"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/json\r\n\r\n").encode() \
        + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_nginx_hides_streamlits_metrics(nginx_two_replicas):
    for path in ("/_stcore/metrics", "/_stcore/metrics?families=session_state",
                 "/_stcore/%6detrics", "//_stcore/metrics"):
        assert _request(nginx_two_replicas + path) == 404, path
    assert _request(nginx_two_replicas + "/_stcore/health") == 200


def test_nginx_lets_only_the_apps_own_pages_frame_it(nginx_two_replicas):
    """Without run.sh -e, no other site may show the app in an iframe, and the cookies keep
    SameSite=Lax (deploy/README.md, "Inside a course page")."""
    import urllib.request

    with urllib.request.urlopen(nginx_two_replicas + "/_stcore/health", timeout=30) as r:
        assert r.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
        cookies = {c.split("=", 1)[0]: c for c in r.headers.get_all("Set-Cookie")}
    assert cookies["bpx_replica"].endswith("; Path=/; HttpOnly; SameSite=Lax")
    assert cookies["_streamlit_xsrf"].endswith("; Path=/; SameSite=Lax")


def test_nginx_takes_a_network_file_but_not_more(nginx_two_replicas):
    """A 64 kB file (the largest network file) goes through to Streamlit; a larger body
    is refused by nginx before a replica keeps it in memory."""
    import urllib.request
    from http.cookies import SimpleCookie

    def put(sid, cookies, name, size):
        # The browser gets its XSRF cookie from /_stcore/health and sends it back as a
        # header with every upload.
        req = urllib.request.Request(nginx_two_replicas + "/_stcore/health", headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
        with urllib.request.urlopen(req, timeout=30) as r:
            for header in r.headers.get_all("Set-Cookie") or ():
                jar = SimpleCookie()
                jar.load(header)
                cookies = {**cookies, **{k: m.value for k, m in jar.items()}}
        body, kind = _multipart(name, b" " * size)
        return _request(f"{nginx_two_replicas}/_stcore/upload_file/{sid}/{name}", "PUT",
                        body, {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                               "X-Xsrftoken": cookies["_streamlit_xsrf"], **kind})

    async def main():
        async with loadclient.AppSession(nginx_two_replicas) as s:    # the session must be open
            await s.open("Network")
            ok = await asyncio.to_thread(put, s.session_id, s.cookies, "a.json", 64 * 1024)
            big = await asyncio.to_thread(put, s.session_id, s.cookies, "b.json", 256 * 1024)
            return ok, big

    ok, big = run_sync(main())
    assert ok in (200, 204) and big == 413, (ok, big)


def test_nginx_limits_how_often_one_session_uploads(nginx_two_replicas):
    body, kind = _multipart("n.json", b"{}")
    statuses = [_request(f"{nginx_two_replicas}/_stcore/upload_file/s-flood/f{i}", "PUT",
                         body, kind) for i in range(40)]
    assert 429 not in statuses[:5], statuses      # a student's few uploads go through
    assert statuses.count(429) >= 30, statuses    # a flood does not


TRAIN_PAGE = ROOT / "pages" / "4_Train.py"


@pytest.mark.skipif(not TRAIN_PAGE.exists(), reason="pages/4_Train.py is not written yet")
def test_training_scenario_three_sessions(server, monkeypatch):
    """Students on the Train page: step, epoch, Play (timer ticks) and Pause; every
    decision boundary is the network backprop.train reaches after as many mini-batches."""
    from benchmarks import loadtrain

    monkeypatch.setattr(loadtrain, "PLAY_SECONDS", 1.5)
    results = run_sync(run_sessions(server, 3, 3, scenario="train"))
    errors = [e for r in results for e in r.errors]
    assert not errors, "\n".join(errors[:20])
    for r in results:
        assert len(r.latencies) == 4            # step, epoch, Play, Pause
        assert r.ticks and r.rates[0] > 0       # the timer's reruns were answered
        assert r.checked >= 4 + len(r.ticks)    # every run's boundary was checked

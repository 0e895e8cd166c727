"""A client that is not a browser sends table-editor states no browser would (issue 7,
item 2): rows added to a fixed table, rows deleted, cells out of range. The page answers
at once with a message beside the table, the network stays as it was, and the server
spends little CPU on it (Streamlit would otherwise grow the table with pandas one row at a
time: 43 s of CPU for 8,000 rows were measured before the fix)."""

import json
import os
import sys
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.load import free_port, start_server, stop_server  # noqa: E402
from benchmarks.loadclient import AppSession, run_sync  # noqa: E402
from explorer.presets import DEFAULT, PRESETS  # noqa: E402

CPU_BOUND = 2.0    # seconds of server CPU for one hostile message: a bound, not a timing


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    proc = start_server(port, log_path=tmp_path_factory.mktemp("attack") / "streamlit.log")
    yield f"http://127.0.0.1:{port}", proc.pid
    stop_server(proc)


def cpu_seconds(pid):
    """User + system CPU time the process (all its threads) has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def table(s, prefix):
    key = next(k for k in s.widgets if k.startswith(prefix + "_"))
    return key, s.table(key).to_numpy(float)


def refusals(run, says):
    return [p for p in run.problems if says in p]


def state(edited=None, added=(), deleted=()):
    return json.dumps({"edited_rows": edited or {}, "added_rows": list(added),
                       "deleted_rows": list(deleted)})


@pytest.mark.parametrize("rows", [8000])
def test_added_rows_are_refused_quickly_and_the_network_kept(server, rows):
    url, pid = server
    _, x, y = PRESETS[DEFAULT].make()

    async def main():
        async with AppSession(url) as s:
            run = await s.open("Network")
            assert run.problems == []
            key, shown = table(s, "x")
            assert_allclose(shown.ravel(), x, rtol=0, atol=0)
            attack = state(added=({"_index": f"r{i}", "x": 1} for i in range(rows)))
            assert len(attack) > 200_000                    # the 0.23 MB of the review
            before = cpu_seconds(pid)
            run = await s.set_raw(key, string_value=attack)
            spent = cpu_seconds(pid) - before
            assert len(run.problems) == 1 and refusals(run, "added or removed"), run.problems
            assert spent < CPU_BOUND, f"{spent:.1f} s of server CPU for one message"
            assert_allclose(table(s, "x")[1].ravel(), x, rtol=0, atol=0)
            # the browser's next message, a plain edit, is taken as usual
            run = await s.set_raw(key, string_value=state({"0": {"x": "0.7"}}))
            assert run.problems == []
            run = await s.rerun()
            assert_allclose(table(s, "x")[1].ravel(), [0.7, x[1]], rtol=0, atol=0)

    run_sync(main())


@pytest.mark.parametrize("sent, says", [
    (state(deleted=[0]), "added or removed"),
    (state({"5": {"k=1": "1"}}), "no row"),
    (state({"0": {"k=9": "1"}}), "no column"),
    (state({"0": {"k=1": "1" * 10_000}}), "at most 40 characters"),
    (state({str(i): {"k=1": "1"} for i in range(5000)}), "no row"),
])
def test_other_states_no_browser_sends_are_refused_too(server, sent, says):
    url, _ = server
    net = PRESETS[DEFAULT].make()[0]

    async def main():
        async with AppSession(url) as s:
            await s.open("Network")
            key, _ = table(s, "w2")
            run = await s.set_raw(key, string_value=sent)
            assert len(run.problems) == 1 and refusals(run, says), run.problems
            assert_allclose(table(s, "w2")[1], net.w[2], rtol=0, atol=0)
            # the page goes on working: another table takes an edit
            bkey, _ = table(s, "b2")
            await s.set_raw(bkey, string_value=state({"1": {"b²": "-0.5"}}))
            run = await s.rerun()
            assert_allclose(table(s, "b2")[1].ravel(), [net.b[2][0], -0.5], rtol=0, atol=0)

    run_sync(main())


def test_a_message_too_large_for_any_page_is_not_read(server):
    """.streamlit/config.toml caps what one client message may hold (a page's whole
    widget state is a few kB): the server closes such a websocket unread."""
    url, pid = server

    async def main():
        async with AppSession(url) as s:
            await s.open("Network")
            key, _ = table(s, "x")
            big = state(added=({"x": "1" * 30} for _ in range(60_000)))
            assert len(big) > 2**20
            # the server closes the socket; how the client reports that varies
            with pytest.raises(Exception):  # noqa: B017
                await s.set_raw(key, string_value=big)
        async with AppSession(url) as s:                 # the server itself is fine
            run = await s.open("Network")
            assert run.problems == []

    run_sync(main())

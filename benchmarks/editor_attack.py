"""What one hostile table-editor message costs the server: a script run by hand
(``make bench``), not a test.

A websocket client that is not a browser (benchmarks/loadclient.py) opens the Network page
on a server of its own and sends, for the x table (a fixed-size editor), a widget state
that adds N rows. Before issue 7's fix Streamlit applied such rows with pandas one at a
time: 43 s of server CPU for 8,000 rows. Now the page refuses any state that is not a plain
edit of existing cells before Streamlit applies it. Printed: the server's CPU time and the
wall time per message (median of --repeat), for each N, and for a plain one-cell edit.

    python benchmarks/editor_attack.py
    python benchmarks/editor_attack.py --rows 8000 32000 --repeat 9
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import free_port, start_server, stop_server  # noqa: E402
from benchmarks.loadclient import AppSession, run_sync  # noqa: E402


def cpu_seconds(pid):
    """User + system CPU time of the process (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def state(edited=None, added=()):
    return json.dumps({"edited_rows": edited or {}, "added_rows": list(added),
                       "deleted_rows": []})


async def measure(url, pid, sent, repeat):
    cpu, wall = [], []
    async with AppSession(url) as s:
        await s.open("Network")
        key = next(k for k in s.widgets if k.startswith("x_"))
        for _ in range(repeat):
            c, t = cpu_seconds(pid), time.perf_counter()
            await s.set_raw(key, string_value=sent)
            wall.append(time.perf_counter() - t)
            cpu.append(cpu_seconds(pid) - c)
    return statistics.median(cpu), statistics.median(wall)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[4000, 8000])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    port = free_port()
    proc = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        cases = [("a plain edit of one cell", state({"0": {"x": "0.7"}}))] + [
            (f"{n:,} added rows ({len(state(added=[{'_index': 'r0', 'x': 1}] * n)) / 1e6:.2f} MB)",
             state(added=({"_index": f"r{i}", "x": 1} for i in range(n)))) for n in args.rows]
        print(f"one message to the x table, median of {args.repeat}: server CPU, wall time")
        for name, sent in cases:
            cpu, wall = run_sync(measure(url, proc.pid, sent, args.repeat))
            print(f"  {name:<34} {cpu * 1e3:7.0f} ms CPU  {wall * 1e3:7.0f} ms wall")
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()

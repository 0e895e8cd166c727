"""How fast the Step-through page answers a click on Next: a script run by hand
(``make bench``, or ``python benchmarks/bench_app.py``), not a test.

One session at a time, it measures:

(a) the server time of a Next-step rerun, p50 and p95 over --reruns reruns, two ways:
    - AppTest: ``at.button(key="next").click().run()`` in this process (the script run
      plus AppTest's own parsing of the elements; no websocket, no browser);
    - a real server: a websocket client (benchmarks/loadclient.py) sends the click as a
      browser would and times it until ``script_finished``, over loopback. This is the
      figure the goal is judged on: it is what a browser waits for.
(b) click to paint in a real headless Chromium, p50 over --clicks clicks, on the default
    network and on the largest one allowed, 6 layers of 16 (opened by a ?net= link): the
    click on "Next ▶" is timed from its ``click`` event (performance.now() in the page)
    until the network figure's plotly data shows the new step (the heatmap that step computes is no
    longer grey) and two animation frames have passed, i.e. the new heatmaps were painted.
    For comparison it also prints the time to the first frame showing the new step's
    heading (the server's answer has arrived and been drawn, charts aside), and the CPU
    time a click costs the server and Chromium together: on a busy machine the wall-clock
    figures grow with the load, this one does not.

Goals: server p50 ≤ 100 ms (the explorer issue); click-to-paint p50 ≤ 200 ms on the
default network and ≤ 300 ms on 6 layers of 16 (issue 11, "Reach and speed").

The page has 12 steps; Next is clicked from step 1 to step 5 (each of those clicks fills
in one more heatmap of the network figure), then the session is sent back to step 1
without timing, and so on. Chromium is Debian's /usr/bin/chromium (or $CHROMIUM, or
Playwright's own). A busy machine spreads the figures: the load average is printed.

    python benchmarks/bench_app.py                     # both, defaults
    python benchmarks/bench_app.py --reruns 100 --clicks 50
    python benchmarks/bench_app.py --no-browser        # (a) only
    python benchmarks/bench_app.py --network 6x16 --reruns 5   # (b) on 6 layers of 16
"""

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import free_port, pct, start_server, stop_server  # noqa: E402

SERVER_GOAL = 0.100                         # seconds, on the p50
PAINT_GOALS = {"default": 0.200, "6x16": 0.300}   # issue 11, on the p50
PAGE = "Step_through"
CYCLE = 4               # timed Next clicks from step 1 before going back to step 1
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
APP_READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PLOT = '.js-plotly-plot'

# Record when the click happens, in the page's own clock.
CLICK_CLOCK_JS = """() => {
    window.__clicked = null;
    if (!window.__clockInstalled) {
        document.addEventListener('click', () => { window.__clicked = performance.now(); },
                                  true);
        window.__clockInstalled = true;
    }
}"""

# Resolve once the network figure shows (quantity, l) as computed and two frames have been
# painted since; return milliseconds from the click to then, and to the first frame that
# showed the new step's heading (the server's answer has arrived and React has drawn it).
PAINTED_JS = """([q, l, title]) => new Promise((resolve, reject) => {
    const give_up = performance.now() + 60000;
    let heading = null;
    const has_heading = () => [...document.querySelectorAll('h3')]
        .some(h => h.textContent.startsWith(title));
    const has_data = () => [...document.querySelectorAll('%s')].some(el => el._fullData
        && el._fullData.some(t => t.type === 'heatmap' && t.meta && t.meta.quantity === q
                                  && t.meta.l === l && t.meta.known));
    const poll = () => {
        if (performance.now() > give_up) return reject(new Error('no update in 60 s'));
        if (window.__clicked === null) return requestAnimationFrame(poll);
        if (heading === null && has_heading()) heading = performance.now() - window.__clicked;
        if (heading === null || !has_data()) return requestAnimationFrame(poll);
        requestAnimationFrame(() => requestAnimationFrame(
            () => resolve([performance.now() - window.__clicked, heading])));
    };
    poll();
})""" % PLOT


def tree_cpu(root=None):
    """CPU seconds (user + system) used so far by the descendants of process ``root``
    (this one by default): the server and Chromium are both started from here. Unlike the
    wall-clock times, this does not grow when other programs keep the CPUs busy."""
    parents = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append((int(d), fields))
    total, todo = 0, [root or os.getpid()]
    while todo:
        for pid, fields in parents.get(todo.pop(), ()):
            total += int(fields[11]) + int(fields[12])     # utime, stime in clock ticks
            todo.append(pid)
    return total / os.sysconf("SC_CLK_TCK")


def stats(xs):
    return {"p50": statistics.median(xs), "p95": pct(xs, 95), "min": min(xs), "n": len(xs)}


def apptest_reruns(n):
    """(a) by AppTest: seconds per Next-click rerun, in this process."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(str(ROOT / "pages" / "2_Step_through.py")).run()
    times = []
    for i in range(n + 5):          # 5 warm-up reruns, not counted
        if at.session_state["step"] >= CYCLE:
            at.session_state["step"] = 0
            at.run()
        t0 = time.perf_counter()
        at.button(key="next").click().run()
        dt = time.perf_counter() - t0
        if at.exception:
            raise RuntimeError(f"the page raised: {at.exception[0].value}")
        if i >= 5:
            times.append(dt)
    return times


async def websocket_reruns(base, n):
    """(a) on a real server: seconds from sending the Next click to script_finished."""
    from benchmarks.loadclient import AppSession

    times = []
    async with AppSession(base) as s:
        run = await s.open(PAGE)
        if run.problems:
            raise RuntimeError(f"opening {PAGE}: {run.problems}")
        step = 0
        for i in range(n + 5):
            if step >= CYCLE:
                await s.set("_step", s.widget("_step").proto.min)   # step 1
                step = 0
            run = await s.click("next")
            step += 1
            if run.problems:
                raise RuntimeError(f"Next: {run.problems}")
            if i >= 5:
                times.append(run.latency)
    return times


def chromium_path():
    path = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    return shutil.which(path) or (path if os.access(path, os.X_OK) else None)


def largest_network():
    """The largest network the explorer allows: 6 layers of 16 (explorer/limits.py), with
    weights rounded to 2 decimals so that it fits in a link (?net=...)."""
    import numpy as np

    from backprop import Network
    from explorer.limits import MAX_LAYERS, MAX_NEURONS

    net = Network.random([MAX_NEURONS] * MAX_LAYERS, "sigmoid", "quadratic", seed=0)
    net = Network([np.round(w, 2) for w in net.w.values()],
                  [np.round(b, 2) for b in net.b.values()], "sigmoid", "quadratic")
    return (net, np.round(np.linspace(-1, 1, MAX_NEURONS), 2),
            np.round(np.linspace(0, 1, MAX_NEURONS), 2))


NETWORKS = {"default": "the default preset, 2-2-2 by hand",
            "6x16": "6 layers of 16 neurons (the largest allowed), by a ?net= link"}


def network_and_query(which):
    """(net, x, y) and the query string that opens the Step-through page with it."""
    from explorer import files
    from explorer.presets import default_network

    if which == "default":
        return (*default_network(), "")
    net, x, y = largest_network()
    return net, x, y, f"?{files.LINK_KEY}={files.to_link(net, x, y)}"


def click_to_paint(base, n, which="default", url=None, plot=PLOT):
    """(b): seconds from a click on Next to the new heatmaps painted, in Chromium. ``url``
    (the Step page by default) may be another app with Prev and Next; ``plot`` is the CSS
    selector of its plotly.js charts."""
    from playwright.sync_api import sync_playwright

    from backprop.explain.steps import steps

    net, x, y, query = network_and_query(which)
    all_steps = steps(net, net.backprop(x, y))
    painted = PAINTED_JS.replace(PLOT, plot)
    times, headings, cpu = [], [], 0.0
    with sync_playwright() as p:
        path = chromium_path()
        browser = p.chromium.launch(args=CHROMIUM_ARGS,
                                    **({"executable_path": path} if path else {}))
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url or f"{base}/{PAGE}{query}", timeout=60_000)
        page.wait_for_selector(APP_READY, timeout=60_000)
        page.wait_for_selector(plot, timeout=60_000)
        nxt, prev = (page.get_by_role("button", name=n_) for n_ in ("Next ▶", "◀ Prev"))
        step, i = 0, 0
        while len(times) < n:
            if step >= CYCLE:           # back to step 1, untimed
                for s in range(step - 1, -1, -1):
                    prev.click()
                    page.wait_for_function(
                        "(t) => [...document.querySelectorAll('h3')]"
                        ".some(h => h.textContent.startsWith(t))",
                        arg=f"Step {s + 1} of {len(all_steps)}", timeout=60_000)
                page.wait_for_selector(APP_READY, timeout=60_000)
                step = 0
            target = all_steps[step + 1]
            page.evaluate(CLICK_CLOCK_JS)
            cpu0 = tree_cpu()
            nxt.click()
            ms, heading_ms = page.evaluate(painted, [
                target.quantity, target.l, f"Step {step + 2} of {len(all_steps)}"])
            page.wait_for_selector(APP_READY, timeout=60_000)
            page.wait_for_timeout(300)  # the rest of the page settles: its CPU counts too
            step += 1
            i += 1
            if i > 3:                   # 3 warm-up clicks, not counted
                times.append(ms / 1000)
                headings.append(heading_ms / 1000)
                cpu += tree_cpu() - cpu0
        browser.close()
    return times, headings, cpu / len(times)


def row(name, s, goal=None):
    ok = "" if goal is None else ("PASS" if s["p50"] <= goal else "MISS")
    g = "" if goal is None else f"≤ {goal * 1000:.0f} ms"
    return (f"{name:<48} {s['p50'] * 1000:>8.1f} {s['p95'] * 1000:>8.1f} "
            f"{s['min'] * 1000:>8.1f} {s['n']:>4}  {g:>9}  {ok}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reruns", type=int, default=50, help="Next reruns for (a)")
    ap.add_argument("--clicks", type=int, default=30, help="Next clicks for (b)")
    ap.add_argument("--no-browser", action="store_true", help="skip (b)")
    ap.add_argument("--network", choices=[*NETWORKS, "both"], default="both",
                    help="the network of (b): the default preset, 6 layers of 16, or both")
    args = ap.parse_args()

    import streamlit

    print(f"Python {sys.version.split()[0]}, Streamlit {streamlit.__version__}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} "
          f"(1 min) at the start")
    print("Network of (a): the default preset, 2-2-2 by hand; page: Step through; "
          "one session.\n")

    rows = [row("(a) Next rerun, AppTest (in-process)", stats(apptest_reruns(args.reruns)))]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(port, log_path=os.path.join(tmp, "streamlit.log"))
        try:
            ws = asyncio.run(websocket_reruns(base, args.reruns))
            rows.append(row("(a) Next rerun, real server (websocket)", stats(ws), SERVER_GOAL))
            if args.no_browser:
                note = "(b) skipped: --no-browser"
            else:
                cpus = []
                try:
                    note = None
                    for which in (NETWORKS if args.network == "both" else [args.network]):
                        paint, heading, cpu = click_to_paint(base, args.clicks, which)
                        rows.append(row(f"    ({which}: click on Next → new heading shown)",
                                        stats(heading)))
                        rows.append(row(f"(b) {which}: click on Next → heatmaps painted",
                                        stats(paint), PAINT_GOALS[which]))
                        cpus.append(f"CPU per click, {which}: {cpu * 1000:.0f} ms "
                                    "(server + Chromium, mean)")
                except ImportError as e:
                    note = f"(b) skipped: {e}"
        finally:
            stop_server(proc)

    print(f"{'figure':<48} {'p50 ms':>8} {'p95 ms':>8} {'min ms':>8} {'n':>4}  "
          f"{'goal':>9}  result")
    print("-" * 96)
    for r in rows:
        print(r)
    if note:
        print(note)
    else:
        print("\n".join(cpus))
    print(f"\nload average {os.getloadavg()[0]:.2f} (1 min) at the end. Goals are judged on "
          "the p50 of the real-server rerun and of click-to-paint.")


if __name__ == "__main__":
    main()

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

(c) the floor, plotly.js alone: a page with nothing but plotly.js (the plotly package's
    copy), where ``Plotly.newPlot`` draws the network figure of step k in a fresh div and
    ``Plotly.react`` then redraws it as the figure of step k+1, timed until painted (the
    promise, then two animation frames); steps 1..5, several times, in the same Chromium
    run as (d). Redrawing the whole figure cannot be faster than this (issue 21).
(d) the Step page that steps in the browser (issue 21: its component keyed "stepper"),
    against its DOM contract: ``button.bp-next``, ``button.bp-prev``, ``input.bp-slider``,
    ``h3.bp-title``, and ``.bp-stepper[data-drawn=k]`` once step k (from 0) is drawn:
    - Next → painted: from the click (or the → key, focus on the page body) to two
      animation frames after data-drawn becomes k+1;
    - websocket messages sent per Next (``WebSocket.prototype.send`` wrapped), from the
      click until 500 ms after the paint; the goal is 0;
    - a click on a cell (``.bp-panel[data-known="1"] .bp-cell``) → its derivation shown
      (``.bp-derivation[data-cell="q,l,j,k"]``, k empty for a vector).
    Where the page has no ``.bp-next`` yet, (d) says so and is skipped (exit 0).
(e) what the network as a graph costs a step (issue 22): in the same tab as (d), Next
    through every step and Prev back (--graph-rounds times), each press timed as (d) times
    it (→ painted), with the graph shown and with it hidden (display: none, and its
    setState and mark not called), rounds alternating; and the graph's own JavaScript per
    step (``drawGraph``'s setState + mark, timed in the page).

The page is told apart by what it shows: a Streamlit button keyed "next" is the page
that reruns on every Next, measured by (a) and (b); the component keyed "stepper" is the
one that steps in the browser, measured by (d). (c) runs either way.

Goals: server p50 ≤ 100 ms (the explorer issue); click-to-paint p50 ≤ 200 ms on the
default network and ≤ 300 ms on 6 layers of 16 (issue 11, "Reach and speed"); issue 21:
Next → painted p50 ≤ 30 ms on the default network and ≤ 50 ms on 6×16, 0 websocket
messages per Next, a cell click → its derivation p50 ≤ 150 ms.

The page has 12 steps; Next is clicked from step 1 to step 5 (each of those clicks fills
in one more heatmap of the network figure), then the session is sent back to step 1
without timing, and so on. Chromium is Debian's /usr/bin/chromium (or $CHROMIUM, or
Playwright's own). A busy machine spreads the figures: the load average is printed.

    python benchmarks/bench_app.py                     # both, defaults
    python benchmarks/bench_app.py --reruns 100 --clicks 50
    python benchmarks/bench_app.py --no-browser        # (a) only
    python benchmarks/bench_app.py --network 6x16 --reruns 5   # (b) on 6 layers of 16
    python benchmarks/bench_app.py --reference-only    # (c) only: no server
    python benchmarks/bench_app.py --clicks 30 --cells 10 --reference 5   # (c) and (d)
"""

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import free_port, pct, start_server, stop_server  # noqa: E402

SERVER_GOAL = 0.100                         # seconds, on the p50
PAINT_GOALS = {"default": 0.200, "6x16": 0.300}   # issue 11, on the p50
STEPPER_GOALS = {"default": 0.030, "6x16": 0.050}  # issue 21: Next → painted, on the p50
DERIVATION_GOAL = 0.150                             # issue 21: cell click → derivation, p50
WS_QUIET = 500           # ms after the paint during which a Next must still send nothing
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


# (c) the floor: plotly.js alone redrawing the whole network figure ---------------------

# The template chart.js gives a figure, with the light theme's colours (the fallbacks it
# uses where the theme's CSS variables are not set, as on a page of plotly.js alone).
TEMPLATE = {
    "font": {"color": "#31333F", "family": '"Source Sans", sans-serif', "size": 12,
             "weight": 400},
    "paper_bgcolor": "#FFFFFF", "plot_bgcolor": "#FFFFFF",
    "margin": {"pad": 8, "r": 0, "l": 0},
    "xaxis": {"tickfont": {"color": "#31333F", "size": 12}, "showgrid": False,
              "zeroline": False},
    "yaxis": {"tickfont": {"color": "#31333F", "size": 12}, "ticklabelposition": "outside"},
    "coloraxis": {"colorbar": {"thickness": 16, "xpad": 24, "ticklabelposition": "outside",
                               "outlinecolor": "transparent", "outlinewidth": 8, "len": 0.75,
                               "y": 0.5745}},
}
BLANK = "data:text/html,<!doctype html><meta charset=utf-8><body style='margin:0'>"

# newPlot step k's figure in a fresh div, then time Plotly.react to step k+1 until the
# promise and two animation frames: milliseconds, the first round (a warm-up) not counted.
REFERENCE_JS = """async ([figs, rounds, template, how]) => {
    const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const config = {displayModeBar: false, responsive: false};
    const layout = (f) => ({...f.layout, template: {layout: template}});
    const times = [];
    for (let r = 0; r <= rounds; r++) {
        for (let k = 0; k + 1 < figs.length; k++) {
            const a = JSON.parse(figs[k]), b = JSON.parse(figs[k + 1]);
            const div = document.createElement('div');
            document.body.appendChild(div);
            await Plotly.newPlot(div, a.data, layout(a), config);
            await frames();
            const t0 = performance.now();
            if (how === 'restyle') {   // only the heatmaps whose numbers changed, then outlines
                const idx = [], z = [], text = [], tt = [];
                const same = (t, i) => JSON.stringify(t.z) === JSON.stringify(a.data[i].z);
                b.data.forEach((t, i) => {
                    if (t.type === 'heatmap' && !same(t, i)) {
                        idx.push(i); z.push(t.z); text.push(t.text || null);
                        tt.push(t.texttemplate || null);
                    }
                });
                await Plotly.restyle(div, {z, text, texttemplate: tt}, idx);
                await Plotly.relayout(div, {shapes: b.layout.shapes,
                                            annotations: b.layout.annotations});
            } else {
                await Plotly.react(div, b.data, layout(b), config);
            }
            await frames();
            if (r > 0) times.push(performance.now() - t0);
            Plotly.purge(div);
            div.remove();
        }
    }
    return times;
}"""


def plotly_js():
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _plain(o):
    """json.dumps' fallback: NumPy scalars and arrays left in a figure as plain numbers."""
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"{type(o).__name__} is not JSON")


def step_figures(which, first=0, last=CYCLE):
    """The network figure of the Step page at steps first..last (from 0), as the JSON the
    browser gets: ``explorer.figures.heatmap.wire`` (typed-array specs), then json."""
    from backprop.explain.steps import known, steps
    from explorer.figures import heatmap, network

    net, x, y, _ = network_and_query(which)
    trace = net.backprop(x, y)
    all_steps = steps(net, trace)
    out = []
    for k in range(first, min(last, len(all_steps) - 1) + 1):
        s = all_steps[k]
        fig = network.network_figure(net, trace, known=known(all_steps, k),
                                     focus=(s.quantity, s.l))
        out.append(json.dumps(heatmap.wire(fig), default=_plain))
    return out


def plotly_reference(browser, which, rounds, how="react"):
    """(c): seconds of a whole-figure ``Plotly.react`` from one step to the next, steps
    1..CYCLE+1, ``rounds`` times (after one warm-up round), in a page of plotly.js alone;
    with ``how="restyle"``, of ``Plotly.restyle`` of the heatmaps the step changes and a
    ``Plotly.relayout`` of the outlines and titles (the other way to redraw less)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(BLANK)
        page.add_script_tag(path=str(plotly_js()))
        ms = page.evaluate(REFERENCE_JS, [step_figures(which), rounds, TEMPLATE, how])
    finally:
        page.close()
    return [t / 1000 for t in ms]


# (d) the Step page that steps in the browser (issue 21) --------------------------------

# In every page before its own scripts: count the websocket messages the page sends, and
# note the time (and that count) of every click and key press, in the page's clock.
INIT_JS = """(() => {
    if (window.__bpBench) return;
    window.__bpBench = true;
    window.__wsSends = 0;
    window.__bpT = null;
    window.__wsAt = 0;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (...args) {
        window.__wsSends += 1;
        return send.apply(this, args);
    };
    const mark = () => { window.__bpT = performance.now(); window.__wsAt = window.__wsSends; };
    addEventListener('click', mark, true);
    addEventListener('keydown', mark, true);
    // querySelector that also looks inside open shadow roots (a component may use one).
    window.__bpFind = (sel) => {
        const look = (root) => {
            const hit = root.querySelector(sel);
            if (hit) return hit;
            for (const el of root.querySelectorAll('*')) {
                if (el.shadowRoot) {
                    const h = look(el.shadowRoot);
                    if (h) return h;
                }
            }
            return null;
        };
        const near = window.__bpRoot && window.__bpRoot.isConnected
            ? window.__bpRoot.getRootNode().querySelector(sel) : null;
        return near || look(document);
    };
})()"""

# Before a timed Next: a promise that resolves two animation frames after the stepper's
# data-drawn becomes the target step (seen at once by a MutationObserver; a poll per frame
# also finds a stepper that was drawn anew), with ms from the click or key press.
ARM_DRAWN_JS = """(target) => {
    window.__bpRoot = window.__bpFind('.bp-stepper');
    window.__bpDone = new Promise((resolve, reject) => {
        let done = false, root = window.__bpRoot;
        const watch = {attributes: true, attributeFilter: ['data-drawn']};
        const ok = () => root && root.isConnected
            && root.getAttribute('data-drawn') === String(target);
        const finish = () => {
            if (done) return;
            done = true;
            obs.disconnect();
            clearTimeout(timer);
            const seen = performance.now();
            requestAnimationFrame(() => requestAnimationFrame(() => resolve({
                ms: performance.now() - window.__bpT, seen: seen - window.__bpT})));
        };
        const obs = new MutationObserver(() => { if (ok()) finish(); });
        if (root) obs.observe(root, watch);
        const poll = () => {
            if (done) return;
            if (!root || !root.isConnected) {
                root = window.__bpRoot = window.__bpFind('.bp-stepper');
                if (root) obs.observe(root, watch);
            }
            if (ok()) return finish();
            requestAnimationFrame(poll);
        };
        const timer = setTimeout(() => {
            if (!done) { done = true; obs.disconnect();
                         reject(new Error('data-drawn did not become ' + target + ' in 30 s')); }
        }, 30000);
        requestAnimationFrame(poll);
    });
}"""

# After the paint: the websocket messages sent from the click until WS_QUIET ms later.
WS_SENT_JS = """(quiet) => new Promise(r => setTimeout(
    () => r(window.__wsSends - window.__wsAt), quiet))"""

# Before a cell click: resolves two frames after a derivation of that cell is shown.
ARM_DERIVATION_JS = """(cell) => {
    const sel = '.bp-derivation[data-cell="' + cell + '"]';
    window.__bpDone = new Promise((resolve, reject) => {
        const give_up = performance.now() + 10000;
        const poll = () => {
            if (performance.now() > give_up)
                return reject(new Error('no derivation of ' + cell + ' in 10 s'));
            if (window.__bpT === null || !window.__bpFind(sel)) return requestAnimationFrame(poll);
            requestAnimationFrame(() => requestAnimationFrame(
                () => resolve({ms: performance.now() - window.__bpT})));
        };
        window.__bpT = null;
        requestAnimationFrame(poll);
    });
}"""

CELL_JS = """(el) => {
    const p = el.closest('.bp-panel');
    return [p.dataset.q, p.dataset.l, el.dataset.j, el.dataset.k || ''].join(',');
}"""
SHOWN_CELL_JS = """() => {
    const d = window.__bpFind('.bp-derivation[data-cell]');
    return d ? d.getAttribute('data-cell') : null;
}"""
DRAWN_JS = """() => {
    const r = window.__bpFind('.bp-stepper');
    return r ? r.getAttribute('data-drawn') : null;
}"""
BLUR_JS = """() => { if (document.activeElement) document.activeElement.blur();
                     document.body.focus(); }"""
# (e): time the graph's own work per step, and switch the graph off (true) or on (false).
GRAPH_CLOCK_JS = """() => {
    const g = window.__bpStepper.graph;
    window.__bpGraphMs = 0;
    for (const name of ['setState', 'mark']) {
        const f = g[name];
        g['__' + name] = f;
        g[name] = (...a) => { if (window.__bpGraphOff) return;
                              const t = performance.now(); f(...a);
                              window.__bpGraphMs += performance.now() - t; };
    }
}"""
GRAPH_OFF_JS = """(off) => {
    window.__bpGraphOff = off;
    window.__bpStepper.graphBox.parentElement.style.display = off ? 'none' : '';
}"""


class NoStepper(Exception):
    """The Step page does not show the stepper's DOM (issue 21 not in yet)."""


def wait_drawn(page, k):
    page.wait_for_function(f"() => ({DRAWN_JS})() === '{k}'", timeout=60_000)


def back_to_start(page, prev):
    """Prev until step 1 is drawn (untimed), then wait for the server to be idle."""
    k = int(page.evaluate(DRAWN_JS))
    while k > 0:
        prev.first.click()
        k -= 1
        wait_drawn(page, k)
    page.wait_for_selector(APP_READY, timeout=60_000)


def graph_cost(page, n_steps, rounds, nxt, prev):
    """(e): Next through every step and Prev back, ``rounds`` times with the graph shown
    and as often hidden, alternating. Returns lists of seconds: "graph on", "graph off"
    (→ painted) and "graph js" (its setState + mark per step)."""
    out = {"graph on": [], "graph off": [], "graph js": []}
    back_to_start(page, prev)
    page.evaluate(GRAPH_CLOCK_JS)
    for r in range(2 * rounds):
        off = r % 2 == 1
        page.evaluate(GRAPH_OFF_JS, off)
        page.wait_for_timeout(200)
        for button, targets in ((nxt, range(1, n_steps)), (prev, range(n_steps - 2, -1, -1))):
            for k in targets:
                page.evaluate("() => { window.__bpGraphMs = 0; }")
                page.evaluate(ARM_DRAWN_JS, k)
                button.first.click()
                painted = page.evaluate("() => window.__bpDone")
                out["graph off" if off else "graph on"].append(painted["ms"] / 1000)
                if not off:
                    out["graph js"].append(page.evaluate("() => window.__bpGraphMs") / 1000)
    page.evaluate(GRAPH_OFF_JS, False)
    return out


def stepper_figures(browser, base, which, presses, cells, found_timeout=30_000,
                    graph_rounds=0):
    """(d) in one tab: Next by click and by the → key (``presses`` timed each), the
    websocket messages each sent, and ``cells`` cell clicks → derivation shown.
    Returns a dict of lists of seconds (and counts), and a list of problems seen."""
    _, _, _, query = network_and_query(which)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(INIT_JS)
    out = {"click": [], "key": [], "ws": [], "cell": [], "cpu": []}
    problems = []
    try:
        page.goto(f"{base}/{PAGE}{query}", timeout=60_000)
        page.wait_for_selector(APP_READY, timeout=60_000)
        try:
            page.wait_for_selector(".bp-next", timeout=found_timeout)
            page.wait_for_selector(".bp-stepper[data-drawn]", timeout=found_timeout)
        except Exception as e:       # playwright's TimeoutError
            raise NoStepper(f"the Step page shows no button.bp-next / .bp-stepper[data-drawn] "
                            f"within {found_timeout / 1000:.0f} s ({type(e).__name__})") from None
        nxt, prev = page.locator("button.bp-next"), page.locator("button.bp-prev")
        title = page.locator("h3.bp-title")
        n_steps = int(page.locator("input.bp-slider").first.get_attribute("max") or 0)
        page.wait_for_timeout(500)

        for how in ("click", "key"):
            print(f"(d) {which}: Next by {how}…", file=sys.stderr, flush=True)
            back_to_start(page, prev)
            k, done = 0, 0
            while done < presses + 3:            # 3 warm-up presses, not counted
                if k >= CYCLE:
                    back_to_start(page, prev)
                    k = 0
                if how == "key":
                    page.evaluate(BLUR_JS)
                page.evaluate(ARM_DRAWN_JS, k + 1)
                cpu0 = tree_cpu()
                if how == "click":
                    nxt.first.click()
                else:
                    page.keyboard.press("ArrowRight")
                painted = page.evaluate("() => window.__bpDone")
                sent = page.evaluate(WS_SENT_JS, WS_QUIET)
                cpu = tree_cpu() - cpu0
                k += 1
                done += 1
                shown = title.first.text_content() or ""
                want = f"Step {k + 1} of "
                if not shown.startswith(want):
                    problems.append(f"{how}: the title reads {shown[:40]!r}, expected {want}…")
                if done > 3:
                    out[how].append(painted["ms"] / 1000)
                    out["ws"].append(sent)
                    out["cpu"].append(cpu)

        # Cell clicks: each on a computed cell other than the one whose derivation shows.
        print(f"(d) {which}: cell clicks…", file=sys.stderr, flush=True)
        back_to_start(page, prev)
        for _ in range(CYCLE):                   # a few steps in: more panels computed
            nxt.first.click()
        wait_drawn(page, CYCLE)
        page.wait_for_selector(APP_READY, timeout=60_000)
        tried = 0
        while len(out["cell"]) < cells + 1 and tried < cells * 4 + 3:
            tried += 1
            targets = page.locator('.bp-panel[data-known="1"] .bp-cell >> visible=true')
            count = targets.count()
            if count == 0:
                problems.append('no visible .bp-cell in a .bp-panel[data-known="1"]')
                break
            shown = page.evaluate(SHOWN_CELL_JS)
            cell = None
            for i in range(tried, tried + count):
                el = targets.nth(i % count)
                cand = el.evaluate(CELL_JS)
                if cand != shown:
                    cell = cand
                    break
            if cell is None:
                problems.append("every computed cell is the one already derived")
                break
            page.evaluate(ARM_DERIVATION_JS, cell)
            try:
                el.click(timeout=10_000)
                ms = page.evaluate("() => window.__bpDone")["ms"]
            except Exception as e:       # playwright's TimeoutError, a rejected promise
                problems.append(f"cell {cell}: {type(e).__name__}: {str(e)[:200]}")
                if len(problems) >= 3:
                    break
                continue
            page.wait_for_selector(APP_READY, timeout=60_000)
            page.wait_for_timeout(300)
            out["cell"].append(ms / 1000)
        out["cell"] = out["cell"][1:]            # the first, a warm-up, not counted
        out["steps"] = n_steps
        if graph_rounds:
            print(f"(e) {which}: the graph, on and off…", file=sys.stderr, flush=True)
            out.update(graph_cost(page, n_steps, graph_rounds, nxt, prev))
    finally:
        page.close()
    return out, problems


async def page_kind(base):
    """What the Step page is: "rerun" (a Streamlit button keyed "next": every Next reruns
    the script), "stepper" (the component keyed "stepper": it steps in the browser), or
    None (neither found)."""
    from benchmarks.loadclient import AppSession

    async with AppSession(base) as s:
        run = await s.open(PAGE)
        if run.problems:
            raise RuntimeError(f"opening {PAGE}: {run.problems}")
        if "stepper" in s.widgets:
            return "stepper"
        if "next" in s.widgets and s.widgets["next"].kind == "button":
            return "rerun"
        return None


def chromium_version():
    path = chromium_path()
    if not path:
        return "Playwright's own Chromium"
    try:
        return subprocess.run([path, "--version"], capture_output=True, text=True,
                              timeout=60).stdout.strip() or path
    except (OSError, subprocess.SubprocessError):
        return path


def launch(p):
    path = chromium_path()
    return p.chromium.launch(args=CHROMIUM_ARGS, **({"executable_path": path} if path else {}))


def browser_in_page(base, networks, rounds, presses, cells, kind, graph_rounds=0):
    """(c), and (d) where the page has the stepper, each network in one Chromium run.
    Returns the table's rows and notes."""
    from playwright.sync_api import sync_playwright

    rows, notes = [], []
    for which in networks:
        with sync_playwright() as p:
            browser = launch(p)
            try:
                floor = stats(plotly_reference(browser, which, rounds))
                rows.append(row(f"(c) {which}: plotly.js alone, react k → k+1", floor))
                rows.append(row(f"(c) {which}: plotly.js alone, restyle + relayout",
                                stats(plotly_reference(browser, which, rounds, "restyle"))))
                if base is None or kind == "rerun":
                    continue
                try:
                    d, problems = stepper_figures(browser, base, which, presses, cells,
                                                  graph_rounds=graph_rounds)
                except NoStepper as e:
                    notes.append(f"(d) {which} skipped: {e}. The Step page does not step in "
                                 "the browser yet (issue 21); only (c) was measured.")
                    continue
                for how, name in (("click", "click on Next"), ("key", "→ key")):
                    st_ = stats(d[how])
                    rows.append(row(f"(d) {which}: {name} → painted", st_,
                                    STEPPER_GOALS[which]))
                    notes.append(f"(d) {which}: {name} p50 is {st_['p50'] / floor['p50']:.2f}× "
                                 f"the floor (c) of the same run")
                if d["cell"]:
                    rows.append(row(f"(d) {which}: cell click → derivation shown",
                                    stats(d["cell"]), DERIVATION_GOAL))
                if d.get("graph on"):
                    on, off = stats(d["graph on"]), stats(d["graph off"])
                    rows.append(row(f"(e) {which}: Next/Prev → painted, graph shown", on))
                    rows.append(row(f"(e) {which}: Next/Prev → painted, graph hidden", off))
                    rows.append(row(f"(e) {which}: the graph's JS per step",
                                    stats(d["graph js"])))
                    notes.append(f"(e) {which}: the graph costs a step "
                                 f"{(on['p50'] - off['p50']) * 1000:+.1f} ms at the p50 "
                                 f"({(on['p95'] - off['p95']) * 1000:+.1f} ms at the p95), "
                                 f"over every step of {d['steps']} both ways; its own JS "
                                 f"max {max(d['graph js']) * 1000:.1f} ms")
                ws = d["ws"]
                notes.append(f"(d) {which}: websocket messages sent per Next (until "
                             f"{WS_QUIET} ms after the paint): mean {statistics.mean(ws):.2f}, "
                             f"max {max(ws)}, over {len(ws)} presses (goal 0: "
                             f"{'PASS' if max(ws) == 0 else 'MISS'}); CPU per Next "
                             f"{statistics.mean(d['cpu']) * 1000:.0f} ms (server + Chromium, "
                             f"mean, with the {WS_QUIET} ms after)")
                notes.extend(f"(d) {which}: {p}" for p in problems[:10])
            finally:
                browser.close()
    return rows, notes


def row(name, s, goal=None):
    ok = "" if goal is None else ("PASS" if s["p50"] <= goal else "MISS")
    g = "" if goal is None else f"≤ {goal * 1000:.0f} ms"
    return (f"{name:<48} {s['p50'] * 1000:>8.1f} {s['p95'] * 1000:>8.1f} "
            f"{s['min'] * 1000:>8.1f} {s['n']:>4}  {g:>9}  {ok}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reruns", type=int, default=50, help="Next reruns for (a)")
    ap.add_argument("--clicks", type=int, default=30,
                    help="Next clicks for (b); for (d), Next presses by click and by key each")
    ap.add_argument("--cells", type=int, default=10, help="cell clicks for (d)")
    ap.add_argument("--reference", type=int, default=5, metavar="ROUNDS",
                    help="rounds of steps 1..%d for (c), the plotly.js floor" % (CYCLE + 1))
    ap.add_argument("--graph-rounds", type=int, default=2, metavar="ROUNDS",
                    help="for (e), rounds through every step and back with the graph shown "
                         "(and as many hidden); 0 skips (e)")
    ap.add_argument("--no-browser", action="store_true", help="skip (b), (c), (d) and (e)")
    ap.add_argument("--reference-only", action="store_true",
                    help="(c) only: no server, no Step page")
    ap.add_argument("--network", choices=[*NETWORKS, "both"], default="both",
                    help="the network of (b), (c), (d): the default preset, 6 layers of 16, "
                         "or both")
    args = ap.parse_args()
    networks = list(NETWORKS) if args.network == "both" else [args.network]

    import streamlit

    print(f"Python {sys.version.split()[0]}, Streamlit {streamlit.__version__}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} "
          f"(1 min) at the start")
    if not args.no_browser:
        print(f"Browser: {chromium_version()}")

    rows, notes, cpus = [], [], []
    if args.reference_only:
        try:
            rows, notes = browser_in_page(None, networks, args.reference, 0, 0, None)
        except ImportError as e:
            notes = [f"(c) skipped: {e}"]
    else:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory() as tmp:
            proc = start_server(port, log_path=os.path.join(tmp, "streamlit.log"))
            try:
                kind = asyncio.run(page_kind(base))
                print({"rerun": "The Step page reruns the script on every Next: (a), (b), (c).",
                       "stepper": "The Step page steps in the browser (component 'stepper'): "
                                  "(c), (d).",
                       None: "The Step page shows neither a Next button keyed 'next' nor a "
                             "component keyed 'stepper': (c), and (d) if its DOM is there."
                       }[kind])
                print("Network of (a): the default preset, 2-2-2 by hand; one session.\n")
                if kind == "rerun":
                    rows, note, cpus = rerun_figures(base, args, networks)
                    if note:
                        notes.append(note)
                else:
                    notes.append("(a), (b) skipped: the Step page has no Streamlit button "
                                 "keyed 'next' (Next does not rerun the script)")
                if args.no_browser:
                    notes.append("(c), (d) skipped: --no-browser")
                else:
                    try:
                        more, more_notes = browser_in_page(base, networks, args.reference,
                                                           args.clicks, args.cells, kind,
                                                           args.graph_rounds)
                        rows += more
                        notes += more_notes
                    except ImportError as e:
                        notes.append(f"(c), (d) skipped: {e}")
            finally:
                stop_server(proc)

    print(f"{'figure':<48} {'p50 ms':>8} {'p95 ms':>8} {'min ms':>8} {'n':>4}  "
          f"{'goal':>9}  result")
    print("-" * 96)
    for r in rows:
        print(r)
    for n in [*notes, *cpus]:
        print(n)
    print(f"\nload average {os.getloadavg()[0]:.2f} (1 min) at the end. Goals are judged on "
          "the p50s.")


def rerun_figures(base, args, networks):
    """(a) and (b), on the Step page that reruns on every Next."""
    rows = [row("(a) Next rerun, AppTest (in-process)", stats(apptest_reruns(args.reruns)))]
    ws = asyncio.run(websocket_reruns(base, args.reruns))
    rows.append(row("(a) Next rerun, real server (websocket)", stats(ws), SERVER_GOAL))
    if args.no_browser:
        return rows, "(b) skipped: --no-browser", []
    cpus = []
    try:
        for which in networks:
            paint, heading, cpu = click_to_paint(base, args.clicks, which)
            rows.append(row(f"    ({which}: click on Next → new heading shown)",
                            stats(heading)))
            rows.append(row(f"(b) {which}: click on Next → heatmaps painted",
                            stats(paint), PAINT_GOALS[which]))
            cpus.append(f"CPU per click, {which}: {cpu * 1000:.0f} ms "
                        "(server + Chromium, mean)")
    except ImportError as e:
        return rows, f"(b) skipped: {e}", cpus
    return rows, None, cpus


if __name__ == "__main__":
    main()

"""What a chart component of our own would save on a click on Next: a script run by hand
(``python benchmarks/bench_chart_component.py``), not a test, and not part of the app.

Why. ``st.plotly_chart`` computes a chart's element id from its figure, so a figure that
changes (every step does) is a new element: React unmounts the old chart and mounts a new
one. On mount Streamlit's PlotlyChart copies the figure (a JSON round trip, the theme
applied), and plotly.js draws it twice: ``newPlot`` into the fresh div, then a full
``Plotly.react``, since the copy's arrays and template are new objects. A component that
keeps one div across reruns would draw each changed figure once, by ``Plotly.react``.
(Seen with Chromium's debugger on the Step page; logpoints on plotly.js's ``_doPlot``.)

What. The same two figures the Step page draws (beside the equation, and the network so
far) under a heading and Prev / Next buttons, in a throwaway app with nothing else on it,
shown two ways:

- A: ``explorer.ui.plotly_chart``, i.e. ``st.plotly_chart``, as the app does now;
- B: a ``st.components.v2`` component whose one div plotly.js keeps (``Plotly.react``),
  with plotly.js served by Streamlit's static file serving from the ``plotly`` package.

B is a probe, not a finished component: it draws without Streamlit's theme template (so
its text does not follow a dark theme) and sends clicks back but nothing reads them.

For each, on the default network and on 6 layers of 16, the p50 of click-to-paint (as in
``bench_app.py``: from the click on Next until the network figure shows the new step's
heatmap and two frames have passed) and the mean CPU per click of server and Chromium.

    python benchmarks/bench_chart_component.py              # 16 timed clicks per case
    python benchmarks/bench_chart_component.py --clicks 30 --rounds 2
"""

import argparse
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

from benchmarks.bench_app import click_to_paint  # noqa: E402
from benchmarks.load import free_port, health, stop_server  # noqa: E402

PLOT = ".js-plotly-plot"
APP = '''
import os
import sys

sys.path.insert(0, {root!r})

import streamlit as st

from backprop.steps import steps
from benchmarks.bench_app import largest_network
from explorer import figures, practice, ui
from explorer.heatmap import wire
from explorer.presets import default_network

JS = """
function plotly() {{
  if (window.Plotly) return Promise.resolve(window.Plotly);
  window.__plotly = window.__plotly || new Promise((done, fail) => {{
    const s = document.createElement("script");
    s.src = "./app/static/plotly.min.js";
    s.onload = () => done(window.Plotly);
    s.onerror = fail;
    document.head.appendChild(s);
  }});
  return window.__plotly;
}}
export default function ({{ data, parentElement, setTriggerValue }}) {{
  const div = parentElement.querySelector(".plot");
  plotly().then((P) => {{
    P.react(div, data.fig.data, data.fig.layout, {{ displayModeBar: false }});
    if (!div.__wired) {{
      div.__wired = true;
      div.on("plotly_click", (e) => setTriggerValue("pick", e.points[0].customdata));
    }}
  }});
}}
"""
chart = st.components.v2.component("kept_plot", html="<div class='plot'></div>", js=JS,
                                   isolate_styles=False)


def show(fig, key):
    if os.environ["CHART_MODE"] == "A":
        ui.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points",
                        width="content")
    else:
        chart(data={{"fig": wire(fig)}}, key=key, on_pick_change=lambda: None)


def go(delta):
    st.session_state.step = (st.session_state.step + delta) % 12


st.set_page_config(layout="wide")
ss = st.session_state
if "net" not in ss:
    ss.net, ss.x, ss.y = largest_network() if st.query_params.get("big") else default_network()
    ss.step = 0
net, trace = ss.net, ss.net.backprop(ss.x, ss.y)
all_steps = steps(net, trace)
left, right = st.columns(2)
left.button("◀ Prev", on_click=go, args=(-1,))
right.button("Next ▶", on_click=go, args=(1,))
step = all_steps[ss.step]
st.subheader(f"Step {{ss.step + 1}} of {{len(all_steps)}} · {{step.title}}")
now = practice.visible(all_steps, ss.step, True)
focus = figures.focus_figure(net, trace, step, now)
if focus is not None:
    show(focus, "chart_focus")
show(figures.network_figure(net, trace, known=now, focus=(step.quantity, step.l)),
     "chart_network")
'''
CONFIG = """[server]
headless = true
enableStaticServing = true
fileWatcherType = "none"
[browser]
gatherUsageStats = false
[runner]
postScriptGC = false
"""


def make_app(where):
    """The throwaway app: app.py, its config, and plotly.js where Streamlit serves it."""
    import plotly

    (where / ".streamlit").mkdir()
    (where / "static").mkdir()
    (where / "app.py").write_text(APP.format(root=str(ROOT)))
    (where / ".streamlit" / "config.toml").write_text(CONFIG)
    shutil.copy(Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
                where / "static" / "plotly.min.js")


def serve(where, mode):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1"], cwd=where, env={**os.environ, "CHART_MODE": mode},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while health(base) != "ok":
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError("the throwaway app did not start")
        time.sleep(0.2)
    return proc, base


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clicks", type=int, default=16, help="timed clicks per case")
    ap.add_argument("--rounds", type=int, default=1, help="times to run every case, A and B "
                    "alternating, so that a busy moment of the machine falls on both")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start\n")
    print(f"{'network':<9} {'charts drawn by':<40} {'p50 paint':>10} {'CPU/click':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        make_app(Path(tmp))
        for _ in range(args.rounds):
            for big in (False, True):
                for mode, name in (("A", "st.plotly_chart (as now)"),
                                   ("B", "a component that keeps its div")):
                    proc, base = serve(tmp, mode)
                    try:
                        times, _, cpu = click_to_paint(
                            base, args.clicks, "6x16" if big else "default",
                            url=base + ("/?big=1" if big else "/"), plot=PLOT)
                    finally:
                        stop_server(proc)
                    print(f"{'6x16' if big else 'default':<9} {name:<40} "
                          f"{statistics.median(times) * 1000:>7.0f} ms {cpu * 1000:>7.0f} ms",
                          flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()

"""Where the time of a Step-through click goes, figure by figure: a script run by hand
(``make bench``), not a test. For the default network and for 6 layers of 16, over the
steps that Next takes from step 1 to step 5, it prints

- the server's part: building the network figure and the figure beside the step, and
  their size as sent (JSON, arrays as base64);
- the browser's part: plotly.js drawing each figure from scratch (``Plotly.newPlot``, as
  st.plotly_chart does when a figure changes) in headless Chromium, as CPU time of the
  Chromium processes per figure, which a busy machine does not inflate as it does the
  wall-clock time (printed too).

    python benchmarks/bench_paint.py
    python benchmarks/bench_paint.py --reps 10
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

from benchmarks.bench_app import (  # noqa: E402
    CHROMIUM_ARGS,
    NETWORKS,
    chromium_path,
    network_and_query,
    tree_cpu,
)

DRAW_JS = """async ([figs, reps]) => {
    const el = document.getElementById('chart'), wall = [];
    for (let r = 0; r < reps; r++) for (const f of figs) {
        Plotly.purge(el);
        const t0 = performance.now();
        await Plotly.newPlot(el, structuredClone(f.data), structuredClone(f.layout));
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        wall.push(performance.now() - t0);
    }
    return wall;
}"""


def figures_of(which, kind):
    """The figures of steps 2 to 5 as sent to the browser, and the seconds to build one."""
    from backprop.explain.steps import known, steps
    from explorer.figures import network
    from explorer.figures.heatmap import wire

    net, x, y, _ = network_and_query(which)
    trace = net.backprop(x, y)
    all_steps = steps(net, trace)
    out, build = [], 0.0
    for s in all_steps[1:5]:
        now = known(all_steps, s.index)
        t0 = time.perf_counter()
        fig = (network.network_figure(net, trace, known=now, focus=(s.quantity, s.l))
               if kind == "network" else network.focus_figure(net, trace, s, now))
        fig = wire(fig) if fig is not None else None
        build += time.perf_counter() - t0
        if fig is not None:
            out.append(json.loads(json.dumps(fig, default=lambda a: a.tolist())))
    return out, build / 4


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=6, help="draws of each figure")
    args = ap.parse_args()

    import plotly
    from playwright.sync_api import sync_playwright

    js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    print(f"plotly.js of plotly {plotly.__version__}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f} (1 min)\n")
    print(f"{'network':<9} {'figure':<8} {'build ms':>8} {'JSON kB':>8} "
          f"{'draw CPU ms':>11} {'draw wall p50 ms':>16}")
    with sync_playwright() as p:
        path = chromium_path()
        browser = p.chromium.launch(args=CHROMIUM_ARGS,
                                    **({"executable_path": path} if path else {}))
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_content("<div id='chart'></div>")
        page.add_script_tag(path=str(js))
        for which in NETWORKS:
            for kind in ("network", "focus"):
                figs, build = figures_of(which, kind)
                page.evaluate(DRAW_JS, [figs, 1])                   # warm-up
                cpu0 = tree_cpu()
                wall = page.evaluate(DRAW_JS, [figs, args.reps])
                cpu = (tree_cpu() - cpu0) / len(wall)
                size = statistics.mean(len(json.dumps(f)) for f in figs) / 1000
                print(f"{which:<9} {kind:<8} {build * 1000:>8.1f} {size:>8.1f} "
                      f"{cpu * 1000:>11.0f} {statistics.median(wall):>16.0f}")
        browser.close()


if __name__ == "__main__":
    main()

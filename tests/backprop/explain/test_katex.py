"""Every LaTeX string the explorer prints parses in the KaTeX that Streamlit ships, in strict
mode (an unknown command, a missing brace or Unicode text in math is an error). Run with
Node; skipped, with the reason, where Node or Streamlit's KaTeX bundle is missing."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import streamlit

from backprop import Network
from backprop.explain import explain
from backprop.explain.steps import steps
from explorer.presets import PRESETS
from tests.backprop.explain.test_plugged import ACCEPTED, HIDDEN, cells, random_case

BUNDLES = sorted((Path(streamlit.__file__).parent / "static/static/js").glob("katex.*.js"))
NODE = shutil.which("node")


def latex_of(net, x, y):
    trace = net.backprop(x, y)
    for s in steps(net, trace):
        yield from (s.rule, s.shapes, s.numbers)
    for cell in cells(net):
        yield from explain(net, trace, *cell).lines


def all_latex():
    out = set()
    for preset in PRESETS.values():
        out.update(latex_of(*preset.make()))
    rng = np.random.default_rng(12)
    for _ in range(60):
        out.update(latex_of(*random_case(rng)))
    for i, (o, cost) in enumerate(ACCEPTED):
        for hidden in HIDDEN:
            net = Network.random([2, 3, 3], [hidden, o], cost, seed=i)
            net = Network([30 * w for w in net.w.values()], net.b.values(), [hidden, o], cost)
            out.update(latex_of(net, [0.7, -0.4], [1.0, 0.0, 0.0]))
    net = Network([[[1, -2], [.5, 1]], [[1, 2]]], [[0, 0], [.1]], ["relu", "sigmoid"],
                  "quadratic")
    out.update(latex_of(net, [2.0, 1.0], [1.0]))       # a relu at its kink
    return sorted(out)


@pytest.mark.skipif(not NODE or not BUNDLES, reason="needs Node and Streamlit's KaTeX bundle")
def test_every_latex_string_parses_in_streamlits_katex_strict(tmp_path):
    module = tmp_path / "katex.mjs"          # the bundle is an ES module: Node wants .mjs
    module.write_bytes(BUNDLES[0].read_bytes())
    script = tmp_path / "render.mjs"
    script.write_text("""
import { readFileSync } from "node:fs";
const katex = (await import(process.argv[2])).default;
const errors = [];
for (const s of JSON.parse(readFileSync(0, "utf8"))) {
  try { katex.renderToString(s, {strict: "error", throwOnError: true, displayMode: true}); }
  catch (e) { errors.push([s, String(e.message)]); }
}
console.log(JSON.stringify(errors));
""")
    strings = all_latex()
    assert len(strings) > 3000
    done = subprocess.run([NODE, str(script), str(module)], input=json.dumps(strings),
                          capture_output=True, text=True, timeout=300, check=True)
    errors = json.loads(done.stdout)
    assert errors == [], errors[:5]

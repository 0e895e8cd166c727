"""The README's code runs as printed: every ```python block of README.md in order, as one
script (as a reader runs them in one notebook), and every call it names inline, such as
`backprop.steps.steps(net, trace)`; so a documented import or call that breaks fails here.
The script runs in a fresh interpreter from an empty directory, as a notebook user's would."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")

# What the first block uses before it defines it: one example x, y of its [2, 3, 2]
# network (as in its backprop(x=..., y=...) line), and a batch X, Y, one example per row.
GIVEN = """\
import numpy as np
x, y = [0.5, -1.0], [1.0, 0.0]
X = np.array([[0.5, -1.0], [0.2, 0.3], [-1.0, 0.4]])
Y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
"""


def python_blocks():
    return re.findall(r"^```python\n(.*?)^```$", README, re.S | re.M)


def inline_calls():
    return re.findall(r"`(backprop(?:\.\w+)+)\(([^`]*)\)`", README)


def run(script, tmp_path):
    path = tmp_path / "readme_code.py"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_every_python_block_of_the_readme_runs(tmp_path):
    blocks = python_blocks()
    assert len(blocks) >= 3
    out = run(GIVEN + "\n".join(blocks)
              + "\nprint('trained is a Network:', isinstance(trained, Network))\n", tmp_path)
    assert out.strip().endswith("trained is a Network: True")   # the SGD block ran to the end


def test_every_call_the_readme_names_inline_runs(tmp_path):
    calls = inline_calls()
    assert {path for path, _ in calls} >= {"backprop.steps.steps", "backprop.explain.explain"}
    lines = ["import importlib", "from backprop import Network",
             "net = Network.random([2, 3, 2], seed=0)",
             "trace = net.backprop([0.5, -1.0], [1.0, 0.0])"]
    for i, (path, args) in enumerate(calls):
        module, name = path.rsplit(".", 1)
        lines.append(f"fn = getattr(importlib.import_module({module!r}), {name!r})")
        lines.append(f"assert fn({args}), {path!r}")
        lines.append(f"print('ran', {i})")
    out = run("\n".join(lines) + "\n", tmp_path)
    assert out.split() == [w for i in range(len(calls)) for w in ("ran", str(i))]

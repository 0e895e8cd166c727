"""The README's code runs as printed: every ```python block of README.md in order, in one
namespace (as a reader runs them in one notebook), and every call it names inline, such as
`backprop.steps.steps(net, trace)`; so a documented import or call that breaks fails here."""

import importlib
import re
from pathlib import Path

import numpy as np

from backprop import Network

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks():
    return re.findall(r"^```python\n(.*?)^```$", README.read_text(encoding="utf-8"), re.S | re.M)


def test_every_python_block_of_the_readme_runs():
    blocks = python_blocks()
    assert len(blocks) >= 3
    # What the first block uses before it defines it: one example x, y of its [2, 3, 2]
    # network (as in its backprop(x=..., y=...) line), and a batch X, Y, one example per row.
    names = {"x": [0.5, -1.0], "y": [1.0, 0.0],
             "X": np.array([[0.5, -1.0], [0.2, 0.3], [-1.0, 0.4]]),
             "Y": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])}
    for code in blocks:
        exec(compile(code, str(README), "exec"), names)
    assert isinstance(names["trained"], Network)     # the second block's SGD ran to the end


def test_every_call_the_readme_names_inline_runs():
    calls = re.findall(r"`(backprop(?:\.\w+)+)\(([^`]*)\)`", README.read_text(encoding="utf-8"))
    assert {path for path, _ in calls} >= {"backprop.steps.steps", "backprop.explain.explain"}
    net = Network.random([2, 3, 2], seed=0)
    trace = net.backprop([0.5, -1.0], [1.0, 0.0])
    for path, args in calls:
        module, name = path.rsplit(".", 1)
        fn = getattr(importlib.import_module(module), name)
        assert eval(f"fn({args})", {"fn": fn, "net": net, "trace": trace})

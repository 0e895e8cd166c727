"""Searching what reaches the browser for numbers that must stay hidden (practice mode, the
live class): the ways the app and Python print a number, and plotly's typed arrays."""

import base64
import re

import numpy as np

from explorer.figures import heatmap

MIN_SIGNIFICANT = 4    # "0.1" or "0.0005" would be found by chance (the rule's text: ±0.0005)


def significant(text):
    """The significant digits of a printed number: "-0.03775" has 4, "4.4e-4" has 2."""
    mantissa = text.lstrip("-").split("e")[0].replace(".", "")
    return len(mantissa.lstrip("0"))


def printed(v):
    """The ways the app (and Python) print |v|, those of at least MIN_SIGNIFICANT digits."""
    v = abs(float(v))
    forms = {repr(v), f"{v:.6g}", heatmap.short(v), f"{v:.4f}", f"{v:.3f}", f"{v:.2f}"}
    return {f for f in forms if significant(f) >= MIN_SIGNIFICANT}


def found(form, text):
    """Whether the number ``form`` is in ``text`` as a number of its own (not the start or
    end of a longer one)."""
    return re.search(rf"(?<![\d.]){re.escape(form)}(?![\d])", text) is not None


def typed_arrays(node):
    """Every plotly typed array (``heatmap.wire``) in a parsed JSON value, decoded."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            yield np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
        else:
            for v in node.values():
                yield from typed_arrays(v)
    elif isinstance(node, list):
        for v in node:
            yield from typed_arrays(v)

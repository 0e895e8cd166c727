"""pandas tables of weights, biases and vectors, labelled in the notation, and back; and
the check of what a table editor sends before anything is done with it."""

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from backprop import validate
from backprop.explain.notation import pretty
from backprop.validate import shown

from .limits import number_text

MAX_CELL_CHARS = 40        # what a cell of an editor may hold: "-1.3277404421930024e-05" is 23
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def matrix_table(w):
    """w^l as a table: row j = neuron j of layer l, column k = neuron k of layer l−1."""
    n, m = w.shape
    return pd.DataFrame(np.asarray(w, dtype=np.float64), index=[f"j={j}" for j in range(1, n + 1)],
                        columns=[f"k={k}" for k in range(1, m + 1)])


def vector_table(v, column):
    """A vector as a one-column table with rows j = 1..n."""
    return pd.DataFrame({column: np.asarray(v, dtype=np.float64)},
                        index=[f"j={j}" for j in range(1, len(v) + 1)])


def as_text(df):
    """The table with every number written out in full (``limits.number_text``), for an
    editor whose cells are text: a browser's number cell turns "abc" into 0 before the
    server sees it, a text cell sends what was typed."""
    return df.map(number_text)


def check_edits(state, df):
    """Raise ValueError unless ``state``, the widget state of a table editor as a client
    sent it, only edits existing cells of ``df`` to a short text or a number. Made before
    Streamlit applies the state: it would add any number of rows, one at a time."""
    if state is None:
        return
    if not isinstance(state, Mapping) or not isinstance(state.get("edited_rows", {}), Mapping):
        raise ValueError("what was sent is not an edit of a cell")
    if state.get("added_rows") or state.get("deleted_rows") or \
            set(state) - {"edited_rows", "added_rows", "deleted_rows"}:
        raise ValueError("rows cannot be added or removed here, only the cells edited")
    edited = state.get("edited_rows", {})
    if len(edited) > len(df):
        raise ValueError(f"the table has no row {len(df) + 1}")
    for row, cells in edited.items():
        i = row if isinstance(row, int) and not isinstance(row, bool) else \
            int(row) if isinstance(row, str) and row.isdigit() and len(row) < 6 else None
        if i is None or not 0 <= i < len(df):
            raise ValueError(f"the table has no row {shown(row)}")
        if not isinstance(cells, Mapping):
            raise ValueError("an edit must name a cell and its new value")
        for column, value in cells.items():
            if not isinstance(column, str) or column not in df.columns:
                raise ValueError(f"the table has no column {shown(column)}")
            if isinstance(value, bool) or not isinstance(value, (str, int, float, type(None))):
                raise ValueError("a cell takes one number")
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS or \
                    isinstance(value, int) and value.bit_length() > 133:   # 40 digits
                raise ValueError(f"a cell takes at most {MAX_CELL_CHARS} characters")


def parse_table(name, df, shape):
    """The numbers of an edited table as a float64 array of ``shape``, or ValueError naming
    the first empty, non-numeric, NaN or infinite cell as the notation would (w^2_{12})."""
    raw = df.to_numpy(dtype=object)
    if raw.shape != tuple(shape) and raw.reshape(-1).shape != tuple(shape):
        want = " × ".join(map(str, shape)) if len(shape) == 2 else f"{shape[0]} × 1"
        raise ValueError(f"{name} must be {want} (rows j × columns k), but the table is "
                         f"{raw.shape[0]} × {raw.shape[1]}")
    values = np.empty(raw.shape)
    for (i, k), cell in np.ndenumerate(raw):
        v, what = _number(cell)
        if what:
            where = f"row j={i + 1}, column k={k + 1}" if len(shape) == 2 else f"row j={i + 1}"
            raise ValueError(f"{name}: the cell at {where} {what}; type a finite number")
        values[i, k] = v
    out = values.reshape(shape)
    validate.check_finite(name, out)
    return out


def _number(cell):
    """(the number in a cell, None) or (NaN, what is wrong with it)."""
    if cell is None or cell is pd.NA or (isinstance(cell, float) and np.isnan(cell)):
        return np.nan, "is empty"
    if isinstance(cell, str):
        text = cell.strip().replace("−", "-")     # the minus sign the page itself writes
        if not text:
            return np.nan, "is empty"
        if text.lower().lstrip("+-") in ("inf", "infinity"):
            return np.nan, "is infinite"
        if len(text) > MAX_CELL_CHARS or not _NUMBER.fullmatch(text):
            return np.nan, f"holds {shown(cell)}, which is not a number"
        cell = float(text)
    if isinstance(cell, (bool, np.bool_)) or not isinstance(cell, (int, float, np.number)):
        return np.nan, f"holds {shown(str(cell))}, which is not a number"
    try:
        v = float(cell)
    except OverflowError:
        v = np.inf
    return (np.nan, "is infinite") if np.isinf(v) else (v, None)


EPS = 1e-6      # the nudge of backprop.numerical_gradient
NOISE = 1e-10   # its rounding noise, relative to C: float64's 2.2e-16 / (2 · EPS)


def relu_kinks(net, trace, eps=EPS):
    """{(l, "w" or "b"): [(m, j), ...]}: the relu neurons z^m_j so close to their kink (z = 0)
    that a nudge of ±eps to some entry of w^l or b^l pushes z^m_j across it. There relu has
    no derivative: backpropagation uses 0, a central difference half the one-sided slope."""
    kinks = {}
    for m in net.w:
        if net.activations[m] != "relu":
            continue
        for j in range(net.sizes[m - 1]):
            z, d = abs(trace.z[m][j]), np.eye(net.sizes[m - 1])[j]   # d = ∂z^m_j/∂z^m
            for l in range(m, 1, -1):
                reach = eps * np.max(np.abs(d))          # how far a nudge moves z^m_j
                for kind, scale in (("w", max(np.max(np.abs(trace.a[l - 1])), 0.0)), ("b", 1.0)):
                    if reach * scale >= z and reach > 0:
                        kinks.setdefault((l, kind), []).append((m, j + 1))
                if l > 2:
                    d = (net.w[l].T @ d) * trace.sp[l - 1]
    return kinks


def gradcheck_table(trace, numeric, net=None):
    """One row per gradient: the largest |value| from backpropagation, the largest
    |difference| from the finite differences, that difference relative to the size, and a
    note where the two cannot agree: a relu at its kink (given ``net``), or a gradient so
    small that the finite differences' rounding noise (about 1e-10 · C) swamps it."""
    kinks = relu_kinks(net, trace) if net is not None else {}
    noise = NOISE * max(abs(trace.cost), 1e-300)
    rows = []
    for l in trace.nabla_w:
        for kind, bp, fd in (("w", trace.nabla_w[l], numeric.nabla_w[l]),
                             ("b", trace.nabla_b[l], numeric.nabla_b[l])):
            diff = float(np.max(np.abs(bp - fd)))
            size = max(float(np.max(np.abs(bp))), float(np.max(np.abs(fd))), 1e-300)
            note = ""
            if (l, kind) in kinks:
                note = "relu kink: " + ", ".join(pretty(f"z^{m}_{j}") for m, j in
                                                kinks[(l, kind)][:3]) + " at 0"
            elif size < 1e3 * noise:
                note = "tiny: below the finite differences' noise"
            rows.append({"gradient": pretty(f"∂C/∂{kind}^{l}"),
                         "largest |backprop|": float(np.max(np.abs(bp))),
                         "largest |difference|": diff, "relative difference": diff / size,
                         "note": note})
    return pd.DataFrame(rows).set_index("gradient")


def speed_rows(nets, repeat=3):
    """One row per (name, (net, x, y)) of ``nets``: its weights and biases P, the passes each
    way takes (backpropagation: 1 forward + 1 backward; central differences: 2 forward per
    parameter), and the milliseconds each took here (``backprop.time_gradients``)."""
    from backprop import passes, time_gradients

    rows = []
    for name, (net, x, y) in nets:
        p, bp, fd = passes(net)
        t_bp, t_fd = time_gradients(net, x, y, repeat)
        rows.append({"network": name, "P": p, "backprop passes": bp,
                     "differences passes": fd, "backprop ms": 1000 * t_bp,
                     "differences ms": 1000 * t_fd, "times faster": t_fd / t_bp})
    return rows

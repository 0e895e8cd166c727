"""pandas tables of weights, biases and vectors, labelled in the notation, and back."""

import numpy as np
import pandas as pd

from backprop import validate
from backprop.notation import pretty


def matrix_table(w):
    """w^l as a table: row j = neuron j of layer l, column k = neuron k of layer l−1."""
    n, m = w.shape
    return pd.DataFrame(np.asarray(w, dtype=np.float64), index=[f"j={j}" for j in range(1, n + 1)],
                        columns=[f"k={k}" for k in range(1, m + 1)])


def vector_table(v, column):
    """A vector as a one-column table with rows j = 1..n."""
    return pd.DataFrame({column: np.asarray(v, dtype=np.float64)}, index=[f"j={j}" for j in range(1, len(v) + 1)])


def parse_table(name, df, shape):
    """The numbers of an edited table as a float64 array of ``shape``, or ValueError naming
    the first empty, non-numeric, NaN or infinite cell as the notation would (w^2_{12})."""
    values = df.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    raw = df.to_numpy(dtype=object)
    if values.shape != tuple(shape) and values.reshape(-1).shape != tuple(shape):
        want = " × ".join(map(str, shape)) if len(shape) == 2 else f"{shape[0]} × 1"
        raise ValueError(f"{name} must be {want} (rows j × columns k), but the table is "
                         f"{values.shape[0]} × {values.shape[1]}")
    for (i, k), v in np.ndenumerate(values):
        if not np.isfinite(v):
            cell = raw[i, k]
            what = ("is empty" if cell is None or (isinstance(cell, float) and np.isnan(cell))
                    or str(cell).strip() == "" else
                    "is infinite" if isinstance(cell, (int, float)) and np.isinf(cell)
                    else f"holds {str(cell)!r:.30}, which is not a number")
            where = f"row j={i + 1}, column k={k + 1}" if len(shape) == 2 else f"row j={i + 1}"
            raise ValueError(f"{name}: the cell at {where} {what}; type a finite number")
    out = values.reshape(shape)
    validate.check_finite(name, out)
    return out


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

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


def gradcheck_table(trace, numeric):
    """One row per gradient: the largest |value| from backpropagation, the largest
    |difference| from the finite differences, and that difference relative to the size."""
    rows = []
    for l in trace.nabla_w:
        for name, bp, fd in ((pretty(f"∂C/∂w^{l}"), trace.nabla_w[l], numeric.nabla_w[l]),
                             (pretty(f"∂C/∂b^{l}"), trace.nabla_b[l], numeric.nabla_b[l])):
            diff = float(np.max(np.abs(bp - fd)))
            size = max(float(np.max(np.abs(bp))), float(np.max(np.abs(fd))), 1e-300)
            rows.append({"gradient": name, "largest |backprop|": float(np.max(np.abs(bp))),
                         "largest |difference|": diff, "relative difference": diff / size})
    return pd.DataFrame(rows).set_index("gradient")

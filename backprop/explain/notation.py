"""The symbols of NOTATION.md as LaTeX, and numbers written for equations.

Quantity names used across the package and the app: "x", "y", "w", "b", "z", "a",
"delta", "nabla_w", "nabla_b", "cost". Indices j, k are 1-based, as in the notation.
"""

import re
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_EVEN, Context, Decimal

import numpy as np

QUANTITIES = ("w", "b", "z", "a", "delta", "nabla_b", "nabla_w", "cost")


def _idx(*ij):
    ij = [str(i) for i in ij if i is not None]
    return ("," if any(len(i) > 1 for i in ij) else "").join(ij)


def sym(q, l=None, j=None, k=None):
    """LaTeX for a quantity, a vector or matrix of it (j = None), or one cell of it."""
    sub = _idx(j, k)
    sub = f"_{{{sub}}}" if sub else ""
    sup = "" if l is None else f"^{{{l}}}"
    if q in ("w", "b", "z", "a"):
        return f"{q}{sup}{sub}"
    if q == "delta":
        return rf"\delta{sup}{sub}"
    if q == "x":
        return f"x{sub}"
    if q == "y":
        return f"y{sub}"
    if q in ("nabla_w", "nabla_b"):
        return rf"\frac{{\partial C}}{{\partial {q[-1]}{sup}{sub}}}"
    if q == "cost":
        return "C_x"
    raise ValueError(f"unknown quantity {q!r}: choose one of {', '.join(QUANTITIES)}")


def plain(q, l=None, j=None, k=None):
    """The same symbol as plain Unicode text, for hover labels: δ^3_2, ∂C/∂w^3_12."""
    sub = _idx(j, k)
    sub = f"_{sub}" if sub else ""
    sup = "" if l is None else f"^{l}"
    base = {"delta": "δ", "nabla_w": "∂C/∂w", "nabla_b": "∂C/∂b", "cost": "C_x"}.get(q, q)
    return base if q == "cost" else f"{base}{sup}{sub}"


def rounded(v, digits=4, context=None):
    """``v`` (a float or Decimal) rounded to ``digits`` significant digits, as a Decimal.
    ``context``: a ``wide(digits)`` to reuse (a loop over many numbers saves making one)."""
    v = v if isinstance(v, Decimal) else Decimal(repr(float(v)))
    return (context or wide(digits)).plus(v)


def wide(digits):
    """A fresh context rounding to ``digits`` digits, for exponents of any size (fresh: a
    Context records flags, so none is kept at module level)."""
    return Context(prec=digits, rounding=ROUND_HALF_EVEN, Emax=MAX_EMAX, Emin=MIN_EMIN)


def num(v, digits=4):
    """A number for an equation: ``digits`` significant digits (trailing zeros dropped),
    ×10^n for very small or large ones, as Python's "g" format decides. Takes floats and
    Decimals; a Decimal keeps what a float cannot hold (σ(−1000) is not 0)."""
    return text_of(rounded(v, digits), digits)


def text_of(r, digits, context=None):
    """``num`` of a Decimal already rounded to ``digits`` significant digits."""
    if r == 0:
        return "0"
    context = context or wide(digits)
    exp, r = r.adjusted(), r.normalize(context)
    if -4 <= exp < digits:
        return f"{r:f}"
    return rf"{r.scaleb(-exp, context):f}\times10^{{{exp}}}"


def unit(v, digits=4):
    """One unit in the last of ``digits`` significant digits of ``v`` (0 for 0)."""
    r = rounded(v, digits)
    return Decimal(0) if r == 0 else Decimal(1).scaleb(r.adjusted() - digits + 1, wide(digits))


def paren(v, digits=4):
    """``num`` in parentheses when negative, for use inside a product or sum."""
    s = num(v, digits)
    return f"({s})" if s.startswith("-") else s


def bmatrix(arr, max_rows=6, max_cols=6, digits=4):
    """A vector (as a column) or matrix as a LaTeX bmatrix, elided with dots if large."""
    arr = np.asarray(arr, dtype=np.float64)
    m = arr.reshape(-1, 1) if arr.ndim == 1 else arr

    def cut(n, most):
        return list(range(n)) if n <= most else list(range(most - 2)) + [None, n - 1]

    rows = []
    for i in cut(m.shape[0], max_rows):
        if i is None:
            rows.append(" & ".join(r"\vdots" for _ in cut(m.shape[1], max_cols)))
            continue
        rows.append(" & ".join(r"\cdots" if k is None else num(m[i, k], digits)
                               for k in cut(m.shape[1], max_cols)))
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


_SUP = str.maketrans("0123456789−-+lLT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻⁺ˡᴸᵀ")
_SUB = str.maketrans("0123456789−-+jklx", "₀₁₂₃₄₅₆₇₈₉₋₋₊ⱼₖₗₓ")
# ^{...} or ^n, _{...} or _n; a lone letter only where no word goes on (log_likelihood stays)
_SUP_RE = re.compile(r"\^(?:\{([0-9lLT+−-]+)\}|([0-9]+|[lLT])(?![A-Za-z]))")
_SUB_RE = re.compile(r"_(?:\{([0-9jklx+−-]+)\}|([0-9jk]+|[lx])(?![A-Za-z]))")


def pretty(text):
    """Plain text with the notation's indices as Unicode super- and subscripts:
    δ^3_j → δ³ⱼ, n_l × n_{l−1} → nₗ × nₗ₋₁, a^L → aᴸ, C_x → Cₓ."""
    text = _SUP_RE.sub(lambda m: (m.group(1) or m.group(2)).translate(_SUP), text)
    return _SUB_RE.sub(lambda m: (m.group(1) or m.group(2)).translate(_SUB), text)

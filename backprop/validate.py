"""Checks that turn user input into float64 arrays, or raise ValueError saying what to fix."""

import math
import numbers
import operator

import numpy as np

from .activations import ACTIVATIONS
from .costs import COSTS

MAX_DEPTH = 32     # lists inside lists: a matrix needs 2, NumPy stops at 64
MAX_SHOWN = 40     # characters of a user's text quoted in a message


def shown(value):
    """A value from a user, for a message: text in quotes, blanks collapsed and cut to
    MAX_SHOWN characters; a list or an object named, never printed whole."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        text = " ".join(value.split())
        return f"'{text[:MAX_SHOWN]}…'" if len(text) > MAX_SHOWN else f"'{text}'"
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, numbers.Integral) and abs(int(value)).bit_length() > 128:
        return "a whole number with too many digits"
    if isinstance(value, numbers.Real):
        return shown(repr(value))[1:-1]
    if isinstance(value, (list, tuple)) and len(value) <= 8 and all(
            isinstance(v, (numbers.Real, str, type(None))) for v in value):
        text = "[" + ", ".join(shown(v) for v in value) + "]"   # one level: no recursion
        return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…]"
    if isinstance(value, (list, tuple, np.ndarray)):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object {...}"
    return f"a {type(value).__name__}"


def _shape_text(shape):
    return " × ".join(str(n) for n in shape) if shape else "a single number"


def as_array(name, value, ndim, copy=True, finite=True):
    """``value`` as a float64 array of ``ndim`` dimensions, or a ValueError naming ``name``.
    ``copy=False`` reuses a float64 array as it is; ``finite=False`` leaves the NaN and
    infinity check to the caller (who may have a cheaper place to make it)."""
    kind = {1: "a vector (one row of numbers)", 2: "a matrix (a table of rows)"}[ndim]
    depth, text = _depth_and_text(value)
    if depth > MAX_DEPTH:
        raise ValueError(f"{name} nests too deeply (lists inside lists more than "
                         f"{MAX_DEPTH} levels deep); it must be {kind}")
    if text is not None:   # NumPy would read "1.5" as 1.5: a number typed as text is a slip
        raise ValueError(f"{name} must hold only numbers, not text such as {shown(text)}")
    try:
        arr = np.array(value, dtype=np.float64, copy=copy or None)
    except OverflowError:
        raise ValueError(f"{name} holds a number too large for a float64 (above about "
                         "1.8e308)") from None
    except (TypeError, ValueError):
        if ndim == 2 and isinstance(value, (list, tuple)) and value and all(
                isinstance(r, (list, tuple)) for r in value):
            lengths = [len(r) for r in value]
            j = next(i for i, n in enumerate(lengths) if n != lengths[0]) + 1 \
                if len(set(lengths)) > 1 else None
            if j:
                raise ValueError(f"{name} must hold only numbers, in rows of equal length: "
                                 f"row j={j} has {lengths[j - 1]} entries but row j=1 has "
                                 f"{lengths[0]}") from None
        raise ValueError(f"{name} must hold only numbers, in rows of equal length; got "
                         f"{shown(value)}") from None
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {kind}, but has {arr.ndim} dimensions "
                         f"(shape {_shape_text(arr.shape)})")
    if finite:
        check_finite(name, arr)
    return arr


def _depth_and_text(value):
    """(how deep lists nest in ``value``, the first string or bytes in it or None), found
    without recursion, so that no nesting can exhaust the stack; the walk stops once it is
    deeper than MAX_DEPTH."""
    if isinstance(value, np.ndarray) and value.dtype.kind not in "USO":
        return value.ndim, None
    deepest, stack = 0, [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, (str, bytes)):
            return deepest, v
        if isinstance(v, (list, tuple, np.ndarray)):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_DEPTH:
                return deepest, None
            stack.extend((item, depth + 1) for item in reversed(v))
    return deepest, None


def check_finite(name, arr):
    """Raise ValueError naming the first NaN or infinite entry of ``arr``."""
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) + 1 for i in np.argwhere(bad)[0])   # 1-based, as in the notation
        what = "NaN" if np.isnan(arr[tuple(i - 1 for i in idx)]) else "an infinite number"
        where = {1: "entry {}", 2: "row j={}, column k={}"}.get(len(idx), "entry {}")
        raise ValueError(f"{name} has {what} at {where.format(*idx)}; every entry must be "
                         "a finite number")


def check_shape(name, arr, shape, dims_text):
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} must be {_shape_text(shape)} ({dims_text}) "
                         f"but is {_shape_text(arr.shape)}")


def vector(name, value, n, size_name):
    """A finite float64 vector of length n (``size_name`` is e.g. "n_1")."""
    arr = as_array(name, value, 1)
    if arr.shape[0] != n:
        raise ValueError(f"{name} must have {size_name} = {n} entries but has {arr.shape[0]}")
    return arr


def batch(name, value, n, size_name, finite=True):
    """A float64 matrix with one example a row, (n_examples, n), not copied: a batch is
    read, never kept. Finite unless ``finite=False`` (then the caller checks)."""
    arr = as_array(name, value, 2, copy=False, finite=finite)
    if arr.shape[1] != n or arr.shape[0] == 0:
        raise ValueError(f"{name} must be n_examples × {size_name} = n_examples × {n}, one "
                         f"example a row, but is {_shape_text(arr.shape)}")
    return arr


def activation_names(activations, L):
    """One activation name per layer l = 2..L, checked; softmax on layer L only."""
    names = [activations] * (L - 1) if isinstance(activations, str) else list(activations)
    if len(names) != L - 1:
        raise ValueError(f"give one activation for each layer l = 2..{L} ({L - 1} names), "
                         f"not {len(names)}")
    for l, name in enumerate(names, start=2):
        if not isinstance(name, str) or name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {shown(name)} for layer {l}: choose one of "
                             f"{', '.join(ACTIVATIONS)}")
        if ACTIVATIONS[name].output_only and l != L:
            raise ValueError(f"{name} is allowed on the output layer only (layer L = {L}), "
                             f"not on hidden layer {l}")
    return tuple(names)


def cost_name(cost, output_activation, L):
    """The cost, if it suits the output layer's activation: the log costs take ln a, and
    the log-likelihood is defined (as in Nielsen's chapter 3) for a softmax output."""
    if not isinstance(cost, str) or cost not in COSTS:
        raise ValueError(f"unknown cost {shown(cost)}: choose one of {', '.join(COSTS)}")
    if cost == "log_likelihood" and output_activation != "softmax":
        raise ValueError(f"the log_likelihood cost belongs with a softmax output layer, not "
                         f"{output_activation}: use softmax on the output layer (layer {L}), "
                         f"or the cross_entropy cost for sigmoid outputs")
    if COSTS[cost].needs_unit_interval and output_activation not in ("sigmoid", "softmax"):
        raise ValueError(f"the {cost} cost takes the logarithm of the outputs, so they must "
                         f"lie between 0 and 1: use sigmoid or softmax on the output layer "
                         f"(layer {L}), not {output_activation}")
    return cost


def whole(name, value, lo=None, hi=None):
    """``value`` as an int, if it is a whole number (NumPy's included, not bool or 2.0)
    within [lo, hi]; else a ValueError that says so."""
    try:
        if isinstance(value, (bool, np.bool_)):
            raise TypeError
        v = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be a whole number; got {shown(value)}") from None
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        if hi is None:
            least = "0 or more" if lo == 0 else f"at least {lo}"
            raise ValueError(f"{name} must be {least}; got {shown(v)}")
        if lo is None:
            raise ValueError(f"{name} must be at most {hi}; got {shown(v)}")
        raise ValueError(f"{name} must lie between {lo} and {hi}; got {shown(v)}")
    return v


def positive_number(name, value):
    try:
        v = float(value)
    except OverflowError:
        v = math.inf
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {shown(value)}") from None
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite number greater than 0; got {v}")
    return v

"""Checks that turn user input into float64 arrays, or raise ValueError saying what to fix."""

import math

import numpy as np

from .activations import ACTIVATIONS
from .costs import COSTS


def _shape_text(shape):
    return " × ".join(str(n) for n in shape) if shape else "a single number"


def as_array(name, value, ndim, copy=True, finite=True):
    """``value`` as a float64 array of ``ndim`` dimensions, or a ValueError naming ``name``.
    ``copy=False`` reuses a float64 array as it is; ``finite=False`` leaves the NaN and
    infinity check to the caller (who may have a cheaper place to make it)."""
    text = _has_text(value)
    if text is not None:   # NumPy would read "1.5" as 1.5: a number typed as text is a slip
        raise ValueError(f"{name} must hold only numbers, not text such as {text!r:.30}")
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
                                 f"{lengths[0]}")
        raise ValueError(
            f"{name} must hold only numbers, in rows of equal length; got {value!r:.80}"
        ) from None
    if arr.ndim != ndim:
        kind = {1: "a vector (one row of numbers)", 2: "a matrix (a table of rows)"}[ndim]
        raise ValueError(f"{name} must be {kind}, but has {arr.ndim} dimensions "
                         f"(shape {_shape_text(arr.shape)})")
    if finite:
        check_finite(name, arr)
    return arr


def _has_text(value):
    """The first string or bytes inside a (nested) list, or None."""
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind not in "USO":
        return None
    if isinstance(value, (list, tuple, np.ndarray)):
        return next((t for t in map(_has_text, value) if t is not None), None)
    return None


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
            raise ValueError(f"unknown activation {name!r} for layer {l}: choose one of "
                             f"{', '.join(ACTIVATIONS)}")
        if ACTIVATIONS[name].output_only and l != L:
            raise ValueError(f"{name} is allowed on the output layer only (layer L = {L}), "
                             f"not on hidden layer {l}")
    return tuple(names)


def cost_name(cost, output_activation, L):
    """The cost, if it suits the output layer's activation: the log costs take ln a, and
    the log-likelihood is defined (as in Nielsen's chapter 3) for a softmax output."""
    if not isinstance(cost, str) or cost not in COSTS:
        raise ValueError(f"unknown cost {cost!r}: choose one of {', '.join(COSTS)}")
    if cost == "log_likelihood" and output_activation != "softmax":
        raise ValueError(f"the log_likelihood cost belongs with a softmax output layer, not "
                         f"{output_activation}: use softmax on the output layer (layer {L}), "
                         f"or the cross_entropy cost for sigmoid outputs")
    if COSTS[cost].needs_unit_interval and output_activation not in ("sigmoid", "softmax"):
        raise ValueError(f"the {cost} cost takes the logarithm of the outputs, so they must "
                         f"lie between 0 and 1: use sigmoid or softmax on the output layer "
                         f"(layer {L}), not {output_activation}")
    return cost


def positive_number(name, value):
    try:
        v = float(value)
    except OverflowError:
        v = math.inf
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {value!r:.40}") from None
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite number greater than 0; got {v}")
    return v

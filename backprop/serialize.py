"""A Network as a JSON-safe dict, and back, checking everything on the way in. No pickle."""

import numbers

from .validate import shown

FORMAT = "backprop-explorer/network"
VERSION = 1


def network_to_dict(net):
    """A dict of plain lists, numbers and strings that ``json.dumps`` accepts."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "sizes": list(net.sizes),
        "activations": list(net.activations.values()),
        "cost": net.cost,
        "weights": [w.tolist() for w in net.w.values()],
        "biases": [b.tolist() for b in net.b.values()],
    }


def _numbers(name, value, depth):
    """Check a (nested) list of real numbers, ``depth`` levels deep; booleans and strings
    are refused, since a number that arrived as text is a mistake worth reporting."""
    if depth == 0:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} must hold only numbers, but holds {shown(value)}")
        return
    if not isinstance(value, list):
        raise ValueError(f"{name} must be a list, but is {type(value).__name__}")
    for v in value:
        _numbers(name, v, depth - 1)


def network_from_dict(d):
    """The Network that ``d`` describes, or ValueError naming what is wrong with it."""
    from .network import Network

    if not isinstance(d, dict):
        raise ValueError(f"a network must be a JSON object (a dict), not {type(d).__name__}")
    if d.get("format", FORMAT) != FORMAT:
        raise ValueError(f"this is not a Backprop Explorer network: format is "
                         f"{shown(d.get('format'))}, expected {FORMAT!r}")
    if d.get("version", VERSION) != VERSION:
        raise ValueError(f"network format version {shown(d.get('version'))} is not supported "
                         f"(this version reads {VERSION})")
    missing = [k for k in ("weights", "biases") if k not in d]
    if missing:
        raise ValueError(f"the network is missing {' and '.join(missing)}")
    weights, biases = d["weights"], d["biases"]
    _numbers("weights", weights, 3)
    _numbers("biases", biases, 2)
    sizes = d.get("sizes")
    if sizes is not None:
        if not isinstance(sizes, list):
            raise ValueError("sizes must be a list of whole numbers, one per layer "
                             f"(e.g. [2, 3, 2]); got {shown(sizes)}")
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes):
            raise ValueError("sizes must be whole numbers of at least 1, one per layer "
                             f"(e.g. [2, 3, 2]); got {shown(sizes)}")
        if len(sizes) != len(weights) + 1:
            raise ValueError(f"sizes lists {len(sizes)} layers, but there are "
                             f"{len(weights)} weight matrices (one for each layer 2..L)")
        for l, (w, n, n_prev) in enumerate(zip(weights, sizes[1:], sizes), start=2):
            short = next((j for j, row in enumerate(w, 1) if len(row) != n_prev), None)
            if short is not None:
                raise ValueError(f"w^{l} must be {n} × {n_prev} (n_{l} × n_{l - 1}), but its "
                                 f"row j={short} has {len(w[short - 1])} entries, not {n_prev}")
            if len(w) != n:
                raise ValueError(f"w^{l} must be {n} × {n_prev} (n_{l} × n_{l - 1}) "
                                 f"but is {len(w)} × {n_prev}")
    activations = d.get("activations", "sigmoid")
    if not isinstance(activations, (str, list)):
        raise ValueError("activations must be a name or a list of names, one per layer 2..L")
    cost = d.get("cost", "quadratic")
    if not isinstance(cost, str):
        raise ValueError("cost must be a name such as 'quadratic'")
    return Network(weights, biases, activations, cost)

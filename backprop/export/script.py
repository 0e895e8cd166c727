"""A standalone NumPy script that recomputes one Trace: ``numpy_script(net, x, y)``.

The script sets the network's weights, biases, activations and cost and the example, every
number written with repr() so it reads back exactly; runs the forward pass and BP1–BP4 in
the notation (layer 1 is the input, w[l] for l = 2..L) with the same numerically stable
forms the package uses (activations.py, costs.py); and prints one line per quantity:

    <quantity> <l> <rows> <cols> <value> <value> ...     (row-major; a vector is rows × 1)

for a, z, sp (σ'(z^l), the Jacobian for softmax), cost, delta, nabla_b and nabla_w.
"""

from .. import validate
from ..costs import COSTS

# Each activation's σ and σ' as the package computes them for one example.
_ACT = {
    "sigmoid": ("return np.exp(-np.logaddexp(0.0, -z))   # 1/(1 + e^-z), never overflows",
                "return a * sigmoid(-z)                   # σ(z)(1 − σ(z)), 1 − σ(z) = σ(−z)"),
    "tanh": ("return np.tanh(z)",
             "e = np.exp(-2.0 * np.abs(z))             # 1 − tanh²z = 1/cosh²z = 4e/(1 + e)²\n"
             "    return 4.0 * e / ((1.0 + e) * (1.0 + e))"),
    "relu": ("return np.maximum(z, 0.0)", "return (z > 0).astype(np.float64)"),
    "linear": ("return z.copy()", "return np.ones_like(z)"),
    "softmax": ("e = np.exp(z - np.max(z))                # shifted: never overflows\n"
                "    return e / np.sum(e)",
                "return a[:, None] * (np.eye(len(a)) - a[None, :])   # J_jk = da_j/dz_k"),
}

# ln a and ln(1 − a) from z, finite even where a rounds to 0 or 1 (costs.py).
_LOGS = {
    "sigmoid": """\
def log_a(z):
    return -np.logaddexp(0.0, -z)             # ln σ(z)


def log_one_minus_a(z):
    return -np.logaddexp(0.0, z)              # ln(1 − σ(z)) = ln σ(−z)
""",
    "softmax": """\
def logsumexp(v):
    top = np.max(v)
    return top + np.log(np.sum(np.exp(v - top)))


def log_a(z):
    # ln softmax(z) = s − ln Σ e^s, s = z − max z; the sum is 1 + the others: log1p
    s = z - np.max(z)
    top = np.arange(len(z)) == np.argmax(s)
    return s - np.log1p(np.sum(np.where(top, 0.0, np.exp(s))))


def log_one_minus_a(z):
    # 1 − a_j = Σ_{k≠j} a_k: the log-sum-exp of the other entries, minus that of all;
    # where a_j < ½, log1p(−a_j) keeps more digits
    n = len(z)
    if n == 1:
        return np.full_like(z, -np.inf)
    la = log_a(z)
    others = np.array([logsumexp(np.delete(z, j)) for j in range(n)]) - logsumexp(z)
    small = np.exp(np.minimum(la, np.log(0.5)))
    return np.where(la < np.log(0.5), np.log1p(-small), others)
""",
}

# 1 − |a| from z, and a − y from it where |a| > ½, so that a − y keeps its digits where a
# is close to ±1 (costs.py).
_ONE_MINUS = {
    "sigmoid": "return sigmoid(-z)                       # 1 − σ(z) = σ(−z)",
    "tanh": "e = np.exp(-2.0 * np.abs(z))\n    return 2.0 * e / (1.0 + e)   # 1 − |tanh z|",
    "softmax": "return np.exp(log_one_minus_a(z)) if len(z) > 1 else 1.0 - softmax(z)",
}

_A_MINUS_Y = """
def a_minus_y(z, a, y):
    s = np.sign(a)                            # ±(1 − c) − y where |a| > ½, c = 1 − |a|
    return np.where(np.abs(a) > 0.5, (s - y) - s * one_minus_a(z), a - y)

"""

_TIMES_LOG = """\
def times_log(c, log_v):
    return np.where(c == 0, 0.0, c * log_v)   # c ln v, taken as 0 where c = 0
"""

_COST = {
    "quadratic": ("d = a_minus_y(z[L], a[L], y)\nC = np.sum(0.5 * d * d)", "C_x = ½‖y − a^L‖²"),
    "cross_entropy": ("C = np.sum(-(times_log(y, log_a(z[L]))\n"
                      "             + times_log(1.0 - y, log_one_minus_a(z[L]))))",
                      "C_x = −Σ_j [y_j ln a^L_j + (1 − y_j) ln(1 − a^L_j)]"),
    "log_likelihood": ("C = np.sum(-times_log(y, log_a(z[L])))", "C_x = −Σ_j y_j ln a^L_j"),
}

# BP1 where σ' cancels against ∇_a C, keyed by (cost, output activation); as costs.py.
_BP1 = {
    ("cross_entropy", "sigmoid"): ("delta[L] = a_minus_y(z[L], a[L], y)",
                                   "(BP1) δ^L = a^L − y: σ' cancels"),
    ("log_likelihood", "softmax"): ("delta[L] = a_minus_y(z[L], a[L], y)"
                                    " + a[L] * (np.sum(y) - 1.0)",
                                    "(BP1) δ^L = Jᵀ(−y/a^L) = a^L Σ_k y_k − y"),
    ("cross_entropy", "softmax"): ("""\
# δ_k = −y_k + a_k Σ_j y_j + (1 − y_k) a_k − Σ_{j≠k} (1 − y_j) a_k a_j / (1 − a_j):
# Jᵀ ∇_a C regrouped, so that no a/(1 − a) of a saturated output is formed alone
la, l1a = log_a(z[L]), log_one_minus_a(z[L])
off = ~np.eye(len(y), dtype=bool)
ratio = np.exp(np.where(off, la[:, None] + la[None, :] - l1a[None, :], -np.inf))
cross = np.sum(ratio * (1.0 - y)[None, :], axis=1)
delta[L] = -y + a[L] * np.sum(y) + (1.0 - y) * a[L] - cross""",
                                  "(BP1) δ^L = Jᵀ ∇_a C, for softmax"),
}


def _c(code, comment):
    """A line of code with its comment in a column; a block gets its comment above."""
    return f"# {comment}\n{code}" if "\n" in code else f"{code:<44}# {comment}"


def _vec(v):
    return "np.array([" + ", ".join(repr(float(t)) for t in v) + "])"


def _mat(m):
    rows = ",\n    ".join("[" + ", ".join(repr(float(t)) for t in row) + "]" for row in m)
    return f"np.array([\n    {rows},\n])"


def _bp1(net):
    reduced = _BP1.get((net.cost, net.activations[net.L]))
    if reduced is not None:
        return _c(*reduced)
    if net.activations[net.L] == "softmax":   # the quadratic cost: ∇_a C = a^L − y
        return _c("delta[L] = sp[L].T @ a_minus_y(z[L], a[L], y)",
                  "(BP1) δ^L = Jᵀ ∇_a C, ∇_a C = a^L − y")
    return _c("delta[L] = a_minus_y(z[L], a[L], y) * sp[L]",
              "(BP1) δ^L = ∇_a C ∘ σ'(z^L), ∇_a C = a^L − y")


_HEAD = '''"""Backpropagation for one example, exported from Backprop Explorer.

Network: sizes {sizes}, {acts}, cost {cost}.
Notation: layer 1 is the input (a[1] = x); w[l], b[l] exist for l = 2..L, and w[l][j-1, k-1]
is the weight to neuron j of layer l from neuron k of layer l-1 (w[l] is n_l × n_(l-1)).
Needs only NumPy. Prints one line per quantity, row-major (a vector is a column, rows × 1):
    <quantity> <l> <rows> <cols> <values...>
"""

import numpy as np
'''

_SHOW = """
def show(quantity, l, v):
    v = np.atleast_2d(np.asarray(v, dtype=np.float64).T).T   # a vector as a column
    print(quantity, l, v.shape[0], v.shape[1], *(repr(float(t)) for t in v.ravel()))

"""

_TAIL = """
nabla_b, nabla_w = {}, {}
for l in range(L, 1, -1):
    nabla_b[l] = delta[l]                   # (BP3) ∂C/∂b^l = δ^l
    nabla_w[l] = np.outer(delta[l], a[l - 1])   # (BP4) ∂C/∂w^l = δ^l (a^(l-1))ᵀ

show("a", 1, a[1])
for l in range(2, L + 1):
    for name, q in (("z", z), ("a", a), ("sp", sp)):
        show(name, l, q[l])
show("cost", L, C)
for l in range(2, L + 1):
    for name, q in (("delta", delta), ("nabla_b", nabla_b), ("nabla_w", nabla_w)):
        show(name, l, q[l])
"""


def numpy_script(net, x, y):
    """The text of a Python file that needs only NumPy and prints every quantity of
    ``net.backprop(x, y)``, in the format of the module docstring."""
    x = validate.vector("x", x, net.sizes[0], "n_1")
    y = validate.vector("y", y, net.sizes[-1], f"n_{net.L}")
    L, acts = net.L, net.activations
    out = [_HEAD.format(sizes=list(net.sizes), cost=net.cost, acts=", ".join(
        f"layer {l} {acts[l]}" for l in acts)), f"L = {L}", "w, b = {}, {}   # layers 2..L"]
    for l in range(2, L + 1):
        out += [f"w[{l}] = {_mat(net.w[l])}", f"b[{l}] = {_vec(net.b[l])}"]
    out += [f"x = {_vec(x)}", f"y = {_vec(y)}", ""]
    out_act = acts[L]
    for name in sorted(set(acts.values()), key=list(_ACT).index):
        fn, prime = _ACT[name]
        out += [f"\ndef {name}(z):\n    {fn}\n", f"\ndef {name}_prime(z, a):\n    {prime}\n"]
    if out_act in ("sigmoid", "softmax"):
        out += ["\n" + _LOGS[out_act]]
    if COSTS[net.cost].needs_unit_interval:   # sigmoid or softmax outputs only
        out += ["\n" + _TIMES_LOG]
    if out_act in _ONE_MINUS:
        out += [f"\ndef one_minus_a(z):\n    {_ONE_MINUS[out_act]}\n", _A_MINUS_Y]
    else:
        out += ["\ndef a_minus_y(z, a, y):\n    return a - y\n\n"]
    out += [_SHOW, _c("a, z, sp = {1: x}, {}, {}", "a^1 = x: layer 1 is the input")]
    for l in range(2, L + 1):
        out += [_c(f"z[{l}] = w[{l}] @ a[{l - 1}] + b[{l}]", f"z^{l} = w^{l} a^{l - 1} + b^{l}"),
                _c(f"a[{l}] = {acts[l]}(z[{l}])", f"a^{l} = σ(z^{l})"),
                _c(f"sp[{l}] = {acts[l]}_prime(z[{l}], a[{l}])", f"σ'(z^{l})")]
    out += ["", _c(*_COST[net.cost]), "", "delta = {}", _bp1(net)]
    for l in range(L - 1, 1, -1):
        out.append(_c(f"delta[{l}] = (w[{l + 1}].T @ delta[{l + 1}]) * sp[{l}]",
                      f"(BP2) δ^{l} = ((w^{l + 1})ᵀ δ^{l + 1}) ∘ σ'(z^{l})"))
    return "\n".join(out) + "\n" + _TAIL

"""The rule of one cell as a line of plain Unicode text, e.g. "δ²₁ = (Σₖ w³ₖ₁ δ³ₖ) σ′(z²₁)",
for sentences that a page shows as plain text (no LaTeX, no Markdown).
"""

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789jk", "₀₁₂₃₄₅₆₇₈₉ⱼₖ")


def u(base, l=None, *idx):
    """``base`` with layer l as a superscript and the indices as subscripts: u("w", 3, 1, 2)
    is w³₁₂; indices of two digits or more are written w³_(12,3)."""
    idx = [str(i) for i in idx if i is not None]
    sup = "" if l is None else str(l).translate(_SUP)
    if all(len(i) == 1 for i in idx):
        sub = "".join(idx).translate(_SUB)
    else:
        sub = "_(" + ",".join(idx) + ")"
    return f"{base}{sup}{sub}"


def rule(net, quantity, l, j=None, k=None):
    """The right step for this cell, written out in the notation."""
    if quantity == "z":
        return f"{u('z', l, j)} = Σₖ {u('w', l, j, 'k')} {u('a', l - 1, 'k')} + {u('b', l, j)}"
    if quantity == "a":
        if l == 1:
            return f"{u('a', 1, j)} = {u('x', None, j)}"
        return f"{u('a', l, j)} = σ({u('z', l, j)}), with σ = {net.activations[l]}"
    if quantity == "cost":
        return {"quadratic": f"C = ½ Σⱼ (yⱼ − {u('a', l, 'j')})²",
                "cross_entropy": f"C = −Σⱼ [yⱼ ln {u('a', l, 'j')} + (1 − yⱼ) "
                                 f"ln(1 − {u('a', l, 'j')})]",
                "log_likelihood": f"C = −Σⱼ yⱼ ln {u('a', l, 'j')}"}[net.cost]
    if quantity == "delta" and l == net.L:
        return _bp1(net, l, j)
    if quantity == "delta":
        return (f"{u('δ', l, j)} = (Σₖ {u('w', l + 1, 'k', j)} {u('δ', l + 1, 'k')}) "
                f"σ′({u('z', l, j)})")
    if quantity == "nabla_b":
        return f"∂C/∂{u('b', l, j)} = {u('δ', l, j)}"
    if quantity == "nabla_w":
        return f"∂C/∂{u('w', l, j, k)} = {u('a', l - 1, k)} {u('δ', l, j)}"
    return f"{u(quantity, l, j, k)} is a parameter of the network"


def _bp1(net, L, j):
    d, a, y, z = u("δ", L, j), u("a", L, j), u("y", None, j), u("z", L, j)
    ak, yk = u("a", L, "k"), u("y", None, "k")
    jac = f"{u('J', None, 'k', j)} = {ak}([k = {j}] − {a})"
    act, cost = net.activations[L], net.cost
    if (cost, act) == ("cross_entropy", "sigmoid"):
        return f"{d} = {a} − {y}, since σ′({z}) cancels against ∂C/∂{a}"
    if (cost, act) == ("log_likelihood", "softmax"):
        return (f"{d} = {a} Σₖ {yk} − {y}, that is {a} − {y} when y sums to 1, since J "
                "cancels against ∂C/∂a")
    if (cost, act) == ("log_likelihood", "sigmoid"):
        return f"{d} = −({y}/{a}) σ′({z}) = −{y}(1 − {a})"
    grad = {"quadratic": lambda a, y: f"({a} − {y})",
            "cross_entropy": lambda a, y: f"({a} − {y})/({a}(1 − {a}))"}[cost]
    if act == "softmax":
        return f"{d} = Σₖ {grad(ak, yk)} {u('J', None, 'k', j)}, with {jac}"
    return f"{d} = {grad(a, y)} σ′({z})"

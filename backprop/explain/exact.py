"""Numbers known exactly, for the plugged-in lines: Decimal arithmetic with the digits a
line needs, and the activations of sigmoid, tanh and softmax taken from z, so that 1 − a is
σ(−z) rather than 1 − 0.9999 and a sigmoid output is never 0 or 1.

Floats enter as their shortest decimal form (``D``): a typed 0.1 stays 0.1.
"""

from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, Decimal, getcontext, localcontext

PREC = 60              # digits of the exact arithmetic; operands print with at most 17
NEAR_ONE = Decimal("1e-4")   # |a| above 1 − this prints as 1 − (1 − |a|)


def exact(prec=PREC, quiet=False):
    """A context for the exact arithmetic: ``prec`` digits (or more, inside a context that
    already has more), exponents of any size. ``quiet`` (kept by the contexts inside it):
    ln 0 and the like give NaN instead of raising."""
    ctx = getcontext().copy()
    ctx.prec, ctx.Emax, ctx.Emin = max(prec, ctx.prec), MAX_EMAX, MIN_EMIN
    if quiet:
        ctx.traps = dict.fromkeys(ctx.traps, False)
    return localcontext(ctx)


def D(x):
    """x as a Decimal: a float as its shortest decimal form, so a typed 0.1 stays 0.1."""
    return x if isinstance(x, Decimal) else Decimal(repr(float(x)))


@dataclass(frozen=True)
class Q:
    """An activation known exactly: v, and c = 1 − |v| (accurate where it is small)."""
    v: Decimal
    c: Decimal = None

    def near_one(self):
        return self.c is not None and self.c < NEAR_ONE


def outputs(name, z):
    """Each a_j of the activation ``name`` at the vector z, exactly, as a Q."""
    z = [D(t) for t in z]
    with exact():
        if name == "sigmoid":   # a = 1/(1 + e^{−z}), 1 − a = 1/(1 + e^{z})
            return [Q(1 / (1 + (-t).exp()), 1 / (1 + t.exp())) for t in z]
        if name == "tanh":      # |a| = (1 − e)/(1 + e), 1 − |a| = 2e/(1 + e), e = e^{−2|z|}
            out = []
            for t in z:
                e = (-2 * abs(t)).exp()
                out.append(Q((1 - e) / (1 + e) * (1 if t >= 0 else -1), 2 * e / (1 + e)))
            return out
        if name == "softmax":
            top = max(z)
            e = [(t - top).exp() for t in z]
            s = sum(e)
            return [Q(ej / s, sum(ek for k, ek in enumerate(e) if k != j) / s)
                    for j, ej in enumerate(e)]
    return [Q(t) for t in z] if name == "linear" else [Q(max(t, Decimal(0))) for t in z]

"""Which cell is explained: the default for a step, and checks of a picked cell. Pure."""


def default_pick(step):
    """The first cell of what ``step`` computes."""
    if step.quantity == "cost":
        return ("cost", step.l, None, None)
    return (step.quantity, step.l, 1, 1 if step.quantity == "nabla_w" else None)


def pick_layers(net, q):
    """The layers that have quantity q."""
    if q == "a":
        return list(range(1, net.L + 1))
    if q == "cost":
        return [net.L]
    return list(range(2, net.L + 1))


def clamp_pick(net, q, l, j, k):
    """A valid (q, l, j, k) close to the one asked for (after the network changed)."""
    layers = pick_layers(net, q)
    l = l if l in layers else layers[-1]
    if q == "cost":
        return (q, l, None, None)
    j = min(max(int(j or 1), 1), net.sizes[l - 1])
    k = min(max(int(k or 1), 1), net.sizes[l - 2]) if q in ("w", "nabla_w") else None
    return (q, l, j, k)


def computed_at(all_steps, q, l):
    """The first step that computes (q, l), or None for w and b (always known)."""
    return next((s for s in all_steps if (s.quantity, s.l) == (q, l)), None)


LABELS = {"z": "z · weighted input", "a": "a · activation", "cost": "Cₓ · cost",
          "delta": "δ · error", "nabla_b": "∂C/∂b · bias gradient",
          "nabla_w": "∂C/∂w · weight gradient", "w": "w · weight", "b": "b · bias"}

"""The network as a graph, as TensorFlow Playground draws it: neurons as circles in one
column per layer, weights as lines from neuron k of layer l−1 to neuron j of layer l. The
same numbers as the heatmaps, in another view; ``explorer/figures/chart.js`` draws it and
follows the step in the browser.

What the graph shows depends on the step (``view``):
- forward: a circle shows aˡⱼ once computed (zˡⱼ while it is the step's own), the lines the
  weights wˡⱼₖ;
- backward: a circle shows δˡⱼ once computed; the lines into layer l show the terms
  wˡⱼₖ δˡⱼ that flow back to neuron k of layer l−1 (BP2 adds them up to ∂C/∂aˡ⁻¹ₖ) once δˡ
  is computed, and ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ once BP4 has computed them.

``graph`` holds only numbers that ``known`` lets be shown (as ``heatmap.scale`` does for
the colour ranges): in practice mode an answer is in no circle, line or range. Pure: no
Streamlit.
"""

import numpy as np

from backprop.explain.notation import QUANTITIES, plain, pretty

from .heatmap import COLORSCALE, layers_of, scale, short, shown, typed_array, values

NODE_KINDS = ("z", "a", "delta")
EDGE_KINDS = ("w", "terms", "nabla_w")
# What a click on a line explains: the weight, the δ the term flows into (BP2's sum, whose
# derivation lists the term), or the weight's gradient.
EDGE_PICK = {"w": "w", "terms": "delta", "nabla_w": "nabla_w"}
# What the lines show, for the graph's accessible name.
EDGE_NAMES = {"w": "w^{l}", "terms": "w^{l}_jk δ^{l}_j (the terms BP2 adds up)",
              "nabla_w": "∂C/∂w^{l}"}
# Lines below this fraction of their kind's largest |value| are drawn faint, so the few
# that matter stand out on 6 layers of 16 (every line still has its hover target).
FAINT = 0.1


def terms(net, trace, l):
    """The terms wˡⱼₖ δˡⱼ of BP2 that layer l sends back to neuron k of layer l−1, as an
    nₗ × nₗ₋₁ matrix: column k adds up to ((wˡ)ᵀ δˡ)ₖ = ∂C/∂aˡ⁻¹ₖ."""
    return net.w[l] * trace.delta[l][:, None]


def _edge_values(net, trace, kind, l):
    if kind == "terms":
        return terms(net, trace, l)
    return values(net, trace, kind, l)


def _hover(v):
    return f"{v:.6g}"


def graph(net, trace, known=None):
    """The graph's numbers, for the layers ``known`` lets be shown (all if None): per node
    kind and layer the values (colour), printed values (in the circle) and hover texts;
    per line kind and layer the values and their printed form, with each kind's colour
    range (the heatmaps' range for z, a, δ and ∂C/∂w, so a colour means the same number in
    both views)."""
    nodes = {}
    for q in NODE_KINDS:
        s = scale(net, trace, q, known)
        layers = {}
        for l in layers_of(net, q):
            if not shown(q, l, known):
                continue
            v = values(net, trace, q, l).ravel()
            layers[str(l)] = {
                "v": typed_array(v), "text": [short(x) for x in v],
                "hover": [f"{plain(q, l, j)} = {_hover(x)}" for j, x in enumerate(v, 1)]}
        nodes[q] = {"cmin": -s, "cmax": s, "layers": layers}
    edges = {}
    for kind in EDGE_KINDS:
        layers, m = {}, 0.0
        for l in range(2, net.L + 1):
            if not shown(EDGE_PICK[kind], l, known):   # the terms: once δˡ is
                continue
            v = _edge_values(net, trace, kind, l)
            m = max(m, float(np.max(np.abs(v))))
            layers[str(l)] = {"v": typed_array(v), "hover": [_hover(x) for x in v.ravel()]}
        if kind == "nabla_w":
            m = scale(net, trace, kind, known)
        m = m if m > 0 else 1.0
        edges[kind] = {"cmin": -m, "cmax": m, "layers": layers}
    return {"sizes": list(net.sizes), "nodes": nodes, "edges": edges,
            "stops": COLORSCALE, "faint": FAINT,
            "pick": {k: QUANTITIES.index(q) for k, q in
                     {**{q: q for q in NODE_KINDS}, **EDGE_PICK}.items()}}


def view(net, step, now):
    """What the graph shows at ``step``, given ``now`` (the (quantity, l) pairs whose
    numbers may be shown then): per layer 1..L the circles' kind (None: not yet computed),
    per layer 2..L the lines' kind, and the column and band of lines the step works on."""
    backward = step.kind in ("BP1", "BP2", "BP3", "BP4")
    nodes = []
    for l in range(1, net.L + 1):
        if (step.quantity in NODE_KINDS and step.l == l
                and (step.quantity, l) not in now):
            nodes.append(None)     # asked in practice mode, not yet answered
        elif backward and ("delta", l) in now:
            nodes.append("delta")
        elif (step.quantity, step.l) == ("z", l) and ("z", l) in now:
            nodes.append("z")
        elif ("a", l) in now:
            nodes.append("a")
        elif ("z", l) in now:
            nodes.append("z")
        else:
            nodes.append(None)
    edges = []
    for l in range(2, net.L + 1):
        if ("nabla_w", l) in now:
            edges.append("nabla_w")
        elif backward and l > 2 and ("delta", l) in now:
            edges.append("terms")
        else:
            edges.append("w")
    column = step.l if step.quantity in NODE_KINDS + ("nabla_b",) else None
    band = {"z": step.l, "nabla_w": step.l}.get(step.quantity)
    if step.kind == "BP2":
        band = step.l + 1     # the terms of layer l+1 flowing back into layer l
    return {"nodes": nodes, "edges": edges, "column": column, "band": band,
            "label": label(net, step, nodes, edges)}


def label(net, step, nodes, edges):
    """The graph's accessible name at ``step``: what its circles and lines show."""
    circles = ", ".join(pretty(plain(q, l)) if q else f"layer {l} not yet computed"
                        for l, q in enumerate(nodes, 1))
    lines = ", ".join(pretty(EDGE_NAMES[kind].format(l=l)) for l, kind in enumerate(edges, 2))
    return (f"The network as a graph, at step {step.index + 1}: a circle per neuron, a line "
            f"per weight. Circles: {circles}. Lines: {lines}.")

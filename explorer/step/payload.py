"""Everything the Step page's chart component needs to step through one example in the
browser: each step's texts and equations, the figures (the heatmaps, and the network as a
graph with what it shows at each step), and the derivation of each step's first cell, made
once per (network, example) from ``backprop/`` and sent once.

The browser computes nothing: it shows these numbers and strings. Pure: no Streamlit.

Practice mode sends only the steps up to the current one, and the current step's own
numbers only once they are revealed: a number the student is asked to predict is in no
figure, hover text, colour range, equation or derivation of the payload (see
``questions.visible``, and ``heatmap.scale`` for the colour ranges).
"""

import hashlib
import json

from backprop.explain import explain
from backprop.explain.notation import QUANTITIES, plain, pretty

from ..figures import graph, heatmap, network
from ..practice import questions
from .picking import computed_at, default_pick

NETWORK_KINDS = ("z", "a", "delta")     # the rows of panels of the network figure
# Pixels a row of panels may take: with the equations beside it, the figure of 4 layers of
# 8 fits a 1440 × 900 laptop screen under the step's controls.
NETWORK_ROOM = 160


def _cell(c):
    return [c[0], c[1], c[2], c[3]]


def derivation_of(net, trace, all_steps, i, cell, now, hidden=False):
    """The derivation of ``cell`` at step i as the browser shows it: {"cell", "equation",
    "text", "lines"}, or {"cell", "message", "tone"} when it cannot be shown there."""
    q, l = cell[0], cell[1]
    if q in ("w", "b") or (q, l) in now:
        d = explain(net, trace, *cell)
        return {"cell": _cell(cell), "equation": d.equation, "text": d.text,
                "lines": list(d.lines), "uses": [_cell(u) for u in d.uses]}
    if hidden and (q, l) == (all_steps[i].quantity, all_steps[i].l):
        return {"cell": _cell(cell), "tone": "info",
                "message": "Hidden until you answer the question above."}
    first = computed_at(all_steps, q, l)
    return {"cell": _cell(cell), "tone": "warning",
            "message": f"Not yet computed at this step: it is computed at step "
                       f"{first.index + 1} ({first.title})."}


def labels(net, step, n, is_hidden=False):
    """The accessible names of the network figure and of the step's own figure at
    ``step`` (what a screen reader says for them)."""
    at = f"at step {step.index + 1} of {n}"
    what = ("the cost Cₓ" if step.quantity == "cost" else
            pretty(plain(step.quantity, step.l)))
    done = "asked, hidden until you answer" if is_hidden else "just computed"
    if step.quantity not in NETWORK_KINDS:
        done += " (beside the equation)"
    return (f"Heatmaps of z, a and δ for layers 1 to {net.L}, {at}: {what} {done}",
            f"The numbers of step {step.index + 1}: {step.title}")


def payload(net, trace, all_steps, upto=None, hidden=None, asked=()):
    """The component's data for steps 0..``upto`` (all when None). ``hidden``: the index of
    the step whose own numbers stay hidden (an open practice question), ``asked`` the cells
    it asks, outlined in the figures."""
    n = len(all_steps)
    upto = n - 1 if upto is None else upto
    allowed = questions.visible(all_steps, upto, hidden is None)
    figures = {"network": heatmap.wire(network.network_figure(
        net, trace, NETWORK_KINDS, known=allowed, room=NETWORK_ROOM))}
    steps = []
    for i, step in enumerate(all_steps[: upto + 1]):
        is_hidden = i == hidden
        now = questions.visible(all_steps, i, not is_hidden)
        fig = None
        if not (is_hidden and step.kind == "a"):    # σ's curve would show the asked a's
            # what is shown at this step, coloured on the ranges of all that is sent
            f = network.focus_figure(net, trace, step, allowed if not is_hidden else now)
            if f is not None:
                fig = json.dumps(f["layout"]["meta"], sort_keys=True)
                if is_hidden:
                    fig += " hidden"
                figures.setdefault(fig, heatmap.wire(f))
        pick = default_pick(step)
        d = derivation_of(net, trace, all_steps, i, pick, now, is_hidden)
        marks = [[_cell(c), "pick"] for c in asked] if is_hidden else \
            [[u, "use"] for u in d.get("uses", ())] + [[_cell(pick), "pick"]]
        name, figure_name = labels(net, step, n, is_hidden)
        steps.append({
            "label": name, "figure_label": figure_name, "title": step.title,
            "kind": step.kind, "q": step.quantity, "l": step.l,
            "rule": step.rule, "shapes": step.shapes, "text": step.text,
            "numbers": None if is_hidden else step.numbers,
            "known": sorted(f"{q}:{l}" for q, l in now if q in NETWORK_KINDS),
            "figure": fig, "marks": marks, "derivation": d,
            "graph": graph.view(net, step, now)})
    return {"n": n, "upto": upto, "steps": steps, "figures": figures,
            "graph": graph.graph(net, trace, allowed), "quantities": list(QUANTITIES)}


def identity(*parts):
    """A short id of what a payload was made from: the browser rebuilds its figures only
    when it changes."""
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]

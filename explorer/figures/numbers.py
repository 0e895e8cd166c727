"""The figures' text alternative: a short name that says what a figure shows, and its
numbers as tables (``plotly_chart`` shows them under "Numbers as a table").

A table holds only what its figure shows: a heatmap's numbers only when the figure shows
them (its trace's meta "known"), so practice mode hides nothing here that it hides there.
Numbers come from the package (net, trace, Nudge, Terms), the histogram's counts from the
figure itself (its bins are made there). Long series are bounded (``bounded``)."""

import numpy as np
import pandas as pd

from backprop.explain.notation import pretty

from .heatmap import TITLES, values

KINDS = {"z": "z, the weighted inputs", "a": "a, the activations", "delta": "δ, the errors",
         "nabla_b": "∂C/∂b, the bias gradients"}
MAX_ROWS = 25       # rows of a series' table; the last row is always among them
DIGITS = 6          # significant digits a table prints


def sym(q, l):
    """The symbol of quantity q of layer l as the page writes it: z², ∂C/∂w³."""
    return f"{TITLES[q]}{pretty(f'^{l}')}"


def bounded(df, n=MAX_ROWS):
    """At most ``n`` rows of ``df``, evenly spread, the first and the last always in."""
    if len(df) <= n:
        return df
    keep = np.unique(np.round(np.linspace(0, len(df) - 1, n)).astype(int))
    return df.iloc[keep]


def printed(df):
    """``df`` as st.table shows it: numbers with DIGITS significant digits, NaN as "–",
    the rest as text (st.table reads cells as Markdown: only the page's own words go in)."""
    def cell(v):
        if isinstance(v, (float, np.floating)):
            return "–" if np.isnan(v) else f"{v:.{DIGITS}g}"
        return str(v)
    out = df.map(cell)
    out.index = pd.Index([cell(v) for v in df.index], name=df.index.name)
    return out


def names(items):
    """"a, b and c"."""
    items = list(items)
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else \
        "".join(items)


# --- heatmaps of a Trace --------------------------------------------------------------------

def panels(fig):
    """[(quantity, l, known)] of the heatmap panels of ``fig`` (explorer.figures.network), in
    the figure's order."""
    out = []
    for t in fig["data"]:
        m = t.get("meta") or {}
        if t.get("type") == "heatmap" and "quantity" in m and (m["quantity"], m["l"]) not in \
                [(q, l) for q, l, _ in out]:
            out.append((m["quantity"], m["l"], bool(m["known"])))
    return out


def heatmap_tables(fig, net, trace):
    """{title: DataFrame} of the panels ``fig`` shows with their numbers: a matrix (w, ∂C/∂w)
    as rows j and columns k; the vectors of one kind (z, a, δ, ∂C/∂b) side by side, one
    column per layer, rows j. σ's curve (meta "curve"): its points (z^l_j, a^l_j). A panel
    not yet computed is left out; "not yet computed" lists them."""
    meta = fig["layout"].get("meta") or {}
    if meta.get("curve"):
        l = meta["l"]
        return {f"the points of σ's curve, layer {l}": pd.DataFrame(
            {sym("z", l): trace.z[l], sym("a", l): trace.a[l]},
            index=pd.Index([f"j={j}" for j in range(1, net.sizes[l - 1] + 1)], name="neuron"))}
    out, vectors, hidden = {}, {}, []
    for q, l, known in panels(fig):
        if not known:
            hidden.append(sym(q, l))
        elif q in ("w", "nabla_w"):
            v = values(net, trace, q, l)
            out[f"{sym(q, l)} ({v.shape[0]} × {v.shape[1]})"] = pd.DataFrame(
                v, index=pd.Index([f"j={j}" for j in range(1, v.shape[0] + 1)], name="row"),
                columns=[f"k={k}" for k in range(1, v.shape[1] + 1)])
        else:
            vectors.setdefault(q, {})[f"layer {l}"] = values(net, trace, q, l)[:, 0]
    for q, cols in vectors.items():
        n = max(len(v) for v in cols.values())
        df = pd.DataFrame({c: np.pad(v, (0, n - len(v)), constant_values=np.nan)
                           for c, v in cols.items()},
                          index=pd.Index([f"j={j}" for j in range(1, n + 1)], name="neuron"))
        out[KINDS[q]] = df
    if hidden:
        out["not yet computed"] = ", ".join(hidden)
    return out


def heatmap_name(fig, what):
    """The accessible name of a heatmap figure: ``what`` it shows, and which of its panels
    are not yet computed (or "all computed")."""
    hidden = [sym(q, l) for q, l, known in panels(fig) if not known]
    if not hidden:
        return f"{what}: every number shown"
    listed = names(hidden) if len(hidden) <= 4 else f"{len(hidden)} panels"
    return f"{what}: {listed} not yet computed"


def kinds_name(net, kinds=("z", "a", "delta")):
    """"Heatmaps of z, a and δ for layers 1 to 3"."""
    return f"Heatmaps of {names(TITLES[q] for q in kinds)} for layers 1 to {net.L}"


# --- curves and bars ------------------------------------------------------------------------

def cost_history_table(costs):
    """C_x after each gradient-descent step (step 0: before the first), bounded."""
    df = pd.DataFrame({"Cₓ": np.asarray(costs, dtype=np.float64)},
                      index=pd.Index(range(len(costs)), name="after step"))
    return {"the cost after each step": bounded(df)}


def cost_history_name(costs):
    n = len(costs) - 1
    return (f"Cost Cₓ of this example over {n} gradient-descent step{'s' if n != 1 else ''}: "
            f"from {costs[0]:.4g} to {costs[-1]:.4g}")


def speed_table(rows):
    """The speed figure's points: per network, P and the milliseconds each way took."""
    rows = sorted(rows, key=lambda r: r["P"])
    df = pd.DataFrame({"P": [r["P"] for r in rows],
                       "backpropagation ms": [float(r["backprop ms"]) for r in rows],
                       "central differences ms": [float(r["differences ms"]) for r in rows]},
                      index=pd.Index([r["network"] for r in rows], name="network"))
    return {"milliseconds per gradient": df}


def speed_name(rows):
    big = max(rows, key=lambda r: r["P"])
    return (f"Milliseconds for every ∂C/∂w of one example against the weights and biases P, "
            f"log-log, {len(rows)} networks: at P = {big['P']} backpropagation "
            f"{big['backprop ms']:.3g} ms, central differences {big['differences ms']:.3g} ms")


def nudge_table(n, at):
    """The nudge's curve: C exactly and the tangent at each Δ (bounded), and at the Δ
    chosen."""
    def rows(deltas, costs):
        d = np.asarray(deltas, dtype=np.float64)
        return pd.DataFrame({"C exactly": np.asarray(costs, dtype=np.float64),
                             "tangent C + slope · Δ": n.cost + n.slope * d},
                            index=pd.Index(d, name="Δ"))
    return {"at the Δ chosen": rows(at.deltas, at.costs),
            "along the curve": bounded(rows(n.deltas, n.costs), 21)}


def nudge_name(name, at):
    dz = float(at.deltas[0])
    return (f"Cost C against the nudge Δ of {name}, exactly and its tangent: at Δ = "
            f"{dz:.4g}, C = {float(at.costs[0]):.6g}, tangent {at.cost + at.slope * dz:.6g}")


def terms_table(t):
    """The bars of ``terms_figure``: each term, then their sum, σ′ and δ."""
    bars = pd.DataFrame({"term": [pretty(s) for s in t.labels],
                         "value": np.asarray(t.terms, dtype=np.float64)},
                        index=pd.Index([f"k={i}" for i in range(1, len(t.terms) + 1)],
                                       name="bar"))
    total = pd.DataFrame({"value": [float(t.total), float(t.factor), float(t.delta)]},
                         index=["sum of the terms", "σ′(z)" if t.rule == "BP2" else "factor",
                                "δ"])
    return {"the terms": bars, "adding up": total}


def terms_name(t, name):
    return (f"Bars of the {len(t.terms)} terms that make {name}: they add up to "
            f"{t.total:.6g}, and {name} = {t.delta:.6g}")


# --- the teacher's histogram ----------------------------------------------------------------

def histogram_tables(fig, mistakes=()):
    """The histogram's bars as rows (the bin's range, the answers of each colour), and the
    count per diagnosed mistake (``mistakes``: (name, count) pairs)."""
    bars = [t for t in fig["data"] if t.get("type") == "bar"]
    out = {}
    if bars:
        x, w = np.asarray(bars[0]["x"], dtype=np.float64), bars[0]["width"]
        df = pd.DataFrame({t["name"]: np.asarray(t["y"], dtype=np.float64).astype(int)
                           for t in bars},
                          index=pd.Index([f"{a - w / 2:.4g} to {a + w / 2:.4g}" for a in x],
                                         name="answers from"))
        df["all"] = df.sum(axis=1)
        out["answers per bin"] = df
    if mistakes:
        out["answers per diagnosed mistake"] = pd.DataFrame(
            {"students": [int(c) for _, c in mistakes]},
            index=pd.Index([str(m) for m, _ in mistakes], name="mistake"))
    return out


def histogram_name(fig, right):
    title = ((fig["layout"].get("title") or {}).get("text")) or "the answers"
    return f"Histogram of the class's answers, {title}, the right answer {right:.4g} marked"

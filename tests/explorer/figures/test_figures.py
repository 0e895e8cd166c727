"""The figures (explorer/figures/: network, heatmap): plain dicts in Plotly's figure format
whose heatmaps hold the package's numbers, row j at the top, grey and NaN where a step has
not computed them yet, one symmetric colour range per kind of quantity, and a click overlay
that decodes back to the cell it sits on.
"""

import re

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import Network
from backprop.explain import explain
from backprop.explain.steps import known, steps
from explorer.figures import network
from explorer.figures.chart import pick_of
from explorer.figures.heatmap import CELL, FOCUS, GREY, HALO, MARK, Canvas, marks_for
from explorer.limits import MAX_NEURONS, MAX_TEXT_CELLS
from explorer.presets import PRESETS
from explorer.step.picking import clamp_pick, computed_at, default_pick, pick_layers


def hand():
    # The classic 2-2-2 sigmoid network with the quadratic cost (see test_explain.py for the
    # arithmetic): δ³ = (0.138499, −0.0380982), a² = (0.593270, 0.596884).
    net = Network([[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
                  [[0.35, 0.35], [0.60, 0.60]], "sigmoid", "quadratic")
    return net, net.backprop([0.05, 0.10], [0.01, 0.99])


def random_net(sizes=(3, 4, 2, 3), acts="tanh", cost="quadratic", seed=1):
    net = Network.random(list(sizes), acts, cost, seed=seed)
    rng = np.random.default_rng(seed)
    return net, net.backprop(rng.uniform(-1, 1, sizes[0]), rng.uniform(0, 1, sizes[-1]))


def heatmaps(fig):
    return [t for t in fig["data"] if t["type"] == "heatmap"]


def heat(fig, q, l):
    (h,) = [t for t in heatmaps(fig) if (t["meta"]["quantity"], t["meta"]["l"]) == (q, l)]
    return h


def click_layer(fig):
    """The one scatter of invisible click-and-hover targets over every cell of a figure."""
    (s,) = [t for t in fig["data"] if t["type"] == "scatter" and "customdata" in t]
    return s


def box(h):
    """(left, top, cell width, cell height) of heatmap ``h``, in the figure's pixels."""
    x, y = np.asarray(h["x"], float), np.asarray(h["y"], float)
    return x[0], y[0], x[1] - x[0], y[1] - y[0]


def to_cells(h, px, py):
    """Pixel positions as (column, row) positions of heatmap ``h``: cell centres are whole
    numbers from 1, its edges halves."""
    x0, y0, cw, ch = box(h)
    return (np.asarray(px, float) - x0) / cw + 0.5, (np.asarray(py, float) - y0) / ch + 0.5


def overlay(fig, h):
    """The click targets lying on heatmap ``h``: their column x and row y in it (from 1),
    customdata and hover labels. Each sits exactly on a cell's centre."""
    s = click_layer(fig)
    n, m = np.asarray(h["z"]).shape
    x, y = to_cells(h, s["x"], s["y"])
    on = (x > 0.5) & (x < m + 0.5) & (y > 0.5) & (y < n + 0.5)
    np.testing.assert_allclose(x[on], np.rint(x[on]), rtol=0, atol=1e-9)
    np.testing.assert_allclose(y[on], np.rint(y[on]), rtol=0, atol=1e-9)
    return {"x": np.rint(x[on]).astype(int).tolist(), "y": np.rint(y[on]).astype(int).tolist(),
            "customdata": np.asarray(s["customdata"])[on].tolist(),
            "text": [t for t, o in zip(s["text"], on) if o], "hovertemplate": s["hovertemplate"]}


def domains(fig, h):
    """Heatmap ``h``'s box as paper fractions ([x0, x1], [y0, y1]), y upwards."""
    (x0, x1), hh = fig["layout"]["xaxis"]["range"], fig["layout"]["yaxis"]["range"][0]
    x, y = np.asarray(h["x"], float), np.asarray(h["y"], float)
    return [(x[0] - x0) / (x1 - x0), (x[-1] - x0) / (x1 - x0)], [1 - y[-1] / hh, 1 - y[0] / hh]


def expected(net, trace, q, l):
    """The numbers of (q, l) as the figures lay them out: vectors as columns."""
    v = {"w": net.w, "b": net.b}.get(q) or getattr(trace, q)
    v = np.asarray(v[l], dtype=float)
    return v.reshape(-1, 1) if v.ndim == 1 else v


def largest(net, trace, q):
    """max |value| of a kind over all its layers."""
    src = {"w": net.w, "b": net.b}.get(q) or getattr(trace, q)
    return max(float(np.max(np.abs(src[l]))) for l in src)


def shapes_on(fig, h, halos=False):
    """The shapes drawn on heatmap ``h``, with their corners as (column, row) positions
    of it (see ``to_cells``); the light halos under marks only if ``halos``."""
    n, m = np.asarray(h["z"]).shape
    out = []
    for s in fig["layout"]["shapes"]:
        assert (s["xref"], s["yref"]) == ("x", "y")
        (x0, x1), (y0, y1) = to_cells(h, [s["x0"], s["x1"]], [s["y0"], s["y1"]])
        if 0.5 - 1e-9 <= min(x0, x1) and max(x0, x1) <= m + 0.5 + 1e-9 and \
                0.5 - 1e-9 <= min(y0, y1) and max(y0, y1) <= n + 0.5 + 1e-9 and \
                (halos or s.get("line", {}).get("color") != HALO):
            out.append({**s, "x0": round(x0, 9), "x1": round(x1, 9), "y0": round(y0, 9),
                        "y1": round(y1, 9)})
    return out


def all_figures(net, trace, i=None):
    """Every kind of figure, with what is known after step i (everything if None)."""
    S = steps(net, trace)
    kn = None if i is None else known(S, i)
    out = [network.network_figure(net, trace, known=kn),
           network.network_figure(net, trace, ("z", "a", "delta", "nabla_b"), kn),
           network.cost_history_figure([0.5, 0.25, 0.125])]
    for l in range(2, net.L + 1):
        out += [network.matrix_figure(net, trace, "w", l, kn),
                network.matrix_figure(net, trace, "nabla_w", l, kn),
                network.outer_product_figure(net, trace, l, kn),
                network.activation_figure(net, trace, l)]
    return out


# --- valid Plotly ------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(PRESETS))
def test_every_figure_of_every_step_is_valid_plotly(name):
    net, x, y = PRESETS[name].make()
    trace = net.backprop(x, y)
    S = steps(net, trace)
    for s in S:
        kn = known(S, s.index)
        pick = ("nabla_w", s.l, 1, 1) if s.kind == "BP4" else None
        uses = explain(net, trace, *pick).uses if pick else ()
        figs = [network.network_figure(net, trace, known=kn, focus=(s.quantity, s.l),
                                       marks=marks_for(pick, uses)),
                network.focus_figure(net, trace, s, kn, marks_for(pick, uses))]
        for fig in figs:
            if fig is not None:
                go.Figure(fig)


def test_every_kind_of_figure_is_valid_plotly_on_a_softmax_network():
    net, trace = random_net((3, 5, 4), ["relu", "softmax"], "log_likelihood")
    for fig in all_figures(net, trace) + all_figures(net, trace, i=2):
        go.Figure(fig)


# --- the numbers in the heatmaps ---------------------------------------------------------

def check_heatmap(fig, h, want):
    assert set(h["meta"]) == {"quantity", "l", "known"}
    np.testing.assert_allclose(np.asarray(h["z"], float), want, rtol=0, atol=0)
    n, m = want.shape
    # the cell edges, in pixels: m columns and n rows of equal cells, the figure's own size
    x, y = np.asarray(h["x"], float), np.asarray(h["y"], float)
    assert len(x) == m + 1 and len(y) == n + 1
    np.testing.assert_allclose(np.diff(x), fig_cell(fig)[0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.diff(y), fig_cell(fig)[1], rtol=0, atol=1e-9)
    # row 1 at the top: the one y axis runs downwards, from the bottom edge to the top
    lay = fig["layout"]
    assert lay["yaxis"]["range"][0] > lay["yaxis"]["range"][1] == 0
    assert lay["xaxis"]["range"][0] <= 0
    assert [k for k in lay if k.startswith(("xaxis", "yaxis"))] == ["xaxis", "yaxis"]
    assert "xaxis" not in h and "yaxis" not in h


def fig_cell(fig):
    """(width, height) of the cells of a figure: every heatmap of it has the same."""
    sizes = {(float(np.diff(np.asarray(h["x"], float))[0]),
              float(np.diff(np.asarray(h["y"], float))[0])) for h in heatmaps(fig)}
    (size,) = sizes
    return size


def test_network_figure_holds_every_layer_as_a_column():
    net, trace = random_net()
    kinds = ("z", "a", "delta", "nabla_b")
    fig = network.network_figure(net, trace, kinds)
    L = net.L
    assert len(heatmaps(fig)) == 4 * (L - 1) + 1          # a also has layer 1
    for q in kinds:
        for l in range(1 if q == "a" else 2, L + 1):
            h = heat(fig, q, l)
            assert h["meta"]["known"] is True
            want = expected(net, trace, q, l)
            assert want.shape == (net.sizes[l - 1], 1)
            check_heatmap(fig, h, want)
    np.testing.assert_allclose(np.asarray(heat(fig, "a", 1)["z"])[:, 0], trace.x, rtol=0, atol=0)


@pytest.mark.parametrize("q", ["w", "nabla_w"])
def test_matrix_figure_is_n_l_by_n_l_minus_1(q):
    net, trace = random_net()
    for l in range(2, net.L + 1):
        fig = network.matrix_figure(net, trace, q, l)
        (h,) = heatmaps(fig)
        want = expected(net, trace, q, l)
        assert want.shape == (net.sizes[l - 1], net.sizes[l - 2])
        check_heatmap(fig, h, want)


def test_outer_product_figure_panels_multiply():
    net, trace = random_net()
    for l in range(2, net.L + 1):
        fig = network.outer_product_figure(net, trace, l)
        d, a, g = heat(fig, "delta", l), heat(fig, "a", l - 1), heat(fig, "nabla_w", l)
        check_heatmap(fig, d, expected(net, trace, "delta", l))
        check_heatmap(fig, a, np.asarray(trace.a[l - 1])[None, :])    # (a^{l−1})ᵀ: 1 × n_{l−1}
        check_heatmap(fig, g, expected(net, trace, "nabla_w", l))
        # the panel where they cross is the outer product δ^l (a^{l−1})ᵀ (BP4)
        np.testing.assert_allclose(np.asarray(g["z"]), np.asarray(d["z"]) @ np.asarray(a["z"]),
                                   rtol=1e-15, atol=0)


# --- what is not known yet ---------------------------------------------------------------

def check_unknown(fig, h):
    assert h["meta"]["known"] is False
    assert np.all(np.isnan(np.asarray(h["z"], float)))
    assert "texttemplate" not in h
    labels = overlay(fig, h)["text"]
    assert labels and all(t.endswith("= not yet computed") for t in labels)
    assert any(s.get("fillcolor") == GREY for s in shapes_on(fig, h))


def check_known(fig, h):
    assert h["meta"]["known"] is True
    assert np.all(np.isfinite(np.asarray(h["z"], float)))
    assert "texttemplate" in h
    assert not any("not yet computed" in t for t in overlay(fig, h)["text"])
    assert not any(s.get("fillcolor") == GREY for s in shapes_on(fig, h))


def test_network_figure_after_the_first_z_step():
    net, trace = random_net()
    S = steps(net, trace)
    assert (S[1].kind, S[1].l) == ("z", 2)
    fig = network.network_figure(net, trace, known=known(S, 1))
    check_known(fig, heat(fig, "a", 1))
    check_known(fig, heat(fig, "z", 2))
    for l in range(2, net.L + 1):
        check_unknown(fig, heat(fig, "a", l))
        check_unknown(fig, heat(fig, "delta", l))
        if l > 2:
            check_unknown(fig, heat(fig, "z", l))


def test_every_step_shows_exactly_what_is_known():
    net, trace = random_net((2, 3, 2))
    S = steps(net, trace)
    kinds = ("z", "a", "delta", "nabla_b")
    for i in range(len(S)):
        kn = known(S, i)
        fig = network.network_figure(net, trace, kinds, known=kn)
        for h in heatmaps(fig):
            q, l = h["meta"]["quantity"], h["meta"]["l"]
            (check_known if (q, l) in kn else check_unknown)(fig, h)


def test_weights_are_always_known_but_their_gradient_is_not():
    net, trace = random_net()
    S = steps(net, trace)
    kn = known(S, 0)
    fig = network.matrix_figure(net, trace, "w", 3, kn)
    check_known(fig, heatmaps(fig)[0])
    fig = network.matrix_figure(net, trace, "nabla_w", 3, kn)
    check_unknown(fig, heatmaps(fig)[0])
    # just before BP4 of layer L: δ^L and a^{L−1} are known, ∂C/∂w^L is not
    i = next(s.index for s in S if s.kind == "BP4" and s.l == net.L) - 1
    fig = network.outer_product_figure(net, trace, net.L, known(S, i))
    check_known(fig, heat(fig, "delta", net.L))
    check_known(fig, heat(fig, "a", net.L - 1))
    check_unknown(fig, heat(fig, "nabla_w", net.L))
    fig = network.outer_product_figure(net, trace, net.L, known(S, i + 1))
    check_known(fig, heat(fig, "nabla_w", net.L))


# --- colour ------------------------------------------------------------------------------

def test_colour_ranges_are_symmetric_and_shared_across_layers_and_figures():
    """Every figure made with what is known after step i scales each kind to the largest
    |value| of that kind among the layers known then (all layers when i is None): the same
    range in every figure of that moment, and no range from a number not yet shown."""
    net, trace = random_net((3, 4, 2, 3), "sigmoid")
    S = steps(net, trace)
    for i in (None, 0, 5, len(S) - 1):
        kn = None if i is None else known(S, i)
        seen = {}
        for fig in all_figures(net, trace, i):
            names = {}
            for h in heatmaps(fig):
                q = h["meta"]["quantity"]
                ca = fig["layout"][h["coloraxis"]]
                assert ca["cmin"] == -ca["cmax"] and ca["cmid"] == 0
                seen.setdefault(q, set()).add(ca["cmax"])
                names.setdefault(q, set()).add(h["coloraxis"])
            # one colour axis per kind within a figure, a different one for each kind
            assert all(len(v) == 1 for v in names.values())
            assert len({next(iter(v)) for v in names.values()}) == len(names)
        assert set(seen) == {"z", "a", "delta", "nabla_b", "nabla_w", "w"}
        for q, cmaxes in seen.items():
            assert len(cmaxes) == 1, (i, q, cmaxes)
            layers = [l for l in (range(1, net.L + 1) if q == "a" else range(2, net.L + 1))
                      if kn is None or q == "w" or (q, l) in kn]
            want = max((float(np.max(np.abs(getattr(net if q == "w" else trace, q)[l])))
                        for l in layers), default=0.0) or 1.0
            np.testing.assert_allclose(cmaxes.pop(), want, rtol=0, atol=0, err_msg=f"{i} {q}")
        if i is None:
            assert all(largest(net, trace, q) > 0 for q in seen)
    assert len(S) > 5


def test_an_all_zero_kind_still_has_a_colour_range():
    net = Network.random([2, 2, 2], init="zeros")
    trace = net.backprop([0.5, 0.5], [0.5, 0.5])     # a³ = (½, ½) = y: δ = 0 everywhere
    fig = network.matrix_figure(net, trace, "w", 2)
    ca = fig["layout"][heatmaps(fig)[0]["coloraxis"]]
    assert ca["cmax"] > 0 and ca["cmin"] == -ca["cmax"]
    fig = network.network_figure(net, trace)
    ca = fig["layout"][heat(fig, "delta", 3)["coloraxis"]]
    assert ca["cmax"] > 0


# --- clicks and hover --------------------------------------------------------------------

def round_trip(fig, h, net, trace, cell):
    """Every overlay point decodes to ``cell(x, y)`` in both forms Streamlit may send, and
    what it decodes to is the cell under it."""
    s = overlay(fig, h)
    pts = list(zip(s["x"], s["y"], s["customdata"]))
    n, m = np.asarray(h["z"]).shape
    assert sorted((int(x), int(y)) for x, y, _ in pts) == \
        [(x, y) for x in range(1, m + 1) for y in range(1, n + 1)]
    z = np.asarray(h["z"], float)
    for x, y, cd in pts:
        as_list = [int(c) for c in cd]
        want = cell(int(x), int(y))
        assert pick_of(as_list, net) == want
        np.testing.assert_allclose(explain(net, trace, *want).value, z[int(y) - 1, int(x) - 1],
                                   rtol=0, atol=0)


@pytest.mark.parametrize("q", ["w", "nabla_w"])
def test_clicks_on_a_matrix_decode_to_row_j_column_k(q):
    net, trace = random_net()
    for l in range(2, net.L + 1):
        fig = network.matrix_figure(net, trace, q, l)
        round_trip(fig, heatmaps(fig)[0], net, trace, lambda x, y: (q, l, y, x))


def test_clicks_on_the_outer_product_decode_the_transposed_row():
    net, trace = random_net()
    l = 3
    fig = network.outer_product_figure(net, trace, l)
    round_trip(fig, heat(fig, "delta", l), net, trace, lambda x, y: ("delta", l, y, None))
    # the (a^{l−1})ᵀ row: column x is neuron j = x of layer l − 1
    round_trip(fig, heat(fig, "a", l - 1), net, trace, lambda x, y: ("a", l - 1, x, None))
    round_trip(fig, heat(fig, "nabla_w", l), net, trace, lambda x, y: ("nabla_w", l, y, x))


def test_clicks_on_the_network_figure():
    net, trace = random_net()
    fig = network.network_figure(net, trace, ("z", "a", "delta", "nabla_b"))
    for h in heatmaps(fig):
        q, l = h["meta"]["quantity"], h["meta"]["l"]
        round_trip(fig, h, net, trace, lambda x, y: (q, l, y, None))


def test_hover_labels_of_the_hand_worked_outer_product():
    net, trace = hand()
    fig = network.outer_product_figure(net, trace, 3)
    # δ³₁ = 0.138499, δ³₂ = −0.0380982 (6 significant digits)
    assert list(overlay(fig, heat(fig, "delta", 3))["text"]) == [
        "δ^3_1 = 0.138499", "δ^3_2 = -0.0380982"]
    # a²₁ = σ(0.3775) = 0.593270 (trailing zero dropped), a²₂ = σ(0.3925) = 0.596884
    assert list(overlay(fig, heat(fig, "a", 2))["text"]) == ["a^2_1 = 0.59327",
                                                            "a^2_2 = 0.596884"]
    # ∂C/∂w³_jk = a²_k δ³_j: 0.593270·0.1384986 = 0.0821670, 0.596884·0.1384986 = 0.0826676,
    # 0.593270·(−0.0380982) = −0.0226025, 0.596884·(−0.0380982) = −0.0227402
    assert list(overlay(fig, heat(fig, "nabla_w", 3))["text"]) == [
        "∂C/∂w^3_11 = 0.082167", "∂C/∂w^3_12 = 0.0826676",
        "∂C/∂w^3_21 = -0.0226025", "∂C/∂w^3_22 = -0.0227402"]


def test_hover_labels_name_the_cell_and_its_value():
    net, trace = random_net((3, 4, 2, 3))
    base = {"z": "z", "a": "a", "delta": "δ", "nabla_b": "∂C/∂b", "nabla_w": "∂C/∂w",
            "w": "w"}
    figs = [network.network_figure(net, trace, ("z", "a", "delta", "nabla_b"))]
    figs += [network.matrix_figure(net, trace, "w", l) for l in (2, 3, 4)]
    figs += [network.outer_product_figure(net, trace, l) for l in (2, 3, 4)]
    for fig in figs:
        for h in heatmaps(fig):
            q, l = h["meta"]["quantity"], h["meta"]["l"]
            s = overlay(fig, h)
            z = np.asarray(h["z"], float)
            for x, y, label in zip(s["x"], s["y"], s["text"]):
                j, k = (x, None) if (q == "a" and z.shape[0] == 1 and z.shape[1] > 1) \
                    else (y, x if q in ("w", "nabla_w") else None)
                sym, value = label.split(" = ")
                assert sym == f"{base[q]}^{l}_{j}" + (f"{k}" if k else "")
                np.testing.assert_allclose(float(value), z[y - 1, x - 1], rtol=5e-6, atol=0)
                digits = re.sub(r"e.*$", "", value).lstrip("-").replace(".", "").lstrip("0")
                assert len(digits) <= 6
            assert s["hovertemplate"].startswith("%{text}")


# --- printed numbers ---------------------------------------------------------------------

def test_small_matrices_print_their_values():
    net, trace = random_net((3, 4, 2, 3))
    for fig in all_figures(net, trace):
        for h in heatmaps(fig):
            assert h["texttemplate"]


@pytest.mark.parametrize("rows,has_text", [(20, True), (21, False)])
def test_no_text_in_cells_above_max_text_cells(rows, has_text):
    # 20 × 20 = 400 = MAX_TEXT_CELLS cells print their values, 21 × 20 = 420 do not, even
    # where the cells are wide enough for them
    assert MAX_TEXT_CELLS == 400
    net = Network.random([20, rows], seed=0)
    trace = net.backprop(np.zeros(20), np.zeros(rows))
    c = Canvas({}, 2000, 2000, cell=(CELL, CELL))
    c.panel(net, trace, "w", 2, 0, 0)
    fig = c.figure()
    h, s = fig["data"][0], click_layer(fig)
    assert ("texttemplate" in h) is has_text
    assert len(s["text"]) == rows * 20              # hovering still shows every value
    # a figure of that many cells shrinks them, and prints nothing either way
    fig = network.matrix_figure(net, trace, "w", 2)
    assert "texttemplate" not in heatmaps(fig)[0]
    go.Figure(fig)


# --- marks ------------------------------------------------------------------------------

def rect(s):
    return (s["x0"], s["x1"], s["y0"], s["y1"])


def test_marks_for_lists_uses_then_the_pick():
    pick, uses = ("nabla_w", 3, 2, 1), (("a", 2, 1, None), ("delta", 3, 2, None))
    assert marks_for(pick, uses) == ((("a", 2, 1, None), "use"), (("delta", 3, 2, None), "use"),
                                     (("nabla_w", 3, 2, 1), "pick"))
    assert marks_for(None, uses) == ((("a", 2, 1, None), "use"), (("delta", 3, 2, None), "use"))
    assert marks_for(pick) == ((pick, "pick"),)
    assert marks_for(None) == ()


def test_marks_on_the_outer_product_land_on_the_right_cells():
    net, trace = random_net()
    l, j, k = 3, 2, 3                   # ∂C/∂w³_23 = a²_3 δ³_2
    pick = ("nabla_w", l, j, k)
    fig = network.outer_product_figure(net, trace, l,
                                       marks=marks_for(pick, explain(net, trace, *pick).uses))
    (p,) = shapes_on(fig, heat(fig, "nabla_w", l))
    assert rect(p) == (k - 0.5, k + 0.5, j - 0.5, j + 0.5)
    assert p["line"]["dash"] == "solid"
    (d,) = shapes_on(fig, heat(fig, "delta", l))
    assert rect(d) == (0.5, 1.5, j - 0.5, j + 0.5) and d["line"]["dash"] == "dot"
    (a,) = shapes_on(fig, heat(fig, "a", l - 1))          # the transposed row: column k
    assert rect(a) == (k - 0.5, k + 0.5, 0.5, 1.5) and a["line"]["dash"] == "dot"


def test_marks_of_a_z_cell_on_the_weight_matrix():
    net, trace = random_net()
    d = explain(net, trace, "z", 3, 2)            # uses w³_2k for every k, a²_k and b³_2
    fig = network.matrix_figure(net, trace, "w", 3, marks=marks_for(("z", 3, 2, None), d.uses))
    shapes = shapes_on(fig, heatmaps(fig)[0])
    assert sorted(rect(s) for s in shapes) == \
        [(k - 0.5, k + 0.5, 1.5, 2.5) for k in range(1, net.sizes[1] + 1)]
    assert all(s["line"]["dash"] == "dot" for s in shapes)


def test_marks_of_a_delta_cell_on_the_network_figure():
    net, trace = random_net()
    pick = ("delta", 2, 1, None)
    d = explain(net, trace, *pick)   # uses w³_k1, δ³_k, z²_1
    fig = network.network_figure(net, trace, marks=marks_for(pick, d.uses))
    assert sorted(rect(s) for s in shapes_on(fig, heat(fig, "delta", 3))) == \
        [(0.5, 1.5, j - 0.5, j + 0.5) for j in range(1, net.sizes[2] + 1)]
    assert [rect(s) for s in shapes_on(fig, heat(fig, "z", 2))] == [(0.5, 1.5, 0.5, 1.5)]
    (p,) = shapes_on(fig, heat(fig, "delta", 2))
    assert rect(p) == (0.5, 1.5, 0.5, 1.5) and p["line"]["dash"] == "solid"
    for q, l in (("a", 2), ("z", 3), ("delta", 4), ("a", 1)):
        assert shapes_on(fig, heat(fig, q, l)) == []


def test_focus_outlines_one_panel():
    net, trace = random_net()
    fig = network.network_figure(net, trace, focus=("delta", 3))
    outlined = [h["meta"]["l"] for h in heatmaps(fig)
                if any(s.get("line", {}).get("color") == FOCUS for s in shapes_on(fig, h))]
    assert outlined == [3]
    (s,) = [s for s in shapes_on(fig, heat(fig, "delta", 3))]
    assert rect(s) == (0.5, 1.5, 0.5, net.sizes[2] + 0.5)


# --- the figure beside each step ---------------------------------------------------------

def test_focus_figure_of_each_step():
    net, trace = random_net()
    S = steps(net, trace)
    for s in S:
        fig = network.focus_figure(net, trace, s, known(S, s.index))
        meta = None if fig is None else fig["layout"]["meta"]
        l = s.l
        if s.kind in ("input", "cost", "BP1"):
            assert fig is None
        elif s.kind == "z":
            assert meta == {"quantity": "w", "l": l}
        elif s.kind == "BP2":
            assert meta == {"quantity": "w", "l": l + 1}       # (w^{l+1})ᵀ carries δ back
        elif s.kind == "a":
            assert meta == {"quantity": "a", "l": l, "curve": True}
        elif s.kind == "BP3":   # ∂C/∂b^l beside the δ^l it equals
            assert meta == {"quantity": "nabla_b", "l": l}
            check_known(fig, heat(fig, "nabla_b", l))
            np.testing.assert_array_equal(heat(fig, "nabla_b", l)["z"],
                                          heat(fig, "delta", l)["z"])
        else:
            assert s.kind == "BP4" and meta["outer_product"] and meta["l"] == l
            check_known(fig, heat(fig, "nabla_w", l))


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", "linear"])
def test_activation_figure_marks_each_neuron_on_the_curve(act):
    net, trace = random_net((3, 4, 2), act)
    fig = network.activation_figure(net, trace, 2)
    curve, points = fig["data"]
    zz = np.asarray(curve["x"], float)
    want = {"sigmoid": 1 / (1 + np.exp(-zz)), "tanh": np.tanh(zz), "relu": np.maximum(zz, 0),
            "linear": zz}[act]
    np.testing.assert_allclose(curve["y"], want, rtol=1e-12, atol=1e-15)
    assert zz.min() <= np.min(trace.z[2]) and zz.max() >= np.max(trace.z[2])
    np.testing.assert_allclose(points["x"], trace.z[2], rtol=0, atol=0)
    np.testing.assert_allclose(points["y"], trace.a[2], rtol=0, atol=0)
    assert list(points["text"]) == ["j=1", "j=2", "j=3", "j=4"]
    assert points["mode"] == "markers+text"


@pytest.mark.parametrize("n, printed", [(8, True), (9, False), (16, False)])
def test_activation_figure_prints_j_labels_only_where_they_fit(n, printed):
    """16 labels on a 360-pixel curve print over each other: past 8 neurons they show on
    hover only, and every point still names its neuron there."""
    net, trace = random_net((3, n, 2), "sigmoid")
    _, points = network.activation_figure(net, trace, 2)["data"]
    assert ("text" in points["mode"]) is printed
    assert list(points["text"]) == [f"j={j}" for j in range(1, n + 1)]
    assert "%{text}" in points["hovertemplate"]


def test_activation_figure_puts_the_labels_of_neighbouring_points_on_opposite_sides():
    # The 2-2-2 preset's a² neurons sit at z = 0.3775 and 0.3925: one label above-left of
    # its point, the other below-right, so neither covers the other.
    net, x, y = PRESETS["2-2-2 by hand"].make()
    _, points = network.activation_figure(net, net.backprop(x, y), 2)["data"]
    assert sorted(points["textposition"]) == ["bottom right", "top left"]
    z = np.array([0.5, -3.0, 0.51, 2.0, -2.9])           # by z: j=2, 5, 1, 3, 4
    assert network.label_sides(z) == ["top left", "top left", "bottom right", "top left",
                                      "bottom right"]


def test_activation_figure_of_softmax_has_no_curve():
    net, trace = random_net((3, 4), "softmax", "log_likelihood")
    fig = network.activation_figure(net, trace, 2)
    (points,) = fig["data"]
    np.testing.assert_allclose(np.sum(points["y"]), 1.0, rtol=1e-12)
    go.Figure(fig)


def test_cost_history_figure():
    costs = [0.3, 0.2, 0.15, 0.1]
    fig = network.cost_history_figure(costs)
    (line,) = fig["data"]
    assert list(line["x"]) == [0, 1, 2, 3] and list(line["y"]) == costs
    assert fig["layout"]["yaxis"]["rangemode"] == "tozero"
    go.Figure(fig)
    go.Figure(network.cost_history_figure([]))


def test_the_largest_layers_still_line_up():
    net, trace = random_net((MAX_NEURONS, MAX_NEURONS, 3), "sigmoid")
    fig = network.network_figure(net, trace)
    for h in heatmaps(fig):
        check_heatmap(fig, h, expected(net, trace, h["meta"]["quantity"], h["meta"]["l"]))
    fig = network.matrix_figure(net, trace, "w", 2)
    check_heatmap(fig, heatmaps(fig)[0], expected(net, trace, "w", 2))
    round_trip(fig, heatmaps(fig)[0], net, trace, lambda x, y: ("w", 2, y, x))
    fig = network.outer_product_figure(net, trace, 3)
    round_trip(fig, heat(fig, "a", 2), net, trace, lambda x, y: ("a", 2, x, None))
    go.Figure(fig)


# --- picking -----------------------------------------------------------------------------

def test_default_pick_of_every_step_is_known_there_and_explainable():
    net, trace = random_net()
    S = steps(net, trace)
    for s in S:
        pick = default_pick(s)
        assert (pick[0], pick[1]) in known(S, s.index)
        assert computed_at(S, pick[0], pick[1]) is s
        d = explain(net, trace, *pick)
        assert (d.quantity, d.l) == (s.quantity, s.l)
    assert computed_at(S, "w", 2) is None and computed_at(S, "b", 3) is None


def test_pick_layers():
    net, _ = random_net((3, 4, 2, 3))
    assert pick_layers(net, "a") == [1, 2, 3, 4]
    assert pick_layers(net, "cost") == [4]
    for q in ("z", "delta", "nabla_b", "nabla_w", "w", "b"):
        assert pick_layers(net, q) == [2, 3, 4]


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5),
       q=st.sampled_from(["w", "b", "z", "a", "cost", "delta", "nabla_b", "nabla_w"]),
       l=st.integers(-2, 8), j=st.one_of(st.none(), st.integers(-3, 9)),
       k=st.one_of(st.none(), st.integers(-3, 9)))
def test_clamp_pick_always_gives_a_cell_that_exists(sizes, q, l, j, k):
    net = Network.random(sizes, seed=0)
    trace = net.backprop(np.zeros(sizes[0]), np.zeros(sizes[-1]))
    pick = clamp_pick(net, q, l, j, k)
    assert pick[0] == q
    d = explain(net, trace, *pick)             # raises ValueError if the cell does not exist
    assert (d.quantity, d.l, d.j, d.k) == pick
    # a cell that exists stays where it is
    if pick[1] == l and q != "cost":
        n = net.sizes[l - 1]
        if j is not None and 1 <= j <= n:
            assert pick[2] == j


# --- panel titles sit the same distance above every row of panels -----------------------

def _anchor(a):
    """The vertical anchor Plotly uses for a paper-referenced annotation without an arrow:
    "auto" picks the side nearest the edge (top above 2/3, bottom below 1/3)."""
    y = a.get("yanchor", "auto")
    if y != "auto":
        return y
    return "top" if a["y"] > 2 / 3 else "bottom" if a["y"] < 1 / 3 else "middle"


@pytest.mark.parametrize("make", [hand, lambda: random_net((2, 3, 3, 3, 3, 1), "sigmoid"),
                                  lambda: random_net((16, 16, 16), "tanh")])
def test_panel_titles_sit_equally_far_above_their_panels_in_every_row(make):
    net, trace = make()
    fig = network.network_figure(net, trace)
    lay = fig["layout"]
    h = lay["height"] - lay["margin"]["t"] - lay["margin"]["b"]
    gaps = {}
    for t in heatmaps(fig):
        q, l = t["meta"]["quantity"], t["meta"]["l"]
        xd, yd = domains(fig, t)
        (title,) = [a for a in lay["annotations"] if "<br>" not in a["text"]
                    and a["text"].startswith("<b>") and abs(a["x"] - sum(xd) / 2) < 1e-9
                    and a["y"] > yd[1] and a["y"] - yd[1] < 60 / h]
        size = title["font"]["size"] * 1.2                  # one line of text, in pixels
        centre = (1 - title["y"]) * h - title.get("yshift", 0)
        bottom = centre + {"top": size, "middle": size / 2, "bottom": 0}[_anchor(title)]
        gaps[(q, l)] = (1 - yd[1]) * h - bottom             # from the title to the panel
    assert min(gaps.values()) >= 4, gaps
    assert max(gaps.values()) - min(gaps.values()) < 0.5, gaps


# --- light and dark themes, one pair of axes ---------------------------------------------

def labels_layer(fig):
    """The text trace of a figure's tick labels and '?' marks: [(x, y, text)] in pixels."""
    (t,) = [t for t in fig["data"] if (t.get("meta") or {}).get("labels")]
    return list(zip(np.asarray(t["x"], float), np.asarray(t["y"], float), t["text"])), t


def test_figures_leave_text_colours_to_the_theme():
    """Streamlit's template colours text by the theme, light or dark, and switches it when
    the user does: no figure may fix a text colour (the focus title's orange reads on both),
    a background, or fade its text."""
    net, trace = random_net()
    figs = all_figures(net, trace) + all_figures(net, trace, i=3)
    figs += [network.bias_figure(net, trace, 3), network.network_figure(
        net, trace, focus=("z", 3), marks=marks_for(("z", 3, 1, None)))]
    for fig in figs:
        lay = fig["layout"]
        assert "font" not in lay and "plot_bgcolor" not in lay and "paper_bgcolor" not in lay
        for a in lay["annotations"]:
            assert a["font"].get("color") in (None, FOCUS), a
            assert "opacity" not in a
        for t in fig["data"]:
            assert "color" not in t.get("textfont", {}) and "opacity" not in t, t.get("meta")
            if (t.get("meta") or {}).get("labels"):   # plotly.js hides text off the axes
                (x0, x1), (y1, y0) = lay["xaxis"]["range"], lay["yaxis"]["range"]
                assert np.all((x0 < np.asarray(t["x"])) & (np.asarray(t["x"]) < x1))
                assert np.all((y0 < np.asarray(t["y"])) & (np.asarray(t["y"]) < y1))


def test_marks_lie_on_a_light_halo():
    """A marked cell's dark outline is drawn over a wider light one: one of the two shows
    on any cell colour and on either theme's background."""
    net, trace = random_net()
    pick = ("delta", 2, 1, None)
    uses = explain(net, trace, *pick).uses
    fig = network.network_figure(net, trace, marks=marks_for(pick, uses))
    shapes = fig["layout"]["shapes"]
    marks = [i for i, s in enumerate(shapes) if s["line"]["color"] == MARK]
    assert len(marks) == len([u for u in uses if u[0] != "w"]) + 1    # no w in this figure
    for i in marks:
        halo = shapes[i - 1]
        assert halo["line"]["color"] == HALO and rect(halo) == rect(shapes[i])
        assert halo["line"]["width"] > shapes[i]["line"]["width"]


def test_a_question_mark_on_each_panel_not_yet_computed():
    net, trace = random_net((3, 4, 2, 3))
    S = steps(net, trace)
    fig = network.network_figure(net, trace, known=known(S, 2))
    labels, _ = labels_layer(fig)
    marks = sorted((x, y) for x, y, t in labels if t == "?")
    want = sorted(((x[0] + x[-1]) / 2, (y[0] + y[-1]) / 2)
                  for x, y, h in ((np.asarray(h["x"], float), np.asarray(h["y"], float), h)
                                  for h in heatmaps(fig)) if not h["meta"]["known"])
    assert len(want) == 10 - 3 and len(marks) == len(want)   # 10 panels: a¹, z², a² known
    np.testing.assert_allclose(marks, want, atol=1e-9)


def test_row_numbers_left_of_each_row_of_panels():
    """Row j of every panel of a kind is level with row j of the others: the numbers stand
    left of the first panel, and again left of any panel taller than the one before it.
    So every row of every panel has its number at its height, and the cells between the
    number and the row are that same row of the panels in between."""
    sizes = (3, 4, 2, 3)
    net, trace = random_net(sizes)
    fig = network.network_figure(net, trace)
    labels, _ = labels_layer(fig)
    numbers = [(x, y, t) for x, y, t in labels if t != "?"]
    panels = sorted(heatmaps(fig), key=lambda h: (h["meta"]["quantity"], h["meta"]["l"]))
    numbered = set()
    for h in panels:
        q, l = h["meta"]["quantity"], h["meta"]["l"]
        x, y = np.asarray(h["x"], float), np.asarray(h["y"], float)
        # the numbers right at its left edge, if it has them
        own = sorted((yy, t) for xx, yy, t in numbers if 0 < x[0] - xx < 10
                     and y[0] < yy < y[-1])
        if own:
            numbered.add((q, l))
            assert [t for _, t in own] == [str(j) for j in range(1, len(y))], (q, l)
            np.testing.assert_allclose([yy for yy, _ in own], (y[:-1] + y[1:]) / 2)
        # every row: its number at its height, left of it, and the panels from there on
        # all have that row
        left = [g for g in panels if g["meta"]["quantity"] == q and g["meta"]["l"] < l]
        for j in range(1, len(y)):
            yj = (y[j - 1] + y[j]) / 2
            xs = [xx for xx, yy, t in numbers if t == str(j) and abs(yy - yj) < 1e-9
                  and xx < x[0]]
            assert xs, (q, l, j)
            between = [g for g in left if max(xs) < float(np.asarray(g["x"], float)[0])]
            assert all(np.shape(g["z"])[0] >= j for g in between), (q, l, j)
    assert numbered == {("z", 2), ("z", 4), ("a", 1), ("a", 2), ("a", 4), ("delta", 2),
                        ("delta", 4)}


def test_matrix_figure_numbers_its_rows_and_columns():
    net, trace = random_net((3, 4, 2))
    fig = network.matrix_figure(net, trace, "w", 2)
    (h,) = heatmaps(fig)
    x, y = np.asarray(h["x"], float), np.asarray(h["y"], float)
    labels, t = labels_layer(fig)
    # plotly.js hides text outside the axes' range: every label lies within it
    (x0, x1), (y1, y0) = fig["layout"]["xaxis"]["range"], fig["layout"]["yaxis"]["range"]
    assert all(x0 < xx < x1 and y0 < yy < y1 for xx, yy, _ in labels)
    above = sorted((xx, s) for xx, yy, s in labels if yy < y[0])
    left = sorted((yy, s) for xx, yy, s in labels if xx < x[0])
    assert [s for _, s in above] == ["1", "2", "3"] and [s for _, s in left] == [
        "1", "2", "3", "4"]
    np.testing.assert_allclose([xx for xx, _ in above], (x[:-1] + x[1:]) / 2)
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    assert "k (layer 1, from)" in titles and "j (layer 2, to)" in titles


def test_training_figures_set_no_background():
    from explorer.train import training
    assert "plot_bgcolor" not in training.layout({}, 100, 100)

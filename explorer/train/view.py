"""The Train page (pages/4_Train.py): train the sidebar's network on a data set with
mini-batch SGD, watch the decision boundary move, see one mini-batch's gradient as the mean
of its examples', and step through any point. The state lives in ``explorer.train.trainer``."""

import streamlit as st

from backprop.explain.notation import pretty
from backprop.learn.data import DATASETS

from .. import frame, limits, state, widgets
from ..figures.plotly_chart import plotly_chart
from . import curves, datasets, minibatch, numbers, trainer, training, upload
from .datasets import md

ss = st.session_state
SHOWN = 6    # examples of a mini-batch drawn beside their mean


def widget(fn, label, key, value, on_change, **kw):
    """A widget whose value lives elsewhere (a page switch drops widget state)."""
    ss[f"train_w_{key}"] = value
    return fn(label, key=f"train_w_{key}", on_change=on_change, **kw)


def on_gen(key):
    def cb():
        try:
            trainer.set_gen(ss, key, ss[f"train_w_{key}"])
            ss.train_msg.pop("data", None)
        except (TypeError, ValueError) as e:
            ss.train_msg["data"] = f"{e}. The last data set stays."
    return cb


def upload_key():
    """The uploader's key: a new one after each refused file, which empties the uploader
    (a refused file would otherwise stay in it as a chip, as if it were loaded)."""
    n = ss.setdefault("train_upload_n", 0)
    return "train_w_upload" + (f"_{n}" if n else "")


def refused(name, why):
    ss.train_msg["data"] = f"Could not use {datasets.short(name)}: {why}. The last data set stays."
    ss.train_upload_n += 1


def on_upload():
    up = ss.get(upload_key())
    if up is None:                  # the file was removed: so is what was said about it
        ss.train_msg.pop("data", None)
        return
    try:
        if up.size > limits.MAX_CSV_BYTES:   # before reading it
            raise ValueError(upload.too_large(up.size))
        d = upload.read_csv(up.getvalue(), up.name, ss.train_gen["test"],
                            ss.train_gen["seed"])
        trainer.set_data(ss, d)
        ss.train_msg.pop("data", None)
    except ValueError as e:
        refused(up.name, e)


def recipe():
    """The name of the generated data set in use, if it has a recipe; None for a file."""
    name = ss.train_gen["name"]
    return None if ss.train_data.uploaded or name not in datasets.RECIPES else name


def on_fit():
    d, name = ss.train_data, recipe()
    try:
        if name:        # the network, η and m that learn this set reliably
            net = datasets.recipe_network(name, ss.seed)
        else:           # a file: the sidebar's hidden layers, with n₁ and n_L that fit it
            net = datasets.fitted(d, ss.net, ss.seed, ss.init)
        row = d.train[0]
        state.set_network(net, d.X[row], d.targets(net.sizes[-1], [row])[0])
        ss.preset = state.CUSTOM
        if name:
            r = datasets.RECIPES[name]
            ss.init, ss.train_eta, ss.train_m = datasets.RECIPE_INIT, r.eta, r.m
        trainer.ensure(ss)
        ss.train_msg.pop("fit", None)
    except ValueError as e:
        ss.train_msg["fit"] = f"{e}."


def fit_button(primary):
    name = recipe()
    label = f"Use a network that learns {name}" if name else "Fit the network to the data"
    help_ = (f"{datasets.describe(datasets.RECIPES[name], ss.train_data.features)}: reaches "
             f"{datasets.RECIPES[name].promise()} on the noise-free set, for every seed "
             "tried." if name else "Same hidden layers and activations; n₁ = the number "
             "of features, and an output layer that fits the classes.")
    st.button(label, key="train_fit", on_click=on_fit, type="primary" if primary else
              "secondary", help=help_)
    message("fit")


def on_pick():
    pick = trainer.pick_from_points(ss.train_chart_boundary["selection"]["points"])
    if pick is None:
        return
    try:
        x, y, net = trainer.point(ss, *pick)
        state.set_network(net, x, y)   # the point becomes the example (x, y) ...
    except ValueError as e:         # a stale click, or weights beyond the hosted limits
        ss.train_msg["train"] = f"That point cannot be the example: {e}."
        return
    ss.preset = state.CUSTOM
    trainer.picked(ss, pick)        # ... on the weights trained so far; training goes on


def message(where):
    text = ss.train_msg.get(where)
    if text:
        st.error(md(text), icon=":material/warning:")


def page():
    """The whole page, below the sidebar."""
    trainer.ensure(ss)
    st.title("Learn from data")
    st.markdown("Backpropagation gives ∂Cₓ/∂w for **one** example x. Learning averages them: "
                "mini-batch SGD shuffles the data, takes m examples at a time, and steps "
                "w ← w − η ∂C/∂w on their mean. Train the sidebar's network here, watch its "
                "decision boundary move, and click any point to step through it.")
    data_section()
    problem = datasets.fit_problem(ss.train_data, ss.train_progress.net)
    if problem:
        st.warning(problem, icon=":material/tune:")
        fit_button(primary=True)
        return
    small = recipe() and datasets.too_small(recipe(), ss.train_progress.net)
    if small:
        st.info(small, icon=":material/tune:")
        fit_button(primary=False)
    st.fragment(frame.guard(workbench))()


def workbench():
    """The controls, the figures and the mini-batch: a fragment, so that a click on Step,
    Run one epoch, Play or Pause redraws this part of the page only. While Play is on, two
    fragments inside it repaint by themselves: the boundary (each run a tick of training)
    and, less often, the curves."""
    playing = ss.train_playing
    controls()
    if playing:
        st.fragment(run_every=limits.TICK_SECONDS)(frame.guard(live_playing))()
        st.fragment(run_every=limits.CURVES_SECONDS)(frame.guard(history_playing))()
    else:
        st.fragment(frame.guard(live))()
        st.fragment(frame.guard(history_view))()
    batch_section()


# While Play is on, the two timed fragments are these functions: a fragment's identity is
# its function's name and place, so after Pause (a run of the workbench only) they are
# gone, and Streamlit tells the browser to stop their timers. Pause needs no run of the
# whole page, which on a busy server took seconds.
def live_playing():
    live()


def history_playing():
    history_view()


def data_section():
    gen, d = ss.train_gen, ss.train_data
    st.markdown(f"##### Data: {md(d.name)} · {len(d.train)} training and {len(d.test)} test "
                "points")
    make, from_file = st.tabs(["Generate", "Upload a CSV"])
    with make:
        c = st.columns([1.4, 1, 1])
        widget(c[0].selectbox, "Data set", "name", gen["name"], on_gen("name"),
               options=list(DATASETS),
               help=" ".join(f"{k}: {v.blurb}" for k, v in DATASETS.items()))
        widget(c[1].number_input, "Points n", "n", gen["n"], on_gen("n"), min_value=2,
               max_value=limits.MAX_POINTS, step=50)
        widget(c[2].slider, "Noise", "noise", gen["noise"], on_gen("noise"), min_value=0.0,
               max_value=limits.MAX_NOISE, step=0.01)
    with from_file:
        st.file_uploader(f"A CSV file: a header row, then one example a row; feature columns "
                         f"and a label column (named label, class, y or target, or else the "
                         f"last). At most {limits.MAX_POINTS:,} rows, {limits.MAX_NEURONS} "
                         f"features, {limits.MAX_CELL_CHARS} characters a cell and "
                         f"{limits.UPLOAD_MB} MB (any {limits.MAX_POINTS:,} × "
                         f"{limits.MAX_NEURONS} file pandas writes fits); pandas' unnamed "
                         "index column is skipped.", type=["csv"], key=upload_key(),
                         on_change=on_upload, max_upload_size=limits.UPLOAD_MB)
        # the browser refuses a file over 1 MB, or not .csv, by itself: the page says so
        upload.watch("train_upload_watch", "train_w_upload",
                     lambda name, size: refused(name, upload.refusal(name, size)))
    c = st.columns([1, 1, 1.4])
    widget(c[0].slider, "Test fraction", "test", gen["test"], on_gen("test"), min_value=0.0,
           max_value=limits.MAX_TEST, step=0.05, help="The share of the points kept out of "
           "training, to test on (of an uploaded file too).")
    widget(c[1].number_input, "Seed", "seed", gen["seed"], on_gen("seed"), min_value=0,
           max_value=limits.MAX_SEED, step=1, help="Draws the points, splits them, and "
           "shuffles them every epoch.")
    message("data")


def controls():
    p = ss.train_progress
    stopped = p.history.diverged is not None or p.epoch >= limits.MAX_EPOCHS
    # One row that wraps where the screen is narrow: the buttons keep their labels whole.
    row = widgets.wrapping_row(vertical_alignment="bottom")
    box = dict(width=150)       # pixels, for the three numbers
    widget(row.number_input, "Learning rate η", "eta", ss.train_eta,
           lambda: ss.update(train_eta=ss.train_w_eta), min_value=limits.ETA_MIN,
           max_value=limits.ETA_MAX, format="%.4g", **box)
    widget(row.number_input, "Mini-batch m", "m", ss.train_m,
           lambda: trainer.on_batch_size(ss, ss.train_w_m), min_value=1,
           max_value=limits.MAX_BATCH, step=1, **box)
    widget(row.number_input, "L2 λ", "lmbda", ss.train_lmbda,
           lambda: ss.update(train_lmbda=ss.train_w_lmbda), min_value=0.0,
           max_value=limits.LAMBDA_MAX, format="%.3g", **box,
           help="Regularisation (Nielsen, chapter 3): C = C₀ + (λ/2n) Σ w².")
    row.button("Step one mini-batch", key="train_step", on_click=trainer.step_batch,
               args=(ss,), disabled=stopped or ss.train_playing)
    row.button("Run one epoch", key="train_epoch", on_click=trainer.run_epoch, args=(ss,),
               disabled=stopped or ss.train_playing)
    if ss.train_playing:
        row.button("Pause", key="train_play", icon=":material/pause:", type="primary",
                   on_click=trainer.play, args=(ss, False))
    else:
        row.button("Play", key="train_play", icon=":material/play_arrow:", type="primary",
                   on_click=trainer.play, args=(ss, True), disabled=stopped)
    row.button("Reset", key="train_reset", on_click=trainer.reset, args=(ss,))


def live():
    """What Play repaints at once: a fragment, rerun every TICK_SECONDS while Play is on;
    each run is one tick of training."""
    if ss.train_playing and not trainer.tick(ss):
        st.rerun(scope="app")   # Play stopped by itself: the page without timers
    p, d = ss.train_progress, ss.train_data
    h = p.history
    m = st.columns(5)
    m[0].metric("Epoch", f"{p.epoch}" + (f" + {p.batch}/{trainer.per_epoch(ss)}" if p.batch
                                         else ""))
    # The figures of the weights drawn below, mid-epoch too; the curves hold whole epochs.
    cost, acc, test_cost, test_acc = trainer.scores_now(ss)
    m[1].metric("Training cost C", f"{cost:.4g}")
    if d.classes:
        m[2].metric("Training accuracy", f"{acc:.1%}")
        if len(d.test):
            m[3].metric("Test accuracy", f"{test_acc:.1%}")
    elif len(d.test):
        m[3].metric("Test cost", f"{test_cost:.4g}")
    if ss.train_playing:
        m[4].caption(f"Playing: pauses itself after {limits.PLAY_EPOCHS} epochs."
                     + (" The server is busy: training slows down." if ss.train_busy
                        else ""))
    else:
        at = trainer.position(p.epoch, p.batch, trainer.per_epoch(ss))
        m[4].caption(f"Cost and accuracy of the weights shown: those of {at}"
                     + (" (the curves end at the last whole epoch)." if p.batch and h.epochs
                        else "."))
    if h.diverged:
        st.error(h.diverged.message + " Press Reset to start again.", icon=":material/error:")
    message("train")
    left, right = st.columns([1.3, 1], vertical_alignment="center")
    with left:
        fig = training.boundary_figure(d, p.net, p, ss.train_point)
        if not ss.train_playing:    # the mini-batch shown below: its points ringed
            minibatch.with_marks(fig, d, minibatch.next_rows(
                len(d.train), ss.train_m, ss.train_gen["seed"], p))
        at = trainer.position(p.epoch, p.batch, trainer.per_epoch(ss))
        lmbda = float(ss.train_lmbda) if 0 <= ss.train_lmbda <= limits.LAMBDA_MAX else 0.0
        plotly_chart(curves.plain_numbers(fig), key="train_chart_boundary",
                     name=numbers.boundary_name(d, at, cost, acc, test_acc),
                     table=lambda: numbers.boundary_tables(d, p.net, lmbda),
                     label="Numbers as a table: cost, accuracy, points per class",
                     on_select=on_pick, selection_mode="points")
    trainer.drawn(ss, p)    # Pause goes back to the network on screen, if a tick ran on
    with right:
        picked()
        training.shown("train_shown", p, "train_play", lambda at: trainer.paused_at(ss, at))


def history_view():
    """Cost, accuracy and gradient flow per epoch: a fragment of its own, redrawn every
    CURVES_SECONDS while Play is on (the browser then redraws the boundary alone)."""
    h = ss.train_progress.history
    if not h.epochs:
        st.info("Step, run an epoch or press Play: the cost, the accuracy and the "
                "gradient flow appear here after the first epoch.")
        return
    left, right = st.columns(2)
    with left:
        plotly_chart(curves.curves_figure(h), key="train_chart_curves",
                     name=numbers.curves_name(h), table=lambda: numbers.curves_table(h),
                     label="Numbers as a table: cost and accuracy per epoch")
    with right:
        flow(h)


def picked():
    st.markdown(training.legend(ss.train_data))
    if ss.train_point is None:
        st.caption("Click any point: it becomes the example (x, y) on the weights trained "
                   "so far, to step through.")
        return
    split, i = ss.train_point
    at = trainer.position(*ss.get("train_point_at", (0, 0)), trainer.per_epoch(ss))
    st.success(pretty(f"Point {i} of the {split} points is now the example (x, y), on the "
                      f"weights of {at}: x = "
                      f"({', '.join(f'{v:.4g}' for v in ss.x)}), y = "
                      f"({', '.join(f'{v:.4g}' for v in ss.y)})."), icon=":material/ads_click:")
    st.page_link("pages/2_Step_through.py", label="Step through this point",
                 icon=":material/play_arrow:")


def flow(h):
    ss.train_w_flow = ss.train_flow
    st.radio(f"Gradient flow, {curves.EPOCH_MEAN}", list(curves.FLOW), key="train_w_flow",
             horizontal=True,
             format_func=lambda k: f"{curves.FLOW[k][0]}: {curves.FLOW[k][1]}",
             on_change=lambda: ss.update(train_flow=ss.train_w_flow))
    plotly_chart(curves.flow_figure(h, ss.train_flow), key="train_chart_flow",
                 name=numbers.flow_name(h, ss.train_flow),
                 table=lambda: numbers.flow_table(h, ss.train_flow),
                 label="Numbers as a table: gradient flow per epoch")
    st.markdown(f"**{curves.flow_sentence(h, ss.train_flow)}**")
    st.caption(curves.CONTRAST)


def batch_section():
    st.markdown("#### The mini-batch as an average")
    if ss.train_playing:
        st.caption("Pause to see the next mini-batch, example by example.")
        return
    p, d = ss.train_progress, ss.train_data
    net = p.net
    X, Y = trainer.next_batch(ss)
    rows = minibatch.next_rows(len(d.train), ss.train_m, ss.train_gen["seed"], p)
    st.markdown(minibatch.batch_name(p, trainer.per_epoch(ss), len(X)))
    layers = list(net.w)
    if ss.train_layer not in layers:
        ss.train_layer = layers[-1]
    ss.train_w_layer = ss.train_layer
    l = st.selectbox("Layer l", layers, key="train_w_layer",
                     on_change=lambda: ss.update(train_layer=ss.train_w_layer))
    st.latex(r"C = \frac{1}{m}\sum_x C_x \quad\Longrightarrow\quad \frac{\partial C}"
             r"{\partial w^{" + str(l) + r"}} = \frac{1}{m}\sum_x \frac{\partial C_x}"
             r"{\partial w^{" + str(l) + r"}}, \qquad m = " + str(len(X)))
    traces = [net.backprop(x, y) for x, y in zip(X, Y)]
    mean = net.gradient(X, Y)
    plotly_chart(minibatch.batch_figure(traces[:SHOWN], mean, l, len(X), rows[:SHOWN]),
                 key="train_chart_batch",
                 name=numbers.batch_name(l, len(X), len(traces[:SHOWN])),
                 table=lambda: numbers.batch_tables(traces[:SHOWN], mean, l, len(X),
                                                    rows[:SHOWN]),
                 label="Numbers as a table: the mini-batch's gradients")
    st.markdown(minibatch.adds_up(traces, mean, l, SHOWN))

"""The Train page's figures as text: a short name each, and their numbers as tables. The
boundary figure's grid of outputs is not a table anyone reads: its summary is (the cost and
the accuracy, and the points per true and per predicted class); the curves are their
per-epoch rows, at most ``MAX_ROWS``, the last epoch always in."""

import numpy as np
import pandas as pd

from backprop.explain.notation import pretty
from backprop.learn import train

from ..figures.numbers import bounded
from .curves import FLOW
from .datasets import md


def predicted(net, X):
    """The class the network gives each row of X: a^L_1 ≥ ½ for one output, else the
    largest a^L_j (as ``backprop.learn`` counts accuracy)."""
    a = net.feedforward(X)
    return (a[:, 0] >= 0.5).astype(int) if a.shape[1] == 1 else np.argmax(a, axis=1)


def boundary_tables(d, net, lmbda=0.0):
    """{title: DataFrame}: the cost and accuracy of ``net`` on the training and test points
    of the data d (λ term as the page's metrics), and, for classes, the points per true and
    per predicted class."""
    (X, Y), (Xt, Yt) = d.split_for(net)
    splits = {"training": (d.train, X, Y), "test": (d.test, Xt, Yt)}
    rows = {}
    for split, (r, x, y) in splits.items():
        if len(r):
            cost, acc = train.scores(net, x, y, lmbda, len(X))
            rows[split] = {"points": len(r), "cost C": cost,
                           **({"accuracy %": 100 * acc} if d.classes else {})}
    out = {"cost and accuracy": pd.DataFrame.from_dict(rows, orient="index")
           .rename_axis("points")}
    if d.classes:
        per = {}
        for split, (r, x, _) in splits.items():
            if len(r):
                k = len(d.classes)
                per[f"{split}: true"] = np.bincount(d.c[r], minlength=k)[:k]
                per[f"{split}: predicted"] = np.bincount(predicted(net, x), minlength=k)[:k]
        # class names may come from an uploaded file: st.table reads Markdown, so escaped
        out["points per class"] = pd.DataFrame(
            per, index=pd.Index([md(c) for c in d.classes], name="class"))
    return out


def boundary_name(d, at, cost, acc, test_acc):
    """"Decision boundary and data, epoch 40: training cost 0.12, accuracy 97.0 %"."""
    what = ("Network output and data" if d.features == 1 else
            "Decision boundary and data" if d.features == 2 and d.classes else
            "Network output and data" if d.features == 2 else
            f"Data on the first two of its {d.features} features")
    text = f"{what}, {at}: training cost {cost:.4g}"
    if d.classes:
        text += f", accuracy {acc:.1%}"
        if len(d.test):
            text += f", test accuracy {test_acc:.1%}"
    return text


def curves_table(history, n=None):
    """Cost and accuracy per epoch, training and test, bounded (``bounded``); columns with
    no number (no test rows, no classes) left out."""
    cols = {"training cost": history.cost, "test cost": history.test_cost,
            "training accuracy %": 100 * np.asarray(history.accuracy, dtype=np.float64),
            "test accuracy %": 100 * np.asarray(history.test_accuracy, dtype=np.float64)}
    df = pd.DataFrame({k: np.asarray(v, dtype=np.float64) for k, v in cols.items()
                       if np.isfinite(np.asarray(v, dtype=np.float64)).any()},
                      index=pd.Index(range(1, history.epochs + 1), name="epoch"))
    return {"per epoch": bounded(df, *(() if n is None else (n,)))}


def curves_name(history):
    e = history.epochs
    text = f"Cost and accuracy per epoch, {e} epoch{'s' if e > 1 else ''}: cost " \
           f"{history.cost[-1]:.4g}"
    if np.isfinite(history.accuracy[-1]):
        text += f", accuracy {history.accuracy[-1]:.1%}"
    return text + f" at epoch {e}"


def flow_table(history, name):
    """The flow figure's values per epoch, a column per layer, bounded."""
    per = history.per_layer(name)
    df = pd.DataFrame({f"layer {l}": np.asarray(v, dtype=np.float64) for l, v in per.items()},
                      index=pd.Index(range(1, history.epochs + 1), name="epoch"))
    return {f"{FLOW[name][0]} per epoch": bounded(df)}


def flow_name(history, name):
    last = {l: float(v[-1]) for l, v in history.per_layer(name).items()}
    values = ", ".join(f"layer {l} {v:.3g}" for l, v in last.items())
    e = history.epochs
    return (f"Gradient flow {FLOW[name][0]} per layer over {e} epoch{'s' if e > 1 else ''}, "
            f"log scale; in epoch {e}: {values}")


def batch_tables(traces, mean, l, m, points=None):
    """The batch figure's matrices: the mean of ∂C_x/∂wˡ over the m examples, then each
    example's drawn, rows j and columns k."""
    def table(v):
        return pd.DataFrame(np.asarray(v, dtype=np.float64),
                            index=pd.Index([f"j={j}" for j in range(1, v.shape[0] + 1)],
                                           name="row"),
                            columns=[f"k={k}" for k in range(1, v.shape[1] + 1)])
    sup = pretty(f"^{l}")
    out = {f"mean over the m = {m} examples: ∂C/∂w{sup}": table(mean.nabla_w[l])}
    for i, t in enumerate(traces, 1):
        point = f" (training point {int(points[i - 1])})" if points is not None else ""
        out[f"example {i}{point}: ∂Cₓ/∂w{sup}"] = table(t.nabla_w[l])
    return out


def batch_name(l, m, shown):
    sup = pretty(f"^{l}")
    return (f"Heatmaps of ∂C/∂w{sup}: the mean over the mini-batch's m = {m} examples, "
            f"then the first {shown} examples' ∂Cₓ/∂w{sup}")

"""The data the Train page learns from: a generated set or an uploaded CSV (read by
``upload``), split into training and test rows; whether the network fits it, and the
network that would; and user text made safe to show.

A ``Data`` keeps the classes as numbers 0..k−1 (or the targets, for regression) and turns
them into targets only for a given network: a 0/1 column for one output neuron, one-hot
rows for one neuron per class."""

import re
from dataclasses import dataclass

import numpy as np

from backprop import Network
from backprop.learn import data

from .. import limits


@dataclass(frozen=True, eq=False)
class Data:
    name: str              # shortened; may come from a file name: show it with md()
    X: np.ndarray          # n × n_1
    c: np.ndarray          # n class numbers 0..k−1, or n targets (regression)
    classes: tuple         # the class names (shortened user text), () for regression
    train: np.ndarray      # rows for training
    test: np.ndarray       # rows for testing
    uploaded: bool = False

    @property
    def features(self):
        return self.X.shape[1]

    def targets(self, n_out, rows=None):
        """Y for a network with n_out output neurons (rows: all, or the given ones)."""
        c = self.c if rows is None else self.c[rows]
        if not self.classes:
            return c[:, None].astype(np.float64)
        return data.targets(c, n_out)

    def split_for(self, net):
        """((X, Y) of the training rows, (X, Y) of the test rows) for ``net``."""
        n_out = net.sizes[-1]
        return ((self.X[self.train], self.targets(n_out, self.train)),
                (self.X[self.test], self.targets(n_out, self.test)))


def generate(name, n, noise, test, seed):
    """One of backprop.data's sets, a fraction ``test`` of its rows kept for testing."""
    if name not in data.DATASETS:
        raise ValueError(f"unknown data set; choose one of {', '.join(data.DATASETS)}")
    if not 2 <= n <= limits.MAX_POINTS:
        raise ValueError(f"n must lie between 2 and {limits.MAX_POINTS}")
    if not 0 <= noise <= limits.MAX_NOISE:
        raise ValueError(f"the noise must lie between 0 and {limits.MAX_NOISE:g}")
    check_split(test, seed)
    d = data.DATASETS[name]
    X, Y = d.make(int(n), noise, int(seed))
    classes = ("0", "1") if d.classes else ()
    c = Y[:, 0].astype(int) if classes else Y[:, 0]
    return split_data(f"{name}, n = {n}, noise {noise:g}", X, c, classes, test, seed)


def check_split(test, seed):
    if not 0 <= test <= limits.MAX_TEST:
        raise ValueError(f"the test fraction must lie between 0 and {limits.MAX_TEST:g}")
    if not 0 <= seed <= limits.MAX_SEED:
        raise ValueError(f"the seed must lie between 0 and {limits.MAX_SEED}")


def split_data(name, X, c, classes, test_fraction, seed, uploaded=False):
    """A Data of X and c, a fraction of its rows drawn by ``seed`` kept for testing."""
    train, test = data.split_indices(len(X), test_fraction, seed)
    for v in (X, c):
        v.flags.writeable = False
    return Data(name, X, c, classes, train, test, uploaded)


def resplit(d, test, seed):
    """The same data split again: a fraction ``test`` of the rows, drawn by ``seed``."""
    check_split(test, seed)
    return split_data(d.name, d.X, d.c, d.classes, test, seed, d.uploaded)


def short(text, limit=40):
    """User text with control characters made spaces, shortened to ``limit`` characters.
    Show it with ``md`` (Streamlit Markdown) or ``html`` (Plotly labels), never raw."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", str(text)).strip()
    return text[:limit - 1] + "…" if len(text) > limit else text


def md(text):
    """Text that Markdown shows as it is: every mark escaped."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|~$:=&])", r"\\\1", text)


def html(text):
    """Text that Plotly shows as it is: its tags and entities escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def n_out_for(d, net):
    """The output size that fits d: net's own if it fits; else 1 for regression or two
    classes (unless the output is softmax), and one neuron per class otherwise."""
    k, nL = len(d.classes), net.sizes[-1]
    if not k:
        return 1
    if nL == k or (nL == 1 and k == 2):
        return nL
    return k if (k > 2 or net.activations[net.L] == "softmax") else 1


def fit_problem(d, net):
    """What keeps ``net`` from learning ``d``, in a sentence; None if it fits."""
    n1, nL, L, k = net.sizes[0], net.sizes[-1], net.L, len(d.classes)
    if n1 != d.features:
        return (f"The network has n₁ = {n1} inputs but the data has {d.features} "
                f"feature{'s' if d.features > 1 else ''}: layer 1 needs one neuron per feature.")
    if not k and nL != 1:
        return (f"The output layer has n_{L} = {nL} neurons, but this data is a regression "
                "with one number y per example: it needs one output neuron.")
    if k and not (nL == k or (nL == 1 and k == 2)):
        two = " or, for two classes, a single neuron (y = 0 or 1)" if k == 2 else ""
        return (f"The output layer has n_{L} = {nL} neurons, but the data has {k} classes: "
                f"it needs one neuron per class ({k}){two}.")
    return None


@dataclass(frozen=True)
class Recipe:
    """A network and its training settings that learn a generated data set reliably: on
    the noise-free set of 200 points, training reaches ``goal`` (accuracy, or for the
    sine a cost C at most ``goal``) within ``epochs`` epochs for every seed tried (tests/
    test_datasets.py checks 5 seeds)."""
    hidden: tuple          # n_l of the hidden layers
    activations: tuple     # σ of layers 2..L
    cost: str
    eta: float
    m: int
    epochs: int
    goal: float

    def sizes(self, n_in):
        return [n_in, *self.hidden, 1]

    def promise(self):
        """What the recipe reaches, in words."""
        what = (f"a training cost C ≤ {self.goal:g}" if self.cost == "quadratic"
                else f"{self.goal:.0%} training accuracy")
        return f"{what} within {self.epochs} epochs"


_TANH = ("tanh", "sigmoid")
RECIPES = {
    "xor": Recipe((8,), _TANH, "cross_entropy", 1.0, 10, 50, 1.0),
    "circles": Recipe((8,), _TANH, "cross_entropy", 1.0, 10, 150, 0.99),
    "two gaussians": Recipe((8,), _TANH, "cross_entropy", 1.0, 10, 50, 0.97),
    "two moons": Recipe((8,), _TANH, "cross_entropy", 1.0, 10, 100, 0.99),
    "spiral": Recipe((16, 16), ("tanh", "tanh", "sigmoid"), "cross_entropy", 0.5, 10, 500,
                     0.9),
    "sine": Recipe((8,), _TANH, "quadratic", 2.0, 10, 100, 0.002),
}
RECIPE_INIT = "scaled"


def recipe_network(name, seed):
    """The network of RECIPES[name], weights drawn by ``seed`` (scaled initialisation)."""
    r = RECIPES[name]
    return Network.random(r.sizes(data.DATASETS[name].features), list(r.activations), r.cost,
                          seed=int(seed), init=RECIPE_INIT)


def describe(r, n_in):
    sizes = "-".join(map(str, r.sizes(n_in)))
    acts = ", ".join(dict.fromkeys(r.activations))
    return (f"{sizes} ({acts}; {r.cost.replace('_', '-')} cost), η = {r.eta:g}, "
            f"m = {r.m}")


def too_small(name, net):
    """A sentence when ``net`` has fewer hidden layers or neurons than the network that
    learns the generated set ``name`` reliably; None otherwise (or for an uploaded set)."""
    r = RECIPES.get(name)
    hidden = net.sizes[1:-1]
    if r is None or name == "two gaussians":     # one straight line separates these
        return None
    if len(hidden) >= len(r.hidden) and sum(hidden) >= sum(r.hidden):
        return None
    have = (f"{sum(hidden)} hidden neuron{'s' if sum(hidden) != 1 else ''}" if hidden
            else "no hidden layer")
    if len(hidden) < len(r.hidden) and hidden:
        have += f" in {len(hidden)} layer{'s' if len(hidden) > 1 else ''}"
    return (f"The network has {have}: likely too small to learn {name} reliably. The fit "
            "offers "
            f"{describe(r, net.sizes[0])}, which reaches {r.promise()} on the noise-free set "
            "for every seed tried.")


def fitted(d, net, seed, init):
    """A network like ``net`` (same hidden layers, activations and cost where they still
    apply) with n₁ = the features and n_L fitting the classes; new weights from seed, init."""
    n_out = n_out_for(d, net)
    sizes = [d.features, *net.sizes[1:-1], n_out]
    acts = list(net.activations.values())
    cost = net.cost
    if n_out == 1 and acts[-1] == "softmax":
        acts[-1] = "sigmoid"
        cost = "cross_entropy" if cost == "log_likelihood" else cost
    return Network.random(sizes, acts, cost, seed=int(seed), init=init)

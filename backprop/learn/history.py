"""What training records: where it diverged, the per-epoch History, and the Progress of
a run that may go on later; and the two figures taken at the end of every epoch."""

import math
from dataclasses import dataclass, field

import numpy as np

from ..activations import ACTIVATIONS
from ..costs import COSTS
from ..layers import Layers


@dataclass(frozen=True)
class Divergence:
    """Where training stopped: the step of mini-batch ``batch`` of epoch ``epoch`` (both
    from 1) made ``what`` (e.g. "w^3") ``how`` ("NaN", "infinite", "larger than 1000")."""

    epoch: int
    batch: int
    layer: int
    what: str
    how: str
    eta: float

    @property
    def message(self):
        return (f"Training stopped in epoch {self.epoch}, mini-batch {self.batch}: that step "
                f"made {self.what} {self.how} (layer {self.layer}). The network kept is the "
                f"last one before that step. Try a smaller learning rate η (it is "
                f"{self.eta:g}), or smaller initial weights (init: scaled).")


@dataclass(frozen=True, eq=False)
class History:
    """One entry per finished epoch. ``cost`` includes the λ term; ``accuracy`` is NaN for
    regression. ``nabla_w_norm[e][l − 2]`` is ‖∂C/∂wˡ‖ (without the λ term) and
    ``delta_mean[e][l − 2]`` is mean_j |∂C/∂bˡⱼ|, the mini-batch's δˡ by BP3 (Nielsen's
    "speed of learning" of layer l), each averaged over the epoch's mini-batches."""

    cost: tuple = ()
    accuracy: tuple = ()
    test_cost: tuple = ()
    test_accuracy: tuple = ()
    nabla_w_norm: tuple = ()
    delta_mean: tuple = ()
    diverged: Divergence = None

    @property
    def epochs(self):
        return len(self.cost)

    def per_layer(self, name):
        """``nabla_w_norm`` or ``delta_mean`` as Layers: l -> one value per epoch."""
        rows = np.array(getattr(self, name), dtype=np.float64).reshape(self.epochs, -1)
        return Layers(2, list(rows.T))


@dataclass(frozen=True, eq=False)
class Progress:
    """Training so far: the network, how many epochs and mini-batches of the current epoch
    are done, the History, and the running sums of the current epoch's per-layer figures."""

    net: object
    epoch: int = 0
    batch: int = 0
    history: History = field(default_factory=History)
    sums: tuple = ()


def scores(net, X, Y, lmbda=0.0, n=1):
    """(C, accuracy) of ``net`` on the rows of X and Y, from one forward pass: C = (1/n')
    Σ_x C_x over the n' rows plus (λ/2n) Σ_l ‖wˡ‖²; accuracy as ``accuracy`` says. Both NaN
    for no rows."""
    if not len(X):
        return math.nan, math.nan
    a = X
    for w, b, name in zip(net.w.values(), net.b.values(), net.activations.values()):
        z = a @ w.T + b
        a = ACTIVATIONS[name].fn(z)
    cost = float(np.mean(COSTS[net.cost].fn(z, a, Y, ACTIVATIONS[name])))
    if lmbda:
        cost += 0.5 * lmbda / n * sum(float(np.sum(w * w)) for w in net.w.values())
    return cost, _accuracy(a, Y)


def accuracy(net, X, Y):
    """The fraction of rows classified right: a^L ≥ ½ against a 0/1 column, or the largest
    a^L_j against one-hot rows; NaN when Y holds no classes (regression)."""
    return _accuracy(net.feedforward(X), Y) if len(X) else math.nan


def _accuracy(a, Y):
    if not _is_classes(Y):
        return math.nan
    if Y.shape[1] == 1:
        return float(np.mean((a[:, 0] >= 0.5) == (Y[:, 0] == 1)))
    return float(np.mean(np.argmax(a, axis=1) == np.argmax(Y, axis=1)))


def _is_classes(Y):
    if not np.isin(Y, (0.0, 1.0)).all():
        return False
    return Y.shape[1] == 1 or bool(np.all(Y.sum(axis=1) == 1))

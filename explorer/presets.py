"""Ready-made networks, each with one training example (x, y)."""

from dataclasses import dataclass

import numpy as np

from backprop import Network


@dataclass(frozen=True)
class Preset:
    name: str
    blurb: str
    make: object   # () -> (Network, x, y)


def _hand_check():
    # Small enough to redo with a pencil: the classic 2-2-2 worked example
    # (inputs 0.05, 0.10; targets 0.01, 0.99).
    net = Network([[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
                  [[0.35, 0.35], [0.60, 0.60]], "sigmoid", "quadratic")
    return net, np.array([0.05, 0.10]), np.array([0.01, 0.99])


def _xor():
    net = Network.random([2, 2, 1], "sigmoid", "quadratic", seed=3, init="standard")
    return net, np.array([1.0, 0.0]), np.array([1.0])


def _deep_chain():
    net = Network.random([2, 3, 3, 3, 3, 1], "sigmoid", "quadratic", seed=1, init="standard")
    return net, np.array([0.8, -0.4]), np.array([1.0])


def _softmax():
    net = Network.random([3, 4, 3], ["sigmoid", "softmax"], "log_likelihood", seed=2,
                         init="scaled")
    return net, np.array([0.9, 0.2, -0.5]), np.array([0.0, 1.0, 0.0])


PRESETS = {p.name: p for p in (
    Preset("2-2-2 by hand", "Two inputs, two hidden, two outputs, round weights: small "
           "enough to check every number with a pencil.", _hand_check),
    Preset("XOR (2-2-1)", "The smallest network that can learn XOR, on the example "
           "(1, 0) → 1.", _xor),
    Preset("Deep sigmoid chain", "Four hidden sigmoid layers of 3: watch δ shrink layer by "
           "layer as it moves back. Each step back multiplies it by wᵀ and by σ′: the products "
           "|w · σ′| decide, and here every one is below 1 (σ′ ≤ ¼, but large weights could "
           "make δ grow).", _deep_chain),
    Preset("Softmax classifier", "Three classes, softmax output and the log-likelihood cost: "
           "with a one-hot target, δᴸ = aᴸ − y.", _softmax),
)}

DEFAULT = "2-2-2 by hand"


def default_network():
    """(net, x, y) of the network every new session starts with."""
    return PRESETS[DEFAULT].make()

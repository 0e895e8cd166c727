"""Records of one forward and backward pass, and of a gradient."""

from dataclasses import dataclass

import numpy as np

from .layers import Layers


@dataclass(frozen=True, eq=False)
class Gradient:
    """∂C/∂w^l and ∂C/∂b^l for l = 2..L, and the cost C they belong to."""

    nabla_w: Layers   # nabla_w[l]: (n_l, n_{l−1})
    nabla_b: Layers   # nabla_b[l]: (n_l,)
    cost: float


@dataclass(frozen=True, eq=False)
class Trace(Gradient):
    """Every quantity of backpropagation for one training example (x, y).

    ``a`` holds layers 1..L (a^1 = x); ``z``, ``sp`` (σ'(z^l)), ``delta``, ``nabla_w`` and
    ``nabla_b`` hold layers 2..L. ``grad_a`` is ∇_a C at the output. For a softmax output
    layer ``sp[L]`` is the Jacobian J_{jk} = ∂a^L_j/∂z^L_k, an n_L × n_L matrix.
    """

    x: np.ndarray
    y: np.ndarray
    z: Layers
    a: Layers
    sp: Layers
    grad_a: np.ndarray
    delta: Layers

    @property
    def L(self):
        return self.a.last

    def _repr_html_(self):
        """Jupyter's view: a table per layer of z, a, σ', δ and the gradients
        (``backprop.html_tables``); ``repr`` stays the dataclass's."""
        from .html_tables import trace_html
        return trace_html(self)

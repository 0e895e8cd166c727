"""The costs of gradient descent on one example, and what they belong to.

A History holds C_x before the first step and after each step, together with the network
and the example of its last point. It is shown only while the session's network and
example are still those (``belongs_to``): any other change starts a new one.
"""

from dataclasses import dataclass

import numpy as np

from backprop import Network

from . import limits


def same_network(a, b):
    """True if a and b have the same sizes, activations, cost and numbers."""
    return (a.sizes == b.sizes and a.cost == b.cost
            and tuple(a.activations.values()) == tuple(b.activations.values())
            and all(np.array_equal(a.w[l], b.w[l]) and np.array_equal(a.b[l], b.b[l])
                    for l in a.w))


@dataclass(frozen=True, eq=False)
class History:
    """C_x after 0, 1, 2, ... steps of gradient descent; ``net`` is the network after the
    last of them, on the example (x, y)."""

    costs: tuple
    net: Network
    x: np.ndarray
    y: np.ndarray

    MAX_POINTS = 200   # the chart keeps the last 200 costs

    @classmethod
    def start(cls, net, x, y):
        """A history of no steps yet: the cost of ``net`` on (x, y)."""
        return cls((net.cost_of(x, y),), net, np.array(x, float), np.array(y, float))

    def belongs_to(self, net, x, y):
        """True if (net, x, y) is where this history ended."""
        return (np.array_equal(self.x, x) and np.array_equal(self.y, y)
                and (net is self.net or same_network(net, self.net)))

    @property
    def change(self):
        """The change in C_x made by the last step, or None before the first."""
        return self.costs[-1] - self.costs[-2] if len(self.costs) > 1 else None

    def descend(self, times, eta):
        """(network, History) after ``times`` more steps with learning rate ``eta``; all of
        them or none: ValueError if a step fails, leaves the hosted limits, or the cost
        stops being a finite number."""
        net, costs = self.net, list(self.costs)
        for i in range(1, times + 1):
            try:
                net = net.sgd_step(self.x, self.y, eta)
            except ValueError:
                raise ValueError(f"No step taken: step {i} of {times} would make a weight "
                                 "or bias too large for a float64") from None
            try:
                limits.check_network(net)
            except ValueError as e:
                raise ValueError(f"No step taken: after step {i} of {times}, {e}") from None
            cost = net.cost_of(self.x, self.y)
            if not np.isfinite(cost):
                raise ValueError(f"No step taken: after step {i} of {times} the cost C_x "
                                 "would no longer be a finite number")
            costs.append(cost)
        return net, History(tuple(costs[-self.MAX_POINTS:]), net, self.x, self.y)

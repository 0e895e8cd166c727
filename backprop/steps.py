"""``backprop.steps`` as before (``backprop.steps.steps(net, trace)``): the code lives in
backprop/explain/steps.py."""

from .explain.steps import Step, known, steps

__all__ = ["Step", "known", "steps"]

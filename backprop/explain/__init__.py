"""The computation written out: the step list, one cell's derivation, LaTeX, exact numbers."""

from .cell import explain

__all__ = ["explain"]

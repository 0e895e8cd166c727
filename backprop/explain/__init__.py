"""The computation written out: the step list, one cell's derivation, LaTeX, exact numbers."""

from .cell import explain
from .terms import Terms, delta_terms

__all__ = ["Terms", "delta_terms", "explain"]

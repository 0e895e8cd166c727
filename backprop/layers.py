"""A read-only mapping from layer number l to a per-layer quantity."""

import operator
from collections.abc import Mapping


class Layers(Mapping):
    """Per-layer values indexed by the layer number l of the notation.

    ``Layers(2, [w2, w3])`` holds w^2 and w^3: ``layers[2]`` is w^2. Indexing a layer that
    does not exist raises ``KeyError`` naming the layers that do.
    """

    __slots__ = ("_first", "_items")

    def __init__(self, first, items):
        self._first = first
        self._items = tuple(items)

    def _index(self, l):
        try:
            i = operator.index(l) - self._first   # any integer, NumPy's included
        except TypeError:
            i = -1
        if 0 <= i < len(self._items):
            return i
        raise KeyError(f"no layer {l!r} here: layers are {self._first}..{self.last}")

    def __getitem__(self, l):
        return self._items[self._index(l)]

    def __iter__(self):
        return iter(range(self._first, self._first + len(self._items)))

    def __len__(self):
        return len(self._items)

    def __contains__(self, l):
        try:
            self._index(l)
        except KeyError:
            return False
        return True

    @property
    def first(self):
        return self._first

    @property
    def last(self):
        return self._first + len(self._items) - 1

    def values(self):
        return self._items

    def replace(self, l, value):
        """Return a copy with the value of layer l replaced."""
        items = list(self._items)
        items[self._index(l)] = value
        return Layers(self._first, items)

    def __repr__(self):
        body = ", ".join(f"{l}: {v!r}" for l, v in self.items())
        return f"Layers({{{body}}})"

    def __eq__(self, other):
        return NotImplemented

    __hash__ = None

"""A read-only mapping from layer number l to a per-layer quantity."""

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

    def __getitem__(self, l):
        i = l - self._first if isinstance(l, int) else -1
        if 0 <= i < len(self._items):
            return self._items[i]
        raise KeyError(f"no layer {l!r} here: layers are {self._first}..{self.last}")

    def __iter__(self):
        return iter(range(self._first, self._first + len(self._items)))

    def __len__(self):
        return len(self._items)

    def __contains__(self, l):
        return isinstance(l, int) and self._first <= l < self._first + len(self._items)

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
        items[l - self._first] = value
        return Layers(self._first, items)

    def __repr__(self):
        body = ", ".join(f"{l}: {v!r}" for l, v in self.items())
        return f"Layers({{{body}}})"

    def __eq__(self, other):
        return NotImplemented

    __hash__ = None

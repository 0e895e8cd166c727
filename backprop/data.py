"""``backprop.data`` as before (``from backprop.data import moons``): the code lives in
backprop/learn/data.py."""

from .learn.data import (
    DATASETS,
    PAD,
    DataSet,
    circles,
    gaussians,
    moons,
    one_hot,
    sine,
    spiral,
    split,
    split_indices,
    targets,
    xor,
)

__all__ = ["DATASETS", "PAD", "DataSet", "circles", "gaussians", "moons", "one_hot", "sine",
           "spiral", "split", "split_indices", "targets", "xor"]

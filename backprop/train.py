"""``backprop.train`` as before (``from backprop.train import SGD``): the code lives in
backprop/learn/train.py."""

from .learn.train import (
    SGD,
    Divergence,
    History,
    Progress,
    accuracy,
    batches_per_epoch,
    mini_batches,
    run,
    scores,
    shuffled,
    update_mini_batch,
)

__all__ = ["SGD", "Divergence", "History", "Progress", "accuracy", "batches_per_epoch",
           "mini_batches", "run", "scores", "shuffled", "update_mini_batch"]

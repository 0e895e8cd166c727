"""Every bound on what a user may enter, in one place. The widgets enforce them and
``check_network`` re-checks them before anything is computed, so no input (typed, uploaded
or linked) can make the server work for more than a moment."""

import numpy as np

MIN_LAYERS, MAX_LAYERS = 2, 6        # L, the input layer included
MAX_NEURONS = 16                     # n_l for every layer
MAX_ABS = 1000.0                     # |w|, |b|, |x|, |y|
MAX_SEED = 2**31 - 1
ETA_MIN, ETA_MAX = 1e-4, 100.0       # the learning rate η
MAX_UPLOAD_BYTES = 64 * 1024         # a network file; the largest allowed is ~30 kB of JSON
MAX_TEXT_CELLS = 20 * 20             # above this, heatmaps print no numbers in the cells


def check_network(net, x=None, y=None):
    """Raise ValueError unless ``net`` (and x, y) lie within the hosted limits."""
    if not MIN_LAYERS <= net.L <= MAX_LAYERS:
        raise ValueError(f"the network has {net.L} layers; this explorer allows "
                         f"{MIN_LAYERS} to {MAX_LAYERS} (the input layer counts as layer 1)")
    big = [l for l, n in enumerate(net.sizes, start=1) if n > MAX_NEURONS]
    if big:
        raise ValueError(f"layer {big[0]} has {net.sizes[big[0] - 1]} neurons; at most "
                         f"{MAX_NEURONS} are allowed in a layer")
    named = [(f"w^{l}", net.w[l]) for l in net.w] + [(f"b^{l}", net.b[l]) for l in net.b]
    named += [(n, v) for n, v in (("x", x), ("y", y)) if v is not None]
    for name, arr in named:
        check_magnitude(name, arr)


def check_magnitude(name, arr):
    if np.size(arr) and np.max(np.abs(arr)) > MAX_ABS:
        raise ValueError(f"{name} has an entry of size {number_text(np.max(np.abs(arr)))}, "
                         f"above {MAX_ABS:g}; entries must lie between −{MAX_ABS:g} and "
                         f"{MAX_ABS:g}")


def number_text(v):
    """The shortest text that reads back as exactly the float v: 0.15, 1000.0000001, 2000."""
    if v == 0:
        return "0"          # and not "-0", which zero initialisation can leave
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") else text


def check_eta(eta):
    """The learning rate η as a float, if it lies within the bounds."""
    eta = float(eta)
    if not ETA_MIN <= eta <= ETA_MAX:
        raise ValueError(f"the learning rate η must lie between {ETA_MIN:g} and {ETA_MAX:g}; "
                         f"got {eta:g}")
    return eta

# Learning from data (pages/4_Train.py)
MAX_POINTS = 1000                    # examples in a data set, generated or uploaded
# An uploaded CSV: at most MAX_POINTS rows of n_1 ≤ 16 features, a label column, and the
# unnamed index column pandas' to_csv writes (skipped), each cell at most MAX_CELL_CHARS
# characters. Any float64 as Python or pandas writes it takes at most 24
# (-1.2345678901234567e-100), so the largest file within those bounds is
# (1000 + 1) lines × (18 cells × 32 + 17 commas + 2 for "\r\n") = 595,595 bytes, 691,691
# with a label column of 4-byte UTF-8 characters: within the uploader's own limit of 1 MB,
# which is therefore the only byte limit (tests/explorer/train/test_datasets.py builds that
# file).
MAX_CELL_CHARS = 32
MAX_CSV_COLUMNS = MAX_NEURONS + 2    # n_1 ≤ 16 features, the label, pandas' index column
UPLOAD_MB = 1                        # st.file_uploader's own limit (and maxUploadSize)
MAX_CSV_BYTES = UPLOAD_MB * 1024 * 1024
MAX_CLASSES = MAX_NEURONS            # one output neuron per class
MAX_BATCH = 100                      # the mini-batch size m
MAX_NOISE = 0.5                      # a generated set's noise
MAX_TEST = 0.5                       # the fraction of the data kept for testing
LAMBDA_MAX = 10.0                    # the L2 regularisation λ
MAX_EPOCHS = 3000                    # epochs kept in a history; Reset to train again
PLAY_EPOCHS = 500                    # Play pauses itself after this many epochs
TICK_SECONDS = 0.15                  # Play: one repaint of the boundary this often
CURVES_SECONDS = 1.0                 # ... and of the cost, accuracy and gradient flow
TICK_TRAIN_SECONDS = 0.025           # ... and at most this much training in each
EPOCHS_PER_TICK = 10                 # ... and at most this many epochs in each
BUSY_LAG = 0.2                       # ticks later than this: the server is busy, so ...
BUSY_SHARE = 0.2                     # ... each trains for this share of the time only
GRID = 50                            # the decision boundary: a^L on GRID × GRID points

"""The Train page's state and what its buttons do: plain functions of a session-state
mapping ``ss`` (st.session_state, or a dict in tests). Every key is prefixed "train_":

- "train_data": the Data; "train_gen": the generator's settings (name, n, noise, test, seed);
- "train_eta", "train_m", "train_lmbda": the learning rate η, mini-batch size m, L2 λ;
- "train_init": the network training started from (Reset goes back to it);
- "train_synced": the session's network ("net") as last seen here: when "net" changes
  (the sidebar, the Network page), training starts afresh from the new one;
- "train_progress": backprop.train.Progress; "train_playing", "train_play_from" (the
  epoch Play started at); "train_tick_start" and "train_busy" (when the last Play tick
  started, and whether it came late); "train_drawn": {(epoch, batch): Progress} of the
  networks Play last drew, "train_paused_at": the one on screen at Pause, as the browser
  said; "train_point": ("train" | "test", row) of a clicked point, "train_point_at":
  (epoch, mini-batch) of the weights it was clicked on;
- "train_msg": messages by where they are shown.

Every action does a bounded amount of work: one mini-batch, one epoch, or one Play tick
of at most ``limits.TICK_TRAIN_SECONDS``.
"""

import time
from dataclasses import replace

import numpy as np

from backprop.learn import train

from .. import limits
from . import datasets

DEFAULT_GEN = {"name": "xor", "n": 200, "noise": 0.0, "test": 0.2, "seed": 0}
DEFAULTS = {"train_eta": 3.0, "train_m": 10, "train_lmbda": 0.0, "train_playing": False,
            "train_play_from": 0, "train_point": None, "train_flow": "nabla_w_norm",
            "train_layer": None, "train_point_at": (0, 0), "train_busy": False}
SPLITS = ("train", "test")


def same_network(a, b):
    """Whether two networks hold the same sizes, functions and numbers."""
    if a is b:
        return True
    if a is None or b is None or (a.sizes, a.cost) != (b.sizes, b.cost) or \
            a.activations.values() != b.activations.values():
        return False
    return all(np.array_equal(u, v) for u, v in zip(a.w.values() + a.b.values(),
                                                    b.w.values() + b.b.values()))


def ensure(ss):
    """Fill in the page's keys, and start afresh if the session's network changed."""
    ss.setdefault("train_msg", {})
    for k, v in DEFAULTS.items():
        ss.setdefault(k, v)
    if "train_data" not in ss:
        ss["train_gen"] = dict(DEFAULT_GEN)
        ss["train_data"] = datasets.generate(**DEFAULT_GEN)
    if not same_network(ss.get("train_synced"), ss["net"]):
        start(ss, ss["net"])
    ss["train_synced"] = ss["net"]


def start(ss, net):
    """Training starts afresh from ``net``: epoch 0, no history, Play paused."""
    ss["train_init"] = net
    ss["train_progress"] = train.Progress(net)
    ss["train_playing"] = False
    _forget_shown(ss)
    ss["train_point"] = None
    ss["train_layer"] = None
    ss["train_msg"].pop("train", None)


def reset(ss):
    start(ss, ss["train_init"])


def fits(ss):
    return datasets.fit_problem(ss["train_data"], ss["train_progress"].net) is None


def set_gen(ss, key, value):
    """A data setting changed: generate the set again; an uploaded set is only split again
    (when the test fraction or the seed changed). ValueError if a setting is out of bounds."""
    gen = {**ss["train_gen"], key: value}
    d = ss["train_data"]
    if d.uploaded and key in ("test", "seed"):
        new = datasets.resplit(d, gen["test"], gen["seed"])
    else:
        new = datasets.generate(**gen)
    ss["train_gen"] = gen
    set_data(ss, new)


def set_data(ss, d):
    """Use the Data d from now on; training starts again from the initial network."""
    ss["train_data"] = d
    start(ss, ss["train_init"])


def settings(ss):
    """(η, m, λ), each checked against the hosted bounds, or ValueError."""
    eta = limits.check_eta(ss["train_eta"])
    m, lmbda = ss["train_m"], float(ss["train_lmbda"])
    if not (isinstance(m, int) and 1 <= m <= limits.MAX_BATCH):
        raise ValueError(f"the mini-batch size m must be 1 to {limits.MAX_BATCH}")
    if not 0 <= lmbda <= limits.LAMBDA_MAX:
        raise ValueError(f"λ must lie between 0 and {limits.LAMBDA_MAX:g}")
    return eta, m, lmbda


def advance(ss, batches):
    """Train ``batches`` more mini-batches (fewer if the epoch cap or a divergence
    comes first); returns the new Progress."""
    p, d = ss["train_progress"], ss["train_data"]
    if p.epoch >= limits.MAX_EPOCHS:
        ss["train_msg"]["train"] = (f"This run has reached {limits.MAX_EPOCHS} epochs, the "
                                    "most kept: press Reset to train again.")
        return p
    try:
        eta, m, lmbda = settings(ss)
    except (TypeError, ValueError) as e:
        ss["train_msg"]["train"] = f"Nothing trained: {e}."
        ss["train_playing"] = False
        return p
    ss["train_msg"].pop("train", None)
    trn, tst = d.split_for(p.net)
    p = train.run(p, trn, m, eta, tst if len(tst[0]) else None, lmbda,
                  ss["train_gen"]["seed"], batches, limits.MAX_ABS)
    ss["train_progress"] = p
    return p


def per_epoch(ss):
    return train.batches_per_epoch(len(ss["train_data"].train), ss["train_m"])


def position(epoch, batch, per_epoch):
    """Where training stands, in words: "epoch 39", or "epoch 39 + 8 of 16 mini-batches"
    when it stopped inside epoch 40."""
    if not batch:
        return f"epoch {epoch}"
    return f"epoch {epoch} + {batch} of {per_epoch} mini-batch{'es' if per_epoch > 1 else ''}"


def scores_now(ss):
    """(training C, training accuracy, test C, test accuracy) of the weights training has
    reached now, mid-epoch too (the History holds finished epochs only). The λ term is
    Nielsen's (λ/2n) Σ w², n the training rows; NaN where there is nothing to measure."""
    p, d = ss["train_progress"], ss["train_data"]
    h = p.history
    if not p.batch and h.epochs:
        return h.cost[-1], h.accuracy[-1], h.test_cost[-1], h.test_accuracy[-1]
    (X, Y), (Xt, Yt) = d.split_for(p.net)
    lmbda = float(ss["train_lmbda"]) if 0 <= ss["train_lmbda"] <= limits.LAMBDA_MAX else 0.0
    return (*train.scores(p.net, X, Y, lmbda, len(X)),
            *train.scores(p.net, Xt, Yt, lmbda, len(X)))


def step_batch(ss):
    _forget_shown(ss)
    advance(ss, 1)


def run_epoch(ss):
    """Train to the end of the current epoch (a whole epoch when one has just ended)."""
    _forget_shown(ss)
    advance(ss, per_epoch(ss) - ss["train_progress"].batch)


SHOWN_KEPT = 16    # networks Play has drawn, kept so that Pause can go back to one


def play(ss, on):
    """Play or Pause. Pause goes back to the network on screen when the browser said which
    (``paused_at``, before or after this call): a tick may have trained on meanwhile."""
    was = ss["train_playing"]
    ss["train_playing"] = bool(on) and fits(ss)
    ss["train_play_from"] = ss["train_progress"].epoch
    ss["train_busy"] = False
    ss.pop("train_tick_start", None)
    if ss["train_playing"]:
        p = ss["train_progress"]
        _forget_shown(ss)
        ss["train_drawn"] = {(p.epoch, p.batch): p}
    elif was:
        _back_to_shown(ss)


def drawn(ss, p):
    """Play drew the network of Progress ``p``: keep it (the last SHOWN_KEPT)."""
    kept = ss.get("train_drawn")
    if kept is None or not ss["train_playing"]:
        return
    kept[(p.epoch, p.batch)] = p
    while len(kept) > SHOWN_KEPT:
        del kept[next(iter(kept))]


def paused_at(ss, at):
    """The browser says the page showed the network of (epoch, batch) when Pause was
    pressed: once Play is off, training goes back to it (if it was drawn in this Play)."""
    ss["train_paused_at"] = at
    if not ss["train_playing"]:
        _back_to_shown(ss)


def _back_to_shown(ss):
    kept, at = ss.get("train_drawn"), ss.get("train_paused_at")
    if kept and at in kept:
        ss["train_progress"] = kept[at]
        ss["train_play_from"] = kept[at].epoch
    if at is not None:
        _forget_shown(ss)


def _forget_shown(ss):
    """Any other action: a late "paused_at" must not take training back past it."""
    for key in ("train_drawn", "train_paused_at"):
        if key in ss:
            del ss[key]


def tick(ss, seconds=limits.TICK_TRAIN_SECONDS, clock=time.perf_counter):
    """One Play tick: train for at most ``seconds`` and ``EPOCHS_PER_TICK`` epochs, in
    pieces of a quarter epoch (at most 25 mini-batches). A tick that comes more than
    BUSY_LAG late finds the server busy: it trains for BUSY_SHARE of the time only, so that
    a class playing at once slows its own training rather than everybody's clicks. Pauses
    Play after PLAY_EPOCHS epochs, at the epoch cap, or on a divergence; returns whether
    Play goes on."""
    if not ss["train_playing"]:
        return False
    t0, p0, last = clock(), ss["train_progress"], ss.get("train_tick_start")
    ss["train_tick_start"] = t0
    ss["train_busy"] = last is not None and t0 - last > limits.TICK_SECONDS + limits.BUSY_LAG
    if ss["train_busy"]:
        seconds *= limits.BUSY_SHARE
    piece = max(1, min(25, per_epoch(ss) // 4))
    p = p0
    while clock() - t0 < seconds and p.epoch - p0.epoch < limits.EPOCHS_PER_TICK:
        p = advance(ss, piece)
        if p.history.diverged or p.epoch >= limits.MAX_EPOCHS or \
                p.epoch - ss["train_play_from"] >= limits.PLAY_EPOCHS:
            ss["train_playing"] = False
            break
    return ss["train_playing"]


def on_batch_size(ss, m):
    """A new mini-batch size m: the current epoch starts again with the new mini-batches."""
    ss["train_m"] = int(min(max(m, 1), limits.MAX_BATCH))
    _forget_shown(ss)
    p = ss["train_progress"]
    if p.batch:
        ss["train_progress"] = replace(p, batch=0, sums=())


def point(ss, split, i):
    """(x, y, net) of point i of the training or test rows, y as the network's target."""
    d, net = ss["train_data"], ss["train_progress"].net
    rows = d.train if split == "train" else d.test
    if not 0 <= i < len(rows):
        raise ValueError(f"there is no {split} point {i}")
    row = rows[i]
    return d.X[row], d.targets(net.sizes[-1], [row])[0], net


def next_batch(ss):
    """(X, Y) of the mini-batch the next step will take, for the current network."""
    p, d = ss["train_progress"], ss["train_data"]
    rows = train.mini_batches(len(d.train), ss["train_m"], ss["train_gen"]["seed"],
                              p.epoch)[p.batch]
    trn, _ = d.split_for(p.net)
    return trn[0][rows], trn[1][rows]


def pick_from_points(points):
    """("train" | "test", row) of the first clicked data point of a chart selection (each
    point's customdata is [0 for train or 1 for test, row]); None if there is none."""
    for p in points or ():
        cd = p.get("customdata") if isinstance(p, dict) else None
        if isinstance(cd, dict):
            cd = [cd.get(str(i)) for i in range(len(cd))]
        if not isinstance(cd, (list, tuple)) or len(cd) != 2:
            continue
        try:
            split, i = int(cd[0]), int(cd[1])
        except (TypeError, ValueError, OverflowError):
            continue
        if split in (0, 1) and 0 <= i < limits.MAX_POINTS:
            return SPLITS[split], i
    return None


def picked(ss, pick):
    """Remember the clicked point; the session's network is now the trained one, so
    training goes on from it rather than starting afresh."""
    ss["train_synced"] = ss["net"]
    ss["train_point"] = pick
    ss["train_point_at"] = (ss["train_progress"].epoch, ss["train_progress"].batch)

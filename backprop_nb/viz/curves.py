"""Learning curves: the losses and accuracies of a training run, drawn with matplotlib.

This module needs nothing from the training code: it reads a History's lists by name. So
``History.plot()`` in ``train.py`` can draw with it, while :mod:`backprop_nb.viz.plots` (decision
boundaries, optimiser paths), which uses ``train.py``'s predictions, depends on training and not
the reverse: no import cycle between training and plotting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from .._checks import boolean
from .style import COLORS

if TYPE_CHECKING:
    from ..train import History

__all__ = ["axes_or_new", "line_color", "plot_history"]


def axes_or_new(ax: Axes | None) -> Axes:
    """``ax``, or the axes of a new figure when it is None (every plot draws into one)."""
    if ax is None:
        _, ax = plt.subplots()
    return ax


def line_color(i: int) -> str:
    """The i-th line colour of :data:`~backprop_nb.viz.style.COLORS`, cycling."""
    return COLORS[i % len(COLORS)]


# ----- learning curves --------------------------------------------------------------------
def plot_history(
    history: History, ax: Axes | None = None, log_scale: bool = False, metric: str = "loss"
) -> Axes:
    """Learning curves: the training and validation loss (or accuracy) after each epoch.

    For the loss, a thin line also shows every mini-batch's loss (placed at its fraction of an
    epoch: step 3 of 4 in epoch 2 sits at 1.75). A dashed vertical line marks the epoch whose
    parameters early stopping restored. nan and inf losses leave gaps.

    Args:
        history: what :func:`backprop_nb.fit` returned.
        log_scale: a logarithmic loss axis (losses often fall by orders of magnitude).
        metric: ``"loss"`` or ``"accuracy"`` (classification only).
    """
    log_scale = boolean("log_scale", log_scale)
    if metric not in ("loss", "accuracy"):
        raise ValueError(f"metric must be 'loss' or 'accuracy', got {metric!r}")
    if metric == "accuracy" and history.train_accuracy is None:
        raise ValueError("this history has no accuracy (a regression task): plot metric='loss'")
    ax = axes_or_new(ax)
    if metric == "loss" and history.step_loss:
        steps = np.arange(1, len(history.step_loss) + 1) / history.steps_per_epoch
        ax.plot(
            steps, _gaps(history.step_loss), color=line_color(0), lw=0.8, alpha=0.4, label="train (each step)"
        )
    train = history.train_loss if metric == "loss" else history.train_accuracy
    val = history.val_loss if metric == "loss" else history.val_accuracy
    epochs = np.arange(1, len(train) + 1)
    ax.plot(epochs, _gaps(train), color=line_color(0), marker="o", ms=3, label="train")
    if val is not None:
        ax.plot(epochs, _gaps(val), color=line_color(1), marker="s", ms=3, ls="--", label="validation")
    if history.restored_epoch is not None:
        ax.axvline(
            history.restored_epoch, color="0.4", ls=":", label=f"restored (epoch {history.restored_epoch})"
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    if log_scale:
        ax.set_yscale("log")
    ax.legend()
    return ax


def _gaps(values: Sequence[float]) -> np.ndarray:
    """The values with nan in place of inf, so matplotlib leaves a gap instead of failing to scale."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values), values, np.nan)

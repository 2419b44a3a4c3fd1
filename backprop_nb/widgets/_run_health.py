"""What a training run that has gone wrong looks like, in numbers the dashboard can watch.

Each check returns a warning in words (what is wrong and what to try) or None. A nan/inf loss
needs no check here: ``fit`` stops the run itself and says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..modes import no_grad
from ..nn import ReLU, Sequential
from ..tensor import Tensor
from ..viz.dot import format_number

BLOWN_UP = 10.0
"""A loss this many times larger than at the start has blown up (the steps overshoot)."""

CHANCE_EPOCHS = 20
"""Epochs of accuracy at chance level after which a run counts as stuck."""

CHANCE_MARGIN = 0.02
"""Accuracy within this of the chance level counts as chance."""


def blown_up(start: float, loss: float, lr: float) -> str | None:
    """The loss has grown to :data:`BLOWN_UP` times where it started (while still finite)."""
    if np.isfinite(loss) and start > 0 and loss > BLOWN_UP * start:
        return (
            f"the loss has blown up to {format_number(loss)}, {format_number(loss / start)} times its "
            f"start: the steps overshoot. Try a smaller learning rate than {format_number(lr)}"
        )
    return None


def chance_level(y: np.ndarray) -> float:
    """The accuracy of always guessing the most common class."""
    return float(np.bincount(y).max() / len(y))


def stuck_at_chance(accuracies: list[float], chance: float) -> str | None:
    """The last :data:`CHANCE_EPOCHS` accuracies are all no better than guessing."""
    recent = accuracies[-CHANCE_EPOCHS:]
    if len(recent) == CHANCE_EPOCHS and max(recent) <= chance + CHANCE_MARGIN:
        return (
            f"accuracy has stayed at chance ({format_number(recent[-1])}; guessing the largest class "
            f"gives {format_number(chance)}) for {CHANCE_EPOCHS} epochs: the model is not learning. "
            "Try another learning rate or optimiser, then Reset"
        )
    return None


def dead_relu_layer(model: Any, X: np.ndarray) -> str | None:
    """A ReLU layer of a Sequential model (an MLP) whose every unit gives 0 for every example:
    no gradient passes it, so nothing below it can learn and the output is the same for all."""
    if not isinstance(model, Sequential):
        return None
    was_training = model.training
    model.eval()
    try:
        with no_grad(), np.errstate(all="ignore"):
            x: Any = Tensor(X)
            for position, layer in enumerate(model):
                x = layer(x)
                if isinstance(layer, ReLU) and not np.any(x.data > 0):
                    return (
                        f"every ReLU of layer {position} is dead (0 for every example): no gradient "
                        "passes it and the output no longer depends on the input. Reset, and try a "
                        "smaller learning rate"
                    )
    finally:
        model.train(was_training)
    return None

"""Exercises of notebook 08, training an MLP: steps per epoch, a momentum step by hand, the optimiser
race and a test accuracy.

Each ``check_*`` takes your answer and returns a :class:`~backprop_nb.exercises.Feedback`: ✔ when it
is right, else the mistake that most likely explains it and a hint. Leave an answer as ``None`` to
see what is asked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..data import check_dataset
from ..train import predict, predicted_classes
from ._feedback import Feedback, diagnose_number, fill_in, is_placeholder, right, wrong

__all__ = [
    "check_lowest_loss_optimizer",
    "check_momentum_step",
    "check_steps_per_epoch",
    "check_test_accuracy",
]


# ----- 1. steps per epoch ---------------------------------------------------------------------
DIGITS_IMAGES = 1797
"""All images of ``bp.data.load_digits()``."""
DIGITS_TRAINING_IMAGES = 1438
"""The training part of ``bp.data.load_digits(split=0.2)``: 1797 less the 359 test images (a fifth of
each digit, rounded)."""
BATCH_SIZE = 32


def check_steps_per_epoch(answer: Any) -> Feedback:
    """How many optimiser steps one epoch over the 1,438 training digits takes at batch size 32."""
    n, b = DIGITS_TRAINING_IMAGES, BATCH_SIZE
    hint = (
        f"An epoch uses every one of the {n} training images once, {b} per step; "
        "count the batches, including a last one that is not full."
    )
    if is_placeholder(answer):
        return fill_in("answer_steps, the number of optimiser steps in one epoch", hint)
    expected = math.ceil(n / b)
    feedback = diagnose_number(
        "steps per epoch",
        answer,
        expected,
        hint=hint,
        mistakes=[
            (
                lambda e: n // b,
                f"you rounded down: {n} = {n // b}·{b} + {n % b}, and the last {n % b} images make one more, "
                "smaller batch (bp.fit keeps it, as PyTorch's DataLoader does unless drop_last=True).",
            ),
            (lambda e: n / b, f"{n}/{b} is not whole, but steps are: round up to count the last batch."),
            (
                lambda e: math.ceil(DIGITS_IMAGES / b),
                f"that counts all {DIGITS_IMAGES} images; the model trains on the {n} training images only "
                "(the test images are never used for an update).",
            ),
            (lambda e: n, f"that is one step per image (batch size 1); each step here takes {b} images."),
            (lambda e: n * b, f"you multiplied; each step uses {b} images, so divide."),
        ],
    )
    if feedback:
        return right(f"steps per epoch = ⌈{n}/{b}⌉ = {expected}: {n // b} full batches and one of {n % b}.")
    return feedback


# ----- 2. one momentum step by hand -----------------------------------------------------------
MOMENTUM_THETA = 1.0
MOMENTUM_BUFFER = 0.5
MOMENTUM_GRADIENT = 2.0
MOMENTUM_LR = 0.1
MOMENTUM_MU = 0.9


def check_momentum_step(answer: Any) -> Feedback:
    """θ after one step of ``SGD(lr=0.1, momentum=0.9)`` from θ = 1, buffer b = 0.5, gradient g = 2."""
    theta, b, g, lr, mu = MOMENTUM_THETA, MOMENTUM_BUFFER, MOMENTUM_GRADIENT, MOMENTUM_LR, MOMENTUM_MU
    hint = "PyTorch's momentum: first the buffer b ← μ·b + g, then θ ← θ − lr·b (with the new b)."
    if is_placeholder(answer):
        return fill_in("answer_theta, the parameter after one momentum step", hint)
    buffer = mu * b + g
    expected = theta - lr * buffer
    feedback = diagnose_number(
        "θ after the step",
        answer,
        expected,
        hint=hint,
        mistakes=[
            (lambda e: theta + lr * buffer, "you stepped uphill: subtract lr·b, the gradient points up."),
            (lambda e: theta - lr * g, "that is plain SGD, θ − lr·g: the momentum buffer is missing."),
            (
                lambda e: theta - lr * b,
                f"you used the old buffer {b:g}; update it with the new gradient first.",
            ),
            (
                lambda e: theta - lr * (b + g),
                f"the old buffer must be multiplied by μ = {mu:g} before adding g.",
            ),
            (
                lambda e: theta - lr * (mu * b + (1 - mu) * g),
                "that is the lecture's moving average m ← βm + (1 − β)g with γ = lr; PyTorch's buffer "
                "adds the whole gradient, b ← μb + g (its lr is the lecture's γ·(1 − β)).",
            ),
            (lambda e: theta - lr * (g + mu * buffer), "that is Nesterov's step, θ − lr·(g + μ·b)."),
            (lambda e: buffer, "that is the new buffer b; the new θ is θ − lr·b."),
            (lambda e: lr * buffer, f"that is the change lr·b; subtract it from θ = {theta:g}."),
        ],
    )
    if feedback:
        return right(
            f"b = {mu:g}·{b:g} + {g:g} = {buffer:g}, so θ = {theta:g} − {lr:g}·{buffer:g} = {expected:g}."
        )
    return feedback


# ----- 3. which optimiser won the race --------------------------------------------------------
def _normalised(name: str) -> str:
    """Case, spaces, hyphens and underscores do not matter: "RMS-prop" is "RMSProp"."""
    return "".join(c for c in name.lower() if c.isalnum())


def _check_losses(final_losses: Any) -> dict[str, float]:
    """The table as {name: loss}; a nan or inf loss (a run that diverged) counts as the worst."""
    if not isinstance(final_losses, Mapping) or not final_losses:
        raise TypeError(f"final_losses must be a non-empty dict {{name: final loss}}, got {final_losses!r}")
    losses = {}
    for name, loss in final_losses.items():
        value = float(loss)
        losses[str(name)] = value if math.isfinite(value) else math.inf
    return losses


def check_lowest_loss_optimizer(answer: Any, final_losses: Mapping[str, float]) -> Feedback:
    """The name of the optimiser with the lowest final loss in ``final_losses`` ({name: loss})."""
    losses = _check_losses(final_losses)
    names = ", ".join(losses)
    hint = "Read the table of final training losses: the lowest number wins."
    if is_placeholder(answer):
        return fill_in(
            f'answer_best, the name of the optimiser as a string, e.g. "SGD" (one of {names})', hint
        )
    if not isinstance(answer, str):
        return wrong(f'Give the optimiser\'s name as a string, e.g. "SGD"; got {answer!r}.', hint)
    by_key = {_normalised(name): name for name in losses}
    chosen = by_key.get(_normalised(answer))
    if chosen is None:
        return wrong(f"{answer!r} is not in the table; the optimisers are {names}.", hint)
    lowest = min(losses.values())
    if losses[chosen] == lowest:
        return right(f"{chosen} reached the lowest final loss, {lowest:.4f}.")
    if losses[chosen] == max(losses.values()):
        return wrong(f"{chosen} reached the highest loss ({losses[chosen]:.4f}), not the lowest.", hint)
    return wrong(f"{chosen} reached {losses[chosen]:.4f}, but another optimiser got lower.", hint)


# ----- 4. the test accuracy -------------------------------------------------------------------
def _accuracy(model: Any, X: Any, y: Any) -> float:
    X, labels = check_dataset(X, y)
    return float(np.mean(predicted_classes(predict(model, X)) == labels))


def check_test_accuracy(
    answer: Any, model: Any, X_test: Any, y_test: Any, X_train: Any = None, y_train: Any = None
) -> Feedback:
    """The fraction of the test images ``model`` classifies correctly (a number from 0 to 1).

    Give the training set too and a training accuracy passed by mistake is recognised.
    """
    hint = "Predict the classes of X_test (argmax of the outputs) and take the mean of (predicted == y_test)."
    if is_placeholder(answer):
        return fill_in("answer_accuracy, the test accuracy as a fraction between 0 and 1", hint)
    expected = _accuracy(model, X_test, y_test)
    n = len(np.asarray(y_test))
    mistakes = [
        (lambda e: 100 * e, "that is the accuracy in percent; give it as a fraction between 0 and 1."),
        (lambda e: 1 - e, "that is the error rate, the fraction classified wrongly."),
        (lambda e: e * n, f"that is the number of test images classified correctly; divide by {n}."),
        (lambda e: (1 - e) * n, "that is the number of test images classified wrongly."),
    ]
    if X_train is not None and y_train is not None:
        train_accuracy = _accuracy(model, X_train, y_train)
        if not math.isclose(train_accuracy, expected, rel_tol=1e-3):
            mistakes.append((lambda e: train_accuracy, "that is the accuracy on the training images."))
    feedback = diagnose_number("the test accuracy", answer, expected, hint=hint, mistakes=mistakes)
    if feedback:
        wrong_count = round((1 - expected) * n)
        return right(
            f"test accuracy = {expected:.4f}: {wrong_count} of the {n} test images are misclassified."
        )
    return feedback

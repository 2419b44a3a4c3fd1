"""Exercises of notebook 05, losses and gradient descent: compute by hand, then check.

Each checker takes your answer (a number) and returns a :class:`~backprop_nb.exercises.Feedback`
that says whether it is right, and if not, which usual mistake explains it. Leave the answer as
``None`` and it tells you what to fill in.

The numbers are CS231n's (cat, car, frog) scores and the finite-difference table of the
"ML introduction 3" deck; natural logarithms throughout.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ._feedback import Feedback, answer_required, diagnose_number

Checker = Callable[[Any], Feedback]

__all__ = ["check_hinge_loss", "check_numerical_gradient", "check_sgd_update", "check_softmax_loss"]

CLASSES = ("cat", "car", "frog")
CAT_IMAGE_SCORES = np.array([3.2, 5.1, -1.7])
"""Scores (cat, car, frog) of CS231n's cat image; its correct class is cat."""
FROG_IMAGE_SCORES = np.array([2.2, 2.5, -3.1])
"""Scores (cat, car, frog) of CS231n's frog image; its correct class is frog."""


def _hinge(scores: np.ndarray, label: int, include_correct: bool = False, clip: bool = True) -> float:
    """Σ_j max(0, s_j − s_y + 1) over j ≠ y (over every j if ``include_correct``; without max if not ``clip``)."""
    margins = scores - scores[label] + 1.0
    if clip:
        margins = np.maximum(0.0, margins)
    keep = np.ones(len(scores), dtype=bool) if include_correct else np.arange(len(scores)) != label
    return float(margins[keep].sum())


def _softmax_loss(scores: np.ndarray, label: int) -> float:
    """−ln softmax(s)_y, through log-sum-exp."""
    shifted = scores - scores.max()
    return float(np.log(np.exp(shifted).sum()) - shifted[label])


@answer_required("the hinge loss of the cat image (a number)")
def check_hinge_loss(answer: Any) -> Feedback:
    """The multiclass SVM loss Lᵢ = Σ_{j≠yᵢ} max(0, s_j − s_{yᵢ} + 1) of the cat image (3.2, 5.1, −1.7)."""
    what = "the hinge loss of the cat image"
    return diagnose_number(
        what,
        answer,
        _hinge(CAT_IMAGE_SCORES, 0),
        hint="Go over the classes j other than cat: add max(0, s_j − s_cat + 1) for each.",
        mistakes=[
            (
                lambda e: _hinge(CAT_IMAGE_SCORES, 0, include_correct=True),
                "you also counted j = y (cat itself), which always adds max(0, 0 + 1) = 1, the margin.",
            ),
            (
                lambda e: _hinge(CAT_IMAGE_SCORES, 0, clip=False),
                "you added the frog's margin −3.9 as it is: max(0, ·) turns a negative margin into 0.",
            ),
            (
                lambda e: _hinge(-CAT_IMAGE_SCORES, 0),
                "you wrote the margins as s_y − s_j + 1; it is s_j − s_y + 1 (how far j comes too close).",
            ),
            (
                lambda e: e / len(CLASSES),
                "you divided by the number of classes (PyTorch's multi_margin_loss does); the lectures' loss does not.",
            ),
        ],
    )


@answer_required("the softmax loss of the frog image (a number)")
def check_softmax_loss(answer: Any) -> Feedback:
    """The softmax loss −ln(e^{s_y} / Σ_j e^{s_j}) of the frog image (2.2, 2.5, −3.1), correct class frog."""
    what = "the softmax loss of the frog image"
    frog = CLASSES.index("frog")
    return diagnose_number(
        what,
        answer,
        _softmax_loss(FROG_IMAGE_SCORES, frog),
        hint="exp each score, divide by their sum to get probabilities, then take −ln of the frog's.",
        mistakes=[
            (
                lambda e: e / math.log(10),
                "that is −log₁₀; the loss uses the natural log (np.log, not np.log10).",
            ),
            (
                lambda e: math.exp(-e),
                "that is the frog's probability; the loss is its negative natural log.",
            ),
            (
                lambda e: _softmax_loss(FROG_IMAGE_SCORES, CLASSES.index("cat")),
                "that is −ln of the cat's probability; take the correct class, frog.",
            ),
            (
                lambda e: _softmax_loss(FROG_IMAGE_SCORES, CLASSES.index("car")),
                "that is −ln of the car's probability; take the correct class, frog.",
            ),
        ],
    )


# The deck's table: L(W) = 1.25347; here the third weight is nudged by h and the loss becomes 1.25363.
_LOSS_BEFORE, _LOSS_AFTER, _H = 1.25347, 1.25363, 0.0001


@answer_required("the numerical gradient entry dL/dW[2] (a number)")
def check_numerical_gradient(answer: Any) -> Feedback:
    """One entry of the numerical gradient: L(W) = 1.25347, L(W + h) = 1.25363 with h = 0.0001 on W[2]."""
    what = "the numerical gradient entry dL/dW[2]"
    expected = (_LOSS_AFTER - _LOSS_BEFORE) / _H
    return diagnose_number(
        what,
        answer,
        expected,
        hint="Slope = (L(W + h) − L(W)) / h: the change in the loss divided by the nudge.",
        mistakes=[
            (lambda e: e * _H, "that is the change in the loss; divide it by h = 0.0001."),
            (
                lambda e: e / 2,
                "you divided by 2h; that is for a central difference (L(W + h) − L(W − h)) / 2h, "
                "which needs the loss at W − h.",
            ),
        ],
    )


_WEIGHT, _GRADIENT, _STEP_SIZE = 0.5, -2.5, 0.01


@answer_required("the updated weight (a number)")
def check_sgd_update(answer: Any) -> Feedback:
    """The new weight after one gradient-descent step: w = 0.5, dL/dw = −2.5, step size 0.01."""
    what = "the updated weight"
    step = _STEP_SIZE * _GRADIENT
    return diagnose_number(
        what,
        answer,
        _WEIGHT - step,
        hint="weight += − step_size · gradient: move against the gradient (it points uphill).",
        mistakes=[
            (
                lambda e: _WEIGHT + step,
                "you moved along the gradient, uphill; subtract step_size · gradient.",
            ),
            (lambda e: -step, "that is the change of the weight; add it to the weight 0.5."),
            (lambda e: step, "that is step_size · gradient; the new weight is 0.5 minus it."),
            (lambda e: _WEIGHT - _GRADIENT, "you forgot the step size: multiply the gradient by 0.01 first."),
            (
                lambda e: _WEIGHT + _GRADIENT,
                "you added the whole gradient: multiply it by the step size 0.01 and subtract.",
            ),
        ],
    )

"""Exercises of notebook 05, losses and gradient descent: compute by hand, then check.

Each checker takes your answer (a number, or a function for the code exercise) and returns a :class:`~backprop_nb.exercises.Feedback`
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

from ..nn import cross_entropy
from ..tensor import Tensor
from ._code import Mistake, check_function
from ._feedback import Feedback, answer_required, diagnose_number

Checker = Callable[[Any], Feedback]

__all__ = [
    "check_hinge_loss",
    "check_numerical_gradient",
    "check_sgd_update",
    "check_softmax_ce_backward",
    "check_softmax_loss",
]

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
    loss = _softmax_loss(FROG_IMAGE_SCORES, frog)
    p_frog = math.exp(-loss)
    rounded_p = sorted({float(f"{p_frog:.{figures}g}") for figures in (1, 2, 3)})
    return diagnose_number(
        what,
        answer,
        loss,
        hint="exp each score, divide by their sum to get probabilities, then take −ln of the frog's.",
        rounded=[(-math.log(p), f"the frog's probability to {p:g} before taking the log") for p in rounded_p],
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


# ----- code: the gradient of the mean softmax cross-entropy over a batch ---------------------------
def _scores_and_labels(rng: np.random.Generator, offset: float) -> dict[str, np.ndarray]:
    """A fresh batch: scores (N, C) around ``offset``, one per row, and integer labels (N,)."""
    n, c = rng.integers(2, 7), rng.integers(3, 6)
    return {"scores": rng.normal(scale=3.0, size=(n, c)) + offset, "labels": rng.integers(0, c, size=n)}


def _engine_gradient(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The checker's own truth: dL/dscores of the engine's (stable) mean cross-entropy."""
    logits = Tensor(scores, requires_grad=True)
    cross_entropy(logits, labels).backward()
    return logits.grad


def _softmax(scores: np.ndarray, axis: int) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def _one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    return np.eye(classes)[labels]


_SOFTMAX_CE_MISTAKES = [
    Mistake(
        lambda scores, labels: _softmax(scores, 1) / len(labels),
        "you forgot to subtract the one-hot labels: dL/ds = (softmax(s) − onehot(y)) / N.",
    ),
    Mistake(
        lambda scores, labels: _softmax(scores, 1) - _one_hot(labels, scores.shape[1]),
        "that is the gradient of the SUM of the losses; the loss is their mean, so divide by N.",
    ),
    Mistake(
        lambda scores, labels: (_softmax(scores, 0) - _one_hot(labels, scores.shape[1])) / len(labels),
        "the softmax ran over axis 0 (down the batch); each row (example) gets its own softmax: axis=1.",
    ),
    Mistake(
        lambda scores, labels: (_one_hot(labels, scores.shape[1]) - _softmax(scores, 1)) / len(labels),
        "every sign is flipped: it is softmax(s) − onehot(y), not the other way round.",
    ),
]
_SOFTMAX_CE_HINT = (
    "Section 4 derived one example's gradient, ∂Lᵢ/∂s = p − onehot(y). Compute it for every row at "
    "once (a softmax along each row), and mind that L is the mean of the N examples' losses."
)


def check_softmax_ce_backward(softmax_ce_backward: Any) -> Feedback:
    """``softmax_ce_backward(scores, labels)`` → dL/dscores of L = mean_i −ln softmax(sᵢ)[yᵢ].

    Checked on fresh batches of several shapes against the engine's ``bp.nn.cross_entropy``,
    then once on scores near 1000, where np.exp overflows unless each row's max is subtracted.
    """
    what = "softmax_ce_backward(scores, labels)"
    ordinary = check_function(
        what,
        softmax_ce_backward,
        _engine_gradient,
        lambda rng: _scores_and_labels(rng, offset=0.0),
        mistakes=_SOFTMAX_CE_MISTAKES,
        hint=_SOFTMAX_CE_HINT,
        trials=3,
    )
    if not ordinary:
        return ordinary
    with np.errstate(over="ignore", invalid="ignore"):
        large = check_function(
            f"{what} on scores near 1000 (np.exp overflows to inf beyond 709)",
            softmax_ce_backward,
            _engine_gradient,
            lambda rng: _scores_and_labels(rng, offset=1000.0),
            hint="softmax(s) = softmax(s − max s): subtract each row's max before np.exp, and nothing overflows.",
            trials=1,
        )
    if not large:
        return large
    return ordinary

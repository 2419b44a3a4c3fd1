"""Loss functions: one number that says how wrong the predictions are, for training to minimise.

Each loss is a single op of the graph (a fused gate with its own exact backward), not a chain of
small ops: the graph stays small and the formulas are the numerically stable ones. Like
PyTorch's ``torch.nn.functional`` losses they take ``reduction``:

* ``"mean"`` (default): the mean over the batch (over all elements for the elementwise losses);
* ``"sum"``: the sum;
* ``"none"``: one loss per example (per element), e.g. to print a table of them.

Logarithms are natural logarithms (the lectures' slides sometimes use log₁₀, which gives
different numbers). Predictions come one example per row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np

from .. import _checks
from ..errors import ShapeError
from ..ops import Op
from ..tensor import Tensor
from .module import Module, Parameter, to_tensor

Reduction = Literal["mean", "sum", "none"]
_REDUCTIONS = ("mean", "sum", "none")
_LOG_FLOOR = -100.0
"""binary_cross_entropy clamps each log to at least this, as PyTorch does, so p = 0 gives 100, not inf."""


def _stable_sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) from e^(−|z|), which never overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


class _Loss(Op):
    """A loss as one op: the unreduced losses, then their mean or sum.

    Subclasses write ``unreduced(*inputs, **params)``, the loss of each example (saving what
    backward needs), and ``unreduced_backward(upstream)``, which turns ∂L/∂(each loss) into one
    gradient per input. The reduction and its backward (1/n for the mean) live here, once.
    """

    def unreduced(self, *inputs: np.ndarray, **params: Any) -> np.ndarray:
        raise NotImplementedError

    def unreduced_backward(self, upstream: np.ndarray) -> tuple[np.ndarray | None, ...]:
        raise NotImplementedError

    def forward(self, *inputs: np.ndarray, reduction: Reduction = "mean", **params: Any) -> np.ndarray:
        losses = self.unreduced(*inputs, **params)
        self.reduction = reduction
        self.losses_shape = losses.shape
        if reduction == "none":
            return losses
        total = losses.sum()
        return total / losses.size if reduction == "mean" else total

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray | None, ...]:
        if self.reduction == "none":
            return self.unreduced_backward(grad_out)
        if self.reduction == "mean":
            grad_out = grad_out / math.prod(self.losses_shape)
        return self.unreduced_backward(np.full(self.losses_shape, grad_out))

    def describe(self) -> str:
        """The label, with the settings that differ from the default mean reduction."""
        shown = [f"{k}={v}" for k, v in self.params.items() if (k, v) != ("reduction", "mean")]
        return f"{self.label}({', '.join(shown)})" if shown else self.label


class SquaredError(_Loss):
    """(pred − target)², elementwise: the op behind ``mse_loss``."""

    label = "mse_loss"
    local_derivative = "∂L/∂predᵢ = 2(predᵢ − targetᵢ)/n,  ∂L/∂targetᵢ = −2(predᵢ − targetᵢ)/n"

    def unreduced(self, pred: np.ndarray, target: np.ndarray) -> np.ndarray:
        diff = pred - target
        self.save_for_backward(diff)
        return diff * diff

    def unreduced_backward(self, upstream: np.ndarray) -> tuple[np.ndarray | None, ...]:
        (diff,) = self.saved_tensors
        grad = 2.0 * diff * upstream
        return grad, -grad if self.needs_input_grad[1] else None


class BinaryCrossEntropy(_Loss):
    """−[y·ln p + (1 − y)·ln(1 − p)], each log clamped to ≥ −100: the op behind ``binary_cross_entropy``.

    The backward is the exact derivative (p − y) / (p(1 − p)), its denominator kept ≥ 1e-12,
    as in PyTorch (so p = 0 or 1 gives a huge but finite gradient).
    """

    label = "binary_cross_entropy"
    local_derivative = "∂L/∂pᵢ = (pᵢ − yᵢ) / (pᵢ(1 − pᵢ)) / n,  ∂L/∂yᵢ = (ln(1 − pᵢ) − ln pᵢ) / n"

    def unreduced(self, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), _LOG_FLOOR)
            log_not_p = np.maximum(np.log1p(-p), _LOG_FLOOR)
        self.save_for_backward(p, y, log_p, log_not_p)
        return -(y * log_p + (1.0 - y) * log_not_p)

    def unreduced_backward(self, upstream: np.ndarray) -> tuple[np.ndarray | None, ...]:
        p, y, log_p, log_not_p = self.saved_tensors
        grad_p = upstream * (p - y) / np.maximum(p * (1.0 - p), 1e-12)
        return grad_p, upstream * (log_not_p - log_p) if self.needs_input_grad[1] else None


class BinaryCrossEntropyWithLogits(_Loss):
    """Binary cross-entropy of σ(z), as max(z, 0) − z·y + ln(1 + e^(−|z|)), which never overflows."""

    label = "bce_with_logits"
    local_derivative = "∂L/∂zᵢ = (σ(zᵢ) − yᵢ) / n,  ∂L/∂yᵢ = −zᵢ / n"

    def unreduced(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        self.save_for_backward(z, y)
        return np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))

    def unreduced_backward(self, upstream: np.ndarray) -> tuple[np.ndarray | None, ...]:
        z, y = self.saved_tensors
        return upstream * (_stable_sigmoid(z) - y), -upstream * z if self.needs_input_grad[1] else None


class SoftmaxCrossEntropy(_Loss):
    """−ln softmax(z)_y for each row, through log-sum-exp: the op behind ``cross_entropy``."""

    label = "cross_entropy"
    local_derivative = "∂L/∂z = (softmax(z) − onehot(y)) / N"

    def unreduced(self, logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
        rows, y = np.arange(len(logits)), labels.astype(np.intp)
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.save_for_backward(np.exp(log_probs), rows, y)
        return -log_probs[rows, y]

    def unreduced_backward(self, upstream: np.ndarray) -> tuple[np.ndarray | None, ...]:
        probs, rows, y = self.saved_tensors
        grad = probs.copy()
        grad[rows, y] -= 1.0
        return grad * upstream[:, np.newaxis], None


class MulticlassHinge(_Loss):
    """Σ_{j≠y} max(0, s_j − s_y + margin) for each row: the op behind ``multiclass_hinge``."""

    label = "multiclass_hinge"
    local_derivative = "∂L/∂s_j = 1 if s_j − s_y + margin > 0 (j ≠ y),  ∂L/∂s_y = −(number of those j);  / N"

    def unreduced(self, scores: np.ndarray, labels: np.ndarray, margin: float) -> np.ndarray:
        rows, y = np.arange(len(scores)), labels.astype(np.intp)
        margins = np.maximum(0.0, scores - scores[rows, y][:, np.newaxis] + margin)
        margins[rows, y] = 0.0
        slopes = (margins > 0).astype(np.float64)
        slopes[rows, y] = -slopes.sum(axis=1)
        self.save_for_backward(slopes)
        return margins.sum(axis=1)

    def unreduced_backward(self, upstream: np.ndarray) -> tuple[np.ndarray | None, ...]:
        (slopes,) = self.saved_tensors
        return slopes * upstream[:, np.newaxis], None


class SumOfSquares(Op):
    """Σ‖W‖², the sum of the squares of every element of every input: the op behind ``l2_penalty``."""

    label = "Σ‖W‖²"
    local_derivative = "∂(Σ‖W‖²)/∂W = 2W"

    def forward(self, *weights: np.ndarray) -> np.ndarray:
        self.save_for_backward(*weights)
        return np.asarray(sum(float(np.vdot(w, w)) for w in weights))

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray | None, ...]:
        return tuple(
            2.0 * w * grad_out if needed else None
            for w, needed in zip(self.saved_tensors, self.needs_input_grad, strict=True)
        )


# ----- checks shared by the losses ----------------------------------------------------------
def _check_reduction(who: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{who}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _matching_pair(who: str, pred: Any, target: Any, reduction: str) -> tuple[Tensor, Tensor]:
    """Predictions and targets as tensors of exactly the same, non-empty shape."""
    _check_reduction(who, reduction)
    pred, target = to_tensor(pred), to_tensor(target)
    if pred.shape != target.shape:
        hint = ""
        if np.squeeze(pred.data).shape == np.squeeze(target.data).shape:
            hint = (
                ": they differ only in axes of length 1, and broadcasting them would silently compare "
                "every prediction with every target; reshape one, e.g. target.reshape(pred.shape)"
            )
        raise ShapeError(
            f"{who}: predictions of shape {pred.shape} and targets of shape {target.shape} must have "
            f"exactly the same shape{hint}"
        )
    if pred.size == 0:
        raise ValueError(f"{who}: got an empty batch (shape {pred.shape})")
    return pred, target


def _check_in_unit_interval(who: str, what: str, values: np.ndarray, hint: str = "") -> None:
    outside = ~((values >= 0) & (values <= 1))
    if outside.any():
        index = tuple(int(i) for i in np.argwhere(outside)[0])
        raise ValueError(f"{who}: {what} must be in [0, 1], got {values[index]} at index {index}{hint}")


def _scores_and_labels(who: str, scores: Any, labels: Any, reduction: str) -> tuple[Tensor, Tensor]:
    """Scores of shape (N, C) (a single example (C,) becomes (1, C)) and validated integer labels."""
    _check_reduction(who, reduction)
    scores = to_tensor(scores)
    labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if scores.ndim == 1:
        if labels.size != 1:
            raise ShapeError(
                f"{who}: scores of shape {scores.shape} are one example and need one label, "
                f"got labels of shape {labels.shape}"
            )
        scores, labels = scores.reshape(1, -1), labels.reshape(1)
    if scores.ndim != 2:
        raise ShapeError(
            f"{who} expects scores of shape (N, C), one row per example, got shape {scores.shape}"
        )
    n, classes = scores.shape
    if n == 0 or classes == 0:
        raise ValueError(f"{who}: got empty scores of shape {scores.shape}")
    if classes == 1:
        raise ShapeError(
            f"{who} needs one score per class, at least 2, got scores of shape {scores.shape}: with a single "
            "class the loss is 0 whatever the scores. For two classes give 2 scores per example, or keep "
            "one score and use binary_cross_entropy_with_logits"
        )
    if labels.dtype.kind not in "iuf":
        raise TypeError(f"{who}: labels must be integer class indices, got dtype {labels.dtype}")
    if labels.shape != (n,):
        hint = ""
        if labels.shape == (n, classes):
            hint = "; these look one-hot encoded: pass class indices, labels.argmax(axis=1)"
        raise ShapeError(
            f"{who}: labels of shape {labels.shape} do not fit scores of shape {scores.shape}: "
            f"need one class index per row, shape ({n},){hint}"
        )
    if labels.dtype.kind == "f":
        not_whole = ~np.isfinite(labels) | (labels != np.round(labels))
        if not_whole.any():
            index = int(np.argmax(not_whole))
            raise ValueError(
                f"{who}: labels must be whole numbers (class indices); label {labels[index]} at index {index} is not"
            )
    if labels.min() < 0 or labels.max() >= classes:
        index = int(np.argmax((labels < 0) | (labels >= classes)))
        raise ValueError(
            f"{who}: label {labels[index]:g} at index {index} is outside [0, {classes}): "
            f"the scores have {classes} classes"
        )
    return scores, Tensor(labels, name="labels")


# ----- the losses ---------------------------------------------------------------------------
def mse_loss(pred: Any, target: Any, reduction: Reduction = "mean") -> Tensor:
    """Mean squared error: mean over all elements of (pred − target)².

    ``pred`` and ``target`` (a Tensor, array or list) must have exactly the same shape: a
    prediction of shape (N, 1) against targets of shape (N,) is an error, not a broadcast.
    """
    pred, target = _matching_pair("mse_loss", pred, target, reduction)
    return SquaredError.apply(pred, target, reduction=reduction)


def binary_cross_entropy(probs: Any, target: Any, reduction: Reduction = "mean") -> Tensor:
    """Binary cross-entropy of probabilities: mean of −[y·ln p + (1 − y)·ln(1 − p)].

    ``probs`` are probabilities in [0, 1] (e.g. a sigmoid's output) and ``target`` holds 0/1
    labels (or soft targets in [0, 1]) of the same shape. As in PyTorch, each log is clamped to
    ≥ −100, so a confident wrong answer (p = 0, y = 1) costs 100 instead of infinity. From raw
    scores, :func:`binary_cross_entropy_with_logits` is more accurate.
    """
    probs, target = _matching_pair("binary_cross_entropy", probs, target, reduction)
    _check_in_unit_interval(
        "binary_cross_entropy",
        "probabilities",
        probs.data,
        "; for raw scores (logits) use binary_cross_entropy_with_logits",
    )
    _check_in_unit_interval("binary_cross_entropy", "targets", target.data)
    return BinaryCrossEntropy.apply(probs, target, reduction=reduction)


def binary_cross_entropy_with_logits(logits: Any, target: Any, reduction: Reduction = "mean") -> Tensor:
    """Binary cross-entropy of σ(logits), computed stably as max(z, 0) − z·y + ln(1 + e^(−|z|)).

    Equal to ``binary_cross_entropy(sigmoid(logits), target)`` but exact for any logit (no
    clamping, no overflow at z = ±1000), with the simple gradient (σ(z) − y) / n.
    """
    logits, target = _matching_pair("binary_cross_entropy_with_logits", logits, target, reduction)
    _check_in_unit_interval("binary_cross_entropy_with_logits", "targets", target.data)
    return BinaryCrossEntropyWithLogits.apply(logits, target, reduction=reduction)


def cross_entropy(logits: Any, labels: Any, reduction: Reduction = "mean") -> Tensor:
    """Softmax cross-entropy: the mean over the batch of −ln softmax(logits)[label].

    Args:
        logits: raw scores of shape (N, C), one row per example (or (C,) for one example).
        labels: N integer class indices in [0, C): an int array, list or Tensor. (PyTorch also
            accepts class probabilities here; this does not.)

    Stable for any logits (log-sum-exp), and one op whose backward is (softmax − onehot) / N.
    """
    logits, labels = _scores_and_labels("cross_entropy", logits, labels, reduction)
    return SoftmaxCrossEntropy.apply(logits, labels, reduction=reduction)


def multiclass_hinge(scores: Any, labels: Any, margin: float = 1.0, reduction: Reduction = "mean") -> Tensor:
    """The multiclass SVM (hinge) loss of the lectures: Σ_{j≠y} max(0, s_j − s_y + margin), averaged.

    Args:
        scores: shape (N, C), **one example per row**. The lectures' score table has one example
            per column: pass its transpose.
        labels: N integer class indices in [0, C), as for :func:`cross_entropy`.
        margin: how far the correct class's score must beat the others before the loss is 0.

    PyTorch's ``multi_margin_loss`` also divides each example's sum by C; this (the lectures'
    and CS231n's form) does not. At a kink (a margin exactly 0) the slope is taken to be 0.
    """
    margin = _checks.number("multiclass_hinge: margin", margin)
    scores, labels = _scores_and_labels("multiclass_hinge", scores, labels, reduction)
    return MulticlassHinge.apply(scores, labels, margin=margin, reduction=reduction)


def l2_penalty(params: Iterable[Tensor]) -> Tensor:
    """Σ‖W‖²: the sum of the squares of every element of the given tensors (no ½, no λ).

    Add ``lam * l2_penalty(...)`` to the data loss for L2 regularisation (weight decay). Which
    tensors to penalise is the caller's choice: ``model.parameters()`` includes the biases,
    ``weight_matrices(model)`` only the weight matrices (the usual choice).
    """
    if isinstance(params, Module):
        raise TypeError(
            "l2_penalty takes parameters, not a module: pass model.parameters() or weight_matrices(model)"
        )
    if isinstance(params, Tensor) or not isinstance(params, Iterable):
        raise TypeError(
            f"l2_penalty takes an iterable of Tensors, e.g. [W1, W2] or model.parameters(); got "
            f"{type(params).__name__} (wrap a single tensor in a list)"
        )
    params = list(params)
    for position, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"l2_penalty takes Tensors, got {type(p).__name__} at position {position}")
    if not params:
        raise ValueError(
            "l2_penalty got no tensors (an iterator such as model.parameters() can be used only once; "
            "make a list of it to reuse it)"
        )
    return SumOfSquares.apply(*params)


def weight_matrices(model: Module) -> list[Parameter]:
    """The model's parameters with two or more dimensions: the weights, without biases or LayerNorm gains."""
    if not isinstance(model, Module):
        raise TypeError(f"weight_matrices takes a bp.nn Module, got {type(model).__name__}")
    return [p for p in model.parameters() if p.ndim >= 2]

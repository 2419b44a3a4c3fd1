"""Code exercises of notebooks 06 and 07: write an MLP's backward pass yourself, graded by the engine.

You write a function; the checker calls it on fresh random inputs (new shapes each trial, a batch
stored one example per row) and compares what it returns with the engine's gradients, computed
by the checker itself. When they differ it tries the usual mistakes (a missing transpose, no sum
over the batch, a forgotten upstream gradient, relu′(0) = 1, a forgotten 1/N) and names the one
your function makes.

- ``affine_backward(dout, X, W, b) -> (dX, dW, db)`` for ``out = X @ W.T + b``;
- ``relu_backward(dout, z) -> dz`` for ``out = max(z, 0)``;
- ``mlp_backward(X, y, W1, b1, W2, b2) -> (dW1, db1, dW2, db2)`` for
  Linear → ReLU → Linear → softmax cross-entropy, the mean over the batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import functions as F
from ..nn.losses import cross_entropy
from ..tensor import tensor
from ._code import Mistake, check_function, upstream_ignored
from ._feedback import Feedback

__all__ = ["check_affine_backward", "check_mlp_backward", "check_relu_backward"]


# ----- affine: out = X Wᵀ + b --------------------------------------------------------------------------
def _affine_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A batch of N examples with D features through M units; N, D, M all different."""
    n, d, m = rng.permutation(3) + 2 + 3 * rng.integers(0, 2)
    return {
        "dout": rng.standard_normal((n, m)),
        "X": rng.standard_normal((n, d)),
        "W": rng.standard_normal((m, d)),
        "b": rng.standard_normal(m),
    }


def _affine_reference(
    dout: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, ...]:
    """The engine's gradients of Σ dout ⊙ (X Wᵀ + b) with respect to X, W and b."""
    X_t, W_t, b_t = (tensor(a, requires_grad=True) for a in (X, W, b))
    F.linear(X_t, W_t, b_t).backward(dout)
    return X_t.grad, W_t.grad, b_t.grad


def _affine_mistake(change: Callable[..., tuple[np.ndarray, ...]], explanation: str) -> Mistake:
    """A wrong affine backward: ``change(dout, X, W)`` gives its (dX, dW, db)."""
    return Mistake(lambda dout, X, W, b: change(dout, X, W), explanation)


_AFFINE_MISTAKES = (
    _affine_mistake(
        lambda dout, X, W: (dout @ W, X.T @ dout, dout.sum(axis=0)),
        "dW is transposed: X.T @ dout has shape (D, M); the weight W is (M, D), so dW = dout.T @ X.",
    ),
    _affine_mistake(
        lambda dout, X, W: (dout @ W, dout.T @ X, dout.sum(axis=1)),
        "db sums over the wrong axis: b is added to every row, so db adds dout over the rows (axis=0).",
    ),
    _affine_mistake(
        lambda dout, X, W: (dout @ W, dout.T @ X, dout.mean(axis=0)),
        "db is the mean over the batch; b is added to every row, so each row's gradient counts: sum them.",
    ),
    _affine_mistake(
        lambda dout, X, W: (dout @ W, dout.T @ X, dout),
        "db has no sum over the batch: a parameter's gradient has its shape, (M,), the rows add up.",
    ),
    upstream_ignored(_affine_reference),
)


def check_affine_backward(affine_backward: Any) -> Feedback:
    """Grade ``affine_backward(dout, X, W, b) -> (dX, dW, db)``, out = X @ W.T + b, against the engine."""
    return check_function(
        "affine_backward",
        affine_backward,
        _affine_reference,
        _affine_inputs,
        outputs=("dX", "dW", "db"),
        mistakes=_AFFINE_MISTAKES,
        hint="Each gradient has the shape of what it belongs to: dX (N, D), dW (M, D), db (M,). Row n of "
        "out is W x_n + b; work out one row's gradients, then add them up over the batch with one "
        "matrix product or one sum.",
        seed=6,
    )


# ----- ReLU: out = max(z, 0) ---------------------------------------------------------------------------
def _relu_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Pre-activations with exact zeros among them (the kink), and an upstream gradient of either sign."""
    shape = tuple(rng.integers(3, 6, size=rng.integers(1, 3)))
    z = rng.standard_normal(shape)
    z.flat[rng.permutation(z.size)[: z.size // 3]] = 0.0
    return {"dout": rng.standard_normal(shape), "z": z}


def _relu_reference(dout: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The engine's gradient of Σ dout ⊙ relu(z) with respect to z."""
    z_t = tensor(z, requires_grad=True)
    F.relu(z_t).backward(dout)
    return z_t.grad


_RELU_MISTAKES = (
    Mistake(
        lambda dout, z: dout * (z >= 0),
        "you let the gradient through at z = 0. ReLU has a kink there; we (and PyTorch) take "
        "the slope 0: z > 0.",
    ),
    Mistake(
        lambda dout, z: dout * (dout > 0),
        "you masked where the upstream gradient is positive; the mask comes from the input: where z > 0.",
    ),
    upstream_ignored(_relu_reference),
    Mistake(
        lambda dout, z: dout * np.maximum(z, 0.0),
        "you multiplied by the ReLU's output max(z, 0); the local derivative is its slope 𝕀[z > 0].",
    ),
)


def check_relu_backward(relu_backward: Any) -> Feedback:
    """Grade ``relu_backward(dout, z) -> dz`` for ``out = max(z, 0)`` against the engine."""
    return check_function(
        "relu_backward",
        relu_backward,
        _relu_reference,
        _relu_inputs,
        mistakes=_RELU_MISTAKES,
        hint="The slope of max(z, 0) is 1 where z > 0 and 0 elsewhere, also at z = 0 exactly; multiply "
        "it by dout into a new array.",
        seed=6,
    )


# ----- the 2-layer MLP: Linear → ReLU → Linear → softmax cross-entropy ------------------------------
MLP_GRADIENTS = ("dW1", "db1", "dW2", "db2")


def _mlp_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A batch of N labelled examples and the weights of an MLP([D, H, C]); N, D, H, C all different."""
    n, d, h, c = rng.permutation(4) + 2 + 4 * rng.integers(0, 2)
    return {
        "X": rng.standard_normal((n, d)),
        "y": rng.integers(0, c, size=n),
        "W1": rng.standard_normal((h, d)),
        "b1": rng.standard_normal(h),
        "W2": rng.standard_normal((c, h)),
        "b2": rng.standard_normal(c),
    }


def _mlp_reference(X: np.ndarray, y: np.ndarray, **weights: np.ndarray) -> tuple[np.ndarray, ...]:
    """The engine's gradients of the mean softmax cross-entropy of the MLP, in the order of MLP_GRADIENTS."""
    p = {name: tensor(value, requires_grad=True) for name, value in weights.items()}
    hidden = F.relu(F.linear(X, p["W1"], p["b1"]))
    cross_entropy(F.linear(hidden, p["W2"], p["b2"]), y).backward()
    return p["W1"].grad, p["b1"].grad, p["W2"].grad, p["b2"].grad


def _mlp_by_formula(X, y, W1, b1, W2, b2, *, probabilities=None, mean=True, mask=True, bias_mean=False):
    """The hand-written backward pass, with switches that turn one step of it into a usual mistake."""
    Z1 = X @ W1.T + b1
    H1 = np.maximum(Z1, 0.0)
    S = H1 @ W2.T + b2
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    onehot = np.eye(S.shape[1])[y]
    dS = (P - onehot) if probabilities is None else probabilities(S, P, onehot)
    dS = dS / len(X) if mean else dS
    dH1 = dS @ W2
    dZ1 = dH1 * (Z1 > 0) if mask else dH1
    bias = np.mean if bias_mean else np.sum
    return dZ1.T @ X, bias(dZ1, axis=0), dS.T @ H1, bias(dS, axis=0)


def _mlp_mistake(explanation: str, **switches: Any) -> Mistake:
    return Mistake(
        lambda X, y, W1, b1, W2, b2: _mlp_by_formula(X, y, W1, b1, W2, b2, **switches), explanation
    )


_MLP_MISTAKES = (
    _mlp_mistake(
        "all four gradients are N times too large: the loss is the MEAN over the batch, "
        "so dS = (P − onehot) / N.",
        mean=False,
    ),
    _mlp_mistake(
        "dW2 and db2 are right, dW1 and db1 are not: the ReLU's mask is missing: "
        "dZ1 = dH1 * (Z1 > 0), the gradient stops at every inactive unit.",
        mask=False,
    ),
    _mlp_mistake(
        "the weight gradients are right, db1 and db2 are not: they are means over the batch; "
        "the loss already has its 1/N in dS, so sum the rows.",
        bias_mean=True,
    ),
    _mlp_mistake(
        "all four gradients differ, from dS on: dS lacks the − onehot: the gradient of −ln p_y "
        "with respect to the scores is P − onehot(y).",
        probabilities=lambda S, P, onehot: P,
    ),
    _mlp_mistake(
        "all four gradients have the wrong sign: dS has the sign flipped: it is P − onehot(y) "
        "(the correct class's score should go UP, so its gradient is negative).",
        probabilities=lambda S, P, onehot: onehot - P,
    ),
    _mlp_mistake(
        "all four gradients differ, from dS on: dS uses the scores S instead of the softmax "
        "probabilities P: dS = (softmax(S) − onehot) / N.",
        probabilities=lambda S, P, onehot: S - onehot,
    ),
)


def check_mlp_backward(mlp_backward: Any) -> Feedback:
    """Grade ``mlp_backward(X, y, W1, b1, W2, b2) -> (dW1, db1, dW2, db2)`` gradient by gradient.

    The network is Linear(W1, b1) → ReLU → Linear(W2, b2) → softmax cross-entropy, the mean over
    the batch, with weights of shape (out, in) and one example per row of X. The truth is the
    engine's gradients on the checker's own random inputs.
    """
    return check_function(
        "mlp_backward",
        mlp_backward,
        _mlp_reference,
        _mlp_inputs,
        outputs=MLP_GRADIENTS,
        mistakes=_MLP_MISTAKES,
        hint="Run the forward pass keeping Z1, H1 and the softmax probabilities, then go backwards one "
        "line per step: dS (the mean brings a 1/N), dW2 and db2, dH1, through the ReLU's indicator to "
        "dZ1, then dW1 and db1. Each gradient has its parameter's shape.",
        seed=7,
    )

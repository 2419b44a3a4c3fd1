"""Exercises of notebook 04, vector Jacobians: shapes and layouts, ReLU, ‖Wx‖², broadcasting.

Jacobians here are in numerator layout, as ``bp.jacobian`` returns them: shape
``f(x).shape + x.shape``, ``J[i, j] = ∂fᵢ/∂xⱼ``. The lectures' denominator layout is the
transpose, and a checker says so when an answer is in that layout.

The exercises' inputs are module constants (read-only arrays), so a notebook prints the very
numbers the checker uses: ``RELU_EXERCISE_X``, ``NORM_EXERCISE_W``, ``NORM_EXERCISE_X`` and
``BROADCAST_UPSTREAM``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._code import Mistake, check_function, upstream_ignored
from ._feedback import Feedback, as_shape, diagnose_array, read_only, right, unanswered, wrong

__all__ = [
    "BROADCAST_UPSTREAM",
    "NORM_EXERCISE_W",
    "NORM_EXERCISE_X",
    "RELU_EXERCISE_X",
    "check_add_bias_backward",
    "check_broadcast_bias_grad",
    "check_jacobian_shape",
    "check_matvec_backward",
    "check_relu_jacobian",
    "check_squared_norm_grad_W",
]


RELU_EXERCISE_X = read_only([1.5, -0.5, 0.0, 2.0])
NORM_EXERCISE_W = read_only([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
NORM_EXERCISE_X = read_only([1.0, 2.0, -1.0])
BROADCAST_UPSTREAM = read_only([[1.0, 0.0, 2.0], [0.5, -1.0, 1.0], [2.0, 1.0, 0.0], [-1.0, 3.0, 1.0]])


# ----- shapes ----------------------------------------------------------------------------------
_W_SHAPE, _X_SHAPE, _F_SHAPE = (3, 5), (5,), (3,)
"""The shape exercise: f = W x with W of shape (3, 5), so x has shape (5,) and f shape (3,)."""

_SHAPE_MISTAKES = {
    "x": {
        _X_SHAPE + _F_SHAPE: "that is the denominator layout the lectures use (x's shape first); "
        "bp.jacobian's numerator layout puts f's shape first.",
        _F_SHAPE: "that is the shape of f; the Jacobian has one entry per (output, input) pair.",
        _X_SHAPE: "that is the shape of x (and of a gradient); f is a vector, so each of its "
        "3 elements has its own row.",
        (15,): "that is the number of entries, flattened; the Jacobian is a matrix.",
    },
    "W": {
        _W_SHAPE: "that is W's shape, the shape of a scalar's gradient. f has 3 elements, "
        "each with a (3, 5) gradient.",
        _W_SHAPE + _F_SHAPE: "that is the denominator layout (W's shape first); numerator layout "
        "puts f's shape first.",
        (3, 15): "W's two axes are kept, not flattened: f(x).shape + W.shape.",
        (15, 3): "W's two axes are kept, not flattened, and numerator layout puts f's shape first.",
    },
}


def check_jacobian_shape(answer: Any, wrt: str = "x") -> Feedback:
    """The numerator-layout shape of the Jacobian of f = W x (W: (3, 5), x: (5,)) with respect to ``wrt``.

    ``wrt="x"``: ∂f/∂x; ``wrt="W"``: ∂f/∂W (f as a function of W, x held fixed).
    """
    if not isinstance(wrt, str) or wrt not in _SHAPE_MISTAKES:
        raise ValueError(f"wrt must be 'x' or 'W', not {wrt!r}")
    what = f"the shape of ∂f/∂{wrt}"
    if (missing := unanswered(answer, what)) is not None:
        return missing
    hint = "Numerator layout: f(x).shape + (shape of what you differentiate with respect to)."
    shape = as_shape(answer)
    if shape is None:
        return wrong(f"{what} should be a tuple of whole numbers such as (2, 4), got {answer!r}.", hint)
    expected = _F_SHAPE + (_X_SHAPE if wrt == "x" else _W_SHAPE)
    if shape == expected:
        return right(f"{what} is {expected}.")
    explanation = _SHAPE_MISTAKES[wrt].get(shape, "which is not it.")
    return wrong(f"{what}: you wrote {shape}; {explanation}", hint)


# ----- values ----------------------------------------------------------------------------------
def check_relu_jacobian(answer: Any) -> Feedback:
    """The Jacobian of the elementwise ReLU at ``RELU_EXERCISE_X`` = (1.5, −0.5, 0, 2)."""
    if (missing := unanswered(answer, "the ReLU Jacobian")) is not None:
        return missing
    x = RELU_EXERCISE_X
    return diagnose_array(
        "the ReLU Jacobian",
        answer,
        np.diag((x > 0).astype(float)),
        hint="Output i depends only on input i, with slope 1 where xᵢ > 0 and 0 elsewhere (relu'(0) = 0): "
        "a diagonal matrix.",
        mistakes=[
            (
                (x > 0).astype(float),
                "that is its diagonal, the mask 1[x > 0]; the Jacobian is np.diag(mask).",
            ),
            (
                np.diag((x >= 0).astype(float)),
                "at x = 0 the convention (PyTorch's too) is relu'(0) = 0, so that entry is 0.",
            ),
            (np.diag(np.maximum(x, 0)), "you put relu(x) on the diagonal; the slopes are 1 or 0."),
            (np.diag((x < 0).astype(float)), "the mask is flipped: the slope is 1 where x > 0."),
            (np.diag((x <= 0).astype(float)), "the mask is flipped: the slope is 1 where x > 0."),
            (np.eye(x.size), "that is the identity: the units with x ≤ 0 pass no gradient."),
        ],
    )


def check_squared_norm_grad_W(answer: Any) -> Feedback:
    """∇_W of f = ‖W x‖² at ``NORM_EXERCISE_W`` (2×3) and ``NORM_EXERCISE_X`` (3,)."""
    if (missing := unanswered(answer, "∇_W f")) is not None:
        return missing
    w, x = NORM_EXERCISE_W, NORM_EXERCISE_X
    q = w @ x
    return diagnose_array(
        "∇_W f",
        answer,
        2 * np.outer(q, x),
        hint="With q = W x: ∂f/∂W_ij = 2 qᵢ xⱼ, i.e. ∇_W f = 2 q xᵀ, which has W's shape.",
        mistakes=[
            (np.outer(q, x), "the factor 2 from the square (d q²/dq = 2q) is missing."),
            (2 * np.outer(x, q), "that is 2 x qᵀ, the transpose: ∇_W f has W's shape (2, 3), so 2 q xᵀ."),
            (np.outer(x, q), "that is x qᵀ: transposed, and the factor 2 is missing."),
            (2 * w.T @ q, "that is ∇_x f = 2 Wᵀ q; the question asks for ∇_W."),
            (2 * q, "that is ∇_q f = 2q; one more step: ∂qᵢ/∂W_ij = xⱼ."),
        ],
    )


def check_broadcast_bias_grad(answer: Any) -> Feedback:
    """b.grad after ``(x + b).backward(BROADCAST_UPSTREAM)`` with x of shape (4, 3) and b of shape (3,)."""
    if (missing := unanswered(answer, "b.grad")) is not None:
        return missing
    g = BROADCAST_UPSTREAM
    return diagnose_array(
        "b.grad",
        answer,
        g.sum(axis=0),
        hint="b was added to each of the 4 rows: its gradient is the sum of the 4 rows of the upstream gradient.",
        mistakes=[
            (
                g,
                "that is the upstream gradient itself: b has shape (3,) and was used by all 4 rows, "
                "so sum over the rows.",
            ),
            (
                g.sum(axis=1),
                "you summed over the wrong axis: across each row (axis 1) instead of down the 4 rows "
                "that broadcasting stretched b over (axis 0).",
            ),
            (g.mean(axis=0), "that is the mean over the rows; gradients from the 4 uses add up: sum them."),
            (
                g.sum(),
                "you summed everything: b has 3 elements, so its gradient has 3 (sum over axis 0 only).",
            ),
        ],
    )


# ----- code: the backward pass of y = W x, without building the Jacobian --------------------------
def _matvec_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Fresh W (m, n), x (n,) and an upstream gradient dout (m,); square or not, varying per trial."""
    m, n = rng.integers(2, 6, size=2)
    if rng.random() < 0.5:
        n = m  # square W: a missing transpose then has the right shape and must be caught by value
    return {"dout": rng.normal(size=m), "W": rng.normal(size=(m, n)), "x": rng.normal(size=n)}


def _matvec_backward(dout: np.ndarray, W: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The checker's own answer: dW = dout xᵀ (W's shape), dx = Wᵀ dout (x's shape)."""
    return np.outer(dout, x), W.T @ dout


def check_matvec_backward(matvec_backward: Any) -> Feedback:
    """``matvec_backward(dout, W, x)`` → (dW, dx), the gradients of L through y = W x given dout = ∂L/∂y."""
    return check_function(
        "matvec_backward(dout, W, x)",
        matvec_backward,
        _matvec_backward,
        _matvec_inputs,
        outputs=("dW", "dx"),
        mistakes=[
            Mistake(
                lambda dout, W, x: (np.outer(dout, x), W @ dout),
                "dx is W dout; it is Wᵀ dout (the Jacobian of W x is W, and the backward pass multiplies "
                "by its transpose).",
            ),
            Mistake(
                lambda dout, W, x: (np.outer(x, dout), W.T @ dout),
                "dW is x doutᵀ, the transpose; dW[i, j] = dout[i] x[j], i.e. np.outer(dout, x).",
            ),
            upstream_ignored(_matvec_backward),
        ],
        hint="Work one index at a time: y_i = Σ_j W_ij x_j, so ∂L/∂W_ij = dout_i · ∂y_i/∂W_ij and "
        "∂L/∂x_j = Σ_i dout_i · ∂y_i/∂x_j; then write each as one numpy expression with the shape of "
        "its variable (dW like W, dx like x).",
    )


# ----- code: the backward pass of a broadcast bias, y = x + b ----------------------------------------
def _bias_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A fresh upstream gradient dout (N, D); sometimes N = D, so a wrong axis keeps the right shape."""
    n, d = rng.integers(2, 6, size=2)
    return {"dout": rng.normal(size=(d if rng.random() < 0.5 else n, d))}


def _add_bias_backward(dout: np.ndarray) -> np.ndarray:
    """The checker's own answer: b was added to every row, so db sums dout over the rows."""
    return dout.sum(axis=0)


def check_add_bias_backward(add_bias_backward: Any) -> Feedback:
    """``add_bias_backward(dout)`` → db for y = x + b, with x (N, D), b (D,) and dout = ∂L/∂y (N, D)."""
    return check_function(
        "add_bias_backward(dout)",
        add_bias_backward,
        _add_bias_backward,
        _bias_inputs,
        mistakes=[
            Mistake(lambda dout: dout, "that is dout itself: b was used by all N rows, so sum over them."),
            Mistake(
                lambda dout: dout.sum(axis=1),
                "you summed across each row (axis 1); b was stretched down the rows (axis 0).",
            ),
            Mistake(
                lambda dout: dout.mean(axis=0), "that is the mean over the rows; the N uses of b add up."
            ),
            Mistake(lambda dout: dout.sum(), "you summed everything; db has one entry per entry of b."),
        ],
        hint="Broadcasting used b once in every row of y. What happens to the gradients of a variable "
        "used several times? Over which axis are those uses?",
    )

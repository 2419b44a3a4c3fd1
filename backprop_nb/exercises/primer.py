"""Exercises of notebook 00, the numpy primer: a layer's shape, the three products, a sum along an axis,
and a linear layer written as code.

The batch layout is the package's and PyTorch's: one example per **row**, so a linear layer is
``X @ W.T + b``. The exercises' inputs are module constants (read-only arrays), so the notebook
prints the very numbers the checker uses: ``WEIGHT_GRAD_EXERCISE_G``, ``WEIGHT_GRAD_EXERCISE_X`` and
``SOFTMAX_EXERCISE_SCORES``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._code import Mistake, check_function
from ._feedback import Feedback, answer_required, as_shape, diagnose_array, read_only, right, wrong

__all__ = [
    "SOFTMAX_EXERCISE_SCORES",
    "WEIGHT_GRAD_EXERCISE_G",
    "WEIGHT_GRAD_EXERCISE_X",
    "check_dense_forward",
    "check_layer_output_shape",
    "check_row_softmax",
    "check_weight_gradient",
]


WEIGHT_GRAD_EXERCISE_G = read_only([0.5, -1.0, 2.0])
"""∂L/∂f for the layer f = W x: one number per output."""
WEIGHT_GRAD_EXERCISE_X = read_only([1.0, 2.0, -1.0])
"""The layer's input x."""
SOFTMAX_EXERCISE_SCORES = read_only([[2.0, 1.0, 0.0], [0.5, 0.5, 3.0], [-1.0, 0.0, 2.0], [1.0, 2.0, 2.0]])
"""Scores of 4 examples (rows) for 3 classes (columns)."""


# ----- the shape of a layer --------------------------------------------------------------------
_BATCH, _IN, _OUT = 5, 3, 4
"""X has shape (5, 3): 5 examples of 3 features; W has shape (4, 3): 4 units; b has shape (4,)."""

_LAYER_SHAPE_MISTAKES = {
    (_OUT, _BATCH): "that is the lectures' layout, W @ X.T with one example per column; X @ W.T + b keeps "
    "one example per row.",
    (_BATCH, _IN): "that is X's shape: the layer turns each example's 3 features into 4 outputs.",
    (_OUT, _IN): "that is W's shape (one row per unit), not the shape of the layer's output.",
    (_IN, _OUT): "that is W.T's shape; X (5, 3) @ W.T (3, 4) gives (5, 4).",
    (_OUT,): "that is b's shape; adding b to every row does not change the shape of X @ W.T.",
    (_BATCH,): "one number per example would be a layer of one unit; this layer has 4.",
    (_BATCH * _OUT,): "that is the number of entries; the output is a table with one row per example.",
}


@answer_required("the shape of X @ W.T + b, a tuple such as (2, 7)")
def check_layer_output_shape(answer: Any) -> Feedback:
    """The shape of ``X @ W.T + b`` for X of shape (5, 3), W of shape (4, 3) and b of shape (4,)."""
    what = "the shape of X @ W.T + b"
    hint = "(5, 3) @ (3, 4): the inner 3s meet and disappear; then b (4,) is added to each of the 5 rows."
    shape = as_shape(answer)
    if shape is None:
        return wrong(f"{what} should be a tuple of whole numbers such as (2, 7), got {answer!r}.", hint)
    expected = (_BATCH, _OUT)
    if shape == expected:
        return right(f"{what} is {expected}: one row per example, one column per unit.")
    explanation = _LAYER_SHAPE_MISTAKES.get(shape, "which is not it.")
    return wrong(f"{what}: you wrote {shape}; {explanation}", hint)


# ----- dot, elementwise or outer product -------------------------------------------------------
@answer_required("∂L/∂W, a 3×3 array")
def check_weight_gradient(answer: Any) -> Feedback:
    """∂L/∂W of f = W x for ∂L/∂f = ``WEIGHT_GRAD_EXERCISE_G`` and x = ``WEIGHT_GRAD_EXERCISE_X``."""
    g, x = WEIGHT_GRAD_EXERCISE_G, WEIGHT_GRAD_EXERCISE_X
    return diagnose_array(
        "∂L/∂W",
        answer,
        np.outer(g, x),
        hint="W_ij only enters fᵢ = Σⱼ W_ij xⱼ, with slope xⱼ, so ∂L/∂W_ij = gᵢ xⱼ: np.outer(g, x), W's shape.",
        mistakes=[
            (
                g @ x,
                "that is the dot product g · x, one number. W has 9 weights, and each has its own "
                "partial derivative: one for every pair (i, j), an outer product.",
            ),
            (
                g * x,
                "that is the elementwise product g * x, only the pairs (i, i): the diagonal of the answer. "
                "W_ij for i ≠ j has a partial derivative too.",
            ),
            (
                np.outer(x, g),
                "that is np.outer(x, g), the transpose: row i belongs to output fᵢ, so entry (i, j) is "
                "gᵢ xⱼ, np.outer(g, x).",
            ),
        ],
    )


# ----- a sum along the right axis --------------------------------------------------------------
@answer_required("the 4×3 array of probabilities")
def check_row_softmax(answer: Any) -> Feedback:
    """Each row of ``SOFTMAX_EXERCISE_SCORES`` turned into probabilities: exp, then divide by the row's sum."""
    s = SOFTMAX_EXERCISE_SCORES
    e = np.exp(s)
    return diagnose_array(
        "the table of probabilities",
        answer,
        e / e.sum(axis=1, keepdims=True),
        hint="np.exp(S) / np.exp(S).sum(axis=1, keepdims=True): sum along each row (axis 1), and keep that "
        "axis so that the (4, 1) sums divide every column.",
        mistakes=[
            (
                e / e.sum(axis=0),
                "you summed over axis 0, down each column: every class's column sums to 1. "
                "Each example (row) should sum to 1: axis=1.",
            ),
            (
                e / e.sum(),
                "you divided by the sum of all 12 entries: the whole table sums to 1, not each row.",
            ),
            (e, "those are the exponentials; divide each row by its sum."),
            (s / s.sum(axis=1, keepdims=True), "you divided the scores themselves; take np.exp first."),
        ],
    )


# ----- a linear layer as code ------------------------------------------------------------------
_DENSE_SIZES = ((3, 3, 3), (5, 3, 4), (2, 4, 3), (6, 2, 5))
"""(examples, features, units) of each trial. The first is square, so that every mistake that keeps
the shape can be named by its values; in the others no two sizes agree, so a missing transpose or a
bias added along the wrong axis shows in the shape (or raises)."""


def _dense_reference(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return X @ W.T + b


def check_dense_forward(dense_forward: Any) -> Feedback:
    """Your ``dense_forward(X, W, b)``: a linear layer on a batch, one example per row of X."""
    sizes = iter(_DENSE_SIZES)

    def make_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
        n, d, k = next(sizes)
        return {"X": rng.normal(size=(n, d)), "W": rng.normal(size=(k, d)), "b": rng.normal(size=k)}

    return check_function(
        "dense_forward(X, W, b)",
        dense_forward,
        _dense_reference,
        make_inputs,
        trials=len(_DENSE_SIZES),
        hint="X has one example per row and W one unit per row: X @ W.T pairs every example with every "
        "unit, and adding b, of shape (units,), adds b[j] to column j of every row.",
        mistakes=[
            Mistake(lambda X, W, b: X @ W.T, "you forgot the bias b."),
            Mistake(
                lambda X, W, b: X @ W + b, "W is not transposed: W has one row per unit, so it is X @ W.T."
            ),
            Mistake(
                lambda X, W, b: W @ X.T + b[:, None],
                "that is the lectures' layout W X + b, one example per column; here the examples are the "
                "rows: X @ W.T + b.",
            ),
            Mistake(
                lambda X, W, b: X @ W.T + b[:, None],
                "you added b[i] to row i, that is to example i; b has one entry per unit (column): "
                "X @ W.T + b.",
            ),
        ],
    )

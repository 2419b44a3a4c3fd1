"""Exercises of notebooks 06 and 07, backpropagation through an MLP: compute by hand, then check.

Each checker takes your answer and returns a :class:`~backprop_nb.exercises.Feedback` that says
whether it is right, and if not, which usual mistake explains it (a missing factor, a transposed
outer product, a slope taken at the kink). Leave the answer as ``None`` and it tells you what to
fill in. The notation is the Understanding Deep Learning deck's: f_k = β_k + Ω_k h_k, h_{k+1} = a[f_k].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._feedback import (
    Feedback,
    answer_required,
    as_shape,
    compare_array,
    diagnose_number,
    is_placeholder,
    right,
    wrong,
)

__all__ = ["check_mlp_grad_shapes", "check_omega_grad", "check_relu_indicator", "check_toy_beta_grad"]

TOY_PARAMETERS = {"beta0": 0.5, "omega0": 1.0, "beta1": -1.0, "omega1": 2.0}
TOY_PARAMETERS |= {"beta2": -2.0, "omega2": 1.5, "beta3": 0.5, "omega3": -1.0}
"""The toy network's parameters in notebook 06 (the deck gives none; chosen to keep every value exact)."""
TOY_EXERCISE_X, TOY_EXERCISE_Y = 1.0, 3.0

OMEGA_EXERCISE_DL_DF = np.array([2.0, -1.0, 0.5])
"""∂l/∂f_k, the gradient that reached layer k's output f_k = β_k + Ω_k h_k."""
OMEGA_EXERCISE_H = np.array([1.5, 0.5])
"""h_k, the layer's input."""
OMEGA_EXERCISE_OMEGA = np.array([[1.0, -2.0], [0.5, 1.0], [-1.0, 3.0]])
"""Ω_k, the layer's weights (not needed for ∂l/∂Ω_k)."""

RELU_EXERCISE_PREACTIVATIONS = np.array([2.0, -1.0, 0.0, 0.5, -3.0])

MLP_EXERCISE_SIZES = (4, 5, 3)
MLP_EXERCISE_BATCH = 8
_SHAPE_NAMES = ("W1", "b1", "W2", "b2")


def _as_array(answer: Any, what: str, hint: str) -> np.ndarray | Feedback:
    """The answer as a float array, or a Feedback saying why it is not one."""
    try:
        return np.asarray(getattr(answer, "data", answer), dtype=np.float64)
    except (TypeError, ValueError):
        return wrong(f"{what} should be an array of numbers, got {answer!r}.", hint)


def _toy_gradients(x: float, y: float) -> dict[str, float]:
    """∂ℓ/∂β_k and ∂ℓ/∂ω_k of the toy ReLU network with ℓ = (f3 − y)², by the deck's recipe."""
    p = TOY_PARAMETERS
    h = [x]  # h_0 = x
    f = []
    for k in range(4):
        f.append(p[f"beta{k}"] + p[f"omega{k}"] * h[k])
        h.append(max(f[k], 0.0))
    grads = {}
    dl_df = 2.0 * (f[3] - y)
    for k in range(3, -1, -1):
        grads[f"beta{k}"], grads[f"omega{k}"] = dl_df, dl_df * h[k]
        if k > 0:
            dl_df = p[f"omega{k}"] * dl_df * float(f[k - 1] > 0)
    return grads


@answer_required("∂ℓ/∂β₁ (a number)")
def check_toy_beta_grad(answer: Any) -> Feedback:
    """∂ℓ/∂β₁ of the toy network (the notebook's parameters) at x = 1, y = 3, with ℓ = (f₃ − y)²."""
    grads = _toy_gradients(TOY_EXERCISE_X, TOY_EXERCISE_Y)
    return diagnose_number(
        "∂ℓ/∂β₁",
        answer,
        grads["beta1"],
        hint="Run forward to f₃, start from ∂ℓ/∂f₃ = 2(f₃ − y), then go down: × ω₃, × 𝕀[f₂ > 0], × ω₂, "
        "× 𝕀[f₁ > 0]. ∂ℓ/∂β₁ = ∂ℓ/∂f₁.",
        mistakes=[
            (lambda e: e / 2, "you dropped the factor 2 of ∂ℓ/∂f₃ = 2(f₃ − y)."),
            (lambda e: grads["omega1"], "that is ∂ℓ/∂ω₁ = h₁ ∂ℓ/∂f₁; for β₁ there is no factor h₁."),
            (lambda e: grads["beta2"], "that is ∂ℓ/∂β₂: go one layer further down (× ω₂, × 𝕀[f₁ > 0])."),
            (lambda e: grads["beta0"], "that is ∂ℓ/∂β₀: you went one layer too far."),
            (lambda e: grads["beta3"], "that is ∂ℓ/∂f₃ = ∂ℓ/∂β₃, where the backward pass starts."),
        ],
    )


@answer_required("∂l/∂Ω_k, an array (use dl_df_k and h_k)")
def check_omega_grad(answer: Any) -> Feedback:
    """∂l/∂Ω_k = ∂l/∂f_k h_kᵀ for ∂l/∂f_k = (2, −1, 0.5), h_k = (1.5, 0.5): a 3×2 outer product."""
    hint = (
        "Entry (i, j) is ∂l/∂f_k[i] · h_k[j], so rows follow f_k (3) and columns h_k (2): "
        "np.outer(dl_df_k, h_k), not np.outer(h_k, dl_df_k)."
    )
    value = _as_array(answer, "∂l/∂Ω_k", hint)
    if isinstance(value, Feedback):
        return value
    dl_dh = OMEGA_EXERCISE_OMEGA.T @ OMEGA_EXERCISE_DL_DF
    if value.shape == dl_dh.shape and np.allclose(value, dl_dh, rtol=1e-3):
        return wrong(
            "that is Ω_kᵀ ∂l/∂f_k = ∂l/∂h_k, the gradient passed down to the layer's input, "
            "not the gradient of its weights.",
            "∂l/∂Ω_k has Ω_k's shape (3, 2): the outer product ∂l/∂f_k h_kᵀ, np.outer(dl_df_k, h_k).",
        )
    if value.shape == ():
        return wrong(
            f"you gave one number ({float(value):.6g}); ∂l/∂Ω_k has one entry per weight, shape (3, 2). "
            "An inner product h_k · something is the wrong kind of product.",
            "Entry (i, j) is ∂l/∂f_k[i] · h_k[j]: the outer product np.outer(dl_df_k, h_k).",
        )
    return compare_array(
        "∂l/∂Ω_k",
        value,
        np.outer(OMEGA_EXERCISE_DL_DF, OMEGA_EXERCISE_H),
        hint=hint,
    )


@answer_required("the indicator 𝕀[f > 0], an array of 0s and 1s")
def check_relu_indicator(answer: Any) -> Feedback:
    """∂ReLU(f)/∂f = 𝕀[f > 0] for the pre-activations f = (2, −1, 0, 0.5, −3)."""
    f = RELU_EXERCISE_PREACTIVATIONS
    hint = "The slope of max(0, f) is 1 where f > 0 and 0 elsewhere, also at f = 0 exactly: (f > 0) * 1.0."
    value = _as_array(answer, "𝕀[f > 0]", hint)
    if isinstance(value, Feedback):
        return value
    if value.shape == f.shape:
        if np.allclose(value, np.maximum(f, 0.0)):
            return wrong("those are the ReLU outputs max(0, f), not its slopes.", hint)
        if np.array_equal(value, (f >= 0).astype(float)):
            return wrong(
                "you gave slope 1 at f = 0. ReLU has a kink there; we (and PyTorch) take 0, "
                "so the indicator is 𝕀[f > 0], strictly greater.",
                hint,
            )
        if np.array_equal(value, (f <= 0).astype(float)) or np.array_equal(value, (f < 0).astype(float)):
            return wrong("you marked the negative entries; the slope is 1 where f is positive.", hint)
    return compare_array("𝕀[f > 0]", value, (f > 0).astype(float), hint=hint)


def _shape_feedback(name: str, given: Any, expected: tuple[int, ...]) -> str | None:
    """What is wrong with one shape, or None if it is right."""
    if isinstance(given, str):
        return f"{name}: {given!r} is a string; a shape is a tuple of ints, like {expected}"
    shape = as_shape(given) if isinstance(given, tuple | list) else None
    if shape is None:
        return f"{name} should be a tuple of ints like {expected} (what .shape gives), got {given!r}"
    if shape == expected:
        return None
    if shape == expected[::-1]:
        return f"{name}: {shape} is transposed; a gradient has its parameter's shape, {expected}"
    if MLP_EXERCISE_BATCH in shape and len(shape) == len(expected) + 1:
        return (
            f"{name}: {shape} has a batch axis; the gradient of a parameter is summed over the batch, "
            f"it has the parameter's shape {expected}"
        )
    if len(expected) == 1 and sorted(shape) == [1, expected[0]]:
        return f"{name}: a bias is a vector, shape {expected}, not a {shape} matrix"
    return f"{name}: {shape} is not its shape"


@answer_required('a dict of shapes, {"W1": (…), "b1": (…), "W2": (…), "b2": (…)}')
def check_mlp_grad_shapes(answer: Any) -> Feedback:
    """Shapes of W1.grad, b1.grad, W2.grad, b2.grad for bp.nn.MLP([4, 5, 3]) on a batch of 8 examples."""
    hint = (
        "A Linear(n_in → n_out) layer has weight (n_out, n_in) and bias (n_out,), and .grad always "
        "has the parameter's shape, whatever the batch size."
    )
    if not isinstance(answer, dict):
        return wrong(f"give a dict with the keys {list(_SHAPE_NAMES)}, got {type(answer).__name__}.", hint)
    missing = [name for name in _SHAPE_NAMES if is_placeholder(answer.get(name))]
    if missing:
        return wrong(f"Fill in your answer: the shapes of {', '.join(missing)} are still missing.")
    n_in, n_hidden, n_out = MLP_EXERCISE_SIZES
    expected = {"W1": (n_hidden, n_in), "b1": (n_hidden,), "W2": (n_out, n_hidden), "b2": (n_out,)}
    problems = [p for name in _SHAPE_NAMES if (p := _shape_feedback(name, answer[name], expected[name]))]
    if problems:
        return wrong("; ".join(problems) + ".", hint)
    return right("W1 (5, 4), b1 (5,), W2 (3, 5), b2 (3,): each gradient has its parameter's shape.")

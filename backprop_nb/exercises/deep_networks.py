"""Exercises of notebooks 09 and 10, deep networks: the sigmoid's slope, a residual block's Jacobian
and He initialisation's spread (09), dropout's expected value and the memory of the stored activations (10).

Each ``check_*`` takes your answer and returns a :class:`~backprop_nb.exercises.Feedback`: ✔ when it
is right, else the mistake that most likely explains it and a hint. Leave an answer as ``None`` to
see what is asked.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ._feedback import Feedback, diagnose_number, fill_in, is_placeholder, right

__all__ = [
    "check_activation_memory",
    "check_dropout_expectation",
    "check_he_std",
    "check_residual_jacobian_norm",
    "check_sigmoid_gradient_factor",
]


# ----- 1. the sigmoid's largest slope ---------------------------------------------------------
_MAX_LAYERS = 500
"""4⁵⁰⁰ ≈ 10³⁰¹ is still a float: the deepest chain the factor check can compare."""


def check_sigmoid_gradient_factor(answer: Any, layers: int = 1) -> Feedback:
    """The largest factor σ′ can multiply a gradient by, through ``layers`` sigmoids in a row.

    Only the sigmoids' slopes count here; the weights multiply the gradient too.
    """
    if isinstance(layers, bool) or not isinstance(layers, numbers.Integral) or not 1 <= layers <= _MAX_LAYERS:
        raise ValueError(f"layers must be a positive integer up to {_MAX_LAYERS}, got {layers!r}")
    layers = int(layers)
    one = "one sigmoid" if layers == 1 else f"{layers} sigmoids in a row"
    hint = "σ′(z) = σ(z)(1 − σ(z)) is largest where σ(z) = 1/2, at z = 0" + (
        "; in a chain the factors multiply." if layers > 1 else "."
    )
    if is_placeholder(answer):
        name = "answer_factor" if layers == 1 else f"answer_factor_{layers}"
        return fill_in(f"{name}, the largest factor by which {one} can multiply a gradient", hint)
    expected = 0.25**layers
    mistakes = [
        (lambda e: 0.5**layers, "0.5 is σ(0), the sigmoid's value; its slope there is σ(0)(1 − σ(0))."),
        (lambda e: 1.0, "1 is the largest slope of tanh (tanh′(0) = 1); the sigmoid is flatter."),
        (lambda e: 4.0**layers, "that is the inverse: the gradient is multiplied by σ′ ≤ 1/4, not divided."),
    ]
    if layers > 1:
        mistakes += [
            (lambda e: 0.25 * layers, "you multiplied 1/4 by the number of layers; the factors multiply."),
            (lambda e: 0.25, "that is one sigmoid; each further one multiplies by at most 1/4 again."),
        ]
    feedback = diagnose_number(
        f"the largest factor through {one}", answer, expected, hint=hint, mistakes=mistakes
    )
    if feedback:
        power = "" if layers == 1 else f"(1/4)^{layers} = "
        return right(f"σ′ ≤ σ′(0) = 1/4, so the factor is at most {power}{expected:.4g}.")
    return feedback


# ----- 2. the norm of a residual block's Jacobian ---------------------------------------------
RESIDUAL_WEIGHT = np.diag([0.01, -0.02])
"""A, the weight of the block y = x + A x (a Linear layer without bias): a block whose own
contribution is tiny, as in a deep network at initialisation."""


def check_residual_jacobian_norm(answer: Any) -> Feedback:
    """‖∂y/∂x‖₂, the spectral norm of the Jacobian of the residual block y = x + A x."""
    hint = (
        "The skip path contributes the identity: ∂y/∂x = I + A. For a diagonal matrix the spectral "
        "norm (largest singular value) is the largest |diagonal entry|; np.linalg.norm(J, 2) computes it."
    )
    if is_placeholder(answer):
        return fill_in("answer_norm, the spectral norm ‖I + A‖₂ of the residual block's Jacobian", hint)
    jacobian = np.eye(2) + RESIDUAL_WEIGHT
    singular_values = np.linalg.svd(jacobian, compute_uv=False)
    expected = float(singular_values.max())
    feedback = diagnose_number(
        "‖I + A‖₂",
        answer,
        expected,
        hint=hint,
        mistakes=[
            (
                lambda e: float(np.linalg.norm(RESIDUAL_WEIGHT, 2)),
                "that is ‖A‖₂, the block alone; the skip connection adds the identity, J = I + A.",
            ),
            (lambda e: 1.0, "that is the identity alone; the block adds its own Jacobian A."),
            (
                lambda e: float(np.linalg.norm(jacobian)),
                "that is the Frobenius norm, √(sum of squares); the most J can stretch a vector is its "
                "spectral norm, the largest singular value.",
            ),
            (
                lambda e: float(singular_values.min()),
                "that is the smallest singular value, the most the block can shrink a gradient; the norm "
                "is the largest.",
            ),
        ],
    )
    if feedback:
        low = float(singular_values.min())
        diagonal = ", ".join(f"{d:g}" for d in np.diag(jacobian))
        return right(
            f"J = I + A = diag({diagonal}), so ‖J‖₂ = {expected:g}: a gradient passing back through the "
            f"block keeps its size within a factor {low:g} … {expected:g}, however small A is."
        )
    return feedback


# ----- 2b. He initialisation's spread ---------------------------------------------------------
HE_FAN_IN = 256
HE_FAN_OUT = 128
"""The layer of the exercise: Linear(256, 128), followed by a ReLU."""


def check_he_std(answer: Any) -> Feedback:
    """The standard deviation He initialisation gives the weights of a Linear(256, 128) + ReLU layer."""
    n_in, n_out = HE_FAN_IN, HE_FAN_OUT
    hint = (
        f"He initialisation chooses Var(w) so that (n_in / 2)·Var(w) = 1, with n_in = {n_in} inputs per "
        "unit: ReLU halves the mean square. The standard deviation is the square root of the variance."
    )
    if is_placeholder(answer):
        return fill_in("answer_std, the standard deviation of the He-initialised weights", hint)
    expected = math.sqrt(2 / n_in)
    feedback = diagnose_number(
        "std of the weights",
        answer,
        expected,
        hint=hint,
        mistakes=[
            (lambda e: 2 / n_in, "that is the variance 2/n_in; the standard deviation is its square root."),
            (
                lambda e: math.sqrt(1 / n_in),
                "that is 1/√n_in, which keeps the size of a signal through a linear layer alone; ReLU "
                "zeroes half of it, which the factor 2 makes up for.",
            ),
            (
                lambda e: math.sqrt(2 / n_out),
                f"that uses n_out = {n_out}; the forward signal of each unit sums over its n_in = {n_in} inputs.",
            ),
            (
                lambda e: math.sqrt(2 / (n_in + n_out)),
                "that is Xavier's spread √(2/(n_in + n_out)), the choice for tanh; for ReLU, He uses √(2/n_in).",
            ),
        ],
    )
    if feedback:
        return right(
            f"√(2/{n_in}) = {expected:.4g}: what bp.nn.init.kaiming_normal_ draws for a weight of shape "
            f"({n_out}, {n_in}); each layer then keeps the mean square of the signal, (n_in/2)·Var(w) = 1."
        )
    return feedback


# ----- 3. the memory of stored activations ----------------------------------------------------
ACTIVATION_WIDTH = 4096
ACTIVATION_BATCH = 100
BYTES_PER_FLOAT64 = 8


def check_activation_memory(answer: Any) -> Feedback:
    """Bytes of one stored activation array: a 4096-wide layer, a mini-batch of 100, float64."""
    width, batch, size = ACTIVATION_WIDTH, ACTIVATION_BATCH, BYTES_PER_FLOAT64
    hint = (
        f"The layer's output has one row per example: shape ({batch}, {width}), "
        f"{size} bytes per float64 number."
    )
    if is_placeholder(answer):
        return fill_in("answer_bytes, the size in bytes of the layer's output for the whole batch", hint)
    numbers = batch * width
    expected = numbers * size
    feedback = diagnose_number(
        "the bytes of the activations",
        answer,
        expected,
        hint=hint,
        mistakes=[
            (lambda e: 8 * e, "that is bits: a float64 takes 64 bits = 8 bytes."),
            (lambda e: width * size, f"that is one example; the mini-batch keeps {batch} rows."),
            (lambda e: numbers * 4, "4 bytes per number is float32; backprop_nb stores float64, 8 bytes."),
            (lambda e: numbers, f"that is how many numbers there are; each takes {size} bytes."),
            (lambda e: e / 1e6, "that is in megabytes (10⁶ bytes); give the number of bytes."),
            (lambda e: e / 2**20, "that is in mebibytes (2²⁰ bytes); give the number of bytes."),
            (lambda e: e / 1e3, "that is in kilobytes; give the number of bytes."),
            (
                lambda e: width * width * size,
                f"that is a {width} × {width} matrix, the size of a weight matrix (or of this layer's "
                "Jacobian); the activations are batch × width.",
            ),
        ],
    )
    if feedback:
        return right(
            f"{batch} × {width} numbers × {size} bytes = {expected:,} bytes ≈ {expected / 1e6:.2f} MB."
        )
    return feedback


# ----- 4. dropout's expected output -----------------------------------------------------------
DROPOUT_INPUT = 3.0
DROPOUT_P = 0.25


def check_dropout_expectation(answer: Any) -> Feedback:
    """E[Dropout(p=0.25)(x)] in training mode, for an element x = 3 (inverted dropout, as in PyTorch)."""
    x, p = DROPOUT_INPUT, DROPOUT_P
    kept = x / (1 - p)
    hint = (
        f"In training an element becomes 0 with probability p = {p} and x/(1 − p) = {kept:g} otherwise; "
        "the expected value weighs each outcome by its probability."
    )
    if is_placeholder(answer):
        return fill_in("answer_expected, the expected value of the dropout layer's output", hint)
    expected = p * 0.0 + (1 - p) * kept
    feedback = diagnose_number(
        "E[output]",
        answer,
        expected,
        hint=hint,
        mistakes=[
            (
                lambda e: (1 - p) * x,
                "that is dropout without the rescaling 1/(1 − p) (the original paper's form, which "
                "scales by 1 − p at test time instead); bp.nn.Dropout, like PyTorch's, divides the kept "
                "elements by 1 − p.",
            ),
            (lambda e: kept, f"that is the value of a kept element; it is dropped with probability {p}."),
            (lambda e: p * x, f"p = {p} is the probability of dropping, not of keeping."),
            (lambda e: p * kept, f"p = {p} is the probability of dropping, not of keeping."),
            (
                lambda e: 0.0,
                f"0 is a dropped element's value; it is kept (as {kept:g}) with probability {1 - p}.",
            ),
        ],
    )
    if feedback:
        return right(
            f"E = {p}·0 + {1 - p}·{kept:g} = {expected:g} = x: in expectation the layer passes x through, "
            "which is why eval mode can simply return x."
        )
    return feedback

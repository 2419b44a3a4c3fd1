"""Exercises of notebooks 09 and 10, deep networks: the sigmoid's slope, a residual block's Jacobian
and backward pass, and He initialisation's spread (09); batch normalisation's backward pass, dropout's
expected value and the memory of the stored activations (10).

The two code exercises, :func:`check_residual_backward` and :func:`check_batchnorm_backward`, call
your function on fresh random batches and compare it with the checker's own backward pass.
Each ``check_*`` takes your answer and returns a :class:`~backprop_nb.exercises.Feedback`: ✔ when it
is right, else the mistake that most likely explains it and a hint. Leave an answer as ``None`` to
see what is asked.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ._code import Mistake, check_function, upstream_ignored
from ._feedback import Feedback, diagnose_number, fill_in, is_placeholder, right

__all__ = [
    "check_activation_memory",
    "check_batchnorm_backward",
    "check_dropout_expectation",
    "check_he_std",
    "check_residual_backward",
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
        return fill_in(f"{name}, the largest factor by which {one} can multiply a gradient")
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
        "norm (largest singular value) is the largest |diagonal entry|. To check a hand computation: "
        "bp.jacobian(block, x) gives J, and np.linalg.norm(J, 2) its spectral norm."
    )
    if is_placeholder(answer):
        return fill_in("answer_norm, the spectral norm ‖I + A‖₂ of the residual block's Jacobian")
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
        "unit: ReLU halves the mean square. The standard deviation is the square root of the variance; "
        "bp.nn.init.kaiming_normal_(bp.nn.Linear(256, 128).weight, seed=0).data.std() draws it to check."
    )
    if is_placeholder(answer):
        return fill_in("answer_std, the standard deviation of the He-initialised weights")
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
        f"{size} bytes per float64 number. Check by building the array: np.zeros(({batch}, {width})).nbytes."
    )
    if is_placeholder(answer):
        return fill_in("answer_bytes, the size in bytes of the layer's output for the whole batch")
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
        return fill_in("answer_expected, the expected value of the dropout layer's output")
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


# ----- 5. a residual block's backward pass (code) ---------------------------------------------
def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^(−z)), without overflow for large |z|


def _sigmoid_slope(z: np.ndarray) -> np.ndarray:
    """σ′(z) = σ(z)(1 − σ(z))."""
    return _sigmoid(z) * (1.0 - _sigmoid(z))


def _residual_grads(
    dout: np.ndarray, x: np.ndarray, W: np.ndarray, slope: np.ndarray, *, skip: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(dx, dW) of o = x + σ(x Wᵀ), given the slope that multiplies dout on its way into the branch."""
    ds = dout * slope  # the gradient at the pre-activation s = x Wᵀ
    through_branch = ds @ W  # s = x Wᵀ, so ∂loss/∂x = ∂loss/∂s · W
    return (dout + through_branch if skip else through_branch), ds.T @ x  # the skip path adds dout


def _residual_backward(dout: np.ndarray, x: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The checker's own backward pass of o = x + σ(x Wᵀ), σ′ taken at the pre-activation s = x Wᵀ."""
    return _residual_grads(dout, x, W, _sigmoid_slope(x @ W.T))


_BATCH_AND_WIDTH = ((4, 3), (2, 5), (6, 4), (1, 3), (5, 2))
"""(N, d) of the checkers' fresh inputs: N ≠ d, so that a transposed answer shows in its shape."""


def _residual_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A fresh batch of N rows of width d, the upstream gradient dout and a square weight W."""
    batch, width = _BATCH_AND_WIDTH[rng.integers(len(_BATCH_AND_WIDTH))]
    return {
        "dout": rng.normal(size=(batch, width)),
        "x": rng.normal(size=(batch, width)),
        "W": rng.normal(scale=0.8, size=(width, width)),
    }


def _block_output(x: np.ndarray, W: np.ndarray) -> np.ndarray:
    return x + _sigmoid(x @ W.T)


def _transposed_dW(dout: np.ndarray, x: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dx, dW = _residual_backward(dout, x, W)
    return dx, dW.T


_RESIDUAL_MISTAKES = (
    Mistake(
        lambda dout, x, W: _residual_grads(dout, x, W, _sigmoid_slope(x @ W.T), skip=False),
        "dx misses the identity path: o = x + σ(s) also sends dout straight back to x, so dx = dout + ds W.",
    ),
    Mistake(
        lambda dout, x, W: _residual_grads(dout, x, W, _sigmoid_slope(_block_output(x, W))),
        "σ′ is evaluated at the block's output o; it belongs at the pre-activation s = x Wᵀ.",
    ),
    Mistake(
        lambda dout, x, W: _residual_grads(dout, x, W, _block_output(x, W) * (1 - _block_output(x, W))),
        "σ′ = o(1 − o) with the block's output o = x + σ(s); it is a(1 − a) with the sigmoid's own "
        "output a = σ(s), which the skip path has not been added to.",
    ),
    Mistake(
        lambda dout, x, W: _residual_grads(dout, x, W, _sigmoid(x @ W.T)),
        "you multiplied by σ(s) itself; the chain rule needs its slope σ′(s) = σ(s)(1 − σ(s)).",
    ),
    Mistake(
        lambda dout, x, W: _residual_grads(dout, x, W.T, _sigmoid_slope(x @ W.T)),
        "dx multiplies ds by Wᵀ; since s = x Wᵀ, the gradient reaching x is ds W (W is square, so "
        "the shapes cannot tell, only the values).",
    ),
    Mistake(
        _transposed_dW,
        "dW is transposed: with s = x Wᵀ, dW = dsᵀ x, of W's shape (d_out, d_in), not xᵀ ds.",
    ),
    upstream_ignored(_residual_backward),
    Mistake(
        lambda dout, x, W: (_residual_backward(dout, x, W)[0], _residual_backward(dout, x, W)[1] / len(x)),
        "dW is divided by the batch size; dout already carries each example's share of the loss, so "
        "dW sums over the batch without averaging.",
    ),
)


def check_residual_backward(residual_backward: Any) -> Feedback:
    """Your ``residual_backward(dout, x, W) -> (dx, dW)`` for o = x + σ(x Wᵀ), on fresh random batches."""

    return check_function(
        "residual_backward(dout, x, W)",
        residual_backward,
        _residual_backward,
        _residual_inputs,
        outputs=("dx", "dW"),
        mistakes=_RESIDUAL_MISTAKES,
        hint=(
            "Forward: s = x Wᵀ, a = σ(s), o = x + a. Backward: the addition sends dout unchanged down "
            "both paths; ds = dout ∘ σ′(s) with σ′(s) = a(1 − a); then dx = dout + ds W and dW = dsᵀ x."
        ),
        seed=9,
    )


# ----- 6. batch normalisation's backward pass (code) ------------------------------------------
Grads3 = tuple[np.ndarray, np.ndarray, np.ndarray]


def _batchnorm_grads(
    dout: np.ndarray,
    x: np.ndarray,
    gamma: np.ndarray,
    eps: float,
    *,
    through_mean: bool = True,
    through_variance: bool = True,
    ddof: int = 0,
) -> Grads3:
    """(dx, dgamma, dbeta) of y = γ ∘ x̂ + β, x̂ = (x − μ)/√(σ² + ε), μ and σ² over the batch (axis 0).

    ``through_mean`` / ``through_variance`` False treat μ / σ² as constants, ``ddof=1`` divides the
    variance by N − 1: mistakes the checker names.
    """
    centred = x - x.mean(axis=0)
    std = np.sqrt((centred**2).sum(axis=0) / (len(x) - ddof) + eps)
    x_hat = centred / std
    dx_hat = dout * gamma
    dx = dx_hat
    if through_mean:  # μ depends on every row: each row's x̂ moves when any x does
        dx = dx - dx_hat.mean(axis=0)
    if through_variance:  # so does σ²
        dx = dx - x_hat * (dx_hat * x_hat).sum(axis=0) / (len(x) - ddof)
    return dx / std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _batchnorm_backward(dout: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float) -> Grads3:
    """The checker's own batch-norm backward pass, training mode (statistics of the batch, axis 0)."""
    return _batchnorm_grads(dout, x, gamma, eps)


def _batchnorm_inputs(rng: np.random.Generator) -> dict[str, Any]:
    """A fresh batch of N ≥ 2 rows of D units, far from mean 0 and variance 1, and a gain per unit."""
    batch, width = _BATCH_AND_WIDTH[rng.integers(len(_BATCH_AND_WIDTH))]
    batch = max(batch, 2)  # one example has no spread to normalise
    return {
        "dout": rng.normal(size=(batch, width)),
        "x": rng.normal(loc=3.0, scale=rng.uniform(0.5, 4.0, size=width), size=(batch, width)),
        "gamma": rng.normal(loc=1.0, scale=0.5, size=width),
        "eps": float(rng.choice([1e-5, 0.1, 0.5])),
    }


def _sum_without_x_hat(dout: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float) -> Grads3:
    dx, _, dbeta = _batchnorm_backward(dout, x, gamma, eps)
    return dx, dbeta, dbeta


def _averaged_params(dout: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float) -> Grads3:
    dx, dgamma, dbeta = _batchnorm_backward(dout, x, gamma, eps)
    return dx, dgamma / len(x), dbeta / len(x)


def _parameters_summed_over_units(dout: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float) -> Grads3:
    dx = _batchnorm_backward(dout, x, gamma, eps)[0]
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return dx, (dout * x_hat).sum(axis=1), dout.sum(axis=1)


_BATCHNORM_MISTAKES = (
    Mistake(
        lambda dout, x, gamma, eps: _batchnorm_grads(
            dout, x, gamma, eps, through_mean=False, through_variance=False
        ),
        "dx treats the batch mean μ and variance σ² as constants; both are computed from x, so every "
        "row's x̂ depends on every x: dx = (dx̂ − mean(dx̂) − x̂ ∘ mean(dx̂ ∘ x̂)) / √(σ² + ε).",
    ),
    Mistake(
        lambda dout, x, gamma, eps: _batchnorm_grads(dout, x, gamma, eps, through_mean=False),
        "dx leaves out the path through the mean μ (the term − mean(dx̂) over the batch).",
    ),
    Mistake(
        lambda dout, x, gamma, eps: _batchnorm_grads(dout, x, gamma, eps, through_variance=False),
        "dx leaves out the path through the variance σ² (the term − x̂ ∘ mean(dx̂ ∘ x̂) over the batch).",
    ),
    Mistake(
        lambda dout, x, gamma, eps: _batchnorm_grads(dout, x, np.ones_like(gamma), eps),
        "dx misses γ: y = γ ∘ x̂ + β, so the gradient reaching x̂ is dout ∘ γ.",
    ),
    Mistake(
        lambda dout, x, gamma, eps: _batchnorm_grads(dout, x, gamma, eps, ddof=1),
        "the variance is divided by N − 1 (np.var(..., ddof=1)); batch norm divides by N, the batch size.",
    ),
    Mistake(
        lambda dout, x, gamma, eps: _batchnorm_grads(dout, x, gamma, 0.0),
        "ε is missing: batch norm divides by √(σ² + ε), and the backward pass must use the same value.",
    ),
    Mistake(
        _sum_without_x_hat,
        "dgamma is dout summed alone; y = γ ∘ x̂ + β, so dgamma = Σ over the batch of dout ∘ x̂.",
    ),
    upstream_ignored(_batchnorm_backward),
    Mistake(
        _parameters_summed_over_units,
        "dgamma and dbeta are summed over axis 1, the units; there is one γ and one β per unit, so sum "
        "over axis 0, the examples of the batch.",
    ),
    Mistake(
        _averaged_params,
        "dgamma and dbeta are averaged over the batch; every example contributes, so they are sums over axis 0.",
    ),
)


def check_batchnorm_backward(batchnorm_backward: Any) -> Feedback:
    """Your ``batchnorm_backward(dout, x, gamma, eps) -> (dx, dgamma, dbeta)``, training mode, on fresh batches."""
    return check_function(
        "batchnorm_backward(dout, x, gamma, eps)",
        batchnorm_backward,
        _batchnorm_backward,
        _batchnorm_inputs,
        outputs=("dx", "dgamma", "dbeta"),
        mistakes=_BATCHNORM_MISTAKES,
        hint=(
            "Recompute the forward pass: μ and σ² over axis 0, x̂ = (x − μ)/√(σ² + ε). Then dbeta = Σ dout "
            "and dgamma = Σ dout ∘ x̂ over the batch (axis 0); dx̂ = dout ∘ γ; and since μ and σ² depend "
            "on every row, dx = (dx̂ − mean(dx̂) − x̂ ∘ mean(dx̂ ∘ x̂)) / √(σ² + ε), means over axis 0."
        ),
        seed=10,
    )

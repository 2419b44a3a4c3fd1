"""Initialisers: fill a weight tensor, in place, with random numbers of a chosen spread.

The spread matters. Each layer multiplies its input by W: if W's entries are too small the
signal (and, on the way back, the gradient) shrinks layer after layer and vanishes; too large
and it explodes. The schemes below pick the standard deviation from the layer's size so the
variance stays about the same from layer to layer.

For a weight of shape (out_features, in_features): ``fan_in = in_features`` (inputs feeding
each unit) and ``fan_out = out_features``.

* ``normal_``: N(mean, std²) with the std you give (the lectures' demos use 0.1);
* ``uniform_``: U(a, b);
* ``xavier_normal_`` (Glorot 2010, for tanh and sigmoid): N(0, σ²), σ = gain·√(2 / (fan_in + fan_out));
* ``xavier_uniform_``: U(−r, r), r = gain·√(6 / (fan_in + fan_out)), the same variance;
* ``kaiming_normal_`` (He et al. 2015, for ReLU): N(0, σ²), σ = √2 / √fan_in;
* ``zeros_``: all 0 (for biases).

Names and formulas are PyTorch's ``torch.nn.init`` (the trailing ``_`` means "in place"). The
difference: instead of a global random state, each function takes ``seed``, an int or a
``numpy.random.Generator``. The same int always gives the same numbers; pass one Generator
to several calls to get different numbers from one reproducible stream. ``seed=None`` draws
fresh numbers. numpy's global state (``np.random.seed``) is never used.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _checks
from ..tensor import Tensor

Seed = int | np.random.Generator | None


def _check_tensor(tensor: Tensor) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"initialisers fill a Tensor (e.g. layer.weight) in place, got {type(tensor).__name__}"
        )


def _rng(seed: Seed) -> np.random.Generator:
    return np.random.default_rng(_checks.seed("seed", seed))


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    tensor.data[...] = values
    return tensor


def fans(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out_features, in_features, *kernel)."""
    _check_tensor(tensor)
    if tensor.ndim < 2:
        raise ValueError(
            f"fan_in and fan_out need a weight with at least 2 dimensions (out_features, in_features), "
            f"got shape {tensor.shape}; initialise biases with zeros_ or uniform_"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, seed: Seed = None) -> Tensor:
    """Fill with samples of N(mean, std²), e.g. ``normal_(layer.weight, std=0.1, seed=0)``."""
    _check_tensor(tensor)
    mean, std = _checks.number("mean", mean), _checks.non_negative("std", std)
    return _fill(tensor, _rng(seed).normal(mean, std, tensor.shape))


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, seed: Seed = None) -> Tensor:
    """Fill with samples of the uniform distribution U(a, b)."""
    _check_tensor(tensor)
    a, b = _checks.number("a", a), _checks.number("b", b)
    if not a <= b:
        raise ValueError(f"uniform_ needs a <= b, got a={a:g}, b={b:g}")
    return _fill(tensor, _rng(seed).uniform(a, b, tensor.shape))


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0. Fine for biases; for weights it makes every unit of a layer identical."""
    _check_tensor(tensor)
    return _fill(tensor, 0.0)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, seed: Seed = None) -> Tensor:
    """Xavier/Glorot normal: N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(tensor)
    return normal_(
        tensor, 0.0, _checks.non_negative("gain", gain) * math.sqrt(2.0 / (fan_in + fan_out)), seed
    )


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, seed: Seed = None) -> Tensor:
    """Xavier/Glorot uniform: U(−r, r) with r = gain·√(6 / (fan_in + fan_out)).

    A uniform U(−r, r) has variance r²/3, so this has the variance of ``xavier_normal_``.
    """
    fan_in, fan_out = fans(tensor)
    bound = _checks.non_negative("gain", gain) * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, seed)


def kaiming_normal_(tensor: Tensor, mode: str = "fan_in", seed: Seed = None) -> Tensor:
    """He/Kaiming normal for ReLU layers: N(0, σ²) with σ = √2 / √fan.

    ReLU zeroes half of its inputs, halving the variance; the factor 2 makes up for it.
    ``mode="fan_in"`` (default) keeps the forward signal's variance, ``"fan_out"`` the
    gradient's. (PyTorch's default ``nonlinearity="leaky_relu", a=0`` gives the same √2.)
    """
    fan_in, fan_out = fans(tensor)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    return normal_(tensor, 0.0, math.sqrt(2.0 / fan), seed)

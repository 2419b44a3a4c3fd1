"""Layers: Linear, the activation functions, Dropout and LayerNorm, each a :class:`Module`.

Every layer takes a Tensor (or a number or array, which becomes a constant Tensor) and returns
a Tensor. A layer given an input of the wrong shape raises :class:`~backprop_nb.ShapeError`
naming the layer and both shapes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _checks
from ..functions import linear, relu, sigmoid, tanh
from ..tensor import Tensor
from .init import Seed, kaiming_normal_, uniform_, xavier_normal_, xavier_uniform_, zeros_
from .module import Module, Parameter, to_tensor

Initialiser = Callable[..., Any]
"""Called as ``init(weight, seed=generator)``; fills the weight in place."""

_NAMED_INITS: dict[str, Initialiser] = {
    "xavier_normal": xavier_normal_,
    "xavier_uniform": xavier_uniform_,
    "kaiming_normal": kaiming_normal_,
    "zeros": lambda weight, seed: zeros_(weight),
}


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _initialiser(init: str | Initialiser) -> Initialiser:
    if callable(init):
        return init
    if isinstance(init, str) and init in _NAMED_INITS:
        return _NAMED_INITS[init]
    raise ValueError(
        f"init must be 'default', one of {sorted(_NAMED_INITS)}, or a function called as "
        f"init(weight, seed=generator), e.g. functools.partial(bp.nn.init.normal_, std=0.1); got {init!r}"
    )


class Linear(Module):
    """A fully connected layer: y = x Wᵀ + b (the lectures' Ωh + β), drawn as one graph node.

    Args:
        in_features: the size of each input example (x has shape (..., in_features)).
        out_features: the size of each output example.
        bias: learn a bias b (True) or not.
        init: how to draw the weights:

            * ``"default"``: PyTorch's default, W and b from U(−1/√in_features, 1/√in_features)
              (PyTorch calls it kaiming-uniform with a = √5);
            * ``"xavier_normal"``, ``"xavier_uniform"``, ``"kaiming_normal"``, ``"zeros"``: the
              :mod:`~backprop_nb.nn.init` function of that name;
            * a function ``init(weight, seed=generator)`` that fills the weight in place, e.g.
              ``functools.partial(bp.nn.init.normal_, std=0.1)`` for the lectures' N(0, 0.1²).

            With any init but ``"default"`` the bias starts at zero.
        seed: an int or numpy Generator for reproducible weights; None draws fresh ones.

    Attributes:
        weight: Parameter of shape (out_features, in_features), as in PyTorch.
        bias: Parameter of shape (out_features,), or None.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: str | Initialiser = "default",
        seed: Seed = None,
    ) -> None:
        super().__init__()
        self.in_features = _positive_int("in_features", in_features)
        self.out_features = _positive_int("out_features", out_features)
        self.weight = Parameter(np.zeros((self.out_features, self.in_features)))
        self.bias = Parameter(np.zeros(self.out_features)) if _checks.boolean("bias", bias) else None
        self.reset_parameters(init, seed)

    def reset_parameters(self, init: str | Initialiser = "default", seed: Seed = None) -> None:
        """Draw new weights (and bias) in place; ``init`` and ``seed`` as in the constructor."""
        rng = np.random.default_rng(_checks.seed("seed", seed))
        if isinstance(init, str) and init == "default":
            bound = 1.0 / math.sqrt(self.in_features)
            uniform_(self.weight, -bound, bound, seed=rng)
            if self.bias is not None:
                uniform_(self.bias, -bound, bound, seed=rng)
            return
        _initialiser(init)(self.weight, seed=rng)
        if self.bias is not None:
            zeros_(self.bias)

    def forward(self, x: Any) -> Tensor:
        x = to_tensor(x)
        self.check_last_dim(x, self.in_features)
        return linear(x, self.weight, self.bias)

    def describe(self) -> str:
        return f"Linear({self.in_features}→{self.out_features}{'' if self.bias is not None else ', no bias'})"

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
        )


class ReLU(Module):
    """max(0, x) elementwise, any shape; its derivative at 0 is taken to be 0."""

    def forward(self, x: Any) -> Tensor:
        return relu(x)


class Tanh(Module):
    """tanh x elementwise, any shape."""

    def forward(self, x: Any) -> Tensor:
        return tanh(x)


class Sigmoid(Module):
    """σ(x) = 1 / (1 + e⁻ˣ) elementwise, any shape."""

    def forward(self, x: Any) -> Tensor:
        return sigmoid(x)


class Identity(Module):
    """Returns its input unchanged: a placeholder where a layer is optional."""

    def forward(self, x: Any) -> Tensor:
        return to_tensor(x)


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability p and scale the rest by 1/(1 − p).

    The scaling keeps each element's expected value unchanged, so in evaluation mode
    (``model.eval()``) the layer simply passes its input through. The random masks come from
    the layer's own generator (``seed``: an int or numpy Generator), never from numpy's global state.

    Args:
        p: the probability of zeroing an element, 0 <= p < 1.
    """

    def __init__(self, p: float = 0.5, seed: Seed = None) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise TypeError(f"Dropout probability p must be a number, got {p!r}")
        if not 0 <= p < 1:
            raise ValueError(f"Dropout probability p must be in [0, 1), got {p}")
        self.p = float(p)
        self.rng = np.random.default_rng(_checks.seed("seed", seed))

    def forward(self, x: Any) -> Tensor:
        x = to_tensor(x)
        if not self.training or self.p == 0:
            return x
        keep = self.rng.random(x.shape) >= self.p
        return x * Tensor(keep / (1.0 - self.p), name="dropout mask")

    def describe(self) -> str:
        return f"Dropout(p={self.p:g})"

    def extra_repr(self) -> str:
        return f"p={self.p:g}"


class LayerNorm(Module):
    """Normalise each example over its last dimension, then scale and shift it.

    y = (x − mean) / √(var + eps) · weight + bias, with mean and the biased variance (divide by
    d, not d − 1) taken over the last dimension, as in PyTorch. ``weight`` (the gain, starting at
    1) and ``bias`` (starting at 0) have shape (d,) and are learned. Unlike PyTorch, ``d`` is a
    single int: only the last dimension is normalised.
    """

    def __init__(self, d: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.d = _positive_int("d", d)
        self.eps = _checks.positive("LayerNorm eps", eps)
        self.weight = Parameter(np.ones(self.d))
        self.bias = Parameter(np.zeros(self.d))

    def forward(self, x: Any) -> Tensor:
        x = to_tensor(x)
        self.check_last_dim(x, self.d)
        centered = x - x.mean(axis=-1, keepdims=True)
        variance = (centered * centered).mean(axis=-1, keepdims=True)
        return centered / (variance + self.eps).sqrt() * self.weight + self.bias

    def describe(self) -> str:
        return f"LayerNorm({self.d})"

    def extra_repr(self) -> str:
        return f"({self.d},), eps={self.eps:g}"

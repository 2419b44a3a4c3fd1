"""The ops as plain functions: ``bp.exp(t)`` is ``t.exp()``, ``bp.maximum(a, b)``, ...

Each accepts Tensors, numbers or arrays (non-Tensors become constants) and returns a Tensor.
"""

from __future__ import annotations

import numbers
from typing import Any

from . import ops
from .tensor import Tensor

Axis = int | tuple[int, ...] | None


def exp(x: Any) -> Tensor:
    """eˣ, elementwise."""
    return ops.Exp.apply(x)


def log(x: Any) -> Tensor:
    """Natural logarithm ln x, elementwise."""
    return ops.Log.apply(x)


def sin(x: Any) -> Tensor:
    return ops.Sin.apply(x)


def cos(x: Any) -> Tensor:
    return ops.Cos.apply(x)


def tanh(x: Any) -> Tensor:
    return ops.Tanh.apply(x)


def sigmoid(x: Any) -> Tensor:
    """σ(x) = 1 / (1 + e⁻ˣ), computed without overflow for any x."""
    return ops.Sigmoid.apply(x)


def relu(x: Any) -> Tensor:
    """max(0, x), elementwise; its derivative at 0 is 0."""
    return ops.ReLU.apply(x)


def sqrt(x: Any) -> Tensor:
    return ops.Sqrt.apply(x)


def abs(x: Any) -> Tensor:
    """|x|; its derivative at 0 is 0."""
    return ops.Abs.apply(x)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max(a, b); at a tie each input gets half the gradient."""
    return ops.Maximum.apply(a, b)


def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return ops.Sum.apply(x, axis=axis, keepdims=keepdims)


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return ops.Mean.apply(x, axis=axis, keepdims=keepdims)


def max(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Largest element; at a tie the gradient is split evenly among the tied elements."""
    return ops.Max.apply(x, axis=axis, keepdims=keepdims)


def reshape(x: Any, shape: int | tuple[int, ...]) -> Tensor:
    """The same elements in a new shape, e.g. ``bp.reshape(t, (2, -1))`` or ``bp.reshape(t, 6)``."""
    return ops.Reshape.apply(x, shape=(shape,) if isinstance(shape, numbers.Integral) else tuple(shape))


def transpose(x: Any, axes: tuple[int, ...] | None = None) -> Tensor:
    return ops.Transpose.apply(x, axes=axes)


def softmax(x: Any, axis: int = -1) -> Tensor:
    """eˣⁱ / Σⱼ eˣʲ along ``axis``: probabilities that sum to 1, stable for any input size."""
    return ops.Softmax.apply(x, axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """log softmax(x) through log-sum-exp: use it (not log(softmax(x))) inside losses."""
    return ops.LogSoftmax.apply(x, axis=axis)


def matmul(a: Any, b: Any) -> Tensor:
    """a @ b."""
    return ops.MatMul.apply(a, b)


def linear(x: Any, weight: Any, bias: Any = None) -> Tensor:
    """x Wᵀ + b with W of shape (out_features, in_features), as one graph node."""
    if bias is None:
        return ops.Linear.apply(x, weight)
    return ops.Linear.apply(x, weight, bias)

"""Every differentiable operation, written as a gate with a forward and a backward pass.

This is the lectures' gate API (``MultiplyGate.forward`` / ``.backward``), in the vocabulary
of PyTorch's ``torch.autograd.Function``::

    class Mul(Op):
        def forward(self, a, b):              # numpy arrays in, numpy array out
            self.save_for_backward(a, b)      # keep what backward will need
            return a * b

        def backward(self, grad_out):         # ∂L/∂out in, one ∂L/∂input per input out
            a, b = self.saved_tensors
            return grad_out * b, grad_out * a  # [upstream gradient] × [local gradient]

``Mul.apply(x, y)`` runs forward on the tensors' data and returns a new Tensor that remembers
the op (and the op its inputs, ``op.parents``). Write your own gate the same way and it joins
the engine like any built-in one.

``forward`` gets the arrays the input tensors hold, not copies: what it saves for backward
sees later in-place changes to them, for every shape (see "Changing values between forward
and backward" in ``Tensor``). A one-number result of an op reaches the next gates as a numpy
scalar (``np.float64``), not a 0-d array: numpy computes with those several times faster, it
returns them itself for 0-d results (the result's tensor keeps them so, see ``Tensor.data``),
and they work in every numpy expression a 0-d array does; a 0-d input you made yourself
(``bp.tensor(2.0)``) arrives as its 0-d array. A gate must not write into its inputs.

Broadcasting: an op's backward returns gradients of the *broadcast* shape; the graph walk sums
them back to each input's shape in one place (:func:`backprop_nb.graph.unbroadcast`).

Conventions at kinks (as in PyTorch): relu'(0) = 0, |x|'(0) = 0; ``max`` and ``maximum`` split
the gradient evenly between tied elements.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

# Read on every op: Python 3.11 cannot cache `np.<name>` (numpy's module has a __getattr__).
from numpy import float64, ndarray

from ._checks import boolean
from .errors import ShapeError
from .modes import check_finite, current_settings
from .tensor import Tensor

_from_op = Tensor._from_op
"""Looked up once: finding a classmethod on every call costs more than the call itself."""


def _as_tensor(x: Any) -> Tensor:
    """An op's input as a Tensor: numbers and arrays become constant leaf tensors.

    Unlike ``Tensor(x)`` this does not copy an array that already holds float64: the constant
    shares memory with it, as ``torch.as_tensor`` does.
    """
    if isinstance(x, Tensor):
        return x
    if type(x) is float or type(x) is int:  # the common case: a Python number, kept as a
        return _from_op(float64(x), None)  # numpy scalar like any one-number value
    try:
        data = np.asarray(x)
    except ValueError:
        return Tensor(x)  # raises the constructor's clear error for ragged lists
    if data.dtype.kind not in "biuf":
        return Tensor(x)  # ... and for non-numbers
    return _from_op(data if data.dtype == np.float64 else data.astype(np.float64), None)


_NO_PARAMS: Mapping[str, Any] = MappingProxyType({})
_SHARED_NEEDS: dict[tuple[bool, ...], tuple[bool, ...]] = {}


def _quiet_division() -> np.errstate:
    """Compute x/0 = ±inf, 0/0 = nan and ln 0 = −inf without numpy's warnings (a new one per use)."""
    return np.errstate(divide="ignore", invalid="ignore")


def _is_broadcast_complaint(error: ValueError) -> bool:
    """True for numpy's "operands could not be broadcast together …" (not a gate's own error)."""
    return "could not be broadcast" in str(error)


def _broadcastable(tensors: tuple[Tensor, ...]) -> bool:
    try:
        np.broadcast_shapes(*(t.shape for t in tensors))
    except ValueError:
        return False
    return True


class Op:
    """A gate of the computation graph: subclass it and write ``forward`` and ``backward``.

    Class attributes describe the op for the graph picture: ``label`` is drawn in its node and
    ``local_derivative`` states its local derivative in words.

    Attributes set for each use of the op:
        parents: the input tensors, in argument order (``x + x`` has the same parent twice).
        needs_input_grad: one bool per input; backward may return None where it is False.
        saved_tensors: what ``save_for_backward`` kept.
        params: keyword arguments of the call, such as ``axis`` (shown in the graph).
    """

    label: ClassVar[str] = "op"
    local_derivative: ClassVar[str] = ""
    elementwise: ClassVar[bool] = False
    """True when each output element depends only on the matching element of each (broadcast)
    input, so that backward multiplies element by element: upstream × local = contribution."""

    # Fixed slots keep the millions of small op objects of a training run compact; "__dict__"
    # still lets a gate keep anything else it needs (``self.axis = axis``).
    __slots__ = ("__dict__", "needs_input_grad", "params", "parents", "saved_tensors")
    parents: tuple[Tensor, ...]
    needs_input_grad: tuple[bool, ...]
    saved_tensors: tuple[Any, ...]
    params: Mapping[str, Any]

    def save_for_backward(self, *values: Any) -> None:
        """Keep the arrays backward will need (PyTorch's ``ctx.save_for_backward``)."""
        self.saved_tensors = values

    def forward(self, *inputs: np.ndarray, **params: Any) -> np.ndarray:
        """Compute the output array from the input arrays (0-d ones arrive as np.float64)."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray | None, ...] | np.ndarray:
        """Turn ∂L/∂output into ∂L/∂input for each input (a single array for one input)."""
        raise NotImplementedError(f"{type(self).__name__} must define backward()")

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Tensor:
        """Run the op on tensors (or numbers) and return the result as a new Tensor."""
        parents = inputs
        for x in inputs:  # a loop, not a comprehension: inputs are nearly always Tensors already
            if not isinstance(x, Tensor):
                parents = tuple(map(_as_tensor, inputs))
                break
        op = cls()
        op.params = params or _NO_PARAMS  # one shared empty mapping: most ops take no keywords
        # One pass over the inputs collects what the op needs from each (a plain loop: cheaper
        # than a comprehension or map for the one or two inputs most ops have). Each value goes
        # in as the tensor holds it, never a copy (see the module docstring).
        requires = []
        arrays = []
        for p in parents:
            requires.append(p.requires_grad)
            arrays.append(p._value)
        needs = tuple(requires)
        # ops share one tuple per pattern, e.g. (True, False): fewer objects for the garbage collector
        op.needs_input_grad = needs = _SHARED_NEEDS.setdefault(needs, needs)
        settings = current_settings()
        record = settings.grad_enabled and True in needs
        op.parents = parents if record else ()
        op.saved_tensors = ()
        try:
            data = op.forward(*arrays, **params) if params else op.forward(*arrays)
        except ShapeError:
            raise
        except ValueError as error:  # turn numpy's shape complaints into messages naming every shape
            shapes = " and ".join(str(p.shape) for p in parents)
            if isinstance(error, np.exceptions.AxisError):
                raise ShapeError(f"{cls.__name__}: {error} (input shape {shapes})") from None
            if _is_broadcast_complaint(error) and not _broadcastable(parents):
                raise ShapeError(f"{cls.__name__}: cannot broadcast shapes {shapes} together") from None
            raise  # a gate's own ValueError: its message says more than ours could
        if type(data) is not ndarray and type(data) is not float64:
            # numpy returns a one-number result as np.float64, which the tensor keeps as it is;
            # anything else (a plain number from a hand-written gate) becomes a float64 array
            data = np.asarray(data, dtype=np.float64)
        if settings.detect_anomaly:
            check_finite(data, op if record else cls(), "forward", parents)
        return _from_op(data, op if record else None)

    def describe(self) -> str:
        """The label with the call's keyword arguments, e.g. ``sum(axis=0)``."""
        shown = {k: v for k, v in self.params.items() if v is not None and v is not False}
        if not shown:
            return self.label
        return f"{self.label}({', '.join(f'{k}={v}' for k, v in shown.items())})"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} op: {self.describe()}>"


def _is_int(value: Any) -> bool:
    """A Python or numpy integer, not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def _axes(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    """Normalise an ``axis`` argument to a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if _is_int(axis) else tuple(axis) if isinstance(axis, tuple | list) else None
    if axes is None or not all(_is_int(a) for a in axes):
        raise TypeError(f"axis must be an int, a tuple of ints or None, got {axis!r}")
    for a in axes:
        if not -ndim <= a < ndim:
            raise ShapeError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
    return tuple(sorted(int(a) % ndim for a in axes))


def _check_single_axis(axis: Any) -> None:
    if not _is_int(axis):
        raise TypeError(f"axis must be an int, got {axis!r}")


def _expand_reduced(grad_out: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """Put back the axes a reduction removed, so the gradient broadcasts against the input."""
    return grad_out if keepdims else np.expand_dims(grad_out, axes)


# ----- binary arithmetic ------------------------------------------------------------------
class Add(Op):
    """a + b: the add gate passes the upstream gradient unchanged to both inputs."""

    label = "+"
    local_derivative = "∂(a+b)/∂a = 1,  ∂(a+b)/∂b = 1"
    elementwise = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return grad_out, grad_out


class Sub(Op):
    """a − b."""

    label = "-"
    local_derivative = "∂(a−b)/∂a = 1,  ∂(a−b)/∂b = −1"
    elementwise = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a - b

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        return grad_out, -grad_out if self.needs_input_grad[1] else None


class Mul(Op):
    """a · b: the multiply gate swaps its inputs: each gets the upstream times the other."""

    label = "*"
    local_derivative = "∂(a·b)/∂a = b,  ∂(a·b)/∂b = a"
    elementwise = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.save_for_backward(a, b)
        return a * b

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = self.saved_tensors
        return (
            grad_out * b if self.needs_input_grad[0] else None,
            grad_out * a if self.needs_input_grad[1] else None,
        )


class Div(Op):
    """a / b. Dividing by 0 gives ±inf (0/0 gives nan), as in PyTorch, and its gradients too.

    Those are the documented results, so numpy's warnings about them are not shown.
    """

    label = "/"
    local_derivative = "∂(a/b)/∂a = 1/b,  ∂(a/b)/∂b = −a/b²"
    elementwise = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.save_for_backward(a, b)
        if b.all():  # no zero divisor: the usual case, without the cost of np.errstate
            return a / b
        with _quiet_division():
            return a / b

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = self.saved_tensors
        if b.all():
            return self._grads(grad_out, a, b)
        with _quiet_division():
            return self._grads(grad_out, a, b)

    def _grads(self, grad_out: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray | None, ...]:
        return (
            grad_out / b if self.needs_input_grad[0] else None,
            -grad_out * a / (b * b) if self.needs_input_grad[1] else None,
        )


class Pow(Op):
    """a ** b, for a tensor or constant exponent.

    As in PyTorch, the gradient for the exponent is ``aᵇ·ln a``; it is 0 where a = 0 and b ≥ 0,
    and nan for a negative base (ln is undefined there). It is computed only when the exponent
    requires grad, so ``x ** 2`` never takes a logarithm.
    """

    label = "**"
    local_derivative = "∂(aᵇ)/∂a = b·aᵇ⁻¹,  ∂(aᵇ)/∂b = aᵇ·ln a"
    elementwise = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = a**b
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b, out = self.saved_tensors
        grad_a = grad_b = None
        # np.where evaluates both branches; the discarded one may divide by zero at a = 0
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.needs_input_grad[0]:
                grad_a = grad_out * np.where(b == 0, 0.0, b * a ** (b - 1.0))
            if self.needs_input_grad[1]:
                grad_b = grad_out * out * np.where((a == 0) & (b >= 0), 0.0, np.log(a))
        return grad_a, grad_b


class MatMul(Op):
    """a @ b with numpy's rules: 1-D operands, batched stacks and broadcast batch dimensions.

    For matrices, with G the upstream gradient: ∂L/∂A = G Bᵀ and ∂L/∂B = Aᵀ G.
    """

    label = "@"
    local_derivative = "∂L/∂A = G·Bᵀ,  ∂L/∂B = Aᵀ·G   (G = upstream gradient)"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError(
                f"matmul needs arrays with at least one dimension, got shapes {a.shape} and {b.shape}; use * for scalars"
            )
        inner_a = a.shape[-1]
        inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if inner_a != inner_b:
            raise ShapeError(
                f"matmul shape mismatch: {a.shape} @ {b.shape}: the last dimension of the left "
                f"operand ({inner_a}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} "
                f"dimension of the right operand ({inner_b})"
            )
        self.save_for_backward(a, b)
        return a @ b

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = self.saved_tensors
        if a.ndim == 1 and b.ndim == 1:  # the dot product a·b
            return grad_out * b, grad_out * a
        # treat a 1-D operand as a one-row (left) or one-column (right) matrix
        a2 = a[np.newaxis, :] if a.ndim == 1 else a
        b2 = b[:, np.newaxis] if b.ndim == 1 else b
        g = grad_out
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        if b.ndim == 1:
            g = np.expand_dims(g, -1)
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = g @ np.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                grad_a = grad_a[..., 0, :]
        if self.needs_input_grad[1]:
            grad_b = np.swapaxes(a2, -1, -2) @ g
            if b.ndim == 1:
                grad_b = grad_b[..., :, 0]
        return grad_a, grad_b


class Maximum(Op):
    """Elementwise max(a, b); at a tie each input gets half of the gradient (as in PyTorch)."""

    label = "maximum"
    local_derivative = "∂max(a,b)/∂a = 1 if a > b, ½ if a = b, 0 if a < b"
    elementwise = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.save_for_backward(a, b)
        return np.maximum(a, b)

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.saved_tensors
        share_a = (a > b) + 0.5 * (a == b)
        return grad_out * share_a, grad_out * (1.0 - share_a)


# ----- elementwise functions of one input -------------------------------------------------
class Neg(Op):
    """−a."""

    label = "neg"
    local_derivative = "∂(−a)/∂a = −1"
    elementwise = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        return -a

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return -grad_out


class Exp(Op):
    """eᵃ; its derivative is itself, so it saves its output."""

    label = "exp"
    local_derivative = "∂eᵃ/∂a = eᵃ"
    elementwise = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        out = np.exp(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        (out,) = self.saved_tensors
        return grad_out * out


class Log(Op):
    """ln a (natural logarithm). As in PyTorch, ln 0 = −inf (gradient inf) and ln of a negative
    number is nan: the documented results, so numpy's warnings about them are not shown."""

    label = "log"
    local_derivative = "∂ln a/∂a = 1/a"
    elementwise = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.save_for_backward(a)
        if (a > 0).all():  # the usual case, without the cost of np.errstate
            return np.log(a)
        with _quiet_division():
            return np.log(a)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        (a,) = self.saved_tensors
        if a.all():
            return grad_out / a
        with _quiet_division():
            return grad_out / a


class Sin(Op):
    """sin a."""

    label = "sin"
    local_derivative = "∂sin a/∂a = cos a"
    elementwise = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.save_for_backward(a)
        return np.sin(a)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        (a,) = self.saved_tensors
        return grad_out * np.cos(a)


class Cos(Op):
    """cos a."""

    label = "cos"
    local_derivative = "∂cos a/∂a = −sin a"
    elementwise = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.save_for_backward(a)
        return np.cos(a)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        (a,) = self.saved_tensors
        return -grad_out * np.sin(a)


class Tanh(Op):
    """tanh a."""

    label = "tanh"
    local_derivative = "∂tanh a/∂a = 1 − tanh²a"
    elementwise = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        out = np.tanh(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        (out,) = self.saved_tensors
        return grad_out * (1.0 - out * out)


class Sigmoid(Op):
    """σ(a) = 1 / (1 + e⁻ᵃ), the sigmoid gate.

    Computed from e^(−|a|), which never overflows: 1/(1+e) for a ≥ 0 and e/(1+e) for a < 0.
    """

    label = "sigmoid"
    local_derivative = "∂σ(a)/∂a = (1 − σ(a))·σ(a)"
    elementwise = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        e = np.exp(-np.abs(a))
        out = np.where(a >= 0, 1.0, e) / (1.0 + e)
        self.save_for_backward(out)
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        (out,) = self.saved_tensors
        return grad_out * (1.0 - out) * out


class ReLU(Op):
    """max(0, a); its derivative at 0 is taken to be 0 (as in PyTorch)."""

    label = "relu"
    local_derivative = "∂relu(a)/∂a = 1 if a > 0 else 0"
    elementwise = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        out = np.maximum(a, 0.0)
        self.save_for_backward(a > 0)
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        (positive,) = self.saved_tensors
        return grad_out * positive


class Sqrt(Op):
    """√a; the gradient is inf at 0."""

    label = "sqrt"
    local_derivative = "∂√a/∂a = 1/(2√a)"
    elementwise = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        out = np.sqrt(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        (out,) = self.saved_tensors
        with np.errstate(divide="ignore"):
            return grad_out / (2.0 * out)


class Abs(Op):
    """|a|; its derivative at 0 is taken to be 0 (as in PyTorch)."""

    label = "abs"
    local_derivative = "∂|a|/∂a = sign(a)  (0 at a = 0)"
    elementwise = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.save_for_backward(a)
        return np.abs(a)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        (a,) = self.saved_tensors
        return grad_out * np.sign(a)


# ----- reductions -------------------------------------------------------------------------
class Sum(Op):
    """Sum over ``axis`` (all axes by default); backward copies the gradient to every element."""

    label = "sum"
    local_derivative = "∂(Σa)/∂aᵢ = 1"

    def forward(self, a: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        self.axes = _axes(axis, a.ndim)
        self.keepdims = boolean("keepdims", keepdims)
        self.in_shape = a.shape
        return a.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return np.broadcast_to(_expand_reduced(grad_out, self.axes, self.keepdims), self.in_shape)


class Mean(Sum):
    """Mean over ``axis``; backward shares the gradient equally, 1/n to each element.

    The mean of no elements (an empty tensor, or an axis of length 0) is nan, with a warning.
    """

    label = "mean"
    local_derivative = "∂(mean a)/∂aᵢ = 1/n"

    def forward(self, a: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        total = super().forward(a, axis=axis, keepdims=keepdims)
        self.count = math.prod(a.shape[i] for i in self.axes)
        if self.count == 0:
            warnings.warn(
                f"mean over no elements (input shape {a.shape}, axes {self.axes}) is nan",
                RuntimeWarning,
                stacklevel=4,  # the caller of t.mean() or bp.mean()
            )
            return total + np.nan
        return total / self.count

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self.count == 0:  # the input has no elements: nor has its gradient
            return np.zeros(self.in_shape)
        return super().backward(grad_out / self.count)


class Max(Op):
    """Largest element over ``axis``; the gradient goes to the maximum, split evenly at ties.

    (PyTorch's ``amax`` does the same; ``torch.max(dim=...)`` instead picks one of the tied.)
    """

    label = "max"
    local_derivative = "∂max(a)/∂aᵢ = 1 at the maximum (split evenly among ties), 0 elsewhere"

    def forward(self, a: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        self.axes = _axes(axis, a.ndim)
        self.keepdims = boolean("keepdims", keepdims)
        top = a.max(axis=self.axes, keepdims=True)
        is_top = a == top
        self.save_for_backward(is_top / is_top.sum(axis=self.axes, keepdims=True))
        return top if keepdims else np.squeeze(top, axis=self.axes)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        (share,) = self.saved_tensors
        return share * _expand_reduced(grad_out, self.axes, self.keepdims)


# ----- shape changes ----------------------------------------------------------------------
class Reshape(Op):
    """The same elements in a new shape; backward reshapes the gradient back."""

    label = "reshape"
    local_derivative = "gradient reshaped back to the input's shape"

    def forward(self, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        self.in_shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ShapeError(
                f"cannot reshape a tensor of shape {a.shape} ({a.size} elements) into shape {tuple(shape)}"
            ) from None

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out.reshape(self.in_shape)


class Transpose(Op):
    """Permute the axes (reverse them by default); backward applies the inverse permutation."""

    label = "transpose"
    local_derivative = "gradient transposed back"

    def forward(self, a: np.ndarray, axes: tuple[int, ...] | None = None) -> np.ndarray:
        self.inverse = None if axes is None else tuple(np.argsort([axis % a.ndim for axis in axes]))
        return np.transpose(a, axes)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return np.transpose(grad_out, self.inverse)


def _index_part(part: Any) -> Any:
    """One part of an index: Tensors and lists become integer (or boolean) arrays."""
    if isinstance(part, Tensor):
        values = part.data
        if not np.array_equal(values, np.round(values)):
            raise IndexError("a Tensor used as an index must hold whole numbers")
        return values.astype(np.intp)
    if isinstance(part, list):
        return np.asarray(part)
    return part


class GetItem(Op):
    """Indexing ``t[index]``: basic (ints, slices), fancy (integer arrays) and boolean masks.

    A Tensor used as an index is read as integer positions (tensors hold float64, so a Tensor
    of bools is 0s and 1s); for a mask, index with a numpy boolean array, e.g. ``t[t.data > 0]``.

    Backward scatters the gradient back into a zero array of the input's shape; an element
    picked several times (``t[[0, 0]]``) gets the sum of its gradients.
    """

    label = "[]"
    local_derivative = "gradient scattered back to the selected elements (repeats add up)"

    def forward(self, a: np.ndarray, index: Any) -> np.ndarray:
        parts = index if isinstance(index, tuple) else (index,)
        self.index = tuple(_index_part(p) for p in parts)
        self.repeats_possible = any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in self.index)
        self.in_shape = a.shape
        return np.array(a[self.index], dtype=np.float64)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        grad = np.zeros(self.in_shape)
        if self.repeats_possible:
            np.add.at(grad, self.index, grad_out)
        else:
            grad[self.index] = grad_out
        return grad

    def describe(self) -> str:
        return "[…]"


# ----- softmax family ---------------------------------------------------------------------
class Softmax(Op):
    """softmax(a)ᵢ = eᵃⁱ / Σⱼ eᵃʲ along ``axis``, computed after subtracting the maximum."""

    label = "softmax"
    local_derivative = "∂sᵢ/∂aⱼ = sᵢ(δᵢⱼ − sⱼ)"

    def forward(self, a: np.ndarray, axis: int = -1) -> np.ndarray:
        _check_single_axis(axis)
        e = np.exp(a - a.max(axis=axis, keepdims=True))
        out = e / e.sum(axis=axis, keepdims=True)
        self.axis = axis
        self.save_for_backward(out)
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        (s,) = self.saved_tensors
        return s * (grad_out - (grad_out * s).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Op):
    """log softmax(a) = a − log Σⱼ eᵃʲ, through the log-sum-exp trick (no overflow, no log 0)."""

    label = "log_softmax"
    local_derivative = "∂(log sᵢ)/∂aⱼ = δᵢⱼ − sⱼ"

    def forward(self, a: np.ndarray, axis: int = -1) -> np.ndarray:
        _check_single_axis(axis)
        shifted = a - a.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        self.axis = axis
        self.save_for_backward(out)
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        (out,) = self.saved_tensors
        return grad_out - np.exp(out) * grad_out.sum(axis=self.axis, keepdims=True)


# ----- the fully connected layer ------------------------------------------------------------
class Linear(Op):
    """x Wᵀ + b, the affine map of a fully connected layer (``torch.nn.functional.linear``).

    W has shape (out_features, in_features), as the lectures' Ω in Ωh + β; x has shape
    (..., in_features). One op instead of three keeps a layer one node in the graph.
    """

    label = "linear"
    local_derivative = "∂L/∂x = G·W,  ∂L/∂W = Gᵀ·x,  ∂L/∂b = Σ G   (G = upstream gradient)"

    def forward(self, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
        if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ShapeError(
                f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape}: "
                f"the weight must be (out_features, in_features) with in_features = x.shape[-1]"
            )
        if bias is not None and bias.shape != (weight.shape[0],):
            raise ShapeError(
                f"linear: bias of shape {bias.shape} must have shape ({weight.shape[0]},) to match weight {weight.shape}"
            )
        self.save_for_backward(x, weight)
        out = x @ weight.T
        if bias is not None:
            out += bias  # in place: out is a new array, and a batch's worth of memory is saved
        return out

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray | None, ...]:
        x, weight = self.saved_tensors
        needs = self.needs_input_grad
        grad_x = grad_out @ weight if needs[0] else None
        grad_w = grad_b = None
        if needs[1] or (len(needs) > 2 and needs[2]):
            g2 = grad_out.reshape(-1, weight.shape[0])
            if needs[1]:
                grad_w = g2.T @ x.reshape(-1, weight.shape[1])
            if len(needs) > 2 and needs[2]:
                grad_b = g2.sum(axis=0)
        return (grad_x, grad_w, grad_b)[: len(needs)]

"""The Tensor: a numpy array that remembers how it was computed, so it can be differentiated.

A tensor holds its value in ``.data`` (always a float64 ``np.ndarray``) and, after a backward
pass, the gradient of the output with respect to itself in ``.grad`` (an array of the same
shape). A tensor made by an op also keeps that op in ``.op``; the op keeps its inputs in
``op.parents``. Those links are the computation graph: ``backward()`` walks them from the output
back to the inputs (see :mod:`backprop_nb.graph`).

Names and behaviour follow PyTorch wherever the lectures do not say otherwise. The differences:

* ``.data`` and ``.grad`` are numpy arrays, not tensors;
* a result that is one number is kept as the numpy scalar numpy returned (``np.float64``) until
  you read ``.data`` or ``.grad``, which then turn it into a 0-d array once: numpy computes with
  scalars several times faster than with 0-d arrays, and scalar graphs are made of such results;
* intermediate tensors keep their ``.grad`` after backward (PyTorch frees it unless you call
  ``retain_grad()``), because the graph picture shows every gradient;
* the graph is kept after backward, so calling ``backward()`` twice works and adds the
  gradients once more (PyTorch would need ``retain_graph=True``);
* ``==`` between two tensors asks whether they are the same tensor, and comparing a tensor
  with a number or array raises (PyTorch compares values; see ``Tensor``).
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

# Read on every op and every .data/.grad access: Python 3.11 cannot cache `np.<name>`
# (numpy's module has a __getattr__).
from numpy import ndarray

from ._checks import boolean, optional_text
from .errors import GradError, ShapeError
from .modes import current_settings

_node_ids = itertools.count()
"""Every tensor gets the next number when it is created: a deterministic id (``id()`` changes
between runs), and, since inputs exist before the op that uses them, a topological order."""


_new_object = object.__new__
"""Makes an empty instance without running ``__init__`` (bound once: this runs for every op)."""


def as_float_array(data: Any) -> np.ndarray:
    """Convert scalars, nested lists or arrays to a new float64 array, rejecting non-numbers."""
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = np.asarray(data)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"Tensor data must be a rectangular array of numbers: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"Tensor data must be numbers (bool, int or float), got dtype {array.dtype} "
            f"from {type(data).__name__}; convert it with float() or np.asarray(..., dtype=float)"
        )
    return np.array(array, dtype=np.float64)


def _format_array(array: np.ndarray) -> str:
    if array.ndim == 0:
        text = f"{array.item():.6g}"
        return text if any(c in text for c in ".ena") else text + ".0"
    return np.array2string(array, precision=4, separator=", ", threshold=20, edgeitems=2)


class Tensor:
    """A float64 array that records the ops applied to it, for reverse-mode differentiation.

    >>> x = Tensor(-2.0, requires_grad=True, name="x")
    >>> y = Tensor(5.0, requires_grad=True, name="y")
    >>> z = Tensor(-4.0, requires_grad=True, name="z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> x.grad, y.grad, z.grad
    (array(-4.), array(-4.), array(3.))

    Args:
        data: a number, nested list or array; ints and bools become float64. The data is copied.
        requires_grad: record ops on this tensor so ``backward()`` computes its ``.grad``
            (True or False; numpy bools too).
        name: a label for the graph picture and for error messages (settable later: ``t.name = "t"``).

    **Changing values between forward and backward.** An op keeps for backward the very arrays
    its inputs hold (not copies), as PyTorch does. Change a tensor's values *in place*
    (``x.data += 1``, ``x.data[0] = 5``, ``x -= 1`` inside ``no_grad()``) before calling
    ``backward()``, and backward computes with the new values, whatever the shape; assign a new
    array (``x.data = ...``) and the ops that already used ``x`` keep the old one. The gradient
    then mixes old and new values (an op that saved its own output, such as ``exp``, keeps the
    output of the old value), so run the forward pass again after changing a value. (A result
    of one number that ops used before you first read its ``.data`` stays a number for them.)

    **In-place operators** (``+= -= *= /= **=``) follow PyTorch. Inside ``no_grad()``, or when
    no tensor involved requires grad, they change this tensor's values in place. When the op
    is recorded they make a new tensor, as ``t = t + other`` would, except on a leaf that
    requires grad (a parameter), where they raise ``GradError``: ``w -= lr * w.grad`` must be
    written ``with bp.no_grad(): w -= lr * w.grad`` or ``w.data -= lr * w.grad``.

    **Python conversions.** ``float(t)``, ``int(t)`` and ``bool(t)`` work for a one-element
    tensor and raise for any other; ``len(t)`` and iterating give the first axis (each element a
    tensor, as ``t[i]``) and raise for a 0-d tensor.

    **Comparisons.** ``a == b`` between two tensors is ``a is b`` (the same tensor), as for any
    Python object, so lists, sets and dicts of tensors work (``x in order``,
    ``order.index(x)``). Compare values as numbers or arrays: ``t.item() == 2.0``,
    ``t.data > 0`` (a numpy bool array, which also masks an index: ``t[t.data > 0]``).
    ``t == 2.0``, ``t < 0`` and ``a < b`` raise a TypeError that says so, instead of answering
    False by identity. (PyTorch compares values elementwise and returns a bool tensor; ours
    hold only float64, and a tensor of 0s and 1s used as an index picks positions 0 and 1.)
    """

    __slots__ = ("__weakref__", "_grad", "_id", "_scope", "_value", "name", "op", "requires_grad")

    # numpy defers to our operators, so `np.float64(2) * x` and `array + x` give Tensors
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False, name: str | None = None) -> None:
        self._value: np.ndarray | np.float64 = as_float_array(data)
        self._grad: np.ndarray | np.float64 | None = None
        self.requires_grad = boolean("requires_grad", requires_grad)
        self.name = optional_text("name", name)
        self.op = None
        self._id = next(_node_ids)
        self._scope = current_settings().scope

    @classmethod
    def _from_op(cls, data: np.ndarray | np.float64, op: Any) -> Tensor:
        """A tensor made by an op (``op`` is None when nothing needs recording)."""
        out = _new_object(cls)
        out._value = data
        out._grad = None
        out.requires_grad = op is not None
        out.name = None
        out.op = op
        out._id = next(_node_ids)
        out._scope = current_settings().scope
        return out

    # ----- value and gradient ------------------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """The value, a float64 array. Change it in place to update a parameter: ``p.data -= lr * p.grad``.

        An op whose result is one number keeps the numpy scalar numpy gave it (``np.float64``):
        the next op computes with it directly, several times faster than with a 0-d array.
        Reading ``.data`` turns it into a 0-d array once; from then on that array is the value.
        """
        value = self._value
        if type(value) is not ndarray:
            value = self._value = np.asarray(value)
        return value

    @data.setter
    def data(self, value: Any) -> None:
        """Take a float64 array as it is (shared, not copied); convert anything else to one."""
        is_float_array = type(value) is ndarray and value.dtype == np.float64
        self._value = value if is_float_array else as_float_array(value)

    @property
    def grad(self) -> np.ndarray | None:
        """∂(the tensor you called ``backward()`` on)/∂(this tensor), or None before any backward.

        An array of this tensor's shape, summed over every ``backward()`` call since it was last
        set to None (an optimiser's ``zero_grad()`` does that).
        """
        grad = self._grad
        if grad is not None and type(grad) is not ndarray:  # a number kept as a numpy scalar
            grad = self._grad = np.asarray(grad, dtype=np.float64)
            if self.op is not None:
                grad.setflags(write=False)  # read-only, like every intermediate's gradient
        return grad

    @grad.setter
    def grad(self, value: np.ndarray | None) -> None:
        self._grad = value

    # ----- what kind of array it is (numpy scalars answer these too) -------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._value.shape

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def size(self) -> int:
        return self._value.size

    @property
    def is_leaf(self) -> bool:
        """True for tensors you made yourself (inputs, parameters, constants), not made by an op."""
        return self.op is None

    @property
    def grad_fn(self) -> Any:
        """PyTorch's name for ``.op``: the op that computed this tensor, or None for a leaf."""
        return self.op

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if self._value.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        return self._value.item()

    def numpy(self) -> np.ndarray:
        """The value as a numpy array (the same memory as ``.data``, not a copy)."""
        return self.data

    def detach(self) -> Tensor:
        """A new leaf tensor with the same data (shared memory) and no graph."""
        out = Tensor._from_op(self.data, None)
        out.name = self.name
        return out

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is None and not copy:
            return self.data
        return np.array(self.data, dtype=dtype, copy=True)

    # ----- Python conversions (see the class docstring) ---------------------------------
    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("len() of a 0-d tensor: it holds one number, use .item()")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        """The tensors ``t[0]``, ``t[1]``, … along the first axis."""
        if self._value.ndim == 0:
            raise TypeError("iteration over a 0-d tensor: it holds one number, use .item()")
        return (self[i] for i in range(len(self._value)))

    def _one_number(self, conversion: str) -> float:
        if self._value.size != 1:
            raise TypeError(
                f"{conversion}() of a tensor with {self._value.size} elements (shape {self.shape}) "
                "is ambiguous: it needs exactly one element"
                + ("; use t.data.any() or t.data.all()" if conversion == "bool" else "")
            )
        return self._value.item()

    def __float__(self) -> float:
        return self._one_number("float")

    def __int__(self) -> int:
        return int(self._one_number("int"))

    def __bool__(self) -> bool:
        return bool(self._one_number("bool"))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Tensor):
            return self is other
        return _refuse_value_comparison("==", other)

    def __ne__(self, other: object) -> bool:
        if isinstance(other, Tensor):
            return self is not other
        return _refuse_value_comparison("!=", other)

    def __lt__(self, other: Any) -> bool:
        return _refuse_value_comparison("<", other)

    def __le__(self, other: Any) -> bool:
        return _refuse_value_comparison("<=", other)

    def __gt__(self, other: Any) -> bool:
        return _refuse_value_comparison(">", other)

    def __ge__(self, other: Any) -> bool:
        return _refuse_value_comparison(">=", other)

    __hash__ = object.__hash__  # by identity, as in PyTorch: tensors are dict keys in graph walks

    def __repr__(self) -> str:
        parts = [_format_array(self.data)]
        if self.grad is not None:
            parts.append(f"grad={_format_array(np.asarray(self.grad))}")
        elif self.requires_grad:
            parts.append("requires_grad=True")
        if self.name is not None:
            parts.append(f"name={self.name!r}")
        return f"Tensor({', '.join(parts)})"

    # ----- backward ---------------------------------------------------------------------
    def backward(self, grad: Any = None) -> None:
        """Compute the gradient of this tensor with respect to every tensor it depends on.

        Each tensor that requires grad gets ``t.grad += ∂self/∂t``: gradients **accumulate**
        across calls, as in PyTorch, so reset them (``t.grad = None`` or an optimiser's
        ``zero_grad()``) between training steps. Intermediate tensors keep their ``.grad`` too.

        Args:
            grad: the gradient to start from, ∂L/∂self for some later scalar L. Leave it out for
                a one-element tensor (it is then 1.0); any other shape needs it, and it must have
                exactly this tensor's shape.
        """
        accumulate = Tensor._accumulate_grad
        for node, upstream, _ in backward_steps(self, grad):
            accumulate(node, upstream)

    def _accumulate_grad(self, grad: np.ndarray | np.float64) -> None:
        """Add one backward pass's gradient to ``.grad``.

        A leaf gets an array of its own that you may change; an intermediate may share its
        array with its neighbours (copying would cost time), so it is made read-only. A
        gradient that is one number stays a numpy scalar until ``.grad`` is read.
        """
        previous = self._grad
        if previous is not None:
            grad = previous + grad  # a new value: accumulation never writes into an old array
        elif self.op is None:
            grad = np.array(grad, dtype=np.float64)
        if self.op is not None and type(grad) is ndarray:
            grad.setflags(False)  # write=False, by position: the cheapest way to make it read-only
        self._grad = grad

    # ----- arithmetic: each operator is one op from backprop_nb.ops -----------------------
    def __add__(self, other: Any) -> Tensor:
        return ops.Add.apply(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return ops.Add.apply(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return ops.Sub.apply(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return ops.Sub.apply(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return ops.Mul.apply(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return ops.Mul.apply(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.Div.apply(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.Div.apply(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return ops.Pow.apply(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return ops.Pow.apply(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return ops.MatMul.apply(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return ops.MatMul.apply(other, self)

    def __neg__(self) -> Tensor:
        return ops.Neg.apply(self)

    def __abs__(self) -> Tensor:
        return ops.Abs.apply(self)

    def __getitem__(self, index: Any) -> Tensor:
        return ops.GetItem.apply(self, index=index)

    # ----- in-place operators (see the class docstring) -----------------------------------
    def __iadd__(self, other: Any) -> Tensor:
        return self._in_place(other, "+=", np.add, ops.Add)

    def __isub__(self, other: Any) -> Tensor:
        return self._in_place(other, "-=", np.subtract, ops.Sub)

    def __imul__(self, other: Any) -> Tensor:
        return self._in_place(other, "*=", np.multiply, ops.Mul)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._in_place(other, "/=", np.divide, ops.Div)

    def __ipow__(self, other: Any) -> Tensor:
        return self._in_place(other, "**=", np.power, ops.Pow)

    def _in_place(self, other: Any, symbol: str, ufunc: np.ufunc, op: type[ops.Op]) -> Tensor:
        """``self <symbol> other``: in place when nothing is recorded, else a new tensor (or an error)."""
        other_requires_grad = isinstance(other, Tensor) and other.requires_grad
        if current_settings().grad_enabled and (self.requires_grad or other_requires_grad):
            if self.op is None and self.requires_grad:
                who = repr(self.name) if self.name is not None else "t"
                name = self.name if self.name is not None and self.name.isidentifier() else "t"
                raise GradError(
                    f"{symbol} on {who}, a leaf tensor that requires grad, would be recorded as a new "
                    f"op (PyTorch raises here too). Update a parameter without recording:\n"
                    f"    with bp.no_grad():\n        {name} {symbol} ...\n"
                    f"or change its values directly: {name}.data {symbol} ..."
                )
            return op.apply(self, other)
        value = self.data
        operand = other.data if isinstance(other, Tensor) else as_float_array(other)
        try:
            ufunc(value, operand, out=value)
        except ValueError:
            raise ShapeError(
                f"{symbol} in place: a value of shape {operand.shape} does not broadcast to this "
                f"tensor's shape {value.shape}"
            ) from None
        return self

    # ----- elementwise functions ----------------------------------------------------------
    def exp(self) -> Tensor:
        return ops.Exp.apply(self)

    def log(self) -> Tensor:
        """Natural logarithm."""
        return ops.Log.apply(self)

    def sin(self) -> Tensor:
        return ops.Sin.apply(self)

    def cos(self) -> Tensor:
        return ops.Cos.apply(self)

    def tanh(self) -> Tensor:
        return ops.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return ops.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        return ops.ReLU.apply(self)

    def sqrt(self) -> Tensor:
        return ops.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return ops.Abs.apply(self)

    # ----- reductions and shapes ----------------------------------------------------------
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return ops.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Largest element; at a tie the gradient is split evenly among the tied elements."""
        return ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape: int | tuple[int, ...]) -> Tensor:
        """Same data in a new shape: ``t.reshape(2, 3)``, ``t.reshape((2, -1))``."""
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        return ops.Reshape.apply(self, shape=shape)

    def transpose(self, *axes: int | tuple[int, ...]) -> Tensor:
        """Permute the axes (reverse them when no axes are given), like ``np.transpose``."""
        if len(axes) == 1 and isinstance(axes[0], tuple | list):
            axes = tuple(axes[0])
        return ops.Transpose.apply(self, axes=axes or None)

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def softmax(self, axis: int = -1) -> Tensor:
        return ops.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return ops.LogSoftmax.apply(self, axis=axis)


def _refuse_value_comparison(symbol: str, other: Any) -> Any:
    """The TypeError for ``t == 2.0``, ``t < 0``, ``a < b``, saying how to compare the values.

    Anything that is not a number, an array or a tensor (None, a string) gets NotImplemented:
    Python then answers ``==`` by identity (False) and ``<`` with its usual TypeError.
    """
    if not isinstance(other, Tensor | numbers.Number | np.ndarray | np.generic | list):
        return NotImplemented
    raise TypeError(
        f"Tensor {symbol} {type(other).__name__}: tensors are not compared by value "
        "(== between two tensors asks whether they are the same tensor). Compare the values: "
        f"t.item() {symbol} x for one number, t.data {symbol} x for a numpy bool array"
    )


def tensor(data: Any, requires_grad: bool = False, name: str | None = None) -> Tensor:
    """Make a Tensor (PyTorch's spelling): ``bp.tensor([1.0, 2.0], requires_grad=True)``."""
    return Tensor(data, requires_grad=requires_grad, name=name)


# ops.py and graph.py need the Tensor class, and Tensor's methods need them: importing them after
# the class is defined breaks the cycle.
from . import ops  # noqa: E402
from .graph import backward_steps  # noqa: E402

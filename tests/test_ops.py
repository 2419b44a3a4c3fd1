"""Property tests for every op: forward values against numpy, gradients against finite differences.

Each property test draws random shapes (0-d to 3-D, at most 4 per side), broadcasting partners and
values kept away from kinks and ties, then checks two things:

* the forward value equals numpy's (same shape, same numbers);
* backpropagating ``(op(...) * W).sum()``, with W a fixed random array, gives every input a
  ``.grad`` of the input's own shape that agrees with central differences (``bp.numerical_grad``).

The random weights W make each output element count differently, so a gradient that is merely
"all ones", summed over the wrong axis or scattered to the wrong place cannot pass.

The conventions at kinks and ties, numerical stability at ±1000 and dtype handling are tested
with exact values further down. ``@covers(...)`` records which ops each property test exercises;
``test_every_op_describes_itself_and_has_a_property_test`` fails for an op without one.
"""

from __future__ import annotations

import contextlib
import math
import operator
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop_nb as bp
from backprop_nb import ops
from backprop_nb.errors import ShapeError
from backprop_nb.tensor import Tensor

Shape = tuple[int, ...]
Values = Callable[[Shape], st.SearchStrategy[np.ndarray]]
"""Given a shape, a strategy for float64 arrays of that shape."""

PROPERTY = settings(max_examples=15, deadline=None)
"""Examples per (parametrized) property test, sized to keep this module at a few seconds."""

RTOL, ATOL = 1e-5, 1e-6
"""Central differences (eps = 1e-6) are good to ~1e-8 on these inputs; a wrong gradient is far off."""

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
SHAPES_WITH_AXES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
BROADCASTING_PAIRS = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)
MATMUL_PAIRS = hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, max_side=3)
"""1-D operands, matrices, stacks and broadcast batch dimensions, as ``np.matmul`` accepts them."""


# ---------------------------------------------------------------------------
# which ops the property tests cover
# ---------------------------------------------------------------------------

PROPERTY_TESTS: dict[type[bp.Op], list[str]] = {}
"""Op class -> names of the property tests that exercise it (filled by @covers)."""


def covers(*op_classes: type[bp.Op]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Record that the decorated property test exercises ``op_classes``."""

    def register(test: Callable[..., None]) -> Callable[..., None]:
        if not getattr(test, "is_hypothesis_test", False):
            raise TypeError(f"@covers marks property tests, and {test.__name__} has no @given")
        for op_class in op_classes:
            PROPERTY_TESTS.setdefault(op_class, []).append(test.__name__)
        return test

    return register


def _ops_defined_in_backprop_nb_ops() -> list[type[bp.Op]]:
    return [
        value
        for value in vars(ops).values()
        if isinstance(value, type)
        and issubclass(value, bp.Op)
        and value is not bp.Op
        and value.__module__ == ops.__name__
    ]


# ---------------------------------------------------------------------------
# strategies and the gradient check
# ---------------------------------------------------------------------------


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_subnormal=False)


def _arrays_of(elements: st.SearchStrategy[float]) -> Values:
    return lambda shape: hnp.arrays(np.float64, shape, elements=elements)


ANY = _arrays_of(_floats(-3, 3))
POSITIVE = _arrays_of(_floats(0.5, 3))
"""For log, sqrt and the base of a power."""
AWAY_FROM_ZERO = _arrays_of(st.one_of(_floats(-3, -0.2), _floats(0.2, 3)))
"""For relu and abs (kink at 0) and for denominators."""
ON_GRID = _arrays_of(st.integers(-12, 12).map(lambda k: k / 4))
OFF_GRID = _arrays_of(st.integers(-12, 12).map(lambda k: k / 4 + 1 / 8))
"""``maximum(ON_GRID, OFF_GRID)`` never ties: the two differ by at least 1/8 everywhere."""


def _distinct_arrays(shape: Shape) -> st.SearchStrategy[np.ndarray]:
    size = math.prod(shape)
    return st.permutations(range(size)).map(
        lambda p: (np.array(p, dtype=float).reshape(shape) - size / 2) / 4
    )


DISTINCT: Values = _distinct_arrays
"""Arrays whose elements all differ (by at least 1/4), so ``max`` has no ties."""


def _weights(shape: Shape) -> np.ndarray:
    """The fixed random W of the loss ``(op(...) * W).sum()``."""
    return np.random.default_rng(0).normal(size=shape)


@contextlib.contextmanager
def warnings_as_errors() -> Iterator[None]:
    """Turn every warning (numpy's overflow, divide-by-zero, invalid value) into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def check_gradients(f: Callable[..., Tensor], *inputs: np.ndarray) -> Tensor:
    """Compare the gradients of ``(f(*inputs) * W).sum()`` with central differences; return f's output.

    Every input becomes a leaf with requires_grad=True. Forward and backward must run without a
    warning, and each leaf's ``.grad`` must have the leaf's shape.
    """
    leaves = [bp.tensor(x, requires_grad=True) for x in inputs]
    with warnings_as_errors():
        out = f(*leaves)
        assert isinstance(out, Tensor), f"got {type(out).__name__}, expected a Tensor"
        weights = _weights(out.shape)
        (out * weights).sum().backward()
    numerical = bp.numerical_grad(lambda *tensors: (f(*tensors) * weights).sum(), *inputs)
    numerical = numerical if isinstance(numerical, tuple) else (numerical,)
    for position, (leaf, expected) in enumerate(zip(leaves, numerical, strict=True)):
        assert leaf.grad is not None, f"input {position} got no gradient"
        assert leaf.grad.shape == leaf.shape, f"input {position}: grad {leaf.grad.shape} != {leaf.shape}"
        np.testing.assert_allclose(leaf.grad, expected, rtol=RTOL, atol=ATOL, err_msg=f"input {position}")
    return out


def _plain_operand(data: st.DataObject, array: np.ndarray) -> Any:
    """The array as a non-Tensor operand; a 0-d one also as a Python float or a numpy scalar."""
    if array.ndim:
        return array
    return data.draw(st.sampled_from([array, float(array), np.float64(array)]), label="plain operand")


def _check_binary(
    call: Callable[[Any, Any], Tensor], mode: str, a: np.ndarray, b: np.ndarray, data: st.DataObject
) -> Tensor:
    """check_gradients for a binary op, with both operands Tensors or one a plain number/array."""
    if mode == "tensor, tensor":
        return check_gradients(call, a, b)
    if mode == "constant, tensor":  # the reflected operators: array + t, 2 ** t, array @ t, ...
        left = _plain_operand(data, a)
        return check_gradients(lambda right: call(left, right), b)
    right = _plain_operand(data, b)
    return check_gradients(lambda left: call(left, right), a)


OPERAND_MODES = ["tensor, tensor", "constant, tensor", "tensor, constant"]


@dataclass(frozen=True, repr=False)
class Case:
    """One spelling of an op: ``call`` should compute ``reference`` on inputs drawn from ``values``."""

    name: str
    op: type[bp.Op]
    call: Callable[..., Tensor]
    reference: Callable[..., np.ndarray]
    values: tuple[Values, ...]

    def __repr__(self) -> str:  # names the case in pytest ids and in hypothesis's failure reports
        return self.name


def _ops_of(cases: list[Case]) -> list[type[bp.Op]]:
    return list(dict.fromkeys(case.op for case in cases))


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def _softmax(a: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(a)
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    return a - np.log(np.exp(a).sum(axis=axis, keepdims=True))


# ---------------------------------------------------------------------------
# elementwise ops
# ---------------------------------------------------------------------------

UNARY = [
    Case("-t", ops.Neg, operator.neg, np.negative, (ANY,)),
    Case("t.exp()", ops.Exp, Tensor.exp, np.exp, (ANY,)),
    Case("bp.exp", ops.Exp, bp.exp, np.exp, (ANY,)),
    Case("t.log()", ops.Log, Tensor.log, np.log, (POSITIVE,)),
    Case("bp.log", ops.Log, bp.log, np.log, (POSITIVE,)),
    Case("t.sin()", ops.Sin, Tensor.sin, np.sin, (ANY,)),
    Case("bp.sin", ops.Sin, bp.sin, np.sin, (ANY,)),
    Case("t.cos()", ops.Cos, Tensor.cos, np.cos, (ANY,)),
    Case("bp.cos", ops.Cos, bp.cos, np.cos, (ANY,)),
    Case("t.tanh()", ops.Tanh, Tensor.tanh, np.tanh, (ANY,)),
    Case("bp.tanh", ops.Tanh, bp.tanh, np.tanh, (ANY,)),
    Case("t.sigmoid()", ops.Sigmoid, Tensor.sigmoid, _sigmoid, (ANY,)),
    Case("bp.sigmoid", ops.Sigmoid, bp.sigmoid, _sigmoid, (ANY,)),
    Case("t.relu()", ops.ReLU, Tensor.relu, lambda a: np.maximum(a, 0.0), (AWAY_FROM_ZERO,)),
    Case("bp.relu", ops.ReLU, bp.relu, lambda a: np.maximum(a, 0.0), (AWAY_FROM_ZERO,)),
    Case("t.sqrt()", ops.Sqrt, Tensor.sqrt, np.sqrt, (POSITIVE,)),
    Case("bp.sqrt", ops.Sqrt, bp.sqrt, np.sqrt, (POSITIVE,)),
    Case("t.abs()", ops.Abs, Tensor.abs, np.abs, (AWAY_FROM_ZERO,)),
    Case("abs(t)", ops.Abs, abs, np.abs, (AWAY_FROM_ZERO,)),
    Case("bp.abs", ops.Abs, bp.abs, np.abs, (AWAY_FROM_ZERO,)),
]


@covers(*_ops_of(UNARY))
@pytest.mark.parametrize("case", UNARY, ids=repr)
@PROPERTY
@given(data=st.data())
def test_elementwise_op(case: Case, data: st.DataObject) -> None:
    shape = data.draw(SHAPES, label="shape")
    (values,) = case.values
    x = data.draw(values(shape), label="x")
    out = check_gradients(case.call, x)
    assert isinstance(out.op, case.op)
    assert out.shape == x.shape
    np.testing.assert_allclose(out.data, case.reference(x), rtol=1e-12, atol=1e-15)


BINARY = [
    Case("a + b", ops.Add, operator.add, np.add, (ANY, ANY)),
    Case("a - b", ops.Sub, operator.sub, np.subtract, (ANY, ANY)),
    Case("a * b", ops.Mul, operator.mul, np.multiply, (ANY, ANY)),
    Case("a / b", ops.Div, operator.truediv, np.divide, (ANY, AWAY_FROM_ZERO)),
    Case("a ** b", ops.Pow, operator.pow, np.power, (POSITIVE, ANY)),
    Case("bp.maximum", ops.Maximum, bp.maximum, np.maximum, (ON_GRID, OFF_GRID)),
]


@covers(*_ops_of(BINARY))
@pytest.mark.parametrize("mode", OPERAND_MODES)
@pytest.mark.parametrize("case", BINARY, ids=repr)
@PROPERTY
@given(data=st.data())
def test_binary_op_broadcasts_and_sums_gradients_back(case: Case, mode: str, data: st.DataObject) -> None:
    shapes = data.draw(BROADCASTING_PAIRS, label="shapes")
    a_values, b_values = case.values
    a = data.draw(a_values(shapes.input_shapes[0]), label="a")
    b = data.draw(b_values(shapes.input_shapes[1]), label="b")
    out = _check_binary(case.call, mode, a, b, data)
    assert isinstance(out.op, case.op)
    assert out.shape == shapes.result_shape
    np.testing.assert_allclose(out.data, case.reference(a, b), rtol=1e-12)


MATMUL = [
    Case("a @ b", ops.MatMul, operator.matmul, np.matmul, (ANY, ANY)),
    Case("bp.matmul", ops.MatMul, bp.matmul, np.matmul, (ANY, ANY)),
]


@covers(ops.MatMul)
@pytest.mark.parametrize("mode", OPERAND_MODES)
@pytest.mark.parametrize("case", MATMUL, ids=repr)
@PROPERTY
@given(data=st.data())
def test_matmul_of_vectors_matrices_and_broadcast_stacks(case: Case, mode: str, data: st.DataObject) -> None:
    shapes = data.draw(MATMUL_PAIRS, label="shapes")
    a_values, b_values = case.values
    a = data.draw(a_values(shapes.input_shapes[0]), label="a")
    b = data.draw(b_values(shapes.input_shapes[1]), label="b")
    out = _check_binary(case.call, mode, a, b, data)
    assert isinstance(out.op, ops.MatMul)
    assert out.shape == shapes.result_shape
    np.testing.assert_allclose(out.data, np.matmul(a, b), rtol=1e-12, atol=1e-12)


MATMUL_SHAPE_CLASSES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((2, 2, 3), (2, 3, 4)),
    ((2, 1, 2, 3), (3, 3, 2)),
    ((3,), (2, 3, 4)),
    ((2, 4, 3), (3,)),
    ((1, 2, 3), (4, 3, 2)),
]


@pytest.mark.parametrize(
    ("a_shape", "b_shape"), [pytest.param(a, b, id=f"{a} @ {b}") for a, b in MATMUL_SHAPE_CLASSES]
)
def test_matmul_shape_classes(a_shape: Shape, b_shape: Shape) -> None:
    """Every kind of operand pair at least once, whatever the property test happens to draw."""
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
    out = check_gradients(operator.matmul, a, b)
    np.testing.assert_allclose(out.data, a @ b, rtol=1e-12)


# ---------------------------------------------------------------------------
# the fully connected layer
# ---------------------------------------------------------------------------


@covers(ops.Linear)
@pytest.mark.parametrize("x_kind", ["x tensor", "x plain array"])
@pytest.mark.parametrize("with_bias", [True, False], ids=["with bias", "without bias"])
@pytest.mark.parametrize("x_ndim", [1, 2, 3])
@PROPERTY
@given(data=st.data())
def test_linear_is_x_times_w_transposed_plus_b(
    x_ndim: int, with_bias: bool, x_kind: str, data: st.DataObject
) -> None:
    batch = data.draw(hnp.array_shapes(min_dims=x_ndim - 1, max_dims=x_ndim - 1, max_side=3), label="batch")
    in_features = data.draw(st.integers(1, 4), label="in_features")
    out_features = data.draw(st.integers(1, 4), label="out_features")
    x = data.draw(ANY((*batch, in_features)), label="x")
    weight = data.draw(ANY((out_features, in_features)), label="weight")
    bias = data.draw(ANY((out_features,)), label="bias") if with_bias else None
    parameters = (weight, bias) if with_bias else (weight,)
    if x_kind == "x tensor":
        out = check_gradients(bp.linear, x, *parameters)
    else:  # a batch of data: only the parameters need gradients
        out = check_gradients(lambda *p: bp.linear(x, *p), *parameters)
    assert isinstance(out.op, ops.Linear)
    assert out.shape == (*batch, out_features)
    np.testing.assert_allclose(out.data, x @ weight.T + (bias if with_bias else 0.0), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------
# reductions
# ---------------------------------------------------------------------------


def _axis_arguments(ndim: int) -> st.SearchStrategy[Any]:
    """None, one axis or a tuple of distinct axes, negative ones included."""
    if ndim == 0:
        return st.sampled_from([None, ()])
    one_axis = st.integers(-ndim, ndim - 1)
    several = st.lists(one_axis, max_size=ndim, unique_by=lambda axis: axis % ndim).map(tuple)
    return st.one_of(st.none(), one_axis, several)


REDUCTIONS = [
    Case("t.sum", ops.Sum, Tensor.sum, np.sum, (ANY,)),
    Case("bp.sum", ops.Sum, bp.sum, np.sum, (ANY,)),
    Case("t.mean", ops.Mean, Tensor.mean, np.mean, (ANY,)),
    Case("bp.mean", ops.Mean, bp.mean, np.mean, (ANY,)),
    Case("t.max", ops.Max, Tensor.max, np.max, (DISTINCT,)),
    Case("bp.max", ops.Max, bp.max, np.max, (DISTINCT,)),
]


@covers(*_ops_of(REDUCTIONS))
@pytest.mark.parametrize("case", REDUCTIONS, ids=repr)
@PROPERTY
@given(data=st.data())
def test_reduction_over_any_axes(case: Case, data: st.DataObject) -> None:
    shape = data.draw(SHAPES, label="shape")
    axis = data.draw(_axis_arguments(len(shape)), label="axis")
    keepdims = data.draw(st.booleans(), label="keepdims")
    (values,) = case.values
    x = data.draw(values(shape), label="x")
    out = check_gradients(lambda t: case.call(t, axis=axis, keepdims=keepdims), x)
    expected = case.reference(x, axis=axis, keepdims=keepdims)
    assert isinstance(out.op, case.op)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------
# shape changes
# ---------------------------------------------------------------------------


def _shapes_of_size(size: int) -> list[Shape]:
    """Every shape of at most 3 dimensions that holds ``size`` elements."""
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    shapes: list[Shape] = [()] if size == 1 else []
    shapes += [(size,)] + [(d, size // d) for d in divisors]
    shapes += [(d, e, size // (d * e)) for d in divisors for e in divisors if (size // d) % e == 0]
    return shapes


@st.composite
def _reshape_targets(draw: st.DrawFn, size: int) -> Shape:
    """A shape holding ``size`` elements, sometimes with one dimension left as -1."""
    target = draw(st.sampled_from(_shapes_of_size(size)))
    inferred = draw(st.none() | st.integers(0, len(target) - 1)) if target else None
    return target if inferred is None else (*target[:inferred], -1, *target[inferred + 1 :])


RESHAPES = [
    Case("t.reshape(shape)", ops.Reshape, lambda t, shape: t.reshape(shape), np.reshape, (ANY,)),
    Case("t.reshape(*shape)", ops.Reshape, lambda t, shape: t.reshape(*shape), np.reshape, (ANY,)),
    Case("bp.reshape", ops.Reshape, bp.reshape, np.reshape, (ANY,)),
]


@covers(ops.Reshape)
@pytest.mark.parametrize("case", RESHAPES, ids=repr)
@PROPERTY
@given(data=st.data())
def test_reshape(case: Case, data: st.DataObject) -> None:
    x = data.draw(ANY(data.draw(SHAPES, label="shape")), label="x")
    target = data.draw(_reshape_targets(x.size), label="target")
    out = check_gradients(lambda t: case.call(t, target), x)
    assert isinstance(out.op, ops.Reshape)
    np.testing.assert_array_equal(out.data, np.reshape(x, target))


@st.composite
def _permutations_of_axes(draw: st.DrawFn, ndim: int) -> tuple[int, ...]:
    """A permutation of the axes, each written as a non-negative or a negative number."""
    order = draw(st.permutations(range(ndim)))
    negative = draw(st.lists(st.booleans(), min_size=ndim, max_size=ndim))
    return tuple(axis - ndim if flip else axis for axis, flip in zip(order, negative, strict=True))


TRANSPOSES = [
    Case("t.transpose(axes)", ops.Transpose, lambda t, axes: t.transpose(axes), np.transpose, (ANY,)),
    Case("t.transpose(*axes)", ops.Transpose, lambda t, axes: t.transpose(*axes), np.transpose, (ANY,)),
    Case("bp.transpose", ops.Transpose, bp.transpose, np.transpose, (ANY,)),
]


@covers(ops.Transpose)
@pytest.mark.parametrize("case", TRANSPOSES, ids=repr)
@PROPERTY
@given(data=st.data())
def test_transpose_with_axes(case: Case, data: st.DataObject) -> None:
    x = data.draw(ANY(data.draw(SHAPES, label="shape")), label="x")
    axes = data.draw(_permutations_of_axes(x.ndim), label="axes")
    out = check_gradients(lambda t: case.call(t, axes), x)
    assert isinstance(out.op, ops.Transpose)
    np.testing.assert_array_equal(out.data, np.transpose(x, axes))


REVERSED_AXES = [
    Case("t.T", ops.Transpose, lambda t: t.T, np.transpose, (ANY,)),
    Case("t.transpose()", ops.Transpose, Tensor.transpose, np.transpose, (ANY,)),
    Case("bp.transpose(t)", ops.Transpose, bp.transpose, np.transpose, (ANY,)),
]


@covers(ops.Transpose)
@pytest.mark.parametrize("case", REVERSED_AXES, ids=repr)
@PROPERTY
@given(data=st.data())
def test_transpose_reverses_the_axes_by_default(case: Case, data: st.DataObject) -> None:
    x = data.draw(ANY(data.draw(SHAPES, label="shape")), label="x")
    out = check_gradients(case.call, x)
    np.testing.assert_array_equal(out.data, x.T)


def test_transpose_with_negative_axes_sends_the_gradient_back():
    """np.transpose(x, (-1, 0)) is x.T; its gradient must be transposed back to x's shape."""
    x = bp.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x.transpose(-1, 0)
    assert y.shape == (3, 2)
    y.backward(np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(x.grad, np.arange(6.0).reshape(3, 2).T)


# ---------------------------------------------------------------------------
# indexing
# ---------------------------------------------------------------------------
# Each strategy gives (index for the Tensor, the same index for numpy).


def _basic_indices(shape: Shape) -> st.SearchStrategy[tuple[Any, Any]]:
    """Ints (negative too), slices (any step), None/newaxis and Ellipsis."""
    return hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True).map(lambda i: (i, i))


def _integer_arrays_for_every_axis(shape: Shape) -> st.SearchStrategy[tuple[Any, Any]]:
    result_shapes = hnp.array_shapes(min_dims=0, max_dims=2, max_side=4)
    return hnp.integer_array_indices(shape, result_shape=result_shapes).map(lambda i: (i, i))


@st.composite
def _integers_on_one_axis(draw: st.DrawFn, shape: Shape) -> tuple[Any, Any]:
    """``t[:, [0, 0, -1]]``: repeats and negative positions, as a list, an array or a Tensor."""
    axis = draw(st.integers(0, len(shape) - 1))
    picks = draw(st.lists(st.integers(-shape[axis], shape[axis] - 1), min_size=1, max_size=5))
    wrap = draw(st.sampled_from([list, np.array, bp.tensor]))
    if axis == 0:
        return wrap(picks), np.array(picks)
    leading = (slice(None),) * axis
    return (*leading, wrap(picks)), (*leading, np.array(picks))


@st.composite
def _boolean_masks(draw: st.DrawFn, shape: Shape) -> tuple[Any, Any]:
    """A mask over the leading axes (all of them, or fewer), as an array or a list of bools."""
    mask = draw(hnp.arrays(np.bool_, shape[: draw(st.integers(1, len(shape)))]))
    return draw(st.sampled_from([mask, mask.tolist()])), mask


INDEX_KINDS = {
    "basic": (SHAPES, _basic_indices),
    "integer arrays on every axis": (SHAPES_WITH_AXES, _integer_arrays_for_every_axis),
    "integers on one axis": (SHAPES_WITH_AXES, _integers_on_one_axis),
    "boolean mask": (SHAPES_WITH_AXES, _boolean_masks),
}


@covers(ops.GetItem)
@pytest.mark.parametrize("kind", INDEX_KINDS)
@PROPERTY
@given(data=st.data())
def test_indexing_scatters_the_gradient_back(kind: str, data: st.DataObject) -> None:
    shapes, indices = INDEX_KINDS[kind]
    x = data.draw(ANY(data.draw(shapes, label="shape")), label="x")
    index, numpy_index = data.draw(indices(x.shape), label="index")
    out = check_gradients(lambda t: t[index], x)
    assert isinstance(out.op, ops.GetItem)
    np.testing.assert_array_equal(out.data, x[numpy_index])


def test_an_element_picked_twice_gets_both_gradients():
    t = bp.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t[[0, 0, 1]].sum().backward()
    np.testing.assert_array_equal(t.grad, [2.0, 1.0, 0.0])
    m = bp.tensor(np.zeros((2, 3)), requires_grad=True)
    m[:, [2, 2, 2, 0]].backward(np.ones((2, 4)))
    np.testing.assert_array_equal(m.grad, [[1.0, 0.0, 3.0], [1.0, 0.0, 3.0]])


def test_boolean_mask_selects_and_scatters():
    t = bp.tensor([[1.0, -2.0], [-3.0, 4.0]], requires_grad=True)
    picked = t[t.data > 0]
    np.testing.assert_array_equal(picked.data, [1.0, 4.0])
    picked.backward(np.array([10.0, 20.0]))
    np.testing.assert_array_equal(t.grad, [[10.0, 0.0], [0.0, 20.0]])


# ---------------------------------------------------------------------------
# softmax family
# ---------------------------------------------------------------------------

SOFTMAXES = [
    Case("t.softmax", ops.Softmax, Tensor.softmax, _softmax, (ANY,)),
    Case("bp.softmax", ops.Softmax, bp.softmax, _softmax, (ANY,)),
    Case("t.log_softmax", ops.LogSoftmax, Tensor.log_softmax, _log_softmax, (ANY,)),
    Case("bp.log_softmax", ops.LogSoftmax, bp.log_softmax, _log_softmax, (ANY,)),
]


@covers(*_ops_of(SOFTMAXES))
@pytest.mark.parametrize("case", SOFTMAXES, ids=repr)
@PROPERTY
@given(data=st.data())
def test_softmax_along_any_axis(case: Case, data: st.DataObject) -> None:
    x = data.draw(ANY(data.draw(SHAPES_WITH_AXES, label="shape")), label="x")
    axis = data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1), label="axis (None: the default)")
    if axis is None:
        out = check_gradients(case.call, x)
        expected = case.reference(x, axis=-1)
    else:
        out = check_gradients(lambda t: case.call(t, axis=axis), x)
        expected = case.reference(x, axis=axis)
    assert isinstance(out.op, case.op)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-15)


@covers(ops.Sigmoid, ops.Softmax, ops.LogSoftmax)
@PROPERTY
@given(x=hnp.arrays(np.float64, SHAPES_WITH_AXES, elements=_floats(-1000, 1000)))
def test_huge_inputs_give_finite_values_and_gradients(x: np.ndarray) -> None:
    with warnings_as_errors(), bp.detect_anomaly():
        t = bp.tensor(x, requires_grad=True)
        s, log_s, sig = t.softmax(), t.log_softmax(), t.sigmoid()
        (s * _weights(x.shape) + log_s * _weights(x.shape) + sig * _weights(x.shape)).sum().backward()
    np.testing.assert_allclose(s.data.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_s.data), s.data, rtol=1e-12, atol=1e-300)
    assert np.all(log_s.data <= 0.0)
    assert np.all((sig.data >= 0.0) & (sig.data <= 1.0))
    assert np.all(np.isfinite(t.grad))


# ---------------------------------------------------------------------------
# every op has a description and a property test
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("op_class", _ops_defined_in_backprop_nb_ops(), ids=lambda c: c.__name__)
def test_every_op_describes_itself_and_has_a_property_test(op_class: type[bp.Op]) -> None:
    assert op_class.label.strip(), f"{op_class.__name__}.label is empty"
    assert op_class.label != bp.Op.label, f"{op_class.__name__} keeps the default label {bp.Op.label!r}"
    assert op_class.local_derivative.strip(), f"{op_class.__name__}.local_derivative is empty"
    assert op_class in PROPERTY_TESTS, (
        f"{op_class.__name__} has no property test in tests/test_ops.py: "
        f"add one and mark it @covers(ops.{op_class.__name__})"
    )


def test_the_op_list_is_complete():
    """Guards the enumeration above: it must see the ops that certainly exist."""
    found = set(_ops_defined_in_backprop_nb_ops())
    assert {ops.Add, ops.Mean, ops.GetItem, ops.Linear} <= found
    assert bp.Op not in found


# ---------------------------------------------------------------------------
# numbers and arrays on either side of an operator
# ---------------------------------------------------------------------------


def test_numbers_and_arrays_on_the_left_give_tensors_with_gradients():
    x = bp.tensor([1.0, 2.0, 4.0], requires_grad=True)
    results = {
        "np.float64(2) * x": (np.float64(2) * x, [2.0, 2.0, 2.0]),
        "np.array + x": (np.array([[1.0], [2.0]]) + x, [2.0, 2.0, 2.0]),
        "2 - x": (2 - x, [-1.0, -1.0, -1.0]),
        "2 / x": (2 / x, [-2.0, -0.5, -0.125]),  # −2/x²
        "2 ** x": (2**x, [2 * np.log(2), 4 * np.log(2), 16 * np.log(2)]),  # 2ˣ ln 2
        "np.array @ x": (np.array([[1.0, 0.0, 1.0]]) @ x, [1.0, 0.0, 1.0]),
    }
    for spelling, (out, expected_grad) in results.items():
        assert isinstance(out, Tensor), spelling
        x.grad = None
        out.sum().backward()
        assert x.grad.shape == x.shape, spelling
        np.testing.assert_allclose(x.grad, expected_grad, rtol=1e-12, err_msg=spelling)


def test_tensor_to_the_power_of_a_tensor():
    a = bp.tensor([2.0, 3.0], requires_grad=True)
    b = bp.tensor([3.0, 0.5], requires_grad=True)
    out = a**b
    np.testing.assert_allclose(out.data, [8.0, np.sqrt(3.0)], rtol=1e-12)
    out.sum().backward()
    np.testing.assert_allclose(a.grad, [3 * 2.0**2, 0.5 * 3.0**-0.5], rtol=1e-12)  # b·aᵇ⁻¹
    np.testing.assert_allclose(b.grad, [8 * np.log(2.0), np.sqrt(3.0) * np.log(3.0)], rtol=1e-12)  # aᵇ ln a


# ---------------------------------------------------------------------------
# conventions at kinks and ties (as in PyTorch)
# ---------------------------------------------------------------------------


def _grad_of_sum(f: Callable[[Tensor], Tensor], values: Any) -> np.ndarray:
    x = bp.tensor(values, requires_grad=True)
    with warnings_as_errors():
        f(x).sum().backward()
    return x.grad


def test_relu_and_abs_have_derivative_zero_at_zero():
    np.testing.assert_array_equal(_grad_of_sum(Tensor.relu, [-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(_grad_of_sum(Tensor.abs, [-2.0, 0.0, 3.0]), [-1.0, 0.0, 1.0])


@pytest.mark.parametrize(
    ("values", "axis", "keepdims", "expected"),
    [
        pytest.param([1.0, 3.0, 3.0], None, False, [0.0, 0.5, 0.5], id="[1,3,3]"),
        pytest.param([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], 1, False, [[0.0, 0.5, 0.5], [1 / 3] * 3], id="rows"),
        pytest.param(
            [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], -1, True, [[0.0, 0.5, 0.5], [1 / 3] * 3], id="rows keepdims"
        ),
        pytest.param([[3.0, 1.0], [0.0, 3.0]], (0, 1), False, [[0.5, 0.0], [0.0, 0.5]], id="both axes"),
        pytest.param([[3.0, 1.0], [3.0, 5.0]], 0, False, [[0.5, 0.0], [0.5, 1.0]], id="columns"),
    ],
)
def test_max_splits_the_gradient_evenly_among_ties(values, axis, keepdims, expected):
    grad = _grad_of_sum(lambda t: t.max(axis=axis, keepdims=keepdims), values)
    np.testing.assert_allclose(grad, expected, rtol=1e-15)


def test_maximum_gives_half_to_each_side_of_a_tie():
    a = bp.tensor([1.0, 2.0], requires_grad=True)
    b = bp.tensor([1.0, 2.0], requires_grad=True)
    bp.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 0.5])
    np.testing.assert_array_equal(b.grad, [0.5, 0.5])
    # the same tensor on both sides gets both halves
    np.testing.assert_array_equal(_grad_of_sum(lambda t: bp.maximum(t, t), [1.0, 2.0]), [1.0, 1.0])


def test_maximum_ties_with_broadcasting():
    a = bp.tensor([[1.0, 2.0], [3.0, 2.0]], requires_grad=True)
    b = bp.tensor(2.0, requires_grad=True)
    bp.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [[0.0, 0.5], [1.0, 0.5]])
    assert b.grad == 1.0 + 0.5 + 0.5  # wins at [0, 0], ties at [0, 1] and [1, 1]


@pytest.mark.parametrize(
    ("base", "exponent", "base_grad", "exponent_grad"),
    [
        pytest.param(0.0, 2.0, 0.0, 0.0, id="0**2"),  # b·aᵇ⁻¹ = 0, and aᵇ·ln a is taken as 0 (aᵇ = 0)
        pytest.param(0.0, 3.0, 0.0, 0.0, id="0**3"),
        pytest.param(0.0, 1.0, 1.0, 0.0, id="0**1"),  # b·a⁰ = 1
        pytest.param(0.0, 0.0, 0.0, 0.0, id="0**0"),  # 0⁰ = 1: b·aᵇ⁻¹ = 0 as b = 0, and ln a is taken as 0
        pytest.param(2.0, 0.0, 0.0, np.log(2.0), id="2**0"),
    ],
)
def test_pow_gradients_at_base_zero(base, exponent, base_grad, exponent_grad):
    a = bp.tensor(base, requires_grad=True)
    b = bp.tensor(exponent, requires_grad=True)
    with warnings_as_errors():
        (a**b).backward()
    assert a.grad == base_grad
    assert b.grad == exponent_grad


def test_pow_with_constant_exponent_zero_has_gradient_zero_at_zero():
    np.testing.assert_array_equal(_grad_of_sum(lambda t: t**0, [0.0, 2.0]), [0.0, 0.0])


def test_square_root_as_a_power_has_the_same_infinite_gradient_at_zero_as_sqrt():
    assert _grad_of_sum(Tensor.sqrt, [0.0])[0] == np.inf
    assert _grad_of_sum(lambda t: t**0.5, [0.0])[0] == np.inf


def test_pow_exponent_gradient_is_nan_for_a_negative_base():
    a = bp.tensor(-2.0, requires_grad=True)
    b = bp.tensor(2.0, requires_grad=True)
    with warnings_as_errors():
        (a**b).backward()
    assert a.grad == -4.0  # b·aᵇ⁻¹ is fine
    assert np.isnan(b.grad)  # aᵇ·ln a: ln of a negative number is undefined


# ---------------------------------------------------------------------------
# numerical stability at ±1000
# ---------------------------------------------------------------------------


def test_sigmoid_saturates_without_overflow():
    x = bp.tensor([-1000.0, -30.0, 0.0, 30.0, 1000.0], requires_grad=True)
    with warnings_as_errors():
        s = x.sigmoid()
        s.backward(np.ones(5))
    tiny = np.exp(-30.0) / (1.0 + np.exp(-30.0))
    assert s.data[0] == 0.0  # e^−1000 underflows to 0
    assert s.data[2] == 0.5
    assert s.data[4] == 1.0
    np.testing.assert_allclose(s.data[1], tiny, rtol=1e-14)  # not 1 − (1 − tiny), which loses digits
    np.testing.assert_allclose(s.data[3], 1.0 - tiny, rtol=1e-15)
    # σ' = σ(1 − σ): 0 where saturated, ¼ at 0. At +30 the saved σ = 1 − tiny is only good to
    # ~1e-16 absolute, so 1 − σ (and the gradient there) is good to ~1e-16 absolute as well.
    np.testing.assert_allclose(x.grad, [0.0, tiny, 0.25, tiny, 0.0], rtol=1e-12, atol=1e-15)


def test_softmax_of_huge_logits():
    x = bp.tensor([[1000.0, 0.0], [-1000.0, 0.0], [1000.0, 1000.0]], requires_grad=True)
    with warnings_as_errors():
        s = x.softmax()
        s.backward(np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]]))
    np.testing.assert_array_equal(s.data, [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    # ∂s₀/∂x = s₀(e₀ − s): zero where saturated, [¼, −¼] at the tie
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0], [0.0, 0.0], [0.25, -0.25]])


def test_softmax_of_huge_logits_along_the_first_axis():
    x = bp.tensor([[1000.0, -1000.0], [0.0, 0.0]], requires_grad=True)
    with warnings_as_errors():
        s = x.softmax(axis=0)
        s.backward(np.array([[1.0, 1.0], [0.0, 0.0]]))
    np.testing.assert_array_equal(s.data, [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0], [0.0, 0.0]])


def test_log_softmax_of_huge_logits():
    x = bp.tensor([[1000.0, 0.0], [-1000.0, 0.0]], requires_grad=True)
    with warnings_as_errors():
        log_s = x.log_softmax()
        log_s.backward(np.array([[0.0, 1.0], [0.0, 1.0]]))
    np.testing.assert_array_equal(log_s.data, [[0.0, -1000.0], [-1000.0, 0.0]])
    # ∂ log s₁/∂x = e₁ − s, with s = [1, 0] and [0, 1]
    np.testing.assert_array_equal(x.grad, [[-1.0, 1.0], [0.0, 0.0]])


def test_cross_entropy_of_huge_logits_is_finite():
    logits = bp.tensor([1000.0, -1000.0], requires_grad=True)
    with warnings_as_errors(), bp.detect_anomaly():
        loss = -logits.log_softmax()[1]
        loss.backward()
    assert loss.item() == 2000.0
    np.testing.assert_array_equal(logits.grad, [1.0, -1.0])  # softmax − one-hot


# ---------------------------------------------------------------------------
# dtypes and bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(lambda: bp.tensor([3, 1]) / bp.tensor([2, 4]), [1.5, 0.25], id="int / int is not floor"),
        pytest.param(lambda: bp.tensor(np.int8([1, 2])) * 100, [100.0, 200.0], id="int8 does not overflow"),
        pytest.param(lambda: bp.tensor([True, False]) + True, [2.0, 1.0], id="bool + bool"),
        pytest.param(lambda: bp.exp(np.array([0, 1])), [1.0, np.e], id="bp.exp(int array)"),
        pytest.param(lambda: bp.tensor([1.0, 2.0]) - np.uint8([1, 1]), [0.0, 1.0], id="t - uint8 array"),
    ],
)
def test_ints_and_bools_become_float64(make, expected):
    out = make()
    assert out.data.dtype == np.float64
    np.testing.assert_allclose(out.data, expected, rtol=1e-15)


@pytest.mark.parametrize(
    ("make", "dtype"),
    [
        pytest.param(lambda: bp.tensor(np.array(["a", "b"])), "<U1", id="str array"),
        pytest.param(lambda: bp.tensor(np.array([1.0, None], dtype=object)), "object", id="object array"),
        pytest.param(lambda: bp.tensor([1 + 2j]), "complex128", id="complex"),
        pytest.param(lambda: bp.tensor([1.0]) + "text", "<U4", id="t + str"),
        pytest.param(lambda: bp.exp(np.array([1, "2"], dtype=object)), "object", id="bp.exp(object array)"),
        pytest.param(lambda: bp.maximum(bp.tensor([1.0]), None), "object", id="bp.maximum(t, None)"),
    ],
)
def test_non_numbers_are_rejected_naming_their_dtype(make, dtype):
    with pytest.raises(TypeError, match=rf"dtype {re.escape(dtype)}\b"):
        make()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: bp.tensor([[1.0, 2.0], [3.0]]), id="bp.tensor"),
        pytest.param(lambda: bp.tensor([1.0, 2.0]) * [[1.0, 2.0], [3.0]], id="operand of *"),
    ],
)
def test_ragged_lists_are_rejected(make):
    with pytest.raises(ValueError, match="rectangular array of numbers"):
        make()


def test_a_tensor_used_as_an_index_must_hold_whole_numbers():
    with pytest.raises(IndexError, match="whole numbers"):
        bp.tensor([1.0, 2.0])[bp.tensor([0.5])]


def _m(*shape: int) -> Tensor:
    return bp.tensor(np.ones(shape))


@pytest.mark.parametrize(
    ("make", "fragments"),
    [
        pytest.param(lambda: _m(2, 3) + _m(4), ["(2, 3)", "(4,)"], id="add"),
        pytest.param(lambda: bp.maximum(_m(2, 3), _m(3, 2)), ["(2, 3)", "(3, 2)"], id="maximum"),
        pytest.param(lambda: _m(2, 3) @ _m(2, 3), ["(2, 3) @ (2, 3)"], id="matmul inner dims"),
        pytest.param(lambda: _m(3) @ bp.tensor(2.0), ["(3,)", "()"], id="matmul with 0-d"),
        pytest.param(lambda: bp.linear(_m(5, 3), _m(4, 2)), ["(5, 3)", "(4, 2)"], id="linear weight"),
        pytest.param(lambda: bp.linear(_m(5, 3), _m(4, 3), _m(3)), ["(3,)", "(4,)"], id="linear bias"),
        pytest.param(lambda: _m(2, 3).reshape(4), ["(2, 3)", "(4,)"], id="reshape"),
        pytest.param(lambda: _m(2, 3).sum(axis=2), ["axis 2"], id="sum axis"),
        pytest.param(lambda: _m(2, 3).max(axis=(0, -3)), ["axis -3"], id="max axis"),
        pytest.param(lambda: _m(2, 3).softmax(axis=2), ["(2, 3)", "axis 2"], id="softmax axis"),
        pytest.param(lambda: _m(2, 3).transpose(0, 2), ["(2, 3)"], id="transpose axes"),
    ],
)
def test_shapes_that_do_not_fit_raise_shape_errors_naming_them(make, fragments):
    with pytest.raises(ShapeError) as error:
        make()
    for fragment in fragments:
        assert fragment in str(error.value)


# ----- issue 12: a gate's own errors, and numpy's warnings ----------------------------------------
def test_a_custom_gates_own_value_error_is_not_replaced_by_a_broadcast_message():
    class Picky(bp.Op):
        def forward(self, a, b):
            raise ValueError("Picky needs a and b of the same length")

    with pytest.raises(ValueError, match="Picky needs a and b of the same length") as caught:
        Picky.apply(bp.tensor([1.0, 2.0]), bp.tensor([1.0, 2.0, 3.0]))
    assert not isinstance(caught.value, bp.ShapeError)
    with pytest.raises(bp.ShapeError, match=r"Add: cannot broadcast shapes \(2,\) and \(3,\) together"):
        bp.tensor([1.0, 2.0]) + bp.tensor([1.0, 2.0, 3.0])


def test_log_of_zero_and_of_a_negative_number_follow_pytorch_without_numpy_warnings():
    # pyproject turns RuntimeWarnings from backprop_nb into errors: none may be raised here
    x = bp.tensor([0.0, 1.0, -1.0], requires_grad=True)
    y = x.log()
    y.sum().backward()
    np.testing.assert_array_equal(y.data, [-np.inf, 0.0, np.nan])
    np.testing.assert_array_equal(x.grad, [np.inf, 1.0, -1.0])
    s = bp.tensor(0.0, requires_grad=True)
    s.log().backward()
    assert s.grad == np.inf


def test_division_by_zero_gives_ieee_results_and_gradients_without_numpy_warnings():
    a = bp.tensor([1.0, -1.0, 0.0], requires_grad=True)
    b = bp.tensor([0.0, 0.0, 0.0], requires_grad=True)
    q = a / b
    q.backward(np.ones(3))
    np.testing.assert_array_equal(q.data, [np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(a.grad, [np.inf, np.inf, np.inf])
    np.testing.assert_array_equal(b.grad, [-np.inf, np.inf, np.nan])
    assert (bp.tensor(1.0) / 0).item() == np.inf


def test_the_mean_of_no_elements_is_nan_with_one_warning_in_our_words():
    empty = bp.tensor(np.zeros((0,)), requires_grad=True)
    with pytest.warns(
        RuntimeWarning, match=r"mean over no elements \(input shape \(0,\), axes \(0,\)\) is nan"
    ) as caught:
        m = empty.mean()
    assert len(caught) == 1 and caught[0].filename == __file__  # points at the caller
    assert np.isnan(m.item())
    m.backward()
    assert empty.grad.shape == (0,)
    rows = bp.tensor(np.zeros((3, 0)), requires_grad=True)
    with pytest.warns(RuntimeWarning, match="mean over no elements"):
        per_row = bp.mean(rows, axis=1)
    per_row.sum().backward()
    assert np.isnan(per_row.data).all() and rows.grad.shape == (3, 0)


def test_axis_and_keepdims_are_checked_and_numpy_integers_are_accepted():
    x = bp.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    np.testing.assert_array_equal(x.sum(axis=np.int64(1)).data, [3.0, 12.0])
    np.testing.assert_array_equal(bp.mean(x, axis=(np.int32(0),)).data, [1.5, 2.5, 3.5])
    assert x.softmax(axis=np.int64(0)).shape == (2, 3)
    for bad in ("0", 1.0, True, (0, "1")):
        with pytest.raises(TypeError, match="axis must be an int, a tuple of ints or None"):
            x.sum(axis=bad)
    with pytest.raises(TypeError, match=r"axis must be an int, got 1\.0"):
        x.log_softmax(axis=1.0)
    with pytest.raises(TypeError, match="keepdims must be True or False, got 'yes'"):
        x.max(axis=0, keepdims="yes")
    assert x.mean(axis=0, keepdims=np.bool_(True)).shape == (1, 3)


def test_reshape_takes_an_int_or_a_shape():
    x = bp.tensor(np.arange(6.0))
    assert bp.reshape(x, np.int64(6)).shape == (6,)
    assert bp.reshape(x, [2, -1]).shape == (2, 3)

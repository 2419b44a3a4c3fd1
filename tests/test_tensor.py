"""Tensor construction, the array protocol, and backward()'s accumulation semantics."""

import numpy as np
import pytest

import backprop_nb as bp


def test_data_is_a_float64_copy():
    source = np.array([1, 2, 3])
    t = bp.Tensor(source)
    assert t.data.dtype == np.float64
    np.testing.assert_array_equal(t.data, [1.0, 2.0, 3.0])
    t.data[0] = 99
    assert source[0] == 1


@pytest.mark.parametrize(
    ("data", "shape"),
    [
        (3, ()),
        (2.5, ()),
        (True, ()),
        ([1, 2], (2,)),
        ([[1.0], [2.0]], (2, 1)),
        (np.zeros((2, 3, 4)), (2, 3, 4)),
    ],
)
def test_accepts_numbers_lists_and_arrays(data, shape):
    t = bp.tensor(data)
    assert t.shape == shape
    assert t.ndim == len(shape)
    assert t.size == int(np.prod(shape))
    assert t.data.dtype == np.float64


def test_bools_and_ints_become_floats():
    np.testing.assert_array_equal(bp.tensor([True, False]).data, [1.0, 0.0])


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([1, None], dtype=object), "text", [1j]])
def test_non_numbers_are_rejected_naming_the_dtype(bad):
    with pytest.raises(TypeError, match="dtype"):
        bp.tensor(bad)


def test_ragged_lists_are_rejected():
    with pytest.raises(ValueError, match="rectangular"):
        bp.tensor([[1, 2], [3]])


def test_defaults_and_name():
    t = bp.tensor(1.0)
    assert t.grad is None
    assert t.requires_grad is False
    assert t.name is None
    assert t.is_leaf and t.op is None and t.grad_fn is None
    t.name = "q"
    assert t.name == "q"


def test_item_numpy_asarray_len():
    t = bp.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert len(t) == 2
    assert t.numpy() is t.data
    assert np.asarray(t) is t.data
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    assert bp.tensor([[7.0]]).item() == 7.0
    with pytest.raises(ValueError, match=r"one element.*\(2, 2\)"):
        t.item()
    with pytest.raises(TypeError, match="0-d"):
        len(bp.tensor(1.0))


def test_repr_shows_value_grad_and_name():
    x = bp.tensor(-2.0, requires_grad=True, name="x")
    assert repr(x) == "Tensor(-2.0, requires_grad=True, name='x')"
    (x * 3).backward()
    assert repr(x) == "Tensor(-2.0, grad=3.0, name='x')"
    assert repr(bp.tensor([1.5, 2.0])) == "Tensor([1.5, 2. ])"


def test_a_one_number_result_reads_as_one_0d_array_whose_in_place_changes_count():
    y = bp.tensor(3.0, requires_grad=True) * 2  # kept as a numpy scalar until read
    assert type(y.data) is np.ndarray and y.data.shape == () and y.data.dtype == np.float64
    assert y.data is y.data  # read once, the array is the value
    assert (y.shape, y.ndim, y.size, y.item()) == ((), 0, 1, 6.0)
    y.data += 1.0
    assert (y * 1.0).item() == 7.0
    y.data[...] = 10.0
    assert (y + 0.0).item() == 10.0


def test_assigning_data_converts_numbers_and_rejects_non_numbers():
    t = bp.tensor([1.0, 2.0])
    t.data = [3, 4]
    assert t.data.dtype == np.float64
    np.testing.assert_array_equal((t * 2).data, [6.0, 8.0])
    same = np.zeros(2)
    t.data = same
    assert t.data is same  # an array is taken as it is, as `p.data -= lr * p.grad` needs
    with pytest.raises(TypeError, match="numbers"):
        t.data = "abc"


def test_numpy_scalars_and_arrays_on_the_left_give_tensors():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    for result in (np.float64(2) * x, np.array([1.0, 1.0]) + x, np.int64(3) - x, 2.0 / x, 2**x):
        assert isinstance(result, bp.Tensor)
    y = np.float64(2) * x
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_detach_shares_data_without_graph():
    x = bp.tensor([1.0, 2.0], requires_grad=True, name="x")
    d = (x * 2).detach()
    assert d.requires_grad is False and d.op is None
    np.testing.assert_array_equal(d.data, [2.0, 4.0])


def test_operator_results_record_their_op_and_parents():
    x = bp.tensor(1.0, requires_grad=True)
    y = x * 2
    assert isinstance(y.op, bp.ops.Mul)
    assert y.op.parents[0] is x
    assert y.op.parents[1].data == 2.0 and not y.op.parents[1].requires_grad
    assert y.requires_grad and not y.is_leaf


def test_nothing_is_recorded_without_requires_grad():
    y = bp.tensor(1.0) * 2
    assert y.op is None and not y.requires_grad


# ----- backward ------------------------------------------------------------------------------
def _graph():
    x = bp.tensor(-2.0, requires_grad=True, name="x")
    y = bp.tensor(5.0, requires_grad=True, name="y")
    z = bp.tensor(-4.0, requires_grad=True, name="z")
    q = x + y
    f = q * z
    return x, y, z, q, f


def test_backward_fills_leaves_and_intermediates():
    x, y, z, q, f = _graph()
    f.backward()
    assert (x.grad, y.grad, z.grad, q.grad, f.grad) == (-4.0, -4.0, 3.0, -4.0, 1.0)
    assert all(isinstance(t.grad, np.ndarray) and t.grad.shape == () for t in (x, y, z, q, f))


def test_gradients_accumulate_exactly_once_per_backward():
    x, y, z, q, f = _graph()
    f.backward()
    f.backward()
    assert (x.grad, y.grad, z.grad) == (-8.0, -8.0, 6.0)
    assert q.grad == -8.0 and f.grad == 2.0
    f.backward()
    assert (x.grad, y.grad, z.grad, q.grad) == (-12.0, -12.0, 9.0, -12.0)


def test_gradients_accumulate_across_different_graphs_and_reset_with_none():
    x = bp.tensor(3.0, requires_grad=True)
    (x * x).backward()  # 2x = 6
    (x * 5).backward()  # + 5
    assert x.grad == 11.0
    x.grad = None
    (x * 5).backward()
    assert x.grad == 5.0


def test_reusing_a_tensor_adds_the_paths():
    x = bp.tensor(3.0, requires_grad=True)
    (x + x).backward()
    assert x.grad == 2.0
    x.grad = None
    (x * x * x).backward()  # 3x² = 27
    assert x.grad == 27.0


def test_leaf_grad_is_writable_and_intermediate_grad_read_only():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.sum().backward()
    x.grad[0] = 0.0  # a leaf owns its gradient array
    assert not h.grad.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        h.grad[0] = 5.0


def test_one_number_gradients_read_as_arrays_writable_only_on_leaves():
    x = bp.tensor(3.0, requires_grad=True)
    h = x * 2
    (h * h).backward()  # ∂/∂h = 2h = 12, ∂/∂x = 24
    (h * h).backward()
    assert type(h.grad) is np.ndarray and h.grad.shape == () and h.grad == 24.0
    assert not h.grad.flags.writeable
    assert type(x.grad) is np.ndarray and x.grad == 48.0 and x.grad is x.grad
    x.grad[...] = 0.0
    assert x.grad == 0.0


def test_leaf_grads_never_alias_each_other():
    a = bp.tensor([1.0, 2.0], requires_grad=True)
    b = bp.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad[0] = 100.0
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_non_scalar_backward_needs_a_gradient_of_the_same_shape():
    x = bp.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    with pytest.raises(bp.GradError, match=r"one-element.*shape \(3,\).*grad="):
        y.backward()
    with pytest.raises(bp.ShapeError, match=r"grad has shape \(2,\).*shape \(3,\)"):
        y.backward(np.ones(2))
    y.backward(bp.tensor([1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 12.0])


def test_backward_does_not_modify_the_callers_seed():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([1.0, 1.0])
    (x * 1).backward(seed)
    assert seed.flags.writeable
    np.testing.assert_array_equal(seed, [1.0, 1.0])


def test_backward_through_a_tensor_that_does_not_require_grad():
    y = bp.tensor(2.0, name="y") * 3
    with pytest.raises(bp.GradError, match=r"does not require grad.*requires_grad=True"):
        y.backward()
    named = bp.tensor(1.0, name="loss")
    with pytest.raises(bp.GradError, match="'loss'"):
        named.backward()


def test_reshape_and_transpose_spellings():
    t = bp.tensor(np.arange(6.0))
    assert t.reshape(2, 3).shape == (2, 3)
    assert t.reshape((3, -1)).shape == (3, 2)
    m = bp.tensor(np.zeros((2, 3, 4)))
    assert m.T.shape == (4, 3, 2)
    assert m.transpose(1, 0, 2).shape == (3, 2, 4)
    assert m.transpose((2, 0, 1)).shape == (4, 2, 3)

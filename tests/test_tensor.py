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


# ----- in-place operators (issue 12, item 3) ---------------------------------------------------
def test_an_in_place_update_of_a_parameter_while_recording_raises_and_shows_both_fixes():
    w = bp.tensor([1.0, 2.0], requires_grad=True, name="w")
    (w * w).sum().backward()
    with pytest.raises(bp.GradError, match="leaf tensor that requires grad") as caught:
        w -= 0.1 * w.grad
    message = str(caught.value)
    assert "with bp.no_grad():\n        w -= ..." in message and "w.data -= ..." in message
    assert w.is_leaf and w.op is None
    np.testing.assert_array_equal(w.data, [1.0, 2.0])


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (lambda w: w.__iadd__(1.0), [2.0, 3.0]),
        (lambda w: w.__isub__(np.array([1.0, 1.0])), [0.0, 1.0]),
        (lambda w: w.__imul__(bp.tensor(3.0)), [3.0, 6.0]),
        (lambda w: w.__itruediv__(2), [0.5, 1.0]),
        (lambda w: w.__ipow__(2), [1.0, 4.0]),
    ],
)
def test_in_place_operators_under_no_grad_change_the_leaf_itself(update, expected):
    w = bp.tensor([1.0, 2.0], requires_grad=True, name="w")
    array = w.data
    with bp.no_grad():
        assert update(w) is w
    assert w.data is array and w.is_leaf and w.requires_grad
    np.testing.assert_array_equal(w.data, expected)


def test_gradient_descent_with_in_place_updates_keeps_the_parameter_a_leaf():
    w = bp.tensor(3.0, requires_grad=True, name="w")
    for _ in range(50):
        loss = (w - 1.0) ** 2
        loss.backward()
        with bp.no_grad():
            w -= 0.1 * w.grad
        w.grad = None
    assert w.is_leaf and len(bp.topological_order((w - 1.0) ** 2)) == 5  # w, 1, -, 2, **: no growth
    assert w.item() == pytest.approx(1.0, abs=1e-4)


def test_in_place_on_an_intermediate_while_recording_is_a_new_recorded_op():
    x = bp.tensor(2.0, requires_grad=True)
    h = x * 3
    before = h
    h += x  # as h = h + x
    assert h is not before and h.op is not None
    h.backward()
    assert x.grad == 4.0 and before.item() == 6.0


def test_in_place_on_a_constant_changes_it_and_a_bad_shape_is_a_shape_error():
    c = bp.tensor([1.0, 2.0])
    same = c
    c += 1
    assert c is same
    np.testing.assert_array_equal(c.data, [2.0, 3.0])
    y = bp.tensor(2.0, requires_grad=True) * 2  # a one-number result kept as a numpy scalar
    with bp.no_grad():
        y *= 3
    assert y.item() == 12.0
    with pytest.raises(
        bp.ShapeError, match=r"shape \(2, 2\) does not broadcast to this tensor's shape \(2,\)"
    ):
        c += np.ones((2, 2))


# ----- changing values between forward and backward (item 5) -----------------------------------
@pytest.mark.parametrize("shape", [(), (1,), (2,)])
def test_an_in_place_change_between_forward_and_backward_is_seen_for_every_shape(shape):
    x = bp.tensor(np.full(shape, 2.0), requires_grad=True)
    y = (x * x).sum()
    x.data += 1.0  # now 3
    y.backward()
    np.testing.assert_array_equal(x.grad, np.full(shape, 6.0))  # 2·3: backward used the new value


@pytest.mark.parametrize("shape", [(), (1,), (2,)])
def test_a_new_array_assigned_between_forward_and_backward_is_not_seen_for_any_shape(shape):
    x = bp.tensor(np.full(shape, 2.0), requires_grad=True)
    y = (x * x).sum()
    x.data = np.full(shape, 3.0)
    y.backward()
    np.testing.assert_array_equal(x.grad, np.full(shape, 4.0))  # 2·2: the ops kept the old array


# ----- .data is always float64 (item 6) ---------------------------------------------------------
def test_assigning_an_integer_array_to_data_makes_it_float64_and_training_goes_on():
    p = bp.nn.Parameter(np.zeros(2))
    p.data = np.array([1, 2])
    assert p.data.dtype == np.float64
    opt = bp.optim.SGD([p], lr=0.5)
    (p * p).sum().backward()
    opt.step()
    np.testing.assert_array_equal(p.data, [0.0, 0.0])
    p.data = np.array([True, False])
    assert p.data.dtype == np.float64


# ----- Python conversions and comparisons (item 8) ----------------------------------------------
def test_float_int_and_bool_of_a_one_element_tensor_follow_pytorch():
    assert float(bp.tensor(2.5)) == 2.5 and float(bp.tensor([[2.5]])) == 2.5
    assert int(bp.tensor(-2.7)) == -2
    assert bool(bp.tensor(0.0)) is False and bool(bp.tensor([0.0])) is False
    assert bool(bp.tensor(3.0) * 1.0) is True  # a result kept as a numpy scalar
    for conversion in (float, int, bool):
        with pytest.raises(TypeError, match=r"2 elements \(shape \(2,\)\) is ambiguous"):
            conversion(bp.tensor([0.0, 0.0]))
    with pytest.raises(TypeError, match="0 elements"):
        bool(bp.tensor([]))


def test_iterating_gives_the_first_axis_and_a_0d_tensor_refuses():
    x = bp.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert len(rows) == 2 and all(isinstance(r, bp.Tensor) for r in rows)
    np.testing.assert_array_equal(rows[1].data, [3.0, 4.0])
    rows[1].sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(bp.tensor(5.0))


def test_tensors_compare_by_identity_and_refuse_value_comparisons():
    x, y = bp.tensor(2.0), bp.tensor(2.0)
    assert x == x and x != y and (x == y) is False
    order = [y, x]
    assert order.index(x) == 1 and order.count(x) == 1 and x in order
    assert {x: 1, y: 2}[x] == 1
    assert (x == None) is False  # noqa: E711 (None is neither a number nor a tensor)
    for compare in (
        lambda: x == 2.0,
        lambda: x != np.float64(2.0),
        lambda: x < 3,
        lambda: x >= np.array([1.0]),
        lambda: x < y,
        lambda: 2.0 == x,  # noqa: SIM300 (the reflected comparison)
    ):
        with pytest.raises(TypeError, match=r"not compared by value.*t\.item\(\)"):
            compare()


# ----- argument checks ---------------------------------------------------------------------------
def test_requires_grad_must_be_a_bool_and_name_a_str():
    assert bp.tensor(1.0, requires_grad=np.bool_(True)).requires_grad is True
    with pytest.raises(TypeError, match="requires_grad must be True or False, got 'False'"):
        bp.tensor(1.0, requires_grad="False")
    with pytest.raises(TypeError, match="requires_grad must be True or False, got 1"):
        bp.Tensor(1.0, requires_grad=1)
    with pytest.raises(TypeError, match="name must be a str or None, got a int: 3"):
        bp.tensor(1.0, name=3)

"""The one graph walk: topological order, backward steps, deep graphs, and memory."""

import gc
import sys
import weakref

import numpy as np
import pytest
from _lecture_graphs import lecture_f

import backprop_nb as bp
from backprop_nb.graph import unbroadcast


def _f():
    return lecture_f()[-1]


def test_topological_order_is_the_order_of_computation():
    order = bp.topological_order(_f())
    assert [t.name for t in order] == ["x", "y", "z", "q", "f"]


def test_topological_order_includes_constants_once_per_tensor():
    x = bp.tensor(1.0, requires_grad=True, name="x")
    y = x * x + 2
    order = bp.topological_order(y)
    assert order.count(x) == 1
    assert len(order) == 4  # x, x*x, 2, +
    assert order[-1] is y


def test_x_plus_x_keeps_two_edges():
    x = bp.tensor(3.0, requires_grad=True)
    y = x + x
    assert y.op.parents == (x, x)
    steps = list(bp.backward_steps(y))
    assert [len(s.contributions) for s in steps] == [2, 0]
    assert steps[1].upstream == 2.0


def test_backward_steps_records_upstream_local_and_contributions():
    f = _f()
    steps = list(bp.backward_steps(f))
    assert [s.node.name for s in steps] == ["f", "q", "z", "y", "x"]
    first = steps[0]
    assert first.upstream == 1.0
    (q, to_q), (z, to_z) = first.contributions
    assert first.grads == (-4.0, 3.0)
    assert (q.name, to_q, z.name, to_z) == ("q", -4.0, "z", 3.0)
    assert first.local_grads() == (-4.0, 3.0)  # ∂f/∂q = z, ∂f/∂z = q
    q_step = steps[1]
    assert q_step.upstream == -4.0
    assert q_step.local_grads() == (1.0, 1.0)  # the add gate
    assert [c for _, c in q_step.contributions] == [-4.0, -4.0]
    assert steps[-1].contributions == () and steps[-1].local_grads() == ()


def test_walking_the_steps_writes_no_grad():
    f = _f()
    list(bp.backward_steps(f))
    assert all(t.grad is None for t in bp.topological_order(f))


def test_backward_equals_summing_the_steps():
    x = bp.tensor([1.0, -2.0, 3.0], requires_grad=True)
    w = bp.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    loss = ((w * x).tanh() * x).sum()
    leaf_grads = {id(s.node): s.upstream for s in bp.backward_steps(loss) if s.node.is_leaf}
    loss.backward()
    np.testing.assert_array_equal(x.grad, leaf_grads[id(x)])
    np.testing.assert_array_equal(w.grad, leaf_grads[id(w)])


def test_constants_get_no_contribution():
    x = bp.tensor(2.0, requires_grad=True)
    y = x * 3.0
    (step,) = [s for s in bp.backward_steps(y) if s.node is y]
    (_, to_x), (three, to_three) = step.contributions
    assert to_x == 3.0 and three.data == 3.0 and to_three is None


def test_a_10000_deep_chain_works_at_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = bp.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**10_000)
    assert len(bp.topological_order(y)) == 20_001


def test_a_10000_node_random_dag_matches_a_hand_rolled_reverse_pass():
    rng = np.random.default_rng(0)
    leaves = [bp.tensor(v, requires_grad=True) for v in rng.uniform(-1, 1, 10)]
    nodes = list(leaves)
    kinds = []
    for _ in range(10_000):
        i, j = rng.integers(0, len(nodes), 2)
        kind = int(rng.integers(0, 4))
        a, b = nodes[i], nodes[j]
        node = [a + b, a * b * 0.5, a.tanh(), (a * 0.01).exp()][kind]
        nodes.append(node)
        kinds.append((kind, i, j))
    root = bp.sum(bp.tensor(0.0) + nodes[-1]) + nodes[-2] + nodes[-300]
    root.backward()
    # hand-rolled reverse pass over the same structure, in creation order
    values = [t.data.item() for t in nodes]
    grads = np.zeros(len(nodes))
    grads[-1] += 1.0
    grads[-2] += 1.0
    grads[-300] += 1.0
    for k in range(len(kinds) - 1, -1, -1):
        kind, i, j = kinds[k]
        g = grads[10 + k]
        if kind == 0:
            grads[i] += g
            grads[j] += g
        elif kind == 1:
            grads[i] += g * 0.5 * values[j]
            grads[j] += g * 0.5 * values[i]
        elif kind == 2:
            grads[i] += g * (1 - np.tanh(values[i]) ** 2)
        else:
            grads[i] += g * 0.01 * np.exp(0.01 * values[i])
    np.testing.assert_allclose([t.grad for t in leaves], grads[:10], rtol=1e-10)


def test_order_is_deterministic():
    def names():
        a = bp.tensor(1.0, requires_grad=True, name="a")
        b = bp.tensor(2.0, requires_grad=True, name="b")
        c = a * b
        c.name = "c"
        d = c + a
        d.name = "d"
        e = d * c
        return [t.name for t in bp.topological_order(e)]

    assert names() == names() == ["a", "b", "c", "d", None]


def test_graphs_are_freed_by_reference_counting_alone():
    gc.disable()
    try:
        x = bp.tensor(np.ones(3), requires_grad=True)
        h = (x * 2).tanh()
        loss = (h * h).sum()
        loss.backward()
        probe = weakref.ref(h)
        op_probe = weakref.ref(h.op)
        del h, loss
        assert probe() is None and op_probe() is None
    finally:
        gc.enable()


def test_ops_do_not_reference_their_output():
    x = bp.tensor(1.0, requires_grad=True)
    y = x.exp()
    referents = gc.get_referents(y.op) + gc.get_referents(vars(y.op))
    assert all(r is not y for r in referents)


def test_unbroadcast_sums_stretched_axes():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(g, (4,)), g.sum(axis=(0, 1)))
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), g.sum(axis=(0, 2)).reshape(3, 1))
    np.testing.assert_array_equal(unbroadcast(g, ()), g.sum())
    assert unbroadcast(g, (2, 3, 4)) is g
    with pytest.raises(bp.ShapeError, match=r"\(2, 3, 4\).*\(5,\)"):
        unbroadcast(g, (5,))


def test_a_user_written_gate_joins_the_engine():
    class Cube(bp.Op):
        label = "cube"
        local_derivative = "∂a³/∂a = 3a²"

        def forward(self, a):
            self.save_for_backward(a)
            return a**3

        def backward(self, grad_out):
            (a,) = self.saved_tensors
            return grad_out * 3 * a**2

    x = bp.tensor([1.0, 2.0], requires_grad=True)
    (Cube.apply(x) * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 24.0])
    assert bp.grad_check(lambda t: Cube.apply(t).sum(), np.array([0.3, -1.2]))


def test_a_gate_may_return_its_gradients_as_a_list_like_the_lectures_gates():
    class MultiplyGate(bp.Op):
        def forward(self, x, y):
            self.save_for_backward(x, y)
            return x * y

        def backward(self, dz):
            x, y = self.saved_tensors
            return [y * dz, x * dz]

    x, y = bp.tensor(2.0, requires_grad=True), bp.tensor(3.0, requires_grad=True)
    MultiplyGate.apply(x, y).backward()
    assert (x.grad, y.grad) == (3.0, 2.0)


def test_a_gate_with_the_wrong_number_of_gradients_is_named():
    class Broken(bp.Op):
        def forward(self, a, b):
            return a + b

        def backward(self, grad_out):
            return (grad_out,)

    x = bp.tensor(1.0, requires_grad=True)
    with pytest.raises(bp.GradError, match=r"Broken\.backward returned 1 gradients for 2 inputs"):
        Broken.apply(x, x).backward()


def test_a_gate_may_return_plain_python_numbers():
    class Triple(bp.Op):
        def forward(self, a):
            return 3 * a

        def backward(self, grad_out):
            return 3.0 * float(grad_out)

    x = bp.tensor(2.0, requires_grad=True)
    (Triple.apply(x) * 2).backward()
    assert x.grad == 6.0 and isinstance(x.grad, np.ndarray)


def test_a_gate_gets_one_number_results_as_numpy_scalars_and_the_arrays_tensors_hold():
    seen = []  # the type of every value a gate receives: inputs in forward, grad_out in backward

    class Spy(bp.Op):
        def forward(self, a, b):
            seen.extend([type(a), type(b)])
            self.save_for_backward(a, b)
            return a * b

        def backward(self, grad_out):
            seen.append(type(grad_out))
            a, b = self.saved_tensors
            return grad_out * b, grad_out * a

    x = bp.tensor(2.0, requires_grad=True)
    v = bp.tensor([1.0, 3.0], requires_grad=True)
    out = Spy.apply(x, v)
    assert seen == [np.ndarray, np.ndarray]  # a 0-d leaf comes as its own array (not a copy)
    out.sum().backward()
    assert type(x.grad) is np.ndarray and x.grad.shape == () and x.grad == 4.0
    np.testing.assert_array_equal(v.grad, [2.0, 2.0])
    # a one-number result stays a numpy scalar for the gates after it (forward and backward,
    # the seed included) and reads as a 0-d float64 array
    seen.clear()
    y = Spy.apply(x, x)
    Spy.apply(y, y * 1.0).backward()
    assert seen[2:] == [np.float64] * 4  # forward (y, y * 1.0), then each backward's grad_out
    assert type(y.data) is np.ndarray and y.data.dtype == np.float64 and y.data.shape == ()
    assert y.grad == 8.0 and x.grad == 4.0 + 32.0  # ∂(x²·x²)/∂x = 4x³ on top of the earlier 4


def test_gradients_are_fitted_to_their_inputs_wherever_they_stand_in_the_argument_list():
    class CareFree(bp.Op):
        """Returns a gradient for every input, needed or not, in the broadcast shape."""

        def forward(self, a, b, c):
            return a * b * c

        def backward(self, grad_out):
            return grad_out, 2 * grad_out, 3 * grad_out

    a = bp.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)  # same shape as the output
    b = bp.tensor([1.0, 1.0])  # needs no gradient
    c = bp.tensor([[1.0], [1.0]], requires_grad=True)  # broadcast along the last axis
    out = CareFree.apply(a, b, c)
    steps = list(bp.backward_steps(out, np.ones((2, 2))))
    grads = steps[0].grads
    np.testing.assert_array_equal(grads[0], np.ones((2, 2)))
    assert grads[1] is None
    np.testing.assert_array_equal(grads[2], [[6.0], [6.0]])
    out.backward(np.ones((2, 2)))
    np.testing.assert_array_equal(a.grad, np.ones((2, 2)))
    assert b.grad is None
    np.testing.assert_array_equal(c.grad, [[6.0], [6.0]])


def test_the_graph_walks_need_a_tensor():
    for walk in (bp.topological_order, bp.backward_steps):
        with pytest.raises(TypeError, match="needs a Tensor, got a float"):
            list(walk(2.0)) if walk is bp.backward_steps else walk(2.0)

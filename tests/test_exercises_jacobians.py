"""The checkers of notebook 04: right answers pass, each known mistake gets its own message.

The expected answers are checked against the engine too (``bp.jacobian``, ``backward``,
finite differences), so the checkers and the engine cannot drift apart unnoticed.
"""

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb.exercises import (
    BROADCAST_UPSTREAM,
    NORM_EXERCISE_W,
    NORM_EXERCISE_X,
    RELU_EXERCISE_X,
    check_add_bias_backward,
    check_broadcast_bias_grad,
    check_jacobian_shape,
    check_matvec_backward,
    check_relu_jacobian,
    check_squared_norm_grad_W,
)

CHECKERS = [
    check_add_bias_backward,
    check_broadcast_bias_grad,
    check_jacobian_shape,
    check_matvec_backward,
    check_relu_jacobian,
    check_squared_norm_grad_W,
]


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_placeholder_asks_to_fill_in(checker, placeholder):
    feedback = checker(placeholder)
    assert not feedback
    assert "Fill in" in feedback.message


def test_exercise_inputs_are_read_only():
    for constant in (BROADCAST_UPSTREAM, NORM_EXERCISE_W, NORM_EXERCISE_X, RELU_EXERCISE_X):
        with pytest.raises(ValueError, match="read-only"):
            constant[0] = 1.0


# ----- Jacobian shapes ---------------------------------------------------------------------
def test_shapes_agree_with_bp_jacobian():
    rng = np.random.default_rng(0)
    w, x = rng.standard_normal((3, 5)), rng.standard_normal(5)
    wrt_x = bp.jacobian(lambda v: bp.tensor(w) @ v, x).shape
    wrt_w = bp.jacobian(lambda m: m @ bp.tensor(x), w).shape
    assert check_jacobian_shape(wrt_x)
    assert check_jacobian_shape(wrt_w, "W")
    assert check_jacobian_shape([3, 5], wrt="x")
    assert check_jacobian_shape((np.int64(3), np.int64(3), np.int64(5)), wrt="W")


@pytest.mark.parametrize(
    ("answer", "wrt", "message"),
    [
        ((5, 3), "x", "denominator layout"),
        ((3,), "x", "shape of f"),
        (3, "x", "shape of f"),
        ((5,), "x", "shape of x"),
        (15, "x", "number of entries"),
        ((2, 2), "x", "not it"),
        ((3, 5), "W", "W's shape, the shape of a scalar's gradient"),
        ((3, 5, 3), "W", "denominator layout"),
        ((3, 15), "W", "not flattened"),
        ((15, 3), "W", "not flattened"),
        ("(3, 5)", "x", "tuple of whole numbers"),
        ((3.0, 5.0), "x", "tuple of whole numbers"),
        (True, "x", "tuple of whole numbers"),
    ],
)
def test_shape_mistakes(answer, wrt, message):
    feedback = check_jacobian_shape(answer, wrt)
    assert not feedback
    assert message in feedback.message


@pytest.mark.parametrize("wrt", ["b", ["x"]])
def test_shape_checker_rejects_an_unknown_variable(wrt):
    with pytest.raises(ValueError, match="wrt must be 'x' or 'W'"):
        check_jacobian_shape((3, 5), wrt=wrt)


# ----- ReLU Jacobian -----------------------------------------------------------------------
def test_relu_jacobian_right_answer_is_the_engines():
    jac = bp.jacobian(bp.relu, RELU_EXERCISE_X)
    np.testing.assert_array_equal(jac, np.diag([1.0, 0.0, 0.0, 1.0]))
    assert check_relu_jacobian(jac)
    assert check_relu_jacobian(np.diag(RELU_EXERCISE_X > 0))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ([1.0, 0.0, 0.0, 1.0], "np.diag(mask)"),
        (np.diag([1.0, 0.0, 1.0, 1.0]), "relu'(0) = 0"),
        (np.diag([1.5, 0.0, 0.0, 2.0]), "relu(x) on the diagonal"),
        (np.diag([0.0, 1.0, 0.0, 0.0]), "mask is flipped"),
        (np.diag([0.0, 1.0, 1.0, 0.0]), "mask is flipped"),
        (np.eye(4), "identity"),
        (np.diag([-1.0, 0.0, 0.0, -1.0]), "sign is flipped"),
        (np.diag([1.0, 1.0, 0.0, 1.0]), "1 of 16 entries differ"),
    ],
)
def test_relu_jacobian_mistakes(answer, message):
    feedback = check_relu_jacobian(answer)
    assert not feedback
    assert message in feedback.message


# ----- ∇_W ‖Wx‖² ---------------------------------------------------------------------------
W, X = NORM_EXERCISE_W, NORM_EXERCISE_X
Q = W @ X  # (−3.5, 1.5)


def test_squared_norm_gradient_is_2qxT_by_the_engine_and_finite_differences():
    expected = np.array([[-7.0, -14.0, 7.0], [3.0, 6.0, -3.0]])  # 2 q xᵀ by hand
    f = lambda w, x: ((w @ x) ** 2).sum()  # noqa: E731
    assert bp.grad_check(f, W, X)
    np.testing.assert_allclose(bp.numerical_grad(f, W, X)[0], expected, rtol=1e-7)
    assert check_squared_norm_grad_W(expected)
    assert check_squared_norm_grad_W(bp.tensor(expected))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (np.outer(Q, X), "factor 2"),
        (2 * np.outer(X, Q), "2 x qᵀ, the transpose"),
        (np.outer(X, Q), "transposed, and the factor 2 is missing"),
        (2 * W.T @ Q, "∇_x f = 2 Wᵀ q"),
        (2 * Q, "∇_q f = 2q"),
        (-2 * np.outer(Q, X), "every sign is flipped"),
        (np.zeros((2, 3)), "entries differ"),
        (np.zeros((4, 4)), "should have shape (2, 3)"),
    ],
)
def test_squared_norm_mistakes(answer, message):
    feedback = check_squared_norm_grad_W(answer)
    assert not feedback
    assert message in feedback.message


# ----- broadcasting ------------------------------------------------------------------------
def test_bias_grad_is_the_column_sum_the_engine_computes():
    x = bp.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    b = bp.tensor(np.zeros(3), requires_grad=True)
    (x + b).backward(BROADCAST_UPSTREAM)
    np.testing.assert_array_equal(b.grad, [2.5, 3.0, 4.0])  # column sums by hand
    assert check_broadcast_bias_grad(b.grad)
    assert check_broadcast_bias_grad([2.5, 3, 4])


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (BROADCAST_UPSTREAM, "upstream gradient itself"),
        (BROADCAST_UPSTREAM.sum(axis=1), "wrong axis"),
        (BROADCAST_UPSTREAM.mean(axis=0), "mean over the rows"),
        (BROADCAST_UPSTREAM.sum(), "summed everything"),
        (BROADCAST_UPSTREAM.sum(axis=0, keepdims=True), "should have shape (3,)"),
        (-BROADCAST_UPSTREAM.sum(axis=0), "every sign is flipped"),
        ("b", "array of numbers"),
    ],
)
def test_bias_grad_mistakes(answer, message):
    feedback = check_broadcast_bias_grad(answer)
    assert not feedback
    assert message in feedback.message


# ----- code: matvec_backward ---------------------------------------------------------------------
def matvec_backward(dout, W, x):
    return np.outer(dout, x), W.T @ dout


def test_matvec_reference_agrees_with_the_engine():
    rng = np.random.default_rng(5)
    W, x, dout = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3)
    W_t, x_t = bp.tensor(W, requires_grad=True), bp.tensor(x, requires_grad=True)
    (W_t @ x_t).backward(dout)
    dW, dx = matvec_backward(dout, W, x)
    np.testing.assert_allclose(dW, W_t.grad, rtol=1e-12)
    np.testing.assert_allclose(dx, x_t.grad, rtol=1e-12)


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (lambda dout, W, x: (np.outer(dout, x), W @ dout), "it is Wᵀ dout"),
        (lambda dout, W, x: (np.outer(x, dout), W.T @ dout), "dW is x doutᵀ, the transpose"),
        (lambda dout, W, x: (np.outer(dout, x), W.T), "dx should have shape"),
        (
            lambda dout, W, x: (np.outer(np.ones_like(dout), x), W.T.sum(axis=1)),
            "forgot the upstream gradient",
        ),
        (lambda dout, W, x: (np.outer(dout, x),), "tuple of 2 arrays"),
        (lambda dout, W, x: None, "Fill in matvec_backward"),
        (lambda dout, W, x: (np.outer(dout, x), W.T @ dout + 1e-3), "dx differs"),
    ],
)
def test_matvec_mistakes_are_named(student, message):
    feedback = check_matvec_backward(student)
    assert not feedback
    assert message in feedback.message
    assert bool(feedback.hint) != feedback.message.startswith("Fill in")  # hints only after an attempt


def test_matvec_right():
    assert check_matvec_backward(matvec_backward)


def test_matvec_in_place_change_is_named():
    def scaling_x(dout, W, x):
        x *= 1.0
        x += 0.0
        W[0, 0] = 0.0
        return matvec_backward(dout, W, x)

    feedback = check_matvec_backward(scaling_x)
    assert not feedback and "changed its input W in place" in feedback.message


def test_add_bias_reference_agrees_with_the_engine():
    dout = np.arange(12.0).reshape(4, 3) - 5
    b = bp.tensor(np.zeros(3), requires_grad=True)
    (bp.tensor(np.ones((4, 3))) + b).backward(dout)
    np.testing.assert_allclose(b.grad, dout.sum(axis=0))
    assert check_add_bias_backward(lambda dout: dout.sum(axis=0))
    assert check_add_bias_backward(lambda dout: np.ones(dout.shape[0]) @ dout)


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (lambda dout: dout, "that is dout itself"),
        (lambda dout: dout.sum(axis=1), "summed across each row (axis 1)"),
        (lambda dout: dout.mean(axis=0), "mean over the rows"),
        (lambda dout: dout.sum(), "summed everything"),
        (lambda dout: dout.sum(axis=0, keepdims=True), "should have shape"),
        (lambda dout: "db", "array of numbers"),
    ],
)
def test_add_bias_mistakes_are_named(student, message):
    feedback = check_add_bias_backward(student)
    assert not feedback
    assert message in feedback.message
    assert bool(feedback.hint) != feedback.message.startswith("Fill in")  # hints only after an attempt


CASES = {
    "check_add_bias_backward": {
        "right": [lambda dout: dout.sum(axis=0)],
        "wrong": [lambda dout: dout, lambda dout: dout.sum(axis=1), lambda dout: dout.mean(axis=0)],
    },
    "check_jacobian_shape": {"right": [(3, 5)], "wrong": [(5, 3), (3,), (15,), "35"]},
    "check_relu_jacobian": {
        "right": [np.diag([1.0, 0.0, 0.0, 1.0])],
        "wrong": [[1.0, 0.0, 0.0, 1.0], np.diag([1.0, 0.0, 1.0, 1.0]), np.eye(4)],
    },
    "check_squared_norm_grad_W": {
        "right": [2 * np.outer(NORM_EXERCISE_W @ NORM_EXERCISE_X, NORM_EXERCISE_X)],
        "wrong": [
            np.outer(NORM_EXERCISE_W @ NORM_EXERCISE_X, NORM_EXERCISE_X),
            2 * np.outer(NORM_EXERCISE_X, NORM_EXERCISE_W @ NORM_EXERCISE_X),
            2 * NORM_EXERCISE_W.T @ (NORM_EXERCISE_W @ NORM_EXERCISE_X),
        ],
    },
    "check_broadcast_bias_grad": {
        "right": [BROADCAST_UPSTREAM.sum(axis=0)],
        "wrong": [BROADCAST_UPSTREAM, BROADCAST_UPSTREAM.sum(axis=1), BROADCAST_UPSTREAM.mean(axis=0)],
    },
    "check_matvec_backward": {
        "right": [matvec_backward],
        "wrong": [
            lambda dout, W, x: (np.outer(dout, x), W @ dout),
            lambda dout, W, x: (np.outer(x, dout), W.T @ dout),
            lambda dout, W, x: (np.outer(np.ones_like(dout), x), W.T.sum(axis=1)),
        ],
    },
}

"""numerical_grad, grad_check, jacobian and vjp_check."""

import numpy as np
import pytest

import backprop_nb as bp


def test_numerical_grad_of_known_functions():
    g = bp.numerical_grad(lambda x: (x**3).sum(), np.array([1.0, -2.0]))
    np.testing.assert_allclose(g, [3.0, 12.0], rtol=1e-8)
    gx, gy = bp.numerical_grad(lambda x, y: (x * y).sum(), np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    np.testing.assert_allclose(gx, [3.0, 4.0], rtol=1e-8)
    np.testing.assert_allclose(gy, [1.0, 2.0], rtol=1e-8)


def test_numerical_grad_error_shrinks_like_eps_squared():
    f = lambda x: x.exp().sum()  # noqa: E731
    errors = [abs(bp.numerical_grad(f, np.array([1.0]), eps=h)[0] - np.e) for h in (1e-1, 1e-2)]
    assert errors[1] < errors[0] / 50  # central differences: error ~ h²/6 · e


def test_numerical_grad_leaves_inputs_unchanged():
    x = np.array([1.0, 2.0])
    t = bp.tensor([3.0], requires_grad=True)
    bp.numerical_grad(lambda a, b: (a * b).sum(), x, t)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    assert t.data[0] == 3.0 and t.grad is None


def test_numerical_grad_needs_a_scalar_tensor_output():
    with pytest.raises(ValueError, match=r"one-element.*\(2,\)"):
        bp.numerical_grad(lambda x: x * 2, np.ones(2))
    with pytest.raises(TypeError, match=r"must return a Tensor.*float"):
        bp.numerical_grad(lambda x: 1.0, np.ones(2))
    with pytest.raises(TypeError, match="at least one input"):
        bp.numerical_grad(lambda: bp.tensor(1.0))


def test_grad_check_passes_correct_gradients_with_a_readable_report():
    x = bp.tensor([0.5, -1.5], name="x")
    report = bp.grad_check(lambda x, W: (W @ x).tanh().sum(), x, np.array([[1.0, 2.0], [0.3, -0.7]]))
    assert report and report.passed
    assert len(report.max_abs_error) == 2 and max(report.max_abs_error) < 1e-8
    text = repr(report)
    assert text.startswith("grad_check: passed")
    assert "x (2,)" in text and "input 1 (2, 2)" in text


def test_grad_check_catches_a_wrong_backward():
    class WrongSquare(bp.Op):
        label = "sq"

        def forward(self, a):
            self.save_for_backward(a)
            return a * a

        def backward(self, grad_out):
            (a,) = self.saved_tensors
            return grad_out * a  # forgot the factor 2

    report = bp.grad_check(lambda x: WrongSquare.apply(x).sum(), np.array([1.0, 3.0]))
    assert not report
    assert report.max_abs_error[0] == pytest.approx(3.0, rel=1e-6)
    assert report.max_rel_error[0] == pytest.approx(0.5, rel=1e-6)
    assert "FAILED" in repr(report) and "MISMATCH" in repr(report)


def test_grad_check_handles_an_unused_input():
    assert bp.grad_check(lambda x, y: (x * 2).sum(), np.ones(2), np.ones(3))


def test_jacobian_is_in_numerator_layout():
    W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    J = bp.jacobian(lambda x: bp.tensor(W) @ x, np.array([1.0, 1.0, 1.0]))
    assert J.shape == (2, 3)
    np.testing.assert_allclose(J, W)
    np.testing.assert_allclose(
        bp.jacobian(lambda x: bp.tensor(W) @ x, np.ones(3), method="numerical"), W, atol=1e-8
    )


def test_jacobian_of_elementwise_relu_is_a_diagonal_indicator():
    x = np.array([1.0, -2.0, 3.0, -0.5])
    np.testing.assert_array_equal(bp.jacobian(bp.relu, x), np.diag([1.0, 0.0, 1.0, 0.0]))


def test_jacobian_of_matrix_functions_has_the_combined_shape():
    x = np.arange(6.0).reshape(2, 3) / 10
    J = bp.jacobian(lambda t: t.softmax(axis=-1), x)
    assert J.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(J, bp.jacobian(lambda t: t.softmax(axis=-1), x, method="numerical"), atol=1e-8)
    assert np.all(J[0, :, 1, :] == 0)  # rows of a row-wise softmax do not interact


def test_jacobian_rejects_unknown_methods_and_handles_constants():
    with pytest.raises(ValueError, match="'reverse' or 'numerical'"):
        bp.jacobian(bp.exp, np.ones(2), method="forward")
    np.testing.assert_array_equal(bp.jacobian(lambda x: bp.tensor([1.0, 2.0]), np.ones(3)), np.zeros((2, 3)))


def test_vjp_check_on_a_large_input_and_a_wrong_backward():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((50, 200))
    report = bp.vjp_check(lambda x, w: (w @ x).tanh(), rng.standard_normal(200), W, directions=2)
    assert report and len(report.rows) == 2

    class WrongExp(bp.Op):
        label = "exp"

        def forward(self, a):
            return np.exp(a)

        def backward(self, grad_out):
            return grad_out

    assert not bp.vjp_check(lambda x: WrongExp.apply(x), rng.standard_normal(30))


def _square(x):
    return (x * x).sum()


X = np.array([1.0, 2.0])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: bp.grad_check(_square, X, eps=0), ValueError, "eps must be > 0, got 0.0"),
        (lambda: bp.grad_check(_square, X, eps=-1e-6), ValueError, "eps must be > 0"),
        (lambda: bp.grad_check(_square, X, eps=float("nan")), ValueError, "eps must be a finite number"),
        (lambda: bp.grad_check(_square, X, atol=-1), ValueError, "atol must be >= 0"),
        (lambda: bp.grad_check(_square, X, rtol=float("nan")), ValueError, "rtol must be a finite number"),
        (lambda: bp.grad_check(_square, X, rtol="0.1"), TypeError, "rtol must be a number, got '0.1'"),
        (lambda: bp.grad_check(3.0, X), TypeError, "f must be a function, .* got float"),
        (lambda: bp.numerical_grad(_square, X, eps=0), ValueError, "eps must be > 0"),
        (lambda: bp.jacobian(lambda x: x * 2, X, method="numerical", eps=0), ValueError, "eps must be > 0"),
        (lambda: bp.jacobian(X, X), TypeError, "f must be a function, .* got ndarray"),
        (lambda: bp.vjp_check(_square, X, directions=0), ValueError, "directions must be >= 1"),
        (lambda: bp.vjp_check(_square, X, directions=2.5), TypeError, "directions must be an integer"),
        (lambda: bp.vjp_check(_square, X, seed=-1), ValueError, "seed must be >= 0"),
        (lambda: bp.vjp_check(_square, X, seed="0"), TypeError, "seed must be None, an integer >= 0"),
        (lambda: bp.vjp_check(_square, X, eps=0.0), ValueError, "eps must be > 0"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_integers_are_accepted():
    assert bp.vjp_check(_square, X, directions=np.int64(2), seed=np.int32(1))
    assert bp.grad_check(_square, X, eps=np.float32(1e-3), atol=np.int64(0), rtol=np.float64(1e-3))

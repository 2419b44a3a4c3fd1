"""Tests for the exercise checkers of notebooks 09 and 10: right answers pass, each known mistake is named."""

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb.exercises import (
    check_activation_memory,
    check_batchnorm_backward,
    check_dropout_expectation,
    check_he_std,
    check_residual_backward,
    check_residual_jacobian_norm,
    check_sigmoid_gradient_factor,
)

CHECKERS = [
    check_sigmoid_gradient_factor,
    check_residual_jacobian_norm,
    check_he_std,
    check_activation_memory,
    check_dropout_expectation,
]


@pytest.mark.parametrize("check", CHECKERS)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_the_placeholder_asks_to_fill_in(check, placeholder):
    feedback = check(placeholder)
    assert not feedback
    assert feedback.message.startswith("Fill in answer_")
    assert "replace None with your answer" in feedback.message
    assert not feedback.hint  # hints come after a wrong attempt


@pytest.mark.parametrize("check", CHECKERS)
def test_a_non_number_is_explained_not_raised(check):
    feedback = check("a quarter")
    assert not feedback
    assert "should be a single number, got 'a quarter'" in feedback.message


# ----- 1. the sigmoid's largest slope ------------------------------------------------------------------------
def test_sigmoid_factor_right_answer_is_the_largest_slope():
    z = np.linspace(-8, 8, 1601)
    slope = bp.numerical_grad(lambda t: bp.sigmoid(t).sum(), z)
    assert slope.max() == pytest.approx(0.25)
    assert check_sigmoid_gradient_factor(slope.max())
    assert check_sigmoid_gradient_factor(bp.tensor(0.25))
    fifty = check_sigmoid_gradient_factor(0.25**50, layers=50)
    assert fifty
    assert "(1/4)^50 = 7.889e-31" in fifty.message


def test_sigmoid_factor_tiny_answers_are_compared_relatively():
    # 0.25⁵⁰ ≈ 7.9e-31: an absolute tolerance would accept 0 or 0.5⁵⁰
    assert not check_sigmoid_gradient_factor(0.0, layers=50)
    assert not check_sigmoid_gradient_factor(0.26**50, layers=50)
    assert check_sigmoid_gradient_factor(0.25**50 * (1 + 1e-5), layers=50)


@pytest.mark.parametrize(
    ("answer", "layers", "diagnosis"),
    [
        (0.5, 1, "0.5 is σ(0), the sigmoid's value"),
        (1.0, 1, "tanh"),
        (4.0, 1, "that is the inverse"),
        (-0.25, 1, "the sign is flipped"),
        (0.5**50, 50, "0.5 is σ(0)"),
        (0.25 * 50, 50, "you multiplied 1/4 by the number of layers"),
        (0.25, 50, "that is one sigmoid"),
        (4.0**50, 50, "that is the inverse"),
    ],
)
def test_sigmoid_factor_mistakes_are_named(answer, layers, diagnosis):
    feedback = check_sigmoid_gradient_factor(answer, layers=layers)
    assert not feedback
    assert diagnosis in feedback.message
    assert "σ′(z) = σ(z)(1 − σ(z))" in feedback.hint


def test_sigmoid_factor_placeholder_names_the_variable_of_the_question():
    assert "Fill in answer_factor," in check_sigmoid_gradient_factor(None).message
    assert "Fill in answer_factor_50," in check_sigmoid_gradient_factor(None, layers=50).message


@pytest.mark.parametrize("layers", [0, -1, 2.0, True, 10**6])
def test_sigmoid_factor_needs_a_positive_whole_number_of_layers(layers):
    with pytest.raises(ValueError, match="layers must be a positive integer up to 500"):
        check_sigmoid_gradient_factor(0.25, layers=layers)


def test_sigmoid_factor_takes_numpy_integers_and_the_deepest_chain():
    assert check_sigmoid_gradient_factor(0.25**3, layers=np.int64(3))
    assert check_sigmoid_gradient_factor(0.25**500, layers=500)


# ----- 2. the residual block y = x + A x, A = diag(0.01, −0.02) ----------------------------------------------
def test_residual_norm_right_answer_from_the_package_jacobian():
    block = bp.nn.Residual(bp.nn.Linear(2, 2, bias=False))
    block.block.weight.data[...] = np.diag([0.01, -0.02])
    J = bp.jacobian(block, np.array([0.3, -0.7]))
    np.testing.assert_allclose(J, np.diag([1.01, 0.98]))
    feedback = check_residual_jacobian_norm(np.linalg.norm(J, 2))
    assert feedback
    assert "diag(1.01, 0.98)" in feedback.message
    assert "within a factor 0.98 … 1.01" in feedback.message


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (0.02, "that is ‖A‖₂, the block alone"),
        (1.0, "the identity alone"),
        (np.sqrt(1.01**2 + 0.98**2), "the Frobenius norm"),
        (0.98, "the smallest singular value"),
        (-1.01, "the sign is flipped"),
    ],
)
def test_residual_norm_mistakes_are_named(answer, diagnosis):
    feedback = check_residual_jacobian_norm(answer)
    assert not feedback
    assert diagnosis in feedback.message
    assert "I + A" in feedback.hint


# ----- 3. one stored activation: width 4096, batch 100, float64 ---------------------------------------------
def test_activation_memory_right_answer_is_the_arrays_nbytes():
    out = bp.nn.ReLU()(np.zeros((100, 4096)))
    assert out.data.nbytes == 3_276_800
    feedback = check_activation_memory(out.data.nbytes)
    assert feedback
    assert "3,276,800 bytes ≈ 3.28 MB" in feedback.message


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (26_214_400, "that is bits"),
        (32_768, "that is one example"),
        (1_638_400, "float32"),
        (409_600, "how many numbers there are"),
        (3.2768, "megabytes"),
        (3.125, "mebibytes"),
        (3276.8, "kilobytes"),
        (4096 * 4096 * 8, "a 4096 × 4096 matrix"),
    ],
)
def test_activation_memory_mistakes_are_named(answer, diagnosis):
    feedback = check_activation_memory(answer)
    assert not feedback
    assert diagnosis in feedback.message
    assert "shape (100, 4096)" in feedback.hint


# ----- 4. dropout's expected output: x = 3, p = 0.25 ---------------------------------------------------------
def test_dropout_expectation_right_answer_matches_the_layer_on_average():
    drop = bp.nn.Dropout(p=0.25, seed=0)
    samples = drop(np.full(200_000, 3.0)).data
    assert set(np.unique(samples)) == {0.0, 4.0}
    assert samples.mean() == pytest.approx(3.0, abs=0.02)
    feedback = check_dropout_expectation(3.0)
    assert feedback
    assert "E = 0.25·0 + 0.75·4 = 3 = x" in feedback.message


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (2.25, "without the rescaling 1/(1 − p)"),
        (4.0, "the value of a kept element"),
        (0.75, "the probability of dropping, not of keeping"),
        (1.0, "the probability of dropping, not of keeping"),
        (0.0, "a dropped element's value"),
        (-3.0, "the sign is flipped"),
    ],
)
def test_dropout_expectation_mistakes_are_named(answer, diagnosis):
    feedback = check_dropout_expectation(answer)
    assert not feedback
    assert diagnosis in feedback.message
    assert "probability p = 0.25" in feedback.hint


def test_dropout_expectation_other_answers_get_the_hint():
    feedback = check_dropout_expectation(2.0)
    assert not feedback
    assert "which is not it" in feedback.message


# ----- He initialisation's spread: Linear(256, 128) + ReLU ---------------------------------------
def test_he_std_right_answer_is_what_kaiming_normal_draws():
    weight = bp.nn.Linear(256, 128).weight
    bp.nn.init.kaiming_normal_(weight, seed=0)
    assert weight.data.std() == pytest.approx(np.sqrt(2 / 256), rel=0.01)
    feedback = check_he_std(np.sqrt(2 / 256))
    assert feedback
    assert "√(2/256) = 0.08839" in feedback.message


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (2 / 256, "that is the variance 2/n_in"),
        (1 / 16, "ReLU zeroes half of it"),
        (np.sqrt(2 / 128), "that uses n_out = 128"),
        (np.sqrt(2 / 384), "that is Xavier's spread"),
        (-np.sqrt(2 / 256), "the sign is flipped"),
    ],
)
def test_he_std_mistakes_are_named(answer, diagnosis):
    feedback = check_he_std(answer)
    assert not feedback
    assert diagnosis in feedback.message
    assert "n_in = 256" in feedback.hint


def test_he_std_other_answers_get_the_hint():
    feedback = check_he_std(0.1)
    assert not feedback
    assert "which is not it" in feedback.message


# ----- 5. a residual block's backward pass, o = x + σ(x Wᵀ): students' functions -----------------------------
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def residual_backward(dout, x, W):
    a = sigmoid(x @ W.T)
    ds = dout * a * (1 - a)
    return dout + ds @ W, ds.T @ x


def residual_backward_with_the_engine(dout, x, W):
    x, W = bp.tensor(x, requires_grad=True), bp.tensor(W, requires_grad=True)
    ((x + bp.sigmoid(x @ W.T)) * dout).sum().backward()
    return x.grad, W.grad


def residual_without_identity(dout, x, W):
    a = sigmoid(x @ W.T)
    ds = dout * a * (1 - a)
    return ds @ W, ds.T @ x


def residual_slope_at_output(dout, x, W):
    o = x + sigmoid(x @ W.T)
    ds = dout * sigmoid(o) * (1 - sigmoid(o))
    return dout + ds @ W, ds.T @ x


def residual_slope_from_block_output(dout, x, W):
    o = x + sigmoid(x @ W.T)
    ds = dout * o * (1 - o)
    return dout + ds @ W, ds.T @ x


def residual_dx_with_transpose(dout, x, W):
    a = sigmoid(x @ W.T)
    ds = dout * a * (1 - a)
    return dout + ds @ W.T, ds.T @ x


def residual_dW_transposed(dout, x, W):
    a = sigmoid(x @ W.T)
    ds = dout * a * (1 - a)
    return dout + ds @ W, x.T @ ds


def residual_sigmoid_not_its_slope(dout, x, W):
    ds = dout * sigmoid(x @ W.T)
    return dout + ds @ W, ds.T @ x


def residual_without_dout(dout, x, W):
    a = sigmoid(x @ W.T)
    ds = a * (1 - a)
    return 1 + ds @ W, ds.T @ x


def residual_averaged_dW(dout, x, W):
    dx, dW = residual_backward(dout, x, W)
    return dx, dW / len(x)


RESIDUAL_MISTAKES = {
    residual_without_identity: "misses the identity path",
    residual_slope_at_output: "σ′ is evaluated at the block's output o",
    residual_slope_from_block_output: "σ′ = o(1 − o) with the block's output",
    residual_dx_with_transpose: "dx multiplies ds by Wᵀ",
    residual_dW_transposed: "dW is transposed",
    residual_sigmoid_not_its_slope: "you multiplied by σ(s) itself",
    residual_without_dout: "you forgot the upstream gradient dout",
    residual_averaged_dW: "dW is divided by the batch size",
}


def test_residual_backward_right_functions_pass():
    assert check_residual_backward(residual_backward)
    assert check_residual_backward(residual_backward_with_the_engine)


@pytest.mark.parametrize(
    ("student", "diagnosis"), RESIDUAL_MISTAKES.items(), ids=lambda v: getattr(v, "__name__", "")
)
def test_residual_backward_mistakes_are_named(student, diagnosis):
    feedback = check_residual_backward(student)
    assert not feedback
    assert diagnosis in feedback.message
    assert "dx = dout + ds W and dW = dsᵀ x" in feedback.hint


# ----- 6. batch normalisation's backward pass, training mode: students' functions ----------------------------
def batchnorm_backward(dout, x, gamma, eps):
    mu = x.mean(axis=0)
    std = np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - mu) / std
    dx_hat = dout * gamma
    dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0)) / std
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def batchnorm_backward_with_the_engine(dout, x, gamma, eps):
    x, gamma = bp.tensor(x, requires_grad=True), bp.tensor(gamma, requires_grad=True)
    beta = bp.tensor(np.zeros(gamma.shape), requires_grad=True)
    centred = x - x.mean(axis=0, keepdims=True)
    variance = (centred * centred).mean(axis=0, keepdims=True)
    ((centred / (variance + eps).sqrt() * gamma + beta) * dout).sum().backward()
    return x.grad, gamma.grad, beta.grad


def batchnorm_statistics_constant(dout, x, gamma, eps):
    _, dgamma, dbeta = batchnorm_backward(dout, x, gamma, eps)
    return dout * gamma / np.sqrt(x.var(axis=0) + eps), dgamma, dbeta


def batchnorm_mean_constant(dout, x, gamma, eps):
    std = np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) / std
    dx_hat = dout * gamma
    _, dgamma, dbeta = batchnorm_backward(dout, x, gamma, eps)
    return (dx_hat - x_hat * (dx_hat * x_hat).mean(axis=0)) / std, dgamma, dbeta


def batchnorm_variance_constant(dout, x, gamma, eps):
    std = np.sqrt(x.var(axis=0) + eps)
    dx_hat = dout * gamma
    _, dgamma, dbeta = batchnorm_backward(dout, x, gamma, eps)
    return (dx_hat - dx_hat.mean(axis=0)) / std, dgamma, dbeta


def batchnorm_unbiased_variance(dout, x, gamma, eps):
    n = len(x)
    std = np.sqrt(x.var(axis=0, ddof=1) + eps)
    x_hat = (x - x.mean(axis=0)) / std
    dx_hat = dout * gamma
    dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0) / (n - 1)) / std
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def batchnorm_without_dout(dout, x, gamma, eps):
    return batchnorm_backward(np.ones_like(dout), x, gamma, eps)


def batchnorm_without_gamma(dout, x, gamma, eps):
    _, dgamma, dbeta = batchnorm_backward(dout, x, gamma, eps)
    return batchnorm_backward(dout, x, np.ones_like(gamma), eps)[0], dgamma, dbeta


def batchnorm_dgamma_without_x_hat(dout, x, gamma, eps):
    dx, _, dbeta = batchnorm_backward(dout, x, gamma, eps)
    return dx, dout.sum(axis=0), dbeta


def batchnorm_averaged_parameters(dout, x, gamma, eps):
    dx, dgamma, dbeta = batchnorm_backward(dout, x, gamma, eps)
    return dx, dgamma / len(x), dbeta / len(x)


def batchnorm_without_eps(dout, x, gamma, eps):
    return batchnorm_backward(dout, x, gamma, 0.0)


def test_the_right_backward_passes_agree_with_finite_differences():
    rng = np.random.default_rng(0)
    dout, x, W = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(4, 4))
    dx, dW = bp.numerical_grad(lambda x, W: ((x + bp.sigmoid(x @ W.T)) * dout).sum(), x, W)
    for got, want in zip(residual_backward(dout, x, W), (dx, dW), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)

    gamma, eps = rng.normal(size=4), 0.1

    def batch_norm_loss(x, gamma):
        centred = x - x.mean(axis=0, keepdims=True)
        variance = (centred * centred).mean(axis=0, keepdims=True)
        return (centred / (variance + eps).sqrt() * gamma * dout).sum()

    expected = (*bp.numerical_grad(batch_norm_loss, x, gamma), dout.sum(axis=0))
    for got, want in zip(batchnorm_backward(dout, x, gamma, eps), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


BATCHNORM_MISTAKES = {
    batchnorm_statistics_constant: "treats the batch mean μ and variance σ² as constants",
    batchnorm_mean_constant: "leaves out the path through the mean μ",
    batchnorm_variance_constant: "leaves out the path through the variance σ²",
    batchnorm_unbiased_variance: "divided by N − 1",
    batchnorm_without_gamma: "dx misses γ",
    batchnorm_without_dout: "you forgot the upstream gradient dout",
    batchnorm_dgamma_without_x_hat: "dgamma is dout summed alone",
    batchnorm_averaged_parameters: "averaged over the batch",
    batchnorm_without_eps: "ε is missing",
}


def test_batchnorm_backward_right_functions_pass():
    assert check_batchnorm_backward(batchnorm_backward)
    assert check_batchnorm_backward(batchnorm_backward_with_the_engine)


@pytest.mark.parametrize(
    ("student", "diagnosis"), BATCHNORM_MISTAKES.items(), ids=lambda v: getattr(v, "__name__", "")
)
def test_batchnorm_backward_mistakes_are_named(student, diagnosis):
    feedback = check_batchnorm_backward(student)
    assert not feedback
    assert diagnosis in feedback.message
    assert "dx = (dx̂ − mean(dx̂) − x̂ ∘ mean(dx̂ ∘ x̂))" in feedback.hint


def test_batchnorm_backward_summed_over_the_wrong_axis_is_caught_by_its_shape_and_named():
    def sums_over_units(dout, x, gamma, eps):
        dx = batchnorm_backward(dout, x, gamma, eps)[0]
        x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
        return dx, (dout * x_hat).sum(axis=1), dout.sum(axis=1)

    feedback = check_batchnorm_backward(sums_over_units)
    assert not feedback
    assert "dgamma should have shape (3,), got (2,)" in feedback.message
    assert "summed over axis 1, the units" in feedback.message


def test_batchnorm_backward_that_centres_x_in_place_is_caught():
    def centres_in_place(dout, x, gamma, eps):
        x -= x.mean(axis=0)
        return batchnorm_backward(dout, x, gamma, eps)

    feedback = check_batchnorm_backward(centres_in_place)
    assert not feedback
    assert "changed its input x in place" in feedback.message


@pytest.mark.parametrize("check", [check_residual_backward, check_batchnorm_backward])
def test_code_checkers_ask_to_fill_in_the_stub_and_say_what_the_reference_agrees_on(check):
    def stub(*args):
        pass

    feedback = check(stub)
    assert not feedback
    assert feedback.message.startswith("Fill in ")
    assert not feedback.hint  # hints come after a wrong attempt
    passed = check(residual_backward if check is check_residual_backward else batchnorm_backward)
    assert "agrees with the reference on 4 random inputs" in passed.message
    assert "eps = 0.5" in passed.message or check is check_residual_backward


CASES = {
    "check_sigmoid_gradient_factor": {"right": [0.25], "wrong": [0.5, 1.0, 4.0, -0.25]},
    "check_residual_jacobian_norm": {"right": [1.01], "wrong": [0.02, 1.0, 0.98]},
    "check_he_std": {"right": [np.sqrt(2 / 256)], "wrong": [2 / 256, 1 / 16, np.sqrt(2 / 128)]},
    "check_activation_memory": {"right": [3_276_800], "wrong": [26_214_400, 32_768, 409_600]},
    "check_dropout_expectation": {"right": [3.0], "wrong": [2.25, 4.0, 0.0]},
    "check_residual_backward": {
        "right": [residual_backward, residual_backward_with_the_engine],
        "wrong": list(RESIDUAL_MISTAKES),
    },
    "check_batchnorm_backward": {
        "right": [batchnorm_backward, batchnorm_backward_with_the_engine],
        "wrong": list(BATCHNORM_MISTAKES),
    },
}

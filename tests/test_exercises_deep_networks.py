"""Tests for the exercise checkers of notebooks 09 and 10: right answers pass, each known mistake is named."""

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb.exercises import (
    check_activation_memory,
    check_dropout_expectation,
    check_he_std,
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
    assert feedback.hint


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

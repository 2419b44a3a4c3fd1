"""The checkers of notebook 00, the numpy primer: right answers pass, each known mistake is named.

The expected answers are checked against the package too (``bp.linear``, ``backward``,
``bp.softmax``), so the checkers and the engine cannot drift apart unnoticed.
"""

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb.exercises import (
    SOFTMAX_EXERCISE_SCORES,
    WEIGHT_GRAD_EXERCISE_G,
    WEIGHT_GRAD_EXERCISE_X,
    check_dense_forward,
    check_layer_output_shape,
    check_row_softmax,
    check_weight_gradient,
)

CHECKERS = [check_layer_output_shape, check_row_softmax, check_weight_gradient]


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_placeholder_asks_to_fill_in(checker, placeholder):
    feedback = checker(placeholder)
    assert not feedback
    assert "Fill in" in feedback.message


def test_exercise_inputs_are_read_only():
    for constant in (SOFTMAX_EXERCISE_SCORES, WEIGHT_GRAD_EXERCISE_G, WEIGHT_GRAD_EXERCISE_X):
        with pytest.raises(ValueError, match="read-only"):
            constant[0] = 1.0


# ----- the shape of X @ W.T + b ----------------------------------------------------------------
def test_layer_shape_right_answer_is_what_bp_linear_returns():
    X, W, b = np.ones((5, 3)), np.ones((4, 3)), np.ones(4)
    assert (X @ W.T + b).shape == bp.linear(X, W, b).shape == (5, 4)
    assert check_layer_output_shape((X @ W.T + b).shape)
    assert check_layer_output_shape([5, 4])
    assert check_layer_output_shape((np.int64(5), np.int64(4)))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((4, 5), "the lectures' layout"),
        ((5, 3), "that is X's shape"),
        ((4, 3), "that is W's shape"),
        ((3, 4), "that is W.T's shape"),
        ((4,), "that is b's shape"),
        (4, "that is b's shape"),
        ((5,), "a layer of one unit"),
        (20, "number of entries"),
        ((5, 4, 3), "which is not it"),
        ("(5, 4)", "tuple of whole numbers"),
        ((5.0, 4.0), "tuple of whole numbers"),
    ],
)
def test_layer_shape_mistakes(answer, message):
    feedback = check_layer_output_shape(answer)
    assert not feedback
    assert message in feedback.message


# ----- ∂L/∂W of f = W x: an outer product ------------------------------------------------------
G, X = WEIGHT_GRAD_EXERCISE_G, WEIGHT_GRAD_EXERCISE_X


def test_weight_gradient_is_the_outer_product_backward_computes():
    W = bp.tensor(np.zeros((3, 3)), requires_grad=True)
    (W @ bp.tensor(X)).backward(G)
    by_hand = np.array([[0.5, 1.0, -0.5], [-1.0, -2.0, 1.0], [2.0, 4.0, -2.0]])  # gᵢ xⱼ
    np.testing.assert_array_equal(W.grad, by_hand)
    assert check_weight_gradient(W.grad)
    assert check_weight_gradient(G[:, None] * X[None, :])
    assert check_weight_gradient(bp.tensor(by_hand))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (G @ X, "the dot product g · x"),
        (np.dot(X, G), "the dot product g · x"),
        (G * X, "the elementwise product"),
        (np.outer(X, G), "np.outer(x, g), the transpose"),
        (-np.outer(G, X), "every sign is flipped"),
        (np.outer(G, X) + np.eye(3), "3 of 9 entries differ"),
        (np.zeros((2, 3)), "should have shape (3, 3)"),
        ("gx", "array of numbers"),
    ],
)
def test_weight_gradient_mistakes(answer, message):
    feedback = check_weight_gradient(answer)
    assert not feedback
    assert message in feedback.message


# ----- softmax along each row ------------------------------------------------------------------
S = SOFTMAX_EXERCISE_SCORES
E = np.exp(S)


def test_row_softmax_right_answer_is_the_packages_softmax():
    expected = bp.softmax(S, axis=1).data
    np.testing.assert_allclose(expected.sum(axis=1), np.ones(4))
    assert check_row_softmax(expected)
    assert check_row_softmax(E / E.sum(axis=1, keepdims=True))
    shifted = np.exp(S - S.max(axis=1, keepdims=True))  # the stable form gives the same numbers
    assert check_row_softmax(shifted / shifted.sum(axis=1, keepdims=True))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (E / E.sum(axis=0), "you summed over axis 0"),
        (E / E.sum(axis=0, keepdims=True), "you summed over axis 0"),
        (E / E.sum(), "sum of all 12 entries"),
        (E, "those are the exponentials"),
        (S / S.sum(axis=1, keepdims=True), "divided the scores themselves"),
        ((E / E.sum(axis=1, keepdims=True)).T, "it is transposed"),
        (E.sum(axis=1), "should have shape (4, 3)"),
    ],
)
def test_row_softmax_mistakes(answer, message):
    feedback = check_row_softmax(answer)
    assert not feedback
    assert message in feedback.message


# ----- dense_forward(X, W, b) as code ----------------------------------------------------------
def dense_forward(X, W, b):
    return X @ W.T + b


def dense_forward_engine(X, W, b):
    return bp.linear(X, W, b)  # a Tensor: the checker reads its .data


def forgot_bias(X, W, b):
    return X @ W.T


def not_transposed(X, W, b):
    return X @ W + b


def lectures_layout(X, W, b):
    return W @ X.T + b[:, None]


def bias_per_row(X, W, b):
    return X @ W.T + b[:, None]


def adds_bias_in_place(X, W, b):
    out = X @ W.T
    out += b
    X += 1.0  # changes the caller's array
    return out


def stub(X, W, b):
    pass


@pytest.mark.parametrize(
    ("student", "phrase"),
    [
        (forgot_bias, "you forgot the bias b"),
        (not_transposed, "W is not transposed"),
        (lectures_layout, "the lectures' layout"),
        (bias_per_row, "you added b[i] to row i"),
        (adds_bias_in_place, "changed its input X in place"),
        (stub, "Fill in dense_forward"),
        (None, "Fill in dense_forward"),
        (lambda X, W, b: (X @ W.T + b).T, "the lectures' layout"),  # on the square trial
        (lambda X, W, b: (X @ W.T + b)[:, 0], "should have shape"),
    ],
)
def test_dense_forward_mistakes(student, phrase):
    feedback = check_dense_forward(student)
    assert not feedback
    assert phrase in feedback.message
    assert bool(feedback.hint) != feedback.message.startswith("Fill in")  # hints only after an attempt


def test_dense_forward_right_answers_pass_on_every_trial_shape():
    for student in (dense_forward, dense_forward_engine):
        feedback = check_dense_forward(student)
        assert feedback and "4 random inputs" in feedback.message and "X (6, 2), W (5, 2)" in feedback.message


CASES = {
    "check_layer_output_shape": {"right": [(5, 4)], "wrong": [(4, 5), (5, 3), "(5, 4)", None]},
    "check_weight_gradient": {"right": [np.outer(G, X)], "wrong": [G @ X, G * X, np.outer(X, G), None]},
    "check_row_softmax": {
        "right": [E / E.sum(axis=1, keepdims=True)],
        "wrong": [E / E.sum(axis=0), E / E.sum(), E, None],
    },
    "check_dense_forward": {
        "right": [dense_forward, dense_forward_engine],
        "wrong": [forgot_bias, not_transposed, lectures_layout, bias_per_row, adds_bias_in_place, stub],
    },
}

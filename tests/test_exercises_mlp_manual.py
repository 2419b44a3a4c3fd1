"""The code exercises of notebooks 06 and 07: right functions pass, each usual mistake is named.

The answers are functions. The checkers take the truth from the engine on their own fresh
inputs; the hand formulas the wrong answers are built from are checked against the engine too.
"""

import numpy as np
import pytest

from backprop_nb.exercises import check_affine_backward, check_mlp_backward, check_relu_backward
from backprop_nb.exercises.mlp_manual import (
    _affine_inputs,
    _affine_reference,
    _mlp_by_formula,
    _mlp_inputs,
    _mlp_reference,
    _relu_inputs,
    _relu_reference,
)


# ----- right answers -----------------------------------------------------------------------------------
def affine_backward(dout, X, W, b):
    return dout @ W, dout.T @ X, dout.sum(axis=0)


def relu_backward(dout, z):
    return dout * (z > 0)


def relu_backward_with_where(dout, z):
    return np.where(z > 0, dout, 0.0)


def mlp_backward(X, y, W1, b1, W2, b2):
    Z1 = X @ W1.T + b1
    H1 = np.maximum(Z1, 0)
    S = H1 @ W2.T + b2
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dS = P.copy()
    dS[np.arange(len(X)), y] -= 1
    dS /= len(X)
    dZ1 = (dS @ W2) * (Z1 > 0)
    return dZ1.T @ X, dZ1.sum(axis=0), dS.T @ H1, dS.sum(axis=0)


# ----- wrong answers, each a typical mistake -----------------------------------------------------------
def affine_dW_transposed(dout, X, W, b):
    return dout @ W, X.T @ dout, dout.sum(axis=0)


def affine_db_not_summed(dout, X, W, b):
    return dout @ W, dout.T @ X, dout


def affine_db_wrong_axis(dout, X, W, b):
    return dout @ W, dout.T @ X, dout.sum(axis=1)


def affine_db_mean(dout, X, W, b):
    return dout @ W, dout.T @ X, dout.mean(axis=0)


def affine_no_upstream(dout, X, W, b):
    ones = np.ones_like(dout)
    return ones @ W, ones.T @ X, ones.sum(axis=0)


def affine_dX_missing_transpose(dout, X, W, b):
    return dout @ W.T, dout.T @ X, dout.sum(axis=0)


def affine_stub(dout, X, W, b):
    """Return (dX, dW, db)."""


def relu_slope_one_at_zero(dout, z):
    return dout * (z >= 0)


def relu_mask_on_output(dout, z):
    return dout * (dout > 0)


def relu_no_upstream(dout, z):
    return (z > 0).astype(float)


def relu_times_output(dout, z):
    return dout * np.maximum(z, 0.0)


def relu_in_place(dout, z):
    dout[z <= 0] = 0.0
    return dout


def relu_stub(dout, z):
    """Return dz."""


def mlp_sum_not_mean(X, y, W1, b1, W2, b2):
    return tuple(g * len(X) for g in mlp_backward(X, y, W1, b1, W2, b2))


def mlp_no_relu_mask(X, y, W1, b1, W2, b2):
    return _mlp_by_formula(X, y, W1, b1, W2, b2, mask=False)


def mlp_bias_means(X, y, W1, b1, W2, b2):
    dW1, db1, dW2, db2 = mlp_backward(X, y, W1, b1, W2, b2)
    return dW1, db1 / len(X), dW2, db2 / len(X)


def mlp_no_onehot(X, y, W1, b1, W2, b2):
    return _mlp_by_formula(X, y, W1, b1, W2, b2, probabilities=lambda S, P, onehot: P)


def mlp_sign_flipped(X, y, W1, b1, W2, b2):
    return tuple(-g for g in mlp_backward(X, y, W1, b1, W2, b2))


def mlp_scores_not_probabilities(X, y, W1, b1, W2, b2):
    return _mlp_by_formula(X, y, W1, b1, W2, b2, probabilities=lambda S, P, onehot: S - onehot)


def mlp_dW1_transposed(X, y, W1, b1, W2, b2):
    dW1, db1, dW2, db2 = mlp_backward(X, y, W1, b1, W2, b2)
    return dW1.T, db1, dW2, db2


def mlp_three_gradients(X, y, W1, b1, W2, b2):
    return mlp_backward(X, y, W1, b1, W2, b2)[:3]


CASES = {
    "check_affine_backward": {
        "right": [affine_backward],
        "wrong": [
            affine_dW_transposed,
            affine_db_not_summed,
            affine_db_wrong_axis,
            affine_db_mean,
            affine_no_upstream,
            affine_dX_missing_transpose,
            affine_stub,
        ],
    },
    "check_relu_backward": {
        "right": [relu_backward, relu_backward_with_where],
        "wrong": [relu_slope_one_at_zero, relu_mask_on_output, relu_no_upstream, relu_in_place, relu_stub],
    },
    "check_mlp_backward": {
        "right": [mlp_backward],
        "wrong": [
            mlp_sum_not_mean,
            mlp_no_relu_mask,
            mlp_bias_means,
            mlp_no_onehot,
            mlp_dW1_transposed,
            mlp_three_gradients,
        ],
    },
}
CHECKS = {
    "check_affine_backward": check_affine_backward,
    "check_relu_backward": check_relu_backward,
    "check_mlp_backward": check_mlp_backward,
}


@pytest.mark.parametrize("name", CASES)
def test_right_functions_pass(name):
    for function in CASES[name]["right"]:
        feedback = CHECKS[name](function)
        assert feedback, f"{function.__name__}: {feedback}"


@pytest.mark.parametrize(("name", "function"), [(n, f) for n, case in CASES.items() for f in case["wrong"]])
def test_wrong_functions_fail(name, function):
    assert not CHECKS[name](function)


# ----- the checkers' own truth: the engine, on inputs that exercise the corners --------------------------
def test_the_references_are_the_hand_formulas():
    rng = np.random.default_rng(0)
    for _ in range(5):
        inputs = _affine_inputs(rng)
        for mine, engine in zip(affine_backward(**inputs), _affine_reference(**inputs), strict=True):
            np.testing.assert_allclose(mine, engine, rtol=1e-12)
        inputs = _relu_inputs(rng)
        np.testing.assert_array_equal(relu_backward(**inputs), _relu_reference(**inputs))
        inputs = _mlp_inputs(rng)
        for mine, formula, engine in zip(
            mlp_backward(**inputs), _mlp_by_formula(**inputs), _mlp_reference(**inputs), strict=True
        ):
            np.testing.assert_allclose(mine, engine, rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(formula, engine, rtol=1e-10, atol=1e-14)


def test_inputs_vary_and_have_the_corners_that_expose_mistakes():
    rng = np.random.default_rng(1)
    affine_shapes = {_affine_inputs(rng)["dout"].shape for _ in range(8)}
    assert len(affine_shapes) >= 3
    for _ in range(8):
        inputs = _affine_inputs(rng)
        (n, m), d = inputs["dout"].shape, inputs["X"].shape[1]
        assert len({n, m, d}) == 3  # a transposed or unsummed answer always has the wrong shape
        relu = _relu_inputs(rng)
        assert (relu["z"] == 0).any()  # the kink, where relu′(0) = 1 shows
        mlp = _mlp_inputs(rng)
        assert len({*mlp["W1"].shape, *mlp["W2"].shape, len(mlp["X"])}) == 4


# ----- the diagnoses --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("function", "diagnosis"),
    [
        (affine_dW_transposed, "dW is transposed"),
        (affine_db_not_summed, "db has no sum over the batch"),
        (affine_db_wrong_axis, "db sums over the wrong axis"),
        (affine_dX_missing_transpose, "raised ValueError"),
        (affine_db_mean, "db is the mean over the batch"),
        (affine_no_upstream, "you forgot the upstream gradient dout"),
        (affine_stub, "fill in"),
    ],
)
def test_affine_mistakes_are_named(function, diagnosis):
    feedback = check_affine_backward(function)
    assert not feedback
    assert diagnosis.lower() in feedback.message.lower()


@pytest.mark.parametrize(
    ("function", "diagnosis"),
    [
        (relu_slope_one_at_zero, "at z = 0"),
        (relu_mask_on_output, "the mask comes from the input"),
        (relu_no_upstream, "you forgot the upstream gradient dout"),
        (relu_times_output, "you multiplied by the ReLU's output"),
        (relu_in_place, "changed its input dout in place"),
        (relu_stub, "fill in"),
    ],
)
def test_relu_mistakes_are_named(function, diagnosis):
    feedback = check_relu_backward(function)
    assert not feedback
    assert diagnosis.lower() in feedback.message.lower()


@pytest.mark.parametrize(
    ("function", "diagnosis"),
    [
        (mlp_sum_not_mean, "all four gradients are N times too large: the loss is the MEAN over the batch"),
        (mlp_no_relu_mask, "dW2 and db2 are right, dW1 and db1 are not: the ReLU's mask is missing"),
        (mlp_bias_means, "the weight gradients are right, db1 and db2 are not"),
        (mlp_no_onehot, "dS lacks the − onehot"),
        (mlp_sign_flipped, "dS has the sign flipped"),
        (mlp_scores_not_probabilities, "dS uses the scores S instead of the softmax probabilities"),
        (mlp_dW1_transposed, "dW1 has shape"),
        (mlp_three_gradients, "it should return a tuple of 4 arrays (dW1, db1, dW2, db2), got 3 values"),
    ],
)
def test_mlp_mistakes_are_named(function, diagnosis):
    feedback = check_mlp_backward(function)
    assert not feedback
    assert diagnosis in feedback.message


def test_mlp_names_the_first_tensor_that_differs():
    def only_dW2_wrong(X, y, W1, b1, W2, b2):
        dW1, db1, dW2, db2 = mlp_backward(X, y, W1, b1, W2, b2)
        return dW1, db1, dW2 + 1.0, db2

    feedback = check_mlp_backward(only_dW2_wrong)
    assert not feedback
    assert "dW2" in feedback.message
    assert "dW1" not in feedback.message

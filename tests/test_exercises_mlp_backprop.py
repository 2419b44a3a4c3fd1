"""Tests for the exercise checkers of notebooks 06 and 07: right answers pass, each known mistake is named."""

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb.exercises import (
    check_mlp_grad_shapes,
    check_omega_grad,
    check_relu_indicator,
    check_toy_beta_grad,
)
from backprop_nb.exercises.mlp_backprop import TOY_PARAMETERS, _toy_gradients

CHECKERS = [check_toy_beta_grad, check_omega_grad, check_relu_indicator, check_mlp_grad_shapes]


@pytest.mark.parametrize("check", CHECKERS)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_the_placeholder_asks_to_fill_in(check, placeholder):
    feedback = check(placeholder)
    assert not feedback
    assert str(feedback).startswith("✘ Not yet: Fill in your answer: replace None with")


# ----- the toy network: ∂ℓ/∂β₁ at x = 1, y = 3 --------------------------------------------------------
def _engine_toy_gradients(x, y, params=TOY_PARAMETERS):
    p = {name: bp.tensor(value, requires_grad=True) for name, value in params.items()}
    h = x
    for k in range(3):
        h = (p[f"beta{k}"] + p[f"omega{k}"] * h).relu()
    loss = (p["beta3"] + p["omega3"] * h - y) ** 2
    loss.backward()
    return {name: t.grad.item() for name, t in p.items()}


@pytest.mark.parametrize(("x", "y"), [(1.0, 3.0), (1.5, 1.0), (-2.0, 0.5)])
def test_the_hand_recipe_matches_the_engine(x, y):
    # x = −2 makes f0 = −1.5 < 0: every gradient below the dead unit is 0
    assert _toy_gradients(x, y) == pytest.approx(_engine_toy_gradients(x, y))


def test_toy_beta_grad_right_answer():
    # f0 = 1.5, f1 = 2, f2 = 1, f3 = −0.5;  ∂ℓ/∂f3 = 2(−0.5 − 3) = −7;  ∂ℓ/∂f2 = ω3·(−7) = 7;  ∂ℓ/∂f1 = ω2·7 = 10.5
    assert _engine_toy_gradients(1.0, 3.0)["beta1"] == 10.5
    assert check_toy_beta_grad(10.5)
    assert "= 10.5" in str(check_toy_beta_grad(10.5))


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (-10.5, "the sign is flipped"),
        (5.25, "you dropped the factor 2"),
        (15.75, "that is ∂ℓ/∂ω₁"),  # h1 · 10.5 = 1.5 · 10.5
        (7.0, "that is ∂ℓ/∂β₂"),
        (21.0, "that is ∂ℓ/∂β₀"),  # ω1 · 10.5
        (-7.0, "that is ∂ℓ/∂f₃ = ∂ℓ/∂β₃"),
        (3.0, "which is not it"),
    ],
)
def test_toy_beta_grad_mistakes_are_named(answer, diagnosis):
    feedback = check_toy_beta_grad(answer)
    assert not feedback
    assert diagnosis in feedback.message


# ----- ∂l/∂Ω_k = ∂l/∂f_k h_kᵀ -------------------------------------------------------------------------
DL_DF, H = np.array([2.0, -1.0, 0.5]), np.array([1.5, 0.5])
OMEGA = np.array([[1.0, -2.0], [0.5, 1.0], [-1.0, 3.0]])


def test_omega_grad_right_answer_agrees_with_the_engine():
    omega = bp.tensor(OMEGA, requires_grad=True)
    f = omega @ bp.tensor(H)
    f.backward(DL_DF)
    np.testing.assert_allclose(omega.grad, [[3.0, 1.0], [-1.5, -0.5], [0.75, 0.25]])
    assert check_omega_grad(omega.grad)
    assert check_omega_grad(np.outer(DL_DF, H).tolist())


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (np.outer(H, DL_DF), "has shape (2, 3) but should have (3, 2): it is transposed"),
        (OMEGA.T @ DL_DF, "that is Ω_kᵀ ∂l/∂f_k = ∂l/∂h_k"),  # (1.0, −3.5)
        (-np.outer(DL_DF, H), "every sign is flipped"),
        (float(DL_DF[:2] @ H), "you gave one number"),
        (np.outer(DL_DF, H) + np.eye(3, 2), "2 of 6 entries differ, the first at index (0, 0)"),
        (DL_DF, "should have shape (3, 2), got (3,)"),
        ("grad", "should be an array of numbers"),
    ],
)
def test_omega_grad_mistakes_are_named(answer, diagnosis):
    feedback = check_omega_grad(answer)
    assert not feedback
    assert diagnosis in feedback.message


# ----- the ReLU indicator at f = (2, −1, 0, 0.5, −3) ----------------------------------------------------
def test_relu_indicator_right_answer_agrees_with_the_engine():
    f = np.array([2.0, -1.0, 0.0, 0.5, -3.0])
    np.testing.assert_array_equal(np.diag(bp.jacobian(bp.relu, f)), [1, 0, 0, 1, 0])
    assert check_relu_indicator([1, 0, 0, 1, 0])
    assert check_relu_indicator(f > 0)  # booleans are fine


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        ([2.0, 0.0, 0.0, 0.5, 0.0], "those are the ReLU outputs"),
        ([1, 0, 1, 1, 0], "you gave slope 1 at f = 0"),
        ([0, 1, 0, 0, 1], "you marked the negative entries"),
        ([0, 1, 1, 0, 1], "you marked the negative entries"),
        ([1, 1, 0, 1, 0], "1 of 5 entries differ, the first at index (1,)"),
        ([1, 0, 1], "should have shape (5,), got (3,)"),
    ],
)
def test_relu_indicator_mistakes_are_named(answer, diagnosis):
    feedback = check_relu_indicator(answer)
    assert not feedback
    assert diagnosis in feedback.message


# ----- gradient shapes of MLP([4, 5, 3]) on a batch of 8 ------------------------------------------------
def test_mlp_grad_shapes_right_answer_agrees_with_the_engine():
    model = bp.nn.MLP([4, 5, 3], seed=0)
    X = np.random.default_rng(0).standard_normal((8, 4))
    bp.nn.cross_entropy(model(bp.tensor(X)), np.arange(8) % 3).backward()
    shapes = [p.grad.shape for p in model.parameters()]
    answer = dict(zip(["W1", "b1", "W2", "b2"], shapes, strict=True))
    assert answer == {"W1": (5, 4), "b1": (5,), "W2": (3, 5), "b2": (3,)}
    assert check_mlp_grad_shapes(answer)
    assert check_mlp_grad_shapes({"W1": [5, 4], "b1": (5,), "W2": (3, 5), "b2": (3,)})


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        ({"W1": (4, 5)}, "W1: (4, 5) is transposed"),
        ({"W2": (8, 3, 5)}, "W2: (8, 3, 5) has a batch axis"),
        ({"b1": (8, 5)}, "b1: (8, 5) has a batch axis"),
        ({"b2": (1, 3)}, "b2: a bias is a vector, shape (3,), not a (1, 3) matrix"),
        ({"b2": (3, 1)}, "b2: a bias is a vector"),
        ({"W2": (3, 4)}, "W2: (3, 4) is not its shape"),
        ({"b1": 5}, "b1 should be a tuple of ints like (5,) (what .shape gives), got 5"),
        ({"W1": "54", "W2": "35"}, "W1: '54' is a string; a shape is a tuple of ints, like (5, 4); W2: '35'"),
        ({"W1": (5.0, 4.0)}, "W1 should be a tuple of ints like (5, 4) (what .shape gives), got (5.0, 4.0)"),
        ({"b2": (True, 3)}, "b2 should be a tuple of ints"),
        ({"W1": None}, "Fill in your answer: the shapes of W1 are still missing"),
    ],
)
def test_mlp_grad_shapes_mistakes_are_named(answer, diagnosis):
    right = {"W1": (5, 4), "b1": (5,), "W2": (3, 5), "b2": (3,)}
    feedback = check_mlp_grad_shapes(right | answer)
    assert not feedback
    assert diagnosis in feedback.message


def test_mlp_grad_shapes_needs_a_dict():
    feedback = check_mlp_grad_shapes([(5, 4), (5,), (3, 5), (3,)])
    assert not feedback
    assert "give a dict with the keys ['W1', 'b1', 'W2', 'b2'], got list" in feedback.message


# ----- every checker: wrong answers (the usual mistakes first) and a right one, for the coverage test ----
_SHAPES = {"W1": (5, 4), "b1": (5,), "W2": (3, 5), "b2": (3,)}
CASES = {
    "check_toy_beta_grad": {"right": [10.5, 10.50001], "wrong": [-10.5, 5.25, 15.75, 7.0, 10.4, "10.5x"]},
    "check_omega_grad": {
        "right": [np.outer(DL_DF, H)],
        "wrong": [np.outer(H, DL_DF), OMEGA.T @ DL_DF, float(DL_DF[:2] @ H), OMEGA],
    },
    "check_relu_indicator": {
        "right": [[1, 0, 0, 1, 0]],
        "wrong": [[1, 0, 1, 1, 0], [2.0, 0.0, 0.0, 0.5, 0.0], [0, 1, 1, 0, 1], [1, 0, 1]],
    },
    "check_mlp_grad_shapes": {
        "right": [_SHAPES],
        "wrong": [
            _SHAPES | {"W1": "54", "W2": "35"},
            _SHAPES | {"W1": (4, 5)},
            _SHAPES | {"b1": (8, 5)},
            _SHAPES | {"b2": (1, 3)},
            list(_SHAPES.values()),
            _SHAPES | {"W1": np.array([5, 4])},
        ],
    },
}


@pytest.mark.parametrize("name", CASES)
def test_cases(name):
    check = globals()[name]
    for answer in CASES[name]["right"]:
        assert check(answer), answer
    for answer in CASES[name]["wrong"]:
        assert not check(answer), answer

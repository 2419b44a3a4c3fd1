"""Tests for backprop_nb.nn losses: hand-computed values, gradients, stability and errors."""

import math
import re

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb import nn
from backprop_nb.errors import ShapeError
from backprop_nb.graph import topological_order
from backprop_nb.nn.losses import (
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    MulticlassHinge,
    SoftmaxCrossEntropy,
    SquaredError,
    SumOfSquares,
)

# CS231n's example: scores for the classes (cat, car, frog), one row per image (cat, car, frog image)
CS231N_SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
CS231N_LABELS = [0, 1, 2]


def raises(exc, message):
    """``pytest.raises`` matching ``message`` literally, not as a regex."""
    return pytest.raises(exc, match=re.escape(message))


def log_sum_exp(row):
    return math.log(sum(math.exp(v) for v in row))


# ----- mse_loss -----------------------------------------------------------------------------
def test_mse_loss_by_hand():
    pred = bp.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    target = [[1.0, 0.0], [5.0, 4.0]]  # squared errors 0, 4, 4, 0
    loss = nn.mse_loss(pred, target)
    assert loss.item() == pytest.approx(2.0)
    assert nn.mse_loss(pred, target, reduction="sum").item() == pytest.approx(8.0)
    assert nn.mse_loss(pred, target, reduction="none").data.tolist() == [[0.0, 4.0], [4.0, 0.0]]
    loss.backward()
    assert np.allclose(pred.grad, [[0.0, 1.0], [-1.0, 0.0]])  # 2(pred − target)/4
    assert nn.mse_loss(np.array([1.0, 3.0]), bp.tensor([0.0, 0.0])).item() == pytest.approx(5.0)


def test_mse_loss_is_one_op_with_both_gradients():
    pred, target = np.array([0.5, -1.0, 2.0]), np.array([1.0, 1.0, -1.0])
    assert bp.grad_check(nn.mse_loss, pred, target)
    assert bp.grad_check(lambda p, t: nn.mse_loss(p, t, reduction="sum"), pred, target)
    weights = np.array([1.0, -2.0, 0.5])
    assert bp.grad_check(lambda p, t: (nn.mse_loss(p, t, reduction="none") * weights).sum(), pred, target)
    loss = nn.mse_loss(bp.tensor(pred, requires_grad=True), target)
    assert type(loss.op) is SquaredError and loss.op.describe() == "mse_loss"


def test_mse_loss_refuses_the_n_against_n1_broadcast():
    with raises(
        ShapeError,
        "mse_loss: predictions of shape (4, 1) and targets of shape (4,) must have exactly the same shape: "
        "they differ only in axes of length 1, and broadcasting them would silently compare every "
        "prediction with every target; reshape one, e.g. target.reshape(pred.shape)",
    ):
        nn.mse_loss(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(
        ShapeError, match=r"shape \(3,\) and targets of shape \(4,\) must have exactly the same shape$"
    ):
        nn.mse_loss(np.zeros(3), np.zeros(4))
    with raises(ValueError, "mse_loss: got an empty batch (shape (0,))"):
        nn.mse_loss(np.zeros(0), np.zeros(0))
    with raises(ValueError, "mse_loss: reduction must be one of ('mean', 'sum', 'none'), got 'avg'"):
        nn.mse_loss(np.zeros(2), np.zeros(2), reduction="avg")


# ----- binary cross-entropy -----------------------------------------------------------------
def test_binary_cross_entropy_by_hand():
    probs = bp.tensor([0.9, 0.2], requires_grad=True)
    loss = nn.binary_cross_entropy(probs, [1.0, 0.0])
    assert loss.item() == pytest.approx(-(math.log(0.9) + math.log(0.8)) / 2)
    loss.backward()
    # (p − y) / (p(1 − p)) / n
    assert np.allclose(probs.grad, [(0.9 - 1) / (0.9 * 0.1) / 2, 0.2 / (0.2 * 0.8) / 2])


def test_binary_cross_entropy_clamps_the_log_at_minus_100_like_pytorch():
    losses = nn.binary_cross_entropy([0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0], reduction="none")
    assert losses.data.tolist() == [100.0, 100.0, 0.0, 0.0]
    probs = bp.tensor([0.0, 1.0], requires_grad=True)
    nn.binary_cross_entropy(probs, [1.0, 0.0]).backward()
    assert np.all(np.isfinite(probs.grad)) and probs.grad[0] < -1e10 and probs.grad[1] > 1e10


def test_binary_cross_entropy_gradients():
    # targets strictly inside (0, 1), so the finite differences stay valid targets
    probs, target = np.array([0.1, 0.5, 0.8, 0.97]), np.array([0.05, 0.9, 0.6, 0.3])
    assert bp.grad_check(nn.binary_cross_entropy, probs, target)
    weights = np.array([1.0, -1.0, 2.0, 0.5])
    check = bp.grad_check(
        lambda p, t: (nn.binary_cross_entropy(p, t, reduction="none") * weights).sum(), probs, target
    )
    assert check
    loss = nn.binary_cross_entropy(bp.tensor(probs, requires_grad=True), target)
    assert type(loss.op) is BinaryCrossEntropy


def test_binary_cross_entropy_errors():
    with raises(
        ValueError,
        "binary_cross_entropy: probabilities must be in [0, 1], got 1.3 at index (1,); "
        "for raw scores (logits) use binary_cross_entropy_with_logits",
    ):
        nn.binary_cross_entropy([0.5, 1.3], [1.0, 0.0])
    with raises(ValueError, "binary_cross_entropy: probabilities must be in [0, 1], got nan at index (0, 0)"):
        nn.binary_cross_entropy([[float("nan")]], [[1.0]])
    with raises(ValueError, "binary_cross_entropy: targets must be in [0, 1], got 2.0 at index (0,)"):
        nn.binary_cross_entropy([0.5], [2.0])
    with raises(ShapeError, "binary_cross_entropy: predictions of shape (2, 1) and targets of shape (2,)"):
        nn.binary_cross_entropy([[0.5], [0.5]], [1.0, 0.0])


def test_binary_cross_entropy_with_logits_matches_the_sigmoid_form():
    z, y = np.array([2.0, -1.0, 0.5, 0.0]), np.array([1.0, 0.0, 1.0, 0.4])
    sigma = 1 / (1 + np.exp(-z))
    expected = -(y * np.log(sigma) + (1 - y) * np.log(1 - sigma))
    assert np.allclose(nn.binary_cross_entropy_with_logits(z, y, reduction="none").data, expected)
    assert nn.binary_cross_entropy_with_logits(z, y).item() == pytest.approx(expected.mean())
    assert bp.grad_check(nn.binary_cross_entropy_with_logits, z, np.array([0.9, 0.1, 0.5, 0.4]))
    logits = bp.tensor(z, requires_grad=True)
    loss = nn.binary_cross_entropy_with_logits(logits, y)
    loss.backward()
    assert type(loss.op) is BinaryCrossEntropyWithLogits
    assert np.allclose(logits.grad, (sigma - y) / 4)


def test_binary_cross_entropy_with_logits_is_stable_at_huge_logits():
    z = bp.tensor([1000.0, -1000.0, 1000.0, -1000.0], requires_grad=True)
    losses = nn.binary_cross_entropy_with_logits(z, [0.0, 1.0, 1.0, 0.0], reduction="none")
    assert losses.data.tolist() == [1000.0, 1000.0, 0.0, 0.0]
    losses.sum().backward()
    assert z.grad.tolist() == [1.0, -1.0, 0.0, 0.0]
    with raises(
        ValueError, "binary_cross_entropy_with_logits: targets must be in [0, 1], got -1.0 at index (0,)"
    ):
        nn.binary_cross_entropy_with_logits([0.0], [-1.0])


# ----- cross_entropy ------------------------------------------------------------------------
def test_cross_entropy_of_the_cs231n_cat_scores_uses_natural_log():
    loss = nn.cross_entropy(CS231N_SCORES[:1], [0]).item()
    assert loss == pytest.approx(log_sum_exp([3.2, 5.1, -1.7]) - 3.2)
    assert loss == pytest.approx(2.04, abs=5e-3)
    assert loss / math.log(10) == pytest.approx(0.89, abs=5e-3)  # the slides' number is this in log₁₀


def test_cross_entropy_batch_by_hand_and_reductions():
    per_row = [log_sum_exp(row) - row[label] for row, label in zip(CS231N_SCORES, CS231N_LABELS, strict=True)]
    got = nn.cross_entropy(CS231N_SCORES, CS231N_LABELS, reduction="none").data
    assert np.allclose(got, per_row)
    assert nn.cross_entropy(CS231N_SCORES, CS231N_LABELS).item() == pytest.approx(sum(per_row) / 3)
    assert nn.cross_entropy(CS231N_SCORES, CS231N_LABELS, reduction="sum").item() == pytest.approx(
        sum(per_row)
    )


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    logits = bp.tensor(CS231N_SCORES, requires_grad=True)
    loss = nn.cross_entropy(logits, CS231N_LABELS)
    loss.backward()
    softmax = np.exp(CS231N_SCORES) / np.exp(CS231N_SCORES).sum(axis=1, keepdims=True)
    assert np.allclose(logits.grad, (softmax - np.eye(3)) / 3)
    assert type(loss.op) is SoftmaxCrossEntropy
    assert len(topological_order(loss)) == 3  # logits, labels, the loss: one op
    assert [t.name for t in loss.op.parents] == [None, "labels"]
    assert bp.grad_check(lambda s: nn.cross_entropy(s, [2, 0, 1]), CS231N_SCORES)
    weights = np.array([1.0, -2.0, 0.5])
    assert bp.grad_check(
        lambda s: (nn.cross_entropy(s, [2, 0, 1], reduction="none") * weights).sum(), CS231N_SCORES
    )


def test_cross_entropy_does_not_overflow_at_logits_of_1000():
    logits = bp.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]], requires_grad=True)
    loss = nn.cross_entropy(logits, [0, 0])
    assert loss.item() == pytest.approx(1000.0)  # the losses are 0 and 2000
    loss.backward()
    assert np.allclose(logits.grad, [[0.0, 0.0, 0.0], [-0.5, 0.5, 0.0]])


@pytest.mark.parametrize(
    "labels",
    [[0, 2], np.array([0, 2], dtype=np.int32), np.array([0.0, 2.0]), bp.tensor([0.0, 2.0]), (0, 2)],
    ids=["list", "int32", "whole floats", "Tensor", "tuple"],
)
def test_cross_entropy_label_types(labels):
    expected = (log_sum_exp([3.2, 5.1, -1.7]) - 3.2 + log_sum_exp([1.3, 4.9, 2.0]) - 2.0) / 2
    assert nn.cross_entropy(CS231N_SCORES[:2], labels).item() == pytest.approx(expected)


def test_cross_entropy_of_one_example_as_a_vector():
    single = nn.cross_entropy([3.2, 5.1, -1.7], 0).item()
    assert single == pytest.approx(nn.cross_entropy(CS231N_SCORES[:1], [0]).item())
    assert nn.cross_entropy(bp.tensor([3.2, 5.1, -1.7]), bp.tensor([0.0])).item() == pytest.approx(single)
    assert bp.grad_check(lambda s: nn.cross_entropy(s, 1), np.array([3.2, 5.1, -1.7]))


# ----- multiclass_hinge ---------------------------------------------------------------------
def test_multiclass_hinge_on_the_cs231n_table():
    # cat image:  max(0, 5.1 − 3.2 + 1) + max(0, −1.7 − 3.2 + 1) = 2.9 + 0
    # car image:  max(0, 1.3 − 4.9 + 1) + max(0, 2.0 − 4.9 + 1) = 0 + 0
    # frog image: max(0, 2.2 + 3.1 + 1) + max(0, 2.5 + 3.1 + 1) = 6.3 + 6.6 = 12.9
    losses = nn.multiclass_hinge(CS231N_SCORES, CS231N_LABELS, reduction="none").data
    assert np.allclose(losses, [2.9, 0.0, 12.9])
    mean = nn.multiclass_hinge(CS231N_SCORES, CS231N_LABELS).item()
    assert mean == pytest.approx((2.9 + 0.0 + 12.9) / 3)
    assert mean == pytest.approx(5.27, abs=5e-3)
    lecture_table = CS231N_SCORES.T  # one column per image, as on the slide
    assert nn.multiclass_hinge(lecture_table.T, CS231N_LABELS).item() == pytest.approx(mean)


def test_multiclass_hinge_gradient_by_hand():
    scores = bp.tensor(CS231N_SCORES, requires_grad=True)
    loss = nn.multiclass_hinge(scores, CS231N_LABELS)
    loss.backward()
    # cat image: only "car" beats the margin; frog image: both cat and car do
    assert np.allclose(scores.grad, np.array([[-1, 1, 0], [0, 0, 0], [1, 1, -2]]) / 3)
    assert type(loss.op) is MulticlassHinge and loss.op.describe() == "multiclass_hinge(margin=1.0)"
    assert bp.grad_check(lambda s: nn.multiclass_hinge(s, CS231N_LABELS), CS231N_SCORES)
    assert bp.grad_check(
        lambda s: nn.multiclass_hinge(s, [1, 0, 0], margin=2.0, reduction="sum"), CS231N_SCORES
    )


def test_multiclass_hinge_margin_and_single_example():
    assert nn.multiclass_hinge([[3.2, 5.1, -1.7]], [0], margin=0.0).item() == pytest.approx(1.9)
    assert nn.multiclass_hinge([3.2, 5.1, -1.7], 0).item() == pytest.approx(2.9)
    with raises(ValueError, "multiclass_hinge: margin must be a finite number, got nan"):
        nn.multiclass_hinge(CS231N_SCORES, CS231N_LABELS, margin=float("nan"))
    with raises(TypeError, "multiclass_hinge: margin must be a number, got '1'"):
        nn.multiclass_hinge(CS231N_SCORES, CS231N_LABELS, margin="1")
    assert nn.multiclass_hinge([[3.2, 5.1, -1.7]], [0], margin=np.float32(0.0)).item() == pytest.approx(1.9)


# ----- label checks shared by cross_entropy and multiclass_hinge ----------------------------
@pytest.mark.parametrize("loss", [nn.cross_entropy, nn.multiclass_hinge])
@pytest.mark.parametrize(
    ("scores", "labels", "error", "message"),
    [
        (
            CS231N_SCORES,
            [0, 3, 1],
            ValueError,
            "label 3 at index 1 is outside [0, 3): the scores have 3 classes",
        ),
        (CS231N_SCORES, [0, 1, -1], ValueError, "label -1 at index 2 is outside [0, 3)"),
        (
            CS231N_SCORES,
            [0, 1.5, 1],
            ValueError,
            "labels must be whole numbers (class indices); label 1.5 at index 1 is not",
        ),
        (
            CS231N_SCORES,
            [True, False, True],
            TypeError,
            "labels must be integer class indices, got dtype bool",
        ),
        (
            CS231N_SCORES,
            ["cat", "car", "frog"],
            TypeError,
            "labels must be integer class indices, got dtype <U4",
        ),
        (
            CS231N_SCORES,
            [0, 1],
            ShapeError,
            "labels of shape (2,) do not fit scores of shape (3, 3): need one class index per row, shape (3,)",
        ),
        (
            CS231N_SCORES,
            np.eye(3),
            ShapeError,
            "these look one-hot encoded: pass class indices, labels.argmax(axis=1)",
        ),
        (
            CS231N_SCORES[None],
            [0, 1, 2],
            ShapeError,
            "expects scores of shape (N, C), one row per example, got shape (1, 3, 3)",
        ),
        (np.zeros((0, 3)), [], ValueError, "got empty scores of shape (0, 3)"),
        (
            [3.2, 5.1, -1.7],
            [0, 1],
            ShapeError,
            "scores of shape (3,) are one example and need one label, got labels of shape (2,)",
        ),
        (
            [[0.3], [-1.2]],
            np.array([[0], [1]]),
            ShapeError,
            "needs one score per class, at least 2, got scores of shape (2, 1): with a single class the loss "
            "is 0 whatever the scores",
        ),
    ],
    ids=[
        "too big",
        "negative",
        "fraction",
        "bool",
        "strings",
        "too few",
        "one-hot",
        "3-D",
        "empty",
        "1-D",
        "one class",
    ],
)
def test_label_errors(loss, scores, labels, error, message):
    with raises(error, f"{loss.__name__}"):
        loss(scores, labels)
    with raises(error, message):
        loss(scores, labels)


# ----- l2_penalty ---------------------------------------------------------------------------
def test_l2_penalty_value_gradient_and_one_op():
    weight = bp.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    bias = bp.tensor([4.0, -1.0], requires_grad=True)
    penalty = nn.l2_penalty([weight, bias])
    assert penalty.item() == pytest.approx(1 + 4 + 0.25 + 9 + 16 + 1)
    assert type(penalty.op) is SumOfSquares and penalty.op.describe() == "Σ‖W‖²"
    penalty.backward()
    assert np.allclose(weight.grad, 2 * weight.data) and np.allclose(bias.grad, 2 * bias.data)
    assert bp.grad_check(lambda w, b: nn.l2_penalty([w, b]), weight.data, bias.data)


def test_weight_matrices_select_the_weights_only():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.LayerNorm(3), nn.Linear(3, 1, seed=1))
    assert nn.weight_matrices(model) == [model[0].weight, model[2].weight]
    expected = (model[0].weight.data ** 2).sum() + (model[2].weight.data ** 2).sum()
    assert nn.l2_penalty(nn.weight_matrices(model)).item() == pytest.approx(expected)
    everything = sum((p.data**2).sum() for p in model.parameters())
    assert nn.l2_penalty(model.parameters()).item() == pytest.approx(everything)


def test_l2_penalty_errors():
    model = nn.MLP([2, 2], seed=0)
    with raises(
        TypeError,
        "l2_penalty takes parameters, not a module: pass model.parameters() or weight_matrices(model)",
    ):
        nn.l2_penalty(model)
    with raises(TypeError, "l2_penalty takes Tensors, got ndarray at position 1"):
        nn.l2_penalty([model[0].weight, np.ones(2)])
    params = model.parameters()
    list(params)
    with raises(
        ValueError, "l2_penalty got no tensors (an iterator such as model.parameters() can be used only once"
    ):
        nn.l2_penalty(params)


# ----- training a model end to end ----------------------------------------------------------
def test_losses_train_a_small_model():
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = [0, 1, 1, 0]
    model = nn.MLP([2, 8, 2], activation="tanh", seed=0)
    first = None
    for _ in range(300):
        model.zero_grad()
        loss = nn.cross_entropy(model(x), labels) + 1e-4 * nn.l2_penalty(nn.weight_matrices(model))
        loss.backward()
        first = loss.item() if first is None else first
        for p in model.parameters():
            p.data -= 0.5 * p.grad
    assert loss.item() < 0.1 < first
    assert model(x).data.argmax(axis=1).tolist() == labels


@pytest.mark.parametrize("params", [bp.tensor([1.0, 2.0]), 5])
def test_l2_penalty_needs_an_iterable_of_tensors(params):
    with raises(TypeError, "l2_penalty takes an iterable of Tensors, e.g. [W1, W2] or model.parameters()"):
        nn.l2_penalty(params)


def test_weight_matrices_needs_a_module():
    with raises(TypeError, "weight_matrices takes a bp.nn Module, got list"):
        nn.weight_matrices([bp.tensor(np.ones((2, 2)))])

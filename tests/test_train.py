"""bp.fit: the mini-batch loop, its History, validation, early stopping, divergence, bad input.

Models here are built directly from tensors and bp.linear (plus a local cross-entropy), so
these tests need nothing from bp.nn; the integration test at the end uses nn.
"""

import math

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb import nn, optim
from backprop_nb.data import blobs, regression_1d, spiral
from backprop_nb.errors import ShapeError
from backprop_nb.train import (
    DivergenceWarning,
    Evaluation,
    History,
    default_threshold,
    evaluate,
    fit,
    infer_task,
    predict,
    predicted_classes,
)


def cross_entropy(logits, labels):
    return -logits.log_softmax()[np.arange(len(labels)), labels].mean()


def mse(pred, target):
    assert pred.shape == target.shape, "fit must shape regression targets like the outputs"
    return ((pred - target) ** 2).mean()


class LinearModel:
    """x Wᵀ + b with tensors made here: the smallest model fit can train."""

    def __init__(self, inputs=2, outputs=3, seed=0):
        rng = np.random.default_rng(seed)
        self.W = bp.tensor(rng.normal(0.0, 0.1, (outputs, inputs)), requires_grad=True, name="W")
        self.b = bp.tensor(np.zeros(outputs), requires_grad=True, name="b")

    def __call__(self, x):
        return bp.linear(x, self.W, self.b)

    def parameters(self):
        return [self.W, self.b]

    def values(self):
        return [self.W.data.copy(), self.b.data.copy()]


@pytest.fixture
def separable():
    return blobs(n=50, centers=3, std=0.3, seed=0)  # 150 points, 3 well-separated clouds


def train(X, y, epochs=3, batch_size=32, lr=0.5, seed=0, **kwargs):
    model = LinearModel(inputs=X.shape[1])
    history = fit(
        model,
        X,
        y,
        cross_entropy,
        optim.SGD(model.parameters(), lr=lr),
        epochs,
        batch_size,
        seed=seed,
        progress=False,
        **kwargs,
    )
    return model, history


# ----- what the loop computes ---------------------------------------------------------------
def test_linear_model_separates_blobs_perfectly(separable):
    X, y = separable
    model, history = train(X, y, epochs=20, batch_size=16)
    assert history.train_accuracy[-1] == 1.0
    np.testing.assert_array_equal(predicted_classes(predict(model, X)), y)
    assert history.train_loss[-1] < history.train_loss[0] < history.step_loss[0]


def test_fit_is_the_lectures_loop(separable):
    """A hand-written loop over the same shuffled batches gives the same parameters and losses."""
    X, y = separable
    model, history = train(X, y, epochs=2, batch_size=32, lr=0.3, seed=7)
    manual = LinearModel()
    optimizer = optim.SGD(manual.parameters(), lr=0.3)
    rng = np.random.default_rng(7)
    step_losses = []
    for _ in range(2):
        order = rng.permutation(len(X))
        for start in range(0, len(X), 32):
            rows = order[start : start + 32]
            loss = cross_entropy(manual(bp.tensor(X[rows])), y[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step_losses.append(loss.item())
    np.testing.assert_allclose(history.step_loss, step_losses, rtol=1e-12)
    for fitted, by_hand in zip(model.values(), manual.values(), strict=True):
        np.testing.assert_allclose(fitted, by_hand, rtol=1e-12)
    # the epoch's train loss is the whole training set's loss at the final parameters
    np.testing.assert_allclose(history.train_loss[-1], cross_entropy(manual(bp.tensor(X)), y).item())


def test_history_lengths(separable):
    X, y = separable
    _, history = train(X, y, epochs=3, batch_size=32)
    assert history.steps_per_epoch == 5  # ceil(150 / 32)
    assert len(history.step_loss) == 15
    assert len(history.train_loss) == len(history.train_accuracy) == history.epochs == 3
    assert history.val_loss is None and history.val_accuracy is None
    assert history.stopped_epoch == 3 and history.stop_reason == "completed"
    assert history.message == "completed 3 epochs"
    _, full_batch = train(X, y, epochs=4, batch_size=None)
    assert full_batch.steps_per_epoch == 1 and len(full_batch.step_loss) == 4


def test_same_seed_same_run_other_seed_other_batches(separable):
    X, y = separable
    model_a, history_a = train(X, y, seed=3)
    model_b, history_b = train(X, y, seed=3)
    _, history_c = train(X, y, seed=4)
    assert history_a.step_loss == history_b.step_loss
    for a, b in zip(model_a.values(), model_b.values(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert history_a.step_loss[0] != history_c.step_loss[0]


def test_validation_fraction_holds_out_rows(separable):
    X, y = separable
    _, history = train(X, y, epochs=2, batch_size=32, validation=0.2)
    assert history.steps_per_epoch == 4  # 120 training rows: ceil(120 / 32)
    assert len(history.val_loss) == len(history.val_accuracy) == 2
    assert history.best_epoch in (1, 2)


def test_validation_pair_is_evaluated_at_the_end_of_each_epoch(separable):
    X, y = separable
    X_val, y_val = blobs(n=10, centers=3, std=0.3, seed=1)
    model, history = train(X, y, epochs=2, validation=(X_val, y_val))
    np.testing.assert_allclose(history.val_loss[-1], cross_entropy(model(bp.tensor(X_val)), y_val).item())
    assert history.val_accuracy[-1] == np.mean(predicted_classes(predict(model, X_val)) == y_val)


def test_early_stopping_stops_and_restores_the_best_parameters(separable):
    X, y = separable
    # validation labels shifted by one class: the better the model fits (X, y), the worse it does here
    model, history = train(X, y, epochs=20, validation=(X, (y + 1) % 3), early_stopping=2)
    assert history.stop_reason == "early_stopping"
    assert history.best_epoch == history.restored_epoch == 1
    assert history.stopped_epoch == 3 and history.epochs == 3
    assert "restored the parameters of epoch 1" in history.message
    after_one_epoch, _ = train(X, y, epochs=1)
    for restored, expected in zip(model.values(), after_one_epoch.values(), strict=True):
        np.testing.assert_array_equal(restored, expected)


def diverge(batch_size):
    X = np.linspace(-1.0, 1.0, 20).reshape(-1, 1)
    y = 3.0 * X[:, 0]
    model = LinearModel(inputs=1, outputs=1)
    with pytest.warns(DivergenceWarning, match=r"smaller learning rate than lr=1e\+06") as caught:
        history = fit(
            model,
            X,
            y,
            mse,
            optim.SGD(model.parameters(), lr=1e6),
            epochs=500,
            batch_size=batch_size,
            progress=False,
        )
    assert str(caught[0].message) == history.message
    assert history.stop_reason == "diverged" and history.stopped_epoch < 500
    return history


def test_nan_loss_in_a_step_stops_before_its_update():
    history = diverge(batch_size=5)
    assert not math.isfinite(history.step_loss[-1])
    assert all(math.isfinite(v) for v in history.step_loss[:-1] + history.train_loss)
    assert history.epochs == history.stopped_epoch - 1
    steps = len(history.step_loss)
    assert history.message.startswith(f"training stopped at step {steps} (epoch {history.stopped_epoch}):")


def test_nan_loss_in_the_epoch_evaluation_stops_there():
    history = diverge(batch_size=None)
    assert not math.isfinite(history.train_loss[-1])
    assert all(math.isfinite(v) for v in history.step_loss + history.train_loss[:-1])
    assert history.epochs == history.stopped_epoch
    assert history.message.startswith(
        f"training stopped at the evaluation after epoch {history.stopped_epoch}:"
    )


class SqrtModel:
    """x·√s with s = 0 at the start: the loss is finite, its gradient in s is not (1 / (2√0))."""

    def __init__(self):
        self.s = bp.tensor([0.0], requires_grad=True, name="s")

    def __call__(self, x):
        return x * self.s.sqrt()

    def parameters(self):
        return [self.s]


def test_a_gradient_that_is_not_finite_stops_before_its_update_and_names_the_parameter():
    X, y = np.array([[1.0], [2.0]]), np.array([1.0, 1.0])
    model = SqrtModel()
    with pytest.warns(DivergenceWarning) as caught:
        history = fit(model, X, y, mse, optim.SGD(model.parameters(), lr=0.1), epochs=3, progress=False)
    assert history.stop_reason == "diverged" and history.step_loss == [1.0]
    assert (
        history.message
        == str(caught[0].message)
        == (
            "training stopped at step 1 (epoch 1): the loss was finite (1) but the gradient of 's' contains "
            "inf, so this step's update was not applied and the parameters are those from before it. An op's "
            "backward divided by zero or overflowed (e.g. sqrt or log at 0, or a division by 0); run a step "
            "inside `with bp.detect_anomaly():` to find it"
        )
    )
    assert model.s.data.tolist() == [0.0]  # not nan: the update was not applied


def test_a_gradient_of_an_nn_model_is_named_by_its_path():
    class SqrtGain(nn.Module):
        def __init__(self):
            super().__init__()
            self.s = nn.Parameter([0.0])

        def forward(self, x):
            return x * self.s.sqrt()

    X, y = np.array([[1.0], [2.0]]), np.array([1.0, 1.0])
    model = nn.Sequential(nn.Linear(1, 1, seed=0), SqrtGain())
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    with pytest.warns(DivergenceWarning, match=r"the gradient of '1.s' contains"):
        fit(model, X, y, mse, optimizer, epochs=1, batch_size=None, progress=False)


def test_an_unnamed_parameter_is_named_by_its_position():
    model = SqrtModel()
    model.s.name = None
    params = [bp.tensor([1.0], requires_grad=True), model.s]
    with pytest.warns(DivergenceWarning, match="the gradient of parameter 1 contains inf"):
        fit(model, np.array([[1.0]]), np.array([1.0]), mse, optim.SGD(params, lr=0.1), progress=False)


def test_a_loss_that_is_nan_before_any_update_is_not_blamed_on_the_learning_rate():
    X, y = np.array([[1.0], [2.0]]), np.array([1.0, 1.0])
    model = SqrtModel()
    model.s.data[...] = -1.0  # √−1 is nan
    with pytest.warns(DivergenceWarning), np.errstate(invalid="ignore"):
        history = fit(model, X, y, mse, optim.SGD(model.parameters(), lr=0.1), epochs=3, progress=False)
    assert history.message.startswith(
        "training stopped at step 1 (epoch 1): the loss is nan at the starting parameters, before any update"
    )
    assert "learning rate" not in history.message


def test_an_update_that_overflows_the_parameters_is_reported():
    X, y = np.array([[1.0], [2.0]]), np.array([10.0, 20.0])
    model = LinearModel(inputs=1, outputs=1)
    with pytest.warns(DivergenceWarning) as caught:
        fit(
            model,
            X,
            y,
            mse,
            optim.SGD(model.parameters(), lr=1e308),
            epochs=3,
            batch_size=None,
            progress=False,
        )
    assert str(caught[0].message).endswith(
        "try a smaller learning rate than lr=1e+308. The last update left nan or inf in the parameters: "
        "draw or load new ones before training again"
    )
    assert not np.isfinite(model.W.data).all()


# ----- continuing a run ------------------------------------------------------------------------
def test_a_run_continued_epoch_by_epoch_is_the_run_of_one_call(separable):
    X, y = separable
    model, in_one_call = train(X, y, epochs=3, batch_size=32, seed=5, validation=0.2)
    stepped = LinearModel()
    optimizer = optim.SGD(stepped.parameters(), lr=0.5)
    history = History()  # an empty History starts the run
    for _ in range(3):
        returned = fit(
            stepped,
            X,
            y,
            cross_entropy,
            optimizer,
            1,
            32,
            validation=0.2,
            seed=5,
            progress=False,
            history=history,
        )
        assert returned is history  # the run's History grows in place
    for a, b in zip(model.values(), stepped.values(), strict=True):
        np.testing.assert_array_equal(a, b)
    for name in ("step_loss", "train_loss", "val_loss", "train_accuracy", "val_accuracy"):
        assert getattr(history, name) == getattr(in_one_call, name), name
    assert (history.stopped_epoch, history.best_epoch, history.steps_per_epoch) == (
        3,
        in_one_call.best_epoch,
        4,
    )
    assert history.message == in_one_call.message == "completed 3 epochs"


def test_a_continued_run_counts_steps_and_epochs_over_the_whole_run():
    X = np.linspace(-1.0, 1.0, 20).reshape(-1, 1)
    y = 3.0 * X[:, 0]
    model = LinearModel(inputs=1, outputs=1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, X, y, mse, optimizer, epochs=2, batch_size=5, progress=False)
    optimizer.lr = 1e6  # now it diverges, in a later epoch of the run
    with pytest.warns(DivergenceWarning):
        fit(model, X, y, mse, optimizer, epochs=500, batch_size=5, progress=False, history=history)
    assert history.stop_reason == "diverged" and history.stopped_epoch >= 3
    assert history.message.startswith(
        f"training stopped at step {len(history.step_loss)} (epoch {history.stopped_epoch}):"
    )
    assert len(history.step_loss) > 2 * 4  # the first call's 8 steps are still there


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"batch_size": 16}, ValueError, "steps per epoch 5 before, 10 now"),
        ({"validation": 0.5}, ValueError, "validation data no before, yes now"),
        ({"loss": mse, "y": "floats"}, ValueError, "task classification before, regression now"),
        ({"early_stopping": 2, "validation": 0.5}, ValueError, "early_stopping cannot continue a run"),
        ({"history": "mine"}, TypeError, "history must be a History that fit returned, got str"),
    ],
)
def test_a_run_continues_only_with_the_same_settings(change, error, message):
    model = LinearModel(inputs=2, outputs=2)
    X, y = blobs(n=80, centers=2, std=0.5, seed=0)
    history = fit(model, X, y, cross_entropy, optim.SGD(model.parameters(), lr=0.1), 1, 32, progress=False)
    y = y.astype(float) if change.pop("y", None) == "floats" else y
    settings = {"loss": cross_entropy, "batch_size": 32, "history": history, **change}
    if settings["loss"] is mse:
        model = LinearModel(inputs=2, outputs=1)
    with pytest.raises(error, match=message):
        fit(model, X, y, optimizer=optim.SGD(model.parameters(), lr=0.1), progress=False, **settings)


def test_a_run_that_ended_cannot_be_continued():
    history = diverge(batch_size=None)
    model = LinearModel(inputs=1, outputs=1)
    X = np.linspace(-1.0, 1.0, 20).reshape(-1, 1)
    with pytest.raises(ValueError, match=r"this run has ended \(training stopped at the evaluation"):
        fit(
            model, X, 3 * X[:, 0], mse, optim.SGD(model.parameters(), lr=0.1), progress=False, history=history
        )


# ----- evaluate, infer_task, default_threshold ----------------------------------------------------
def test_evaluate_measures_as_fit_does_each_epoch(separable):
    X, y = separable
    model, history = train(X, y, epochs=2)
    result = evaluate(model, X, y, cross_entropy)
    assert isinstance(result, Evaluation)
    assert result == (history.train_loss[-1], history.train_accuracy[-1])
    np.testing.assert_allclose(result.loss, cross_entropy(model(bp.tensor(X)), y).item(), rtol=1e-15)
    assert result.accuracy == np.mean(predicted_classes(predict(model, X)) == y)
    regression = evaluate(lambda x: x.sum(axis=1, keepdims=True), X, X.sum(axis=1) + 1.0, "mse")
    assert regression == (1.0, None)  # every prediction is off by exactly 1


def test_evaluate_names_labels_that_do_not_fit_the_outputs(separable):
    X, y = separable
    with pytest.raises(ValueError, match=r"label 2 at index \d+, but the model gives 2 outputs"):
        evaluate(LinearModel(outputs=2), X, y, cross_entropy)
    with pytest.raises(ValueError, match="task must be 'classification' or 'regression'"):
        evaluate(LinearModel(), X, y, cross_entropy, task="ranking")


def test_infer_task_and_default_threshold_follow_the_loss_name():
    labels, floats = np.array([0, 1, 1]), np.array([0.5, 1.5, 2.0])
    assert infer_task(floats, "cross_entropy") == infer_task(floats, nn.multiclass_hinge) == "classification"
    assert infer_task(labels, nn.mse_loss) == infer_task(labels, "mse") == "regression"
    assert infer_task(labels, lambda p, t: p.sum()) == "classification"  # unnamed: y's dtype decides
    assert infer_task(floats, lambda p, t: p.sum()) == "regression"
    assert default_threshold("binary_cross_entropy_with_logits") == 0.0
    assert default_threshold(nn.binary_cross_entropy_with_logits) == 0.0
    with pytest.raises(ValueError, match="loss must be a function or one of"):
        infer_task(labels, "hinge")
    with pytest.raises(TypeError, match="loss must be a function"):
        default_threshold(None)
    assert default_threshold(nn.binary_cross_entropy) == default_threshold(mse) == 0.5


# ----- shapes, tasks and modes ----------------------------------------------------------------
def test_regression_targets_are_shaped_like_the_outputs_and_have_no_accuracy():
    X = np.linspace(-1.0, 1.0, 40).reshape(-1, 1)
    y = 2.0 * X[:, 0] - 1.0
    model = LinearModel(inputs=1, outputs=1)
    history = fit(
        model, X, y, mse, optim.SGD(model.parameters(), lr=0.5), epochs=100, batch_size=8, progress=False
    )
    assert history.train_accuracy is None
    np.testing.assert_allclose(model.W.data, [[2.0]], atol=1e-6)
    np.testing.assert_allclose(model.b.data, [-1.0], atol=1e-6)


def bce_with_logits(logits, targets):
    p = logits.sigmoid()
    return -(targets * p.log() + (1 - targets) * (1 - p).log()).mean()


def test_single_output_classifier_thresholds_logits_at_zero():
    X, y = blobs(n=30, centers=np.array([[-2.0, 0.0], [2.0, 0.0]]), std=0.3, seed=0)
    model = LinearModel(outputs=1)
    history = fit(
        model, X, y, bce_with_logits, optim.SGD(model.parameters(), lr=0.5), epochs=10, progress=False
    )
    assert history.train_accuracy[-1] == 1.0
    # a threshold that no logit exceeds calls everything class 0: accuracy 1/2
    model = LinearModel(outputs=1)
    history = fit(
        model,
        X,
        y,
        bce_with_logits,
        optim.SGD(model.parameters(), lr=0.5),
        epochs=3,
        progress=False,
        threshold=1e9,
    )
    assert history.train_accuracy == [0.5, 0.5, 0.5]


def test_predicted_classes():
    np.testing.assert_array_equal(predicted_classes(np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0]])), [1, 0])
    np.testing.assert_array_equal(predicted_classes(np.array([[0.2], [0.7]])), [0, 1])
    np.testing.assert_array_equal(predicted_classes(np.array([-0.1, 0.1]), threshold=0.0), [0, 1])


class ModeRecorder(LinearModel):
    """Records, for each call, whether it ran in training mode and whether a graph was recorded."""

    def __init__(self):
        super().__init__()
        self.training = True
        self.calls = []

    def train(self, mode=True):
        self.training = mode

    def eval(self):
        self.training = False

    def __call__(self, x):
        out = super().__call__(x)
        self.calls.append((self.training, out.requires_grad))
        return out


def test_training_steps_in_train_mode_evaluation_in_eval_mode_without_graph(separable):
    X, y = separable
    model = ModeRecorder()
    model.training = False  # fit must give it back as it found it
    fit(
        model,
        X,
        y,
        cross_entropy,
        optim.SGD(model.parameters(), lr=0.1),
        epochs=2,
        batch_size=75,
        progress=False,
    )
    # one look at the output shape, then per epoch: 2 steps, then evaluation of the training set
    step, evaluation = (True, True), (False, False)
    assert model.calls == [evaluation, step, step, evaluation, step, step, evaluation]
    assert model.training is False


def test_progress_bar_shows_the_loss(separable, capsys):
    X, y = separable
    model = LinearModel()
    fit(model, X, y, cross_entropy, optim.SGD(model.parameters(), lr=0.1), epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "training" in err and "loss=" in err


def test_history_repr_and_epochs():
    history = History(train_loss=[1.0, 0.5], val_loss=[1.2, 0.75], stopped_epoch=2)
    assert repr(history) == "History(epochs=2, stop_reason='completed', train_loss=0.5, val_loss=0.75)"


# ----- bad input -------------------------------------------------------------------------------
def run(X, y, model=None, loss=cross_entropy, **kwargs):
    model = model or LinearModel(inputs=np.asarray(X).shape[-1])
    params = model.parameters() if hasattr(model, "parameters") else LinearModel().parameters()
    return fit(model, X, y, loss, optim.SGD(params, lr=0.1), **{"progress": False, **kwargs})


X4 = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
y4 = np.array([0, 1, 2, 1])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: run(X4, y4[:3]), ShapeError, "y has 3 rows but X has 4"),
        (lambda: run(X4[:, 0], y4, model=LinearModel(1)), ShapeError, r"X must be 2-D .*reshape\(-1, 1\)"),
        (lambda: run(np.where(X4 == 1.0, np.nan, X4), y4), ValueError, "X contains nan at row 0, column 1"),
        (lambda: run(X4, np.array([0, 1, -1, 1])), ValueError, "label -1 at index 2 is negative"),
        (lambda: run(X4, np.array([0, 1, 3, 1])), ValueError, "label 3 at index 2.*labels must be 0 to 2"),
        (
            lambda: run(X4, y4, model=LinearModel(outputs=1), loss=nn.binary_cross_entropy_with_logits),
            ValueError,
            "single output separates two classes",
        ),
        (
            lambda: run(X4, y4 % 2, model=LinearModel(outputs=1)),
            ShapeError,
            "one output per example, but cross_entropy needs one score per class .* last layer 2 outputs",
        ),
        (
            lambda: run(X4, y4, model=LinearModel(outputs=1), loss="multiclass_hinge"),
            ShapeError,
            "multiclass_hinge needs one score per class .* last layer 3 outputs",
        ),
        (lambda: run(X4, y4 * 1.5, loss=mse), ShapeError, "3 outputs per example but y holds one regression"),
        (lambda: run(X4, y4, epochs=0), ValueError, "epochs must be a positive integer"),
        (lambda: run(X4, y4, batch_size=0), ValueError, "batch_size must be a positive integer or None"),
        (lambda: run(X4, y4, validation=1.5), ValueError, "validation fraction must be between 0 and 1"),
        (lambda: run(X4, y4, validation=[X4, y4]), TypeError, "validation must be None, a fraction"),
        (
            lambda: run(X4, y4, validation=(X4[:, :1], y4)),
            ShapeError,
            "validation X has 1 columns but X has 2",
        ),
        (lambda: run(X4, y4, early_stopping=3), ValueError, "early_stopping watches the validation loss"),
        (lambda: run(X4, y4, loss=lambda p, t: p.sum(axis=1)), TypeError, r"one-element Tensor .*got \(4,\)"),
        (lambda: run(X4, y4, loss="hinge"), ValueError, "loss must be a function or one of"),
        (lambda: run(X4, y4, model=lambda x: x.data), TypeError, "must return a Tensor, it returned ndarray"),
        (lambda: run(X4, y4, model=lambda x: x.sum()), ShapeError, "one row per example"),
        (lambda: run(X4, y4, task="clustering"), ValueError, "task must be 'classification' or 'regression'"),
        (
            lambda: run(X4, y4, model=3, loss=mse),
            TypeError,
            "model must be a function, a bp.nn module or any",
        ),
        (lambda: run(X4, y4, progress="False"), TypeError, "progress must be True or False, got 'False'"),
        (lambda: run(X4, y4, seed=-1), ValueError, "seed must be >= 0, got -1"),
        (lambda: run(X4, y4, seed=0.5), TypeError, "seed must be an integer, got 0.5"),
        (lambda: run(X4, y4, threshold="0.5"), TypeError, "threshold must be a number, got '0.5'"),
        (
            lambda: run(X4, y4, threshold=float("nan")),
            ValueError,
            "threshold must be a finite number, got nan",
        ),
        (lambda: evaluate(None, X4, y4, "cross_entropy"), TypeError, "model must be a function"),
        (
            lambda: evaluate(LinearModel(), X4, y4, "mse", threshold=[0]),
            TypeError,
            "threshold must be a number",
        ),
        (lambda: predict("model", X4), TypeError, "model must be a function"),
        (lambda: predict(LinearModel(), [["a", "b"]]), TypeError, "X must be an array of numbers"),
        (lambda: predicted_classes(np.zeros(3), threshold="0"), TypeError, "threshold must be a number"),
        (
            lambda: predicted_classes("abc"),
            ShapeError,
            r"one row per example, \(N, C\) or \(N,\), got shape \(\)",
        ),
    ],
)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_optimizer_must_hold_the_models_parameters(separable):
    X, y = separable
    model, other = LinearModel(), LinearModel()
    with pytest.raises(ValueError, match="holds none of the model's parameters"):
        fit(model, X, y, cross_entropy, optim.SGD(other.parameters(), lr=0.1), progress=False)
    with pytest.raises(TypeError, match=r"bp\.optim optimizer"):
        fit(model, X, y, cross_entropy, "sgd", progress=False)


# ----- with nn ---------------------------------------------------------------------------------
def test_mlp_learns_the_spiral_with_sgd_and_momentum():
    X, y = spiral(n=100, classes=3, seed=0)
    model = nn.MLP([2, 100, 3], activation="relu", seed=0)
    optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    history = fit(model, X, y, nn.cross_entropy, optimizer, epochs=200, batch_size=100, progress=False)
    assert history.train_accuracy[-1] > 0.95
    assert np.mean(predicted_classes(predict(model, X)) == y) == history.train_accuracy[-1]


@pytest.mark.parametrize(
    ("name", "function", "outputs"),
    [
        ("cross_entropy", nn.cross_entropy, 2),
        ("multiclass_hinge", nn.multiclass_hinge, 2),
        ("binary_cross_entropy_with_logits", nn.binary_cross_entropy_with_logits, 1),
    ],
)
def test_loss_names_mean_the_nn_losses(name, function, outputs):
    X, y = blobs(n=20, centers=2, std=0.5, seed=0)
    histories = []
    for loss in (name, function):
        model = nn.Linear(2, outputs, seed=0)
        histories.append(
            fit(model, X, y, loss, optim.SGD(model.parameters(), lr=0.1), epochs=2, progress=False)
        )
    assert histories[0].step_loss == histories[1].step_loss
    assert histories[0].train_accuracy is not None


def test_mse_by_name_gets_targets_shaped_like_the_outputs():
    X, y = regression_1d(n=50, seed=0)
    model = nn.MLP([1, 16, 1], activation="tanh", seed=0)
    history = fit(model, X, y, "mse", optim.Adam(model.parameters(), lr=0.01), epochs=3, progress=False)
    assert history.train_accuracy is None and len(history.train_loss) == 3
    np.testing.assert_allclose(history.train_loss[-1], np.mean((predict(model, X)[:, 0] - y) ** 2))


def test_task_follows_the_loss_name_before_the_dtype_of_y():
    X, counts = np.arange(8.0).reshape(-1, 1), np.arange(8)  # integer regression targets
    model = nn.Linear(1, 1, seed=0)
    history = fit(
        model, X, counts, nn.mse_loss, optim.SGD(model.parameters(), lr=0.01), epochs=1, progress=False
    )
    assert history.train_accuracy is None
    model = LinearModel(inputs=1, outputs=8)
    unnamed_loss = lambda scores, labels: cross_entropy(scores, labels)  # noqa: E731
    history = fit(
        model, X, counts, unnamed_loss, optim.SGD(model.parameters(), lr=0.01), epochs=1, progress=False
    )
    assert history.train_accuracy is not None


def test_numpy_integers_are_accepted_as_counts_and_seeds(separable):
    X, y = separable
    model = LinearModel()
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    history = fit(
        model,
        X,
        y,
        cross_entropy,
        optimizer,
        np.int64(2),
        np.int32(32),
        seed=np.uint8(1),
        progress=np.bool_(False),
    )
    assert history.epochs == 2 and history.steps_per_epoch == 5

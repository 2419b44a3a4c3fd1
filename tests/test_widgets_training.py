"""descent_explorer and training_dashboard driven from Python, as a notebook user would drive them.

Paths are checked against hand-derived formulas and against bp.optim stepped by hand; the
dashboard against bp.fit itself; the plots against the state they claim to show.
"""

import math
import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from _optimizer_paths import stepped_points

import backprop_nb as bp
from backprop_nb import nn, optim
from backprop_nb.data import blobs
from backprop_nb.errors import ShapeError
from backprop_nb.train import fit
from backprop_nb.widgets._common import STATIC_NOTE
from backprop_nb.widgets.dashboard import training_dashboard
from backprop_nb.widgets.descent import OPTIMIZERS, PRESETS, descent_explorer

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(autouse=True)
def no_runtime_warnings_and_no_open_figures():
    """Every widget here must draw without numpy warnings and leave no figure open in pyplot."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield
    assert plt.get_fignums() == [], "a widget left a figure open"


def square(x):
    return (x**2).sum()


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def path_by_hand(f, start, make_optimizer, steps):
    return stepped_points(make_optimizer, f, start, steps)


# ----- descent_explorer ---------------------------------------------------------------------
def test_plain_sgd_on_a_parabola_multiplies_x_by_0_8_each_step():
    explorer = descent_explorer(square, start=1.0, lr=0.1, steps=12)
    k = np.arange(13)
    np.testing.assert_allclose(explorer.path[:, 0], 0.8**k, rtol=1e-13)  # x ← x − 0.1·2x
    np.testing.assert_allclose(explorer.losses, 0.64**k, rtol=1e-13)
    assert explorer.path.shape == (13, 1) and not explorer.diverged
    assert explorer.message.startswith("SGD(lr=0.1), 12 steps: x (1) → (0.06872)")
    assert explorer.run.path is explorer.path and explorer.run.label == explorer.label == "SGD(lr=0.1)"


def test_controls_drive_the_path():
    explorer = descent_explorer(square, start=1.0, lr=0.1, steps=12)
    lr, steps, choice = explorer.controls["lr"], explorer.controls["steps"], explorer.controls["optimizer"]
    assert isinstance(lr, widgets.FloatLogSlider) and lr.base == 10 and lr.min <= -4 and lr.max >= 2
    lr.value = 0.25  # x ← x − 0.5x
    np.testing.assert_allclose(explorer.path[:3, 0], [1.0, 0.5, 0.25])
    steps.value = 3
    assert explorer.path.shape == (4, 1)
    choice.value = "Momentum"  # PyTorch's buffer: b₁ = g₁, bₜ = 0.9 bₜ₋₁ + gₜ, x ← x − lr·b
    lr.value = 0.1
    np.testing.assert_allclose(explorer.path[:, 0], [1.0, 0.8, 0.46, 0.062], rtol=1e-13)
    assert choice.options == tuple(OPTIMIZERS)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_walks_exactly_as_bp_optim(name):
    explorer = descent_explorer("ravine", optimizer=name, lr=0.05, steps=25, resolution=8)
    cls, settings = OPTIMIZERS[name]
    expected = path_by_hand(PRESETS["ravine"].f, (-4.0, 1.0), lambda p: cls(p, lr=0.05, **settings), 25)
    np.testing.assert_array_equal(explorer.path, expected)
    np.testing.assert_allclose(explorer.losses, 0.1 * expected[:, 0] ** 2 + 10 * expected[:, 1] ** 2)


def test_own_optimizer_menu():
    menu = {"Adam β1=0.5": (optim.Adam, {"betas": (0.5, 0.999)})}
    explorer = descent_explorer("bowl", optimizers=menu, lr=0.2, steps=5, resolution=8)
    expected = path_by_hand(
        PRESETS["bowl"].f, (-1.5, 1.0), lambda p: optim.Adam(p, lr=0.2, betas=(0.5, 0.999)), 5
    )
    np.testing.assert_array_equal(explorer.path, expected)
    assert "betas=(0.5, 0.999)" in explorer.message
    with pytest.raises(TypeError, match="pair"):
        descent_explorer("bowl", optimizers={"bad": optim.Adam})


def test_too_large_a_rate_diverges_with_a_message_not_a_warning():
    explorer = descent_explorer(square, start=1.0, lr=0.1, steps=40)
    explorer.controls["lr"].value = 1.5  # x ← −2x: |x| passes max_norm = 1000 at step 10
    assert explorer.diverged
    assert explorer.message.startswith("SGD(lr=1.5) diverged: step 10 took the point to ‖θ‖ = 1.02e+03")
    assert "try a smaller lr" in explorer.message
    np.testing.assert_array_equal(explorer.path[:, 0], (-2.0) ** np.arange(10))
    assert "diverged" in explorer._message.value and "⚠" in explorer._message.value
    explorer.controls["lr"].value = 0.1
    assert not explorer.diverged and len(explorer.path) == 41


def test_overflowing_function_diverges_cleanly():
    explorer = descent_explorer(lambda x: x.exp().sum(), start=710.0, lr=1.0, steps=3, xlim=(-1, 1))
    assert explorer.diverged and explorer.path.shape == (1, 1) and explorer.losses[0] == np.inf
    assert "diverged: f became inf at the point reached after 0 steps" in explorer.message


def test_the_drawn_path_is_the_state():
    one_d = descent_explorer("double_well", steps=30)
    line = lines_by_label(one_d.figure.axes[0])["SGD(lr=0.01)"]
    np.testing.assert_array_equal(line.get_xdata(), one_d.path[:, 0])
    np.testing.assert_array_equal(line.get_ydata(), one_d.losses)
    two_d = descent_explorer("bowl", optimizer="Nesterov", resolution=8)
    line = lines_by_label(two_d.figure.axes[0])["SGD(lr=0.1, momentum=0.9, nesterov=True)"]
    np.testing.assert_array_equal(np.column_stack([line.get_xdata(), line.get_ydata()]), two_d.path)
    assert two_d.figure.axes[0].get_xlim() == PRESETS["bowl"].xlim


def test_presets_show_what_their_docstrings_promise():
    well = descent_explorer("double_well")  # SGD stays in the near, shallow valley; momentum crosses
    assert abs(well.path[-1, 0] - 0.96) < 0.01
    well.controls["optimizer"].value = "Momentum"
    assert abs(well.path[-1, 0] + 1.04) < 0.01 and well.losses[-1] < -0.2
    ravine = descent_explorer("ravine", resolution=8)  # SGD crawls along the floor, momentum arrives
    assert ravine.path[-1, 0] < -2.5
    ravine.controls["optimizer"].value = "Momentum"
    assert np.linalg.norm(ravine.path[-1]) < 0.1
    for name, preset in PRESETS.items():
        assert bp.grad_check(preset.f, np.array(preset.start)), name
    minimum = bp.tensor([1.0, 1.0], requires_grad=True)
    PRESETS["rosenbrock"].f(minimum).backward()
    np.testing.assert_array_equal(minimum.grad, [0.0, 0.0])


def test_descent_explorer_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown preset 'valley'"):
        descent_explorer("valley")
    with pytest.raises(ValueError, match="give the first point"):
        descent_explorer(square)
    with pytest.raises(ShapeError, match=r"one or two variables; got shape \(3,\)"):
        descent_explorer(square, start=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="unknown optimizer 'LBFGS'"):
        descent_explorer("bowl", optimizers=["SGD", "LBFGS"])
    with pytest.raises(ValueError, match="lr must be a positive number"):
        descent_explorer("bowl", lr=-0.1)
    with pytest.raises(TypeError, match="one-element Tensor"):
        descent_explorer(lambda x: x * 2, start=(1.0, 2.0))


def test_still_fallback_shows_the_initial_picture():
    explorer = descent_explorer("parabola")
    initial = explorer.message
    explorer.controls["lr"].value = 0.3  # the still picture stays the initial state
    bundle = explorer._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert bundle["text/plain"] == f"{STATIC_NOTE}\n{initial}" and initial.startswith("SGD(lr=0.1), 20 steps")
    assert "data:image/png;base64," in bundle["text/html"]


# ----- training_dashboard -------------------------------------------------------------------
@pytest.fixture
def two_blobs():
    return blobs(n=20, centers=2, std=0.4, seed=0)  # 40 points, linearly separable


def dashboard(X, y, seed=0, **kwargs):
    kwargs.setdefault("batch_size", 8)
    return training_dashboard(nn.MLP([2, 8, 2], seed=seed), X, y, resolution=10, **kwargs)


def values(model):
    return [p.data.copy() for p in model.parameters()]


def test_step_trains_one_epoch_exactly_as_fit(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y)
    assert dash.step_count == 0 and dash.history.step_loss == [] and not dash.running
    for _ in range(3):
        dash.controls["step"].click()
    assert dash.step_count == 3 and dash.controls["play"].value == 3
    assert len(dash.history.step_loss) == 3 * 5 and dash.history.steps_per_epoch == 5
    losses = dash.history.train_loss
    assert len(losses) == 3 and losses[0] > losses[1] > losses[2] and dash.history.train_accuracy[-1] == 1.0
    twin = nn.MLP([2, 8, 2], seed=0)  # the same run in one call of fit
    in_one_call = fit(twin, X, y, "cross_entropy", optim.SGD(twin.parameters(), lr=0.1), 3, 8, progress=False)
    for got, expected in zip(values(dash.model), values(twin), strict=True):
        np.testing.assert_array_equal(got, expected)
    assert losses == in_one_call.train_loss and dash.history.step_loss == in_one_call.step_loss
    assert dash.message == f"epoch 3, SGD(lr=0.1): loss {bp.viz.dot.format_number(losses[-1])}, accuracy 1"


def test_play_counter_is_the_number_of_epochs(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y)
    play = dash.controls["play"]
    assert isinstance(play, widgets.Play) and play.min == 0 and play.max == 200
    play.playing = True
    assert dash.running
    play.value = 1
    play.value = 2  # each tick of Play: one epoch
    after_two = values(dash.model)
    play.value = 4
    assert dash.step_count == 4
    play.playing = False
    assert not dash.running
    play.value = 0  # Play's ■ button rewinds: the initial parameters are back
    assert dash.step_count == 0 and dash.history.train_loss == []
    play.value = 2  # and the same two epochs again, deterministically
    for got, expected in zip(values(dash.model), after_two, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_reset_restores_the_initial_parameters_exactly(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y, optimizer="Adam", lr=0.05)
    initial = values(dash.model)
    dash.controls["play"].value = 3
    first_optimizer = dash.optimizer
    assert first_optimizer.state  # Adam's running averages
    dash.controls["reset"].click()
    for got, expected in zip(values(dash.model), initial, strict=True):
        np.testing.assert_array_equal(got, expected)
    assert dash.step_count == 0 and dash.controls["play"].value == 0 and dash.history.step_loss == []
    assert dash.optimizer is not first_optimizer and dash.optimizer.state == {}
    assert all(p.grad is None for p in dash.model.parameters())
    assert dash.message.startswith("reset to the initial parameters. Adam(lr=0.05), batch size 8")


def test_lr_slider_sets_the_optimizers_lr_during_the_run(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y)
    slider = dash.controls["lr"]
    assert isinstance(slider, widgets.FloatLogSlider) and slider.value == 0.1
    dash.step()
    optimizer = dash.optimizer
    slider.value = 0.03
    assert dash.optimizer is optimizer and optimizer.lr == 0.03 and dash.step_count == 1  # no restart
    assert "SGD(lr=0.03)" in dash.message


def test_batch_size_and_optimizer_choices_start_a_new_run(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y)
    assert [label for label, _ in dash.controls["batch_size"].options] == ["1", "8", "16", "32", "all 40"]
    dash.controls["play"].value = 2
    dash.controls["batch_size"].value = 16
    assert dash.batch_size == 16 and dash.step_count == 0 and dash.history.steps_per_epoch == 3
    assert dash.message.startswith("batch size changed: started again from the initial parameters.")
    dash.step()
    assert len(dash.history.step_loss) == 3  # 16 + 16 + 8 rows
    dash.controls["optimizer"].value = "RMSprop"
    assert isinstance(dash.optimizer, optim.RMSprop) and dash.optimizer.lr == 0.1 and dash.step_count == 0
    full = dashboard(X, y, batch_size=None)
    full.step()
    assert full.batch_size == 40 and len(full.history.step_loss) == 1


def test_nan_or_inf_stops_training_with_a_message():
    X = np.linspace(-3, 3, 30).reshape(-1, 1)
    y = 3 * X[:, 0] + 1
    dash = training_dashboard(nn.Linear(1, 1, seed=0), X, y, loss="mse", lr=100.0, batch_size=None)
    assert dash.task == "regression" and dash.axes["boundary"] is None
    dash.controls["play"].playing = True
    dash.controls["play"].value = 200  # each epoch multiplies the error by about 1e6
    assert dash.stopped and not dash.running and dash.step_count < 200
    k = dash.step_count
    # the last step's loss was still finite (3e304); the evaluation after it overflowed
    assert len(dash.history.step_loss) == k and math.isfinite(dash.history.step_loss[-1])
    assert dash.history.train_loss[-1] == math.inf and dash.history.stop_reason == "diverged"
    assert dash.message.startswith(
        f"training stopped at the evaluation after epoch {k}: the loss became inf."
    )
    assert dash.message.endswith("try a smaller learning rate than lr=100, then Reset")
    dash.step()  # stays stopped until Reset
    assert dash.step_count == k
    dash.reset()
    assert not dash.stopped and dash.step_count == 0


def test_a_step_loss_of_inf_is_counted_over_the_whole_run():
    X = np.linspace(-3, 3, 30).reshape(-1, 1)
    y = 3 * X[:, 0] + 1
    dash = training_dashboard(nn.Linear(1, 1, seed=0), X, y, loss="mse", lr=100.0, batch_size=5)
    dash.controls["play"].value = 200
    n, k = len(dash.history.step_loss), dash.step_count
    assert dash.history.step_loss[-1] == math.inf and (n - 1) // 6 + 1 == k  # 6 batches an epoch
    assert dash.message.startswith(f"training stopped at step {n} (epoch {k}): the loss became inf.")
    dash.reset()
    with bp.detect_anomaly():  # the first op to make an inf stops the run, named
        dash.controls["play"].value = 200
    assert dash.stopped and dash.message.startswith("training failed: SquaredError (mse_loss) produced inf")


def test_the_plots_show_the_state(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y)
    dash.controls["play"].value = 3
    lines = lines_by_label(dash.axes["loss"])
    np.testing.assert_array_equal(lines["train"].get_ydata(), dash.history.train_loss)
    np.testing.assert_array_equal(lines["train (each step)"].get_ydata(), dash.history.step_loss)
    assert dash.axes["boundary"].get_title() == "after epoch 3"
    assert len(dash.axes["boundary"].collections) >= 3  # the regions and one scatter per class
    assert dash.figure.axes == [dash.axes["loss"], dash.axes["boundary"]]


def test_max_epochs_stops_play_and_step(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y, max_epochs=2)
    for _ in range(3):
        dash.step()
    assert dash.step_count == 2 and dash.controls["play"].value == 2
    assert dash.message.startswith("reached max_epochs=2: Reset to train again.")


def test_bad_data_gets_a_clear_error(two_blobs):
    X, y = two_blobs
    model = nn.MLP([2, 4, 2], seed=0)
    with pytest.raises(ShapeError, match="y has 39 rows but X has 40"):
        training_dashboard(model, X, y[:-1])
    with pytest.raises(ValueError, match="label -1 at index 0 is negative"):
        training_dashboard(model, X, y - 1)
    with pytest.raises(ShapeError, match=r"X must be 2-D \(N, D\), got shape \(40,\)"):
        training_dashboard(model, X[:, 0], y)
    with pytest.raises(ValueError, match="batch_size must be a positive integer or None"):
        training_dashboard(model, X, y, batch_size=0)
    with pytest.raises(TypeError, match="must have a parameters"):
        training_dashboard(lambda x: x, X, y)
    with pytest.raises(
        ValueError, match="decision boundary needs a classification task with 2 input features"
    ):
        training_dashboard(nn.Linear(1, 1), X[:, :1], X[:, 1], loss="mse", boundary=True)
    with pytest.raises(ValueError, match="label 2 at index 2, but the model gives 2 outputs"):
        training_dashboard(model, X, np.arange(40) % 3)  # 3 classes, 2 outputs: found before any Play


def test_the_threshold_given_is_the_one_training_measures_with(two_blobs):
    X, y = two_blobs
    model = nn.Linear(2, 1, seed=0)
    dash = training_dashboard(
        model, X, y, loss="binary_cross_entropy_with_logits", threshold=1e9, resolution=10
    )
    dash.step()
    assert dash.threshold == 1e9 and dash.history.train_accuracy == [0.5]  # no logit exceeds it: all class 0
    assert (
        training_dashboard(model, X, y, loss="binary_cross_entropy_with_logits", resolution=10).threshold
        == 0.0
    )


def test_dashboard_still_fallback(two_blobs):
    X, y = two_blobs
    bundle = dashboard(X, y)._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and bundle["text/plain"].startswith(STATIC_NOTE)
    assert "Play or Step to train" in bundle["text/plain"] and "data:image/png;base64," in bundle["text/html"]


# ----- errors and bad arguments (issue 12) ----------------------------------------------------
class Flaky(nn.Module):
    """A model whose forward raises while ``broken`` is set (a user's bug in their own model)."""

    def __init__(self):
        super().__init__()
        self.inner = nn.MLP([2, 4, 2], seed=0)
        self.broken = False

    def forward(self, x):
        if self.broken:
            raise RuntimeError("my layer is broken")
        return self.inner(x)


def test_a_model_that_raises_shows_the_error_and_reset_recovers(two_blobs):
    X, y = two_blobs
    model = Flaky()
    dash = training_dashboard(model, X, y, batch_size=8, resolution=10)
    dash.step()
    model.broken = True
    dash.step()  # no exception escapes the button's callback
    assert (
        dash.stopped
        and dash.message == "training failed: RuntimeError: my layer is broken. Reset to start again"
    )
    assert "⚠" in dash._message.value and dash.controls["play"].value == dash.step_count
    dash.step()  # still stopped, still saying why
    assert dash.message.startswith("training failed: RuntimeError")
    model.broken = False
    dash.reset()
    dash.step()
    dash.step()  # usable again: the run from the start, as fit would train it
    assert not dash.stopped and dash.step_count == 2 and len(dash.history.train_loss) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"max_epochs": 10**9}, ValueError, "max_epochs must be at most 100000"),
        ({"max_epochs": 0}, ValueError, "max_epochs must be >= 1"),
        ({"resolution": 0}, ValueError, "resolution must be >= 2"),
        ({"resolution": 10**4}, ValueError, "resolution must be at most 400"),
        ({"interval": -5}, ValueError, "interval must be >= 10"),
        ({"seed": "a"}, TypeError, "seed must be an integer"),
        ({"threshold": float("nan")}, ValueError, "threshold must be a finite number"),
        ({"boundary": "yes"}, TypeError, "boundary must be True, False or None"),
    ],
)
def test_dashboard_names_a_bad_argument(two_blobs, kwargs, error, message):
    X, y = two_blobs
    with pytest.raises(error, match=message):
        training_dashboard(nn.MLP([2, 4, 2], seed=0), X, y, **kwargs)


def test_dashboard_takes_numpy_integers(two_blobs):
    X, y = two_blobs
    dash = training_dashboard(
        nn.MLP([2, 4, 2], seed=0),
        X,
        y,
        batch_size=np.int64(8),
        max_epochs=np.int64(3),
        resolution=np.int64(10),
    )
    assert dash.batch_size == 8 and dash.controls["play"].max == 3


def test_f_that_raises_shows_the_error_and_puts_the_control_back():
    def fragile(x):
        if abs(x.data[0]) > 5:
            raise ValueError("outside my domain")
        return (x**2).sum()

    explorer = descent_explorer(fragile, start=1.0, lr=0.1, steps=5)
    good_path = explorer.path.copy()
    explorer.controls["lr"].value = 3.0  # x ← −5x: the second point is at 25
    assert explorer.controls["lr"].value == 0.1  # the control shows what the path shows
    np.testing.assert_array_equal(explorer.path, good_path)
    assert explorer.error == "ValueError: outside my domain"
    assert explorer.message == (
        "f failed with lr = 3: ValueError: outside my domain. The lr is back at 0.1, the path shown."
    )
    assert "⚠" in explorer._message.value
    explorer.controls["steps"].value = 3  # still usable
    assert explorer.error is None and explorer.path.shape == (4, 1)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"steps": 10**9}, ValueError, r"steps must be at most 10000 \(each step runs f"),
        ({"steps": 0}, ValueError, "steps must be >= 1"),
        ({"steps": 2.5}, TypeError, "steps must be an integer"),
        ({"max_norm": -1}, ValueError, "max_norm must be > 0"),
        ({"resolution": 0}, ValueError, "resolution must be >= 2"),
        ({"resolution": 10**5}, ValueError, "resolution must be at most 300"),
        ({"xlim": (1, 0)}, ValueError, r"xlim must be \(low, high\) with low < high"),
        ({"ylim": "ab"}, TypeError, r"ylim must be a pair \(low, high\)"),
    ],
)
def test_descent_explorer_names_a_bad_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        descent_explorer("bowl", **kwargs)


def test_descent_explorer_takes_numpy_integers():
    explorer = descent_explorer("bowl", steps=np.int64(5), resolution=np.int64(8))
    assert explorer.path.shape == (6, 2) and explorer.controls["steps"].value == 5

"""descent_explorer and training_dashboard driven from Python, as a notebook user would drive them.

Paths are checked against hand-derived formulas and against bp.optim stepped by hand; the
dashboard against bp.fit itself; the plots against the state they claim to show.
"""

import base64
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
from backprop_nb.widgets import descent
from backprop_nb.widgets._common import STATIC_NOTE
from backprop_nb.widgets.dashboard import STILL_EPOCHS, TrainingDashboard, training_dashboard
from backprop_nb.widgets.descent import OPTIMIZERS, PRESETS, descent_explorer, ravine

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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
    lr, steps, choice = explorer.controls["lr"], explorer.controls["steps"], explorer.controls["optimizers"]
    assert isinstance(lr, widgets.FloatLogSlider) and lr.base == 10 and lr.min <= -4 and lr.max >= 2
    lr.value = 0.25  # x ← x − 0.5x
    np.testing.assert_allclose(explorer.path[:3, 0], [1.0, 0.5, 0.25])
    steps.value = 3
    assert explorer.path.shape == (4, 1)
    choice.value = ("Momentum",)  # PyTorch's buffer: b₁ = g₁, bₜ = 0.9 bₜ₋₁ + gₜ, x ← x − lr·b
    lr.value = 0.1
    np.testing.assert_allclose(explorer.path[:, 0], [1.0, 0.8, 0.46, 0.062], rtol=1e-13)
    assert choice.options == tuple(OPTIMIZERS)
    choice.value = ("SGD", "Momentum")  # both on one surface
    assert list(explorer.runs) == ["SGD", "Momentum"] and explorer.label == "SGD(lr=0.1)"
    np.testing.assert_allclose(explorer.runs["Momentum"].path[:, 0], [1.0, 0.8, 0.46, 0.062], rtol=1e-13)
    np.testing.assert_allclose(explorer.runs["SGD"].path[:, 0], [1.0, 0.8, 0.64, 0.512], rtol=1e-13)


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


def sent_paths(explorer):
    return {p["label"]: p for p in explorer.plot.state["surface"]["paths"]}


def test_the_paths_sent_to_the_page_are_the_state():
    one_d = descent_explorer("double_well", steps=30)
    curve, path = sent_paths(one_d)["f"], sent_paths(one_d)["SGD(lr=0.01)"]
    np.testing.assert_array_equal(path["x"], one_d.path[:, 0])
    np.testing.assert_array_equal(path["y"], one_d.losses)  # 1-D: the points (x, f(x)) on the curve
    np.testing.assert_allclose(curve["y"][0], PRESETS["double_well"].f(bp.tensor([-2.0])).item())
    two_d = descent_explorer("bowl", optimizer=["Nesterov", "Adam"], resolution=8)
    sent = sent_paths(two_d)
    nesterov = sent["SGD(lr=0.1, momentum=0.9, nesterov=True)"]
    np.testing.assert_array_equal(
        np.column_stack([nesterov["x"], nesterov["y"]]), two_d.runs["Nesterov"].path
    )
    assert (
        two_d.plot.state["surface"]["extent"]
        == [-2.0, 2.0, -2.0, 2.0]
        == [*PRESETS["bowl"].xlim, *PRESETS["bowl"].ylim]
    )
    grid = two_d.plot.state["surface"]["grid"]
    assert grid["kind"] == "surface" and (grid["width"], grid["height"]) == (8, 8)
    ranks = np.frombuffer(grid["bytes"], dtype=np.uint8).reshape(8, 8)
    assert ranks.min() == 0 and ranks.max() == ranks[0, 0] == ranks[-1, -1] > 240  # the corners highest
    loss = two_d.plot.state["loss"]  # f at each step, one column per optimiser shown
    assert loss["x"] == list(range(31)) and len(loss["ys"]) == 2
    assert loss["ys"][1] == list(two_d.runs["Adam"].losses)
    assert [series["label"] for series in two_d.plot.panels[1]["series"]] == ["Nesterov", "Adam"]
    two_d.controls["optimizers"].value = ("SGD",)
    assert [series["label"] for series in two_d.plot.panels[1]["series"]] == ["SGD"]
    assert two_d.plot.state["loss"]["ys"] == [list(two_d.runs["SGD"].losses)]
    assert "grid" in two_d.plot.state["surface"]  # sent again with the new panels


def test_a_diverging_path_widens_the_view():
    explorer = descent_explorer("ravine", optimizer=["SGD", "Momentum"], lr=0.02)
    assert explorer.view == ((-5.0, 5.0), (-2.0, 2.0))
    explorer.controls["lr"].value = 0.11  # across the valley, SGD's factor is 1 − 20·lr = −1.2
    sgd = explorer.runs["SGD"]
    assert (
        sgd.diverged and explorer.diverged and explorer.message.startswith("SGD(lr=0.11) diverged: step 38")
    )
    (x_low, x_high), (y_low, y_high) = explorer.view
    assert (x_low, x_high) == (-5.0, 5.0) and y_low <= sgd.path[:, 1].min() and sgd.path[:, 1].max() <= y_high
    assert sent_paths(explorer)["SGD(lr=0.11) (diverged)"]["diverged"]
    assert explorer.plot.state["surface"]["extent"] == [x_low, x_high, y_low, y_high]


def test_a_click_on_the_surface_moves_the_start():
    explorer = descent_explorer("bowl", resolution=8)
    explorer.plot._handle_custom_msg({"type": "click", "panel": "surface", "x": 1.0, "y": -0.5}, [])
    np.testing.assert_array_equal(explorer.start, [1.0, -0.5])
    np.testing.assert_allclose(explorer.path[:3], [[1.0, -0.5], [0.8, -0.4], [0.64, -0.32]])
    assert explorer.plot.state["surface"]["start"] == [1.0, -0.5]
    line = descent_explorer("parabola")
    line.plot._handle_custom_msg({"type": "click", "panel": "surface", "x": -0.5, "y": 3.0}, [])
    assert line.path[0, 0] == -0.5 and line.message.startswith("SGD(lr=0.1), 20 steps: x (-0.5)")


def test_learning_rates_in_messages_go_through_format_number():
    explorer = descent_explorer("bowl", lr=1.122018454301963, steps=3, resolution=8)
    assert explorer.label == "SGD(lr=1.122)" and explorer.message.startswith("SGD(lr=1.122), 3 steps")


def test_presets_show_what_their_docstrings_promise():
    well = descent_explorer("double_well")  # SGD stays in the near, shallow valley; momentum crosses
    assert abs(well.path[-1, 0] - 0.96) < 0.01
    well.controls["optimizers"].value = ("Momentum",)
    assert abs(well.path[-1, 0] + 1.04) < 0.01 and well.losses[-1] < -0.2
    ravine = descent_explorer("ravine", resolution=8)  # SGD crawls along the floor, momentum arrives
    assert ravine.path[-1, 0] < -2.5
    ravine.controls["optimizers"].value = ("Momentum",)
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
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE) and "text/html" not in bundle


# ----- training_dashboard -------------------------------------------------------------------
@pytest.fixture
def two_blobs():
    return blobs(n=20, centers=2, std=0.4, seed=0)  # 40 points, linearly separable


def dashboard(X, y, seed=0, **kwargs):
    kwargs.setdefault("batch_size", 8)
    return training_dashboard(nn.MLP([2, 8, 2], seed=seed), X, y, resolution=10, **kwargs)


class Page:
    """Stands in for the browser: records the frames a LivePlot sends and answers "painted"."""

    def __init__(self, plot):
        self.plot, self.frames = plot, []
        plot.send = lambda content, buffers=None: self.frames.append((content, buffers))

    def paint(self, times=1):
        for _ in range(times):
            self.plot._handle_custom_msg({"type": "painted", "id": self.frames[-1][0]["id"]}, [])

    def updates(self, panel):
        return [u for content, _ in self.frames for u in content["updates"] if u["panel"] == panel]


def play_until_stopped(dash, limit=500):
    page = Page(dash.plot)
    dash.controls["play"].value = True
    for _ in range(limit):
        if not dash.running:
            break
        page.paint()
    return page


def values(model):
    return [p.data.copy() for p in model.parameters()]


def test_step_trains_one_epoch_exactly_as_fit(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y)
    assert dash.step_count == 0 and dash.history.step_loss == [] and not dash.running
    for _ in range(3):
        dash.controls["step"].click()
    assert dash.step_count == 3
    assert len(dash.history.step_loss) == 3 * 5 and dash.history.steps_per_epoch == 5
    losses = dash.history.train_loss
    assert len(losses) == 3 and losses[0] > losses[1] > losses[2] and dash.history.train_accuracy[-1] == 1.0
    twin = nn.MLP([2, 8, 2], seed=0)  # the same run in one call of fit
    in_one_call = fit(twin, X, y, "cross_entropy", optim.SGD(twin.parameters(), lr=0.1), 3, 8, progress=False)
    for got, expected in zip(values(dash.model), values(twin), strict=True):
        np.testing.assert_array_equal(got, expected)
    assert losses == in_one_call.train_loss and dash.history.step_loss == in_one_call.step_loss
    assert dash.message == f"epoch 3, SGD(lr=0.1): loss {bp.viz.dot.format_number(losses[-1])}, accuracy 1"


def test_play_trains_one_epoch_per_painted_frame_and_pause_stops(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y)
    page = Page(dash.plot)
    play = dash.controls["play"]
    assert isinstance(play, widgets.ToggleButton) and play.description == "▶ Play"
    play.value = True  # two epochs at once; then one more each time the page has painted one
    assert dash.running and dash.step_count == 2 and play.description == "❚❚ Pause"
    page.paint(3)
    assert dash.step_count == 5
    appended = [u for u in page.updates("loss") if u["op"] == "append" and u["x"]]
    assert [u["x"] for u in appended] == [[1.0], [2.0], [3.0], [4.0], [5.0]]  # every epoch's point, in order
    assert [u["ys"][0][0] for u in appended] == dash.history.train_loss
    page.paint()
    dash.plot._handle_custom_msg({"type": "painted", "id": page.frames[-2][0]["id"]}, [])  # a second view
    assert dash.step_count == 6  # the same frame painted twice asks for one epoch only
    play.value = False
    page.paint()
    assert not dash.running and dash.step_count == 6 and play.description == "▶ Play"


def test_reset_restores_the_initial_parameters_exactly(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y, optimizer="Adam", lr=0.05)
    initial = values(dash.model)
    for _ in range(3):
        dash.step()
    first_optimizer = dash.optimizer
    assert first_optimizer.state  # Adam's running averages
    dash.controls["reset"].click()
    for got, expected in zip(values(dash.model), initial, strict=True):
        np.testing.assert_array_equal(got, expected)
    assert dash.step_count == 0 and dash.history.step_loss == []
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
    dash.step()
    dash.step()
    dash.controls["batch_size"].value = 16
    assert dash.batch_size == 16 and dash.step_count == 0 and dash.history.steps_per_epoch == 3
    assert dash.message.startswith("batch size changed: a new run from the initial parameters.")
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
    assert dash.task == "regression" and not dash.boundary
    play_until_stopped(dash)  # each epoch multiplies the error by about 1e6
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
    play_until_stopped(dash)
    n, k = len(dash.history.step_loss), dash.step_count
    assert dash.history.step_loss[-1] == math.inf and (n - 1) // 6 + 1 == k  # 6 batches an epoch
    assert dash.message.startswith(f"training stopped at step {n} (epoch {k}): the loss became inf.")
    dash.reset()
    with bp.detect_anomaly():  # the first op to make an inf stops the run, named
        play_until_stopped(dash)
    assert dash.stopped and dash.message.startswith("training failed: SquaredError (mse_loss) produced inf")


def test_max_epochs_stops_play_and_step(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y, max_epochs=2)
    for _ in range(3):
        dash.step()
    assert dash.step_count == 2
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
    assert "Play or Step to train" in bundle["text/plain"] and "text/html" not in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)


def test_dashboard_still_shows_a_real_run_from_the_start_settings(two_blobs, monkeypatch):
    """The still is STILL_EPOCHS epochs of fit from the initial parameters with the settings the
    dashboard was made with, trained on a copy when displayed: the dashboard's own run is untouched."""
    drawn = []
    draw = TrainingDashboard._draw_still
    monkeypatch.setattr(
        TrainingDashboard, "_draw_still", lambda self, *args: drawn.append(args) or draw(self, *args)
    )
    X, y = two_blobs
    dash = dashboard(X, y, lr=0.3)
    initial = [p.data.copy() for p in dash.model.parameters()]
    assert drawn == []  # nothing is trained or drawn before the dashboard is displayed
    dash.controls["lr"].value = 10.0  # later settings and steps are not the still's
    dash.step()
    trained = [p.data.copy() for p in dash.model.parameters()]
    dash._repr_mimebundle_()
    ((model, history, title),) = drawn
    reference = nn.MLP([2, 8, 2], seed=0)
    expected = fit(
        reference,
        X,
        y,
        "cross_entropy",
        optim.SGD(reference.parameters(), lr=0.3),
        epochs=STILL_EPOCHS,
        batch_size=8,
        progress=False,
    )
    assert history.stopped_epoch == STILL_EPOCHS and history.train_loss == pytest.approx(expected.train_loss)
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert title.startswith(f"Still picture: {STILL_EPOCHS} epochs of SGD(lr=0.3), batch size 8")
    assert model is not dash.model and dash.step_count == 1
    for p, before in zip(dash.model.parameters(), trained, strict=True):
        assert np.array_equal(p.data, before)
    assert not np.array_equal(trained[0], initial[0])


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


def test_a_model_that_raises_in_the_still_run_gets_a_still_that_says_so(two_blobs, monkeypatch):
    drawn = []
    draw = TrainingDashboard._draw_still
    monkeypatch.setattr(
        TrainingDashboard, "_draw_still", lambda self, *args: drawn.append(args) or draw(self, *args)
    )
    X, y = two_blobs
    model = Flaky()
    dash = training_dashboard(model, X, y, batch_size=8, resolution=10)
    model.broken = True  # the copy the still trains is broken too
    bundle = dash._repr_mimebundle_()
    ((_, history, title),) = drawn
    assert title == "no still run: RuntimeError: my layer is broken" and history.stopped_epoch == 0
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)


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
    assert "⚠" in dash._message.value
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
        ({"validation": 1.5}, ValueError, "validation fraction must be between 0 and 1"),
        ({"validation": "a"}, TypeError, r"validation must be None, a fraction such as 0.2, or a pair"),
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
    assert dash.batch_size == 8 and dash.max_epochs == 3


def _fragile(x):
    """x² summed, defined only for |x₀| ≤ 5: a function that raises where a path leaves its domain."""
    if abs(x.data[0]) > 5:
        raise ValueError("outside my domain")
    return (x**2).sum()


def test_f_that_raises_shows_the_error_and_puts_the_control_back():
    explorer = descent_explorer(_fragile, start=1.0, lr=0.1, steps=5)
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
        ({"optimizer": []}, ValueError, "optimizer: give at least one name"),
    ],
)
def test_descent_explorer_names_a_bad_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        descent_explorer("bowl", **kwargs)


def test_descent_explorer_takes_numpy_integers():
    explorer = descent_explorer("bowl", steps=np.int64(5), resolution=np.int64(8))
    assert explorer.path.shape == (6, 2) and explorer.controls["steps"].value == 5


# ----- what the dashboard sends to the page ---------------------------------------------------
def test_curves_start_at_epoch_0_and_grow_by_appended_points(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y, validation=0.25)
    loss = dash.plot.state["loss"]  # what a view opening now is sent
    assert loss["x"] == [0.0] and len(loss["ys"]) == 2  # train and validation, before any training
    initial = bp.train.evaluate(dash.model, dash.X, dash.y, "cross_entropy")
    assert loss["ys"][0] == [initial.loss] and dash.plot.state["accuracy"]["ys"][0] == [initial.accuracy]
    assert [s["label"] for s in dash.plot.panels[0]["series"]] == ["train loss", "validation loss"]
    page = Page(dash.plot)
    dash.step()
    dash.step()
    (appended,) = [u for u in page.updates("loss") if u["x"] == [2.0]]
    assert appended["op"] == "append" and appended["ys"] == [
        [dash.history.train_loss[-1]],
        [dash.history.val_loss[-1]],
    ]
    assert dash.plot.state["loss"]["ys"][1] == [dash.run.curves["validation loss"][0], *dash.history.val_loss]
    assert len(dash.X) == 30 and "validation loss" in dash.message  # 10 of 40 held out, stratified


def test_boundary_is_sent_as_a_grid_of_classes(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y)
    page = Page(dash.plot)
    dash.step()
    content, buffers = page.frames[-1]
    (field,) = [u for u in content["updates"] if u["panel"] == "boundary"]
    grid = field["grid"]
    assert grid["kind"] == "classes" and (grid["width"], grid["height"]) == (10, 10)
    regions = np.frombuffer(buffers[grid["buffer"]], dtype=np.uint8).reshape(10, 10)
    _, _, expected, _ = bp.viz.plots.decision_regions(dash.model, X, 10)
    np.testing.assert_array_equal(regions, expected)
    assert field["title"] == "decision boundary, epoch 1"
    assert dash.plot.panels[-1]["points"][0]["c"] == y.tolist()


def test_lr_change_puts_a_marker_and_new_runs_keep_the_old_one_faded(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y)
    dash.step()
    dash.controls["lr"].value = 1.122018454301963
    assert dash.plot.state["loss"]["markers"] == [{"x": 1, "label": "lr 1.122"}]
    assert "SGD(lr=1.122)" in dash.message  # every number through format_number
    dash.step()
    first = dash.history.train_loss
    dash.controls["optimizer"].value = "Adam"  # a new run from the same start; the old one fades
    assert [run.label for run in dash.previous_runs] == ["SGD, batch 8"]
    series = dash.plot.panels[0]["series"]
    assert [s["label"] for s in series] == ["run 1 (SGD, batch 8)", "train loss"] and series[0]["faded"]
    assert dash.plot.state["loss"]["ys"][0][1:] == first  # the old run's curve, still drawn
    assert dash.plot.state["loss"]["markers"] == [{"x": 0, "label": "optimizer Adam"}]
    dash.controls["clear"].click()
    assert dash.previous_runs == [] and len(dash.plot.panels[0]["series"]) == 1
    dash.controls["log_scale"].value = True
    assert dash.plot.log_scale and dash.plot.panels[0]["log_switch"]


def test_blown_up_loss_is_a_warning_while_training_goes_on():
    X, y = bp.data.spiral(n=30, classes=3, seed=0)
    dash = training_dashboard(nn.MLP([2, 16, 3], seed=0), X, y, lr=100.0, resolution=10)
    dash.step()
    assert not dash.stopped and dash.warning.startswith("the loss has blown up to")
    assert "Try a smaller learning rate than 100" in dash.warning and "⚠" in dash._message.value


def test_accuracy_at_chance_for_many_epochs_is_a_warning(two_blobs):
    _, y = two_blobs
    dash = dashboard(np.zeros((40, 2)), y, lr=1e-4)  # every input the same: nothing to learn from
    for _ in range(19):
        dash.step()
    assert dash.warning is None
    dash.step()
    assert dash.warning.startswith(
        "accuracy has stayed at chance (0.5; guessing the largest class gives 0.5) for 20"
    )


def test_dead_relus_are_a_warning(two_blobs):
    X, y = two_blobs
    model = nn.MLP([2, 4, 2], seed=0)
    dash = training_dashboard(model, X, y, resolution=10, lr=1e-4)
    with bp.no_grad():
        model[0].bias.data[...] = -100.0  # every hidden unit below zero for every example
    dash.step()
    assert dash.warning.startswith("every ReLU of layer 1 is dead")


def test_a_view_opened_later_is_sent_everything_drawn_so_far(two_blobs):
    X, y = two_blobs
    dash = dashboard(X, y)
    dash.step()
    dash.controls["lr"].value = 0.2
    dash.step()
    page = Page(dash.plot)
    dash.plot._handle_custom_msg({"type": "hello"}, [])  # what live_plot.js says when it renders
    (content, buffers) = page.frames[-1]
    updates = {u["panel"]: u for u in content["updates"]}
    assert updates["loss"]["op"] == "replace" and updates["loss"]["x"] == [0.0, 1.0, 2.0]
    assert updates["loss"]["ys"][0][1:] == dash.history.train_loss
    assert updates["loss"]["markers"] == [{"x": 1, "label": "lr 0.2"}]
    assert updates["boundary"]["title"] == "decision boundary, epoch 2" and len(buffers) == 1


# ----- a long descent path, computed and drawn in pieces ----------------------------------------
@pytest.fixture
def smallest_pieces(monkeypatch):
    """Every piece of a path as short as it gets: _STEPS_AT_ONCE (10) steps of each optimiser."""
    monkeypatch.setattr(descent, "FIRST_PIECE_S", 0.0)
    monkeypatch.setattr(descent, "PIECE_S", 0.0)


def test_a_long_path_is_drawn_piece_by_piece_after_each_paint(smallest_pieces):
    explorer = descent_explorer("ravine", optimizer=["SGD", "Momentum"], lr=0.01, steps=1000, resolution=8)
    page = Page(explorer.plot)
    explorer.controls["lr"].value = 0.015
    first = page.updates("loss")[0]  # 10 steps of each path: f at points 0 … 9 drawn, then gaps
    assert [len(column) for column in first["ys"]] == [1001, 1001]
    assert all(v is not None for v in first["ys"][0][:10]) and set(first["ys"][0][10:]) == {None}
    assert len(page.updates("surface")[0]["paths"][0]["x"]) == 10
    assert len(page.updates("surface")[-1]["paths"][0]["x"]) == 20  # the second piece, right after
    assert "computing the paths: step 19 of 1000" in explorer._message.value
    page.paint()  # the page painted a piece: the next one
    assert len(page.updates("surface")[-1]["paths"][0]["x"]) == 30
    page.paint(200)
    assert len(page.frames) == 101  # f at 1,001 points, 10 a piece; nothing more once whole
    sent = page.updates("loss")[-1]["ys"]
    sgd = path_by_hand(ravine, (-4.0, 1.0), lambda p: optim.SGD(p, lr=0.015), 1000)
    np.testing.assert_array_equal(sent_paths(explorer)["SGD(lr=0.015)"]["x"], sgd[:, 0])
    np.testing.assert_array_equal(sent[0], 0.1 * sgd[:, 0] ** 2 + 10 * sgd[:, 1] ** 2)
    assert (
        explorer.message.startswith("SGD(lr=0.015), 1000 steps")
        and "computing" not in explorer._message.value
    )


def test_reading_the_state_finishes_the_path_at_once(smallest_pieces):
    explorer = descent_explorer("ravine", optimizer=["SGD", "Momentum"], lr=0.01, steps=1000, resolution=8)
    page = Page(explorer.plot)
    explorer.controls["lr"].value = 0.015  # no page paints: only the first two pieces are drawn
    assert len(page.frames) == 2
    assert explorer.path.shape == (1001, 2) and len(explorer.runs["Momentum"].losses) == 1001
    assert len(page.frames) == 3 and None not in page.updates("loss")[-1]["ys"][1]  # drawn whole
    page.paint(5)  # the painted answer of a piece sent before: nothing left to compute
    assert len(page.frames) == 3


def test_f_that_raises_in_a_later_piece_puts_the_control_back(smallest_pieces):
    explorer = descent_explorer(_fragile, start=1.0, lr=0.1, steps=40)
    good_path = explorer.path.copy()
    page = Page(explorer.plot)
    explorer.controls["lr"].value = 1.03  # x ← −1.06 x: past 5 at step 28, in the third piece
    assert explorer.error is None and "computing the paths: step 19 of 40" in explorer._message.value
    page.paint()
    assert explorer.controls["lr"].value == 0.1 and explorer.error == "ValueError: outside my domain"
    np.testing.assert_array_equal(explorer.path, good_path)
    assert explorer.message == (
        "f failed with lr = 1.03: ValueError: outside my domain. The lr is back at 0.1, the path shown."
    )
    np.testing.assert_array_equal(sent_paths(explorer)["SGD(lr=0.1)"]["x"], good_path[:, 0])

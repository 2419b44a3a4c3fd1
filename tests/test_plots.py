"""The teaching plots: each test checks what was drawn (line data, contours, scatter, bars)."""

import matplotlib

matplotlib.use("Agg")

import ast
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.contour import ContourSet

import backprop_nb as bp
from backprop_nb import nn, optim
from backprop_nb.errors import ShapeError
from backprop_nb.train import DivergenceWarning, History
from backprop_nb.viz.plots import (
    OptimizerWalk,
    gradient_norms,
    loss_surface,
    optimizer_path,
    optimizer_run,
    plot_decision_boundary,
    plot_gradient_norms,
    plot_history,
    plot_optimizer_paths,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


# ----- learning curves ----------------------------------------------------------------------
HISTORY = History(
    step_loss=[2.0, 1.5, 1.2, 1.0, float("inf"), 0.8],
    train_loss=[1.1, 0.7],
    val_loss=[1.3, 0.9],
    train_accuracy=[0.6, 0.8],
    val_accuracy=[0.5, 0.75],
    steps_per_epoch=3,
    stopped_epoch=2,
    best_epoch=2,
    restored_epoch=2,
)


def test_loss_curves_are_the_history():
    ax = plot_history(HISTORY)
    lines = lines_by_label(ax)
    steps = lines["train (each step)"]
    np.testing.assert_allclose(steps.get_xdata(), [1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2])
    np.testing.assert_array_equal(steps.get_ydata(), [2.0, 1.5, 1.2, 1.0, np.nan, 0.8])  # inf is a gap
    np.testing.assert_array_equal(lines["train"].get_xdata(), [1, 2])
    np.testing.assert_array_equal(lines["train"].get_ydata(), [1.1, 0.7])
    np.testing.assert_array_equal(lines["validation"].get_ydata(), [1.3, 0.9])
    np.testing.assert_array_equal(lines["restored (epoch 2)"].get_xdata(), [2, 2])
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss" and ax.get_yscale() == "linear"


def test_accuracy_curves_and_log_scale_through_history_plot():
    _, ax = plt.subplots()
    assert HISTORY.plot(ax=ax, metric="accuracy") is ax
    lines = lines_by_label(ax)
    np.testing.assert_array_equal(lines["train"].get_ydata(), [0.6, 0.8])
    np.testing.assert_array_equal(lines["validation"].get_ydata(), [0.5, 0.75])
    assert "train (each step)" not in lines
    assert HISTORY.plot(log_scale=True).get_yscale() == "log"


def test_history_without_validation_or_accuracy():
    regression = History(step_loss=[1.0, 0.5], train_loss=[0.4], steps_per_epoch=2)
    assert set(lines_by_label(plot_history(regression))) == {"train (each step)", "train"}
    with pytest.raises(ValueError, match="no accuracy"):
        plot_history(regression, metric="accuracy")
    with pytest.raises(ValueError, match="metric must be 'loss' or 'accuracy'"):
        plot_history(regression, metric="f1")


# ----- decision boundary --------------------------------------------------------------------
def sign_of_first_feature(x):
    """Two classes: logits (0, x[0]), so class 1 exactly where x[0] > 0."""
    return bp.linear(x, np.array([[0.0, 0.0], [1.0, 0.0]]))


X2 = np.array([[-2.0, 0.0], [-1.0, 1.0], [1.0, -1.0], [2.0, 0.5], [0.5, 0.0]])
Y2 = np.array([0, 0, 1, 1, 1])


def test_decision_regions_and_points():
    ax = plot_decision_boundary(sign_of_first_feature, X2, Y2, resolution=50)
    (regions,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    np.testing.assert_array_equal(regions.levels, [-0.5, 0.5, 1.5])
    spacing = (2.0 + 0.4 - (-2.0 - 0.4)) / 49
    class0 = np.concatenate([polygon for polygon in regions.allsegs[0]])
    class1 = np.concatenate([polygon for polygon in regions.allsegs[1]])
    assert class0[:, 0].max() <= spacing and class1[:, 0].min() >= -spacing
    np.testing.assert_allclose([class0[:, 0].min(), class1[:, 0].max()], [-2.4, 2.4])  # 10% margin
    points = [c for c in ax.collections if not isinstance(c, ContourSet)]
    np.testing.assert_array_equal(points[0].get_offsets(), X2[Y2 == 0])
    np.testing.assert_array_equal(points[1].get_offsets(), X2[Y2 == 1])
    assert [p.get_label() for p in points] == ["class 0", "class 1"]


def test_decision_boundary_of_a_single_output_uses_the_threshold():
    def probability(x):
        return bp.sigmoid(bp.linear(x, np.array([[1.0, 0.0]])))

    ax = plot_decision_boundary(probability, X2, Y2, resolution=20, threshold=0.5)
    (regions,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert np.concatenate(regions.allsegs[1])[:, 0].min() >= -4.8 / 19


def test_decision_boundary_needs_two_features():
    with pytest.raises(ShapeError, match=r"X must have shape \(N, 2\); got \(5, 3\)"):
        plot_decision_boundary(sign_of_first_feature, np.ones((5, 3)), Y2)
    with pytest.raises(ValueError, match="resolution must be >= 2, got 1"):
        plot_decision_boundary(sign_of_first_feature, X2, Y2, resolution=1)
    ax = plot_decision_boundary(sign_of_first_feature, X2, Y2, resolution=np.int64(5))  # numpy ints work
    assert ax.collections


# ----- gradient norms -----------------------------------------------------------------------
def test_gradient_norm_of_a_known_gradient():
    W = bp.tensor(np.zeros((1, 2)), requires_grad=True, name="W")
    b = bp.tensor(np.zeros(1), requires_grad=True, name="b")
    ((W * np.array([[3.0, 4.0]])).sum() + 12 * b.sum()).backward()  # ∂/∂W = [[3, 4]], ∂/∂b = [12]
    assert gradient_norms([("W", W), ("b", b)]) == {"W": 5.0}
    assert gradient_norms({"W": W.grad, "b": b.grad}, weights_only=False) == {"W": 5.0, "b": 12.0}


def test_gradient_norm_bars_of_a_model():
    model = nn.MLP([2, 4, 4, 3], activation="sigmoid", seed=0)
    nn.cross_entropy(model(bp.tensor(X2)), np.array([0, 1, 2, 1, 0])).backward()
    ax = plot_gradient_norms(model)
    weights = [(name, p.grad) for name, p in model.named_parameters() if name.endswith("weight")]
    heights = [bar.get_height() for bar in ax.patches]
    np.testing.assert_allclose(heights, [np.sqrt((g**2).sum()) for _, g in weights])
    assert [t.get_text() for t in ax.get_xticklabels()] == [name for name, _ in weights]
    assert ax.get_yscale() == "log"
    everything = plot_gradient_norms(model, weights_only=False, log_scale=False)
    assert len(everything.patches) == 6 and everything.get_yscale() == "linear"


def test_gradient_norms_need_a_backward_pass():
    model = nn.MLP([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match=r"'0.weight' has no gradient: call loss.backward\(\)"):
        plot_gradient_norms(model)


# ----- optimiser paths ------------------------------------------------------------------------
def bowl(p):
    return (p * p).sum()  # gradient 2p


def test_optimizer_path_of_gradient_descent():
    path = optimizer_path(bowl, lambda p: optim.SGD(p, lr=0.1), (1.0, -2.0), steps=3)
    # each step multiplies the point by 1 − 0.1·2 = 0.8
    np.testing.assert_allclose(path, [[1.0, -2.0], [0.8, -1.6], [0.64, -1.28], [0.512, -1.024]])
    np.testing.assert_array_equal(optimizer_path(bowl, (optim.SGD, {"lr": 0.1}), (1.0, -2.0), 3), path)


def test_optimizer_path_stops_where_it_blows_up():
    # lr = 1.5 multiplies the point by 1 − 3 = −2 each step: |θ| = 2^k passes 1e6 at step 20
    with pytest.warns(
        DivergenceWarning, match=r"SGD\(lr=1.5\) diverged: step 20 took the point to ‖θ‖ = 1.05e\+06"
    ):
        path = optimizer_path(bowl, lambda p: optim.SGD(p, lr=1.5), (1.0, 0.0), steps=50)
    assert path.shape == (20, 2)
    np.testing.assert_array_equal(path[-1], [(-2.0) ** 19, 0.0])


def test_optimizer_path_stops_at_a_nan_loss():
    # f = ln θ0: one step of lr 1 from 0.5 goes to 0.5 − 1/0.5 = −1.5, where ln is nan
    with pytest.warns(DivergenceWarning, match="f became nan at the point reached after 1 steps"):
        path = optimizer_path(lambda p: p[0].log() + 0 * p[1], lambda p: optim.SGD(p, lr=1.0), (0.5, 0.0), 5)
    np.testing.assert_allclose(path, [[0.5, 0.0], [-1.5, 0.0]])


def test_optimizer_run_gives_the_path_the_losses_and_the_label():
    run = optimizer_run(bowl, (optim.SGD, {"lr": 0.1, "momentum": 0.5}), (1.0, -2.0), steps=3)
    expected = optimizer_path(bowl, lambda p: optim.SGD(p, lr=0.1, momentum=0.5), (1.0, -2.0), 3)
    np.testing.assert_array_equal(run.path, expected)
    np.testing.assert_array_equal(run.losses, (expected**2).sum(axis=1))  # f at every point, the last too
    assert run.label == "SGD(lr=0.1, momentum=0.5)"
    assert run.divergence is None and not run.diverged
    path, losses, label, divergence = run  # a named tuple
    assert (path, losses, label, divergence) == (run.path, run.losses, run.label, None)


def test_optimizer_run_says_why_it_diverged_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = optimizer_run(bowl, lambda p: optim.SGD(p, lr=1.5), (1.0, 0.0), steps=50)
    assert run.diverged and run.divergence == (
        "SGD(lr=1.5) diverged: step 20 took the point to ‖θ‖ = 1.05e+06; "
        "the path stops at the last point before (try a smaller lr)"
    )
    assert run.path.shape == (20, 2) and run.losses.shape == (20,)
    np.testing.assert_array_equal(run.losses, 4.0 ** np.arange(20))


def test_an_optimizer_walk_in_pieces_is_the_run_so_far_then_the_whole_run():
    whole = optimizer_run(bowl, lambda p: optim.SGD(p, lr=1.5), (1.0, 0.0), steps=50)  # diverges at 20
    walk = OptimizerWalk(bowl, lambda p: optim.SGD(p, lr=1.5), (1.0, 0.0), steps=50, max_norm=1e6)
    walk.advance(7)  # f at points 0 … 6, and the step to point 7, not yet evaluated
    so_far = walk.run()
    assert not walk.done and so_far.path.shape == (7, 2) and so_far.divergence is None
    np.testing.assert_array_equal(so_far.losses, whole.losses[:7])
    while not walk.done:
        walk.advance(7)
    run = walk.run()
    assert run.divergence == whole.divergence and run.label == whole.label == "SGD(lr=1.5)"
    np.testing.assert_array_equal(run.path, whole.path)
    np.testing.assert_array_equal(run.losses, whole.losses)


def test_optimizer_run_reports_f_overflowing_at_the_last_point():
    # f = exp(x²) from x = 1: one step of lr 5.5 goes to 1 − 5.5·2e ≈ −28.9, where x² > 709.8 overflows
    run = optimizer_run(lambda p: (p**2).exp().sum(), lambda p: optim.SGD(p, lr=5.5), (1.0,), steps=1)
    np.testing.assert_allclose(run.path[:, 0], [1.0, 1.0 - 11 * np.e])
    np.testing.assert_array_equal(run.losses, [np.e, np.inf])
    assert "f became inf at the point reached after 1 steps" in run.divergence


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: optimizer_path(bowl, "sgd", (1.0, 1.0), 3), TypeError, "as a function of the parameters"),
        (lambda: optimizer_path(bowl, lambda p: None, (1.0, 1.0), 3), TypeError, "returned NoneType"),
        (
            lambda: optimizer_path(lambda p: p * 2, (optim.Adam, {}), (1.0, 1.0), 3),
            TypeError,
            r"shape \(2,\)",
        ),
        (lambda: optimizer_path(bowl, (optim.Adam, {}), [[1.0, 1.0]], 3), ShapeError, "1-D array"),
        (lambda: optimizer_path(bowl, (optim.Adam, {}), (1.0, 1.0), -1), ValueError, "steps must be >= 0"),
        (
            lambda: optimizer_path(bowl, (optim.Adam, {}), (1.0, 1.0), 2.5),
            TypeError,
            "steps must be an integer",
        ),
    ],
)
def test_optimizer_path_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_optimizer_path_takes_numpy_integers():
    path = optimizer_path(lambda p: (p**2).sum(), (optim.SGD, {"lr": 0.25}), (1.0, 2.0), np.int64(2))
    np.testing.assert_array_equal(path, [[1.0, 2.0], [0.5, 1.0], [0.25, 0.5]])


def test_paths_drawn_over_the_contours():
    def valley(p):
        return p[0] ** 2 + 10 * p[1] ** 2

    racers = {"plain": (optim.SGD, {"lr": 0.05}), "momentum": (optim.SGD, {"lr": 0.05, "momentum": 0.8})}
    ax = plot_optimizer_paths(valley, racers, start=(-2.0, 1.0), steps=15)
    lines = lines_by_label(ax)
    for label, spec in racers.items():
        expected = optimizer_path(valley, spec, (-2.0, 1.0), 15)
        np.testing.assert_array_equal(
            np.column_stack([lines[label].get_xdata(), lines[label].get_ydata()]), expected
        )
    np.testing.assert_array_equal(lines["start"].get_xydata(), [[-2.0, 1.0]])
    (contours,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert len(contours.levels) > 10
    assert ax.get_xlim()[0] <= -2.0 and ax.get_ylim()[1] >= 1.0


def test_unnamed_optimizers_are_labelled_by_repr_and_divergence_is_marked():
    specs = [lambda p: optim.Adam(p, lr=0.1), lambda p: optim.SGD(p, lr=1.5)]
    with pytest.warns(DivergenceWarning):
        ax = plot_optimizer_paths(bowl, specs, start=(1.0, 1.0), steps=30, xlim=(-3, 3), ylim=(-3, 3))
    labels = [line.get_label() for line in ax.get_lines()]
    assert "Adam(lr=0.1)" in labels and "SGD(lr=1.5) (diverged)" in labels
    assert any(line.get_marker() == "X" for line in ax.get_lines())
    assert ax.get_xlim() == (-3, 3)


def test_runs_computed_before_are_drawn_as_they_are():
    runs = [optimizer_run(bowl, (optim.Adam, {"lr": 0.3}), (1.0, 1.0), 10)]
    runs.append(optimizer_run(bowl, (optim.SGD, {"lr": 1.5}), (1.0, 1.0), 30))  # diverges, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot_optimizer_paths(bowl, runs, (1.0, 1.0), 30, resolution=10)
    lines = lines_by_label(ax)
    np.testing.assert_array_equal(lines["Adam(lr=0.3)"].get_xydata(), runs[0].path)
    np.testing.assert_array_equal(lines["SGD(lr=1.5) (diverged)"].get_xydata(), runs[1].path)
    np.testing.assert_array_equal(lines["start"].get_xydata(), [[1.0, 1.0]])
    assert ax.get_xlim()[1] < 3  # the box around the path that did not diverge
    mixed = plot_optimizer_paths(bowl, {"mine": runs[0], "SGD": (optim.SGD, {"lr": 0.1})}, (1.0, 1.0), 5)
    assert {"mine", "SGD"} <= set(lines_by_label(mixed))
    np.testing.assert_array_equal(lines_by_label(mixed)["mine"].get_xydata(), runs[0].path)


def test_runs_are_checked():
    with pytest.raises(ValueError, match="at least one"):
        plot_optimizer_paths(bowl, [], (1.0, 1.0), 3)
    run = optimizer_run(bowl, (optim.SGD, {"lr": 0.1}), (1.0, 1.0), 3)
    with pytest.raises(
        ValueError, match=r"the run of SGD\(lr=0.1\) starts at \[1. 1.\], not at start \[0. 1.\]"
    ):
        plot_optimizer_paths(bowl, [run], (0.0, 1.0), 3)
    line = optimizer_run(bowl, (optim.SGD, {"lr": 0.1}), (1.0,), 3)
    with pytest.raises(ShapeError, match=r"must lie in a plane.*SGD\(lr=0.1\) has shape \(4, 1\)"):
        plot_optimizer_paths(bowl, [line], (1.0,), 3)


def test_two_optimisers_with_the_same_repr_both_get_a_line():
    same = [lambda p: optim.SGD(p, lr=0.1), lambda p: optim.SGD(p, lr=0.1)]
    ax = plot_optimizer_paths(bowl, same, start=(1.0, 1.0), steps=3, resolution=10)
    assert [line.get_label() for line in ax.get_lines()].count("SGD(lr=0.1)") == 2


def test_plot_arguments_are_checked_by_name():
    with pytest.raises(ValueError, match="steps must be <= 100000, got 1000000000"):
        optimizer_path(bowl, (optim.SGD, {"lr": 0.1}), (1.0, 1.0), 10**9)
    assert optimizer_path(bowl, (optim.SGD, {"lr": 0.1}), (1.0, 1.0), np.int64(2)).shape == (3, 2)
    with pytest.raises(ValueError, match=r"max_norm must be > 0, got -1\.0"):
        optimizer_run(bowl, (optim.SGD, {"lr": 0.1}), (1.0, 1.0), 2, max_norm=-1)
    with pytest.raises(ValueError, match="resolution must be >= 2, got 0"):
        loss_surface(bowl, (-1, 1), (-1, 1), resolution=0)
    with pytest.raises(ValueError, match="xlim must have low < high"):
        loss_surface(bowl, (1, -1), (-1, 1))
    with pytest.raises(TypeError, match="ylim must be a pair"):
        loss_surface(bowl, (-1, 1), 3)
    with pytest.raises(ValueError, match="levels must be >= 2, got 1"):
        plot_optimizer_paths(bowl, [(optim.SGD, {"lr": 0.1})], (1.0, 1.0), 2, levels=1)
    with pytest.raises(TypeError, match="threshold must be a number"):
        plot_decision_boundary(sign_of_first_feature, X2, Y2, threshold="0.5")
    with pytest.raises(TypeError, match="log_scale must be True or False"):
        plot_gradient_norms({"w": np.ones((2, 2))}, log_scale="no")


# ----- no import cycle between training and plotting --------------------------------------
PACKAGE = Path(bp.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The package's modules that ``path`` imports anywhere (inside functions too), except under
    ``if TYPE_CHECKING:``, which never runs."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    checked_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in checked_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = f"{base}.{node.module}" if node.module else base
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("backprop_nb"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("backprop_nb"))
    return found


def _import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(path) for path in paths}
    return {_module_name(path): _imports(path) & modules for path in paths}


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        module = todo.pop()
        for target in graph[module] - seen:
            if target == goal:
                return True
            seen.add(target)
            todo.append(target)
    return False


def test_training_does_not_import_the_plots_that_import_it():
    graph = _import_graph()
    assert "backprop_nb.train" in graph["backprop_nb.viz.plots"]  # the walk sees the imports
    for module in ("backprop_nb.train", "backprop_nb.viz.plots", "backprop_nb.viz.curves"):
        assert not _reaches(graph, module, module), f"{module} imports itself through other modules"
    assert not _reaches(graph, "backprop_nb.train", "backprop_nb.viz.plots")

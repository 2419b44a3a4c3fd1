"""backprop_nb: backpropagation you can see, in Jupyter.

>>> import backprop_nb as bp
>>> x = bp.tensor(2.0, requires_grad=True, name="x")
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad
array(7.)
"""

from . import data, nn, optim
from .errors import AnomalyError, GradError, ShapeError
from .functions import (
    abs,
    cos,
    exp,
    linear,
    log,
    log_softmax,
    matmul,
    max,
    maximum,
    mean,
    relu,
    reshape,
    sigmoid,
    sin,
    softmax,
    sqrt,
    sum,
    tanh,
    transpose,
)
from .gradcheck import GradCheckReport, grad_check, jacobian, numerical_grad, vjp_check
from .graph import BackwardStep, backward_steps, topological_order
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad, scope
from .ops import Op
from .tensor import Tensor, tensor
from .viz.dot import to_dot
from .viz.graph_view import GraphView, show_graph
from .viz.render import RenderError, renderer_name

__version__ = "0.1.0"

# Parts that need matplotlib, ipywidgets or tqdm are imported on first use (``bp.fit``,
# ``bp.widgets``), so that ``import backprop_nb`` stays quick and light.
_LAZY = {
    "widgets": (".widgets", None),
    "exercises": (".exercises", None),
    "fit": (".train", "fit"),
    "evaluate": (".train", "evaluate"),
    "History": (".train", "History"),
    "DivergenceWarning": (".train", "DivergenceWarning"),
    "optimizer_path": (".viz.plots", "optimizer_path"),
    "optimizer_run": (".viz.plots", "optimizer_run"),
    "plot_decision_boundary": (".viz.plots", "plot_decision_boundary"),
    "plot_gradient_norms": (".viz.plots", "plot_gradient_norms"),
    "plot_history": (".viz.plots", "plot_history"),
    "plot_optimizer_paths": (".viz.plots", "plot_optimizer_paths"),
    "copy_course": (".course", "copy_course"),
    "export_html": (".html_export", "export_html"),
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'backprop_nb' has no attribute {name!r}")
    import importlib

    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name, __name__)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AnomalyError",
    "BackwardStep",
    "DivergenceWarning",
    "GradCheckReport",
    "GradError",
    "GraphView",
    "History",
    "Op",
    "RenderError",
    "ShapeError",
    "Tensor",
    "abs",
    "backward_steps",
    "copy_course",
    "cos",
    "data",
    "detect_anomaly",
    "enable_grad",
    "evaluate",
    "exercises",
    "exp",
    "export_html",
    "fit",
    "grad_check",
    "is_grad_enabled",
    "jacobian",
    "linear",
    "log",
    "log_softmax",
    "matmul",
    "max",
    "maximum",
    "mean",
    "nn",
    "no_grad",
    "numerical_grad",
    "optim",
    "optimizer_path",
    "optimizer_run",
    "plot_decision_boundary",
    "plot_gradient_norms",
    "plot_history",
    "plot_optimizer_paths",
    "relu",
    "renderer_name",
    "reshape",
    "scope",
    "show_graph",
    "sigmoid",
    "sin",
    "softmax",
    "sqrt",
    "sum",
    "tanh",
    "tensor",
    "to_dot",
    "topological_order",
    "transpose",
    "vjp_check",
    "widgets",
]

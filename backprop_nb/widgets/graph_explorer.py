"""Sliders on a live graph: change an input, watch every value and gradient of the graph follow.

>>> def f(x, y, z):
...     q = x + y
...     q.name = "q"
...     return q * z
>>> explorer = bp.widgets.graph_explorer(f, x=-2, y=5, z=-4)   # display it in a notebook
>>> explorer.grads
{'x': -4.0, 'y': -4.0, 'z': 3.0}
>>> explorer.sliders["x"].value = 1       # what dragging the slider does
>>> explorer.grads["z"]                   # ∂f/∂z = q = x + y
6.0

Every change runs the function again on fresh tensors (one per parameter, named after it, with
``requires_grad=True``), calls ``backward()`` on the result, and shows the graph with the
values, the gradients, and on each arrow the gradient that flows back along it. The graph is
drawn in the page (a :class:`~backprop_nb.widgets.graph_canvas.GraphCanvas`): laid out once, its
numbers change in place, so no box moves while you drag.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..graph import backward_steps, topological_order
from ..tensor import Tensor
from ..viz.dot import format_number, live_drawing
from ._common import (
    StaticFallbackBox,
    check_signature,
    function_name,
    graph_html,
    graph_still,
    html_table,
    make_slider,
    message_html,
    slider_value,
)
from .graph_canvas import GraphCanvas

FLUID_NODE_LIMIT = 300
"""Sliders update while dragging (``continuous_update=True``) for graphs up to this many tensors.

The kernel's part of an update is the forward and backward pass and the new texts of the graph
(measured on a busy 2-core machine: about 10 ms at 55 nodes and 50 ms at 500); the page only
changes texts in place. A drag sends about 30 values a second, so up to a few hundred nodes the
kernel keeps up; beyond, it would fall behind, so bigger graphs update when the slider is released.
"""


class GraphExplorer(StaticFallbackBox):
    """The widget :func:`graph_explorer` returns; its attributes describe what it shows.

    Attributes:
        sliders: parameter name → its widget (set ``.value`` to do what dragging does).
        values: parameter name → the slider's current value, as a float.
        output: the Tensor the function returned for the last inputs that worked.
        grads: parameter name → ∂output/∂parameter as a float (None if the output does not use it),
            for those inputs; for an output with several elements, the gradient of their sum.
        graph: the :class:`~backprop_nb.widgets.graph_canvas.GraphCanvas` that shows the graph in
            the page (``graph.nodes`` holds what each box shows).
        dot_source: the DOT text of the graph shown.
        svg: the graph as inline SVG drawn in the kernel (or a message if no renderer works): the
            still picture where widgets cannot run and no PNG can be made (the PNG comes first).
        error: None, or the message shown when the function failed for the current values.
    """

    def __init__(self, fn: Callable[..., Tensor], specs: dict[str, Any]) -> None:
        super().__init__()
        if not callable(fn):
            raise TypeError(f"graph_explorer needs a function of the inputs, not {type(fn).__name__} {fn!r}")
        self.fn = fn
        self._name = function_name(fn)
        defaults = check_signature(fn, self._name, specs, widget="graph_explorer", control="slider")
        self.sliders = {name: make_slider(name, spec, defaults[name]) for name, spec in specs.items()}
        self.graph = GraphCanvas()
        self.table = widgets.HTML()
        self.message = widgets.HTML()
        self.error: str | None = None
        try:
            self._show(self._compute())
        except Exception as error:
            error.add_note(f"graph_explorer: while running {self._call_text()} for the starting values")
            raise
        fluid = len(topological_order(self.output)) <= FLUID_NODE_LIMIT
        for name, slider in self.sliders.items():
            if slider is not specs[name]:  # a widget passed in keeps its own setting
                slider.continuous_update = fluid
            slider.observe(self._on_change, names="value")
        self.children = [*self.sliders.values(), self.message, self.graph, self.table]
        self.add_class("bp-graph-explorer")  # a handle for page styles and browser tests
        self._remember_still(graph_still(self.dot_source, self._text_summary(), html_below=self.table.value))

    @property
    def values(self) -> dict[str, float]:
        return {name: slider_value(slider) for name, slider in self.sliders.items()}

    @property
    def dot_source(self) -> str:
        return self._drawing.dot

    @property
    def svg(self) -> str:
        return graph_html(self.dot_source)

    def _compute(self) -> Tensor:
        """Run the function on fresh input tensors and backpropagate from its result."""
        inputs = {name: Tensor(value, requires_grad=True, name=name) for name, value in self.values.items()}
        out = self.fn(**inputs)
        if not isinstance(out, Tensor):
            raise TypeError(
                f"{self._name} must return a Tensor computed from its inputs, not {type(out).__name__} {out!r}"
            )
        seed = None if out.size == 1 else np.ones(out.shape)  # several elements: the gradient of the sum
        if out.requires_grad:  # else no input reaches it: every gradient is None
            out.backward(seed)
        self._inputs = inputs
        self._steps = backward_steps(out, seed) if out.requires_grad else []
        return out

    def _show(self, out: Tensor) -> None:
        self.output = out
        self.grads = {name: None if t.grad is None else float(t.grad) for name, t in self._inputs.items()}
        self._drawing = live_drawing(out, edge_grads=self._steps)
        self.graph.show(self._drawing)
        self.table.value = self._table_html()

    def _on_change(self, _change: dict[str, Any]) -> None:
        """A slider moved: recompute; a failure is shown in the widget and the last graph stays."""
        try:
            out = self._compute()
        except Exception as error:  # the user's function may raise anything; show it, don't crash
            self.error = f"{type(error).__name__}: {error}"
            self.message.value = message_html(
                f"{self._call_text()} failed: {self.error}  (The graph shows the last inputs that worked.)",
                kind="error",
            )
            return
        self.error = None
        self.message.value = ""
        self._show(out)

    def _call_text(self) -> str:
        arguments = ", ".join(f"{name}={format_number(v)}" for name, v in self.values.items())
        return f"{self._name}({arguments})"

    def _derivative(self, name: str) -> str:
        out = self.output.name or "out"
        return f"∂{out}/∂{name}" if self.output.size == 1 else f"∂(Σ {out})/∂{name}"

    def _output_text(self) -> str:
        value = (
            format_number(float(self.output.data)) if self.output.size == 1 else f"shape {self.output.shape}"
        )
        return f"{self.output.name or 'out'} = {value}"

    def _table_html(self) -> str:
        rows = [(name, self._inputs[name].item(), "—" if g is None else g) for name, g in self.grads.items()]
        header = ("input", "value", self._derivative("input"))
        return f"<div>{html.escape(self._output_text())}</div>" + html_table(header, rows)

    def _text_summary(self) -> str:
        grads = "   ".join(
            f"{self._derivative(name)} = {'—' if g is None else format_number(g)}"
            for name, g in self.grads.items()
        )
        return f"{self._call_text()}: {self._output_text()}\n{grads}"


def graph_explorer(fn: Callable[..., Tensor], /, **sliders: Any) -> GraphExplorer:
    """Sliders for the inputs of ``fn`` above the live graph of what it computes.

    ``fn`` takes tensors by name and returns a Tensor (a scalar, or a small array whose sum is
    differentiated); name intermediate tensors (``q.name = "q"``) to see the names in the graph.
    Each keyword gives the slider of the parameter of that name:

    * a number: start there, on a range around zero that holds it (``x=-2``: -5 … 5);
    * ``(min, max)`` or ``(min, max, step)``: that range, starting at ``fn``'s default for the
      parameter if it has one, else in the middle;
    * an ipywidgets widget with a number as ``.value`` (``widgets.FloatSlider(...)``).

    Parameters with a default need no slider: ``fn`` then uses the default. Sliders follow
    the drag live on graphs up to ``FLUID_NODE_LIMIT`` nodes and update on release beyond.

    Raises:
        TypeError: ``fn`` is not callable, a slider names no parameter of ``fn``, a parameter
            without a default has no slider, or ``fn`` does not return a Tensor.
        ValueError: a range is empty or reversed, a step is not positive, a start lies outside
            its range. Errors of ``fn`` itself at the starting values propagate with a note;
            later (while dragging) they are shown in the widget instead.
    """
    return GraphExplorer(fn, sliders)

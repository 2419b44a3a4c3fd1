"""The backward pass one node at a time: Play, Next, Back and Reset over the engine's own walk.

>>> stepper = bp.widgets.backward_stepper(f)    # display it in a notebook
>>> stepper.next.click()                        # what pressing Next does
>>> print(stepper.step_text)

Each press of Next takes one more step from ``bp.backward_steps(root)``, the very generator
``root.backward()`` consumes, and shows it: the node whose gradient is now complete
(highlighted), and for each of its inputs [upstream gradient] × [local gradient] =
contribution. Contributions add up at inputs used more than once (fan-out), and the graph shows
each gradient *as accumulated so far*. After the last step the gradients are exactly those of
``root.backward()``.

The picture is your graph itself, drawn by ``bp.to_dot`` with ``grad_of=`` the gradients the
steps taken so far have accumulated: the stepper writes no ``.grad`` into your graph. It is
drawn in the page and laid out once, with room for every gradient still to come, so each step
only changes texts and the highlight: no box moves.
"""

from __future__ import annotations

import html
import numbers

import ipywidgets as widgets
import numpy as np

from ..graph import BackwardStep, backward_steps, seed_gradient, topological_order
from ..tensor import Tensor
from ..viz.dot import LiveDrawing, live_drawing, op_text, summarize
from ._common import StaticFallbackBox, graph_html, graph_still
from .graph_canvas import GraphCanvas

PLAY_INTERVAL_MS = 1200
"""Time between steps while Play runs: long enough to read a step's numbers."""

TEXT_LINES = 6
"""The step text's box is this many lines high whatever the step says, so the graph stays put."""


class BackwardStepper(StaticFallbackBox):
    """The widget :func:`backward_stepper` returns; its attributes describe what it shows.

    Attributes:
        play, back, next, reset: the controls (``stepper.next.click()`` presses Next); the
            ``Play`` widget's ``value`` is the number of steps taken, whichever control moved it.
        index: the number of steps taken, 0 … ``total``.
        total: the number of steps of the whole pass (one per tensor that requires grad).
        done: True once every step has been taken.
        current: the :class:`~backprop_nb.graph.BackwardStep` shown (None before the first).
        step_text: the current step in words and numbers (plain text).
        grads: name → gradient so far (a float, or an array), for the named tensors that have one.
        graph: the :class:`~backprop_nb.widgets.graph_canvas.GraphCanvas` that shows the graph.
        dot_source, svg: the graph as DOT text, and as inline SVG drawn in the kernel (the still
            picture where widgets cannot run and no PNG can be made; the PNG comes first).
    """

    def __init__(self, root: Tensor, interval_ms: int = PLAY_INTERVAL_MS) -> None:
        super().__init__()
        if not isinstance(root, Tensor):
            raise TypeError(
                f"backward_stepper steps through the graph of a Tensor, not {type(root).__name__}"
            )
        if not isinstance(interval_ms, numbers.Integral) or isinstance(interval_ms, bool):
            raise TypeError(f"interval_ms must be a whole number of milliseconds, not {interval_ms!r}")
        if interval_ms < 1:
            raise ValueError(
                f"interval_ms must be at least 1 (milliseconds between steps), not {interval_ms}"
            )
        self.root = root
        self._seed = seed_gradient(root)  # raises the engine's own error for a root it cannot start from
        self._walk = backward_steps(root)
        self._steps: list[BackwardStep] = []
        self.total = sum(t.requires_grad for t in topological_order(root))

        self.play = widgets.Play(
            value=0,
            min=0,
            max=self.total,
            step=1,
            interval=int(interval_ms),
            description="play",
            show_repeat=False,
        )
        self.back = widgets.Button(description="◀ Back", tooltip="undo the last step")
        self.next = widgets.Button(description="Next ▶", tooltip="take one step of the backward pass")
        self.reset = widgets.Button(description="Reset", tooltip="back to the start")
        self.counter = widgets.HTML()
        height = f"{1.4 * TEXT_LINES}em"  # fixed, so the graph below does not move as the text changes
        self.text = widgets.HTML(layout=widgets.Layout(height=height, overflow="auto"))
        self.graph = GraphCanvas()
        self.back.on_click(lambda _: self._move_to(self.play.value - 1))
        self.next.on_click(lambda _: self._move_to(self.play.value + 1))
        self.reset.on_click(lambda _: self._move_to(0))
        self.play.observe(lambda change: self._show(change["new"]), names="value")

        self._show(0)
        controls = widgets.HBox([self.play, self.back, self.next, self.reset, self.counter])
        self.children = [controls, self.text, self.graph]
        self.add_class("bp-backward-stepper")  # a handle for page styles and browser tests
        self._remember_still(
            graph_still(self.dot_source, self.step_text, html_above=f"<div>{self.text.value}</div>")
        )

    # ----- the state shown -------------------------------------------------------------------
    @property
    def index(self) -> int:
        return self.play.value

    @property
    def done(self) -> bool:
        return self.index == self.total

    @property
    def current(self) -> BackwardStep | None:
        return self._steps[self.index - 1] if self.index else None

    @property
    def dot_source(self) -> str:
        return self._drawing.dot

    @property
    def svg(self) -> str:
        return graph_html(self.dot_source)

    @property
    def grads(self) -> dict[str, float | np.ndarray]:
        return {t.name: float(g) if g.size == 1 else g for t, g in self._grads.items() if t.name is not None}

    def grad_of(self, t: Tensor) -> np.ndarray | None:
        """The gradient of ``t`` accumulated by the steps taken so far (None if none reached it)."""
        return self._grads.get(t)

    # ----- moving ----------------------------------------------------------------------------
    def _move_to(self, index: int) -> None:
        """What the buttons do: set the step index (clamped); the Play widget's observer redraws."""
        self.play.value = min(max(index, 0), self.total)

    def _show(self, index: int) -> None:
        """Take steps from the engine's walk up to ``index`` (once each), then redraw."""
        while len(self._steps) < index:
            self._steps.append(next(self._walk))
        self._grads, received = self._gradients_after(index)
        self._drawing = self._draw(index)
        self.graph.show(self._drawing)
        lines = self._describe(index, received)
        self.step_text = "\n".join(lines)
        self.text.value = "<br>".join(html.escape(line).replace("  ", "&nbsp;&nbsp;") for line in lines)
        self.counter.value = "<b>done</b>" if self.done else f"step {index} of {self.total}"
        self.back.disabled = self.reset.disabled = index == 0
        self.next.disabled = self.done

    def _gradients_after(self, index: int) -> tuple[dict[Tensor, np.ndarray], dict[Tensor, int]]:
        """Each tensor's gradient after ``index`` steps, and how many contributions reached it.

        A tensor whose own step was taken has its complete gradient, the step's ``upstream``;
        any other has the sum of the contributions that have reached it so far.
        """
        grads = {self.root: self._seed}
        received: dict[Tensor, int] = {}
        for step in self._steps[:index]:
            grads[step.node] = step.upstream
            for parent, g in step.contributions:
                if g is not None:
                    grads[parent] = grads[parent] + g if parent in grads else g
                    received[parent] = received.get(parent, 0) + 1
        return grads, received

    def _draw(self, index: int) -> LiveDrawing:
        """The graph with the gradients so far and their arrows, the current node highlighted."""
        highlight = [self._steps[index - 1].node] if index else []
        return live_drawing(
            self.root, edge_grads=self._steps[:index], highlight=highlight, grad_of=self._grads
        )

    # ----- the words ---------------------------------------------------------------------------
    def _describe(self, index: int, received: dict[Tensor, int]) -> list[str]:
        out = self.root.name or "out"
        if index == 0:
            return [
                f"Ready: the backward pass starts at {out} with ∂{out}/∂{out} = {_number(self._seed)}. "
                f"Press Next ▶ or play: {self.total} steps."
            ]
        step = self._steps[index - 1]
        node, name = step.node, out if step.node is self.root else _label(step.node)
        lines = [
            f"Step {index} of {self.total}: ∂{out}/∂{name} = {_number(step.upstream)} is complete "
            f"({'the seed' if node is self.root else _count_contributions(received.get(node, 0))})."
        ]
        if node.op is None:
            lines.append(f"{name} is a leaf: backward() stores this gradient in {name}.grad.")
        else:
            lines += self._contribution_lines(step, out, before=self._gradients_after(index - 1)[0])
        if index == self.total:
            lines.append(f"Done: every gradient is complete, equal to what {out}.backward() computes.")
        return lines

    def _contribution_lines(
        self, step: BackwardStep, out: str, before: dict[Tensor, np.ndarray]
    ) -> list[str]:
        """For each input: upstream × local = contribution, and the input's gradient so far.

        The product form is exact for scalars; for arrays the local derivative is a Jacobian,
        so the op's own description of its derivative is shown with the contribution's summary.
        ``before`` holds the gradients before this step; each contribution is added to it in turn
        (as the engine adds them), to show what it adds to.
        """
        op = step.node.op
        lines = [f"{op_text(op)}: local derivative {op.local_derivative}"]
        scalar = step.upstream.size == 1
        for (parent, g), local in zip(step.contributions, step.local_grads(), strict=True):
            name = _label(parent)
            if g is None:
                lines.append(f"  → {name}: needs no gradient")
                continue
            if (scalar and parent.size == 1) or (op.elementwise and parent.shape == step.node.shape):
                sent = f"upstream × local = {_number(step.upstream)} × {_number(local)} = {_number(g)}"
            else:
                sent = f"contribution {_number(g)}"
            previous = before.get(parent)
            before[parent] = g if previous is None else previous + g
            total = _number(before[parent])
            if previous is not None:
                total = f"{_number(previous)} + {_number(g)} = {total}"
            lines.append(f"  → {name}: {sent};  ∂{out}/∂{name} so far: {total}")
        return lines


def backward_stepper(root: Tensor, interval_ms: int = PLAY_INTERVAL_MS) -> BackwardStepper:
    """Step through ``root``'s backward pass: Play / Next / Back / Reset over ``bp.backward_steps``.

    ``root`` must be a one-element tensor that requires grad (a loss). Its graph is left as it
    is: the stepper writes no ``.grad`` (call ``root.backward()`` for that). ``interval_ms`` is
    the time between steps while Play runs.

    Raises:
        TypeError: ``root`` is not a Tensor, or ``interval_ms`` is not a whole number.
        ValueError: ``interval_ms`` is less than 1.
        GradError: ``root`` does not require grad or has more than one element.
    """
    return BackwardStepper(root, interval_ms)


def _count_contributions(count: int) -> str:
    return "one contribution" if count == 1 else f"the sum of {count} contributions"


def _label(t: Tensor) -> str:
    """How the text names a tensor: its name, else its op ("× node"), else its value (a constant)."""
    if t.name is not None:
        return t.name
    if t.op is not None:
        return f"({op_text(t.op)} node)"
    return _number(t.data)


def _number(array: np.ndarray | None) -> str:
    if array is None:
        return "—"
    return " · ".join(summarize(np.asarray(array)))

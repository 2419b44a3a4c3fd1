"""Write a computation graph as DOT text, the language Graphviz draws pictures from.

>>> x = bp.tensor(-2.0, requires_grad=True, name="x")
>>> y = bp.tensor(5.0, requires_grad=True, name="y")
>>> z = bp.tensor(-4.0, requires_grad=True, name="z")
>>> f = (x + y) * z
>>> f.backward()
>>> print(bp.to_dot(f))          # or bp.show_graph(f) to see the picture

Each tensor is a box (a Graphviz *record*) as in the lectures: the function that computed it
in a cell on the side where the arguments come in, and beside it the tensor's name, its value
(a number, or the shape with min · max and mean of an array) and its gradient ("grad —" until
``backward()`` has run). Arguments enter in order: the first on top when the picture flows
left to right (``rankdir="LR"``, the default), on the left when it flows down (``"TB"``).
``x + x`` draws two arrows. :mod:`backprop_nb.viz.style` says what the colours mean.

The boxes are numbered n0, n1, … by their position in ``bp.topological_order(root)`` (a
collapsed block takes the number of its last tensor), never by ``id()`` or by how many tensors
a notebook made before: the same graph gives the same text every run, so nbval can compare it.

Every name is escaped: quotes, backslashes, ``< > { } | &`` and newlines show literally and
cannot change the DOT or the SVG. Graphviz reads backslash sequences (``\\n``, ``\\N``, …)
and HTML entities (``&amp;``) inside plain and record labels, so those are escaped too; control
characters show as their Python escapes (a newline as ``\\n``); runs of spaces may show as one.
The labels are plain or record labels, never HTML-like ones, which the in-process renderer drops.

The widgets draw their graphs in the page and keep the layout while the numbers change:
:func:`live_drawing` gives them the same picture split into a layout (every number a fixed-width
slot) and what each box and arrow shows, written by the same code as ``to_dot``'s labels.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._checks import boolean
from ..errors import ShapeError
from ..graph import BackwardStep, backward_steps, topological_order
from ..ops import Op
from ..tensor import Tensor
from . import style

RANKDIRS = ("LR", "TB", "RL", "BT")

GradSource = Mapping[Tensor, Any] | Callable[[Tensor], Any] | None
"""Where ``to_dot(grad_of=...)`` takes the gradients it shows: tensor → gradient (None for none)."""

OP_SYMBOLS = {"*": "×", "/": "÷", "-": "−", "**": "^"}
"""Ops drawn with the lectures' symbol instead of their Python operator."""

_RECORD_SPECIAL = re.compile(r"([{}|<>])")
_GRAPHVIZ_SPECIAL = re.compile(r'[\\&"{}|<>]')  # anything escape() changes in printable text


# ----- text: numbers and escaping ---------------------------------------------------------------
def format_number(value: float, precision: int = 4) -> str:
    """``value`` rounded to ``precision`` significant digits: 3.0 → "3", -0.0 → "0", 1.5e-07 → "1.5e-7"."""
    if value == 0:
        return "0"  # also for -0.0
    if not math.isfinite(value):
        return str(value)  # nan, inf, -inf
    mantissa, _, exponent = f"{value:.{precision}g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


def format_shape(shape: tuple[int, ...]) -> str:
    """A shape without spaces: (4,3), (3,), ()."""
    return f"({','.join(map(str, shape))}{',' if len(shape) == 1 else ''})"


def summarize(
    array: np.ndarray, precision: int = 4, number: Callable[[float, int], str] = format_number
) -> list[str]:
    """The lines that describe an array: its one number, or "min … · max …" and "mean …".

    Each number is written by ``number(value, precision)`` (the live graph view passes one that
    writes a fixed-width slot instead, to size the boxes for any value).

    A mean that is zero up to rounding (below 1e-12 of the largest magnitude, as for the
    gradient of softmax scores, whose rows sum to 0) shows as 0: its digits would be noise that
    differs between machines.
    """
    if array.size == 1:
        return [number(float(array.flat[0]), precision)]
    if array.size == 0:
        return ["empty"]
    with np.errstate(all="ignore"):  # the mean of inf and -inf is nan: show it, do not warn
        low, high, mean = (float(v) for v in (array.min(), array.max(), array.mean()))
    if abs(mean) <= 1e-12 * max(abs(low), abs(high)):
        mean = 0.0
    low, high, mean = (number(v, precision) for v in (low, high, mean))
    return [f"min {low} · max {high}", f"mean {mean}"]


def mean_abs(array: np.ndarray) -> float:
    """The mean absolute value: how big the numbers of an array are, whatever its size."""
    with np.errstate(all="ignore"):
        return float(np.abs(array).mean())


def number_slot(_value: float, precision: int) -> str:
    """Text as wide as any number ``format_number`` writes at ``precision`` ("-1.234e-100" at 4).

    Digits are the widest characters of a number in Helvetica, so ``precision + 7`` zeros
    reserve room for a sign, the digits, a point and an exponent (or "nan", "-inf").
    """
    return "0" * (precision + 7)


def printable(text: Any) -> str:
    """``text`` with its control characters written as Python escapes (a newline as ``\\n``)."""
    text = str(text)
    if text.isprintable():  # nearly always: skip the character-by-character copy
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def escape(text: Any, record: bool = True) -> str:
    """Make ``text`` show literally inside a quoted DOT label (a record label if ``record``).

    Control characters become their Python escapes (a newline shows as ``\\n``); then what
    Graphviz would interpret is neutralised: the backslash (its ``\\n``, ``\\N``, … sequences),
    ``&`` (HTML entities), the double quote (it ends the DOT string) and, in records, the
    field syntax ``{ } | < >``.
    """
    text = printable(text)
    if not _GRAPHVIZ_SPECIAL.search(text):  # nearly always (numbers, names, ops): nothing to do
        return text
    text = text.replace("\\", "\\\\").replace("&", "&amp;").replace('"', '\\"')
    return _RECORD_SPECIAL.sub(r"\\\1", text) if record else text


def op_text(op: Op) -> str:
    """What a box shows for its op: ×, +, exp, sum(axis=0), …"""
    text = op.describe()
    return OP_SYMBOLS.get(text, text)


def _lines(lines: list[str]) -> str:
    """Several lines in one label or record field (Graphviz's centred line break)."""
    return "\\n".join(lines)


def _attributes(attrs: dict[str, Any]) -> str:
    """``[key="value", …]``. Every value is our own text or already escaped."""
    return "[" + ", ".join(f'{key}="{value}"' for key, value in attrs.items()) + "]"


# ----- boxes and arrows: what the picture is made of ------------------------------------------
@dataclass
class _Box:
    """One node of the picture: a tensor, or the tensors of one scope call collapsed into a block."""

    members: list[Tensor]  # leaves first, then ops in topological order; the box shows the last
    position: int  # topological position of the last member: the node is called n<position>
    scope: tuple[str, ...] = ()  # the collapsed scope; () for a single tensor

    @property
    def output(self) -> Tensor:
        return self.members[-1]

    @property
    def node_id(self) -> str:
        return f"n{self.position}"


def _scope_key(t: Tensor, collapse: bool | int) -> tuple[str, ...]:
    """The scope ``t`` is collapsed into, () if it is drawn on its own.

    Parameters (leaves with requires_grad) are always drawn on their own: they get gradients.
    """
    if collapse is False or (t.op is None and t.requires_grad):
        return ()
    return t._scope if collapse is True else t._scope[:collapse]


def _make_boxes(order: list[Tensor], collapse: bool | int) -> tuple[list[_Box], dict[int, _Box]]:
    """Group the tensors into boxes: returns the boxes by position, and each tensor's box.

    A block is a run of ops with the same scope that come one after another in topological
    order (leaves in between do not interrupt it): one module call. Collapsing such runs cannot
    create a cycle. A module called twice gives two blocks, unless the two calls follow each
    other directly (``m(m(x))``): nothing then tells them apart and they share one block. A
    leaf made inside a scope (a constant) joins the block of its first user if that block has
    the same scope.
    """
    boxes: list[_Box] = []
    box_of: dict[int, _Box] = {}
    first_user: dict[int, Tensor] = {}
    run: _Box | None = None
    for position, t in enumerate(order):
        if t.op is None:
            continue
        for parent in t.op.parents:
            first_user.setdefault(parent._id, t)
        key = _scope_key(t, collapse)
        if key and run is not None and run.scope == key:
            run.members.append(t)
            run.position = position
            box_of[t._id] = run
        else:
            box_of[t._id] = _Box([t], position, key)
            boxes.append(box_of[t._id])
            run = box_of[t._id] if key else None
    for position, leaf in enumerate(order):
        if leaf.op is not None:
            continue
        key = _scope_key(leaf, collapse)
        user = first_user.get(leaf._id)
        block = box_of[user._id] if user is not None else None
        if key and block is not None and block.scope == key:
            block.members.insert(0, leaf)
            box_of[leaf._id] = block
        else:
            box_of[leaf._id] = _Box([leaf], position)
            boxes.append(box_of[leaf._id])
    return sorted(boxes, key=lambda box: box.position), box_of


@dataclass
class _Arrow:
    """From the box holding an argument to the box of the op that uses it.

    ``uses`` lists (consumer, argument index): one for an argument of a single op (``x + x`` has
    two arrows), possibly more when a tensor enters a block several times (one arrow).
    """

    source: _Box
    target: _Box
    uses: list[tuple[Tensor, int]]


def _make_arrows(boxes: list[_Box], box_of: dict[int, _Box]) -> list[_Arrow]:
    """The arrows by consumer, then by argument: Graphviz keeps that order (``ordering=in``)."""
    arrows = []
    for box in boxes:
        into_block: dict[int, _Arrow] = {}
        for consumer in box.members:
            for index, parent in enumerate(consumer.op.parents if consumer.op is not None else ()):
                source = box_of[parent._id]
                if source is box:
                    continue
                arrow = into_block.get(parent._id)
                if arrow is None:
                    arrow = _Arrow(source, box, [])
                    arrows.append(arrow)
                    if box.scope:
                        into_block[parent._id] = arrow
                arrow.uses.append((consumer, index))
    return arrows


# ----- what the overlays show ---------------------------------------------------------------
def _gradients_sent(
    steps: Iterable[BackwardStep], positions: dict[int, int]
) -> dict[tuple[int, int], np.ndarray]:
    """(consumer id, argument index) → the gradient that backward step sent to that argument."""
    sent = {}
    for step in steps:
        if not isinstance(step, BackwardStep):
            raise TypeError(f"edge_grads takes True, False or BackwardSteps, got a {type(step).__name__}")
        if step.node._id not in positions:
            raise ValueError(
                "edge_grads: a BackwardStep from another graph; take them from bp.backward_steps(root)"
            )
        for index, (_, grad) in enumerate(step.contributions):
            if grad is not None:
                sent[step.node._id, index] = grad
    return sent


def broadcast_shape(op: Op) -> tuple[int, ...] | None:
    """The shape an op's inputs broadcast to; None for one input, or inputs that do not broadcast."""
    shapes = [p.shape for p in op.parents]
    if len(shapes) < 2:
        return None
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        return None


def broadcast_note(consumer: Tensor, index: int, full: tuple[int, ...] | None) -> str | None:
    """The note "Σ over axis 0: (4,3) → (3,)" if argument ``index`` was broadcast by the op.

    ``full`` is ``broadcast_shape(consumer.op)``, found once per op: an op with n inputs has n
    arrows, and broadcasting all n shapes again for each would take time n². Backward sums a
    broadcast argument's gradient over the stretched axes (the engine's ``unbroadcast``).
    Applies to ops whose output has the broadcast shape of their inputs: + − × ÷, maximum, a
    bias in linear, ….
    """
    argument = consumer.op.parents[index]
    if not argument.requires_grad:  # no gradient flows back to a constant
        return None
    shape = argument.shape
    if full is None or full != consumer.shape or shape == full:
        return None
    extra = len(full) - len(shape)
    axes = [*range(extra), *(extra + i for i, n in enumerate(shape) if n == 1 and full[extra + i] != 1)]
    word = "axis" if len(axes) == 1 else "axes"
    return f"Σ over {word} {', '.join(map(str, axes))}: {format_shape(full)} → {format_shape(shape)}"


def _gradients(order: list[Tensor], grad_of: GradSource) -> dict[Tensor, np.ndarray | None]:
    """The gradient shown for each tensor: its ``.grad``, or what ``grad_of`` gives (checked)."""
    if grad_of is None:
        return {t: t.grad for t in order}
    if isinstance(grad_of, Mapping):
        stranger = next((key for key in grad_of if not isinstance(key, Tensor)), None)
        if stranger is not None:
            raise TypeError(
                f"grad_of maps Tensors to gradients, but has a key of type {type(stranger).__name__}"
            )
        lookup = grad_of.get
    elif callable(grad_of):
        lookup = grad_of
    else:
        raise TypeError(
            f"grad_of must be a mapping or a function from Tensor to gradient, not {type(grad_of).__name__}"
        )
    gradients = {}
    for t in order:
        grad = lookup(t)
        if grad is not None:
            grad = np.asarray(grad, dtype=np.float64)
            if grad.shape != t.shape:
                who = f"tensor {t.name!r}" if t.name is not None else "a tensor"
                raise ShapeError(
                    f"grad_of gave a gradient of shape {grad.shape} for {who} of shape {t.shape}; "
                    "a gradient has its tensor's shape"
                )
        gradients[t] = grad
    return gradients


def _first_nonfinite(
    tensors: Iterable[Tensor], values_of: Callable[[Tensor], np.ndarray | None]
) -> Tensor | None:
    """The first tensor whose values (its data, or its gradient) hold nan or inf."""
    for t in tensors:
        values = values_of(t)
        if values is not None and not np.isfinite(values).all():
            return t
    return None


def _data(t: Tensor) -> np.ndarray:
    return t.data


def _nonfinite_word(values: np.ndarray) -> str:
    return "nan" if np.isnan(values).any() else "inf"


def _grad_decades(
    boxes: list[_Box], gradients: dict[Tensor, np.ndarray | None]
) -> tuple[int, dict[int, int]]:
    """The largest decade of the gradients shown, and per box position how many decades below it.

    A box's gradient size is the mean |grad| of its output, so big and small tensors compare
    fairly. Boxes without a finite gradient are left out; an all-zero gradient gets the last step.
    """
    decades: dict[int, int | None] = {}
    for box in boxes:
        grad = gradients[box.output]
        size = mean_abs(grad) if grad is not None and grad.size else math.nan
        if math.isfinite(size):
            decades[box.position] = math.floor(math.log10(size)) if size > 0 else None
    largest = max((d for d in decades.values() if d is not None), default=0)
    last = len(style.VIRIDIS) - 1
    return largest, {p: last if d is None else min(last, largest - d) for p, d in decades.items()}


def _kind_of(box: _Box) -> str:
    """The kind of node in :mod:`~backprop_nb.viz.style` (the root is marked separately)."""
    t = box.output
    if box.scope:
        return "block"
    if t.op is not None:
        return "op"
    if t.requires_grad:
        return "parameter"
    return "constant" if t.name is None else "input"


# ----- writing the statements -----------------------------------------------------------------
_NODE_LOOK = {"fillcolor": "#FFFFFF", "color": style.INK, "penwidth": 1.2, "fontcolor": "#000000"}
"""The node attributes the overlays change, with their defaults: what a live view updates."""


def _defaults(rankdir: str) -> list[str]:
    """The graph, node and edge attributes every picture shares."""
    font = {"fontname": style.FONT}
    graph = {"rankdir": rankdir, "ordering": "in", "nodesep": 0.2, "ranksep": 0.3, "pad": 0.1, **font}
    node = {"shape": "record", "style": "filled", **_NODE_LOOK, "height": 0.3, "margin": "0.08,0.03", **font}
    edge = {"color": style.INK, "arrowsize": 0.7, "penwidth": 1.1, "fontcolor": style.BACKWARD, **font}
    return [
        f"  graph {_attributes({**graph, 'fontsize': 11})};",
        f"  node {_attributes({**node, 'fontsize': 12})};",
        f"  edge {_attributes({**edge, 'fontsize': 10})};",
    ]


def _texts(fields: list[Any]) -> list[str]:
    """The lines of a record's fields in the order Graphviz writes them as SVG <text>s."""
    if isinstance(fields, str):
        return [line for line in fields.split("\n") if line.strip()]
    return [line for field in fields for line in _texts(field)]


def _full_precision(array: np.ndarray) -> str:
    """Every digit of a one-number array; the shape and the first entries of a bigger one."""
    if array.size == 1:
        return repr(float(array.flat[0]))
    entries = ", ".join(repr(float(v)) for v in array.flat[:4])
    return f"shape {format_shape(array.shape)}: [{entries}{', …' if array.size > 4 else ''}]"


@dataclass
class _Picture:
    """The options and overlays of one ``to_dot`` call; writes the node, arrow and legend statements.

    With ``looks`` set it writes the *layout* of a live view instead: every number a fixed-width
    slot (so the boxes fit any value), no overlay colours, a label on every arrow that can carry
    a gradient; and it records in ``looks`` what each node and arrow really shows.
    """

    root: Tensor
    values: bool
    grads: bool
    rankdir: str
    precision: int
    highlighted: set[int]
    broadcast: bool
    gradients: dict[Tensor, np.ndarray | None]  # the gradient shown for each tensor (_gradients())
    gradients_sent: dict[tuple[int, int], np.ndarray]
    grad_scale: tuple[int, dict[int, int]] | None  # _grad_decades(), when grad_colors is on
    first_nan_value: Tensor | None
    first_nan_grad: Tensor | None
    arrow_texts: set[str] = field(default_factory=set)  # kinds of arrow text shown: style.ARROW_TEXT_MEANINGS
    broadcast_shapes: dict[int, tuple[int, ...] | None] = field(default_factory=dict)  # by consumer id
    looks: dict[str, Any] | None = None  # {"nodes": {id: look}, "edges": [look]} for a live view
    edge_labels: bool = False  # edge_grads was asked for (the layout reserves room on the arrows)

    def broadcast_shape_of(self, consumer: Tensor) -> tuple[int, ...] | None:
        """``broadcast_shape(consumer.op)``, found once per op however many arrows enter it."""
        if consumer._id not in self.broadcast_shapes:
            self.broadcast_shapes[consumer._id] = broadcast_shape(consumer.op)
        return self.broadcast_shapes[consumer._id]

    @property
    def number(self) -> Callable[[float, int], str]:
        """How the statements write a number: exactly, or as a slot in a layout."""
        return format_number if self.looks is None else number_slot

    # -- nodes --
    def node(self, box: _Box) -> str:
        fields, is_row = self.fields(box, self.number)
        attrs = self.node_style(box, overlays=self.looks is None)
        if self.looks is not None:
            shown = self.node_style(box, overlays=True)
            self.looks["nodes"][box.node_id] = {
                "texts": _texts(self.fields(box, format_number)[0]),
                **{key: str(shown.get(key, default)) for key, default in _NODE_LOOK.items()},
                "tip": self.tip(box.output),
            }
        return f"  {box.node_id} {_attributes({'label': self.record(fields, is_row), **attrs})};"

    def fields(self, box: _Box, number: Callable[[float, int], str]) -> tuple[list[Any], bool]:
        """The record fields of a box (unescaped text, lines split by "\\n"), and whether they form a row.

        Beside the function (op symbol, or a block's scope and its chain of ops) the column of
        :meth:`column`; a leaf has the column only.
        """
        column = self.column(box.output, number)
        if box.scope:
            ops = [op_text(m.op) for m in box.members if m.op is not None]
            if len(ops) > 1:  # a single op is named by the block already
                chain = " → ".join(ops[:4]) + (f" → … ({len(ops)} ops)" if len(ops) > 4 else "")
                column.insert(0, printable(chain))
            function = printable(box.scope[-1])
        else:
            function = printable(op_text(box.output.op)) if box.output.op is not None else None
        if function is None:
            return column, False
        return ([function, column] if column else [function]), True

    def column(self, t: Tensor, number: Callable[[float, int], str] = format_number) -> list[Any]:
        """The fields beside the function: name and shape, value, gradient, warnings.

        A scalar reads "q = 3" and "grad -4"; an array gets its shape, "min · max" and "mean",
        and a small "grad" cell beside the same summary of its gradient ("—" there until it has
        one, so the box keeps its shape when the gradient arrives).
        """
        name = printable(t.name) if t.name is not None else ""
        title = " ".join(part for part in (name, format_shape(t.shape) if t.ndim else "") if part)
        fields: list[Any] = []
        if self.values and t.size == 1:
            value = summarize(t.data, self.precision, number)[0]
            fields.append(f"{title} = {value}" if title else value)
        else:
            fields += [title] if title else []
            fields += ["\n".join(summarize(t.data, self.precision, number))] if self.values else []
        gradient = self.gradients[t]
        if self.grads and t.requires_grad:
            if number is number_slot:  # room for any gradient of this shape, "—" included
                grad = summarize(t.data, self.precision, number)
            else:
                grad = ["—"] if gradient is None else summarize(gradient, self.precision, number)
            fields.append(f"grad {grad[0]}" if t.size == 1 else ["grad", "\n".join(grad)])
        if t is self.first_nan_value:
            fields.append(f"⚠ first {_nonfinite_word(t.data)} value")
        if t is self.first_nan_grad:
            fields.append(f"⚠ first {_nonfinite_word(gradient)} gradient")
        return fields

    def record(self, fields: list[Any], is_row: bool) -> str:
        """A record label: ``fields`` side by side (``is_row``) or stacked; nested lists alternate.

        Graphviz's records flip between rows and columns at each ``{ }`` level, starting with a
        column when the picture flows sideways (LR, RL) and with a row when it flows down.
        """
        sideways = self.rankdir in ("LR", "RL")

        def write(item: Any, depth: int) -> str:
            if isinstance(item, str):
                return _lines([escape(line) for line in item.split("\n")])
            text = "|".join(write(x, depth + 1) for x in item)
            return "{" + text + "}" if depth or is_row == sideways else text

        return write(fields, 0)

    def node_style(self, box: _Box, overlays: bool = True) -> dict[str, Any]:
        """The attributes of a box: its kind's, then (with ``overlays``) gradient colours, nan, highlight."""
        attrs = dict(style.NODE_STYLES[_kind_of(box)])
        if any(m is self.root for m in box.members):
            attrs |= style.NODE_STYLES["root"]
        if not overlays:
            return attrs
        if self.grad_scale is not None and box.position in self.grad_scale[1]:
            attrs |= style.grad_magnitude_style(self.grad_scale[1][box.position])
        if any(m is self.first_nan_value or m is self.first_nan_grad for m in box.members):
            attrs |= style.NONFINITE
        if any(m._id in self.highlighted for m in box.members):
            attrs |= style.HIGHLIGHT
        return attrs

    def tip(self, t: Tensor) -> str:
        """What hovering a box shows: the tensor's value and gradient to full precision."""
        name = t.name if t.name is not None else op_text(t.op) if t.op is not None else "constant"
        lines = [printable(name), f"value {_full_precision(t.data)}"]
        if t.requires_grad:
            gradient = self.gradients[t]
            lines.append(f"grad {'—' if gradient is None else _full_precision(gradient)}")
        return "\n".join(lines)

    # -- arrows --
    def arrow(self, arrow: _Arrow) -> str:
        """The arrow statement, labelled with the gradient sent back along it and broadcast notes."""
        grad = self.gradient_line(arrow, self.number)
        parent = arrow.uses[0][0].op.parents[arrow.uses[0][1]]
        if self.looks is not None and grad is None and self.edge_labels and parent.requires_grad:
            grad = self.gradient_line(arrow, number_slot, reserve=parent)  # room for a gradient to come
        notes = []
        if self.broadcast:
            notes = list(
                dict.fromkeys(
                    note for c, i in arrow.uses if (note := broadcast_note(c, i, self.broadcast_shape_of(c)))
                )
            )
            self.arrow_texts |= {"broadcast"} if notes else set()
        lines = ([grad] if grad is not None else []) + notes
        if self.looks is not None:  # the gradient itself where the layout has its slot ("" until it comes)
            shown = [self.gradient_line(arrow, format_number) or ""] if grad is not None else []
            texts = [printable(line) for line in shown + notes]
            self.looks["edges"].append(
                {"tail": arrow.source.node_id, "head": arrow.target.node_id, "texts": texts}
            )
        label = _lines([escape(line, record=False) for line in lines])
        attrs = f" {_attributes({'label': label})}" if label else ""
        return f"  {arrow.source.node_id} -> {arrow.target.node_id}{attrs};"

    def gradient_line(
        self, arrow: _Arrow, number: Callable[[float, int], str], reserve: Tensor | None = None
    ) -> str | None:
        """The gradient sent back along ``arrow`` (None if none yet): a number, or "|g| …" for an array.

        With ``reserve``, the text a gradient of that tensor's shape would take.
        """
        grads = [self.gradients_sent.get((c._id, i)) for c, i in arrow.uses]
        grads = [g for g in grads if g is not None] or ([reserve.data] if reserve is not None else [])
        if not grads:
            return None
        total = sum(grads[1:], grads[0])
        self.arrow_texts.add("grad")
        if total.size == 1:
            return summarize(total, self.precision, number)[0]
        self.arrow_texts.add("mean_abs")
        return f"|g| {number(mean_abs(total), self.precision)}"

    # -- legend --
    def legend(self, shown: list[_Box]) -> list[str]:
        """A framed key to the kinds of node and the overlays in this picture.

        Write it after the arrows: it explains only the kinds of arrow text they showed. Kinds
        whose boxes all wear gradient colours (or the root's) are left out. Each entry is short:
        the legend shares a column with the leaves, and a wide one would push the graph apart.
        """
        coloured = self.grad_scale[1] if self.grad_scale is not None else {}
        own_look = [
            b for b in shown if b.position not in coloured and all(m is not self.root for m in b.members)
        ]
        kinds = {_kind_of(box) for box in own_look} | {"root"}
        entries = [(style.KIND_MEANINGS[k], style.NODE_STYLES[k]) for k in style.KIND_MEANINGS if k in kinds]
        if any(m._id in self.highlighted for box in shown for m in box.members):
            entries.append((("highlighted",), style.HIGHLIGHT))
        if self.first_nan_value is not None or self.first_nan_grad is not None:
            entries.append((style.NONFINITE_MEANING, style.NONFINITE))
        if self.grad_scale is not None:
            largest, steps = self.grad_scale
            for step in sorted(set(steps.values())):
                entries.append(((_grad_scale_text(largest - step, step),), style.grad_magnitude_style(step)))
        for kind, meaning in style.ARROW_TEXT_MEANINGS.items():
            if kind in self.arrow_texts:
                entries.append((meaning, style.ARROW_TEXT))
        lines = ["  subgraph cluster_legend {", '    label="legend"; style="rounded"; color="#999999";']
        for i, (words, attrs) in enumerate(entries):
            label = _lines([escape(line, record=False) for line in words])
            attrs = {"label": label, "fontsize": 10, "shape": "box", **attrs}
            if attrs["shape"] == "Mrecord":  # records break the invisible chain in Graphviz 2.43
                attrs |= {"shape": "box", "style": "rounded,filled"}
            lines.append(f"    legend{i} {_attributes(attrs)};")
        # One rank, chained by invisible arrows, which fix the order: left to right when the
        # picture flows down; sideways the chain runs upwards, so it is written backwards.
        order = range(len(entries)) if self.rankdir in ("TB", "BT") else reversed(range(len(entries)))
        chain = " -> ".join(f"legend{i}" for i in order)
        if len(entries) > 1:  # (a chain of one would be a node statement hiding that node)
            lines.append(f'    {{ rank="same"; {chain} [style="invis", minlen="0"]; }}')
        return [*lines, "  }"]


def _grad_scale_text(decade: int, step: int) -> str:
    if step == len(style.VIRIDIS) - 1:
        return f"mean |grad| < 1e{decade + 1} or 0"
    return f"mean |grad| ≈ 1e{decade}"


def _left_out_note(left_out: int, total: int, collapse: bool | int, fed: list[_Box]) -> list[str]:
    """A note in place of the nodes not drawn, with a dashed arrow to each drawn node they feed."""
    advice = f"max_nodes={total}" if collapse is not False else f"collapse=True or max_nodes={total}"
    text = f"… {left_out} more node{'s' if left_out > 1 else ''} not shown: use {advice}"
    attrs = {"label": escape(text, record=False), "shape": "note", "style": "dashed", "color": "#808080"}
    arrows = [f'  more -> {box.node_id} [style="dashed", color="#808080"];' for box in fed]
    return [f"  more {_attributes(attrs)};", *arrows]


# ----- the public function ---------------------------------------------------------------------
def to_dot(
    root: Tensor,
    *,
    values: bool = True,
    grads: bool = True,
    rankdir: str = "LR",
    precision: int = 4,
    highlight: Tensor | Iterable[Tensor] = (),
    legend: bool = False,
    edge_grads: bool | Iterable[BackwardStep] = False,
    grad_colors: bool = False,
    mark_nonfinite: bool = True,
    broadcast: bool = True,
    collapse: bool | int = False,
    max_nodes: int | None = 150,
    grad_of: GradSource = None,
) -> str:
    """The DOT text of the graph that computed ``root``, for Graphviz; ``bp.show_graph`` draws it.

    What the boxes show:
        values: each tensor's value (its number, or min · max and mean of an array).
        grads: each tensor's ``.grad`` ("grad —" before ``backward()``), for tensors that
            require grad.
        grad_of: show other gradients than ``.grad``: a mapping from tensor to gradient, or a
            function of the tensor returning its gradient; a tensor it has none for (missing,
            or None) shows "grad —". Everything that shows gradients (``grads``,
            ``grad_colors``, ``mark_nonfinite``) then uses them. The step-through widget passes
            the gradients accumulated by the steps taken so far, so it draws your graph as it
            is in the middle of the backward pass without writing any ``.grad``.
        precision: significant digits of every number (-0 shows as 0).

    Layout:
        rankdir: "LR" (left to right, as in the lectures), "TB" (top to bottom: better for
            deep networks with wide array boxes), "RL" or "BT".
        legend: add a framed key to the kinds of node and the overlays in the picture.

    Teaching overlays:
        highlight: a tensor or tensors to outline thickly in vermillion (the step-through
            widget outlines the node whose backward step it shows).
        edge_grads: write on each arrow the gradient sent back along it: that backward step's
            [local gradient] × [upstream gradient] for this input (for arrays, ``|g|``, the mean
            of its absolute values). True takes the whole backward walk from ``root`` (it
            writes no ``.grad``; ``root`` must be a one-element tensor that requires grad). Or
            pass the steps walked so far, e.g. ``list(itertools.islice(bp.backward_steps(f), 2))``,
            to label only their arrows.
        grad_colors: fill each box by the order of magnitude of its mean |grad|, one viridis
            colour per factor of 10 below the largest: vanishing gradients show up dark. Boxes
            without a gradient keep their usual colour.
        mark_nonfinite: mark the first tensor in topological order whose value holds nan or
            inf, and the first in backward order whose gradient does: where the trouble starts.
        broadcast: note "Σ over axis 0: (4,3) → (3,)" on an arrow whose tensor was broadcast,
            so backward sums its gradient back to the tensor's shape.

    Large graphs:
        collapse: draw each ``bp.scope`` call (each ``nn`` module call) as one rounded box. True
            collapses the innermost scopes (a box per layer), an int n the first n scope names
            (1: a box per outermost block). Parameters are always drawn on their own.
        max_nodes: draw at most this many boxes, the last in topological order (nearest the
            root), plus a note that says how many were left out; None draws them all.

    Raises TypeError or ValueError naming the option that is wrong, before drawing anything.
    """
    values, grads, legend, grad_colors, mark_nonfinite, broadcast = (
        boolean(name, value)
        for name, value in [
            ("values", values), ("grads", grads), ("legend", legend), ("grad_colors", grad_colors),
            ("mark_nonfinite", mark_nonfinite), ("broadcast", broadcast),
        ]
    )  # fmt: skip
    if isinstance(edge_grads, np.bool_):
        edge_grads = bool(edge_grads)
    if isinstance(collapse, np.bool_):
        collapse = bool(collapse)
    if not isinstance(root, Tensor):
        raise TypeError(f"to_dot draws the graph of a Tensor, not of a {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {RANKDIRS}, not {rankdir!r}")
    if not _is_count(precision) or precision > 17:
        raise ValueError(f"precision must be a number of significant digits from 1 to 17, not {precision!r}")
    if not isinstance(collapse, bool) and not _is_count(collapse):
        raise ValueError(f"collapse must be True, False or a scope depth >= 1, not {collapse!r}")
    if max_nodes is not None and not _is_count(max_nodes):
        raise ValueError(f"max_nodes must be a whole number >= 1 or None, not {max_nodes!r}")
    precision = int(precision)
    collapse = collapse if isinstance(collapse, bool) else int(collapse)
    max_nodes = None if max_nodes is None else int(max_nodes)
    return _draw(
        root, values=values, grads=grads, rankdir=rankdir, precision=precision, highlight=highlight,
        legend=legend, edge_grads=edge_grads, grad_colors=grad_colors, mark_nonfinite=mark_nonfinite,
        broadcast=broadcast, collapse=collapse, max_nodes=max_nodes, grad_of=grad_of,
    )  # fmt: skip


def _draw(
    root: Tensor, *, values: bool, grads: bool, rankdir: str, precision: int,
    highlight: Tensor | Iterable[Tensor], legend: bool, edge_grads: bool | Iterable[BackwardStep],
    grad_colors: bool, mark_nonfinite: bool, broadcast: bool, collapse: bool | int,
    max_nodes: int | None, grad_of: GradSource, looks: dict[str, Any] | None = None,
) -> str:  # fmt: skip
    """The DOT text of ``to_dot`` (its options checked there); with ``looks``, a live layout (``_Picture``)."""
    order = topological_order(root)
    positions = {t._id: i for i, t in enumerate(order)}
    gradients = _gradients(order, grad_of)
    boxes, box_of = _make_boxes(order, collapse)
    shown = boxes if max_nodes is None else boxes[-max_nodes:]
    steps = backward_steps(root) if edge_grads is True else () if edge_grads is False else edge_grads
    picture = _Picture(
        root=root,
        values=values,
        grads=grads,
        rankdir=rankdir,
        precision=precision,
        highlighted=_ids_in_graph(highlight, positions),
        broadcast=broadcast,
        gradients=gradients,
        gradients_sent=_gradients_sent(steps, positions),
        grad_scale=_grad_decades(shown, gradients) if grad_colors else None,
        first_nan_value=_first_nonfinite(order, _data) if mark_nonfinite else None,
        first_nan_grad=_first_nonfinite(reversed(order), gradients.get) if mark_nonfinite else None,
        looks=looks,
        edge_labels=edge_grads is not False,
    )
    lines = ["digraph G {", *_defaults(rankdir), *(picture.node(box) for box in shown)]
    drawn = {box.position for box in shown}
    fed_by_left_out: list[_Box] = []
    for arrow in _make_arrows(shown, box_of):
        if arrow.source.position in drawn:
            lines.append(picture.arrow(arrow))
        elif arrow.target not in fed_by_left_out:
            fed_by_left_out.append(arrow.target)
    if len(shown) < len(boxes):
        lines += _left_out_note(len(boxes) - len(shown), len(boxes), collapse, fed_by_left_out)
    if legend:
        lines += picture.legend(shown)
    return "\n".join([*lines, "}", ""])


def _is_count(value: Any) -> bool:
    """A whole number >= 1, a Python or numpy integer (not a bool, which Python counts as an int)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_) and value >= 1


def _ids_in_graph(tensors: Tensor | Iterable[Tensor], positions: dict[int, int]) -> set[int]:
    """The ids of the tensors to highlight, each checked to be a tensor of this graph."""
    ids = set()
    for t in (tensors,) if isinstance(tensors, Tensor) else tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"highlight takes Tensors of the graph, got a {type(t).__name__}")
        if t._id not in positions:
            raise ValueError(f"highlight: {t!r} is not in the graph of this root")
        ids.add(t._id)
    return ids


# ----- for a live view ---------------------------------------------------------------------------
@dataclass
class LiveDrawing:
    """A graph picture for a view that lays the graph out once and then only updates its texts.

    Attributes:
        root, options: what it draws: ``to_dot(root, **options)``.
        dot: the picture, exactly as ``to_dot`` writes it (written when first read).
        layout: the same graph with every number written as a fixed-width slot, the overlay
            colours left out and room for a gradient on every arrow that can carry one: boxes
            sized for any value. It changes only when the graph's structure does, so a view lays
            the graph out again only when ``layout`` differs from the one it drew.
        nodes: node id (n0, n1, …) → what the box shows: ``texts``, its lines in the order of
            the SVG's ``<text>`` elements; ``fillcolor``, ``color``, ``penwidth``, ``fontcolor``;
            ``tip``, the value and gradient to full precision (for arrays, the shape and the
            first entries).
        edges: per arrow, in the order of the DOT text: ``tail`` and ``head`` (node ids) and
            its ``texts`` ("" where a gradient has not arrived yet).
    """

    root: Tensor
    options: dict[str, Any]
    layout: str
    nodes: dict[str, dict[str, str | list[str]]]
    edges: list[dict[str, str | list[str]]]

    @functools.cached_property
    def dot(self) -> str:
        return to_dot(self.root, **self.options)  # written when asked for: a slider step needs only the looks


_TO_DOT_SIGNATURE = inspect.signature(to_dot)
"""Read once: a slider step binds the widget's options to it."""


def live_drawing(root: Tensor, **options: Any) -> LiveDrawing:
    """``to_dot(root, **options)``'s picture as a layout and what each node and arrow shows.

    For the widgets, which pass options known to be right: their values are checked when
    ``.dot`` is first read (by ``to_dot``), their names here.
    """
    if not isinstance(options.get("edge_grads", False), bool):
        options["edge_grads"] = list(options["edge_grads"])  # walked twice: for the looks and the text
    bound = _TO_DOT_SIGNATURE.bind(root, **options)
    bound.apply_defaults()
    looks: dict[str, Any] = {"nodes": {}, "edges": []}
    layout = _draw(**bound.arguments, looks=looks)
    return LiveDrawing(root, options, layout, looks["nodes"], looks["edges"])

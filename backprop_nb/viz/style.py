"""How the graph picture looks: the font, the colour of each kind of node, the overlay colours.

The colours come from palettes that people with any colour vision can tell apart, and no
meaning rests on colour alone: kinds also differ in outline or shape, overlays add words.

Kinds of node (a light tint of an Okabe–Ito colour, so black text stays readable):

* ``parameter``: a leaf with ``requires_grad=True`` (a weight, or x in f(x)): sky-blue fill.
* ``input``: a named leaf without ``requires_grad`` (data such as ``X``): yellow fill.
* ``constant``: an unnamed leaf without ``requires_grad`` (the 2 in ``2 * x``): white fill,
  dashed grey outline.
* ``op``: the result of an op (an intermediate value): white fill, solid outline.
* ``root``: the tensor the picture is drawn from (the loss): orange fill, thick outline.
* ``block``: one ``bp.scope`` call collapsed into one node: bluish-green fill, rounded corners.

Overlays: ``highlight`` draws a thick vermillion outline; the first nan/inf gets a
reddish-purple fill and a line starting with "⚠"; text on arrows (gradients, broadcasting
notes) is vermillion, the colour of the backward pass. ``grad_colors`` fills each node by the
order of magnitude of its gradient on matplotlib's *viridis* scale (sequential, colour-blind
safe, and its lightness alone tells the order): one step per factor of 10 below the largest
gradient, which is the brightest yellow; text turns white on the dark half.
"""

from __future__ import annotations

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
"""Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable with any colour vision."""

COLORS = [
    OKABE_ITO[name] for name in ("blue", "orange", "bluish_green", "vermillion", "sky_blue", "reddish_purple")
]
"""Line and class colours of the plots and live curves, in order (Okabe–Ito without black and the
pale yellow)."""

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "h", "<"]
"""Class markers, so that no class is told apart by colour alone."""

FONT = "Helvetica"
"""One font for every text (both renderers know its metrics; browsers fall back to a sans-serif)."""

INK = "#333333"
"""Outlines, arrows and text that carry no special meaning."""

BACKWARD = OKABE_ITO["vermillion"]
"""Things of the backward pass: gradient labels on edges, broadcasting notes, the highlight."""


def _tint(colour: str, amount: float) -> str:
    """Mix ``colour`` with white: amount 0 keeps it, 1 gives white."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02X}" for c in channels)


NODE_STYLES: dict[str, dict[str, str]] = {
    "parameter": {"fillcolor": _tint(OKABE_ITO["sky_blue"], 0.45)},
    "input": {"fillcolor": _tint(OKABE_ITO["yellow"], 0.35)},
    "constant": {"fillcolor": "#FFFFFF", "style": "filled,dashed", "color": "#808080"},
    "op": {"fillcolor": "#FFFFFF"},
    "root": {"fillcolor": _tint(OKABE_ITO["orange"], 0.35), "penwidth": "2.2"},
    "block": {"fillcolor": _tint(OKABE_ITO["bluish_green"], 0.6), "shape": "Mrecord"},
}
"""DOT attributes of each kind of node, on top of the defaults that ``dot.py`` writes once."""

KIND_MEANINGS = {
    "parameter": ("leaf that", "requires grad"),
    "input": ("input", "(named leaf, no grad)"),
    "constant": ("constant", "(unnamed leaf, no grad)"),
    "op": ("result of an op",),
    "root": ("root", "(the output drawn)"),
    "block": ("collapsed block", "(one bp.scope call)"),
}
"""What each kind means, as the legend says it: short lines, so the legend stays narrow."""

HIGHLIGHT = {"color": BACKWARD, "penwidth": "3.5"}
"""The nodes passed as ``highlight`` (the step-through widget's current node)."""

NONFINITE = {"fillcolor": _tint(OKABE_ITO["reddish_purple"], 0.3)}
"""The first node holding nan or inf (its label also says so)."""
NONFINITE_MEANING = ("⚠ first nan/inf", "(values: forward order,", "grads: backward order)")

ARROW_TEXT = {"shape": "plaintext", "style": "solid", "fontcolor": BACKWARD}
"""How the legend shows text that appears on arrows: just the text, in the backward colour."""
ARROW_TEXT_MEANINGS = {
    "grad": ("numbers on arrows:", "gradient sent back", "(local × upstream)"),
    "mean_abs": ("|g| on arrows: mean", "|gradient| of an array"),
    "broadcast": ("Σ over axis …:", "gradient summed back", "to a broadcast input"),
}
"""What each kind of arrow text means, as the legend says it (in this order)."""

VIRIDIS = ("#440154", "#46327E", "#365C8D", "#277F8E", "#1FA187", "#4AC16D", "#A0DA39", "#FDE725")
"""matplotlib's viridis at 8 evenly spaced points, darkest first."""

_DARK_VIRIDIS = 4
"""Text on the first four viridis colours is white, on the rest black."""


def grad_magnitude_style(steps_below_largest: int) -> dict[str, str]:
    """Fill for a gradient ``steps_below_largest`` factors of 10 below the largest in the picture.

    0 is the largest decade (brightest); 7 or more share the darkest colour.
    """
    index = max(0, len(VIRIDIS) - 1 - steps_below_largest)
    return {"fillcolor": VIRIDIS[index], "fontcolor": "#FFFFFF" if index < _DARK_VIRIDIS else "#000000"}

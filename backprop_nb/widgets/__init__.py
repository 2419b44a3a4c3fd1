"""Interactive widgets for Jupyter: each is a thin view over the engine and the graph picture.

* :func:`graph_explorer`: sliders for a function's inputs; the graph, its values and gradients
  follow every change.
* :func:`backward_stepper`: the backward pass of a graph one node at a time (the real walk,
  ``bp.backward_steps``), with the gradients adding up as you go.
* :func:`descent_explorer`: optimisers' paths on one loss surface, with f at each step beside it.
* :func:`training_dashboard`: a training run with live loss curves and decision boundary.
* :func:`plot_explorer`: controls for a function's arguments above the curves it returns.

Each returns an ipywidgets box that also shows its initial state where widgets cannot run.
"""

from .dashboard import TrainingDashboard, training_dashboard
from .descent import DescentExplorer, descent_explorer
from .graph_explorer import GraphExplorer, graph_explorer
from .plot_explorer import PlotExplorer, Points, plot_explorer
from .stepper import BackwardStepper, backward_stepper

__all__ = [
    "BackwardStepper",
    "DescentExplorer",
    "GraphExplorer",
    "PlotExplorer",
    "Points",
    "TrainingDashboard",
    "backward_stepper",
    "descent_explorer",
    "graph_explorer",
    "plot_explorer",
    "training_dashboard",
]

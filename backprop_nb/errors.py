"""The errors backprop_nb raises, each named after what went wrong.

They subclass the built-in exception a Python user would expect (a shape problem is a
``ValueError``), so ``except ValueError`` keeps working.
"""


class ShapeError(ValueError):
    """Shapes that do not fit together: the message names every shape involved."""


class GradError(RuntimeError):
    """A backward pass that cannot run, e.g. through a tensor that does not require grad."""


class AnomalyError(FloatingPointError):
    """Raised under ``detect_anomaly()`` by the first op whose result holds nan or inf."""

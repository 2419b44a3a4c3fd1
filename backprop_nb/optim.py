"""Optimisers: turn the gradients in ``p.grad`` into parameter updates.

The training step of the lectures, in PyTorch's words::

    optimizer = bp.optim.SGD(params, lr=0.1, momentum=0.9)
    loss = loss_fn(model(X_batch), y_batch)
    optimizer.zero_grad()   # forget the last batch's gradients (backward() adds to .grad)
    loss.backward()         # fill p.grad for every parameter
    optimizer.step()        # p ← p − (a step computed from p.grad)

Each optimiser has PyTorch's argument names, defaults and update rule, so what students learn
here carries over. The docstrings use PyTorch's notation: θ is a parameter, gₜ = ∂L/∂θ its
gradient at step t = 1, 2, …, γ the learning rate ``lr`` and λ the ``weight_decay``; squares,
square roots and divisions of arrays are elementwise.

Differences from ``torch.optim``:

* no parameter groups: one set of hyper-parameters for every parameter (change one with
  ``optimizer.lr = 0.01``, not ``optimizer.param_groups[0]["lr"]``);
* ``lr`` must be positive (PyTorch accepts 0), also when assigned later (``optimizer.lr = 0``
  is an error); no ``maximize``, ``foreach`` or ``fused``;
* ``eps`` must be positive (PyTorch accepts 0, which divides 0 by 0, giving nan parameters,
  wherever a gradient has been exactly 0 from the start, as for a ReLU unit that never fires);
* ``optimizer.state[p]`` holds numpy arrays (and ``"step"``, an int, for every optimiser).

Updates change ``p.data`` in place with numpy, so nothing is recorded in any graph (PyTorch
wraps ``step()`` in ``no_grad`` for the same reason), and ``p.grad`` is only read.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from . import _checks
from .errors import ShapeError
from .tensor import Tensor

__all__ = ["SGD", "AdaGrad", "Adagrad", "Adam", "Optimizer", "RMSProp", "RMSprop"]


# ----- checks of the arguments ------------------------------------------------------------
def _decay_rate(name: str, value: Any) -> float:
    """A moving-average rate: the weight of the old average, in [0, 1)."""
    value = _checks.number(name, value)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1) (the weight kept from the old average), got {value}")
    return value


def _check_params(params: Iterable[Tensor]) -> list[Tensor]:
    """The parameters as a list, or an error naming the first one that cannot be optimised."""
    if isinstance(params, Tensor):
        raise TypeError(
            "params must be an iterable of tensors: wrap a single tensor in a list, e.g. SGD([w], lr=0.1)"
        )
    if isinstance(params, Mapping):
        raise TypeError(
            "params must be an iterable of tensors, got a dict (iterating it gives its keys): pass "
            "list(params.values()) or model.parameters()"
        )
    try:
        params = list(params)
    except TypeError:
        raise TypeError(
            f"params must be an iterable of tensors such as model.parameters() or [W, b], "
            f"got {type(params).__name__}"
        ) from None
    if not params:
        raise ValueError("the optimizer got an empty list of parameters: there is nothing to optimise")
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            hint = " (pass model.parameters(), not named_parameters())" if isinstance(p, tuple) else ""
            raise TypeError(f"parameter {i} is a {type(p).__name__}, not a Tensor{hint}")
        label = f"parameter {i}" + (f" ({p.name!r})" if p.name is not None else "")
        if not p.requires_grad:
            raise ValueError(
                f"{label} has requires_grad=False, so backward() never gives it a gradient; "
                "create it with requires_grad=True"
            )
        if not p.is_leaf:
            raise ValueError(
                f"{label} was computed by an op ({p.op.describe()}); only leaf tensors (ones you "
                "created) can be optimised: their values are what the update changes"
            )
    if len({id(p) for p in params}) != len(params):
        first = next(i for i, p in enumerate(params) if any(p is q for q in params[:i]))
        raise ValueError(f"parameter {first} appears more than once: each step would update it twice")
    return params


# ----- the base class ---------------------------------------------------------------------
class Optimizer:
    """Base class: keeps the parameters and their state, and applies ``_update`` to each one.

    A subclass writes ``_update(theta, g, state)``: change ``theta`` (the parameter's data)
    in place, given ``g`` (its gradient, which must not be modified) and ``state``, this
    parameter's dict of running averages, where ``state["step"]`` counts its updates (1 on
    the first). ``optimizer.state[p]`` shows that dict, as in PyTorch.
    """

    def __init__(self, params: Iterable[Tensor]) -> None:
        self.params: list[Tensor] = _check_params(params)
        self.state: dict[Tensor, dict[str, Any]] = {}

    @property
    def lr(self) -> float:
        """The learning rate γ, a number > 0; a new one (``optimizer.lr = 0.01``) is checked too."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _checks.positive("lr", value)

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``p.grad = None``, PyTorch's default)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter from its ``.grad``; parameters whose ``.grad`` is None are
        skipped (their state, step count included, is left alone), as in PyTorch."""
        for p in self.params:
            if p.grad is None:
                continue
            g = np.asarray(p.grad)
            if g.shape != p.shape:
                raise ShapeError(
                    f"the gradient of {p.name or 'a parameter'!s} has shape {g.shape} but the "
                    f"parameter has shape {p.shape}"
                )
            state = self.state.setdefault(p, {})
            state["step"] = state.get("step", 0) + 1
            self._update(p.data, g, state)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _update()")

    def __repr__(self) -> str:
        """The class and the hyper-parameters that differ from the defaults (lr always)."""
        signature = inspect.signature(type(self))
        shown = [
            f"{name}={getattr(self, name)!r}"
            for name, parameter in signature.parameters.items()
            if name != "params" and (name == "lr" or getattr(self, name) != parameter.default)
        ]
        return f"{type(self).__name__}({', '.join(shown)})"


# ----- the optimisers ---------------------------------------------------------------------
class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum (``torch.optim.SGD``).

    The update of each parameter θ at step t::

        gₜ ← gₜ + λ θₜ₋₁                       if weight_decay λ ≠ 0  (gradient of L + λ/2 ‖θ‖²)
        bₜ ← gₜ                   at t = 1      if momentum μ ≠ 0  (b is the "momentum buffer")
        bₜ ← μ bₜ₋₁ + (1 − τ) gₜ   at t > 1      (τ = dampening)
        dₜ ← gₜ + μ bₜ  if nesterov, else bₜ     (without momentum, dₜ = gₜ)
        θₜ ← θₜ₋₁ − γ dₜ

    Plain SGD (momentum 0) is the lectures' ``weights += - step_size * weights_grad``.

    **Momentum in the lectures and here.** Three ways to write momentum (with dampening 0
    here) are common, all starting from v₀ = m₀ = 0 (the CMU lecture does not say where m
    starts; 0 is the usual choice):

    * (A) PyTorch, this class: bₜ = μ bₜ₋₁ + gₜ,  θₜ = θₜ₋₁ − γ bₜ (the CS231n slides'
      ``vx = rho * vx + dx; x -= learning_rate * vx`` is this form too);
    * (B) CS231n's velocity: vₜ = ρ vₜ₋₁ − α gₜ,  θₜ = θₜ₋₁ + vₜ;
    * (C) the CMU lecture's moving average: mₜ = β mₜ₋₁ + (1 − β) gₜ,  θₜ = θₜ₋₁ − γ′ mₜ.

    By induction on t (b₁ = g₁; if the points so far agree, so do the gradients, and each
    recurrence is linear in g):

    * vₜ = −α bₜ when ρ = μ, so (B) is *exactly* ``SGD(lr=α, momentum=ρ)``: the same points.
    * mₜ = (1 − β) bₜ when μ = β, so (C) is *exactly* ``SGD(lr=γ′·(1 − β), momentum=β)``: a
      moving average is momentum with a learning rate (1 − β) times smaller. With β = 0.9
      the lecture's γ′ = 1 is lr = 0.1 here.
    * ``SGD(lr=γ′, momentum=β, dampening=β)`` is *not* (C): PyTorch takes b₁ = g₁ undamped,
      which makes it the moving average started from m₀ = g₁ instead of 0 (exactly). Fed the
      same gradients, the two buffers differ by βᵗ g₁, which fades but never vanishes.
    * These equalities assume a constant learning rate. If lr changes during training, (A)
      and (C) apply the new rate to the whole buffer, (B) only to new gradients.

    Nesterov: the CS231n notes' form vₜ = ρ vₜ₋₁ − α gₜ, θₜ = θₜ₋₁ − ρ vₜ₋₁ + (1 + ρ) vₜ
    becomes, with vₜ = −α bₜ and bₜ − ρ bₜ₋₁ = gₜ, θₜ = θₜ₋₁ − α (gₜ + ρ bₜ): exactly
    ``nesterov=True``.

    Args:
        params: the tensors to optimise (e.g. ``model.parameters()``).
        lr: the learning rate γ, required (recent PyTorch versions default to 1e-3).
        momentum: μ ≥ 0; 0 is plain SGD.
        dampening: τ, scales the new gradient in the momentum buffer after the first step.
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        weight_decay: λ ≥ 0, an L2 penalty λ/2 ‖θ‖² on every parameter given (biases too). A
            penalty written λ_C Σ w² (as in the CMU lecture) is weight_decay = 2 λ_C.
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float,
        momentum: float = 0,
        dampening: float = 0,
        nesterov: bool = False,
        weight_decay: float = 0,
    ) -> None:
        super().__init__(params)
        self.lr = lr
        self.momentum = _checks.non_negative("momentum", momentum)
        self.dampening = _checks.number("dampening", dampening)
        self.weight_decay = _checks.non_negative("weight_decay", weight_decay)
        self.nesterov = _checks.boolean("nesterov", nesterov)
        if self.nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError(
                f"Nesterov momentum needs momentum > 0 and dampening = 0, got momentum={self.momentum} "
                f"and dampening={self.dampening}"
            )

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        if self.momentum != 0:
            if "momentum_buffer" in state:
                buffer = self.momentum * state["momentum_buffer"] + (1 - self.dampening) * g
            else:
                buffer = g.copy()
            state["momentum_buffer"] = buffer
            g = g + self.momentum * buffer if self.nesterov else buffer
        theta -= self.lr * g


class Adagrad(Optimizer):
    r"""AdaGrad: each coordinate's step is divided by the root of its summed squared gradients
    (``torch.optim.Adagrad``; ``AdaGrad`` is the same class, spelled as in the lectures).

    ::

        γ̃ₜ ← γ / (1 + (t − 1) η)                (η = lr_decay)
        gₜ ← gₜ + λ θₜ₋₁                        if λ ≠ 0
        sₜ ← sₜ₋₁ + gₜ²                          (s₀ = initial_accumulator_value)
        θₜ ← θₜ₋₁ − γ̃ₜ gₜ / (√sₜ + ε)

    Coordinates with large past gradients take small steps and rarely-moved ones large
    steps; the sum only grows, so the steps keep shrinking. This is the CS231n update
    ``cache += dx**2; x -= lr * dx / (np.sqrt(cache) + eps)``.
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(params)
        self.lr = lr
        self.lr_decay = _checks.non_negative("lr_decay", lr_decay)
        self.weight_decay = _checks.non_negative("weight_decay", weight_decay)
        self.initial_accumulator_value = _checks.non_negative(
            "initial_accumulator_value", initial_accumulator_value
        )
        self.eps = _checks.positive("eps", eps)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        lr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        previous = state.get("sum", self.initial_accumulator_value)
        state["sum"] = previous + g * g
        theta -= lr * g / (np.sqrt(state["sum"]) + self.eps)


class RMSprop(Optimizer):
    r"""RMSprop: divide the step by a moving average of squared gradients (``torch.optim.RMSprop``;
    ``RMSProp`` is the same class).

    ::

        gₜ ← gₜ + λ θₜ₋₁                        if λ ≠ 0
        vₜ ← α vₜ₋₁ + (1 − α) gₜ²               (v₀ = 0)
        ṽₜ ← vₜ, or if centered:                 (then divide by a variance estimate)
            ḡₜ ← α ḡₜ₋₁ + (1 − α) gₜ,  ṽₜ ← vₜ − ḡₜ²   (ḡ₀ = 0)
        dₜ ← gₜ / (√ṽₜ + ε)                     (ε outside the root, as in PyTorch and CS231n;
                                                 TensorFlow puts it inside)
        bₜ ← μ bₜ₋₁ + dₜ,  dₜ ← bₜ               if momentum μ > 0  (b₀ = 0)
        θₜ ← θₜ₋₁ − γ dₜ

    Unlike AdaGrad's sum, the average forgets old gradients (α is how much it keeps), so the
    steps do not shrink forever.
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
    ) -> None:
        super().__init__(params)
        self.lr = lr
        self.alpha = _decay_rate("alpha", alpha)
        self.eps = _checks.positive("eps", eps)
        self.weight_decay = _checks.non_negative("weight_decay", weight_decay)
        self.momentum = _checks.non_negative("momentum", momentum)
        self.centered = _checks.boolean("centered", centered)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        a = self.alpha
        v = state["square_avg"] = a * state.get("square_avg", 0.0) + (1 - a) * g * g
        if self.centered:
            g_avg = state["grad_avg"] = a * state.get("grad_avg", 0.0) + (1 - a) * g
            v = v - g_avg * g_avg
        direction = g / (np.sqrt(v) + self.eps)
        if self.momentum > 0:
            direction = state["momentum_buffer"] = (
                self.momentum * state.get("momentum_buffer", 0.0) + direction
            )
        theta -= self.lr * direction


class Adam(Optimizer):
    r"""Adam: momentum and RMSprop together, with bias correction (``torch.optim.Adam``).

    ::

        gₜ ← gₜ + λ θₜ₋₁                        if λ ≠ 0  (L2 penalty; AdamW differs)
        mₜ ← β₁ mₜ₋₁ + (1 − β₁) gₜ              (m₀ = 0: mean of the gradients)
        vₜ ← β₂ vₜ₋₁ + (1 − β₂) gₜ²             (v₀ = 0: mean of their squares)
        vₜ ← max(vₜ^max, vₜ) =: vₜ^max           if amsgrad (v^max₀ = 0)
        m̂ₜ ← mₜ / (1 − β₁ᵗ),  v̂ₜ ← vₜ / (1 − β₂ᵗ)  (undo the pull towards the zero start)
        θₜ ← θₜ₋₁ − γ m̂ₜ / (√v̂ₜ + ε)

    With a constant gradient, m̂ₜ = g and v̂ₜ = g² exactly, so every step has size γ (less a
    hair for ε): Adam's lr is a step length, whatever the scale of the gradient.

    The CMU lecture writes the correction of m_{t+1} as 1/(1 − βᵗ); counting the first
    update as t = 1, as here, the correction of mₜ is 1/(1 − βᵗ) (its version would divide by
    1 − β⁰ = 0 on the first step). Its ε is outside the root, as here.
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params)
        self.lr = lr
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_decay_rate("betas[0]", betas[0]), _decay_rate("betas[1]", betas[1]))
        self.eps = _checks.positive("eps", eps)
        self.weight_decay = _checks.non_negative("weight_decay", weight_decay)
        self.amsgrad = _checks.boolean("amsgrad", amsgrad)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        beta1, beta2 = self.betas
        t = state["step"]
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        m = state["exp_avg"] = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * g
        v = state["exp_avg_sq"] = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * g * g
        if self.amsgrad:
            v = state["max_exp_avg_sq"] = np.maximum(state.get("max_exp_avg_sq", 0.0), v)
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        theta -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


AdaGrad = Adagrad
RMSProp = RMSprop

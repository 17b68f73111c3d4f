"""LLM optimizers over graph Parameters: OptoPrime, TextGrad (TGD), OPRO, EvoPrompt, and a Trainer.

Every optimizer shares one base (:class:`Optimizer`): ``await opt.step()`` (or
``opt.step_sync()``) proposes new values from the feedback collected by
``output.backward(...)`` and applies those that pass the parameters' constraints;
refused suggestions are fed back on the next step. ``state_dict()`` /
``load_state_dict()`` resume a run, and every step emits :class:`OptimizerEvent` s
to subscribers.
"""

from typing import Any

from optiforge.errors import ConfigError
from optiforge.optimizers._base import Optimizer, OptimizerEvent, Proposal, Rejection
from optiforge.optimizers._evoprompt import EvoPrompt
from optiforge.optimizers._opro import OPRO
from optiforge.optimizers._optoprime import OptoPrime
from optiforge.optimizers._textgrad import TGD, TextGrad
from optiforge.optimizers._trainer import Trainer, TrainResult

#: optimizer classes by the name used in ``--method <agent>+<optimizer>``
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "optoprime": OptoPrime,
    "textgrad": TextGrad,
    "tgd": TextGrad,
    "opro": OPRO,
    "evoprompt": EvoPrompt,
}



def create(name: str, parameters: Any, lm: Any, **options: Any) -> Optimizer:
    """Build an optimizer by its method name (``optoprime``, ``textgrad``/``tgd``, ``opro``, ``evoprompt``)."""
    cls = OPTIMIZERS.get(name.lower())
    if cls is None:
        raise ConfigError(f"unknown optimizer {name!r}; choose one of {', '.join(sorted(OPTIMIZERS))}")
    try:
        return cls(parameters, lm, **options)
    except TypeError as exc:
        raise ConfigError(f"bad options for optimizer {name!r}: {exc}") from None


__all__ = [
    "OPRO",
    "OPTIMIZERS",
    "TGD",
    "EvoPrompt",
    "Optimizer",
    "OptimizerEvent",
    "OptoPrime",
    "Proposal",
    "Rejection",
    "TextGrad",
    "TrainResult",
    "Trainer",
    "create",
]

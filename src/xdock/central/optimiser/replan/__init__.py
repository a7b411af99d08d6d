"""The re-plan: re-optimise the whole floor with CP-SAT within a time budget, warm-started from the current plan.

Parts: ``problem`` (what is derived from the floor), ``assignment`` (working solution, objective,
:func:`plan_cost`), ``variables``, ``constraints`` and ``terms`` (the models), ``doors`` and ``pallets``
(their data), ``warm_start`` (greedy repair), ``solver`` (composition).
"""

from xdock.central.optimiser.replan.assignment import plan_cost
from xdock.central.optimiser.replan.solver import replan

__all__ = ["plan_cost", "replan"]

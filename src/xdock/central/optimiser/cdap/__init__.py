"""Cross-dock door assignment (CDAP): which inbound and outbound door each truck uses.

Public surface: read an instance (:class:`CdapInstance`), :func:`solve` it, check any assignment with
:func:`validate`. The parts: ``instance`` (data and file format), ``solution`` (cost and validation),
``greedy`` (baseline), ``construct`` (first assignment), ``seriation`` (spectral start), ``moves`` (numpy move
evaluation), ``local_search`` (tabu search with incremental costs), ``gap`` (exact one-side assignment),
``exact`` (full model for small instances), ``solver`` (composition), ``cli`` (command line).
"""

from xdock.central.optimiser.cdap.greedy import greedy
from xdock.central.optimiser.cdap.instance import CdapFormatError, CdapInstance
from xdock.central.optimiser.cdap.solution import CdapSolution, objective, validate
from xdock.central.optimiser.cdap.solver import CdapResult, solve

__all__ = [
    "CdapFormatError",
    "CdapInstance",
    "CdapResult",
    "CdapSolution",
    "greedy",
    "objective",
    "solve",
    "validate",
]

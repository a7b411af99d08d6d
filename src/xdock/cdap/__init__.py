"""Cross-dock door assignment (CDAP): which inbound and outbound door each truck uses.

Public surface: read an instance (:class:`CdapInstance`), :func:`solve` it, check any assignment with
:func:`validate`. The parts: ``instance`` (data and file format), ``solution`` (cost and validation),
``greedy`` (baseline), ``construct`` (first assignment), ``seriation`` (spectral start), ``kernel`` (compiled
tabu walk with incremental costs), ``tabu`` (typed owner of the walk's arrays), ``permute`` (door-group
reassignment by linear assignment), ``memetic`` (population of walks and crossovers), ``gap`` (exact one-side
assignment), ``exact`` (full model for small instances), ``solver`` (composition), ``cli`` (command line).
"""

from xdock.cdap.greedy import greedy
from xdock.cdap.instance import CdapFormatError, CdapInstance
from xdock.cdap.solution import CdapSolution, objective, validate
from xdock.cdap.solver import CdapResult, solve

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

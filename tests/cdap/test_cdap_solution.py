"""Cost and validation of an assignment on a hand-computed instance."""

from __future__ import annotations

import numpy as np

from xdock.cdap.greedy import greedy
from xdock.cdap.instance import CdapInstance
from xdock.cdap.solution import CdapSolution, objective, validate

# w = [[3, 1], [0, 2]], d = [[1, 4], [2, 1]], supplies 4 2 into doors of 5, demands 3 3 into doors of 4.
TINY = "2 2 2 2\n3 1\n0 2\n1 4\n2 1\n4 2\n5 5\n3 3\n4 4\n"


def doors(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def test_objective_by_hand() -> None:
    instance = CdapInstance.parse(TINY)
    # inbound (0, 1), outbound (1, 0): 3*d[0][1] + 1*d[0][0] + 0*d[1][1] + 2*d[1][0] = 12 + 1 + 0 + 4
    assert objective(instance, doors(0, 1), doors(1, 0)) == 17
    # inbound (0, 0) is over capacity but still has a cost: 3*1 + 1*4 + 0 + 2*4 = 15
    assert objective(instance, doors(0, 0), doors(0, 1)) == 15


def test_validate_accepts_a_correct_solution() -> None:
    instance = CdapInstance.parse(TINY)
    assert validate(instance, CdapSolution(doors(0, 1), doors(1, 0), 17)) == []


def test_validate_reports_capacity_and_objective() -> None:
    instance = CdapInstance.parse(TINY)
    problems = validate(instance, CdapSolution(doors(0, 0), doors(1, 1), 10))
    assert problems == [
        "inbound door 0: load 6 exceeds capacity 5",
        "outbound door 1: load 6 exceeds capacity 4",
        "objective: claimed 10, recomputed 24",
    ]


def test_validate_reports_lengths_and_ranges() -> None:
    instance = CdapInstance.parse(TINY)
    problems = validate(instance, CdapSolution(doors(0), doors(0, 2), 0))
    assert problems == [
        "inbound doors: expected 2 entries, got 1",
        "outbound truck 1: door 2 out of range 0..1",
    ]


def test_greedy_puts_busiest_truck_on_most_central_door() -> None:
    instance = CdapInstance.parse(TINY)
    solution = greedy(instance)
    assert solution is not None
    # inbound door 1 (distances 2+1) is more central than door 0 (1+4); truck 0 (4 pallets) goes there first,
    # truck 1 (2 pallets) does not fit next to it and takes door 0.
    assert solution.inbound_doors.tolist() == [1, 0]
    assert validate(instance, solution) == []

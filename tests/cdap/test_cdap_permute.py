"""Door-group permutation moves whole door loads by exact assignment and respects the door capacities."""

from __future__ import annotations

import numpy as np

from xdock.cdap.instance import CdapInstance
from xdock.cdap.permute import permute_doors
from xdock.cdap.solution import objective


def two_door_instance(second_door_capacity: int) -> CdapInstance:
    # inbound trucks of 5 and 3 pallets, both to one outbound truck; inbound door 1 is next to the outbound door
    return CdapInstance(
        flows=np.array([[5], [3]], dtype=np.int64),
        distances=np.array([[10], [1]], dtype=np.int64),
        supplies=np.array([5, 3], dtype=np.int64),
        inbound_capacities=np.array([5, second_door_capacity], dtype=np.int64),
        demands=np.array([8], dtype=np.int64),
        outbound_capacities=np.array([8], dtype=np.int64),
    )


def test_the_heavier_door_group_moves_next_to_its_outbound_door() -> None:
    instance = two_door_instance(5)
    inbound, outbound = np.array([0, 1]), np.array([0])
    assert objective(instance, inbound, outbound) == 53
    cost, new_inbound, new_outbound = permute_doors(instance, inbound, outbound)
    assert (cost, new_inbound.tolist(), new_outbound.tolist()) == (35, [1, 0], [0])
    assert objective(instance, new_inbound, new_outbound) == cost


def test_a_group_never_moves_onto_a_door_too_small_for_it() -> None:
    instance = two_door_instance(4)
    cost, new_inbound, new_outbound = permute_doors(instance, np.array([0, 1]), np.array([0]))
    assert (cost, new_inbound.tolist(), new_outbound.tolist()) == (53, [0, 1], [0])

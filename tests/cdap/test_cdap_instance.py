"""Reading CDAP instance files: layout, trailing numbers and the exact error messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from xdock.cdap.instance import CdapFormatError, CdapInstance

TINY = """2 2 2 2
3 1
0 2
1 4
2 1
4 2
5 5
3 3
4 4
"""


def test_parse_reads_every_field() -> None:
    instance = CdapInstance.parse(TINY, name="tiny")
    assert instance.name == "tiny"
    assert (instance.n_inbound, instance.n_outbound) == (2, 2)
    assert (instance.n_inbound_doors, instance.n_outbound_doors) == (2, 2)
    assert instance.flows.tolist() == [[3, 1], [0, 2]]
    assert instance.distances.tolist() == [[1, 4], [2, 1]]
    assert instance.supplies.tolist() == [4, 2]
    assert instance.inbound_capacities.tolist() == [5, 5]
    assert instance.demands.tolist() == [3, 3]
    assert instance.outbound_capacities.tolist() == [4, 4]


def test_trailing_integers_are_ignored() -> None:
    instance = CdapInstance.parse(TINY + "1 0 1 1\n")
    assert instance.outbound_capacities.tolist() == [4, 4]


def test_uneven_sides() -> None:
    text = "1 2 1 3\n1 2 3\n5\n6\n6\n7 7\n1 2 3\n9\n"
    instance = CdapInstance.parse(text)
    assert instance.flows.shape == (1, 3)
    assert instance.distances.tolist() == [[5], [6]]


def test_too_few_numbers_names_the_incomplete_field() -> None:
    text = "\n".join(TINY.splitlines()[:7])
    with pytest.raises(CdapFormatError) as error:
        CdapInstance.parse(text, name="short")
    assert str(error.value) == (
        "Invalid CDAP instance 'short': too few numbers: expected 20 for M=2 I=2 J=2 N=2, got 16 "
        "(field r (demands) is incomplete)"
    )


def test_negative_capacity_names_field_line_and_value() -> None:
    text = TINY.replace("5 5", "5 -1")
    with pytest.raises(CdapFormatError) as error:
        CdapInstance.parse(text, name="neg")
    assert str(error.value) == (
        "Invalid CDAP instance 'neg': line 7: field Cin (inbound door capacities) expected non-negative values, "
        "got -1 at index 1"
    )


def test_non_integer_token() -> None:
    with pytest.raises(CdapFormatError) as error:
        CdapInstance.parse(TINY.replace("0 2", "0 x"), name="bad")
    assert str(error.value) == "Invalid CDAP instance 'bad': line 3: expected an integer, got 'x'"


def test_short_header() -> None:
    with pytest.raises(CdapFormatError) as error:
        CdapInstance.parse("3 2", name="head")
    assert str(error.value) == "Invalid CDAP instance 'head': header expected 4 numbers (M I J N), got 2"


def test_zero_trucks_in_header() -> None:
    with pytest.raises(CdapFormatError) as error:
        CdapInstance.parse("0 2 2 2", name="zero")
    assert str(error.value) == "Invalid CDAP instance 'zero': line 1: header M expected >= 1, got 0"


def test_constructor_checks_shapes() -> None:
    with pytest.raises(CdapFormatError) as error:
        CdapInstance(
            flows=np.ones((2, 2), dtype=np.int64),
            distances=np.ones((2, 2), dtype=np.int64),
            supplies=np.ones(3, dtype=np.int64),
            inbound_capacities=np.ones(2, dtype=np.int64),
            demands=np.ones(2, dtype=np.int64),
            outbound_capacities=np.ones(2, dtype=np.int64),
            name="shape",
        )
    assert str(error.value) == "Invalid CDAP instance 'shape': supplies expected shape (2,), got (3,)"


def test_read_names_instance_after_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny_case.txt"
    path.write_text(TINY, encoding="utf-8")
    assert CdapInstance.read(path).name == "tiny_case"

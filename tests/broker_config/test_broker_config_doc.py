"""``docs/broker-config.md`` shows the topic table as the code has it."""

from __future__ import annotations

from pathlib import Path

from xdock.broker_config import markdown_table
from xdock.protocol.topic_table import TOPIC_TABLE

DOC = Path(__file__).parents[2] / "docs" / "broker-config.md"


def test_the_docs_show_the_topic_table_as_rendered_from_the_code() -> None:
    table = markdown_table()
    assert table in DOC.read_text(), (
        "docs/broker-config.md differs from the topic table: paste the output of "
        "python -c 'from xdock.broker_config import markdown_table; print(markdown_table())'"
    )
    assert len(table.splitlines()) == 2 + len(TOPIC_TABLE)


def test_the_rendered_table_names_each_kinds_roles() -> None:
    assert "| `xdock/v1/{site}/edge/{edge}/sensor/{sensor}/reading` | `sensor_reading` | edge, sensor node | central " \
        "| `SensorReading` | 1 |" in markdown_table()
    assert r"| `Assignment \| Feedback` |" in markdown_table()

from __future__ import annotations

import pytest

from xdock.protocol.broker_url import BrokerUrl


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtt://127.0.0.1", BrokerUrl("127.0.0.1", 1883)),
        ("mqtt://broker:1884", BrokerUrl("broker", 1884)),
        ("mqtts://broker", BrokerUrl("broker", 8883, tls=True)),
        ("mqtt://edge%2D1:s3cr%40t@broker:1883", BrokerUrl("broker", 1883, username="edge-1", password="s3cr@t")),
    ],
)
def test_parse(url: str, expected: BrokerUrl) -> None:
    assert BrokerUrl.parse(url) == expected


def test_str_hides_the_password() -> None:
    assert str(BrokerUrl("b", 1883, username="u", password="p")) == "mqtt://u@b:1883"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://broker", "Invalid broker URL 'http://broker': expected scheme mqtt:// or mqtts://, got 'http'"),
        ("mqtt://", "Invalid broker URL 'mqtt://': no host"),
        ("mqtt://broker:99999", "Invalid broker URL 'mqtt://broker:99999': port must be 1-65535"),
        ("mqtt://broker/x", "Invalid broker URL 'mqtt://broker/x': expected no path or query after host:port"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ValueError) as err:  # noqa: PT011 - the message is checked exactly
        BrokerUrl.parse(url)
    assert str(err.value) == message

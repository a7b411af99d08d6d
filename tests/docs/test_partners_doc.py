"""docs/partners.md's examples work as written: the JSON advice reads, the receiver's check verifies a delivery."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from xdock.partners.desadv import parse_json
from xdock.partners.webhooks import WebhookSecret, signature_headers

DOC = Path(__file__).resolve().parents[2] / "docs" / "partners.md"


def _block(language: str) -> str:
    [block] = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return str(block)


def test_the_json_advice_of_the_doc_reads() -> None:
    advice = parse_json(_block("json"))
    assert (advice.truck_id, [p.sscc for p in advice.pallets]) == ("AB-123-CD", ["340123450000000017"])
    assert advice.pallets[0].dangerous_goods[0].un_number == "1203"


def test_the_receivers_check_of_the_doc_verifies_a_signed_delivery_and_refuses_a_changed_one() -> None:
    space: dict[str, Any] = {}
    exec(_block("python"), space)
    secret, body = WebhookSecret.generate(), b'{"id":"t.1.pallet_loaded"}'
    headers = signature_headers([secret], "t.1.pallet_loaded", int(time.time()), body)
    assert space["verified"](secret.text, headers, body) is True
    assert space["verified"](secret.text, headers, body + b" ") is False

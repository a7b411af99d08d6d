"""The breakdown station over REST: the mixed pallets waiting, the split, and the children's GS1-128 labels sent to
a networked printer (the mock Zebra-like printer on a free port)."""

from __future__ import annotations

from pathlib import Path

from support.central_rig import api_client, built_central
from support.scans import scan
from xdock.central.site.breakdown import sscc_from
from xdock.firmware_mocks.label_printer import LabelPrinter
from xdock.protocol.clock import ManualClock
from xdock.testing import free_port
from xdock.testing.partner_site import GTIN_A, GTIN_B, LYON_GLN, MIXED, PARIS_GLN, START, TO_LYON, advice, partner_site

CHILD_1, CHILD_2 = sscc_from("03761303", 1), sscc_from("03761303", 2)


async def test_a_split_prints_one_label_per_child_and_can_print_them_again(tmp_path: Path) -> None:
    port = free_port()
    async with LabelPrinter(port=port) as printer:
        central = built_central(partner_site(), tmp_path / "c.db", ManualClock(START),
                                label_printer=("127.0.0.1", port))
        try:
            central.site.apply_asn(advice(), source="api", by="wms")
            central.site.apply_scan(scan(1, sscc=MIXED, postal=None, at=START))
            async with api_client(central) as http:
                waiting = (await http.get("/api/v1/breakdown")).json()
                assert [(p["sscc"], p["area"], p["destinations"]) for p in waiting] == [
                    (MIXED, "B1", ["LYON", "PARIS"])]
                split = await http.post(f"/api/v1/breakdown/{MIXED}/split")
                assert split.status_code == 201
                body = split.json()
                assert [(c["sscc"], c["destination"], c["trailer"], c["door"]) for c in body["children"]] == [
                    (CHILD_1, "LYON", "T-LYON-1", "D12"), (CHILD_2, "PARIS", "T-PARIS-1", "D14")]
                assert body["labels"] == {"printer": f"127.0.0.1:{port}", "printed": True, "error": None}
                labels = await printer.wait_for_labels(2, timeout_s=10)
                assert [(x.element("00"), x.element("410")) for x in labels] == [(CHILD_1, LYON_GLN),
                                                                                 (CHILD_2, PARIS_GLN)]
                assert any(MIXED in text for text in labels[0].texts)
                assert (await http.get("/api/v1/breakdown")).json() == []
                zpl = await http.get(f"/api/v1/breakdown/{MIXED}/labels")
                assert (zpl.status_code, zpl.headers["content-type"], zpl.text.count("^XA")) == (
                    200, "application/zpl", 2)
                again = await http.post(f"/api/v1/breakdown/{MIXED}/labels/print")
                assert again.json()["printed"] is True
                assert len(await printer.wait_for_labels(4, timeout_s=10)) == 4
        finally:
            await central.aclose()


async def test_an_offline_printer_is_told_and_the_split_stands(tmp_path: Path) -> None:
    port = free_port()
    central = built_central(partner_site(), tmp_path / "c.db", ManualClock(START), label_printer=("127.0.0.1", port))
    try:
        central.site.apply_asn(advice(), source="api", by="wms")
        central.site.apply_scan(scan(1, sscc=MIXED, postal=None, at=START))
        async with api_client(central) as http:
            split = await http.post(f"/api/v1/breakdown/{MIXED}/split")
            assert split.status_code == 201
            labels = split.json()["labels"]
            assert (labels["printed"], labels["error"]) == (
                False, f"printer 127.0.0.1:{port}: connection refused (is it on and online?)")
            assert central.site.state.pallets[MIXED].state == "split"
    finally:
        await central.aclose()


async def test_refusals_name_the_pallet_and_why(tmp_path: Path) -> None:
    central = built_central(partner_site(), tmp_path / "c.db", ManualClock(START))
    try:
        central.site.apply_asn(advice(), source="api", by="wms")
        central.site.apply_scan(scan(1, sscc=TO_LYON, postal=None, at=START))
        central.site.apply_scan(scan(2, sscc=MIXED, postal=None, at=START))
        async with api_client(central) as http:
            direct = await http.post(f"/api/v1/breakdown/{TO_LYON}/split")
            assert (direct.status_code, direct.json()["detail"]) == (
                409, f"pallet {TO_LYON} is assigned, not at a breakdown area")
            bad = await http.post(f"/api/v1/breakdown/{MIXED}/split", json={"children": [
                {"destination": "LYON", "lines": [{"gtin": GTIN_A, "quantity": 6}, {"gtin": GTIN_B, "quantity": 3}]}]})
            assert (bad.status_code, bad.json()["field"]) == (422, "children")
            not_split = await http.get(f"/api/v1/breakdown/{MIXED}/labels")
            assert (not_split.status_code, not_split.json()["detail"]) == (409, f"pallet {MIXED} has not been split")
            split = await http.post(f"/api/v1/breakdown/{MIXED}/split")
            assert split.json()["labels"] == {"printer": None, "printed": False, "error": "no label printer configured"}
    finally:
        await central.aclose()

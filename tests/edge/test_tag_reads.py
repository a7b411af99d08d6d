"""RO_ACCESS_REPORT tags to pallet reads: SSCC decoded, other tags counted and skipped."""

from __future__ import annotations

from datetime import UTC, datetime

from xdock.edge.tag_reads import TagRead, TagReadDecoder
from xdock.protocol import llrp
from xdock.protocol.epc import Sgtin96, Sscc96

PALLET = Sscc96.from_sscc("376130321109103420", company_prefix_length=7).encode()
ITEM = Sgtin96.from_gtin("03761303211094", 42, company_prefix_length=7).encode()
NOT_AN_EPC = bytes.fromhex("E2801160600002054C2F61AB")
STAMP = 1_772_431_200_000_000


def test_pallet_tags_become_reads_and_the_rest_is_counted() -> None:
    decoder = TagReadDecoder()
    report = llrp.ROAccessReport(
        5,
        (
            llrp.TagReport(PALLET, antenna_id=1, peak_rssi=-52, first_seen_utc_us=STAMP),
            llrp.TagReport(ITEM, antenna_id=1, peak_rssi=-50, first_seen_utc_us=STAMP),
            llrp.TagReport(NOT_AN_EPC, antenna_id=2, peak_rssi=-60, first_seen_utc_us=STAMP),
            llrp.TagReport(PALLET, antenna_id=2, peak_rssi=-58),
            llrp.TagReport(PALLET, antenna_id=2, peak_rssi=-57, first_seen_utc_us=STAMP + 100_000),
        ),
    )
    reads = decoder.decode(report)
    assert reads == [
        TagRead(PALLET, "376130321109103420", 1, -52, STAMP),
        TagRead(PALLET, "376130321109103420", 2, -57, STAMP + 100_000),
    ]
    assert reads[1].seen_at == datetime(2026, 3, 2, 6, 0, 0, 100_000, tzinfo=UTC)
    assert (decoder.reads, decoder.non_sscc, decoder.incomplete) == (2, 2, 1)
    assert decoder.decode(report) == reads  # the second time from the cache
    assert (decoder.reads, decoder.non_sscc, decoder.incomplete) == (4, 4, 2)

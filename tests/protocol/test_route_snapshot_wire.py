"""The routing snapshot on the wire: defaults left out, older payloads that spell them out still read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from xdock.protocol.messages import DestinationMatch, MessageError, Route, RouteSnapshot, decode, encode

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SNAPSHOT = RouteSnapshot(
    edge_id="e1", plan_version=3, made_at=AT, chilled_max_c=5.0,
    destinations=[
        DestinationMatch(id="LYON", postal_codes=["69*"]), DestinationMatch(id="NICE", glns=["3761303211001"]),
    ],
    routes=[
        Route(destination="LYON", trailer="T1", door="D12", departure=AT, free_positions=2),
        Route(destination="LYON", trailer="T2", door="D14", reefer=True, accepts_hazmat=True, free_positions=1),
    ],
    staging="S1",
)
COMPACT = (
    b'{"v":1,"kind":"routes","edge_id":"e1","plan_version":3,"made_at":"2026-11-23T08:00:00Z","chilled_max_c":5.0,'
    b'"destinations":[{"id":"LYON","postal_codes":["69*"]},{"id":"NICE","glns":["3761303211001"]}],'
    b'"routes":[{"destination":"LYON","trailer":"T1","door":"D12","departure":"2026-11-23T08:00:00Z",'
    b'"free_positions":2},'
    b'{"destination":"LYON","trailer":"T2","door":"D14","reefer":true,"accepts_hazmat":true,"free_positions":1}],'
    b'"staging":"S1"}'
)
SPELLED_OUT = (
    b'{"v":1,"kind":"routes","edge_id":"e1","plan_version":3,"made_at":"2026-11-23T08:00:00Z","chilled_max_c":5.0,'
    b'"destinations":[{"id":"LYON","postal_codes":["69*"],"glns":[]},'
    b'{"id":"NICE","postal_codes":[],"glns":["3761303211001"]}],'
    b'"routes":[{"destination":"LYON","trailer":"T1","door":"D12","departure":"2026-11-23T08:00:00Z",'
    b'"reefer":false,"accepts_hazmat":false,"free_positions":2},'
    b'{"destination":"LYON","trailer":"T2","door":"D14","departure":null,"reefer":true,"accepts_hazmat":true,'
    b'"free_positions":1}],"staging":"S1","chilled_staging":null}'
)


def test_defaults_stay_off_the_wire_but_version_and_kind_travel() -> None:
    assert encode(SNAPSHOT) == COMPACT
    assert decode(RouteSnapshot, COMPACT) == SNAPSHOT
    empty = RouteSnapshot(edge_id="e1", plan_version=0, made_at=AT, chilled_max_c=8.0)
    assert encode(empty) == (
        b'{"v":1,"kind":"routes","edge_id":"e1","plan_version":0,"made_at":"2026-11-23T08:00:00Z","chilled_max_c":8.0}'
    )
    assert decode(RouteSnapshot, encode(empty)) == empty


def test_a_snapshot_spelling_out_its_defaults_decodes_the_same() -> None:
    assert decode(RouteSnapshot, SPELLED_OUT) == SNAPSHOT


def test_decoding_stays_strict_about_a_field_left_in() -> None:
    payload = COMPACT.replace(b'"reefer":true', b'"reefer":"true"')
    with pytest.raises(MessageError) as caught:
        decode(RouteSnapshot, payload)
    assert str(caught.value) == "Invalid RouteSnapshot: field 'routes.1.reefer': Input should be a valid boolean"
    assert caught.value.reason == "bad_payload"


def test_the_applied_offline_decisions_travel_even_when_none_and_a_snapshot_without_them_reads_as_before() -> None:
    none_applied = RouteSnapshot(edge_id="e1", plan_version=0, made_at=AT, chilled_max_c=8.0, applied_offline=[])
    assert encode(none_applied) == (
        b'{"v":1,"kind":"routes","edge_id":"e1","plan_version":0,"made_at":"2026-11-23T08:00:00Z",'
        b'"chilled_max_c":8.0,"applied_offline":[]}'
    )
    assert decode(RouteSnapshot, encode(none_applied)).applied_offline == []
    some = encode(SNAPSHOT.model_copy(update={"applied_offline": [4, 9]}))
    assert some == COMPACT[:-1] + b',"applied_offline":[4,9]}'
    assert decode(RouteSnapshot, some).applied_offline == [4, 9]
    assert decode(RouteSnapshot, COMPACT).applied_offline is None  # an older central's snapshot
    with pytest.raises(MessageError) as caught:
        decode(RouteSnapshot, COMPACT[:-1] + b',"applied_offline":[0]}')
    assert str(caught.value) == (
        "Invalid RouteSnapshot: field 'applied_offline.0': Input should be greater than or equal to 1"
    )


def test_the_site_rule_always_travels_and_a_snapshot_without_it_is_refused_naming_it() -> None:
    assert decode(RouteSnapshot, COMPACT).chilled_max_c == 5.0
    without = COMPACT.replace(b'"chilled_max_c":5.0,', b"")
    with pytest.raises(MessageError) as caught:
        decode(RouteSnapshot, without)
    assert str(caught.value) == "Invalid RouteSnapshot: field 'chilled_max_c': Field required"
    assert caught.value.reason == "bad_payload"
    with pytest.raises(MessageError) as caught:
        decode(RouteSnapshot, COMPACT.replace(b'"chilled_max_c":5.0', b'"chilled_max_c":"5"'))
    assert str(caught.value) == "Invalid RouteSnapshot: field 'chilled_max_c': Input should be a valid number"

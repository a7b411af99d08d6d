"""Hypothesis strategies for every LLRP message the codec types."""

from __future__ import annotations

from hypothesis import strategies as st

from xdock.protocol import llrp

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
u64 = st.integers(0, (1 << 64) - 1)
ids = u32
text = st.text(max_size=20)
# Custom (1023) parameters: types the typed containers never interpret.
raw = st.builds(llrp.RawParameter, st.just(1023), st.binary(max_size=12))
raws = st.lists(raw, max_size=2).map(tuple)

status = st.builds(llrp.LlrpStatus, u16, text, raws)
tag = st.builds(
    llrp.TagReport,
    epc=st.binary(min_size=12, max_size=12) | st.binary(min_size=0, max_size=62),
    antenna_id=st.none() | u16,
    peak_rssi=st.none() | st.integers(-128, 127),
    first_seen_utc_us=st.none() | u64,
    last_seen_utc_us=st.none() | u64,
    tag_seen_count=st.none() | u16,
    rospec_id=st.none() | u32,
    extra=raws,
)
inventory = st.builds(llrp.InventoryParameterSpec, u16, u8, raws)
aispec = st.builds(
    llrp.AISpec,
    st.lists(u16, max_size=4).map(tuple),
    u8,
    u32,
    st.lists(inventory, max_size=2).map(tuple),
    raws,
    raws,
)
report_spec = st.builds(llrp.ROReportSpec, u8, u16, u16, raws, raws)
rospec = st.builds(
    llrp.ROSpec,
    u32,
    u8,
    u8,
    u8,
    u8,
    u32,
    st.lists(aispec, max_size=2).map(tuple),
    st.none() | report_spec,
    raws,
    raws,
    raws,
)
general = st.builds(llrp.GeneralDeviceCapabilities, u16, st.booleans(), st.booleans(), u32, u32, text, raws)
event_spec = st.builds(llrp.ReaderEventNotificationSpec, st.lists(st.tuples(u16, st.booleans()), max_size=3).map(tuple))
keepalive = st.builds(llrp.KeepaliveSpec, u8, u32)
capabilities = st.builds(llrp.LlrpCapabilities, u8, u8, u16, u32, u32, u32, u32, u32)

messages: st.SearchStrategy[llrp.LlrpMessage] = st.one_of(
    st.builds(llrp.ReaderEventNotification, ids, u64, st.booleans(), st.none() | u16, st.booleans(), raws),
    st.builds(llrp.GetReaderCapabilities, ids, u8, raws),
    st.builds(llrp.GetReaderCapabilitiesResponse, ids, status, st.none() | general, st.none() | capabilities, raws),
    st.builds(llrp.AddROSpec, ids, rospec),
    *(st.builds(cls, ids, u32) for cls in (llrp.DeleteROSpec, llrp.StartROSpec, llrp.StopROSpec, llrp.EnableROSpec)),
    *(
        st.builds(cls, ids, status)
        for cls in (
            llrp.AddROSpecResponse,
            llrp.DeleteROSpecResponse,
            llrp.StartROSpecResponse,
            llrp.StopROSpecResponse,
            llrp.EnableROSpecResponse,
            llrp.CloseConnectionResponse,
            llrp.ErrorMessage,
        )
    ),
    st.builds(llrp.ROAccessReport, ids, st.lists(tag, max_size=4).map(tuple), raws),
    *(
        st.builds(cls, ids)
        for cls in (llrp.Keepalive, llrp.KeepaliveAck, llrp.CloseConnection, llrp.EnableEventsAndReports)
    ),
    st.builds(llrp.GetReaderConfig, ids, u8, u16, u16, u16, raws),
    st.builds(llrp.GetReaderConfigResponse, ids, status, st.none() | event_spec, st.none() | keepalive, raws),
    st.builds(llrp.SetReaderConfig, ids, st.booleans(), st.none() | event_spec, st.none() | keepalive, raws),
    st.builds(llrp.DeleteAccessSpec, ids, u32),
    st.builds(llrp.DisableROSpec, ids, u32),
    *(
        st.builds(cls, ids, status)
        for cls in (llrp.SetReaderConfigResponse, llrp.DeleteAccessSpecResponse, llrp.DisableROSpecResponse)
    ),
)

"""What the LLRP reader mock says about itself in GET_READER_CAPABILITIES_RESPONSE.

A single-protocol (EPC Class 1 Gen 2) UHF reader for the ETSI band: one receive-sensitivity
entry, no GPIO, every antenna on C1G2, transmit power 10.00 to 30.00 dBm in 1 dB steps, four
fixed channels (865.7, 866.3, 866.9, 867.5 MHz), three C1G2 RF modes (:data:`RF_MODES`), no
block erase or block write and no select filters (C1G2LLRPCapabilities).
"""

from __future__ import annotations

import struct
from typing import Final

from xdock.firmware_mocks.llrp_reader_config import ReaderConfig
from xdock.protocol import llrp
from xdock.protocol.llrp.wire import RawParameter

__all__ = ["capabilities_response"]

_RECEIVE_SENSITIVITY_ENTRY: Final = 139
_PER_ANTENNA_AIR_PROTOCOL: Final = 140
_GPIO_CAPABILITIES: Final = 141
_REGULATORY_CAPABILITIES: Final = 143
_UHF_BAND_CAPABILITIES: Final = 144
_TRANSMIT_POWER_ENTRY: Final = 145
_FREQUENCY_INFORMATION: Final = 146
_FIXED_FREQUENCY_TABLE: Final = 148
_C1G2_LLRP_CAPABILITIES: Final = 327
_UHF_C1G2_RF_MODE_TABLE: Final = 328
_UHF_C1G2_RF_MODE_TABLE_ENTRY: Final = 329
_COUNTRY_FRANCE: Final = 250
_ETSI_302_208: Final = 2
_CHANNELS_KHZ: Final = (865_700, 866_300, 866_900, 867_500)
_REQUEST_ALL, _REQUEST_GENERAL, _REQUEST_LLRP, _REQUEST_REGULATORY, _REQUEST_AIR_PROTOCOL = 0, 1, 2, 3, 4
# ModeIdentifier, DR (1 = 64/3), M (0 FM0, 2 Miller 4, 3 Miller 8), forward link (0 PR-ASK), spectral
# mask (1 single, 3 dense reader), BDR bps, PIE x1000, min/max/step Tari ns.
RF_MODES: Final = (
    (0, 1, 0, 0, 1, 640_000, 1500, 6250, 6250, 0),
    (1, 1, 2, 0, 3, 250_000, 2000, 12_500, 25_000, 6250),
    (2, 1, 3, 0, 3, 160_000, 2000, 25_000, 25_000, 0),
)


def _tlv(param_type: int, body: bytes) -> RawParameter:
    return RawParameter(param_type, body)


def _general(config: ReaderConfig) -> llrp.GeneralDeviceCapabilities:
    extra = [_tlv(_RECEIVE_SENSITIVITY_ENTRY, struct.pack(">Hh", 1, 0))]
    extra += [
        _tlv(_PER_ANTENNA_AIR_PROTOCOL, struct.pack(">HHB", antenna, 1, 1)) for antenna in range(1, config.antennas + 1)
    ]
    extra.append(_tlv(_GPIO_CAPABILITIES, struct.pack(">HH", 0, 0)))
    return llrp.GeneralDeviceCapabilities(
        max_antennas=config.antennas,
        can_set_antenna_properties=False,
        has_utc_clock=True,
        manufacturer=config.manufacturer,
        model=config.model,
        firmware_version=config.firmware_version,
        extra=tuple(extra),
    )


def _regulatory() -> RawParameter:
    powers = b"".join(
        _tlv(_TRANSMIT_POWER_ENTRY, struct.pack(">Hh", index, dbm * 100)).encode()
        for index, dbm in enumerate(range(10, 31), start=1)
    )
    table = struct.pack(f">H{len(_CHANNELS_KHZ)}I", len(_CHANNELS_KHZ), *_CHANNELS_KHZ)
    frequency = _tlv(_FREQUENCY_INFORMATION, b"\x00" + _tlv(_FIXED_FREQUENCY_TABLE, table).encode())
    modes = b"".join(
        _tlv(_UHF_C1G2_RF_MODE_TABLE_ENTRY, struct.pack(">IBBBBIIIII", mode, dr << 7, m, flm, mask, *rates)).encode()
        for mode, dr, m, flm, mask, *rates in RF_MODES
    )
    band = _tlv(_UHF_BAND_CAPABILITIES, powers + frequency.encode() + _tlv(_UHF_C1G2_RF_MODE_TABLE, modes).encode())
    return _tlv(_REGULATORY_CAPABILITIES, struct.pack(">HH", _COUNTRY_FRANCE, _ETSI_302_208) + band.encode())


def capabilities_response(message_id: int, requested: int, config: ReaderConfig) -> llrp.LlrpMessage:
    """The answer to GET_READER_CAPABILITIES with ``requested`` data (0 all, 1 general, 2 LLRP, 3 regulatory,
    4 air protocol)."""
    if requested > _REQUEST_AIR_PROTOCOL:
        status = llrp.LlrpStatus(101, f"RequestedData {requested} is not supported: expected 0 to 4")
        return llrp.GetReaderCapabilitiesResponse(message_id, status)
    general = _general(config) if requested in {_REQUEST_ALL, _REQUEST_GENERAL} else None
    capabilities = (
        llrp.LlrpCapabilities(
            flags=0,
            max_priority_levels=1,
            client_request_op_spec_timeout=0,
            max_rospecs=8,
            max_specs_per_rospec=4,
            max_inventory_parameter_specs_per_aispec=1,
            max_access_specs=0,
            max_op_specs_per_access_spec=0,
        )
        if requested in {_REQUEST_ALL, _REQUEST_LLRP}
        else None
    )
    extra: tuple[RawParameter, ...] = (_regulatory(),) if requested in {_REQUEST_ALL, _REQUEST_REGULATORY} else ()
    if requested in {_REQUEST_ALL, _REQUEST_AIR_PROTOCOL}:
        extra += (_tlv(_C1G2_LLRP_CAPABILITIES, struct.pack(">BH", 0, 0)),)
    return llrp.GetReaderCapabilitiesResponse(message_id, llrp.LlrpStatus(), general, capabilities, extra)

"""The LLRP reader mock's configuration: what clients set, and its answers to the configuration messages.

- GET_READER_CAPABILITIES → :mod:`.llrp_capabilities`;
- GET_READER_CONFIG → for RequestedData 0 (all): Identification, AntennaProperties per antenna
  (AntennaID 0) or for the one asked, ReaderEventNotificationSpec, ROReportSpec, AccessReportSpec,
  LLRPConfigurationStateValue, KeepaliveSpec, EventsAndReports; 1-11 give the one parameter named
  (3, 9 and 10 nothing: no antenna configuration is kept and there is no GPIO);
- SET_READER_CONFIG → back to defaults first when asked, then the event states and the KeepaliveSpec
  are kept (sent back by GET_READER_CONFIG), other parameters kept raw; the state value goes up. A
  KeepaliveSpec with a trigger other than 0 (null) or 1 (periodic), or periodic every 0 ms, is refused
  (101 M_FieldError, naming the field) and nothing of the message is kept;
- ENABLE_EVENTS_AND_REPORTS → no answer (the mock holds no events back);
- DELETE_ACCESSSPEC → the mock keeps no AccessSpecs: id 0 (all) succeeds, any other is not defined.

The settings belong to the reader, so they outlive a connection. :meth:`ReaderSettings.keepalive_period_s`
is how often a session sends KEEPALIVE: as the KeepaliveSpec a client set says (none for a null
trigger), or every ``ReaderConfig.keepalive_s`` until a client sets one (and again after a reset to
factory defaults, which the factory KeepaliveSpec GET_READER_CONFIG reports stands for). Each message
taken here is counted by name in :attr:`ReaderSettings.handled` and logged.
"""

from __future__ import annotations

import logging
import struct
from collections import Counter
from typing import Final

from xdock.firmware_mocks.llrp_capabilities import capabilities_response
from xdock.firmware_mocks.llrp_reader_config import ReaderConfig
from xdock.protocol import llrp
from xdock.protocol.llrp.messages import MESSAGE_NAMES
from xdock.protocol.llrp.wire import RawParameter

__all__ = ["ReaderSettings", "factory_keepalive"]

log = logging.getLogger(__name__)

_IDENTIFICATION: Final = 218
_ANTENNA_PROPERTIES: Final = 221
_RO_REPORT_SPEC: Final = 237
_ACCESS_REPORT_SPEC: Final = 239
_STATE_VALUE: Final = 217
_EVENTS_AND_REPORTS: Final = 226
_EVENT_TYPES: Final = range(9)  # hopping ... antenna events (LLRP 1.0.1, 13.2.6.3)
_MAX_REQUESTED: Final = 11
_M_FIELD_ERROR: Final = 101
_NULL: Final = 0
_PERIODIC: Final = 1


class ReaderSettings:
    """The configuration one reader keeps, and the configuration messages it has answered."""

    def __init__(self, config: ReaderConfig) -> None:
        self.config = config
        self.events: dict[int, bool] = dict.fromkeys(_EVENT_TYPES, False)
        """EventNotificationState by event type."""
        self.keepalive = factory_keepalive(config)
        """The KeepaliveSpec GET_READER_CONFIG reports."""
        self.keepalive_set = False
        """Whether a client has set the KeepaliveSpec (since the last reset to factory defaults)."""
        self.other: tuple[RawParameter, ...] = ()
        """The last SET_READER_CONFIG's parameters that are kept as they came."""
        self.state_value = 0
        """LLRPConfigurationStateValue: goes up with each change."""
        self.handled: Counter[str] = Counter()

    def answer(self, message: llrp.LlrpMessage) -> tuple[llrp.LlrpMessage, ...] | None:
        """The answers to a configuration message (none for ENABLE_EVENTS_AND_REPORTS); None for any other."""
        mid = message.message_id
        match message:
            case llrp.GetReaderCapabilities():
                answers: tuple[llrp.LlrpMessage, ...] = (
                    capabilities_response(mid, message.requested_data, self.config),
                )
            case llrp.GetReaderConfig():
                answers = (self._reader_config(message),)
            case llrp.SetReaderConfig():
                status = _keepalive_status(message.keepalive)
                if status.code == 0:
                    self._set(message)
                answers = (llrp.SetReaderConfigResponse(mid, status),)
            case llrp.EnableEventsAndReports():
                answers = ()
            case llrp.DeleteAccessSpec():
                status = llrp.LlrpStatus()
                if message.access_spec_id != 0:
                    status = llrp.LlrpStatus(_M_FIELD_ERROR, f"AccessSpec {message.access_spec_id} is not defined")
                answers = (llrp.DeleteAccessSpecResponse(mid, status),)
            case _:
                return None
        name = MESSAGE_NAMES[message.TYPE]
        self.handled[name] += 1
        log.info("LLRP reader mock: %s (message %d)", name, mid)
        return answers

    def keepalive_period_s(self) -> float | None:
        """Seconds between KEEPALIVEs: the client's KeepaliveSpec once one is set (None for a null
        trigger), else ``ReaderConfig.keepalive_s``."""
        if not self.keepalive_set:
            return self.config.keepalive_s
        if self.keepalive.trigger != _PERIODIC:
            return None
        return self.keepalive.interval_ms / 1000

    def _set(self, message: llrp.SetReaderConfig) -> None:
        if message.reset_to_factory_defaults:
            self.events = dict.fromkeys(_EVENT_TYPES, False)
            self.keepalive = factory_keepalive(self.config)
            self.keepalive_set = False
            self.other = ()
        if message.event_spec is not None:
            self.events.update(message.event_spec.states)
        if message.keepalive is not None:
            self.keepalive = message.keepalive
            self.keepalive_set = True
        self.other = message.extra or self.other
        self.state_value += 1

    def _reader_config(self, request: llrp.GetReaderConfig) -> llrp.GetReaderConfigResponse:
        mid, wanted, antenna = request.message_id, request.requested_data, request.antenna_id
        if wanted > _MAX_REQUESTED:
            status = llrp.LlrpStatus(_M_FIELD_ERROR, f"RequestedData {wanted} is not supported: expected 0 to 11")
            return llrp.GetReaderConfigResponse(mid, status)
        if antenna > self.config.antennas:
            status = llrp.LlrpStatus(_M_FIELD_ERROR, f"AntennaID {antenna}: expected 0 to {self.config.antennas}")
            return llrp.GetReaderConfigResponse(mid, status)
        antennas = [antenna] if antenna else range(1, self.config.antennas + 1)
        every = {
            1: [RawParameter(_IDENTIFICATION, struct.pack(">BHQ", 0, 8, 0x0016_25FF_FE00_0000 | self.config.model))],
            2: [RawParameter(_ANTENNA_PROPERTIES, struct.pack(">BHh", 0x80, a, 0)) for a in antennas],
            4: [RawParameter(_RO_REPORT_SPEC, llrp.ROReportSpec().encode()[4:])],
            6: [RawParameter(_ACCESS_REPORT_SPEC, b"\x00")],
            7: [RawParameter(_STATE_VALUE, struct.pack(">I", self.state_value))],
            11: [RawParameter(_EVENTS_AND_REPORTS, b"\x00")],
        }
        extra = [p for key, params in every.items() if wanted in {0, key} for p in params]
        event_spec = llrp.ReaderEventNotificationSpec(tuple(sorted(self.events.items())))
        return llrp.GetReaderConfigResponse(
            mid,
            llrp.LlrpStatus(),
            event_spec if wanted in {0, 5} else None,
            self.keepalive if wanted in {0, 8} else None,
            tuple(extra),
        )


def factory_keepalive(config: ReaderConfig) -> llrp.KeepaliveSpec:
    """The KeepaliveSpec a reset reader reports: periodic every ``keepalive_s`` (in whole ms), or null."""
    if config.keepalive_s is None:
        return llrp.KeepaliveSpec()
    return llrp.KeepaliveSpec(_PERIODIC, max(1, round(config.keepalive_s * 1000)))


def _keepalive_status(spec: llrp.KeepaliveSpec | None) -> llrp.LlrpStatus:
    if spec is None or spec.trigger == _NULL or (spec.trigger == _PERIODIC and spec.interval_ms > 0):
        return llrp.LlrpStatus()
    if spec.trigger != _PERIODIC:
        text = f"KeepaliveSpec KeepaliveTriggerType {spec.trigger}: expected 0 (null) or 1 (periodic)"
    else:
        text = "KeepaliveSpec TimeInterval 0: expected more than 0 ms for a periodic trigger"
    return llrp.LlrpStatus(_M_FIELD_ERROR, text)

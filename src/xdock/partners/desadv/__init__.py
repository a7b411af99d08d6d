"""EANCOM despatch advice (DESADV, UN/EDIFACT D96A): what a truck brings, pallet by pallet, read and written.

:func:`parse_edifact` (exactly one message) and :func:`parse_edifact_all` read an interchange,
:func:`parse_json` the JSON form; :func:`to_edifact` / :func:`to_edifact_all` and :func:`to_json` write
them. Both forms read into and are written from one model, :class:`DespatchAdvice` (see
:mod:`.model`), and ``parse_edifact(to_edifact(a, ...)) == a == parse_json(to_json(a))``. Every refusal
is a :class:`DesadvError` naming the segment (numbered from UNB = 1, UNA not counted) and element, or
the JSON path; input over ``max_size`` or with more than ``max_pallets`` pallets is refused first.

The subset, what we read and write (``<...>`` a value, ``[...]`` optional)::

    UNA:+.? '                                   service characters (optional when reading)
    UNB+UNOC:3+<sender GLN>:14+<recipient GLN>:14+<YYMMDD>:<HHMM>+<ref>
    UNH+<n>+DESADV:D:96A:UN:EAN005              one message per advice
    BGM+351+<shipment id>+9                     351 despatch advice, 9 original
    DTM+137:<CCYYMMDDHHMM>:203                  issued (203; 204 with seconds; 102 a date, read)
    [DTM+132:<CCYYMMDDHHMM>:203]                arrival, estimated
    NAD+SU+<GLN>::9                             supplier
    NAD+DP+<GLN>::9                             delivery party (the ship-to)
    [NAD+UC+<GLN>::9]                           ultimate consignee: each line's default final destination
    [TDT+20++30+31+<GLN>::9:<name>+++:::<id>]   road, truck; carrier (C040), truck id (C222 8212)
                                                (a carrier in NAD+CA+<GLN>::9++<name> is read too)
    CPS+1                                       the consignment level (read: optional)
    PAC+<pallets>++PX
    CPS+<k>+1                                   one group per pallet
    PAC+1++PX
    [MEA+AAE+AAB+KGM:<kg>]                      gross weight
    [MEA+AAE+TE+CEL::<min>:<max>]               temperature range (either bound may be empty)
    PCI+33E                                     marked with an SSCC
    GIN+BJ+<SSCC>
    LIN+<n>++<GTIN>:SRV                         one group per trade item line
    [PIA+1+<batch>:NB]
    QTY+12:<units>                              despatched quantity
    [DTM+361:<CCYYMMDD>:102]                    best before
    [DGS+ADR+<class>+<UN number>]               the pallet's dangerous goods, with its first line
    [LOC+7+<GLN>::9]                            the line's own final destination
    UNT+<segments UNH to UNT>+<n>
    UNZ+<messages>+<ref>

D96A has no temperature segment in a DESADV and carries DGS only in a line group (SG17): so the range is
a MEA of the package (SG11) and a pallet's dangerous goods ride with its first line; read from any line
of the pallet. Other segments and qualifiers (FTX, IMD, RFF, DTM+11, NAD+BY, ...) are passed over;
segments of the subset out of their place are refused. A complete message::

    UNA:+.? '
    UNB+UNOC:3+4012345000009:14+4098765000003:14+240502:0615+DES42'
    UNH+1+DESADV:D:96A:UN:EAN005'
    BGM+351+DES-2024-0042+9'
    DTM+137:202405020615:203'
    NAD+SU+4012345000009::9'
    NAD+DP+4098765000003::9'
    TDT+20++30+31+:::Rapid Freight?+Co+++:::AB-123-CD'
    CPS+1'
    PAC+1++PX'
    CPS+2+1'
    PAC+1++PX'
    MEA+AAE+TE+CEL::2:8'
    PCI+33E'
    GIN+BJ+340123450000000017'
    LIN+1++4012345111118:SRV'
    QTY+12:24'
    DTM+361:20240601:102'
    DGS+ADR+3+1203'
    LOC+7+4098765000102::9'
    UNT+19+1'
    UNZ+1+DES42'
"""

from xdock.partners.desadv.edifact_read import DEFAULT_MAX_PALLETS, DEFAULT_MAX_SIZE, parse_edifact, parse_edifact_all
from xdock.partners.desadv.edifact_write import to_edifact, to_edifact_all
from xdock.partners.desadv.errors import DesadvError
from xdock.partners.desadv.json_read import parse_json
from xdock.partners.desadv.json_write import to_json
from xdock.partners.desadv.model import Carrier, DangerousGoods, DespatchAdvice, PalletAdvice, TradeItemLine

__all__ = [
    "DEFAULT_MAX_PALLETS",
    "DEFAULT_MAX_SIZE",
    "Carrier",
    "DangerousGoods",
    "DesadvError",
    "DespatchAdvice",
    "PalletAdvice",
    "TradeItemLine",
    "parse_edifact",
    "parse_edifact_all",
    "parse_json",
    "to_edifact",
    "to_edifact_all",
    "to_json",
]

"""What the EPCIS mapping refuses, one small tree.

::

    EpcisError(ValueError)        a step, identifier or document that cannot become EPCIS 2.0; the text
                                  names the field first (``ssccs[1]: Invalid SSCC check digit ...``)
      EpcisQueryError             a query parameter or page token refused; the text names the parameter
                                  first (``perPage: expected 1 to 1000, got '0'``)

Identifier errors from :mod:`xdock.protocol.identifiers` are translated into these once, where a field is
known, with ``raise ... from``.
"""

from __future__ import annotations

__all__ = ["EpcisError", "EpcisQueryError"]


class EpcisError(ValueError):
    """Input that cannot become an EPCIS 2.0 event or document; the text names the field, expected and found."""


class EpcisQueryError(EpcisError):
    """A query parameter or page token that is refused; the text names the parameter and its bad value."""

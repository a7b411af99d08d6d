"""The trade's formats for the site's partners (pure, no I/O): EANCOM despatch advice, GS1 EPCIS 2.0, GS1-128
labels in ZPL, signed webhooks."""

"""Central and the site's partners: despatch advices in from a folder; EPCIS events, dispatch advices, webhooks out."""

"""Central: ingest, site state and store, optimiser, API."""

"""The edge agent: device drivers, validation, dedup, durable outbox, MQTT uplink and downlink."""

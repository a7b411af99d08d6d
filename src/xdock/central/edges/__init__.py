"""The edges and their devices as central sees them: liveness, registry, device telemetry."""

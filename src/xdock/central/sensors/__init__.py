"""Sensor readings against the site's thresholds: temperature, door contact, trailer presence."""

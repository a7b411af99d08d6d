"""Drivers for the dock devices an edge agent reads and drives: barcode scanners, RFID readers, sensors."""

"""Helpers for the test suite: real servers and processes, started on free ports and always stopped."""

"""The optimiser: pure decisions (data in, plan out; no I/O, no clock)."""

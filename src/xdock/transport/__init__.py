"""Thin transport helpers shared by the edge agent and central (they meet nowhere else but the broker)."""

"""Simulators: the cross-dock's trucks, pallets and workers, driving the firmware mocks."""

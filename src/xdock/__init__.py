"""xdock: the software on a cross-dock floor.

Edge agents read the dock's devices, central keeps the site state and plans where every
pallet goes, simulators and firmware mocks stand in for the hardware.
"""

__version__ = "0.1.0"

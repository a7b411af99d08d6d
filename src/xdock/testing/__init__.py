"""Real servers for tests and benchmarks: a Mosquitto broker, ``xdock central`` and ``xdock edge`` as processes.

Integrators use the same helpers to test their own connectors against a real broker.
"""

from xdock.testing.servers import CentralProcess, EdgeProcess, Mosquitto, free_port, wait_for_port

__all__ = ["CentralProcess", "EdgeProcess", "Mosquitto", "free_port", "wait_for_port"]

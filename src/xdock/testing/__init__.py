"""Real servers for tests and benchmarks: a Mosquitto broker and ``xdock central`` as processes.

Integrators use the same helpers to test their own connectors against a real broker.
"""

from xdock.testing.servers import CentralProcess, Mosquitto, free_port, wait_for_port

__all__ = ["CentralProcess", "Mosquitto", "free_port", "wait_for_port"]

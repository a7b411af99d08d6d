"""Device emulators that speak the real wire protocols on real transports (ptys, sockets)."""

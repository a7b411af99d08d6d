"""The policies a simulated day can run under (see :class:`xdock.simulation.policy.Policy`)."""

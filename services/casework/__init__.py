"""Casework: the Problem aggregate, its event store, and the handlers that feed it."""

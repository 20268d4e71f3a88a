"""The engine (投影引擎): reads EVENTS, applies batches to the projectors, keeps
generations of read models in SQLite or PostgreSQL, rebuilds them."""

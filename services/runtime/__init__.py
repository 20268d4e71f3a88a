"""The runtime: configuration, the embedded nats-server, streams, and process wiring."""

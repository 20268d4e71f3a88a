"""The running parts of rectify: casework, relay, runtime and the command line."""

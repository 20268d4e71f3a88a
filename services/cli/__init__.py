"""The ``rectify`` command line: staff commands, inspection, and running the system."""

"""The published language of rectify: events, submissions, commands and their vocabulary.

Schemas only: no I/O, no broker or store imports, so an auditor's script can import it alone.
"""

"""Supervision (加强监督指导): the campaign calendar, working days, the deadline watchdog,
unit-level commands and the zero-report spot-check list."""

"""Intake gateways: one module per channel, each speaking that channel's own protocol.

Every gateway turns what arrives into an ``IntakeSubmission``, publishes it to
``intake.<channel>`` and waits for JetStream's acknowledgement before it answers the sender with
a tracking number (查询编号).
"""

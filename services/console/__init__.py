"""The staff console: the campaign office, the units and the leaders at work in a browser.

Server-rendered pages (FastAPI and Jinja2) on their own listener, part ``console`` of
``rectify up``. Every action is the same NATS command the CLI sends, carrying the signed-in
person's identity session, so each event records that person; pages read the read models.
"""

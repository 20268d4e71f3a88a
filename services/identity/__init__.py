"""身份与权限: staff accounts, sign-in and sessions, roles per unit, and the audit log.

The staff console and the CLI share one API: ``Accounts.login`` checks a password (and a TOTP
code) and returns a session; ``Accounts.authenticate`` turns a session token back into the
person; ``may(person, verb, unit)`` says whether that person may do a verb on a unit.
"""

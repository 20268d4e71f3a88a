"""Is the sender of a mail who its ``From`` says? Only then is an acknowledgement mailed.

The mailbox sits behind the bureau's MX, which checks SPF, DKIM and DMARC and writes what it
found in an ``Authentication-Results`` header (RFC 8601) under its own authserv-id (and removes
such headers that arrive from outside). So the topmost header carrying the configured
authserv-id is the MX's; the sender is authenticated when it says DMARC passed for the
``From`` domain, or DKIM passed with ``d=`` that domain, or SPF passed for a ``MAIL FROM`` in
that domain. Anything else (no header, another host's, a failure, a header that cannot be
parsed) is not authenticated: the report is filed, and nothing is mailed back.
"""

from __future__ import annotations

import authres


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


def authenticated(results_headers: list[str], from_address: str,
                  authserv_id: str | None) -> bool:
    """Whether the MX named ``authserv_id`` authenticated ``from_address``'s domain."""
    domain = _domain(from_address)
    if not authserv_id or not domain or "@" not in from_address:
        return False
    for value in results_headers:
        try:
            header = authres.AuthenticationResultsHeader.parse_value(" ".join(value.split()))
        except authres.AuthResError:
            continue
        if str(header.authserv_id).lower() != authserv_id.lower():
            continue
        return any(_passes(result, domain) for result in header.results)
    return False


def _passes(result: authres.core.AuthenticationResult, domain: str) -> bool:
    if str(result.result).lower() != "pass":
        return False
    names = {(p.type, p.name): _domain(str(p.value)) for p in result.properties}
    wanted = {"dmarc": ("header", "from"), "dkim": ("header", "d"),
              "spf": ("smtp", "mailfrom")}.get(str(result.method).lower())
    return wanted is not None and names.get(wanted) == domain

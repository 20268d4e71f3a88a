"""The website as the public meets it: headers, rate limits, truthful Allow, slow clients."""

from __future__ import annotations

import http.client
import secrets
import socket
import time
from urllib.parse import urlparse

import httpx
import pytest

from services.intake.ratelimit import MAX_BATCH_IDS
from tests.intake.conftest import (
    FILINGS_PER_MINUTE,
    LOOKUPS_PER_MINUTE,
    OPEN311_KEYS,
    REQUEST_TIMEOUT,
    Rectify,
    a_client_address,
)

pytestmark = pytest.mark.integration


def a_tracking_guess() -> str:
    digits = "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(8))
    return f"R-{digits[:4]}-{digits[4:]}"


def assert_secure_headers(response: httpx.Response) -> None:
    policy = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, (response.request.url, response.status_code)
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in response.headers  # plain http: no HSTS


def test_every_kind_of_response_carries_the_security_headers(web: httpx.Client) -> None:
    seen = {
        web.get("/report"), web.get("/site.css"), web.get("/api/v1/openapi.json"),
        web.get(f"/reports/{a_tracking_guess()}"), web.get("/no/such/page"),
        web.post("/api/v1/reports", json={"problem": ""}),
        web.post("/api/v1/reports", content=b"x" * 70_000,
                 headers={"content-type": "application/json"}),
        web.delete("/api/v1/reports"), web.options("/open311/v2/requests.json"),
        web.get("/wechat", params={"signature": "forged"}),
    }
    assert {r.status_code for r in seen} >= {200, 404, 422, 413, 405, 204, 403}
    for response in seen:
        assert_secure_headers(response)
    page = web.get("/report").text
    for inline in ("<script", "<style", " style="):
        assert inline not in page


def test_options_and_405_name_every_method_the_path_takes(web: httpx.Client) -> None:
    options = web.options("/open311/v2/requests.json")
    assert options.status_code == 204
    assert set(options.headers["allow"].split(", ")) == {"GET", "POST", "OPTIONS"}
    wrong = web.put("/api/v1/reports")
    assert wrong.status_code == 405
    assert set(wrong.headers["allow"].split(", ")) == {"POST", "OPTIONS"}


def test_lookups_beyond_the_limit_get_429_in_chinese_while_others_are_served(
        rectify: Rectify, web: httpx.Client) -> None:
    answers = [web.get(f"/api/v1/reports/{a_tracking_guess()}").status_code
               for _ in range(LOOKUPS_PER_MINUTE)]
    assert answers == [404] * LOOKUPS_PER_MINUTE
    limited = web.get(f"/api/v1/reports/{a_tracking_guess()}")
    assert limited.status_code == 429
    assert "请求过于频繁" in limited.json()["error"]["zh"]
    assert int(limited.headers["retry-after"]) >= 1
    assert_secure_headers(limited)
    page = web.get(f"/reports/{a_tracking_guess()}")  # the website's lookups count too
    assert page.status_code == 429
    assert "请求过于频繁" in page.text
    with httpx.Client(base_url=rectify.endpoints["http"], timeout=30,
                      headers={"x-forwarded-for": a_client_address()}) as neighbour:
        assert neighbour.get(f"/api/v1/reports/{a_tracking_guess()}").status_code == 404


def test_each_id_of_an_open311_batch_counts_as_a_lookup(web: httpx.Client) -> None:
    batches = LOOKUPS_PER_MINUTE // MAX_BATCH_IDS
    for _ in range(batches):
        ids = ",".join(a_tracking_guess() for _ in range(MAX_BATCH_IDS))
        assert web.get("/open311/v2/requests.json",
                       params={"service_request_id": ids}).json() == []
    limited = web.get("/open311/v2/requests.json", params={"service_request_id": "R-0000-0000"})
    assert limited.status_code == 429
    assert "请求过于频繁" in limited.json()[0]["description"]


def test_filing_beyond_the_limit_gets_429_and_files_nothing(rectify: Rectify,
                                                            web: httpx.Client) -> None:
    for n in range(FILINGS_PER_MINUTE):
        filed = web.post("/api/v1/reports", json={"problem": f"重复检查第{n}次",
                                                  "case": "同一企业一周内被检查多次"})
        assert filed.status_code == 202, filed.text
    before = rectify.last_seq()
    limited = web.post("/open311/v2/requests.json", data={
        "api_key": next(iter(OPEN311_KEYS)), "description": "又一次检查"})
    assert limited.status_code == 429
    assert rectify.last_seq() == before


@pytest.fixture
def address(rectify: Rectify) -> tuple[str, int]:
    url = urlparse(rectify.endpoints["http"])
    assert url.hostname is not None
    assert url.port is not None
    return url.hostname, url.port


def test_a_kept_alive_connection_idle_longer_than_a_client_keeps_one_still_serves(
        address: tuple[str, int]) -> None:
    """httpx and many proxies drop an idle connection after 5 s; a server closing at the same
    moment would meet the client's next request with a closed socket (a lost request)."""
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        for _ in range(2):
            connection.request("OPTIONS", "/api/v1/reports")
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 204
            time.sleep(6)  # idle past httpx's keep-alive expiry, on the same connection
    finally:
        connection.close()


def test_a_slow_client_is_cut_off_after_the_timeout_while_others_are_served(
        rectify: Rectify, web: httpx.Client, address: tuple[str, int]) -> None:
    slow = []
    for n in range(10):
        sock = socket.create_connection(address, timeout=REQUEST_TIMEOUT + 20)
        if n % 2:  # headers never finished
            sock.sendall(b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        else:  # headers sent, the body never finished
            sock.sendall(b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"pro")
        slow.append(sock)
    started = time.monotonic()
    served = web.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert time.monotonic() - started < REQUEST_TIMEOUT  # not queued behind the slow ones
    for sock in slow:
        answer = b""
        while chunk := sock.recv(4096):  # until the server closes the connection
            answer += chunk
        sock.close()
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:80]
    assert time.monotonic() - started >= REQUEST_TIMEOUT - 1  # cut off by the deadline

"""A person at the console in a real Chromium (Debian's, launched by Playwright): every page they
see is checked (no console error, no request to another host, a CSRF token in every form) and
saved as a screenshot under ``test-artifacts/console/`` for review."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Browser, ConsoleMessage, Page, Request

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"


@dataclass
class Visitor:
    """One person's browser context on the console at ``base``."""

    name: str
    page: Page
    base: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    shots: int = 0

    @classmethod
    def open(cls, browser: Browser, base: str, name: str) -> Visitor:
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        visitor = cls(name, context.new_page(), base)
        visitor.page.on("console", visitor._on_console)
        visitor.page.on("pageerror", lambda error: visitor.errors.append(str(error)))
        visitor.page.on("request", visitor._on_request)
        return visitor

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _on_request(self, request: Request) -> None:
        own = urlparse(self.base).netloc
        url = urlparse(request.url)
        if url.scheme in ("http", "https") and url.netloc != own:
            self.foreign.append(request.url)

    def goto(self, path: str, shot: str | None = None) -> None:
        self.page.goto(self.base + path)
        self.look(shot or path.strip("/").replace("/", "-") or "start")

    def look(self, shot: str, status: int | None = None) -> None:
        """The page as it stands: checked, and saved for review. ``status``: the page itself was
        answered with that error status on purpose (Chromium logs it as a console error)."""
        self.page.wait_for_load_state("load")
        if status is not None:
            expected = f"the server responded with a status of {status}"
            assert any(expected in e for e in self.errors), self.errors
            self.errors = [e for e in self.errors if expected not in e]
        assert self.errors == [], f"console errors on {self.page.url}: {self.errors}"
        assert self.foreign == [], f"requests to other hosts: {self.foreign}"
        forms = self.page.eval_on_selector_all(
            "form[method=post]",
            "forms => forms.map(f => [f.action, (f.querySelector('input[name=csrf]')"
            " || {}).value || ''])",
        )
        for action, token in forms:
            assert len(token) >= 32, f"form {action} on {self.page.url} has no CSRF token"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        safe = re.sub(r"[^0-9A-Za-z_.-]+", "-", shot)[:80]
        self.page.screenshot(
            path=str(ARTIFACTS / f"{self.name}-{self.shots:02d}-{safe}.png"), full_page=True
        )

    def sign_in(self, login: str, password: str, totp: str | None = None) -> None:
        self.goto("/login", "login")
        self.page.fill("input[name=login]", login)
        self.page.fill("input[name=password]", password)
        if totp:
            self.page.fill("input[name=totp]", totp)
        self.page.click("form[action='/login'] button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/(office|unit|board|account)$"))
        self.look("home")

    def submit(self, form: str, shot: str) -> None:
        """Press the submit button of the form posting to ``form`` (its path's last part)."""
        with self.page.expect_navigation():
            self.page.click(f"form[action$='/{form}'] button[type=submit]")
        self.look(shot)

    def notice(self) -> str:
        return " ".join(self.page.locator(".notice").all_inner_texts())

    def path(self) -> str:
        return urlparse(self.page.url).path

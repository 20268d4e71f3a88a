"""Progress of long work (rebuild, catch-up) on stderr: done, rate, time left."""

from __future__ import annotations

import sys
import time

import click

from projections.engine.runner import Progress
from services.cli.output import Output

_EVERY_SECONDS = 0.5


class ProgressLine:
    """Rewrites one line on a terminal; prints a line every few seconds otherwise."""

    def __init__(self, out: Output, what_zh: str, what_en: str) -> None:
        self.out, self.what = out, out.t(what_zh, what_en)
        self.terminal = sys.stderr.isatty()
        self.shown_at = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        every = _EVERY_SECONDS if self.terminal else 5.0
        if now - self.shown_at < every and progress.position < progress.target:
            return
        self.shown_at = now
        rate = progress.applied / progress.elapsed if progress.elapsed > 0 else 0.0
        left = (progress.target - progress.position) / rate if rate > 0 else 0.0
        text = self.out.t(
            f"{self.what}：{progress.position:,} / {progress.target:,} 条事件，"
            f"{rate:,.0f} 条/秒，预计还需 {left:,.0f} 秒",
            f"{self.what}: {progress.position:,} / {progress.target:,} events, "
            f"{rate:,.0f}/s, about {left:,.0f}s left")
        click.echo(f"\r{text}\033[K" if self.terminal else text, err=True,
                   nl=not self.terminal)

    def done(self) -> None:
        if self.terminal and self.shown_at:
            click.echo("", err=True)

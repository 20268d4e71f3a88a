"""What a person sees: Chinese by default, English on request, JSON for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn

import click
from rich.console import Console
from rich.table import Table

from events.vocabulary import Language

Format = Literal["table", "json", "csv", "xlsx", "md", "docx"]

EXIT_REFUSED = 1
EXIT_UNREACHABLE = 3


@dataclass(frozen=True)
class Output:
    lang: Language
    format: Format
    annotations: dict[str, Any] = field(default_factory=dict)
    """Added to every JSON object written (e.g. ``freshness``: how current the data is)."""

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def json(self, data: Any) -> None:
        if isinstance(data, dict):
            data = {**data, **self.annotations}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))

    def line(self, zh: str, en: str) -> None:
        click.echo(self.t(zh, en))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        table = Table(*headers, show_lines=False, header_style="bold")
        for row in rows:
            table.add_row(*("" if cell is None else str(cell) for cell in row))
        Console(width=max(120, Console().width)).print(table)

    def fail(self, zh: str, en: str, code: int = EXIT_REFUSED,
             extra: dict[str, Any] | None = None) -> NoReturn:
        """One line saying why, on stderr (and the same as JSON on stdout for scripts)."""
        if self.format == "json":
            self.json({"ok": False, "error": {"zh": zh, "en": en, **(extra or {})}})
        click.echo(f"rectify: {self.t(zh, en)}", err=True)
        sys.exit(code)

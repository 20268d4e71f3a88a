"""Options every command shares, and finding the running ``rectify up``."""

from __future__ import annotations

import asyncio
import functools
import getpass
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast, overload

import click

from events.subjects import HEADER_SESSION
from services.cli.client import UnreachableError
from services.cli.output import EXIT_UNREACHABLE, Format, Output
from services.cli.signed_in import load_session
from services.runtime.bus import user_url
from services.runtime.config import DEFAULT_DATA_DIR, read_runtime

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


@dataclass(frozen=True)
class Session:
    """One invocation's settings: where to reach rectify, and how to speak."""

    out: Output
    data_dir: Path
    nats_url: str | None
    claimed_actor: str | None
    """``--as``: only the local system administrator's demo and test mode honours it."""

    @property
    def actor(self) -> str:
        """Who the command says acts: ``--as``, else the signed-in person, else the OS user."""
        if self.claimed_actor:
            return self.claimed_actor
        signed_in = load_session(self.address())
        return signed_in.name if signed_in else getpass.getuser()

    def headers(self) -> dict[str, str]:
        """The signed-in session for a staff request (none when not signed in)."""
        signed_in = load_session(self.address())
        return {HEADER_SESSION: signed_in.token} if signed_in else {}

    def address(self) -> str | None:
        """Which rectify this is (its NATS address without credentials), if known."""
        if self.nats_url:
            return self.nats_url
        runtime = read_runtime(self.data_dir)
        return None if runtime is None else str(runtime["nats_url"])

    def url(self) -> str:
        """The running rectify's NATS, from --nats-url or the data directory's address book
        (with the embedded NATS's `staff` credentials, which the data directory holds)."""
        if self.nats_url:
            return self.nats_url
        runtime = read_runtime(self.data_dir)
        if runtime is None:
            self.out.fail(
                f"{self.data_dir} 没有正在运行的 rectify：请先运行 rectify up，"
                "或用 --nats-url 指定",
                f"no rectify is running for {self.data_dir}: start `rectify up` or pass --nats-url",
                EXIT_UNREACHABLE,
            )
        return user_url(self.data_dir, str(runtime["nats_url"]), "staff")

    def running_url(self) -> str | None:
        """The NATS of the running rectify of this data directory (as `staff`), if one runs."""
        runtime = read_runtime(self.data_dir)
        return None if runtime is None else user_url(self.data_dir, str(runtime["nats_url"]),
                                                     "staff")

    def admin_url(self) -> str:
        """Like ``url``, but as the embedded NATS's ``admin``: the system administrator's
        tooling on the server (``rectify repair``), which reads the data directory."""
        url = self.url()
        return url if self.nats_url else user_url(self.data_dir, self.address() or url, "admin")

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        try:
            return asyncio.run(work)
        except UnreachableError as silent:
            self.out.fail(f"无法连接 rectify（{silent}）", f"rectify did not answer ({silent})",
                          EXIT_UNREACHABLE)


@overload
def common_options(command: F) -> F: ...


@overload
def common_options(*, formats: tuple[Format, ...]) -> Callable[[F], F]: ...


def common_options(command: F | None = None, *,
                   formats: tuple[Format, ...] = ("table", "json")) -> F | Callable[[F], F]:
    """--data-dir, --nats-url, --lang, --format, --as; the decorated function gets ``session``.

    Used bare (``@common_options``) or with the formats a command can write
    (``@common_options(formats=("table", "json", "csv"))``).
    """
    if command is None:
        return lambda later: _with_common_options(later, formats)
    return _with_common_options(command, formats)


def _with_common_options(command: F, formats: tuple[Format, ...]) -> F:
    options = [
        click.option("--data-dir", type=click.Path(path_type=Path), envvar="RECTIFY_DATA_DIR",
                     default=DEFAULT_DATA_DIR, show_default=True,
                     help="数据目录 / data directory"),
        click.option("--nats-url", envvar="RECTIFY_NATS_URL", default=None,
                     help="使用已有的 NATS / use this NATS instead of the data directory's"),
        click.option("--lang", type=click.Choice(["zh", "en"]), envvar="RECTIFY_LANG",
                     default="zh", show_default=True, help="输出语言 / output language"),
        click.option("--format", "fmt", type=click.Choice(formats), default=formats[0],
                     show_default=True, help="输出格式 / output format"),
        click.option("--as", "actor", default=None, envvar="RECTIFY_ACTOR",
                     help="以此名义操作（仅本地管理员演示/测试模式）/ act as (local demo mode)"),
    ]

    def wrapper(data_dir: Path, nats_url: str | None, lang: str, fmt: str, actor: str | None,
                **kwargs: Any) -> Any:
        out = Output(lang="en" if lang == "en" else "zh", format=cast(Format, fmt))
        return command(session=Session(out, data_dir, nats_url, actor), **kwargs)

    functools.update_wrapper(wrapper, command)  # keeps the command's own click parameters
    del wrapper.__wrapped__  # type: ignore[attr-defined]  # click reads the wrapper's own
    decorated: Callable[..., Any] = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return cast(F, decorated)

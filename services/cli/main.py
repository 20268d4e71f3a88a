"""``rectify``: the command-line front door."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from nats.errors import Error as NatsError
from nats.errors import NoServersError

from projections.engine.errors import StreamDivergedError, UndecodableEventError
from services.cli.account import ACCOUNT_COMMANDS
from services.cli.board import board
from services.cli.bus import nats_config
from services.cli.campaign import campaign
from services.cli.demo import seed_demo
from services.cli.extensions import EXTENSION_COMMANDS
from services.cli.inspect import events, history, schema, status
from services.cli.intake import INTAKE_COMMANDS
from services.cli.mechanisms import MECHANISM_COMMANDS
from services.cli.output import EXIT_REFUSED, EXIT_UNREACHABLE
from services.cli.plans import PLAN_COMMANDS
from services.cli.proposals import PROPOSAL_COMMANDS
from services.cli.reading import READING_COMMANDS
from services.cli.repair import repair
from services.cli.staff import STAFF_COMMANDS
from services.cli.staff_admin import STAFF_ADMIN_COMMANDS
from services.cli.summary import summary
from services.cli.supervision import SUPERVISION_COMMANDS
from services.identity.errors import IdentityError
from services.identity.oidc_config import load_oidc
from services.runtime.config import DEFAULT_DATA_DIR, MissingSealKeyError, Settings
from services.runtime.context import Runtime
from services.runtime.faults import REPAIR_EN, REPAIR_ZH
from services.runtime.parts import PARTS
from services.runtime.ports import PortInUseError
from services.runtime.process import AlreadyRunningError, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rectify")
def cli() -> None:
    """rectify：行政执法突出问题整改跟踪 / tracking enforcement problems to closure."""


def _runtime_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed([
        click.option("--data-dir", type=click.Path(path_type=Path), envvar="RECTIFY_DATA_DIR",
                     default=DEFAULT_DATA_DIR, show_default=True),
        click.option("--nats-url", envvar="RECTIFY_NATS_URL", default=None,
                     help="使用已有的 NATS，而不启动内置的 / use an existing NATS server"),
        click.option("--nats-port", type=int, envvar="RECTIFY_NATS_PORT", default=0,
                     help="内置 NATS 的端口（默认自动选择空闲端口）"),
        click.option("--store", envvar="RECTIFY_STORE", default=None,
                     help="事件库：SQLite 文件路径或 postgresql://… / event store"),
        click.option("--read-store", envvar="RECTIFY_READ_STORE", default=None,
                     help="读模型库：SQLite 文件路径或 postgresql://…（默认随事件库）"
                          " / read-model store"),
        click.option("--without", multiple=True, type=click.Choice(list(PARTS)),
                     help="不启动某部分，可重复 / leave a part out (repeatable)"),
    ]):
        command = option(command)
    return command


def _serve(settings: Settings, seed: bool) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    os.umask(0o077)  # what rectify up writes (stores, keys, NATS data) is its user's alone
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.data_dir.chmod(0o700)

    async def announce(runtime: Runtime) -> None:
        click.echo(f"rectify 已启动：NATS {runtime.public_url}，事件库 {settings.store_label()}；"
                   "按 Ctrl-C 停止", err=True)
        if seed:
            await seed_demo(runtime)

    try:
        load_oidc(settings.data_dir)  # a broken single sign-on configuration stops here
    except IdentityError as broken:
        click.echo(f"rectify: {broken.zh} ({broken.en})", err=True)
        raise SystemExit(1) from None
    try:
        asyncio.run(serve(settings, announce))
    except AlreadyRunningError as running:
        raise click.ClickException(str(running)) from None
    except PortInUseError as taken:
        click.echo(f"rectify: {taken.zh} ({taken.en})", err=True)
        raise SystemExit(1) from None
    click.echo("rectify 已停止 / stopped", err=True)


def _settings(data_dir: Path, nats_url: str | None, nats_port: int, store: str | None,
              read_store: str | None, without: tuple[str, ...]) -> Settings:
    return Settings(data_dir, nats_url, nats_port, store, read_store=read_store,
                    without=frozenset(without))


@cli.command()
@_runtime_options
def up(**options: Any) -> None:
    """启动全部服务，直到 Ctrl-C / run every service until Ctrl-C or SIGTERM."""
    _serve(_settings(**options), seed=False)


@cli.command()
@_runtime_options
def demo(**options: Any) -> None:
    """启动并载入示例专项整治数据（可重复运行）/ up, plus a sample campaign."""
    _serve(_settings(**options), seed=True)


for _command in (*ACCOUNT_COMMANDS, *STAFF_ADMIN_COMMANDS,
                 *STAFF_COMMANDS, *INTAKE_COMMANDS, *READING_COMMANDS, *SUPERVISION_COMMANDS,
                 *MECHANISM_COMMANDS, *PLAN_COMMANDS, *EXTENSION_COMMANDS, *PROPOSAL_COMMANDS,
                 nats_config,
                 board, summary, campaign, history, events, status, schema, repair):
    cli.add_command(_command)


def main() -> None:
    """``rectify``: what goes wrong below a command ends in one line and an exit code, never a
    traceback (1: refused or the record is damaged; 3: nothing answered)."""
    try:
        cli(prog_name="rectify")
    except (StreamDivergedError, UndecodableEventError, MissingSealKeyError) as broken:
        zh, en = getattr(broken, "zh", str(broken)), getattr(broken, "en", str(broken))
        click.echo(f"rectify: {zh}；{REPAIR_ZH} ({en}; {REPAIR_EN})", err=True)
        raise SystemExit(EXIT_REFUSED) from None
    except (NoServersError, ConnectionRefusedError, TimeoutError, NatsError) as silent:
        click.echo(f"rectify: 无法连接 rectify 的 NATS（{silent!r}）：请确认 rectify up 正在运行 "
                   f"(NATS did not answer: is `rectify up` running?)", err=True)
        raise SystemExit(EXIT_UNREACHABLE) from None

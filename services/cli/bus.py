"""``rectify nats-config``: users and permissions for an external NATS (``--nats-url``)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from services.runtime.bus import BusUsers
from services.runtime.config import DEFAULT_DATA_DIR


@click.command("nats-config")
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="RECTIFY_DATA_DIR",
              default=DEFAULT_DATA_DIR, show_default=True, help="数据目录 / data directory")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="写入的 nats-server 配置片段 / where to write the configuration")
def nats_config(data_dir: Path, output: Path) -> None:
    """为外部 NATS 生成各部分的用户与权限（系统管理员）/ users and permissions for an
    external nats-server: include the file in its configuration; rectify up then connects
    each part as its own user."""
    users = BusUsers.in_data_dir(data_dir)
    descriptor = os.open(output, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(users.authorization())
    click.echo(f"已写入 {output}（口令在 {users.directory}，仅本用户可读）/ written; "
               f"passwords kept in {users.directory}", err=True)

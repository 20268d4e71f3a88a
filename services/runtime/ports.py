"""Ports asked for by number are checked before anything starts, so that a taken one is named
with the part that wanted it and the setting that chooses another (not a bind error later)."""

from __future__ import annotations

import errno
import socket

from services.runtime.config import Settings


class PortInUseError(RuntimeError):
    """A port configured for a part of ``rectify up`` is taken by another process."""

    def __init__(self, part_zh: str, part_en: str, host: str, port: int, setting: str) -> None:
        self.zh = f"{part_zh}端口 {port} 已被占用；用 {setting} 另选"
        self.en = f"the {part_en} port {port} on {host} is already in use; choose another " \
                  f"with {setting}"
        super().__init__(f"{self.zh} ({self.en})")


def check_ports_free(settings: Settings) -> None:
    """Raise ``PortInUseError`` for the first configured port another process holds."""
    wanted = [("NATS ", "NATS", "127.0.0.1", settings.nats_port, "--nats-port / RECTIFY_NATS_PORT",
               settings.nats_url is None)]
    intake = settings.intake
    wanted += [
        ("http 网关", "http gateway", intake.host, intake.http_port, "RECTIFY_HTTP_PORT",
         "http" not in settings.without),
        ("smtp 网关", "smtp gateway", intake.host, intake.smtp_port, "RECTIFY_SMTP_PORT",
         "smtp" not in settings.without),
    ]
    for part_zh, part_en, host, port, setting, used in wanted:
        if used and port and _taken(host, port):
            raise PortInUseError(part_zh, part_en, host, port, setting)


def _taken(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as failed:
            return failed.errno == errno.EADDRINUSE
    return False

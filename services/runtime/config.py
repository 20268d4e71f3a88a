"""Where rectify keeps its data and which NATS and event store it uses."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from events.seal import SEAL_KEY_BYTES, SealKey

DEFAULT_DATA_DIR = Path(".rectify")
RUNTIME_FILE = "runtime.json"
READ_MODELS_FILE = "read-models.sqlite3"


@dataclass(frozen=True)
class IntakeSettings:
    """The intake gateways' addresses and secrets; secrets come only from the environment."""

    host: str = "127.0.0.1"
    http_port: int = 0
    """0: a free port, shown by ``rectify status``."""
    smtp_port: int = 0
    mailbox: str = "jubao@rectify.local"
    """The report mailbox's address: mail to anyone else is refused."""
    smtp_relay: str | None = None
    """``host:port`` of the outbound SMTP relay for acknowledgements; None sends none."""
    wechat_token: str | None = None
    """The official account's callback token; None leaves the WeChat callback off."""
    reporter_key: str | None = None
    """Base64 AES key sealing reporters' personal data; None: ``reporter_key_file``."""
    reporter_key_file: Path | None = None
    """A file holding that key, best outside the data directory; None: ``<data dir>/reporter.key``.
    Only the service reads it: people see reporters through its door (``rectify reporter``)."""
    public_unit: str = "法规与科技标准科"
    """The unit that receives public reports naming none, for triage."""
    mail_authserv_id: str | None = None
    """The bureau's MX host (authserv-id): its ``Authentication-Results`` header is trusted;
    None trusts none, so no acknowledgement is mailed."""
    wechat_aes_key: str | None = None
    """The account's EncodingAESKey (43 characters) for the safe and compatible modes."""
    wechat_appid: str | None = None
    wechat_mode: str = "plain"
    """``plain`` (明文模式), ``compatible`` (兼容模式) or ``safe`` (安全模式)."""
    open311_keys: dict[str, str] = field(default_factory=dict)
    """Open311 ``api_key`` → the client's name, given out by the bureau."""
    filing_rate: str = "10/minute"
    """Reports filed per client address (website, API, Open311), as ``limits`` writes it."""
    lookup_rate: str = "60/minute"
    """Tracking-number lookups per client address (each id of an Open311 batch counts)."""
    request_timeout: float = 10.0
    """Seconds a client has to send a request's headers and body."""
    forwarded_allow_ips: str | None = None
    """The reverse proxy whose ``X-Forwarded-For`` names the client (uvicorn's setting)."""
    tls_cert: Path | None = None
    tls_key: Path | None = None
    """Certificate and key: the website is served over HTTPS, the mailbox offers STARTTLS."""

    @classmethod
    def from_env(cls) -> IntakeSettings:
        env = os.environ
        aes_key = env.get("RECTIFY_WECHAT_AES_KEY") or None
        keys = (pair.partition("=") for pair in env.get("RECTIFY_OPEN311_KEYS", "").split(","))
        return cls(
            host=env.get("RECTIFY_HOST", cls.host),
            http_port=int(env.get("RECTIFY_HTTP_PORT", "0")),
            smtp_port=int(env.get("RECTIFY_SMTP_PORT", "0")),
            mailbox=env.get("RECTIFY_MAILBOX", cls.mailbox),
            smtp_relay=env.get("RECTIFY_SMTP_RELAY") or None,
            wechat_token=env.get("RECTIFY_WECHAT_TOKEN") or None,
            reporter_key=env.get("RECTIFY_REPORTER_KEY") or None,
            reporter_key_file=Path(env["RECTIFY_REPORTER_KEY_FILE"])
            if env.get("RECTIFY_REPORTER_KEY_FILE") else None,
            public_unit=env.get("RECTIFY_PUBLIC_UNIT", cls.public_unit),
            mail_authserv_id=env.get("RECTIFY_MAIL_AUTHSERV_ID") or None,
            wechat_aes_key=aes_key, wechat_appid=env.get("RECTIFY_WECHAT_APPID") or None,
            wechat_mode=env.get("RECTIFY_WECHAT_MODE") or ("safe" if aes_key else "plain"),
            open311_keys={key.strip(): name.strip() for name, _, key in keys if key.strip()},
            filing_rate=env.get("RECTIFY_FILING_RATE") or cls.filing_rate,
            lookup_rate=env.get("RECTIFY_LOOKUP_RATE") or cls.lookup_rate,
            request_timeout=float(env.get("RECTIFY_REQUEST_TIMEOUT") or cls.request_timeout),
            forwarded_allow_ips=env.get("RECTIFY_TRUSTED_PROXY") or None,
            tls_cert=Path(env["RECTIFY_TLS_CERT"]) if env.get("RECTIFY_TLS_CERT") else None,
            tls_key=Path(env["RECTIFY_TLS_KEY"]) if env.get("RECTIFY_TLS_KEY") else None,
        )


@dataclass(frozen=True)
class AnswerSettings:
    """How answers reach public reporters beyond mail (which uses ``IntakeSettings.smtp_relay``):
    the official account's API, for WeChat reports. Secrets come only from the environment."""

    wechat_api: str = "https://api.weixin.qq.com"
    wechat_appid: str | None = None
    wechat_secret: str | None = None
    """Both None: WeChat answers are recorded as undeliverable (not configured)."""

    @classmethod
    def from_env(cls) -> AnswerSettings:
        env = os.environ
        return cls(
            wechat_api=env.get("RECTIFY_WECHAT_API") or cls.wechat_api,
            wechat_appid=env.get("RECTIFY_WECHAT_APPID") or None,
            wechat_secret=env.get("RECTIFY_WECHAT_SECRET") or None,
        )


@dataclass(frozen=True)
class ConsoleSettings:
    """The staff console's listener: the internal network only (127.0.0.1 unless told)."""

    host: str = "127.0.0.1"
    port: int = 0
    """0: a free port, shown by ``rectify status``."""
    evidence_max_mb: float = 10.0
    """The largest evidence file a fix may carry, in MB."""

    @classmethod
    def from_env(cls) -> ConsoleSettings:
        env = os.environ
        return cls(host=env.get("RECTIFY_CONSOLE_HOST") or cls.host,
                   port=int(env.get("RECTIFY_CONSOLE_PORT") or "0"),
                   evidence_max_mb=float(env.get("RECTIFY_EVIDENCE_MAX_MB")
                                         or cls.evidence_max_mb))


@dataclass(frozen=True)
class Settings:
    """What ``rectify up`` runs with: embedded defaults unless a URL or DSN says otherwise."""

    data_dir: Path = DEFAULT_DATA_DIR
    nats_url: str | None = None
    nats_port: int = 0
    store: str | None = None
    sync_always: bool = True
    read_store: str | None = None
    without: frozenset[str] = frozenset()
    """Parts of ``rectify up`` switched off by name (``--without``)."""
    intake: IntakeSettings = field(default_factory=IntakeSettings.from_env)
    answers: AnswerSettings = field(default_factory=AnswerSettings.from_env)
    console: ConsoleSettings = field(default_factory=ConsoleSettings.from_env)
    local_admin: bool = field(
        default_factory=lambda: os.environ.get("RECTIFY_LOCAL_ADMIN") == "1")
    """Demo and test mode: staff commands without a session are accepted in the name given
    (``--as``), recorded as named by the local system administrator (``local:<name>``)."""

    def read_store_location(self) -> str:
        """Where the read models live: a PostgreSQL DSN, else a SQLite file path."""
        if self.read_store:
            return self.read_store
        if self.store and self.store.startswith(("postgresql://", "postgres://")):
            return self.store
        return str(self.data_dir / READ_MODELS_FILE)

    def store_env(self) -> dict[str, str]:
        """The eventsourcing library's environment for the configured event store."""
        if self.store and self.store.startswith(("postgresql://", "postgres://")):
            return postgres_env(self.store)
        path = Path(self.store) if self.store else self.data_dir / "events.sqlite"
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}

    def store_label(self) -> str:
        env = self.store_env()
        if env["PERSISTENCE_MODULE"].endswith("sqlite"):
            return f"sqlite:{env['SQLITE_DBNAME']}"
        return f"postgresql://{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}/{env['POSTGRES_DBNAME']}"


def postgres_env(dsn: str) -> dict[str, str]:
    url = urlparse(dsn)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
    }


def write_runtime(data_dir: Path, info: dict[str, object]) -> None:
    """Tell other ``rectify`` commands where this data directory's running process listens."""
    target = data_dir / RUNTIME_FILE
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.replace(target)


def read_runtime(data_dir: Path) -> dict[str, object] | None:
    """The running process's address book, or None when none runs for this data directory."""
    try:
        info: dict[str, object] = json.loads((data_dir / RUNTIME_FILE).read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    pid = info.get("pid")
    if not isinstance(pid, int) or not _alive(pid):
        return None
    return info


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


SEAL_KEY_FILE = "events-seal.key"
SEAL_KEY_ENV = "RECTIFY_SEAL_KEY"


class MissingSealKeyError(RuntimeError):
    """No seal key where the relay's EVENTS must be checked."""


def load_seal_key(data_dir: Path, *, create: bool = False) -> SealKey:
    """The relay's seal key: ``$RECTIFY_SEAL_KEY`` (hex), else ``<data dir>/events-seal.key``.

    ``rectify up`` creates the file (0600) on its first start; readers only read it.
    """
    if hex_key := os.environ.get(SEAL_KEY_ENV):
        return SealKey(bytes.fromhex(hex_key))
    path = data_dir / SEAL_KEY_FILE
    if not path.exists():
        if not create:
            raise MissingSealKeyError(
                f"{path} 不存在：请先在此数据目录运行 rectify up，或设置 {SEAL_KEY_ENV} "
                f"({path} is missing: run `rectify up` for this data directory first, or set "
                f"{SEAL_KEY_ENV})")
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(SEAL_KEY_BYTES))
    return SealKey(path.read_bytes())

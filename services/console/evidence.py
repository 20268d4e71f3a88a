"""Evidence files (佐证材料) uploaded with a fix: kept content-addressed by their SHA-256 under
``<data dir>/evidence/``, so the same file twice is kept once and a file's name is its proof.

The fix's event lists each file as ``sha256:<hex> <size> <type> <name>``; the problem page turns
that back into a download link.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from events.bilingual import BilingualError

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/pdf": (".pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}
_REFERENCE = re.compile(r"^sha256:([0-9a-f]{64}) (\d+) (\S+) (.+)$")


class EvidenceRefusedError(BilingualError, ValueError):
    """An evidence file refused (too large, a type not taken, not what it claims to be)."""


@dataclass(frozen=True)
class Evidence:
    sha256: str
    size: int
    media_type: str
    name: str

    def reference(self) -> str:
        return f"sha256:{self.sha256} {self.size} {self.media_type} {self.name}"

    @classmethod
    def parse(cls, reference: str) -> Evidence | None:
        found = _REFERENCE.match(reference)
        if found is None:
            return None
        return cls(found[1], int(found[2]), found[3], found[4])


def media_type_of(name: str, content: bytes) -> str:
    """The file's type from its extension, confirmed by its first bytes; refused otherwise."""
    suffix = Path(name).suffix.lower()
    for media_type, suffixes in ALLOWED_TYPES.items():
        if suffix in suffixes and content.startswith(_MAGIC[media_type]):
            return media_type
    raise EvidenceRefusedError(
        f"不支持的文件类型：{name}（只接受 JPG、PNG、PDF、DOCX、XLSX，且内容须与扩展名一致）",
        f"file type not accepted: {name} (JPG, PNG, PDF, DOCX or XLSX whose content matches "
        "the extension)",
    )


class EvidenceStore:
    def __init__(self, root: Path, max_bytes: int = MAX_BYTES) -> None:
        self.root, self.max_bytes = root, max_bytes

    def keep(self, name: str, content: bytes) -> Evidence:
        """Store one uploaded file (atomically, once per content); refused with the reason."""
        shown = Path(name.replace("\\", "/")).name.strip() or "file"
        if len(content) > self.max_bytes:
            raise EvidenceRefusedError(
                f"文件过大：{shown} 为 {_megabytes(len(content))}，"
                f"每个文件不得超过 {_megabytes(self.max_bytes)}",
                f"file too large: {shown} is {_megabytes(len(content))}, "
                f"the limit is {_megabytes(self.max_bytes)} per file",
            )
        if not content:
            raise EvidenceRefusedError(f"文件为空：{shown}", f"empty file: {shown}")
        media_type = media_type_of(shown, content)
        digest = hashlib.sha256(content).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(content)
            partial.replace(target)
        return Evidence(digest, len(content), media_type, shown[:200])

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256


def _megabytes(size: int) -> str:
    """A size as people read one: KB below a megabyte, else MB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"

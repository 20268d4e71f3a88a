"""WeChat's message encryption (安全模式 and 兼容模式), as its WXBizMsgCrypt documents it.

AES-256-CBC with the key ``base64(EncodingAESKey + "=")`` and its first 16 bytes as IV; the
plain text is 16 random bytes, the message's length (4 bytes, big-endian), the message, and
the AppID, padded PKCS#7 to 32-byte blocks. ``msg_signature = sha1(sorted(token, timestamp,
nonce, encrypted) joined)``, so the signature covers the body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from Crypto.Cipher import AES

_BLOCK = 32


class BadEncryptionError(Exception):
    """The encrypted message does not decrypt to a message for this account."""


def msg_signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted((token, timestamp, nonce, encrypted))).encode()).hexdigest()


def signed_by(token: str, timestamp: str, nonce: str, encrypted: str, signed: str) -> bool:
    return hmac.compare_digest(msg_signature(token, timestamp, nonce, encrypted), signed.lower())


class MessageCrypto:
    """Encrypts and decrypts messages of one account."""

    def __init__(self, encoding_aes_key: str, appid: str) -> None:
        try:
            self.key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error:
            raise ValueError("the EncodingAESKey is not 43 characters of base64") from None
        if len(self.key) != 32:
            raise ValueError("the EncodingAESKey must be 43 characters (32 bytes)")
        if not appid:
            raise ValueError("the encrypted modes need the account's AppID (RECTIFY_WECHAT_APPID)")
        self.appid = appid

    def encrypt(self, message: str, random16: bytes | None = None) -> str:
        data = message.encode()
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(data)) + data \
            + self.appid.encode()
        pad = _BLOCK - len(plain) % _BLOCK
        cipher = AES.new(self.key, AES.MODE_CBC, self.key[:16])
        return base64.b64encode(cipher.encrypt(plain + bytes([pad]) * pad)).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except binascii.Error:
            raise BadEncryptionError("not base64") from None
        if not data or len(data) % 16:
            raise BadEncryptionError("not whole AES blocks")
        plain = AES.new(self.key, AES.MODE_CBC, self.key[:16]).decrypt(data)
        pad = plain[-1]
        if not 1 <= pad <= _BLOCK or len(plain) < 20 + pad:
            raise BadEncryptionError("bad padding")
        body = plain[16:-pad]
        (length,) = struct.unpack(">I", body[:4])
        message, appid = body[4:4 + length], body[4 + length:]
        if len(message) != length or appid.decode("utf-8", "replace") != self.appid:
            raise BadEncryptionError("not a message for this account")
        try:
            return message.decode()
        except UnicodeDecodeError:
            raise BadEncryptionError("the message is not UTF-8") from None

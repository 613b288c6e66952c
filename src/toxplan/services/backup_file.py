"""Backup files on disk: readable by their owner only, and optionally encrypted.

A backup holds patient data and password hashes, so it is written with mode 0600 (to a
temporary file in the same folder, then renamed: a crash never leaves half a backup). With a
passphrase the document is encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package) under a key derived by scrypt from the passphrase and a random salt.
Fernet authenticates what it encrypts, so an encrypted backup cannot be altered, truncated or
replaced without the passphrase; a wrong passphrase and a changed file are both refused.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from toxplan.errors import InvalidInput

ENCRYPTED_FORMAT = "toxplan-backup-encrypted"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
"""scrypt cost: about 32 MB and a tenth of a second per derivation."""
MIN_PASSPHRASE = 12


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return base64.urlsafe_b64encode(Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8")))


def encrypt(data: dict[str, Any], passphrase: str) -> dict[str, Any]:
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(f"use a passphrase of at least {MIN_PASSPHRASE} characters", field="passphrase")
    salt = secrets.token_bytes(16)
    token = Fernet(_key(passphrase, salt, **SCRYPT)).encrypt(json.dumps(data, sort_keys=True).encode("utf-8"))
    return {
        "format": ENCRYPTED_FORMAT,
        "format_version": 1,
        "kdf": {"name": "scrypt", "salt": base64.b64encode(salt).decode("ascii"), **SCRYPT},
        "ciphertext": token.decode("ascii"),
    }


def is_encrypted(document: object) -> bool:
    return isinstance(document, dict) and document.get("format") == ENCRYPTED_FORMAT


def decrypt(document: dict[str, Any], passphrase: str) -> object:
    try:
        kdf = document["kdf"]
        if kdf["name"] != "scrypt" or document.get("format_version") != 1:
            raise InvalidInput("unknown encryption parameters", field="kdf")
        key = _key(passphrase, base64.b64decode(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
        plain = Fernet(key).decrypt(document["ciphertext"].encode("ascii"))
    except InvalidToken:
        raise InvalidInput("wrong passphrase, or the file was changed", field="passphrase") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"not a readable encrypted backup ({exc})", field="file") from None
    return json.loads(plain)


def write(path: Path, data: dict[str, Any], *, passphrase: str | None = None) -> None:
    """Write a backup (encrypted when a passphrase is given) readable by its owner only."""
    document = encrypt(data, passphrase) if passphrase is not None else data
    text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    folder = path.parent if str(path.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)  # created 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror}", field="output") from None


def read(path: Path) -> object:
    """The document in a backup file, encrypted or not (see ``is_encrypted``)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}", field="file") from None

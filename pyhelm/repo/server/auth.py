"""Who may read and write: htpasswd users (bcrypt) and bearer tokens.

Auth is on when an htpasswd file or a token file is given. Then every request
needs ``Authorization: Basic`` for a listed user or ``Authorization: Bearer``
with a listed token — except reads (GET, HEAD) under ``anonymous_get``, and
``/health``, ``/info``, which never ask. Writes always need auth when it is on.

bcrypt is slow on purpose (tens of milliseconds), so a header that was
verified once is remembered (in memory, bounded); failures are always checked
afresh, in a worker thread so the server keeps answering others meanwhile.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt

from pyhelm.errors import PyHelmError
from pyhelm.repo.server.http import HTTPError

BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
#: How many verified Authorization headers are remembered.
CACHE_SIZE = 4096


class AuthFileError(PyHelmError):
    """An htpasswd or token file cannot be used."""


def load_htpasswd(path: Path) -> dict[str, bytes]:
    """Users and bcrypt hashes of an htpasswd file (``htpasswd -B``); other hashes are refused."""
    users: dict[str, bytes] = {}
    for number, line in _lines(path):
        user, sep, hashed = line.partition(":")
        if not sep or not user or not hashed:
            raise AuthFileError(
                f"{path}:{number}: expected 'user:bcrypt-hash' (create it with 'htpasswd -B')"
            )
        if not hashed.startswith(BCRYPT_PREFIXES):
            raise AuthFileError(
                f"{path}:{number}: user {user!r} has a non-bcrypt hash; only bcrypt is accepted: "
                f"re-create it with 'htpasswd -B {path} {user}'"
            )
        users[user] = hashed.encode()
    return users


def load_tokens(path: Path) -> dict[bytes, str]:
    """Bearer tokens of a token file: one ``TOKEN`` or ``NAME:TOKEN`` a line -> {sha256: name}."""
    tokens: dict[bytes, str] = {}
    for number, line in _lines(path):
        name, sep, token = line.rpartition(":")
        if not sep:
            name, token = "token", line
        if len(token) < 16 or any(c.isspace() for c in token):
            raise AuthFileError(
                f"{path}:{number}: a token must be at least 16 characters without spaces"
            )
        tokens[hashlib.sha256(token.encode()).digest()] = name or "token"
    return tokens


def _lines(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AuthFileError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise AuthFileError(f"{path}: not UTF-8 text") from None
    out = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)]
    return [(n, line) for n, line in out if line and not line.startswith("#")]


@dataclass
class Authenticator:
    """Decides whether a request may go ahead, and as whom."""

    users: dict[str, bytes] = field(default_factory=dict)
    tokens: dict[bytes, str] = field(default_factory=dict)
    anonymous_get: bool = False
    realm: str = "pyhelm"
    _verified: dict[bytes, str] = field(default_factory=dict)
    _checking: dict[bytes, asyncio.Future[str | None]] = field(default_factory=dict)

    @classmethod
    def from_files(
        cls, htpasswd: Path | None, token_file: Path | None, anonymous_get: bool = False
    ) -> Authenticator:
        return cls(
            users=load_htpasswd(htpasswd) if htpasswd else {},
            tokens=load_tokens(token_file) if token_file else {},
            anonymous_get=anonymous_get,
        )

    @property
    def enabled(self) -> bool:
        return bool(self.users or self.tokens)

    def cached(self, authorization: bytes) -> str | None:
        """The user an already-verified header belongs to, without any hashing."""
        return self._verified.get(authorization)

    async def verify(self, authorization: bytes) -> str:
        """The user (or token name) of a valid ``Authorization`` header; ``HTTPError(401)`` otherwise.

        Concurrent requests with the same header share one check, so a burst
        of new connections costs one bcrypt, not one each.
        """
        check = self._checking.get(authorization)
        if check is None:
            check = asyncio.ensure_future(self._check(authorization))
            self._checking[authorization] = check
            check.add_done_callback(lambda _: self._checking.pop(authorization, None))
        user = await asyncio.shield(check)
        if user is None:
            raise self.unauthorized()
        if len(self._verified) >= CACHE_SIZE:
            self._verified.clear()
        self._verified[authorization] = user
        return user

    async def _check(self, authorization: bytes) -> str | None:
        scheme, _, credentials = authorization.partition(b" ")
        scheme = scheme.lower()
        if scheme == b"bearer":
            return self.tokens.get(hashlib.sha256(credentials.strip()).digest())
        if scheme == b"basic":
            return await self._basic(credentials.strip())
        return None

    async def _basic(self, credentials: bytes) -> str | None:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        hashed = self.users.get(user)
        if not sep or hashed is None:
            return None
        ok = await asyncio.to_thread(bcrypt.checkpw, password.encode(), hashed)
        return user if ok else None

    def unauthorized(self) -> HTTPError:
        challenges = []
        if self.users:
            challenges.append((b"www-authenticate", f'Basic realm="{self.realm}"'.encode()))
        if self.tokens:
            challenges.append((b"www-authenticate", f'Bearer realm="{self.realm}"'.encode()))
        return HTTPError(401, "unauthorized", challenges)

"""Running the repository server: granian (a Rust HTTP server) embedded in this process.

``serve(options)`` opens the folder (rebuilding a stale index), starts the
writer and the access log, and serves until SIGINT or SIGTERM; then it stops
taking connections, lets queued writes finish and flushes the log. When the
server listens, one line goes to standard error::

    pyhelm serve: serving /srv/charts at http://127.0.0.1:8879/ (3 charts, auth off)

With ``--port 0`` the port is the one the system chose, read back from the
listening socket, so scripts and tests can use that line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pyhelm.errors import UsageError
from pyhelm.repo.server.accesslog import AccessLog
from pyhelm.repo.server.api import ApiOptions
from pyhelm.repo.server.app import RepoApp
from pyhelm.repo.server.auth import Authenticator
from pyhelm.repo.server.storage import RepoStorage

DEFAULT_DIR = "repo_index"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8879


@dataclass
class ServeOptions:
    """What ``pyhelm serve`` takes; see ``pyhelm serve --help``."""

    directory: Path = Path(DEFAULT_DIR)
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    auth_file: Path | None = None
    token_file: Path | None = None
    anonymous_get: bool = False
    api: ApiOptions = field(default_factory=ApiOptions)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    access_log: str | None = None
    repo_name: str = "local"

    def __post_init__(self) -> None:
        if bool(self.tls_cert) != bool(self.tls_key):
            raise UsageError(
                "--tls-cert and --tls-key go together: give both (or neither, for plain HTTP)"
            )
        for flag, path in (
            ("--tls-cert", self.tls_cert),
            ("--tls-key", self.tls_key),
            ("--auth-file", self.auth_file),
            ("--token-file", self.token_file),
        ):
            if path is not None and not Path(path).is_file():
                raise UsageError(f"{flag} {path}: no such file")
        if not 0 <= self.port <= 65535:
            raise UsageError(f"--port {self.port}: must be between 0 and 65535")
        if self.anonymous_get and not (self.auth_file or self.token_file):
            raise UsageError("--anonymous-get only makes sense with --auth-file or --token-file")

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert else "http"


def serve(options: ServeOptions) -> None:
    """Serve the repository until SIGINT/SIGTERM. Raises ``PyHelmError`` on bad setup."""
    auth = Authenticator.from_files(options.auth_file, options.token_file, options.anonymous_get)
    storage = RepoStorage.open(options.directory)
    try:
        import uvloop
    except ImportError:  # no uvloop on this platform: the standard loop works, a little slower
        asyncio.run(_serve(options, storage, auth))
    else:
        uvloop.run(_serve(options, storage, auth))


async def _serve(options: ServeOptions, storage: RepoStorage, auth: Authenticator) -> None:
    from granian.constants import Interfaces, SSLProtocols
    from granian.log import LogLevels
    from granian.server.embed import Server

    logging.getLogger("_granian").setLevel(logging.ERROR)
    log = AccessLog.open(options.access_log)
    app = RepoApp(storage, auth, log, options.api, options.repo_name)
    server = Server(
        app,
        address=options.host,
        port=options.port,
        interface=Interfaces.ASGINL,
        log_level=LogLevels.error,
        backlog=1024,
        ssl_cert=options.tls_cert,
        ssl_key=options.tls_key,
        ssl_protocol_min=SSLProtocols.tls12,
    )
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, server.stop)
    storage.start()
    log.start()
    announcer = loop.create_task(_announce(options, storage, auth))
    try:
        await server.serve()
    finally:
        announcer.cancel()
        await storage.close()
        await log.close()
        print("pyhelm serve: stopped", file=sys.stderr, flush=True)


async def _announce(options: ServeOptions, storage: RepoStorage, auth: Authenticator) -> None:
    port = options.port
    for _ in range(200):
        ports = _listening_ports()
        if ports and (options.port == 0 or options.port in ports):
            port = options.port or min(ports)
            break
        await asyncio.sleep(0.025)
    count = len(storage.index.entries)
    state = "on" + (", anonymous reads" if auth.anonymous_get else "") if auth.enabled else "off"
    print(
        f"pyhelm serve: serving {storage.directory} at {options.scheme}://{_host(options.host)}:{port}/ "
        f"({count} chart{'s' if count != 1 else ''}, auth {state})",
        file=sys.stderr,
        flush=True,
    )


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _listening_ports() -> set[int]:
    """TCP ports this process listens on (Linux: matched through /proc socket inodes)."""
    try:
        inodes = set()
        for fd in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        ports = set()
        for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
            with open(table, encoding="ascii") as handle:
                for line in handle.readlines()[1:]:
                    fields = line.split()
                    if fields[3] == "0A" and fields[9] in inodes:
                        ports.add(int(fields[1].rsplit(":", 1)[1], 16))
        return ports
    except OSError:
        return set()


__all__ = ["DEFAULT_DIR", "DEFAULT_HOST", "DEFAULT_PORT", "ServeOptions", "serve"]

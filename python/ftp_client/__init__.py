"""FTP and FTPS from Python, through the ftp-client WebAssembly component.

The component runs inside this module under wasmtime, at native speed,
and each session may reach its own server and nothing else. Downloads and
uploads are file objects; listings iterate as they arrive; a `Pool` moves
single files, large files in segments and whole trees over several
sessions, with progress callbacks, a cancel handle and one rate limit for
all. Every wait on the network releases the GIL; `ftp_client.aio` offers
the same as coroutines.

    import ftp_client

    with ftp_client.connect("ftp://alice:secret@files.example.com/") as ftp:
        with ftp.open_write("hello.txt") as up:
            up.write(b"hello")
        with ftp.open_read("hello.txt") as down:
            assert down.read() == b"hello"
        for entry in ftp.listing():
            print(entry.kind, entry.size, entry.name)
"""

from __future__ import annotations

import io
from typing import Any, Iterator, Optional

from . import _native
from ._native import Cancel, Entry, FtpError, Pool, RateLimit, Reply

__all__ = [
    "Cancel",
    "Download",
    "Entry",
    "FtpError",
    "Pool",
    "RateLimit",
    "Reply",
    "Session",
    "Upload",
    "connect",
]


class Download(io.RawIOBase):
    """A file being downloaded: `read`, `readinto`, iteration by lines
    through `io.BufferedReader(download)`. Leaving a `with` block normally
    reads to the end and checks the server's final reply; with an
    exception, or on `close` before the end, the transfer is aborted."""

    def __init__(self, native: _native.Download) -> None:
        super().__init__()
        self._native = native

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._native.readinto(buffer)

    def expected_size(self) -> Optional[int]:
        """The bytes the server announced, if it did."""
        return self._native.expected_size()

    def finish(self) -> Reply:
        """Reads to the end and checks the final reply (2xx)."""
        reply = self._native.finish()
        super().close()
        return reply

    def abort(self) -> None:
        """Stops the transfer (ABOR); the session stays usable."""
        if not self._native.finished:
            self._native.abort()
        super().close()

    def close(self) -> None:
        if not self.closed:
            self.abort()

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        if kind is None and not self._native.finished:
            self.finish()
        else:
            self.close()


class Upload(io.RawIOBase):
    """A file being uploaded: `write` (gathered into 1 MiB chunks).
    Leaving a `with` block normally sends the rest and checks the final
    reply; with an exception, or on `close` before `finish`, the upload
    is aborted."""

    def __init__(self, native: _native.Upload) -> None:
        super().__init__()
        self._native = native

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return self._native.write(data)

    def flush(self) -> None:
        if not self.closed and not self._native.finished:
            self._native.flush()

    def unique_name(self) -> Optional[str]:
        """The name the server chose for a STOU upload."""
        return self._native.unique_name()

    def finish(self) -> Reply:
        """Sends the rest, closes the data connection, checks the reply."""
        reply = self._native.finish()
        super().close()
        return reply

    def abort(self) -> None:
        """Stops the upload (ABOR); the session stays usable."""
        if not self._native.finished:
            self._native.abort()
        super().close()

    def close(self) -> None:
        if not self.closed:
            self.abort()

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        if kind is None and not self._native.finished:
            self.finish()
        else:
            self.close()


class Session(_native.Session):
    """One logged-in connection (`Session(url, **settings)`, or
    `connect`): every command (`pwd`, `cwd`, `mkdir`, `list`, `size`,
    `hash`...), with transfers as file objects. A session takes one call at
    a time, and none while a transfer on it is open."""

    def open_read(self, path: str, offset: int = 0) -> Download:  # type: ignore[override]
        """A download of `path` from byte `offset` (REST)."""
        return Download(super().open_read(path, offset))

    def open_write(self, path: str, append: bool = False, offset: int = 0) -> Upload:  # type: ignore[override]
        """An upload to `path`: replacing it, appending (APPE), or from
        byte `offset` (REST, then STOR)."""
        return Upload(super().open_write(path, append, offset))

    def listing(self, path: Optional[str] = None) -> Iterator[Entry]:  # type: ignore[override]
        """The entries of a directory, as they arrive."""
        return iter(super().listing(path))

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        self.close()


def connect(url: str, **settings: Any) -> Session:
    """Connects and logs in. `url` is `ftp://user:pass@host:port/`
    (`ftps://` for implicit TLS); keyword arguments: `user`, `password`,
    `tls` ("explicit" or "implicit"), `ca_pem`, `client_cert_pem` and
    `client_key_pem` (a client certificate, PEM), `timeout` and
    `transfer_timeout` (seconds), `passive_ports` (first, last),
    `encoding` ("utf8" or "latin1"), `trace`, `rate_limit` (a
    `RateLimit`), `stat_cache` (seconds; 0 turns it off), `keep_alive`
    (seconds between NOOPs on the control connection while a transfer
    runs), `proxy` (`socks5://` or `http://` URL)."""
    return Session(url, **settings)

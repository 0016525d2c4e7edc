"""`ftp_client` as coroutines: each call runs on a worker thread
(`asyncio.to_thread`) and, since the native calls release the GIL, several
sessions move data at once while the event loop stays free.

    import asyncio
    from ftp_client import aio

    async def main():
        async with await aio.connect("ftp://alice:secret@host/") as ftp:
            print(await ftp.pwd())
            async with await ftp.open_read("big.bin") as down:
                data = await down.read()
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

import ftp_client
from ftp_client import _native


def _on_thread(method: Callable[..., Any]) -> Callable[..., Any]:
    async def call(*args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(method, *args, **kwargs)

    return call


class AsyncDownload:
    """A download whose reads are awaited."""

    def __init__(self, inner: ftp_client.Download) -> None:
        self._inner = inner

    async def read(self, size: int = -1) -> bytes:
        return await asyncio.to_thread(self._inner.read, size)

    async def readinto(self, buffer: Any) -> int:
        return await asyncio.to_thread(self._inner.readinto, buffer)

    async def finish(self) -> _native.Reply:
        return await asyncio.to_thread(self._inner.finish)

    async def abort(self) -> None:
        await asyncio.to_thread(self._inner.abort)

    async def __aenter__(self) -> "AsyncDownload":
        return self

    async def __aexit__(self, kind: Any, value: Any, tb: Any) -> None:
        await asyncio.to_thread(self._inner.__exit__, kind, value, tb)


class AsyncUpload:
    """An upload whose writes are awaited."""

    def __init__(self, inner: ftp_client.Upload) -> None:
        self._inner = inner

    async def write(self, data: Any) -> int:
        return await asyncio.to_thread(self._inner.write, data)

    async def finish(self) -> _native.Reply:
        return await asyncio.to_thread(self._inner.finish)

    async def abort(self) -> None:
        await asyncio.to_thread(self._inner.abort)

    async def __aenter__(self) -> "AsyncUpload":
        return self

    async def __aexit__(self, kind: Any, value: Any, tb: Any) -> None:
        await asyncio.to_thread(self._inner.__exit__, kind, value, tb)


class AsyncSession:
    """A session whose commands are awaited (`await ftp.pwd()`)."""

    def __init__(self, inner: ftp_client.Session) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return _on_thread(getattr(self._inner, name))

    async def open_read(self, path: str, offset: int = 0) -> AsyncDownload:
        return AsyncDownload(await asyncio.to_thread(self._inner.open_read, path, offset))

    async def open_write(self, path: str, *, append: bool = False, offset: int = 0) -> AsyncUpload:
        upload = await asyncio.to_thread(self._inner.open_write, path, append=append, offset=offset)
        return AsyncUpload(upload)

    async def __aenter__(self) -> "AsyncSession":
        return self

    async def __aexit__(self, kind: Any, value: Any, tb: Any) -> None:
        await asyncio.to_thread(self._inner.close)


class AsyncPool:
    """A pool whose work is awaited (`await pool.mirror("down", ...)`)."""

    def __init__(self, url: str, size: int = 4, **settings: Any) -> None:
        self._inner = _native.Pool(url, size, **settings)

    def __getattr__(self, name: str) -> Any:
        return _on_thread(getattr(self._inner, name))


async def connect(url: str, **settings: Any) -> AsyncSession:
    """`ftp_client.connect`, awaited."""
    return AsyncSession(await asyncio.to_thread(ftp_client.connect, url, **settings))


def pool(url: str, size: int = 4, **settings: Any) -> AsyncPool:
    """An `AsyncPool` of up to `size` sessions."""
    return AsyncPool(url, size, **settings)


__all__ = ["AsyncDownload", "AsyncPool", "AsyncSession", "AsyncUpload", "connect", "pool"]

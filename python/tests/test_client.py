"""The installed `ftp_client` package against pyftpdlib: commands, file
objects both ways (checked by SHA-256, the final reply checked on leaving a
`with`), listings, typed errors (a refusal's code, a connection outside the
grant), the GIL released during transfers, a pool's tree run with progress,
cancelling, a rate limit, and the asyncio API."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tempfile
import threading
import time
import unittest
from pathlib import Path

import ftp_client
from ftp_client import aio

from server import Server


def data(size: int, seed: int) -> bytes:
    return bytes((i * 2654435761 + seed) >> 13 & 0xFF for i in range(size))


class ClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.server = Server()
        self.addCleanup(self.server.close)

    def test_commands_and_file_objects_both_ways(self) -> None:
        payload = data(3 << 20, 1)
        with ftp_client.connect(self.server.url()) as ftp:
            self.assertEqual(ftp.welcome.code, 220)
            self.assertEqual(ftp.pwd(), "/")
            ftp.mkdir_all("a/b")
            with ftp.open_write("a/b/f.bin") as up:
                for i in range(0, len(payload), 100_000):
                    up.write(payload[i : i + 100_000])
            self.assertEqual(ftp.size("a/b/f.bin"), len(payload))
            with ftp.open_read("a/b/f.bin") as down:
                # pyftpdlib's 150 names no size.
                self.assertIn(down.expected_size(), (None, len(payload)))
                back = io.BufferedReader(down, 1 << 20).read()
            self.assertEqual(hashlib.sha256(back).digest(), hashlib.sha256(payload).digest())
            # readinto straight into a caller's buffer, from an offset.
            buf = bytearray(1000)
            with ftp.open_read("a/b/f.bin", offset=5) as down:
                n = down.readinto(buf)
                self.assertTrue(0 < n <= 1000)
                self.assertEqual(bytes(buf[:n]), payload[5 : 5 + n])
            entries = ftp.list("a/b")
            self.assertEqual([(e.name, e.kind, e.size) for e in entries], [("f.bin", "file", len(payload))])
            self.assertEqual([e.name for e in ftp.listing("a")], ["b"])
            ftp.rename("a/b/f.bin", "a/b/g.bin")
            self.assertEqual(ftp.nlst("a/b"), ["g.bin"])
            self.assertEqual(ftp.delete("a/b/g.bin").code, 250)
            ftp.remove_tree("a")
            self.assertEqual(ftp.list(), [])

    def test_errors_are_typed(self) -> None:
        with self.assertRaises(ftp_client.FtpError) as refused:
            ftp_client.connect(self.server.url().replace("wonderland", "wrong"))
        self.assertEqual((refused.exception.kind, refused.exception.code), ("permanent", 530))
        with ftp_client.connect(self.server.url()) as ftp:
            with self.assertRaises(ftp_client.FtpError) as missing:
                ftp.open_read("missing.bin")
            self.assertEqual((missing.exception.kind, missing.exception.code), ("permanent", 550))
            # An upload left by an exception is aborted; the session goes on.
            with self.assertRaises(RuntimeError):
                with ftp.open_write("partial.bin") as up:
                    up.write(b"some")
                    raise RuntimeError("the caller gave up")
            self.assertEqual(ftp.noop().code, 200)
            with self.assertRaises(ftp_client.FtpError) as bad:
                ftp.cwd("a\r\nDELE x")
            self.assertEqual(bad.exception.kind, "invalid-input")
        # A server's passive port outside the grant is refused, typed.
        with ftp_client.connect(self.server.url(), passive_ports=(1, 2), timeout=5) as ftp:
            with self.assertRaises(ftp_client.FtpError) as denied:
                ftp.list()
            self.assertEqual(denied.exception.kind, "access-denied")

    def test_the_gil_is_released_during_a_transfer(self) -> None:
        (self.server.root / "slow.bin").write_bytes(data(1 << 20, 2))
        ticks = 0
        stop = threading.Event()

        def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                time.sleep(0.01)
                ticks += 1

        thread = threading.Thread(target=ticker)
        thread.start()
        # A second's worth at 1 MiB/s: the ticker must keep running.
        limit = ftp_client.RateLimit(1 << 20)
        with ftp_client.connect(self.server.url(), rate_limit=limit) as ftp:
            with ftp.open_read("slow.bin") as down:
                while down.read(1 << 16):
                    pass
        stop.set()
        thread.join()
        # Held, the GIL would give it none; a lower bound a loaded machine meets.
        self.assertGreater(ticks, 20)

    def test_a_pool_mirrors_a_tree_with_progress_and_stops_when_cancelled(self) -> None:
        local = Path(tempfile.mkdtemp())
        for i in range(30):
            (local / f"d{i % 3}").mkdir(exist_ok=True)
            (local / f"d{i % 3}" / f"f {i}.bin").write_bytes(data(i * 1000, i))
        pool = ftp_client.Pool(self.server.url(), 1)
        events: list[str] = []
        report = pool.mirror("up", "site", local, progress=lambda e, t: events.append(e["event"]))
        self.assertEqual(report["copied"], 30)
        self.assertEqual(report["failed"], 0)
        self.assertEqual(events.count("finished"), 30)
        self.assertIn("planned", events)
        plan = pool.mirror("down", "site", local / "back", dry_run=True)
        self.assertEqual(sum(1 for a in plan["actions"] if a["action"] == "copy"), 30)
        back = pool.mirror("down", "site", local / "back")
        self.assertEqual(back["copied"], 30)
        for path in local.glob("d*/*"):
            self.assertEqual(path.read_bytes(), (local / "back" / path.relative_to(local)).read_bytes())
        # A callback that raises cancels the run; its exception is raised.
        cancel = ftp_client.Cancel()

        def give_up(event: object, totals: object) -> None:
            raise KeyError("stop here")

        with self.assertRaises(KeyError):
            pool.mirror("down", "site", local / "again", progress=give_up, cancel=cancel)
        self.assertTrue(cancel.cancelled)
        done = pool.download("site/d1/f 1.bin", local / "one.bin")
        self.assertEqual(done["size"], 1000)

    def test_asyncio_runs_sessions_at_once(self) -> None:
        for name in ("a.bin", "b.bin"):
            (self.server.root / name).write_bytes(data(1 << 20, len(name)))

        async def fetch(name: str) -> bytes:
            async with await aio.connect(self.server.url()) as ftp:
                self.assertEqual(await ftp.pwd(), "/")
                async with await ftp.open_read(name) as down:
                    return await down.read()

        async def both() -> list[bytes]:
            return list(await asyncio.gather(fetch("a.bin"), fetch("b.bin")))

        a, b = asyncio.run(both())
        self.assertEqual(a, (self.server.root / "a.bin").read_bytes())
        self.assertEqual(b, (self.server.root / "b.bin").read_bytes())


if __name__ == "__main__":
    unittest.main()

"""A tree mirrored over a real Dask cluster on loopback: a scheduler and
two worker processes, files including a large one and names with spaces,
one worker killed while the shards run; the copy is byte-identical and
the work was spread over more than one process."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
import unittest
from pathlib import Path

from server import Server

try:
    from distributed import Client, LocalCluster
except ImportError:  # pragma: no cover - the test extra installs it
    Client = None  # type: ignore[assignment,misc]


def data(size: int, seed: int) -> bytes:
    return bytes(((i * 2654435761 + seed) >> 13) & 0xFF for i in range(min(size, 1 << 16))) * (size // (1 << 16) + 1)


@unittest.skipIf(Client is None, "distributed is not installed")
class DaskMirrorTest(unittest.TestCase):
    def test_a_tree_fans_out_over_two_workers_and_survives_losing_one(self) -> None:
        from ftp_client.dask import mirror_down

        server = Server()
        self.addCleanup(server.close)
        site = server.root / "site"
        for d in range(4):
            (site / f"dir {d}").mkdir(parents=True)
            for f in range(12):
                (site / f"dir {d}" / f"file {f}.bin").write_bytes(data(20_000 + f * 3_000, d * 100 + f)[: 20_000 + f * 3_000])
        big = data(96 << 20, 7)[: 96 << 20]
        (site / "big one.bin").write_bytes(big)
        local = Path(tempfile.mkdtemp()) / "copy"

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
            killed: list[str] = []
            worker_pids = client.run(os.getpid)

            def copying(pid: int) -> bool:
                # The worker writing a temporary twin holds it open.
                try:
                    return any(".wftp-" in os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd"))
                except OSError:
                    return False

            def kill_one_while_running() -> None:
                # Wait for a worker to be under way on a file, then end it.
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    for address, pid in worker_pids.items():
                        if copying(pid):
                            os.kill(pid, signal.SIGKILL)
                            killed.append(address)
                            return
                    time.sleep(0.01)

            killer = threading.Thread(target=kill_one_while_running)
            killer.start()
            # The big file at 24 MiB/s takes four seconds: time to see it
            # under way and kill the worker copying it.
            done = mirror_down(client, server.url(), "site", local, shards=6, retries=3, rate_limit=24 << 20)
            killer.join()

        self.assertTrue(killed, "no worker was busy to kill")
        for path in site.rglob("*"):
            if path.is_file():
                copy = local / path.relative_to(site)
                self.assertEqual(copy.read_bytes(), path.read_bytes(), str(path))
        self.assertEqual(list(local.rglob(".wftp-*")), [])
        # The killed worker was copying, and what it held was finished by
        # another process: the work ran on more than one.
        dead = worker_pids[killed[0]]
        self.assertNotIn(dead, {d["pid"] for d in done})
        copied = [p for d in done for p in d["copied"] + d["skipped"]]
        self.assertEqual(len(copied), 4 * 12 + 1)


if __name__ == "__main__":
    unittest.main()

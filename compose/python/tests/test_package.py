"""The installed package against a pyftpdlib server on loopback: the
component it carries logs in, moves a file both ways (verified by SHA-256),
lists, and reports a missing file as a typed error."""

import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from ftp_component import Client, FtpError


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # In a process of its own: wasmtime-py holds the GIL during calls.
        cls.root = tempfile.TemporaryDirectory()
        cls.port = free_port()
        cls.server = subprocess.Popen(
            [sys.executable, "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", str(cls.port),
             "-d", cls.root.name, "-u", "alice", "-P", "wonderland", "-w"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        cls.server.wait()
        cls.root.cleanup()

    def test_the_packaged_component_moves_a_file_both_ways(self):
        session = Client().connect("127.0.0.1", self.port, "alice", "wonderland")
        data = os.urandom(256 << 10)
        reply = session.upload("data.bin", data)
        self.assertEqual(reply.code, 226)
        with open(os.path.join(self.root.name, "data.bin"), "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).digest(), hashlib.sha256(data).digest())
        names = [entry.name for entry in session.call("[method]session.list", None)]
        self.assertEqual(names, ["data.bin"])
        back, reply = session.download("data.bin")
        self.assertEqual(reply.code, 226)
        self.assertEqual(hashlib.sha256(back).digest(), hashlib.sha256(data).digest())
        with self.assertRaises(FtpError) as missing:
            session.call("[method]session.size", "missing.bin")
        self.assertEqual(missing.exception.kind, "permanent")
        self.assertEqual(missing.exception.detail.code, 550)
        session.call("[method]session.quit")
        session.close()


if __name__ == "__main__":
    unittest.main()

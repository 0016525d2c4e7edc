"""A pyftpdlib server on loopback in a process of its own (as a real
server is), for the tests: one user with a fresh home directory."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

SERVE = r"""
import logging, sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import ThreadedFTPServer
logging.basicConfig(level=logging.WARNING)
authorizer = DummyAuthorizer()
authorizer.add_user("alice", "wonderland", sys.argv[1], perm="elradfmwMT")
FTPHandler.authorizer = authorizer
FTPHandler.banner = "pyftpdlib ready"
server = ThreadedFTPServer(("127.0.0.1", 0), FTPHandler)
print(server.address[1], flush=True)
server.serve_forever()
"""


class Server:
    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory()
        self.root = Path(self._dir.name)
        self._process = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(self.root)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        self.port = int(self._process.stdout.readline())

    def url(self, path: str = "") -> str:
        return f"ftp://alice:wonderland@127.0.0.1:{self.port}/{path}"

    def close(self) -> None:
        self._process.terminate()
        self._process.wait()
        assert self._process.stdout is not None
        self._process.stdout.close()
        self._dir.cleanup()

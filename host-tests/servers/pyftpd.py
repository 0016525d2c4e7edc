"""pyftpdlib on loopback for the interop suite.

usage: pyftpd.py PORT PASSIVE_MIN PASSIVE_MAX USER PASSWORD HOME ANON_DIR
"""
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

port, pmin, pmax, user, password, home, anon = sys.argv[1:8]
authorizer = DummyAuthorizer()
authorizer.add_user(user, password, home, perm="elradfmwMT")
authorizer.add_anonymous(anon)
handler = FTPHandler
handler.authorizer = authorizer
handler.passive_ports = range(int(pmin), int(pmax) + 1)
handler.banner = "pyftpdlib interop server ready"
server = FTPServer(("127.0.0.1", int(port)), handler)
server.serve_forever()

"""A one-line inetd: runs an inetd-style server (inetutils ftpd) on each
connection to 127.0.0.1:PORT, with the accepted socket as its stdin and stdout.

usage: inetd.py PORT COMMAND [ARG...]
"""
import os
import signal
import socket
import subprocess
import sys

port, command = int(sys.argv[1]), sys.argv[2:]
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reap themselves
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(16)
while True:
    conn, _ = listener.accept()
    subprocess.Popen(command, stdin=conn.fileno(), stdout=conn.fileno(), close_fds=True)
    conn.close()

"""Drives the ftp-client component from Python: upload, list, download
verified by SHA-256, a typed error, clean-up.

    python demo.py HOST PORT [USER PASSWORD]

with the `ftp-client-wasm` package installed (`pip install ./python`).
"""

import hashlib
import os
import sys

from ftp_component import Client, FtpError, describe


def show(step, value):
    print(f"  {step:<28} -> {describe(value)}")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    host, port = argv[1], int(argv[2])
    user, password = (argv[3], argv[4]) if len(argv) > 4 else (None, None)

    session = Client().connect(host, port, user, password)
    show("welcome", session.call("[method]session.welcome"))
    folder = f"python-demo-{os.getpid()}"
    show("mkd", session.call("[method]session.mkd", folder))
    show("cwd", session.call("[method]session.cwd", folder))

    data = os.urandom(512 << 10)
    show("store data.bin (512 KiB)", session.upload("data.bin", data))
    show("size", session.call("[method]session.size", "data.bin"))
    for entry in session.call("[method]session.list", None):
        show("list", f"{entry.kind} {entry.size} {entry.name}")
    back, reply = session.download("data.bin")
    show("retrieve", reply)
    sent, got = hashlib.sha256(data).hexdigest(), hashlib.sha256(back).hexdigest()
    print(f"  sha256 sent     {sent}\n  sha256 received {got}")

    try:
        session.call("[method]session.size", "missing.bin")
        print("  size missing.bin: no error?")
        return 1
    except FtpError as e:
        show("size missing.bin (error)", e)

    show("delete", session.call("[method]session.delete", "data.bin"))
    show("cdup", session.call("[method]session.cdup"))
    show("rmd", session.call("[method]session.rmd", folder))
    show("quit", session.call("[method]session.quit"))
    session.close()
    if sent != got:
        print("MISMATCH: the download differs from the upload", file=sys.stderr)
        return 1
    print("python: download verified")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

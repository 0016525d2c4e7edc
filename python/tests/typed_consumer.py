"""Code as a user writes it, for `mypy --strict` to check against the
package's types (it is type-checked, not run)."""

from __future__ import annotations

from pathlib import Path

import ftp_client


def fetch(url: str, target: Path) -> int:
    with ftp_client.connect(url, timeout=10.0, tls="explicit") as ftp:
        size: int = ftp.size("big.bin")
        for entry in ftp.listing("pub"):
            name: str = entry.name
            print(name, entry.kind, entry.size)
        with ftp.open_read("big.bin") as down, target.open("wb") as out:
            while chunk := down.read(1 << 20):
                out.write(chunk)
        return size


def mirror(url: str, local: Path) -> int:
    pool = ftp_client.Pool(url, 4, rate_limit=ftp_client.RateLimit(10 << 20))
    report = pool.mirror("down", "pub", local, delete=True, progress=lambda e, t: print(e["event"], t["bytes_done"]))
    plan = pool.mirror("down", "pub", local, dry_run=True)
    return report["copied"] + len(plan["actions"])


def kind_of(error: ftp_client.FtpError) -> str:
    return f"{error.kind} {error.code}"

"""A tree mirror fanned out over a Dask cluster (`distributed`): one walk of
the server's tree plans the work, the files are dealt into shards of about
equal bytes, and each shard runs on a worker through this package; Dask
places the shards, and runs a shard again elsewhere when its worker dies
(`retries`). Each file lands whole (a temporary twin renamed into place),
so a shard run twice leaves the same bytes.

    from distributed import Client
    from ftp_client.dask import mirror_down

    with Client("tcp://scheduler:8786") as client:
        done = mirror_down(client, "ftp://alice:secret@host/", "pub/site", "/shared/site")

The destination must be one every worker can write (a shared or network
file system): which one, and how it is shared, is the caller's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypedDict

import ftp_client


class ShardDone(TypedDict):
    """What one shard did: the files it copied (and skipped, already
    whole), their bytes, and the process that ran it."""

    copied: list[str]
    skipped: list[str]
    bytes: int
    pid: int


def plan_shards(url: str, remote: str, local: str | os.PathLike[str], shards: int, **settings: Any) -> list[list[tuple[str, int]]]:
    """The files a mirror down would copy, `(path, size)` relative to
    `remote`, dealt into at most `shards` lists of about equal bytes
    (largest first, each to the lightest shard)."""
    plan = _pool(url, settings).mirror("down", remote, local, dry_run=True)
    files = sorted(
        ((a["path"], int(a.get("size") or 0)) for a in plan["actions"] if a["action"] == "copy"),
        key=lambda f: -f[1],
    )
    bins: list[list[tuple[str, int]]] = [[] for _ in range(max(1, min(shards, len(files))))]
    weights = [0] * len(bins)
    for path, size in files:
        lightest = weights.index(min(weights))
        bins[lightest].append((path, size))
        weights[lightest] += size
    return [b for b in bins if b]


def _pool(url: str, settings: dict[str, Any]) -> ftp_client.Pool:
    """One session's pool; a rate limit given as a number (it crosses to
    the workers so) becomes a `RateLimit` each process holds its own
    shards to."""
    settings = dict(settings)
    if isinstance(settings.get("rate_limit"), int):
        settings["rate_limit"] = ftp_client.RateLimit(settings["rate_limit"])
    return ftp_client.Pool(url, 1, **settings)


def copy_shard(url: str, remote: str, local: str, files: list[tuple[str, int]], settings: dict[str, Any]) -> ShardDone:
    """Copies one shard's files (on a worker); a file already there at its
    size is left alone, so a shard run again after its worker died goes on
    where that one stopped."""
    pool = _pool(url, settings)
    done = ShardDone(copied=[], skipped=[], bytes=0, pid=os.getpid())
    base = remote.rstrip("/")
    for path, size in files:
        target = Path(local) / path
        if target.is_file() and target.stat().st_size == size:
            done["skipped"].append(path)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        result = pool.download(f"{base}/{path}" if base else path, target, retries=3)
        done["copied"].append(path)
        done["bytes"] += result["size"]
    pool.close()
    return done


def mirror_down(
    client: Any,
    url: str,
    remote: str,
    local: str | os.PathLike[str],
    *,
    shards: int | None = None,
    retries: int = 3,
    **settings: Any,
) -> list[ShardDone]:
    """Makes `local` a copy of the server's `remote` over the cluster of
    `client` (a `distributed.Client`): the plan here, the shards (two per
    worker unless `shards` says) on the workers, each tried up to `retries`
    more times by Dask. Returns each shard's `ShardDone`."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    bins = plan_shards(url, remote, local, shards or 2 * workers, **settings)
    futures = [
        client.submit(copy_shard, url, remote, str(local), files, settings, pure=False, retries=retries)
        for files in bins
    ]
    done = list(client.gather(futures))
    # Every shard finished: a temporary twin still there is a dead try's
    # (a worker killed mid-file cannot remove its own).
    for twin in Path(local).rglob(".wftp-*.part"):
        twin.unlink(missing_ok=True)
    return done


__all__ = ["ShardDone", "copy_shard", "mirror_down", "plan_shards"]

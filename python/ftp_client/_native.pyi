"""Types of the native module (`ftp_client._native`), checked by mypy."""

from os import PathLike
from typing import Any, Callable, Iterator, Literal, Optional, TypedDict, Union, overload

class FtpError(Exception):
    kind: str
    code: Optional[int]
    message: str

class Reply:
    code: int
    text: str

class Entry:
    name: str
    kind: Literal["file", "dir", "link", "other", "unparsed"]
    size: Optional[int]
    modified: Optional[float]
    permissions: Optional[str]
    unix_mode: Optional[int]
    link_target: Optional[str]
    facts: list[tuple[str, str]]
    raw: str

class Cancel:
    def __init__(self) -> None: ...
    def cancel(self) -> None: ...
    @property
    def cancelled(self) -> bool: ...

class RateLimit:
    def __init__(self, bytes_per_second: int) -> None: ...
    def set(self, bytes_per_second: Optional[int]) -> None: ...
    def get(self) -> Optional[int]: ...

class Download:
    def readinto(self, buffer: Any) -> int: ...
    def expected_size(self) -> Optional[int]: ...
    def is_direct(self) -> bool: ...
    def finish(self) -> Reply: ...
    def abort(self) -> None: ...
    @property
    def finished(self) -> bool: ...

class Upload:
    def write(self, data: Any) -> int: ...
    def flush(self) -> None: ...
    def unique_name(self) -> Optional[str]: ...
    def finish(self) -> Reply: ...
    def abort(self) -> None: ...
    @property
    def finished(self) -> bool: ...

class Listing:
    def __iter__(self) -> Iterator[Entry]: ...
    def __next__(self) -> Entry: ...
    def close(self) -> None: ...

class Session:
    def __init__(
        self,
        url: str,
        *,
        user: Optional[str] = ...,
        password: Optional[str] = ...,
        tls: Optional[Literal["explicit", "implicit"]] = ...,
        ca_pem: Optional[str] = ...,
        client_cert_pem: Optional[str] = ...,
        client_key_pem: Optional[str] = ...,
        timeout: Optional[float] = ...,
        transfer_timeout: Optional[float] = ...,
        passive_ports: Optional[tuple[int, int]] = ...,
        encoding: Optional[Literal["utf8", "latin1"]] = ...,
        trace: Optional[bool] = ...,
        rate_limit: Optional[RateLimit] = ...,
        stat_cache: Optional[float] = ...,
        keep_alive: Optional[float] = ...,
        proxy: Optional[str] = ...,
    ) -> None: ...
    @property
    def welcome(self) -> Reply: ...
    @property
    def closed(self) -> bool: ...
    def command(self, line: str) -> Reply: ...
    def void_command(self, line: str) -> Reply: ...
    def noop(self) -> Reply: ...
    def pwd(self) -> str: ...
    def cwd(self, path: str) -> Reply: ...
    def cdup(self) -> Reply: ...
    def mkdir(self, path: str) -> str: ...
    def mkdir_all(self, path: str) -> None: ...
    def rmdir(self, path: str) -> Reply: ...
    def remove_tree(self, path: str) -> None: ...
    def delete(self, path: str) -> Reply: ...
    def rename(self, source: str, target: str) -> Reply: ...
    def size(self, path: str) -> int: ...
    def modified(self, path: str) -> float: ...
    def set_modified(self, path: str, seconds: int) -> Reply: ...
    def nlst(self, path: Optional[str] = None) -> list[str]: ...
    def list(self, path: Optional[str] = None) -> list[Entry]: ...
    def listing(self, path: Optional[str] = None) -> Listing: ...
    def mlsd(self, path: Optional[str] = None, facts: list[str] = ...) -> list[Entry]: ...
    def stat(self, path: str) -> Entry: ...
    def features(self) -> list[tuple[str, str]]: ...
    def system(self) -> str: ...
    def status(self, path: Optional[str] = None) -> Reply: ...
    def help(self, topic: Optional[str] = None) -> Reply: ...
    def site(self, arguments: str) -> Reply: ...
    def hash(self, path: str, algorithm: Optional[str] = None) -> tuple[str, str]: ...
    def set_transfer_type(self, kind: Literal["binary", "ascii"]) -> Reply: ...
    def set_data_protection(self, private: bool) -> Reply: ...
    def set_trace(self, on: bool) -> None: ...
    def take_trace(self) -> list[str]: ...
    def open_read(self, path: str, offset: int = 0) -> Download: ...
    def open_write(self, path: str, append: bool = False, offset: int = 0) -> Upload: ...
    def quit(self) -> Reply: ...
    def close(self) -> None: ...

class Totals(TypedDict):
    files_done: int
    files_failed: int
    files_total: int
    bytes_done: int
    bytes_total: int

class Event(TypedDict, total=False):
    event: Literal["listed", "planned", "started", "moved", "retrying", "finished", "trace", "other"]
    path: str
    entries: int
    files: int
    bytes: int
    size: Optional[int]
    offset: int
    attempt: int
    error: str
    kind: str
    wait: float
    lines: list[str]

Progress = Callable[[Event, Totals], object]

class FileDone(TypedDict):
    size: int
    resumed_from: int
    already_complete: bool
    size_checked: bool

class Action(TypedDict, total=False):
    action: Literal["mkdir", "copy", "delete", "conflict"]
    path: str
    size: Optional[int]
    why: Literal["missing", "size-differs", "newer"]
    dir: bool
    outcome: Literal["done", "left-alone", "not-started", "failed"]
    error: str
    kind: str

class Plan(TypedDict):
    actions: list[Action]
    skipped: list[tuple[str, str]]
    up_to_date: int

class Report(Plan):
    outcomes: list[Action]
    copied: int
    bytes: int
    dirs_made: int
    deleted: int
    failed: int

class Pool:
    def __init__(
        self,
        url: str,
        size: int = 4,
        *,
        user: Optional[str] = ...,
        password: Optional[str] = ...,
        tls: Optional[Literal["explicit", "implicit"]] = ...,
        ca_pem: Optional[str] = ...,
        client_cert_pem: Optional[str] = ...,
        client_key_pem: Optional[str] = ...,
        timeout: Optional[float] = ...,
        transfer_timeout: Optional[float] = ...,
        passive_ports: Optional[tuple[int, int]] = ...,
        encoding: Optional[Literal["utf8", "latin1"]] = ...,
        trace: Optional[bool] = ...,
        rate_limit: Optional[RateLimit] = ...,
        stat_cache: Optional[float] = ...,
        keep_alive: Optional[float] = ...,
        proxy: Optional[str] = ...,
    ) -> None: ...
    @property
    def open(self) -> int: ...
    def download(
        self,
        remote: str,
        local: Union[str, "PathLike[str]"],
        *,
        resume: bool = False,
        ascii: bool = False,
        progress: Optional[Progress] = None,
        cancel: Optional[Cancel] = None,
        retries: int = 0,
    ) -> FileDone: ...
    def download_segmented(
        self,
        remote: str,
        local: Union[str, "PathLike[str]"],
        segments: int,
        *,
        progress: Optional[Progress] = None,
        cancel: Optional[Cancel] = None,
        retries: int = 0,
    ) -> FileDone: ...
    def upload(
        self,
        local: Union[str, "PathLike[str]"],
        remote: str,
        *,
        start: Union[Literal["whole", "resume"], int, None] = None,
        ascii: bool = False,
        progress: Optional[Progress] = None,
        cancel: Optional[Cancel] = None,
        retries: int = 0,
    ) -> FileDone: ...
    @overload
    def mirror(
        self,
        direction: Literal["down", "up"],
        remote: str,
        local: Union[str, "PathLike[str]"],
        *,
        delete: bool = False,
        only_missing: bool = False,
        only_newer: bool = False,
        include: list[str] = ...,
        exclude: list[str] = ...,
        verify: bool = False,
        journal: Union[str, "PathLike[str]", None] = None,
        dry_run: Literal[False] = False,
        progress: Optional[Progress] = None,
        cancel: Optional[Cancel] = None,
        retries: int = 0,
        infer_time_zone: bool = True,
    ) -> Report: ...
    @overload
    def mirror(
        self,
        direction: Literal["down", "up"],
        remote: str,
        local: Union[str, "PathLike[str]"],
        *,
        delete: bool = False,
        only_missing: bool = False,
        only_newer: bool = False,
        include: list[str] = ...,
        exclude: list[str] = ...,
        verify: bool = False,
        journal: Union[str, "PathLike[str]", None] = None,
        dry_run: Literal[True],
        progress: Optional[Progress] = None,
        cancel: Optional[Cancel] = None,
        retries: int = 0,
        infer_time_zone: bool = True,
    ) -> Plan: ...
    def close(self) -> None: ...


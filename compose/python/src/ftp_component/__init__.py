"""The ftp-client component from Python, through wasmtime-py's component API.

The package carries the component (`ftp_client.wasm`, the self-contained
build); `Client()` loads it, `Client(path)` another build.

wasmtime-py has no high-level network switch: `WasiConfig` offers no way to
grant sockets, so this uses the low-level `wasi_config_inherit_network`
binding, which grants *every* address (no per-server allow-list as in the
Rust host), and works only with wasmtime-py 47 or older (see
requirements.txt).
"""

from importlib import resources

from wasmtime import Engine, Store, WasiConfig
from wasmtime import _bindings as ffi
from wasmtime.component import Component, Linker, Record, Variant

CLIENT = "wftp:client/client@0.1.0"
ERROR_TAGS = {
    "transient", "permanent", "unexpected", "protocol", "io",
    "access-denied", "tls", "timeout", "invalid-input", "closed",
}


class FtpError(Exception):
    """The component's typed error: `kind` is the WIT variant case."""

    def __init__(self, variant):
        self.kind = variant.tag
        self.detail = variant.payload
        super().__init__(f"{self.kind}: {describe(self.detail)}")


def describe(value):
    if isinstance(value, Record):
        return " ".join(f"{k}={v!r}" for k, v in vars(value).items())
    return repr(value)


def record(**fields):
    r = Record()
    for name, value in fields.items():
        setattr(r, name.replace("_", "-"), value)
    return r


class Client:
    """The component, compiled once; each `connect` gets its own store."""

    def __init__(self, path=None):
        self.engine = Engine()
        if path is None:
            path = resources.files(__name__) / "ftp_client.wasm"
        self.component = Component.from_file(self.engine, str(path))
        self.linker = Linker(self.engine)
        self.linker.add_wasip2()

    def connect(self, host, port, user=None, password=None, timeout_ms=10_000):
        store = Store(self.engine)
        wasi = WasiConfig()
        ffi.wasi_config_inherit_network(wasi.ptr())
        store.set_wasi(wasi)
        instance = self.linker.instantiate(store, self.component)
        session = Session(store, instance)
        options = record(
            connect_timeout_ms=timeout_ms, reply_timeout_ms=timeout_ms, data_timeout_ms=timeout_ms,
            transfer_timeout_ms=None, low_speed=None, trust_pasv_host=False, max_line_length=None, tls=None,
            encoding=None, source_address=None, keep_alive_ms=None, proxy=None,
        )
        session.handle = session.call("[static]session.connect", host, port, options, this=False)
        session.call("[method]session.login", user, password, None)
        return session


class Session:
    def __init__(self, store, instance):
        self.store = store
        self.instance = instance
        self.client = instance.get_export_index(store, CLIENT)
        self.handle = None

    def call(self, name, *args, this=True):
        """Calls `name` on the session (or `args[0]`, for other resources)."""
        index = self.instance.get_export_index(self.store, name, self.client)
        func = self.instance.get_func(self.store, index)
        params = (self.handle, *args) if this else args
        result = func(self.store, *params)
        func.post_return(self.store)
        # Every call's error is the `error` variant; no success value is one.
        if isinstance(result, Variant) and result.tag in ERROR_TAGS:
            raise FtpError(result)
        return result

    def upload(self, path, data, chunk=1 << 16):
        store = self.call("[method]session.store", path, "replace")
        for at in range(0, len(data), chunk):
            self.call("[method]store.write", store, data[at:at + chunk], this=False)
        reply = self.call("[method]store.finish", store, this=False)
        store.drop(self.store)
        return reply

    def download(self, path, chunk=1 << 20):
        retrieve = self.call("[method]session.retrieve", path, 0)
        parts = []
        while (part := self.call("[method]retrieve.read", retrieve, chunk, this=False)) is not None:
            parts.append(part)
        reply = self.call("[method]retrieve.finish", retrieve, this=False)
        retrieve.drop(self.store)
        return b"".join(parts), reply

    def close(self):
        self.handle.drop(self.store)

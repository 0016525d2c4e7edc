"""Puts the component into the package before setuptools builds the wheel:
from `FTP_CLIENT_WASM` if set, else built from this repository's sources
(the self-contained build, which hosts without `wasi:tls` need)."""

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
PACKAGED = HERE / "src" / "ftp_component" / "ftp_client.wasm"


def component():
    given = os.environ.get("FTP_CLIENT_WASM")
    if given:
        return Path(given)
    root = HERE.parent.parent
    subprocess.run(
        ["cargo", "build", "--quiet", "--target", "wasm32-wasip2", "--profile", "guest",
         "--target-dir", "target/guest", "-p", "ftp-client"],
        cwd=root, check=True,
    )
    return root / "target" / "guest" / "wasm32-wasip2" / "guest" / "ftp_client.wasm"


class BuildWithComponent(build_py):
    def run(self):
        if not PACKAGED.exists() or (HERE.parent.parent / "Cargo.toml").exists():
            shutil.copyfile(component(), PACKAGED)
        super().run()


setup(cmdclass={"build_py": BuildWithComponent})

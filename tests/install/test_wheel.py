"""A normal install works: build the wheel, install it into a fresh venv, run it from there.

The venv sees the running interpreter's site-packages (a .pth file naming
them, which works whether the tests run in a venv or not; an editable deskapp
there is not activated, as only a site folder's own .pth files run), so that
PySide6 and the other dependencies are not downloaded again; deskapp itself is
installed into the venv from the wheel, with pip checking its requirements, and
the test checks that the venv's copy (and its packaged `resources/` and `ui/`)
is what runs, not the source checkout.
"""

from __future__ import annotations

import configparser
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What a build needs from the checkout; nothing else is copied, so nothing else can be relied on.
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "deskapp", "resources", "ui")

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin")


def _run(argv: list[str | Path], *, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, input=stdin, capture_output=True, text=True,
        timeout=900, check=False,
    )  # fmt: skip


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    output = f"{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, f"{result.args} exited {result.returncode}:\n{output}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("wheel-install")
    src = base / "src"
    src.mkdir()
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    out = base / "wheels"
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, src], cwd=base))
    (wheel,) = out.glob("deskapp-*.whl")
    venv = base / "venv"
    _ok(_run([sys.executable, "-m", "venv", venv], cwd=base))
    done = Installed(wheel, venv)
    python = done.bin / ("python.exe" if os.name == "nt" else "python")
    venv_site = Path(
        _ok(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=base)).strip()
    )
    ours = dict.fromkeys(
        [*site.getsitepackages(), sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]
    )
    (venv_site / "outer-site-packages.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    _ok(_run([python, "-m", "pip", "install", "-q", wheel], cwd=base))
    yield done


def test_the_wheel_has_the_packages_one_version(installed: Installed) -> None:
    import deskapp

    # pyproject's version is dynamic: read from deskapp.__version__, written nowhere else.
    assert installed.wheel.name == f"deskapp-{deskapp.__version__}-py3-none-any.whl"


def test_the_wheel_carries_every_resource_and_form(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    for folder in ("resources", "ui"):
        shipped = {
            p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }  # fmt: skip
        assert shipped, folder
        missing = {f for f in shipped if f"deskapp/_data/{f}" not in names}
        assert not missing, f"the wheel lacks {sorted(missing)}"


def test_the_wheel_declares_a_console_command_and_a_windowed_app(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
        text = wheel.read(entry_points).decode("utf-8")
    parser = configparser.ConfigParser()
    parser.read_string(text)
    assert dict(parser["console_scripts"]) == {"deskapp": "deskapp.__main__:main"}
    # pip makes a gui script a windowed launcher on Windows: the app opens no console.
    assert dict(parser["gui_scripts"]) == {"deskappw": "deskapp.__main__:main"}
    suffix = ".exe" if os.name == "nt" else ""
    assert (installed.bin / f"deskapp{suffix}").is_file() and (installed.bin / f"deskappw{suffix}").is_file()
    out = _ok(_run([installed.bin / "deskappw", "--version"], cwd=installed.venv))
    assert out.startswith("deskapp ")


def test_self_test_passes_from_the_installed_wheel(installed: Installed, tmp_path: Path) -> None:
    out = _ok(_run([installed.bin / "deskapp", "--self-test"], cwd=tmp_path))
    assert "self-test passed" in out
    # The forms and resources came from the venv's package, not from this checkout.
    files_line = next(line for line in out.splitlines() if line.startswith("ok    files:"))
    assert str(installed.venv.resolve()) in files_line, files_line
    assert str(ROOT) not in files_line


def test_sla_due_answers_from_the_installed_wheel(installed: Installed, tmp_path: Path) -> None:
    deskapp = installed.bin / "deskapp"
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    _ok(_run([deskapp, "--db", url, "init"], cwd=tmp_path))
    version = _ok(_run([deskapp, "--db", url, "--version"], cwd=tmp_path))
    assert "desk.sqlite3" in version
    out = _ok(_run(
        [deskapp, "--db", url, "sla", "due", "--priority", "P2", "2026-03-13T17:00:00Z", "-"],
        cwd=tmp_path, stdin="2026-12-24T17:00:00Z\n",
    ))  # fmt: skip
    # P2 logged Friday 17:00 is due Monday 11:00; Christmas Eve 17:00 runs past
    # Christmas, Boxing Day and the weekend to Tuesday 29 December 11:00.
    assert out.split() == ["2026-03-16T11:00:00Z", "2026-12-29T11:00:00Z"]
    location = _ok(_run(
        [installed.bin / ("python.exe" if os.name == "nt" else "python"), "-c",
         "import deskapp, deskapp.resources as r; print(deskapp.__file__); print(r.default_policy_path())"],
        cwd=tmp_path,
    ))  # fmt: skip
    module, policy = location.split()
    assert Path(module).resolve().is_relative_to(installed.venv.resolve())
    assert Path(policy).is_file() and Path(policy).resolve().is_relative_to(installed.venv.resolve())

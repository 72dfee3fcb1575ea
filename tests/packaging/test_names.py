"""The installer script, the PyInstaller spec and the resource accessor agree."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from deskapp import resources

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import names  # noqa: E402


def iss_defines() -> dict[str, str]:
    text = (ROOT / "packaging" / "deskapp.iss").read_text(encoding="utf-8")
    return dict(re.findall(r'^#define (\w+) "([^"]*)"', text, flags=re.MULTILINE))


def test_installer_uses_the_bundle_names() -> None:
    defines = iss_defines()
    assert defines["AppName"] == names.APP_NAME
    assert defines["ExeName"] == names.EXE_NAME + ".exe"
    assert defines["BundleDir"].replace("\\", "/") == "../" + names.DIST_DIR
    text = (ROOT / "packaging" / "deskapp.iss").read_text(encoding="utf-8")
    icon = re.search(r"^SetupIconFile=(.+)$", text, flags=re.MULTILINE)
    assert icon is not None
    assert icon.group(1).replace("\\", "/") == "../" + names.ICON
    assert "PrivilegesRequired=admin" in text, "installs per machine"
    assert "{uninstallexe}" in text and "{group}" in text


def test_spec_reads_the_same_names() -> None:
    spec = (ROOT / "packaging" / "deskapp.spec").read_text(encoding="utf-8")
    assert "from names import" in spec
    for name in ("APP_NAME", "DATA_DIRS", "EXCLUDED_MODULES", "EXE_NAME", "ICON"):
        assert name in spec


def test_named_files_exist() -> None:
    assert (ROOT / names.ICON).is_file()
    for folder in names.DATA_DIRS:
        assert (ROOT / folder).is_dir()
    assert resources.default_policy_path().is_file()


def test_resource_accessor_finds_a_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "resources" / "policy").mkdir(parents=True)
    (tmp_path / "ui").mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resource_path("policy", "x.toml") == tmp_path / "resources" / "policy" / "x.toml"
    assert resources.ui_path("queue.ui") == tmp_path / "ui" / "queue.ui"

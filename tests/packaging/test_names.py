"""The installer script, the PyInstaller spec and the resource accessor agree."""

from __future__ import annotations

import ast
import importlib.resources
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
    assert defines["GuiExeName"] == names.GUI_EXE_NAME + ".exe"
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
    for name in ("APP_NAME", "DATA_DIRS", "EXCLUDED_MODULES", "EXE_NAME", "GUI_EXE_NAME", "ICON"):
        assert name in spec


def _calls(tree: ast.AST, func: str) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == func]


def test_spec_builds_a_windowed_and_a_console_executable_into_one_folder() -> None:
    tree = ast.parse((ROOT / "packaging" / "deskapp.spec").read_text(encoding="utf-8"))
    # _exe(name, console=...) makes each EXE; COLLECT gathers both with the shared libraries.
    made = {ast.unparse(c.args[0]): ast.literal_eval(c.keywords[0].value) for c in _calls(tree, "_exe")}
    assert made == {"GUI_EXE_NAME": False, "EXE_NAME": True}
    (exe,) = _calls(tree, "EXE")
    assert {k.arg: ast.unparse(k.value) for k in exe.keywords}["console"] == "console"
    (collect,) = _calls(tree, "COLLECT")
    assert [ast.unparse(a) for a in collect.args[:2]] == ["gui_exe", "cli_exe"]
    assert names.GUI_EXE_NAME != names.EXE_NAME


def test_installer_ships_both_executables_and_starts_the_windowed_one() -> None:
    text = (ROOT / "packaging" / "deskapp.iss").read_text(encoding="utf-8")
    files = re.findall(r'^Source: "\{#BundleDir\}\\\{#(\w+)\}"', text, flags=re.MULTILINE)
    assert files == ["GuiExeName", "ExeName"]
    assert re.search(r'^Name: "\{group\}\\\{#AppName\}"; Filename: "\{app\}\\\{#GuiExeName\}"$', text, re.M)
    assert re.search(r'^Filename: "\{app\}\\\{#GuiExeName\}"; Description: "Start', text, re.M)
    assert 'ValueName: "Path"' in text and "Tasks: addtopath" in text, "the command line can go on PATH"


def test_named_files_exist() -> None:
    assert (ROOT / names.ICON).is_file()
    for folder in names.DATA_DIRS:
        assert (ROOT / folder).is_dir()
    assert resources.default_policy_path().is_file()


def test_bundle_wheel_and_accessor_put_the_data_in_one_place() -> None:
    spec = (ROOT / "packaging" / "deskapp.spec").read_text(encoding="utf-8")
    assert "PACKAGED_DATA" in spec
    assert f"deskapp/{resources.PACKAGED_DIR}" == names.PACKAGED_DATA
    assert names.DATA_DIRS == resources.DATA_DIRS
    setup_py = {
        node.targets[0].id: ast.unparse(node.value)
        for node in ast.parse((ROOT / "setup.py").read_text(encoding="utf-8")).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert ast.literal_eval(setup_py["DATA_DIRS"]) == resources.DATA_DIRS
    assert setup_py["PACKAGED_DIR"] == f"Path('deskapp') / '{resources.PACKAGED_DIR}'"
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8").split("\n")
    assert all(f"graft {d}" in manifest for d in names.DATA_DIRS), "the sdist carries both folders"


def test_a_source_checkout_reads_the_top_level_folders() -> None:
    assert resources.packaged_root() is None
    assert resources.app_root() == ROOT
    assert resources.ui_path("queue_view.ui") == ROOT / "ui" / "queue_view.ui"


def test_the_packaged_copy_is_read_through_importlib_resources(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    package = tmp_path / "deskapp"
    (package / "_data" / "resources" / "policy").mkdir(parents=True)
    (package / "_data" / "ui").mkdir()
    real_files = importlib.resources.files
    monkeypatch.setattr(
        importlib.resources, "files", lambda name: package if name == "deskapp" else real_files(name)
    )
    assert resources.app_root() == package / "_data"
    policy = package / "_data" / "resources" / "policy" / "default-policy.toml"
    assert resources.default_policy_path() == policy
    assert resources.ui_path("queue.ui") == package / "_data" / "ui" / "queue.ui"


def test_missing_data_names_both_places(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real_files = importlib.resources.files
    monkeypatch.setattr(
        importlib.resources, "files", lambda name: tmp_path if name == "deskapp" else real_files(name)
    )
    monkeypatch.setattr(resources, "checkout_root", lambda: tmp_path / "nowhere")
    with pytest.raises(resources.ResourceError) as err:
        resources.resource_path("icons", "deskapp.svg")
    assert str(tmp_path / "_data") in str(err.value) and str(tmp_path / "nowhere") in str(err.value)

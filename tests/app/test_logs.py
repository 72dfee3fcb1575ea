from __future__ import annotations

import logging
from pathlib import Path

import pytest

from deskapp import logs


def test_unexpected_errors_land_in_the_rotating_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DESKAPP_LOG_DIR", str(tmp_path / "logs"))
    for handler in list(logs.log.handlers):
        logs.log.removeHandler(handler)
    path = logs.setup_logging(logging.INFO)
    assert path == tmp_path / "logs" / "deskapp.log"
    assert logs.setup_logging() == path, "a second call adds no second handler"
    try:
        raise RuntimeError("database went away")
    except RuntimeError as exc:
        summary = logs.log_unexpected(type(exc), exc, exc.__traceback__)
    for handler in logs.log.handlers:
        handler.flush()
    assert summary == "RuntimeError: database went away"
    text = path.read_text(encoding="utf-8")
    assert "database went away" in text and "Traceback" in text
    for handler in list(logs.log.handlers):
        handler.close()
        logs.log.removeHandler(handler)

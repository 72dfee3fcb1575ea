"""First run: where the tickets live (local file, the desk's PostgreSQL, or training).

Shown when nothing names a database yet (no --db, no DESKAPP_DB, no saved
setting, no local file). A server is tested before it is saved, and its
password goes to the OS keyring, never to the settings file. On a local file the
first administrator is asked for next, by the sign-in step, on an empty database;
a live PostgreSQL desk gets its first administrator from the owner's
`deskapp --db OWNER_URL init --first-admin LOGIN --name NAME` (a login role, no
password hash in a table), and the app says so rather than make one.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

import peewee as pw
from PySide6.QtCore import QObject, QRunnable, QSettings, QThreadPool, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
)

from deskapp.gui import settings as conf
from deskapp.gui.forms import child, load_form
from deskapp.gui.workers import start
from deskapp.services.directory import FIRST_ADMIN_COMMAND
from deskapp.store.connection import (
    CONNECT_TIMEOUT_S,
    ENV_DB,
    DatabaseUrlError,
    database_from_url,
    default_sqlite_path,
    limit_statements,
)
from deskapp.store.migrations import SchemaError, schema_version
from deskapp.store.models import Meta


def needs_first_run(settings: QSettings, db_option: str | None) -> bool:
    if db_option or os.environ.get(ENV_DB) or str(conf.read(settings, conf.DATABASE_URL)).strip():
        return False
    return not default_sqlite_path().exists()


def test_connection(url: str, timeout_s: int = CONNECT_TIMEOUT_S) -> str:
    """A sentence saying whether the server answered and what it holds; raises on failure,
    also when the server takes more than `timeout_s` to connect or to answer."""
    db = database_from_url(url)
    db.connect_params["connect_timeout"] = timeout_s
    limit_statements(db, timeout_s * 1000)
    try:
        db.connect()
        # Read the meta table through a throw-away binding, then give the models back.
        with db.bind_ctx([Meta]):
            version = schema_version(db)
    except (pw.OperationalError, pw.InterfaceError) as exc:
        raise DatabaseUrlError(f"cannot connect: {str(exc).strip() or type(exc).__name__}") from None
    except SchemaError as exc:
        raise DatabaseUrlError(str(exc)) from None
    finally:
        db.close()
    if version is None:
        # The app makes no first administrator on a server (see FirstAdminDialog): the owner's init does.
        return (
            "Connected. The database is empty: the desk's owner creates the desk and its first "
            f"administrator with `{FIRST_ADMIN_COMMAND}`; then each person signs in as themselves."
        )
    return f"Connected. The database holds the desk's tickets (schema v{version})."


class _TestSignals(QObject):
    done = Signal(object)  # (generation, True and the sentence, or False and why not)


class _Test(QRunnable):
    """`test_connection` off the GUI thread: a server that never answers leaves the dialog
    responsive, and says so once `timeout_s` is over."""

    def __init__(self, generation: int, url: str, timeout_s: int, signals: _TestSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._args = (generation, url, timeout_s)
        self._signals = signals

    def run(self) -> None:
        generation, url, timeout_s = self._args
        try:
            self._signals.done.emit((generation, True, test_connection(url, timeout_s)))
        except DatabaseUrlError as exc:
            self._signals.done.emit((generation, False, str(exc)))
        except Exception as exc:  # the thread must answer, whatever the driver raised
            self._signals.done.emit((generation, False, f"{type(exc).__name__}: {exc}"))


class FirstRunDialog(QDialog):
    def __init__(self, settings: QSettings, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("deskapp: first run")
        self.setMinimumWidth(580)  # the test result reads on one or two lines
        self._settings = settings
        self.url: str | None = None
        self.training = False
        self.timeout_s = CONNECT_TIMEOUT_S
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._generation = 0
        self._save_when_tested = False
        self._test_signals = _TestSignals(self)
        self._test_signals.done.connect(self._tested)
        form = load_form("first_run_dialog.ui", self)
        self.local_radio = child(form, QRadioButton, "localRadio")
        self.server_radio = child(form, QRadioButton, "serverRadio")
        self.training_radio = child(form, QRadioButton, "trainingRadio")
        self.server_group = child(form, QGroupBox, "serverGroup")
        self.host_edit = child(form, QLineEdit, "hostEdit")
        self.port_spin = child(form, QSpinBox, "portSpin")
        self.database_edit = child(form, QLineEdit, "databaseEdit")
        self.user_edit = child(form, QLineEdit, "userEdit")
        self.password_edit = child(form, QLineEdit, "passwordEdit")
        self.test_button = child(form, QPushButton, "testButton")
        self.test_result_label = child(form, QLabel, "testResultLabel")
        self.error_label = child(form, QLabel, "errorLabel")
        self.error_label.setProperty("role", "error")
        buttons = child(form, QDialogButtonBox, "buttonBox")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.test_button.clicked.connect(self.run_test)
        for radio in (self.local_radio, self.server_radio, self.training_radio):
            radio.toggled.connect(self._choice_changed)
        self._choice_changed()

    def _choice_changed(self) -> None:
        self.server_group.setEnabled(self.server_radio.isChecked())
        self.error_label.clear()

    def server_url(self) -> str:
        user = quote(self.user_edit.text().strip(), safe="")
        password = self.password_edit.text()
        auth = f"{user}:{quote(password, safe='')}" if password else user
        host = self.host_edit.text().strip()
        name = quote(self.database_edit.text().strip(), safe="")
        return f"postgresql://{auth}@{host}:{self.port_spin.value()}/{name}"

    def run_test(self) -> bool:
        """Start testing the server (on a worker); False if a field is missing."""
        fields = (
            ("the host", self.host_edit),
            ("the database", self.database_edit),
            ("the user", self.user_edit),
        )
        missing = [label for label, edit in fields if not edit.text().strip()]
        if missing:
            self.test_result_label.setText("Fill in " + ", ".join(missing) + ".")
            self._save_when_tested = False
            return False
        self._generation += 1
        self.test_result_label.setText(
            f"Testing {self.host_edit.text().strip()}:{self.port_spin.value()}… "
            f"(at most {self.timeout_s} seconds)"
        )
        start(self.pool, _Test(self._generation, self.server_url(), self.timeout_s, self._test_signals))
        return True

    def _tested(self, result: tuple[int, bool, str]) -> None:
        generation, ok, text = result
        if generation != self._generation:
            return  # the fields changed and were tested again meanwhile
        self.test_result_label.setText(text if ok else f"Not connected: {text}")
        save, self._save_when_tested = self._save_when_tested, False
        if not save:
            return
        if not ok:
            self.error_label.setText("The server must answer before it is saved; check the fields above.")
            return
        try:
            conf.store_database_url(self._settings, self.server_url())  # the password goes to the keyring
        except Exception as exc:  # keyring backends raise their own error types
            self.error_label.setText(f"The password could not be kept in the system keyring: {exc}")
            return
        self.url = self.server_url()
        super().accept()

    def accept(self) -> None:
        if self.server_radio.isChecked():
            # Saved once the server answered (`_tested`): tested off the GUI thread.
            self._save_when_tested = True
            if not self.run_test():
                self.error_label.setText("The server must answer before it is saved; check the fields above.")
            return
        if self.training_radio.isChecked():
            url = f"sqlite:///{default_sqlite_path().with_name('training.sqlite3')}"
            self.training = True
            conf.write(self._settings, conf.DATABASE_URL, url)
        else:
            url = f"sqlite:///{default_sqlite_path()}"
            conf.write(self._settings, conf.DATABASE_URL, url)
        self.url = url
        super().accept()

    def done(self, result: int) -> None:
        self._generation += 1  # a test still on its way is not waited for, and is ignored
        super().done(result)

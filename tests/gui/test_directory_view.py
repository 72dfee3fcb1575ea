"""The directory page: administrators add staff and resellers, stop and restore sign-ins,
set passwords; errors in words with what was typed kept; nobody else gets the page."""

from __future__ import annotations

import peewee
import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from deskapp.gui.directory_view import DirectoryView
from tests.gui.conftest import check_model
from tests.gui.seed import PASSWORD, desk_for, seed


@pytest.fixture
def view(qtbot: QtBot, desk_db: peewee.Database, clock: FixedClock) -> DirectoryView:
    seed(desk_db, clock)
    page = DirectoryView(desk_for(desk_db, clock, "alice"))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.reload()
    return page


def _logins(view: DirectoryView) -> list[str]:
    return [view.staff_model.member(r).login for r in range(view.staff_model.rowCount())]


def test_lists_and_models(qtmodeltester: object, view: DirectoryView) -> None:
    assert _logins(view) == ["alice", "lee", "tess", "tom"]  # by name
    assert view.reseller_model.names() == ["Acme Cloud Ltd", "Shamrock IT"]
    assert view.staff_model.index(0, 3).data() == "allowed"
    assert view.reseller_model.index(1, 1).data() == "IE"
    check_model(qtmodeltester, view.staff_model)  # type: ignore[arg-type]
    check_model(qtmodeltester, view.reseller_model)  # type: ignore[arg-type]


def test_adding_a_staff_member(view: DirectoryView, desk_db: peewee.Database) -> None:
    view.login_edit.setText("Ben")
    view.name_edit.setText("Ben Tier-One")
    view.password_edit.setText("short")
    assert not view.add_staff()
    assert "at least 8 characters" in view.staff_message.text()
    assert view.login_edit.text() == "Ben" and view.name_edit.text() == "Ben Tier-One"  # kept
    view.password_edit.setText("a good password")
    assert view.add_staff()
    assert "ben" in _logins(view) and view.selected_login() == "ben"
    assert view.login_edit.text() == ""
    assert services.authenticate(desk_db, "ben", "a good password").role == "tier1"
    view.login_edit.setText("ben")
    view.name_edit.setText("Another Ben")
    view.password_edit.setText("a good password")
    assert not view.add_staff()
    assert "taken" in view.staff_message.text()


def test_stopping_and_restoring_a_sign_in(view: DirectoryView, desk_db: peewee.Database) -> None:
    view.select_login("tom")
    assert view.toggle_active_button.text() == "&Stop sign-in"
    assert view.toggle_active()
    assert view.staff_model.index(view.staff_model.row_of("tom") or 0, 3).data() == "stopped"
    with pytest.raises(services.AuthenticationFailed):
        services.authenticate(desk_db, "tom", PASSWORD)
    assert view.toggle_active_button.text() == "Re&store sign-in"
    assert view.toggle_active()
    assert services.authenticate(desk_db, "tom", PASSWORD).login == "tom"
    view.select_login("alice")
    assert not view.toggle_active()
    assert "your own sign-in" in view.staff_message.text()


def test_setting_a_password(view: DirectoryView, desk_db: peewee.Database) -> None:
    view.select_login("tess")
    view.new_password_edit.setText("1234")
    assert not view.set_password()
    assert view.new_password_edit.text() == "1234"
    view.new_password_edit.setText("tess's new secret")
    assert view.set_password()
    assert view.new_password_edit.text() == ""
    assert services.authenticate(desk_db, "tess", "tess's new secret").login == "tess"
    with pytest.raises(services.AuthenticationFailed):
        services.authenticate(desk_db, "tess", PASSWORD)


def test_adding_a_reseller_lets_a_ticket_be_logged_for_it(
    view: DirectoryView, desk_db: peewee.Database, clock: FixedClock
) -> None:
    view.reseller_name_edit.setText("Acme Cloud Ltd")
    assert not view.add_reseller()
    assert "exists already" in view.reseller_message.text()
    assert view.reseller_name_edit.text() == "Acme Cloud Ltd"
    view.reseller_name_edit.setText("Liffey Systems")
    view.country_combo.setCurrentIndex(view.country_combo.findData("IE"))
    view.reseller_email_edit.setText("desk@liffey.example")
    assert view.add_reseller()
    assert "Liffey Systems" in view.reseller_model.names()
    ticket = services.log_ticket(
        desk_db, clock, "tom", reseller="Liffey Systems", contact="Ann", tenant="liffey",
        impact="some", channel="email", summary="Mail not syncing", email="ann@liffey.example",
        end_users="one", description="since this morning",
    )  # fmt: skip
    assert ticket.number


@pytest.mark.parametrize(("login", "has_page"), [("alice", True), ("lee", False), ("tom", False)])
def test_only_administrators_get_the_page(
    qtbot: QtBot, desk_db: peewee.Database, clock: FixedClock, login: str, has_page: bool
) -> None:
    seed(desk_db, clock)
    app = DeskApp(desk_db, clock, QSettings())
    try:
        window = app.start(desk_for(desk_db, clock, login).session, start_timers=False)
        qtbot.addWidget(window)
        assert isinstance(app.directory_view, DirectoryView) is has_page
        names = [a.objectName() for a in window.view_menu.actions()]
        assert ("showDirectoryAction" in names) is has_page
        if has_page:
            window.work_tabs.setCurrentWidget(app.directory_view)
            assert app.directory_view.staff_model.rowCount() == 4  # reloaded when shown
    finally:
        app.stop()
        if app.window is not None:
            app.window.close()


def test_a_members_name_and_role_are_changed_from_the_page(
    view: DirectoryView, desk_db: peewee.Database
) -> None:
    from deskapp.services.directory import staff_list

    view.select_login("tom")
    assert view.edit_staff_group.isEnabled() and view.edit_name_edit.text() == "Tom Tier-One"
    view.edit_name_edit.setText("Tom Tierney")
    view.edit_role_combo.setCurrentIndex(view.edit_role_combo.findData("tier2"))
    assert view.save_staff()
    tom = next(s for s in staff_list(desk_db) if s.login == "tom")
    assert (tom.name, tom.role.value) == ("Tom Tierney", "tier2")
    assert view.staff_message.text() == "tom saved: Tom Tierney, Tier 2 engineer"
    view.select_login("alice")
    view.edit_role_combo.setCurrentIndex(view.edit_role_combo.findData("lead"))
    assert not view.save_staff()
    assert "you cannot change your own role" in view.staff_message.text()


def test_a_reseller_is_corrected_and_retired_from_the_page(
    view: DirectoryView, desk_db: peewee.Database
) -> None:
    from deskapp.services.directory import reseller_list

    view.select_reseller("Shamrock IT")
    assert view.edit_reseller_group.isEnabled() and view.edit_reseller_name_edit.text() == "Shamrock IT"
    view.edit_reseller_name_edit.setText("Shamrock Cloud")
    view.edit_reseller_email_edit.setText("desk@shamrock.example")
    assert view.save_reseller()
    assert view.selected_reseller() == "Shamrock Cloud"
    assert view.toggle_reseller_button.text() == "Re&tire reseller"
    assert view.toggle_reseller()
    assert "retired" in view.reseller_message.text()
    row = next(r for r in reseller_list(desk_db) if r.name == "Shamrock Cloud")
    assert (row.email, row.active) == ("desk@shamrock.example", False)
    assert view.reseller_model.index(view.reseller_model.row_of("Shamrock Cloud") or 0, 4).data() == "retired"
    assert view.toggle_reseller_button.text() == "Res&tore reseller"
    view.edit_reseller_email_edit.setText("not an address")
    assert not view.save_reseller()
    assert "is not an email address" in view.reseller_message.text()
    assert view.edit_reseller_email_edit.text() == "not an address"  # what was typed is kept

"""The administrator's directory: lists, stopping and restoring a sign-in, passwords.

On both databases (the `desk` fixture: ada admin with a password, lee lead, tina and
tom Tier 1, tess Tier 2, the last four without a password; two resellers).
"""

from __future__ import annotations

import pytest

from deskapp import services as sv
from deskapp.domain.lifecycle import Role
from deskapp.services.directory import (
    MIN_PASSWORD,
    ResellerRow,
    StaffRow,
    assignable_staff,
    reseller_list,
    set_password,
    set_staff_active,
    staff_list,
)
from deskapp.store.models import Staff
from tests.desk_setup import Desk

TINA_PW = "tina-old-secret"


def logins(db: object, tier: int = 1) -> list[str]:
    return [e.login for e in assignable_staff(db, tier)]  # type: ignore[arg-type]


def test_staff_list_by_name_with_roles_and_passwords(desk: Desk) -> None:
    rows = staff_list(desk.db)
    assert rows == [
        StaffRow("ada", "Ada Admin", Role.ADMIN, True, True),
        StaffRow("lee", "Lee Lead", Role.LEAD, True, False),
        StaffRow("tess", "Tess Tier2", Role.TIER2, True, False),
        StaffRow("tina", "Tina Tier1", Role.TIER1, True, False),
        StaffRow("tom", "Tom Tier1", Role.TIER1, True, False),
    ]


def test_staff_list_orders_by_name_not_login_and_shows_the_inactive(desk: Desk) -> None:
    sv.add_staff(desk.db, desk.clock, "ada", "zed", name="Aaron Zed", role="tier2")
    set_staff_active(desk.db, desk.clock, "ada", "tom", active=False)
    rows = staff_list(desk.db)
    assert [r.login for r in rows] == ["zed", "ada", "lee", "tess", "tina", "tom"]
    assert [r.name for r in rows] == sorted(r.name for r in rows)
    by_login = {r.login: r for r in rows}
    assert by_login["tom"].active is False
    assert all(r.active for r in rows if r.login != "tom")


def test_reseller_list_by_name(desk: Desk) -> None:
    sv.add_reseller(desk.db, desk.clock, "ada", "Belfast Hosting", country="GB")
    assert reseller_list(desk.db) == [
        ResellerRow("Acme Networks", "GB", "desk@acme.example", None),
        ResellerRow("Belfast Hosting", "GB", None, None),
        ResellerRow("Liffey Cloud", "IE", None, "+353 1 555 0100"),
    ]


def test_empty_lists(db: object) -> None:
    assert staff_list(db) == []  # type: ignore[arg-type]
    assert reseller_list(db) == []  # type: ignore[arg-type]


def test_deactivated_member_cannot_sign_in_nor_be_assigned_until_reactivated(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    set_password(db, clock, "ada", "tina", TINA_PW)
    assert sv.authenticate(db, "tina", TINA_PW).login == "tina"
    assert "tina" in logins(db)

    stopped = set_staff_active(db, clock, "ada", "tina", active=False)
    assert stopped.login == "tina" and stopped.active is False
    assert Staff.get(Staff.login == "tina").active is False
    with pytest.raises(sv.AuthenticationFailed):
        sv.authenticate(db, "tina", TINA_PW)
    assert "tina" not in logins(db)
    assert "tom" in logins(db)  # only tina is stopped
    with pytest.raises(sv.NotFound, match="no active staff member"):
        desk.log(actor="tina")  # an inactive member cannot act either

    restored = set_staff_active(db, clock, "ada", "TINA ", active=True)  # login normalised
    assert restored.active is True
    assert sv.authenticate(db, "tina", TINA_PW).login == "tina"
    assert "tina" in logins(db)
    assert desk.log(actor="tina").number.startswith("INC-")


def test_deactivating_twice_and_activating_an_active_member_are_harmless(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    set_staff_active(db, clock, "ada", "tess", active=False)
    assert set_staff_active(db, clock, "ada", "tess", active=False).active is False
    assert set_staff_active(db, clock, "ada", "lee", active=True).active is True


@pytest.mark.parametrize("actor", ["lee", "tina", "tess"])
@pytest.mark.parametrize("active", [False, True])
def test_only_an_administrator_stops_or_restores_a_sign_in(desk: Desk, actor: str, active: bool) -> None:
    set_staff_active(desk.db, desk.clock, "ada", "tom", active=not active)
    with pytest.raises(sv.PermissionDenied, match="administrator"):
        set_staff_active(desk.db, desk.clock, actor, "tom", active=active)
    assert Staff.get(Staff.login == "tom").active is (not active)


def test_unknown_login_is_not_found(desk: Desk) -> None:
    with pytest.raises(sv.NotFound, match="nobody"):
        set_staff_active(desk.db, desk.clock, "ada", "nobody", active=False)
    with pytest.raises(sv.NotFound, match="nobody"):
        set_staff_active(desk.db, desk.clock, "ada", "nobody", active=True)
    with pytest.raises(sv.NotFound, match="nobody"):
        set_password(desk.db, desk.clock, "ada", "nobody", "long-enough-pw")


def test_an_administrator_cannot_stop_themselves_but_another_can(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    with pytest.raises(sv.PermissionDenied, match="your own"):
        set_staff_active(db, clock, "ada", "ada", active=False)
    assert Staff.get(Staff.login == "ada").active is True
    assert set_staff_active(db, clock, "ada", "ada", active=True).active is True  # harmless
    sv.add_staff(db, clock, "ada", "abe", name="Abe Admin", role="admin", password="pw-abe-pw")
    assert set_staff_active(db, clock, "abe", "ada", active=False).active is False
    with pytest.raises(sv.AuthenticationFailed):
        sv.authenticate(db, "ada", "pw-ada")
    # A stopped administrator can no longer act as one.
    with pytest.raises(sv.NotFound, match="no active staff member"):
        set_staff_active(db, clock, "ada", "abe", active=False)
    set_staff_active(db, clock, "abe", "ada", active=True)
    assert sv.authenticate(db, "ada", "pw-ada").login == "ada"


def test_a_password_set_by_an_administrator_replaces_the_old_one(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    set_password(db, clock, "ada", "tina", TINA_PW)
    assert sv.authenticate(db, "tina", TINA_PW).login == "tina"
    set_password(db, clock, "ada", "tina", "tina-new-secret")
    assert sv.authenticate(db, "tina", "tina-new-secret").login == "tina"
    with pytest.raises(sv.AuthenticationFailed, match="do not match"):
        sv.authenticate(db, "tina", TINA_PW)
    assert next(r for r in staff_list(db) if r.login == "tina").has_password is True


def test_an_administrator_sets_their_own_password(desk: Desk) -> None:
    set_password(desk.db, desk.clock, "ada", "ada", "ada-new-secret")
    assert sv.authenticate(desk.db, "ada", "ada-new-secret").login == "ada"
    with pytest.raises(sv.AuthenticationFailed):
        sv.authenticate(desk.db, "ada", "pw-ada")


def test_an_administrator_sets_an_inactive_members_password(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    set_staff_active(db, clock, "ada", "tom", active=False)
    set_password(db, clock, "ada", "tom", "tom-secret-1")
    with pytest.raises(sv.AuthenticationFailed):
        sv.authenticate(db, "tom", "tom-secret-1")  # still stopped
    set_staff_active(db, clock, "ada", "tom", active=True)
    assert sv.authenticate(db, "tom", "tom-secret-1").login == "tom"


def test_a_tier1_engineer_changes_their_own_password_but_not_anothers(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    set_password(db, clock, "ada", "tom", "tom-secret-1")
    set_password(db, clock, "tina", "tina", "tina-own-choice")
    assert sv.authenticate(db, "tina", "tina-own-choice").login == "tina"
    with pytest.raises(sv.PermissionDenied, match="Tier 1 engineer"):
        set_password(db, clock, "tina", "tom", "tina-knows-it")
    assert sv.authenticate(db, "tom", "tom-secret-1").login == "tom"
    with pytest.raises(sv.AuthenticationFailed):
        sv.authenticate(db, "tom", "tina-knows-it")
    with pytest.raises(sv.PermissionDenied):
        set_password(db, clock, "tina", "ada", "take-over-the-desk")
    assert sv.authenticate(db, "ada", "pw-ada").login == "ada"


@pytest.mark.parametrize("actor", ["lee", "tess"])
def test_leads_and_tier2_change_only_their_own_password(desk: Desk, actor: str) -> None:
    set_password(desk.db, desk.clock, actor, actor, f"{actor}-secret-pw")
    assert sv.authenticate(desk.db, actor, f"{actor}-secret-pw").login == actor
    with pytest.raises(sv.PermissionDenied):
        set_password(desk.db, desk.clock, actor, "tina", "not-yours-to-set")


@pytest.mark.parametrize("password", ["", "short", "x" * (MIN_PASSWORD - 1)])
def test_a_short_password_is_refused(desk: Desk, password: str) -> None:
    db, clock = desk.db, desk.clock
    set_password(db, clock, "ada", "tina", TINA_PW)
    with pytest.raises(sv.ValidationError, match=f"at least {MIN_PASSWORD} characters"):
        set_password(db, clock, "ada", "tina", password)
    with pytest.raises(sv.ValidationError, match=f"at least {MIN_PASSWORD} characters"):
        set_password(db, clock, "tina", "tina", password)
    assert sv.authenticate(db, "tina", TINA_PW).login == "tina"  # unchanged


def test_exactly_the_minimum_length_is_enough(desk: Desk) -> None:
    password = "p" * MIN_PASSWORD
    set_password(desk.db, desk.clock, "tina", "tina", password)
    assert sv.authenticate(desk.db, "tina", password).login == "tina"


def test_an_administrator_corrects_a_name_and_changes_a_role(desk: Desk) -> None:
    from deskapp.services.directory import edit_staff

    staff = edit_staff(desk.db, desk.clock, "ada", "tina", name="  Tina Tierney ")
    assert (staff.name, staff.role) == ("Tina Tierney", "tier1")
    assert edit_staff(desk.db, desk.clock, "ada", "tina", role="tier2").role == "tier2"
    assert "tina" in logins(desk.db, tier=2)
    with pytest.raises(sv.PermissionDenied, match="may not change a staff member's name or role"):
        edit_staff(desk.db, desk.clock, "lee", "tom", name="Tommy")
    with pytest.raises(sv.PermissionDenied, match="cannot change your own role"):
        edit_staff(desk.db, desk.clock, "ada", "ada", role="lead")
    with pytest.raises(sv.ValidationError, match="'boss' is not a role"):
        edit_staff(desk.db, desk.clock, "ada", "tom", role="boss")
    with pytest.raises(sv.MissingField):
        edit_staff(desk.db, desk.clock, "ada", "tom", name="   ")
    with pytest.raises(sv.NotFound, match="no staff member has the login 'nobody'"):
        edit_staff(desk.db, desk.clock, "ada", "nobody", name="X")


def test_a_role_that_cannot_work_the_tickets_held_is_refused(desk: Desk) -> None:
    from deskapp.services.directory import edit_staff

    ticket = desk.log()
    sv.assign(desk.db, desk.clock, "lee", ticket.number, engineer="tess")
    sv.escalate(desk.db, desk.clock, "tess", ticket.number, note="tried a restart")  # now Tier 2
    with pytest.raises(
        sv.ValidationError,
        match=rf"tess holds 1 open ticket a Tier 1 engineer cannot work \({ticket.number}\)",
    ):
        edit_staff(desk.db, desk.clock, "ada", "tess", role="tier1")
    with pytest.raises(sv.ValidationError, match="an administrator cannot work"):
        edit_staff(desk.db, desk.clock, "ada", "tess", role="admin")
    assert Staff.get(Staff.login == "tess").role == "tier2"  # nothing changed
    assert edit_staff(desk.db, desk.clock, "ada", "tess", role="lead").role == "lead"  # a lead works any tier


def test_a_reseller_is_corrected_retired_and_restored(desk: Desk) -> None:
    from deskapp.services.directory import edit_reseller, set_reseller_active

    ticket = desk.log()  # for Acme Networks
    seller = edit_reseller(desk.db, desk.clock, "ada", "Acme Networks", new_name="Acme Cloud",
                           email="Help@ACME.example", phone="+44 20 7946 0001")  # fmt: skip
    assert (seller.name, seller.email, seller.phone) == (
        "Acme Cloud",
        "Help@acme.example",
        "+44 20 7946 0001",
    )
    assert sv.ticket_detail(desk.db, ticket.number).reseller == "Acme Cloud"  # its tickets follow
    assert edit_reseller(desk.db, desk.clock, "ada", "Acme Cloud", phone="").phone is None  # cleared
    with pytest.raises(sv.ValidationError, match="a reseller named 'Liffey Cloud' exists already"):
        edit_reseller(desk.db, desk.clock, "ada", "Acme Cloud", new_name="Liffey Cloud")
    with pytest.raises(sv.PermissionDenied):
        edit_reseller(desk.db, desk.clock, "lee", "Acme Cloud", phone="1")
    with pytest.raises(sv.NotFound, match="no reseller is named 'Gone Ltd'"):
        set_reseller_active(desk.db, desk.clock, "ada", "Gone Ltd", active=False)
    assert not set_reseller_active(desk.db, desk.clock, "ada", "Acme Cloud", active=False).active
    assert [r.active for r in reseller_list(desk.db)] == [False, True]
    with pytest.raises(sv.ValidationError, match="Acme Cloud is retired"):
        desk.log(reseller="Acme Cloud")
    assert sv.ticket_detail(desk.db, ticket.number).reseller == "Acme Cloud"  # history stays
    set_reseller_active(desk.db, desk.clock, "ada", "Acme Cloud", active=True)
    assert desk.log(reseller="Acme Cloud").number

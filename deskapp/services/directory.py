"""Staff, resellers, passwords and the database's training flag.

    add_staff(db, clock, actor, login, *, name, role, password=None) -> Staff
    add_reseller(db, clock, actor, name, *, country, email=None, phone=None) -> Reseller
    authenticate(db, login, password) -> Staff
    assignable_staff(db, tier) -> list[StaffEntry]
    staff_list(db) -> list[StaffRow];  reseller_list(db) -> list[ResellerRow]
    set_staff_active(db, clock, actor, login, *, active) -> Staff
    set_password(db, clock, actor, login, password) -> None
    staff_count(db) -> int
    is_training(db) -> bool
    mark_training(db) -> None

`actor` is the acting staff member's login. The first `add_staff` on a
database with no staff needs no actor (pass None); after that only an
administrator adds staff and resellers.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import ENGINEERS, Action, Role, check_role, may_work_tier
from deskapp.domain.time_range import quote
from deskapp.services.email_address import checked_email
from deskapp.services.errors import (
    AuthenticationFailed,
    MissingField,
    NotFound,
    OutsideTerritory,
    PermissionDenied,
    ValidationError,
)
from deskapp.services.operation import SYSTEM_ACTORS, load_staff
from deskapp.services.text import check_text
from deskapp.store.connection import use, write_transaction
from deskapp.store.migrations import get_meta, set_meta
from deskapp.store.models import TERRITORY, Reseller, Staff
from deskapp.store.passwords import hash_password, verify_password

_LOGIN = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 8


def staff_count(db: pw.Database) -> int:
    use(db)
    return int(Staff.select().count())


def is_training(db: pw.Database) -> bool:
    use(db)
    return get_meta("training") == "true"


def mark_training(db: pw.Database) -> None:
    use(db)
    with write_transaction(db):
        set_meta("training", "true")


def _names(names: list[str]) -> str:
    """'a', 'b' and 'c'."""
    quoted = [quote(n) for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def add_staff(
    db: pw.Database, clock: Clock, actor: str | None, login: str, *,
    name: str, role: str, password: str | None = None,
) -> Staff:  # fmt: skip
    """Add a staff member. Only an administrator may, except the very first member."""
    use(db)
    login = login.strip().lower()
    if not _LOGIN.match(login) or login in SYSTEM_ACTORS:
        raise ValidationError(
            f"{quote(login)} is not a usable login (2-64 of a-z, 0-9, . _ -, starting with a "
            f"letter; {_names(sorted(SYSTEM_ACTORS))} are reserved: the desk's own steps)"
        )
    try:
        the_role = Role(role)
    except ValueError:
        raise ValidationError(
            f"{quote(role)} is not a role (use {', '.join(r.value for r in Role)})"
        ) from None
    if not name.strip():
        raise MissingField(["a name"], "a staff member")
    check_text(name, "the name", Staff.name.max_length)
    with write_transaction(db):
        if actor is None:
            if Staff.select().exists():
                raise PermissionDenied("staff exist already: an administrator must add staff")
        else:
            check_role(Action.ADD_STAFF, Role(load_staff(actor).role))
        if Staff.select().where(Staff.login == login).exists():
            raise ValidationError(f"the login {quote(login)} is taken")
        return Staff.create(
            login=login, name=name.strip(), role=the_role.value,
            password_hash=hash_password(password) if password else None,
            created_at=clock.now(),
        )  # fmt: skip


def add_reseller(
    db: pw.Database, clock: Clock, actor: str, name: str, *,
    country: str, email: str | None = None, phone: str | None = None,
) -> Reseller:  # fmt: skip
    """Add a reseller in the Territory (GB or IE); an administrator's job."""
    use(db)
    name = name.strip()
    if not name:
        raise MissingField(["a name"], "a reseller")
    check_text(name, "the reseller's name", Reseller.name.max_length)
    check_text(email, "the email", Reseller.email.max_length)
    check_text(phone, "the phone", Reseller.phone.max_length)
    code = country.strip().upper()
    if code not in TERRITORY:
        raise OutsideTerritory(
            f"{name} is in {code or 'no country'}: support covers the Territory only "
            "(the UK, GB, and the Republic of Ireland, IE)"
        )
    email = checked_email(email, "the reseller's email")
    with write_transaction(db):
        check_role(Action.ADD_RESELLER, Role(load_staff(actor).role))
        if Reseller.select().where(Reseller.name == name).exists():
            raise ValidationError(f"a reseller named {quote(name)} exists already")
        return Reseller.create(
            name=name, country=code, email=email or None, phone=phone or None,
            created_at=clock.now(),
        )  # fmt: skip


def authenticate(db: pw.Database, login: str, password: str) -> Staff:
    """The staff member if the password is theirs; AuthenticationFailed otherwise."""
    use(db)
    staff = Staff.get_or_none(Staff.login == login.strip().lower())
    if staff is None or not staff.active or not verify_password(password, staff.password_hash):
        raise AuthenticationFailed(f"login {quote(login)} and that password do not match")
    return staff


class StaffEntry(NamedTuple):
    login: str
    name: str
    role: Role

    def describe(self) -> str:
        return f"{self.login} — {self.name} ({self.role.label})"


def assignable_staff(db: pw.Database, tier: int) -> list[StaffEntry]:
    """Active staff who can be the engineer of a ticket at `tier`, by name."""
    use(db)
    found = (
        Staff.select(Staff.login, Staff.name, Staff.role)
        .where(
            Staff.active == True,  # noqa: E712 (a peewee expression)
            Staff.role.in_([r.value for r in ENGINEERS]),
        )
        .order_by(Staff.name, Staff.login)
    )
    entries = [StaffEntry(s.login, s.name, Role(s.role)) for s in found]
    return [e for e in entries if may_work_tier(e.role, tier)]


# --- the administrator's lists and changes ------------------------------------------------


class StaffRow(NamedTuple):
    login: str
    name: str
    role: Role
    active: bool
    has_password: bool  # a training database's staff may have none


class ResellerRow(NamedTuple):
    name: str
    country: str
    email: str | None
    phone: str | None


def staff_list(db: pw.Database) -> list[StaffRow]:
    """Every staff member, active or not, by name."""
    use(db)
    found = Staff.select(Staff.login, Staff.name, Staff.role, Staff.active, Staff.password_hash)
    return [
        StaffRow(s.login, s.name, Role(s.role), bool(s.active), bool(s.password_hash))
        for s in found.order_by(Staff.name, Staff.login)
    ]


def reseller_list(db: pw.Database) -> list[ResellerRow]:
    """Every reseller, by name."""
    use(db)
    found = Reseller.select(Reseller.name, Reseller.country, Reseller.email, Reseller.phone)
    return [ResellerRow(r.name, r.country, r.email, r.phone) for r in found.order_by(Reseller.name)]


def set_staff_active(db: pw.Database, clock: Clock, actor: str, login: str, *, active: bool) -> Staff:
    """An administrator lets someone sign in again, or stops them (their tickets and
    history stay). Nobody stops themselves, so the desk always keeps an administrator."""
    use(db)
    login, actor = login.strip().lower(), actor.strip().lower()
    with write_transaction(db):
        _administrator_only(load_staff(actor), "stop or restore a sign-in")
        staff = Staff.get_or_none(Staff.login == login)
        if staff is None:
            raise NotFound(f"no staff member has the login {quote(login)}")
        if not active and staff.login == actor:
            raise PermissionDenied("you cannot stop your own sign-in; another administrator can")
        Staff.update(active=active).where(Staff.id == staff.id).execute()
        return Staff.get_by_id(staff.id)


def set_password(db: pw.Database, clock: Clock, actor: str, login: str, password: str) -> None:
    """A new password: anyone's own, or anyone's by an administrator."""
    use(db)
    login, actor = login.strip().lower(), actor.strip().lower()
    with write_transaction(db):
        me = load_staff(actor)
        if me.login != login:
            _administrator_only(me, "set another member's password")
        if len(password) < MIN_PASSWORD:
            raise ValidationError(f"the password needs at least {MIN_PASSWORD} characters")
        staff = Staff.get_or_none(Staff.login == login)
        if staff is None:
            raise NotFound(f"no staff member has the login {quote(login)}")
        Staff.update(password_hash=hash_password(password)).where(Staff.id == staff.id).execute()


def _administrator_only(me: Staff, what: str) -> None:
    role = Role(me.role)
    if role is not Role.ADMIN:
        raise PermissionDenied(f"{role.a_label} may not {what} (allowed: administrator)")

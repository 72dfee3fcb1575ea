"""Staff, resellers, passwords and the database's training flag.

    add_staff(db, clock, actor, login, *, name, role, password=None) -> Staff
    add_reseller(db, clock, actor, name, *, country, email=None, phone=None) -> Reseller
    authenticate(db, login, password) -> Staff
    assignable_staff(db, tier) -> list[StaffEntry]
    staff_list(db) -> list[StaffRow];  reseller_list(db) -> list[ResellerRow]
    set_staff_active(db, clock, actor, login, *, active) -> Staff
    edit_staff(db, clock, actor, login, *, name=None, role=None) -> Staff
    edit_reseller(db, clock, actor, name, *, new_name=None, email=None, phone=None) -> Reseller
    set_reseller_active(db, clock, actor, name, *, active) -> Reseller
    set_password(db, clock, actor, login, password) -> None
    set_staff_role(db, clock, actor, login, role) -> Staff
    staff_count(db) -> int
    is_training(db) -> bool
    mark_training(db) -> None

`actor` is the acting staff member's login. The first `add_staff` on a
database with no staff needs no actor (pass None); after that only an
administrator adds staff and resellers.

On a PostgreSQL desk with group roles (`deskapp init --first-admin`), a staff
member is a login role of the server: adding, stopping, re-roling and setting
passwords go through the desk's functions (`deskapp.store.security`), which the
server runs only for an administrator (or the owner), and no password or hash
is kept in a table; signing in is connecting as oneself (`authenticate`).
"""

from __future__ import annotations

import logging
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
from deskapp.store import passwords
from deskapp.store.connection import is_sqlite, use, write_transaction
from deskapp.store.kerberos import is_kerberos_refusal
from deskapp.store.migrations import get_meta, set_meta
from deskapp.store.models import TERRITORY, AppRole, Reseller, Staff
from deskapp.store.passwords import hash_password
from deskapp.store.security import (
    call_staff_function,
    is_postgres_secured,
    reserved_login,
    scram_verifier,
    session_login,
)
from deskapp.store.watchdog import end_stalled_sessions

log = logging.getLogger(__name__)

_LOGIN = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 8


def staff_count(db: pw.Database) -> int:
    use(db)
    return int(Staff.select().count())


def is_training(db: pw.Database) -> bool:
    use(db)
    # A desk with login roles is live for good: a 'training' row there means nothing.
    return get_meta("training") == "true" and not is_postgres_secured(db)


FIRST_ADMIN_COMMAND = "deskapp --db OWNER_URL init --first-admin LOGIN --name NAME"


def owner_makes_first_admin(db: pw.Database) -> str | None:
    """Why the app must not make this desk's first administrator itself, or None when it
    may (SQLite, a training desk, a desk the owner put in the old shared-role mode by
    name with `init --app-role`). Any other live PostgreSQL desk without login roles
    would get an old-style administrator whose password hash sits in the staff table:
    there the owner runs `init --first-admin`, which makes login roles, and everyone
    signs in as themselves."""
    use(db)
    if is_sqlite(db) or is_postgres_secured(db) or is_training(db):
        return None
    if AppRole.select().exists():
        return None
    return (
        "this PostgreSQL desk has no administrator yet, and the app does not make one: the "
        f"desk's owner runs `{FIRST_ADMIN_COMMAND}`, then each person signs in to the server "
        "as themselves (postgresql://LOGIN@HOST/DESK)"
    )


def mark_training(db: pw.Database) -> None:
    use(db)
    if is_postgres_secured(db):
        raise PermissionDenied("this desk has login roles: it is live, and can never become a training desk")
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
    the_role = _role(role)
    if not name.strip():
        raise MissingField(["a name"], "a staff member")
    check_text(name, "the name", Staff.name.max_length)
    if is_postgres_secured(db):
        return _add_login(db, actor, login, name.strip(), the_role, password)
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


def _add_login(
    db: pw.Database, actor: str | None, login: str, name: str, role: Role, password: str | None
) -> Staff:
    """A PostgreSQL desk: the server makes the login role and the staff row (the
    function refuses anyone but an administrator or the desk's owner)."""
    if reserved_login(login):
        raise ValidationError(f"{quote(login)} is reserved on PostgreSQL: choose another login")
    if not password:
        raise ValidationError(f"{login} needs a password: the server checks it at sign-in")
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"the password needs at least {MIN_PASSWORD} characters")
    if actor is not None:
        check_role(Action.ADD_STAFF, Role(load_staff(actor).role))
    with write_transaction(db), server_refusals():
        call_staff_function(db, "deskapp_staff_add", login, name, role.value, scram_verifier(password))
    return Staff.get(Staff.login == login)


class server_refusals:
    """The staff functions' refusals (SQLSTATE 42501, 22023, P0002) as the desk's own
    errors, in the server's words; anything else passes through."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc is None or not isinstance(exc, pw.DatabaseError):
            return
        cause = exc.args[0] if exc.args else exc
        state = getattr(cause, "sqlstate", None)
        diag = getattr(cause, "diag", None)
        message = str(getattr(diag, "message_primary", None) or cause).strip()
        errors: dict[str, type[Exception]] = {
            "42501": PermissionDenied, "22023": ValidationError, "P0002": NotFound,
        }  # fmt: skip
        if state in errors:
            raise errors[state](message) from None


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
    """The staff member if the password is theirs; AuthenticationFailed otherwise.

    The one way the app and the command line sign someone in, so both also:
    replace a hash made with less than today's cost by a new one, now that the
    password is at hand; and refuse a stored hash that cannot be trusted (below
    the floor, or damaged), saying an administrator must set a new password
    (`deskapp.store.passwords`). A weak hash says so only to someone who knows its
    password, so a stranger learns nothing about a login from it."""
    use(db)
    if is_postgres_secured(db):
        return _sign_in_as(db, login.strip().lower(), password)
    staff = Staff.get_or_none(Staff.login == login.strip().lower())
    mismatch = AuthenticationFailed(f"login {quote(login)} and that password do not match")
    if staff is None or not staff.active:
        raise mismatch
    stored = staff.password_hash
    if passwords.unusable(stored):
        if passwords.parse(stored) is None or passwords.verify_password(password, stored):
            raise AuthenticationFailed(
                f"the password stored for {quote(staff.login)} cannot be trusted (made with settings "
                "too weak, or damaged), so it cannot sign anyone in: an administrator must set a new "
                f"one (Directory, Set password; or `deskapp staff password {staff.login}`)"
            )
        raise mismatch
    if not passwords.verify_password(password, stored):
        raise mismatch
    if stored and passwords.needs_rehash(stored):
        _rehash(staff, stored, password)
    return staff


def _sign_in_as(db: pw.Database, login: str, password: str) -> Staff:
    """A PostgreSQL desk with login roles: the server checks the password, by
    connecting as the person (the connection then works with their rights only)."""
    before = dict(db.connect_params)

    def restore() -> None:
        db.close()
        db.connect_params.clear()
        db.connect_params.update(before)
        db.connect()

    if session_login(db) == login and not password:
        staff = Staff.get_or_none(Staff.login == login)  # signed in already (e.g. GSSAPI)
    else:
        db.close()
        db.connect_params.update(user=login, password=password)
        try:
            db.connect()
        except pw.OperationalError as exc:
            restore()
            if is_kerberos_refusal(str(exc)):  # a `gss`/`sspi` server: the ticket decides, not a password
                raise AuthenticationFailed(
                    f"{quote(login)} cannot sign in here: the desk's server signs people in with "
                    "Kerberos (the workstation's domain sign-on or `kinit`), and this workstation's "
                    f"ticket is not {quote(login)}'s; `klist` shows whose it is"
                ) from None
            raise AuthenticationFailed(f"login {quote(login)} and that password do not match") from None
        staff = Staff.get_or_none(Staff.login == login)
    if staff is None or not staff.active:
        if session_login(db) != before.get("user"):
            restore()  # a server login that is not this desk's staff does not stay connected
        raise AuthenticationFailed(f"{quote(login)} is not an active staff member of this desk")
    return staff


def _rehash(staff: Staff, stored: str, password: str) -> None:
    """Store the password again at today's cost; only over the hash that was checked, so a
    new password set meanwhile is kept. A desk that cannot be written to still signs in."""
    fresh = passwords.hash_password(password)
    try:
        changed = (
            Staff.update(password_hash=fresh)
            .where(Staff.id == staff.id, Staff.password_hash == stored)
            .execute()
        )
    except pw.DatabaseError as exc:
        log.warning("could not store %s's password at today's cost: %s", staff.login, exc)
        return
    if changed:
        staff.password_hash = fresh


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
    active: bool = True  # retired: no new incidents


def staff_list(db: pw.Database) -> list[StaffRow]:
    """Every staff member, active or not, by name."""
    use(db)
    if is_postgres_secured(db):  # the server keeps every password; nobody reads the column
        found = Staff.select(Staff.login, Staff.name, Staff.role, Staff.active)
        return [
            StaffRow(s.login, s.name, Role(s.role), bool(s.active), True)
            for s in found.order_by(Staff.name, Staff.login)
        ]
    found = Staff.select(Staff.login, Staff.name, Staff.role, Staff.active, Staff.password_hash)
    return [
        StaffRow(s.login, s.name, Role(s.role), bool(s.active), bool(s.password_hash))
        for s in found.order_by(Staff.name, Staff.login)
    ]


def reseller_list(db: pw.Database) -> list[ResellerRow]:
    """Every reseller, by name."""
    use(db)
    found = Reseller.select(Reseller.name, Reseller.country, Reseller.email, Reseller.phone, Reseller.active)
    return [
        ResellerRow(r.name, r.country, r.email, r.phone, bool(r.active))
        for r in found.order_by(Reseller.name)
    ]


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
        secured = is_postgres_secured(db)
        if secured:  # NOLOGIN / LOGIN on the server, the row, and open sessions ended
            with server_refusals():
                call_staff_function(db, "deskapp_staff_set_active", login, active)
        else:
            Staff.update(active=active).where(Staff.id == staff.id).execute()
        stopped = Staff.get_by_id(staff.id)
    if secured and not active:
        # Committed: NOLOGIN holds now; a session opened meanwhile is ended too.
        end_stalled_sessions(db)
    return stopped


def edit_staff(
    db: pw.Database, clock: Clock, actor: str, login: str, *, name: str | None = None, role: str | None = None
) -> Staff:
    """An administrator corrects a member's name or changes their role (None: unchanged).
    A role that could not work a ticket the member holds open is refused, naming the
    tickets; nobody changes their own role, so the desk always keeps an administrator."""
    use(db)
    login, actor = login.strip().lower(), actor.strip().lower()
    new_role = None
    if role is not None:
        new_role = _role(role.strip().lower(), role)
    if name is not None:
        if not name.strip():
            raise MissingField(["a name"], "a staff member")
        check_text(name, "the name", Staff.name.max_length)
    with write_transaction(db):
        _administrator_only(load_staff(actor), "change a staff member's name or role")
        staff = Staff.get_or_none(Staff.login == login)
        if staff is None:
            raise NotFound(f"no staff member has the login {quote(login)}")
        changes: dict[pw.Field, object] = {}
        if name is not None and name.strip() != staff.name:
            changes[Staff.name] = name.strip()
        if new_role is not None and new_role.value != staff.role:
            if staff.login == actor:
                raise PermissionDenied("you cannot change your own role; another administrator can")
            _check_holds(staff, new_role)
            changes[Staff.role] = new_role.value
        if changes and is_postgres_secured(db):
            # The staff table is the owner's there: written through its functions only,
            # which keep the person's group role in step with their role.
            with server_refusals():
                if Staff.name in changes:
                    call_staff_function(db, "deskapp_staff_set_name", login, changes[Staff.name])
                if Staff.role in changes:
                    call_staff_function(db, "deskapp_staff_set_role", login, changes[Staff.role])
        elif changes:
            Staff.update(changes).where(Staff.id == staff.id).execute()
        return Staff.get_by_id(staff.id)


def _check_holds(staff: Staff, role: Role) -> None:
    """Refuse a role that could not be the engineer of a ticket `staff` holds open."""
    from deskapp.domain.lifecycle import OPEN_STATUSES
    from deskapp.store.models import Ticket

    held = (Ticket.select(Ticket.number, Ticket.tier)
            .where(Ticket.engineer == staff.id, Ticket.status.in_([s.value for s in OPEN_STATUSES]))
            .order_by(Ticket.number))  # fmt: skip
    kept = [t.number for t in held if role not in ENGINEERS or not may_work_tier(role, t.tier)]
    if kept:
        shown = ", ".join(kept[:5]) + (f" and {len(kept) - 5} more" if len(kept) > 5 else "")
        raise ValidationError(
            f"{staff.login} holds {len(kept)} open ticket{'s' if len(kept) > 1 else ''} "
            f"{role.a_label} cannot work ({shown}): reassign them first"
        )


def _reseller(name: str) -> Reseller:
    found = Reseller.get_or_none(Reseller.name == name.strip())
    if found is None:
        raise NotFound(f"no reseller is named {quote(name.strip())}")
    return found


def edit_reseller(
    db: pw.Database, clock: Clock, actor: str, name: str, *,
    new_name: str | None = None, email: str | None = None, phone: str | None = None,
) -> Reseller:  # fmt: skip
    """An administrator corrects a reseller's name, email or phone (None: unchanged; an empty
    email or phone clears it). Its tickets follow the new name."""
    use(db)
    if new_name is not None:
        if not new_name.strip():
            raise MissingField(["a name"], "a reseller")
        check_text(new_name, "the reseller's name", Reseller.name.max_length)
    check_text(email, "the email", Reseller.email.max_length)
    check_text(phone, "the phone", Reseller.phone.max_length)
    checked = checked_email(email, "the reseller's email") if email else None
    with write_transaction(db):
        check_role(Action.ADD_RESELLER, Role(load_staff(actor).role))
        seller = _reseller(name)
        changes: dict[pw.Field, object] = {}
        if new_name is not None and new_name.strip() != seller.name:
            if Reseller.select().where(Reseller.name == new_name.strip()).exists():
                raise ValidationError(f"a reseller named {quote(new_name.strip())} exists already")
            changes[Reseller.name] = new_name.strip()
        if email is not None:
            changes[Reseller.email] = checked or None
        if phone is not None:
            changes[Reseller.phone] = phone.strip() or None
        if changes:
            Reseller.update(changes).where(Reseller.id == seller.id).execute()
        return Reseller.get_by_id(seller.id)


def set_reseller_active(db: pw.Database, clock: Clock, actor: str, name: str, *, active: bool) -> Reseller:
    """An administrator retires a reseller (its tickets and history stay; no new incident is
    logged for it) or restores it."""
    use(db)
    with write_transaction(db):
        check_role(Action.ADD_RESELLER, Role(load_staff(actor).role))
        seller = _reseller(name)
        Reseller.update(active=active).where(Reseller.id == seller.id).execute()
        return Reseller.get_by_id(seller.id)


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
        if is_postgres_secured(db):
            with server_refusals():
                call_staff_function(db, "deskapp_staff_set_password", login, scram_verifier(password))
            return
        Staff.update(password_hash=hash_password(password)).where(Staff.id == staff.id).execute()


def set_staff_role(db: pw.Database, clock: Clock, actor: str, login: str, role: str) -> Staff:
    """An administrator gives a member another role (on PostgreSQL, another group role
    too). Nobody gives up their own administrator role, so the desk keeps one."""
    use(db)
    login, actor = login.strip().lower(), actor.strip().lower()
    the_role = _role(role)
    with write_transaction(db):
        _administrator_only(load_staff(actor), "change a member's role")
        staff = Staff.get_or_none(Staff.login == login)
        if staff is None:
            raise NotFound(f"no staff member has the login {quote(login)}")
        if staff.login == actor and the_role is not Role.ADMIN:
            raise PermissionDenied(
                "you cannot give up your own administrator role; another administrator can"
            )
        if is_postgres_secured(db):
            with server_refusals():
                call_staff_function(db, "deskapp_staff_set_role", login, the_role.value)
        else:
            Staff.update(role=the_role.value).where(Staff.id == staff.id).execute()
        return Staff.get_by_id(staff.id)


def _role(text: str, given: str | None = None) -> Role:
    """`text` as a Role, else a refusal quoting what was `given` (default: `text`)."""
    try:
        return Role(text)
    except ValueError:
        shown = quote(text if given is None else given)
        raise ValidationError(f"{shown} is not a role (use {', '.join(r.value for r in Role)})") from None


def _administrator_only(me: Staff, what: str) -> None:
    role = Role(me.role)
    if role is not Role.ADMIN:
        raise PermissionDenied(f"{role.a_label} may not {what} (allowed: administrator)")

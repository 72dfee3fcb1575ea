"""deskapp.store.kerberos without a realm: the gssencmode it asks for, and the words it adds.
(The real sign-on, with a KDC and a server: tests/security/test_gssapi_signon.py.)"""

from __future__ import annotations

import pytest

from deskapp.store.connection import database_from_url
from deskapp.store.kerberos import explain


def test_gssencmode_is_prefer_unless_tls_is_required_or_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGGSSENCMODE", raising=False)
    assert database_from_url("postgresql://tina@db.example/desk").connect_params["gssencmode"] == "prefer"
    named = database_from_url("postgresql://tina@db.example/desk?gssencmode=require&krbsrvname=deskdb")
    assert (named.connect_params["gssencmode"], named.connect_params["krbsrvname"]) == ("require", "deskdb")
    monkeypatch.delenv("PGSSLMODE", raising=False)
    for sslmode, gssencmode in (("prefer", "prefer"), ("require", "disable"), ("verify-full", "disable")):
        url = f"postgresql://tina@db.example/desk?sslmode={sslmode}"  # TLS required: TLS it is
        assert database_from_url(url).connect_params["gssencmode"] == gssencmode, sslmode
    monkeypatch.setenv("PGSSLMODE", "verify-ca")
    assert database_from_url("postgresql://tina@db.example/desk").connect_params["gssencmode"] == "disable"
    monkeypatch.setenv("PGGSSENCMODE", "prefer")  # libpq reads it when the URL is silent
    assert "gssencmode" not in database_from_url("postgresql://tina@db.example/desk").connect_params


def test_a_kerberos_refusal_says_what_to_do_and_nothing_else_is_touched() -> None:
    libpq = (
        "cannot open PostgreSQL localhost/desk: connection failed: GSSAPI continuation error: "
        "No credentials were supplied: No Kerberos credentials available (default cache: FILE:/tmp/x)"
    )
    said = explain(libpq, "tina")
    assert said.startswith(libpq) and "kinit tina" in said and "klist" in said and "domain" in said
    assert "kinit LOGIN" in explain(libpq, None)
    other = 'cannot open PostgreSQL localhost/desk: password authentication failed for user "tina"'
    assert explain(other, "tina") == other
    both = f"{libpq}\n- 10.0.0.5: fe_sendauth: no password supplied"  # a password line after all
    assert explain(both, "tina") == both

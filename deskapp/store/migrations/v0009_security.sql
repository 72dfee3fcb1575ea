-- v9 (PostgreSQL): the staff administrator's functions.
--
-- Created by the owner role (the one that runs `deskapp init`), so they run with
-- its rights (SECURITY DEFINER) and nobody else needs CREATEROLE. Their
-- search_path is fixed to the desk's schema (then pg_temp, last), so a caller
-- cannot slip in a table or function of their own. They act on the caller's
-- *session_user*: the person signed in, whatever SET ROLE they tried.
--
-- Placeholders, filled in by v0009_security.py: @SCHEMA@ (quoted schema name),
-- @ROLES@ (the roles of deskapp.domain.lifecycle.Role, as a text array),
-- @RESERVED@ (logins nobody may take), @LOCK_TIMEOUT@, @STATEMENT_TIMEOUT@,
-- @IDLE_TIMEOUT@ (each login's session defaults).
-- Errors: 42501 not allowed, 22023 a wrong value, P0002 no such staff member.

CREATE OR REPLACE FUNCTION deskapp_prefix() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE v text;
BEGIN
  SELECT value INTO v FROM meta WHERE key = 'role_prefix';
  IF v IS NULL THEN
    RAISE EXCEPTION 'this desk has no group roles yet: the owner runs `deskapp init --first-admin LOGIN --name NAME`'
      USING ERRCODE = '42501';
  END IF;
  RETURN v;
END $$;

CREATE OR REPLACE FUNCTION deskapp_group(p_role text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
  IF p_role IS NULL OR NOT (p_role = ANY (@ROLES@)) THEN
    RAISE EXCEPTION '"%" is not a role (use %)', left(coalesce(p_role, ''), 40), array_to_string(@ROLES@, ', ')
      USING ERRCODE = '22023';
  END IF;
  RETURN deskapp_prefix() || '_' || p_role;
END $$;

-- The desk's owner: whoever may act as the schema's owner role.
CREATE OR REPLACE FUNCTION deskapp_caller_is_owner() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
  SELECT pg_has_role(session_user, n.nspowner, 'MEMBER') FROM pg_namespace n WHERE n.nspname = current_schema()
$$;

CREATE OR REPLACE FUNCTION deskapp_require_admin(p_what text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE v_role text;
BEGIN
  IF deskapp_caller_is_owner() THEN
    RETURN;
  END IF;
  SELECT s.role INTO v_role FROM staff s WHERE s.login = session_user AND s.active;
  IF v_role IS DISTINCT FROM 'admin' THEN
    RAISE EXCEPTION '% may not %: only an administrator may (allowed: administrator)',
      coalesce('a ' || v_role || ' login', 'a login that is not active staff'), p_what
      USING ERRCODE = '42501';
  END IF;
END $$;

-- A staff member of this desk whose login role the functions may change: a member of
-- one of the desk's group roles, and nothing more powerful (never the owner, a
-- superuser, or a role that can create roles).
CREATE OR REPLACE FUNCTION deskapp_target(p_login text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE v_role text;
BEGIN
  SELECT s.role INTO v_role FROM staff s WHERE s.login = p_login;
  IF v_role IS NULL THEN
    RAISE EXCEPTION 'no staff member has the login "%"', left(coalesce(p_login, ''), 64) USING ERRCODE = 'P0002';
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM pg_roles r
    WHERE r.rolname = p_login AND NOT r.rolsuper AND NOT r.rolcreaterole AND NOT r.rolreplication
      AND NOT r.rolbypassrls
      AND EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                  WHERE m.member = r.oid AND g.rolname LIKE deskapp_prefix() || '\_%')
  ) THEN
    RAISE EXCEPTION 'the staff member "%" has no login role of this desk (the owner runs `deskapp init` to give them one)', p_login
      USING ERRCODE = '42501';
  END IF;
  RETURN v_role;
END $$;

CREATE OR REPLACE FUNCTION deskapp_check_verifier(p_verifier text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
  -- Never a clear-text password: it would land in the server's statement log.
  IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
    RAISE EXCEPTION 'a password is given to the desk as a SCRAM-SHA-256 verifier, never as text'
      USING ERRCODE = '22023';
  END IF;
END $$;

CREATE OR REPLACE FUNCTION deskapp_session_defaults(p_role text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
  -- ALTER ROLE ... SET applies to the role that signs in, not to its groups: each
  -- login carries the desk's timeouts itself.
  EXECUTE format('ALTER ROLE %I SET lock_timeout = %L', p_role, @LOCK_TIMEOUT@);
  EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', p_role, @STATEMENT_TIMEOUT@);
  EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', p_role, @IDLE_TIMEOUT@);
END $$;

-- Give an existing staff row its login role (init's conversion, and staff_add).
CREATE OR REPLACE FUNCTION deskapp_make_login(p_login text, p_role text, p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE v_group text;
BEGIN
  v_group := deskapp_group(p_role);
  PERFORM deskapp_check_verifier(p_verifier);
  IF p_login IS NULL OR p_login !~ '^[a-z][a-z0-9._-]{1,63}$' OR p_login = ANY (@RESERVED@) OR p_login LIKE 'pg\_%' THEN
    RAISE EXCEPTION '"%" is not a usable login (2-64 of a-z, 0-9, . _ -, starting with a letter; % and pg_... are reserved)',
      left(coalesce(p_login, ''), 64), array_to_string(@RESERVED@, ', ') USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
    RAISE EXCEPTION 'the PostgreSQL server has a role "%" already: choose another login, or drop that role', p_login
      USING ERRCODE = '42501';
  END IF;
  -- INHERIT (the default): the login works with its group's rights without SET ROLE.
  EXECUTE format('CREATE ROLE %I LOGIN INHERIT PASSWORD %L IN ROLE %I', p_login, p_verifier, v_group);
  PERFORM deskapp_session_defaults(p_login);
END $$;

CREATE OR REPLACE FUNCTION deskapp_staff_add(p_login text, p_name text, p_role text, p_verifier text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
  PERFORM deskapp_require_admin('add staff');
  -- One staff change at a time on this desk: two first administrators cannot race.
  LOCK TABLE staff IN SHARE ROW EXCLUSIVE MODE;
  IF p_name IS NULL OR btrim(p_name) = '' THEN
    RAISE EXCEPTION 'a staff member needs a name' USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM staff WHERE login = p_login) THEN
    RAISE EXCEPTION 'the login "%" is taken', p_login USING ERRCODE = '22023';
  END IF;
  PERFORM deskapp_make_login(p_login, p_role, p_verifier);
  INSERT INTO staff (login, name, role, password_hash, active, created_at)
  VALUES (p_login, btrim(p_name), p_role, NULL, true, now() AT TIME ZONE 'UTC');
END $$;

CREATE OR REPLACE FUNCTION deskapp_staff_set_active(p_login text, p_active boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
  PERFORM deskapp_require_admin('stop or restore a sign-in');
  PERFORM deskapp_target(p_login);
  IF NOT p_active AND p_login = session_user THEN
    RAISE EXCEPTION 'you cannot stop your own sign-in; another administrator can' USING ERRCODE = '42501';
  END IF;
  EXECUTE format('ALTER ROLE %I %s', p_login, CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
  UPDATE staff SET active = p_active WHERE login = p_login;
END $$;

CREATE OR REPLACE FUNCTION deskapp_staff_set_role(p_login text, p_role text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE v_new text; v_old text;
BEGIN
  PERFORM deskapp_require_admin('change a member''s role');
  v_new := deskapp_group(p_role);
  v_old := deskapp_target(p_login);
  IF p_login = session_user AND p_role <> 'admin' THEN
    RAISE EXCEPTION 'you cannot give up your own administrator role; another administrator can'
      USING ERRCODE = '42501';
  END IF;
  -- staff.role and the group membership change together: the history triggers read staff.role.
  EXECUTE format('REVOKE %I FROM %I', deskapp_group(v_old), p_login);
  EXECUTE format('GRANT %I TO %I', v_new, p_login);
  UPDATE staff SET role = p_role WHERE login = p_login;
END $$;

CREATE OR REPLACE FUNCTION deskapp_staff_set_name(p_login text, p_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
  PERFORM deskapp_require_admin('change a staff member''s name');
  PERFORM deskapp_target(p_login);
  UPDATE staff SET name = p_name WHERE login = p_login;
END $$;

CREATE OR REPLACE FUNCTION deskapp_staff_set_password(p_login text, p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
  IF p_login IS DISTINCT FROM session_user THEN
    PERFORM deskapp_require_admin('set another member''s password');
  ELSIF NOT EXISTS (SELECT 1 FROM staff WHERE login = session_user AND active) THEN
    RAISE EXCEPTION 'no active staff member has the login "%"', session_user USING ERRCODE = '42501';
  END IF;
  PERFORM deskapp_target(p_login);
  PERFORM deskapp_check_verifier(p_verifier);
  EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_verifier);
END $$;

-- Nobody but the owner runs any of them directly; init grants the staff-facing ones to
-- the desk's groups (the functions check who is calling themselves).
REVOKE ALL ON FUNCTION deskapp_prefix(), deskapp_group(text), deskapp_caller_is_owner(),
  deskapp_require_admin(text), deskapp_target(text), deskapp_check_verifier(text),
  deskapp_session_defaults(text), deskapp_make_login(text, text, text),
  deskapp_staff_add(text, text, text, text), deskapp_staff_set_active(text, boolean),
  deskapp_staff_set_role(text, text), deskapp_staff_set_name(text, text),
  deskapp_staff_set_password(text, text) FROM PUBLIC;

-- v13 (PostgreSQL): a session ends when its person is stopped, or when it stalls the desk.
--
-- Same rules as v0009_security.sql: owned by the owner role (SECURITY DEFINER), the
-- search_path fixed to the desk's schema then pg_temp, acting on session users.
-- Placeholders, filled in by v0013_sessions.py: @SCHEMA@, @RESERVED@ (as v9),
-- @STATEMENT_TIMEOUT@, @IDLE_TIMEOUT@ (the desk's defaults, as v9 sets them on each
-- login), @RULES_KEY@ (deskapp.rules.engine's advisory lock, a bigint).
--
-- Why the owner is a member of each login role: PostgreSQL lets a role end another
-- role's sessions (pg_terminate_backend) only if it has that role's privileges (or is
-- a superuser, or holds pg_signal_backend, which only a superuser can grant and which
-- would reach every role on the server, not just this desk's). So each login role
-- is granted to the owner, INHERIT, when it is made (and to those made before v13 by
-- this step). PostgreSQL 15 lets a CREATEROLE role grant any non-superuser role;
-- from 16 on, the creator of a role holds ADMIN on it, which is what that GRANT needs.
-- The owner thereby gains nothing: a login role has no rights but its group's,
-- whose tables the owner owns anyway.

-- The owner may signal `p_login`'s sessions (idempotent; logins made before v13 too).
CREATE OR REPLACE FUNCTION deskapp_watch_login(p_login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
  IF NOT pg_has_role(current_user, p_login, 'USAGE') THEN
    EXECUTE format('GRANT %I TO %I', p_login, current_user);
  END IF;
END $$;

-- v9's, plus: the owner may end the new login's sessions.
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
  EXECUTE format('CREATE ROLE %I LOGIN INHERIT PASSWORD %L IN ROLE %I', p_login, p_verifier, v_group);
  PERFORM deskapp_session_defaults(p_login);
  PERFORM deskapp_watch_login(p_login);
END $$;

-- v9's, plus: stopping a sign-in also ends the sessions already open (in this
-- database), so a deactivated person's running workstation or psql stops at its
-- next statement. A session that connects between this and the commit (LOGIN is
-- taken away only when the transaction commits) is ended by the watchdog below,
-- which the app calls right after the commit and on every rule pass.
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
  IF NOT p_active THEN
    PERFORM deskapp_watch_login(p_login);
    PERFORM pg_terminate_backend(a.pid) FROM pg_stat_activity a
    WHERE a.usename = p_login AND a.datname = current_database() AND a.pid <> pg_backend_pid();
  END IF;
END $$;

-- A time limit configured for a role (ALTER ROLE ... SET: this database's, then every
-- database's), NULL when none is; a plain number is milliseconds, as for the server.
CREATE OR REPLACE FUNCTION deskapp_role_limit(p_role oid, p_setting text) RETURNS interval
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
  SELECT CASE WHEN v ~ '^[0-9]+$' THEN (v || ' ms')::interval ELSE v::interval END
  FROM (
    SELECT substr(c.item, length(p_setting) + 2) AS v, s.setdatabase
    FROM pg_db_role_setting s CROSS JOIN LATERAL unnest(s.setconfig) AS c(item)
    WHERE s.setrole = p_role AND c.item LIKE p_setting || '=%'
      AND s.setdatabase IN (0, (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))
  ) found
  ORDER BY setdatabase DESC LIMIT 1
$$;

-- The watchdog. Ends this desk's login sessions (in this database) that
--   - belong to a stopped person (NOLOGIN, or staff.active false);
--   - have sat idle in a transaction longer than the idle limit, or sit idle outside
--     one holding the rules' advisory lock (a session-level lock no timeout frees);
--   - have run one statement longer than the statement limit,
-- whatever the session SET for itself: the limits are its group's (v9's session
-- defaults; 0 or none there: the desk's), or its login's where that is shorter.
-- `p_idle` and `p_statement` override them for the owner
-- (tests, an administrator's own judgement at the psql prompt); anyone else may only
-- lengthen them, so nobody can use this to end a colleague's working session.
-- Returns who was ended and why; each is also written to the server's log.
CREATE OR REPLACE FUNCTION deskapp_end_stalled_sessions(p_idle interval DEFAULT NULL, p_statement interval DEFAULT NULL)
RETURNS TABLE (login text, pid integer, reason text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
  v_prefix text;
  v_owner boolean;
  v_row record;
BEGIN
  SELECT m.value INTO v_prefix FROM meta m WHERE m.key = 'role_prefix';
  IF v_prefix IS NULL THEN
    RETURN;  -- no login roles on this desk: no sessions of its own to watch
  END IF;
  v_owner := deskapp_caller_is_owner();
  FOR v_row IN
    -- Cheap when nothing stalls: pg_locks is read once, and the limits are looked up
    -- only for the few sessions that are not simply idle (a workstation between its
    -- statements, or listening, is idle).
    WITH rules_holders AS MATERIALIZED (
      SELECT l.pid FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.granted
        AND l.classid = ((@RULES_KEY@::bigint >> 32) & 4294967295)::oid
        AND l.objid = (@RULES_KEY@::bigint & 4294967295)::oid
    ), candidates AS MATERIALIZED (
      SELECT DISTINCT ON (a.pid) a.pid, r.oid AS login_oid, g.oid AS group_oid, r.rolname::text AS login,
             a.state, clock_timestamp() - a.state_change AS in_state,
             clock_timestamp() - a.query_start AS running,
             NOT r.rolcanlogin OR NOT coalesce(s.active, false) AS stopped,
             a.pid IN (SELECT h.pid FROM rules_holders h) AS holds_rules
      FROM pg_stat_activity a
      JOIN pg_roles r ON r.oid = a.usesysid
      JOIN pg_auth_members am ON am.member = r.oid
      JOIN pg_roles g ON g.oid = am.roleid AND g.rolname LIKE v_prefix || '\_%'
      LEFT JOIN staff s ON s.login = r.rolname
      WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
        AND (a.state IS DISTINCT FROM 'idle' OR NOT r.rolcanlogin OR NOT coalesce(s.active, false)
             OR a.pid IN (SELECT h.pid FROM rules_holders h))
      ORDER BY a.pid
    ), sessions AS (
      -- A person may ALTER ROLE their own login's defaults (PostgreSQL lets every role
      -- do that), so a login's setting only ever shortens its group's, which only the
      -- owner sets; 0 or none there means the desk's default.
      SELECT c.*,
             least(nullif(deskapp_role_limit(c.login_oid, 'idle_in_transaction_session_timeout'), interval '0'),
                   coalesce(nullif(deskapp_role_limit(c.group_oid, 'idle_in_transaction_session_timeout'),
                                   interval '0'), @IDLE_TIMEOUT@::interval)) AS idle_cfg,
             least(nullif(deskapp_role_limit(c.login_oid, 'statement_timeout'), interval '0'),
                   coalesce(nullif(deskapp_role_limit(c.group_oid, 'statement_timeout'), interval '0'),
                            @STATEMENT_TIMEOUT@::interval)) AS statement_cfg
      FROM candidates c
    ), judged AS (
      SELECT x.*,
             CASE WHEN v_owner THEN coalesce(p_idle, x.idle_cfg)
                  ELSE greatest(coalesce(p_idle, x.idle_cfg), x.idle_cfg) END AS idle_limit,
             CASE WHEN v_owner THEN coalesce(p_statement, x.statement_cfg)
                  ELSE greatest(coalesce(p_statement, x.statement_cfg), x.statement_cfg) END AS statement_limit
      FROM sessions x
    )
    SELECT j.pid, j.login,
           CASE
             WHEN j.stopped THEN 'the sign-in is stopped'
             WHEN j.state LIKE 'idle in transaction%' AND j.in_state > j.idle_limit
               THEN format('idle in a transaction for %s s (limit %s s)',
                           round(extract(epoch FROM j.in_state), 1), round(extract(epoch FROM j.idle_limit), 1))
             WHEN j.state = 'idle' AND j.holds_rules AND j.in_state > j.idle_limit
               THEN format('holding the rules'' lock while idle for %s s (limit %s s)',
                           round(extract(epoch FROM j.in_state), 1), round(extract(epoch FROM j.idle_limit), 1))
             WHEN j.state = 'active' AND j.running > j.statement_limit
               THEN format('one statement running for %s s (limit %s s)',
                           round(extract(epoch FROM j.running), 1), round(extract(epoch FROM j.statement_limit), 1))
           END AS why
    FROM judged j
  LOOP
    CONTINUE WHEN v_row.why IS NULL;
    IF pg_terminate_backend(v_row.pid) THEN
      RAISE LOG 'deskapp: ended the session of % (server process %): %', v_row.login, v_row.pid, v_row.why;
      login := v_row.login;
      pid := v_row.pid;
      reason := v_row.why;
      RETURN NEXT;
    END IF;
  END LOOP;
END $$;

REVOKE ALL ON FUNCTION deskapp_watch_login(text), deskapp_make_login(text, text, text),
  deskapp_staff_set_active(text, boolean), deskapp_role_limit(oid, text),
  deskapp_end_stalled_sessions(interval, interval) FROM PUBLIC;

-- v11 on PostgreSQL: the database writes every ticket's history and refuses the
-- moves the process does not allow (see v0011_history_triggers.py).
--
-- @schema@ is the desk's schema (every function below runs with it as its fixed
-- search_path); @system_actors@ the desk's own actors, as an SQL list of strings;
-- @refused@, @move@ and @permission@ the SQLSTATEs deskapp.store.refusals maps to
-- the app's own errors. Statements are separated by lines holding only "--;".
--
-- What a session says about a step (deskapp.store.step_context, SET LOCAL):
--   deskapp.actor  a staff login or one of the desk's own actors (rules, mail, mailer)
--   deskapp.kind   the history row's kind; deskapp.note  its note (both used once,
--                  by the next statement on ticket, then cleared)
--   deskapp.now    the desk's clock: honoured on a training desk only
-- Whatever a session says, the row records session_user (history.db_user), and a
-- session signed in as a staff member acts as that staff member.

-- The desk's time: the server's, or a training desk's injected clock.
CREATE OR REPLACE FUNCTION deskapp_now() RETURNS timestamp
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
DECLARE
    claimed text := nullif(current_setting('deskapp.now', true), '');
BEGIN
    IF claimed IS NOT NULL AND EXISTS (SELECT 1 FROM meta WHERE key = 'training' AND value = 'true') THEN
        RETURN claimed::timestamptz AT TIME ZONE 'UTC';
    END IF;
    RETURN now() AT TIME ZONE 'UTC';
END $$;
--;
-- Who acts: (actor written to the history, who the move table is read for, system step?).
-- `who` is NULL for a session that is no active staff member and names none.
-- A session signed in as a staff member acts as that member; it may say it runs one
-- of the desk's own steps (a rule pass, the mailbox, the outbox), and history.db_user
-- records whose session did. Only the tables' owner and the desk's shared app role
-- (app_role: desks from before every person signed in as themselves) may vouch for a
-- staff member by name, or run the desk's own steps without being a staff member.
-- Any other session acts as itself, with no role.
CREATE OR REPLACE FUNCTION deskapp_actor(OUT actor text, OUT who text, OUT system boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
DECLARE
    claimed text := nullif(current_setting('deskapp.actor', true), '');
    staff_role text;
    staff_active boolean;
    is_staff boolean;
    is_owner boolean;
BEGIN
    system := false;
    SELECT s.role, s.active INTO staff_role, staff_active FROM staff s WHERE s.login = session_user;
    is_staff := FOUND;
    is_owner := pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'ticket'::regclass), 'MEMBER')
        OR EXISTS (SELECT 1 FROM app_role r WHERE r.name = session_user);
    IF claimed IN (@system_actors@) AND (is_staff OR is_owner) THEN
        actor := claimed; who := claimed; system := true;
        RETURN;
    END IF;
    IF is_staff THEN  -- a person signed in as themselves: whom they name does not matter
        actor := session_user; who := CASE WHEN staff_active THEN staff_role END;
        RETURN;
    END IF;
    IF claimed IS NOT NULL AND is_owner THEN
        SELECT s.role, s.active INTO staff_role, staff_active FROM staff s WHERE s.login = claimed;
        IF FOUND THEN
            actor := claimed; who := CASE WHEN staff_active THEN staff_role END;
            RETURN;
        END IF;
    END IF;
    actor := session_user; who := NULL;
END $$;
--;
CREATE OR REPLACE FUNCTION deskapp_step_kind(fallback text, OUT kind text, OUT note text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
BEGIN
    kind := coalesce(nullif(current_setting('deskapp.kind', true), ''), fallback);
    note := nullif(current_setting('deskapp.note', true), '');
    -- used once: a later statement of the same transaction says its own, or is a direct change
    PERFORM set_config('deskapp.kind', '', true), set_config('deskapp.note', '', true);
END $$;
--;
-- One history row per ticket a statement changed, after refusing what the process
-- does not allow. Statement-level: a rule pass over thousands of tickets is one
-- statement here too, checked and recorded by a few set-based queries.
CREATE OR REPLACE FUNCTION ticket_history_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
DECLARE
    a record;
    step record;
    at_ timestamp := deskapp_now();
    xid_ bigint := txid_current() % 4294967296;
    bad record;
BEGIN
    SELECT * INTO a FROM deskapp_actor();
    SELECT * INTO step FROM deskapp_step_kind('direct_change');
    SELECT * INTO bad FROM (
        SELECT o.number, CASE
            WHEN n.number <> o.number OR n.logged_at IS DISTINCT FROM o.logged_at
                OR n.logged_by_id IS DISTINCT FROM o.logged_by_id OR n.reseller_id <> o.reseller_id
                THEN 'refused:its number, reseller and logging never change'
            WHEN n.version <> o.version + 1
                THEN format('refused:each change raises its version by exactly one (it is at %s)', o.version)
            WHEN n.status <> o.status AND a.who IS NULL
                THEN format('permission:%s is not an active staff member and may not move a ticket', a.actor)
            WHEN n.status <> o.status AND NOT EXISTS (
                SELECT 1 FROM lifecycle_move m WHERE m.kind = 'status' AND m.who = a.who
                    AND m.from_value = o.status AND m.to_value = n.status
                    AND (m.action <> 'duplicate' OR n.duplicate_of_id IS NOT NULL))
                THEN format('move:%s (%s) may not move it from %s to %s', a.actor, a.who,
                            replace(o.status, '_', ' '), replace(n.status, '_', ' '))
            WHEN n.tier <> o.tier AND NOT EXISTS (
                SELECT 1 FROM lifecycle_move m JOIN lifecycle_move s ON s.kind = 'status'
                    AND s.who = m.who AND s.action = m.action
                WHERE m.kind = 'tier' AND m.who = a.who
                    AND m.from_value = o.tier::text AND m.to_value = n.tier::text
                    AND s.from_value = o.status AND s.to_value = n.status)
                THEN format('move:%s (%s) may not move it from Tier %s to Tier %s', a.actor,
                            coalesce(a.who, 'no role'), o.tier, n.tier)
            WHEN n.engineer_id IS DISTINCT FROM o.engineer_id AND a.who IS NULL
                THEN format('permission:%s is not an active staff member and may not assign a ticket', a.actor)
            WHEN n.engineer_id IS DISTINCT FROM o.engineer_id AND n.engineer_id IS NOT NULL AND (a.system
                OR NOT EXISTS (SELECT 1 FROM staff s JOIN lifecycle_move m ON m.kind = 'assignee'
                    AND m.who = s.role AND m.to_value = n.tier::text WHERE s.id = n.engineer_id AND s.active))
                THEN format('permission:staff member %s cannot be the engineer of a Tier %s ticket',
                            n.engineer_id, n.tier)
            WHEN n.breach_recorded_at IS NOT NULL AND n.breach_recorded_at IS DISTINCT FROM o.breach_recorded_at
                AND a.who IS DISTINCT FROM '@rules@'
                THEN 'permission:only the rule pass records a breach'
            WHEN (n.priority <> o.priority OR n.response_due IS DISTINCT FROM o.response_due
                  OR (n.breach_recorded_at IS NULL AND o.breach_recorded_at IS NOT NULL))
                AND NOT EXISTS (SELECT 1 FROM priority_change p WHERE p.ticket_id = n.id
                    AND p.to_priority = n.priority AND p.to_due = n.response_due
                    AND p.xmin::text::bigint = xid_)
                THEN 'permission:the priority and the response due time change only with their '
                     'priority change (ticket reprioritise)'
            WHEN a.who = '@rules@' AND o.status = 'awaiting_info' AND n.status = 'resolved'
                AND NOT coalesce(o.auto_resolve_at <= at_, false)
                THEN 'move:the rule pass auto-resolves only once the limit has run out'
            WHEN a.who = '@rules@' AND o.status = 'resolved' AND n.status = 'closed'
                AND NOT coalesce(o.closes_at <= at_, false)
                THEN 'move:the rule pass closes only once the reopen window has ended'
            WHEN n.closed_at IS DISTINCT FROM o.closed_at AND NOT (n.status = 'closed' AND o.status <> 'closed')
                THEN 'refused:the closure time is set only by the closure'
            WHEN n.survey_status <> o.survey_status AND n.survey_status = 'to_send' AND a.who IS DISTINCT FROM '@rules@'
                THEN 'permission:only the closure by the rule pass marks a survey to send'
        END AS why
        FROM o JOIN n ON n.id = o.id
        WHERE o IS DISTINCT FROM n
    ) v WHERE v.why IS NOT NULL LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: %', bad.number, split_part(bad.why, ':', 2)
            USING ERRCODE = CASE split_part(bad.why, ':', 1)
                WHEN 'move' THEN '@move@' WHEN 'permission' THEN '@permission@' ELSE '@refused@' END,
            HINT = 'deskapp: the database refused this change';
    END IF;
    PERFORM set_config('deskapp.history_writer', 'on', true);
    INSERT INTO history (ticket_id, at, actor, db_user, kind, from_status, to_status, from_tier, to_tier, note)
    SELECT n.id, at_, a.actor, session_user, step.kind, o.status, n.status, o.tier, n.tier,
        coalesce(step.note, 'changed outside deskapp: ' || (
            SELECT string_agg(e.key, ', ' ORDER BY e.key) FROM jsonb_each(to_jsonb(n)) e
            WHERE e.value IS DISTINCT FROM to_jsonb(o) -> e.key))
    FROM o JOIN n ON n.id = o.id
    WHERE o IS DISTINCT FROM n
    ORDER BY n.id;
    PERFORM set_config('deskapp.history_writer', '', true);
    RETURN NULL;
END $$;
--;
CREATE OR REPLACE FUNCTION ticket_history_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
DECLARE
    a record;
    step record;
    at_ timestamp := deskapp_now();
    bad text;
BEGIN
    SELECT * INTO a FROM deskapp_actor();
    SELECT * INTO step FROM deskapp_step_kind('direct_insert');
    SELECT n.number INTO bad FROM n
    WHERE n.status <> 'logged' OR n.version <> 1 OR n.tier NOT IN (1, 2)
        OR n.breach_recorded_at IS NOT NULL OR n.resolved_at IS NOT NULL OR n.closed_at IS NOT NULL
        OR n.survey_status <> 'none' OR n.duplicate_of_id IS NOT NULL
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: a new ticket is logged (status logged, version 1, Tier 1 or 2, nothing recorded yet)', bad
            USING ERRCODE = '@move@', HINT = 'deskapp: the database refused this change';
    END IF;
    IF a.who IS NULL OR a.system THEN
        RAISE EXCEPTION '% is not an active staff member and may not log a ticket', a.actor
            USING ERRCODE = '@permission@', HINT = 'deskapp: the database refused this change';
    END IF;
    PERFORM set_config('deskapp.history_writer', 'on', true);
    INSERT INTO history (ticket_id, at, actor, db_user, kind, from_status, to_status, from_tier, to_tier, note)
    SELECT n.id, at_, a.actor, session_user, step.kind, NULL, n.status, NULL, n.tier,
        coalesce(step.note, 'logged outside deskapp: ' || n.summary)
    FROM n ORDER BY n.id;
    PERFORM set_config('deskapp.history_writer', '', true);
    RETURN NULL;
END $$;
--;
-- Refuse a statement outright (TG_ARGV[0] says why).
CREATE OR REPLACE FUNCTION deskapp_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is refused: %', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = '@refused@', HINT = 'deskapp: the database refused this change';
END $$;
--;
-- The history takes rows from ticket_history_* only: they run as the owner with the
-- flag set, one trigger level down. Anyone else's INSERT, UPDATE, DELETE is refused.
CREATE OR REPLACE FUNCTION history_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND pg_trigger_depth() > 1
        AND current_setting('deskapp.history_writer', true) = 'on'
        AND current_user = (SELECT tableowner FROM pg_tables
                            WHERE schemaname = '@schema_name@' AND tablename = 'history') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% on history is refused: the database writes each ticket''s history itself', TG_OP
        USING ERRCODE = '@refused@', HINT = 'deskapp: the database refused this change';
END $$;
--;
-- The moves table (the lifecycle's, refilled by `deskapp init`) and the app role's
-- name are the owner's: no other role changes them, whatever it was granted.
CREATE OR REPLACE FUNCTION lifecycle_move_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% on % is refused: only the desk''s owner sets it (deskapp init)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = '@refused@', HINT = 'deskapp: the database refused this change';
END $$;
--;
DROP TRIGGER IF EXISTS lifecycle_move_guard ON lifecycle_move;
--;
CREATE TRIGGER lifecycle_move_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON lifecycle_move
    FOR EACH STATEMENT EXECUTE FUNCTION lifecycle_move_guard();
--;
DROP TRIGGER IF EXISTS app_role_guard ON app_role;
--;
CREATE TRIGGER app_role_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON app_role
    FOR EACH STATEMENT EXECUTE FUNCTION lifecycle_move_guard();
--;
-- priority_change is append-only; its actor and time are the session's, not a claim.
CREATE OR REPLACE FUNCTION priority_change_stamp() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
DECLARE
    a record;
BEGIN
    SELECT * INTO a FROM deskapp_actor();
    IF a.who IS NULL OR a.system THEN
        RAISE EXCEPTION '% is not an active staff member and may not change a priority', a.actor
            USING ERRCODE = '@permission@', HINT = 'deskapp: the database refused this change';
    END IF;
    NEW.actor := a.actor;
    NEW.at := deskapp_now();
    RETURN NEW;
END $$;
--;
DROP TRIGGER IF EXISTS ticket_history_update ON ticket;
--;
CREATE TRIGGER ticket_history_update AFTER UPDATE ON ticket
    REFERENCING OLD TABLE AS o NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION ticket_history_update();
--;
DROP TRIGGER IF EXISTS ticket_history_insert ON ticket;
--;
CREATE TRIGGER ticket_history_insert AFTER INSERT ON ticket
    REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION ticket_history_insert();
--;
DROP TRIGGER IF EXISTS ticket_no_delete ON ticket;
--;
CREATE TRIGGER ticket_no_delete BEFORE DELETE OR TRUNCATE ON ticket
    FOR EACH STATEMENT EXECUTE FUNCTION deskapp_refuse('a ticket is never deleted; close it');
--;
DROP TRIGGER IF EXISTS history_guard ON history;
--;
CREATE TRIGGER history_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION history_guard();
--;
DROP TRIGGER IF EXISTS priority_change_append_only ON priority_change;
--;
CREATE TRIGGER priority_change_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON priority_change
    FOR EACH STATEMENT EXECUTE FUNCTION deskapp_refuse('priority changes are kept as they were made');
--;
DROP TRIGGER IF EXISTS priority_change_stamp ON priority_change;
--;
CREATE TRIGGER priority_change_stamp BEFORE INSERT ON priority_change
    FOR EACH ROW EXECUTE FUNCTION priority_change_stamp();
--;
DROP TRIGGER IF EXISTS message_kept ON message;
--;
CREATE TRIGGER message_kept BEFORE DELETE OR TRUNCATE ON message
    FOR EACH STATEMENT EXECUTE FUNCTION deskapp_refuse('the conversation is kept as it was');
--;
DROP TRIGGER IF EXISTS attachment_kept ON attachment;
--;
CREATE TRIGGER attachment_kept BEFORE UPDATE OR DELETE OR TRUNCATE ON attachment
    FOR EACH STATEMENT EXECUTE FUNCTION deskapp_refuse('attachments are kept as they arrived');
--;
-- The search index (v8) is refreshed once per statement, not once per history row:
-- every change to a ticket now writes its history row here (the update trigger above),
-- so the history's statement-level trigger refreshes each ticket changed, after the
-- change, and the ticket's own row trigger is not needed any more. A rule pass over
-- thousands of tickets refreshes their documents with one INSERT ... ON CONFLICT.
DROP TRIGGER IF EXISTS ticket_search_ticket ON ticket;
--;
DROP TRIGGER IF EXISTS ticket_search_history ON history;
--;
CREATE OR REPLACE FUNCTION ticket_search_history_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ticket_search_refresh(ARRAY(SELECT DISTINCT n.ticket_id FROM n WHERE n.ticket_id IS NOT NULL));
    RETURN NULL;
END $$;
--;
CREATE TRIGGER ticket_search_history AFTER INSERT ON history
    REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION ticket_search_history_rows();
--;
-- Whether this session is the desk's shared app role (the row policies below).
CREATE OR REPLACE FUNCTION deskapp_is_app_role() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM app_role WHERE name = session_user)
$$;
--;
-- A person's saved views and "seen" marks are their own: a session sees and writes
-- only the rows of its own login. Exempt: the tables' owner (PostgreSQL exempts an
-- owner from row security) and the desk's shared app role, which work for everyone.
ALTER TABLE saved_view ENABLE ROW LEVEL SECURITY;
--;
DROP POLICY IF EXISTS own_rows ON saved_view;
--;
CREATE POLICY own_rows ON saved_view USING (login = session_user OR deskapp_is_app_role())
    WITH CHECK (login = session_user OR deskapp_is_app_role());
--;
ALTER TABLE ticket_seen ENABLE ROW LEVEL SECURITY;
--;
DROP POLICY IF EXISTS own_rows ON ticket_seen;
--;
CREATE POLICY own_rows ON ticket_seen USING (login = session_user OR deskapp_is_app_role())
    WITH CHECK (login = session_user OR deskapp_is_app_role());
--;
REVOKE ALL ON FUNCTION deskapp_step_kind(text) FROM PUBLIC

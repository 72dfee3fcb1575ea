-- v12 on PostgreSQL: the mail lease, the outbox's authors and who re-prioritises,
-- enforced by the database (see v0012_guards.py).
--
-- @schema@ is the desk's schema (every SECURITY DEFINER function below runs with it
-- as its fixed search_path); @ttl@ the lease's lifetime (deskapp.mail.lease.TTL) as
-- an interval literal; @role_labels@ each role's words with its article ("a team
-- lead"), in the domain's order, as VALUES rows (deskapp.domain.lifecycle.Role);
-- @refused@, @permission@ the SQLSTATEs deskapp.store.refusals maps to the app's own
-- errors. Statements are separated by lines holding only "--;".
--
-- Who acts is v11's `deskapp_actor()`: a session signed in as a staff member acts as
-- that member (or says it runs one of the desk's own steps: rules, mail, mailer, and
-- its own login is recorded beside it); the tables' owner and a desk's old shared app
-- role may vouch for a staff member by name.

-- The sessions that may act for anyone: the tables' owner and the shared app role of a
-- desk from before every person signed in as themselves (as v11's deskapp_actor says).
CREATE OR REPLACE FUNCTION deskapp_vouches() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
    SELECT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'mail_lease'::regclass), 'MEMBER')
        OR EXISTS (SELECT 1 FROM app_role r WHERE r.name = session_user)
$$;
--;
-- The mail lease (deskapp.mail.lease): whose session holds it is `db_user`, stamped
-- here from session_user, whatever the row's workstation name (`holder`) says. A staff
-- session takes the lease only when it is free or expired by the server's clock,
-- renews, releases and moves the reading position only while the live lease is its
-- own, and can set its expiry no later than the server's time plus the TTL. Another's
-- live lease is left as it is (the statement touches no row: the app reads that as
-- "held by another", its takeover waits for the expiry, as before).
CREATE OR REPLACE FUNCTION mail_lease_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
DECLARE
    now_ timestamp := deskapp_now();
    live boolean;
    mine boolean;
BEGIN
    IF deskapp_vouches() THEN
        NEW.db_user := CASE WHEN NEW.holder IS NULL THEN NULL ELSE session_user END;
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.holder IS NOT NULL OR NEW.expires_at IS NOT NULL OR NEW.acquired_at IS NOT NULL
            OR NEW.mailbox IS NOT NULL OR NEW.uidvalidity IS NOT NULL OR NEW.last_uid IS NOT NULL
            OR NEW.polled_at IS NOT NULL THEN
            RAISE EXCEPTION 'the mail lease''s row is added empty; a workstation takes the lease by updating it'
                USING ERRCODE = '@refused@', HINT = 'deskapp: the database refused this change';
        END IF;
        NEW.db_user := NULL;
        RETURN NEW;
    END IF;
    IF NEW.name IS DISTINCT FROM OLD.name THEN
        RAISE EXCEPTION 'the mail lease keeps its name' USING ERRCODE = '@refused@',
            HINT = 'deskapp: the database refused this change';
    END IF;
    live := OLD.holder IS NOT NULL AND OLD.expires_at IS NOT NULL AND OLD.expires_at >= now_;
    mine := OLD.db_user IS NOT DISTINCT FROM session_user;
    IF live AND NOT mine THEN
        RETURN NULL;  -- another person's live lease: theirs until it runs out
    END IF;
    IF (NEW.mailbox, NEW.uidvalidity, NEW.last_uid, NEW.polled_at)
        IS DISTINCT FROM (OLD.mailbox, OLD.uidvalidity, OLD.last_uid, OLD.polled_at) THEN
        IF NOT live OR NEW.holder IS DISTINCT FROM OLD.holder THEN
            RETURN NULL;  -- only the live lease's holder moves the reading position
        END IF;
        IF NEW.mailbox IS NOT DISTINCT FROM OLD.mailbox AND NEW.uidvalidity IS NOT DISTINCT FROM OLD.uidvalidity
            AND coalesce(NEW.last_uid, 0) < coalesce(OLD.last_uid, 0) THEN
            RAISE EXCEPTION 'the mailbox''s reading position never moves back (it is at UID %)', OLD.last_uid
                USING ERRCODE = '@refused@', HINT = 'deskapp: the database refused this change';
        END IF;
    END IF;
    IF NEW.holder IS NULL THEN
        NEW.expires_at := NULL;
        NEW.db_user := NULL;
    ELSE
        -- The server's clock decides how long a lease lasts, not the workstation's.
        NEW.expires_at := least(coalesce(NEW.expires_at, now_ + @ttl@), now_ + @ttl@);
        NEW.db_user := session_user;
    END IF;
    RETURN NEW;
END $$;
--;
DROP TRIGGER IF EXISTS mail_lease_guard ON mail_lease;
--;
CREATE TRIGGER mail_lease_guard BEFORE INSERT OR UPDATE ON mail_lease
    FOR EACH ROW EXECUTE FUNCTION mail_lease_guard();
--;
DROP TRIGGER IF EXISTS mail_lease_kept ON mail_lease;
--;
CREATE TRIGGER mail_lease_kept BEFORE DELETE OR TRUNCATE ON mail_lease
    FOR EACH STATEMENT EXECUTE FUNCTION deskapp_refuse('the mail lease is released, never deleted');
--;
-- Who wrote an outbound message: `author` is the acting staff login, or one of the
-- desk's own actors (rules, mail, mailer) when the session says it runs that step;
-- `db_user` is the session's own login (its default; nobody gives another). Checked
-- per statement with its transition table, so a rule pass queueing a thousand
-- notices pays one check, not a thousand.
ALTER TABLE outbox ALTER COLUMN db_user SET DEFAULT session_user;
--;
CREATE OR REPLACE FUNCTION outbox_written() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
DECLARE
    a record;
    bad record;
BEGIN
    SELECT * INTO a FROM deskapp_actor();
    SELECT n.id, n.author, n.db_user, n.status INTO bad FROM n
    WHERE n.author IS DISTINCT FROM a.actor OR n.db_user IS DISTINCT FROM session_user
        OR n.status <> 'pending' OR n.attempts <> 0 OR n.sent_at IS NOT NULL
        OR n.claimed_by IS NOT NULL OR n.claimed_until IS NOT NULL
    LIMIT 1;
    IF FOUND THEN
        IF bad.author IS DISTINCT FROM a.actor THEN
            RAISE EXCEPTION 'a message to a reseller is written by % (the person signed in, or the desk step it says it runs), not by %',
                a.actor, coalesce(bad.author, 'nobody') USING ERRCODE = '@permission@',
                HINT = 'deskapp: the database refused this change';
        ELSIF bad.db_user IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a message to a reseller records the session that wrote it (%), not %',
                session_user, coalesce(bad.db_user, 'nobody') USING ERRCODE = '@permission@',
                HINT = 'deskapp: the database refused this change';
        END IF;
        RAISE EXCEPTION 'a message to a reseller is queued unsent (pending, no attempt yet); the sender records its delivery'
            USING ERRCODE = '@refused@', HINT = 'deskapp: the database refused this change';
    END IF;
    RETURN NULL;
END $$;
--;
-- What was queued is what is sent: only the delivery columns the sender, a bounce or
-- a retry set (status, attempts, next attempt, claim, sent time, error) change, and
-- the Message-ID only in its domain (the sender's own, before the first attempt).
CREATE OR REPLACE FUNCTION outbox_kept() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT o.id INTO bad FROM o JOIN n ON n.id = o.id
    WHERE (n.ticket_id, n.kind, n.recipient, n.subject, n.body, n.created_at, n.author, n.db_user)
        IS DISTINCT FROM (o.ticket_id, o.kind, o.recipient, o.subject, o.body, o.created_at, o.author, o.db_user)
        OR split_part(n.message_id, '@', 1) <> split_part(o.message_id, '@', 1)
    LIMIT 1;
    IF FOUND OR (SELECT count(*) FROM n) <> (SELECT count(*) FROM o JOIN n USING (id)) THEN
        RAISE EXCEPTION 'message % to a reseller is sent as it was written: only its delivery (status, attempts, claim, sent time, error) changes',
            coalesce(bad::text, '') USING ERRCODE = '@refused@', HINT = 'deskapp: the database refused this change';
    END IF;
    RETURN NULL;
END $$;
--;
DROP TRIGGER IF EXISTS outbox_written ON outbox;
--;
CREATE TRIGGER outbox_written AFTER INSERT ON outbox
    REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION outbox_written();
--;
DROP TRIGGER IF EXISTS outbox_kept ON outbox;
--;
CREATE TRIGGER outbox_kept AFTER UPDATE ON outbox
    REFERENCING OLD TABLE AS o NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION outbox_kept();
--;
DROP TRIGGER IF EXISTS outbox_no_delete ON outbox;
--;
CREATE TRIGGER outbox_no_delete BEFORE DELETE OR TRUNCATE ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION deskapp_refuse('what was queued to a reseller is kept');
--;
-- Who may change a ticket's priority: the roles in `reprioritise_role` (seeded from the
-- default policy's `process.reprioritise_roles`; an administrator changes them). Runs
-- before v11's priority_change_stamp (triggers fire in name order); a session that is
-- no active staff member, or a desk step, is refused there.
CREATE OR REPLACE FUNCTION deskapp_role_a_label(p_role text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = @schema@, pg_temp AS $$
    SELECT coalesce((SELECT l.words FROM (VALUES @role_labels@) AS l(role, words, rank) WHERE l.role = p_role),
                    'the role ' || p_role)
$$;
--;
CREATE OR REPLACE FUNCTION deskapp_reprioritisers() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
DECLARE
    names text[];
BEGIN
    SELECT array_agg(l.words ORDER BY l.rank) INTO names
    FROM (VALUES @role_labels@) AS l(role, words, rank) JOIN reprioritise_role r ON r.role = l.role;
    IF names IS NULL THEN
        RETURN 'nobody';
    ELSIF cardinality(names) = 1 THEN
        RETURN names[1];
    END IF;
    RETURN array_to_string(names[1:cardinality(names) - 1], ', ') || ' or ' || names[cardinality(names)];
END $$;
--;
-- Whether a row this session can see was written by its own transaction (or one of
-- its savepoints): a writer still in progress whose row is visible can only be oneself.
-- The row's 32-bit xmin is placed in the current transaction id's epoch first.
CREATE OR REPLACE FUNCTION deskapp_written_here(p_xmin xid) RETURNS boolean
LANGUAGE sql VOLATILE SET search_path = @schema@, pg_temp AS $$
    SELECT pg_xact_status((CASE WHEN x > cur THEN x - 4294967296 ELSE x END)::text::xid8) = 'in progress'
    FROM (SELECT cur, ((cur >> 32) << 32) | p_xmin::text::bigint AS x
          FROM (SELECT pg_current_xact_id()::text::bigint AS cur) c) v
$$;
--;
CREATE OR REPLACE FUNCTION priority_change_roles() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_temp AS $$
DECLARE
    a record;
BEGIN
    SELECT * INTO a FROM deskapp_actor();
    IF a.who IS NULL OR a.system THEN
        RETURN NEW;  -- priority_change_stamp refuses it, in its own words
    END IF;
    -- Logging at a priority the impact does not suggest (with its reason) is anyone's who
    -- logs: that change has no earlier due time, and its ticket was logged by this very
    -- transaction (its "logged" history row, written only by v11's trigger, is ours).
    IF NEW.from_due IS NULL AND EXISTS (
        SELECT 1 FROM history h WHERE h.ticket_id = NEW.ticket_id AND h.from_status IS NULL
            AND deskapp_written_here(h.xmin)) THEN
        RETURN NEW;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM reprioritise_role r WHERE r.role = a.who) THEN
        RAISE EXCEPTION 'only % may change a ticket''s priority on this desk; % (%) may not',
            deskapp_reprioritisers(), a.actor, deskapp_role_a_label(a.who)
            USING ERRCODE = '@permission@', HINT = 'deskapp: the database refused this change';
    END IF;
    RETURN NEW;
END $$;
--;
DROP TRIGGER IF EXISTS priority_change_roles ON priority_change;
--;
CREATE TRIGGER priority_change_roles BEFORE INSERT ON priority_change
    FOR EACH ROW EXECUTE FUNCTION priority_change_roles();

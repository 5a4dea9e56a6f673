-- Model registry: versioned, activatable models by name (docs/production.md)
--
-- Privileges: the table belongs to the extension's owner and PUBLIC has no rights on it.
-- Every registry function runs with the caller's rights (none is SECURITY DEFINER), so
--   reading (seg_model, seg_assign(name, ...), seg_label_trigger) needs SELECT on seg_models;
--   saving, training and activating (seg_save, seg_train, seg_activate) need SELECT, INSERT
--   and UPDATE on it (they take a SHARE ROW EXCLUSIVE lock, which needs UPDATE). That UPDATE
--   right changes only "active" of a saved version: the trigger seg_models_guard below.
CREATE TABLE seg_models (
    name       text        NOT NULL CHECK (name <> ''),
    version    int         NOT NULL CHECK (version >= 1),
    model      segmodel    NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    active     boolean     NOT NULL DEFAULT false,
    created_by text        NOT NULL DEFAULT current_user,
    trained_on text,
    PRIMARY KEY (name, version)
);
-- Saved versions are immutable for every role but the table's owner (and its members;
-- superusers): an UPDATE may change only "active" (all seg_activate, seg_save and seg_train
-- do), and a new row's created_by and created_at must be the registry's own (current_user,
-- now()). A forged value is refused, not overwritten, as PostgreSQL refuses an explicit
-- value for a GENERATED ALWAYS identity: the attempt is visible and nothing is silently
-- rewritten. The owner keeps every right, so pg_restore and data fixes work as before.
CREATE FUNCTION seg_models_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    unchanged record;
    owner_name name;
    col name;
    same boolean;
BEGIN
    SELECT pg_get_userbyid(c.relowner) INTO owner_name FROM pg_class c WHERE c.oid = TG_RELID;
    IF pg_has_role(current_user, owner_name, 'MEMBER') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.created_by IS DISTINCT FROM current_user::text THEN
            RAISE EXCEPTION 'seg_models: a new version''s created_by must be the inserting role "%", not "%"',
                            current_user, NEW.created_by
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Leave created_by and created_at out of the INSERT (their defaults '
                             'are current_user and now()); only the owner of seg_models ("'
                             || owner_name || '") may write other values, as a restore does.';
        END IF;
        IF NEW.created_at IS DISTINCT FROM now() THEN
            RAISE EXCEPTION 'seg_models: a new version''s created_at must be now(), the start of the inserting transaction, not %',
                            coalesce(NEW.created_at::text, 'NULL')
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Leave created_by and created_at out of the INSERT (their defaults '
                             'are current_user and now()); only the owner of seg_models ("'
                             || owner_name || '") may write other values, as a restore does.';
        END IF;
        RETURN NEW;
    END IF;
    -- UPDATE: the row with the new "active" and every other column as it was must be the new
    -- row, byte for byte (*= compares binary images: segmodel has no equality operator).
    unchanged := OLD;
    unchanged.active := NEW.active;
    IF unchanged OPERATOR(pg_catalog.*=) NEW THEN
        RETURN NEW;
    END IF;
    FOR col IN SELECT a.attname FROM pg_attribute a
               WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped
                 AND a.attname <> 'active'
               ORDER BY a.attnum LOOP
        -- (Not ROW(a) *= ROW(b): a row comparison is expanded column by column, and text
        -- has no *=. The text forms differ when the values do; this runs only to name one.)
        EXECUTE format('SELECT ($1).%1$I::text IS NOT DISTINCT FROM ($2).%1$I::text', col)
            INTO same USING OLD, NEW;
        EXIT WHEN NOT same;
    END LOOP;
    RAISE EXCEPTION 'seg_models: column "%" of saved version % of model "%" cannot change; only "active" may be updated',
                    col, OLD.version, OLD.name
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'Saved versions are immutable for every role but the owner of seg_models ("'
                       || owner_name || '").',
              HINT = 'Save a new version with seg_save or seg_train; seg_activate switches '
                     'the active one.';
END
$$;
COMMENT ON FUNCTION seg_models_guard() IS
    'Trigger on seg_models: for roles other than its owner, an UPDATE may change only "active" '
    'and an INSERT must leave created_by and created_at to the registry (internal)';
CREATE TRIGGER seg_models_guard BEFORE INSERT OR UPDATE ON seg_models
    FOR EACH ROW EXECUTE FUNCTION seg_models_guard();

-- At most one active version per name; also the index the active-model lookups use.
CREATE UNIQUE INDEX seg_models_one_active ON seg_models (name) WHERE active;
-- pg_dump keeps the rows (every model, and which version is active).
SELECT pg_catalog.pg_extension_config_dump('seg_models', '');
REVOKE ALL ON seg_models FROM PUBLIC;
COMMENT ON TABLE seg_models IS
    'Model registry: every saved version of every named model; exactly one active version '
    'per name is used by seg_model, seg_assign(name, ...) and seg_label_trigger';
COMMENT ON COLUMN seg_models.active IS
    'The version seg_model(name) returns; at most one per name (seg_activate switches it)';
COMMENT ON COLUMN seg_models.trained_on IS
    'The table or view seg_train fitted the version on; NULL for seg_save';

-- The checks every registry writer applies to a model name before any work: not NULL, not
-- empty, and short enough for the primary key's index (a btree entry must stay under 2704
-- bytes; a longer name failed only at the INSERT, after the whole fit).
CREATE FUNCTION seg_require_model_name(name text, caller text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION '%: the model name must not be NULL or empty', caller
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF octet_length(name) > 1024 THEN
        RAISE EXCEPTION '%: the model name is % bytes long; at most 1024 are allowed', caller,
                        octet_length(name)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;
COMMENT ON FUNCTION seg_require_model_name(text, text) IS
    'Raises 22023 naming the caller when a model name is NULL, empty or over 1024 bytes '
    '(internal)';

-- The one writer of new versions (seg_save and seg_train): numbers the version after the
-- newest of the name, deactivates the active one when asked and inserts the row with its
-- trained_on, in one INSERT (the registry trigger lets no one else change trained_on later).
CREATE FUNCTION seg_save_version(name text, model segmodel, activate boolean, trained_on text)
    RETURNS int LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    new_version int;
BEGIN
    -- One saver or activator at a time; readers (triggers, seg_model) are not blocked.
    LOCK TABLE @extschema@.seg_models IN SHARE ROW EXCLUSIVE MODE;
    SELECT coalesce(max(m.version), 0) + 1 INTO new_version
    FROM @extschema@.seg_models m WHERE m.name = seg_save_version.name;
    IF seg_save_version.activate THEN
        UPDATE @extschema@.seg_models m SET active = false
        WHERE m.name = seg_save_version.name AND m.active;
    END IF;
    INSERT INTO @extschema@.seg_models (name, version, model, active, trained_on)
    VALUES (seg_save_version.name, new_version, seg_save_version.model,
            seg_save_version.activate, seg_save_version.trained_on);
    RETURN new_version;
EXCEPTION WHEN unique_violation THEN
    -- Only reachable when this transaction's snapshot predates another saver's commit
    -- (REPEATABLE READ or SERIALIZABLE): the version number it computed is taken.
    RAISE EXCEPTION 'seg_save: another transaction saved a version of model "%" concurrently',
                    seg_save_version.name
        USING ERRCODE = 'serialization_failure',
              HINT = 'Retry the transaction.';
END
$$;
COMMENT ON FUNCTION seg_save_version(text, segmodel, boolean, text) IS
    'Inserts a model as the next version of a name with its trained_on, activating it when '
    'asked; returns the version (internal: seg_save and seg_train call it)';

CREATE FUNCTION seg_save(name text, model segmodel, activate boolean DEFAULT true)
    RETURNS int LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.seg_require_model_name(seg_save.name, 'seg_save');
    IF seg_save.model IS NULL OR seg_save.activate IS NULL THEN
        RAISE EXCEPTION 'seg_save: model and activate must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    RETURN @extschema@.seg_save_version(seg_save.name, seg_save.model, seg_save.activate, NULL);
END
$$;
COMMENT ON FUNCTION seg_save(text, segmodel, boolean) IS
    'Saves a model as the next version of a name (1, 2, ...) and returns that version; '
    'activates it unless activate is false';

CREATE FUNCTION seg_activate(name text, version int)
    RETURNS void LANGUAGE plpgsql VOLATILE STRICT
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
    LOCK TABLE @extschema@.seg_models IN SHARE ROW EXCLUSIVE MODE;
    PERFORM FROM @extschema@.seg_models m
    WHERE m.name = seg_activate.name AND m.version = seg_activate.version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'seg_activate: model "%" has no version %',
                        seg_activate.name, seg_activate.version
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT version FROM seg_models WHERE name = ... lists the versions.';
    END IF;
    -- Two statements, deactivation first: the partial unique index is checked per row.
    UPDATE @extschema@.seg_models m SET active = false
    WHERE m.name = seg_activate.name AND m.active AND m.version <> seg_activate.version;
    UPDATE @extschema@.seg_models m SET active = true
    WHERE m.name = seg_activate.name AND m.version = seg_activate.version AND NOT m.active;
END
$$;
COMMENT ON FUNCTION seg_activate(text, int) IS
    'Makes a saved version the active one for its name (roll back or forward); transactional: '
    'other sessions see the old or the new version, never none';

-- In C (src/pg/registry_by_name.cpp), with seg_assign(name, ...)'s lookup: the registry is
-- read once per statement and call site, not once per row (README, "The model registry").
CREATE FUNCTION seg_model(name text) RETURNS segmodel
    AS 'MODULE_PATHNAME', 'seg_model_by_name' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_model(text) IS
    'The active version of a named model; an error when the name has no active version';

CREATE FUNCTION seg_assign(name text, features float8[]) RETURNS int
    AS 'MODULE_PATHNAME', 'seg_assign_name' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION seg_assign(text, float8[]) IS
    'Cluster number of a customer''s features under the active version of a named model '
    '(looked up once per statement and call site); NULL when a feature is missing and the '
    'model does not impute';

-- Model registry: versioned, activatable models by name (docs/production.md)
--
-- Privileges: the table belongs to the extension's owner and PUBLIC has no rights on it.
-- Every registry function runs with the caller's rights (none is SECURITY DEFINER), so
--   reading (seg_model, seg_assign(name, ...), seg_label_trigger) needs SELECT on seg_models;
--   saving, training and activating (seg_save, seg_train, seg_activate) need SELECT, INSERT
--   and UPDATE on it (they take a SHARE ROW EXCLUSIVE lock, which needs UPDATE).
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

CREATE FUNCTION seg_save(name text, model segmodel, activate boolean DEFAULT true)
    RETURNS int LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    new_version int;
BEGIN
    PERFORM @extschema@.seg_require_model_name(seg_save.name, 'seg_save');
    IF seg_save.model IS NULL OR seg_save.activate IS NULL THEN
        RAISE EXCEPTION 'seg_save: model and activate must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- One saver or activator at a time; readers (triggers, seg_model) are not blocked.
    LOCK TABLE @extschema@.seg_models IN SHARE ROW EXCLUSIVE MODE;
    SELECT coalesce(max(m.version), 0) + 1 INTO new_version
    FROM @extschema@.seg_models m WHERE m.name = seg_save.name;
    IF seg_save.activate THEN
        UPDATE @extschema@.seg_models m SET active = false
        WHERE m.name = seg_save.name AND m.active;
    END IF;
    INSERT INTO @extschema@.seg_models (name, version, model, active)
    VALUES (seg_save.name, new_version, seg_save.model, seg_save.activate);
    RETURN new_version;
EXCEPTION WHEN unique_violation THEN
    -- Only reachable when this transaction's snapshot predates another saver's commit
    -- (REPEATABLE READ or SERIALIZABLE): the version number it computed is taken.
    RAISE EXCEPTION 'seg_save: another transaction saved a version of model "%" concurrently',
                    seg_save.name
        USING ERRCODE = 'serialization_failure',
              HINT = 'Retry the transaction.';
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

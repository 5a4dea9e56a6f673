-- Labelling rows as they are written
CREATE FUNCTION seg_label_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'seg_label_trigger' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION seg_label_trigger() IS
    'BEFORE INSERT OR UPDATE FOR EACH ROW trigger; arguments: model name, segment column, '
    'feature columns..., optionally ''version_column=<column>''; sets the segment (and the '
    'version) from the active model';

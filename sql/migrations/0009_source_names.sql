-- 0009_source_names: an SNDS source name becomes a directory and a file
-- name (state_dir/raw/NAME/, state_dir/tokens/NAME.json), so it must be a
-- plain name: letters, digits, "_", "." and "-", at most 64, no leading dot,
-- no "..". repwatch checks every name where it enters (configuration,
-- command line, rows read back); this constraint keeps a name written by
-- hand out too. NOT VALID: an installation holding an older, bad row still
-- migrates (repwatch skips that row with a warning).

ALTER TABLE repwatch.snds_source
    ADD CONSTRAINT snds_source_name_plain CHECK (
        name ~ '^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$'
        AND strpos(name, '..') = 0) NOT VALID;

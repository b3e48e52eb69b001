-- Keys scoped to a unit (`tthc key create --unit CODE`, src/http/keys.c; the rule is
-- src/records/scope.c): a write key with a unit_code loads only the records of that unit and the
-- units below it. NULL: the key is not limited to a unit (every key made before this migration).
-- The code, not the id, so that `tthc key list` shows it as it was given; units are never
-- deleted, so the code keeps naming the unit.
ALTER TABLE api_keys ADD COLUMN unit_code TEXT;

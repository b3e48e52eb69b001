-- API keys (src/http/keys.c). A key's token is shown once, at creation, and never stored: only its
-- SHA-256. A request's token is looked up by its first 8 characters (prefix, also what
-- `tthc key list` shows to tell keys apart) and then compared by hash. Times are UTC,
-- "YYYY-MM-DDTHH:MM:SSZ", so that they compare as text.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,     -- 1-64 of [A-Za-z0-9._-]; a revoked key keeps its name
    prefix TEXT NOT NULL,          -- the token's first 8 characters, shown by `key list`
    hash BLOB NOT NULL,            -- SHA-256 of the whole token
    scope INTEGER NOT NULL,        -- 1 read, 2 write, 3 admin (each includes the ones below)
    rate_exempt INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    expires_at TEXT,               -- NULL: never
    revoked_at TEXT
);
CREATE INDEX api_keys_prefix ON api_keys(prefix);

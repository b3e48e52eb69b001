-- Units, procedures and dossiers: every field that a counter reads is a typed column.
-- Days are integers: days since 1970-01-01 in local time (+07:00), see src/domain/ltime.c.
CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL,          -- 1 province, 2 district, 3 commune
    parent_id   INTEGER REFERENCES units(id),
    valid_from  INTEGER,                   -- local day, NULL: always
    valid_to    INTEGER
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE procedures (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT,                  -- NULL: registered by a dossier, not yet named
    field           TEXT,
    online_service  INTEGER                -- 0 none, 1 partial, 2 full, NULL unknown
);

CREATE TABLE dossiers (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    procedure_id    INTEGER NOT NULL REFERENCES procedures(id),
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    channel         INTEGER NOT NULL,      -- 1 in_person, 2 online, 3 postal (DVCQG codes)
    status          INTEGER NOT NULL,      -- 1..10, the DVCQG status codes
    received_day    INTEGER,               -- NULL only for status receiving
    due_day         INTEGER,
    finished_day    INTEGER,
    fee             INTEGER NOT NULL DEFAULT 0,  -- VND
    online_payment  INTEGER,               -- NULL not paid online, 1 dvcqg, 2 local_gateway
    received_at     TEXT,                  -- the times as sent, for reading back
    due_at          TEXT,
    finished_at     TEXT,
    version         INTEGER NOT NULL       -- meta.generation of the write that stored it
);
-- Figures are counted in memory (src/engine/), which reads rows by version; the SQL recount
-- (src/recount/) reads a period through received_day. Every index slows loading, so there are
-- no others.
CREATE INDEX dossiers_received ON dossiers(received_day);
CREATE INDEX dossiers_version ON dossiers(version);

-- generation: bumped by every write transaction, so that readers holding figures in memory
-- (src/engine/) know what changed since they last looked.
CREATE TABLE meta (
    key     TEXT PRIMARY KEY,
    value   INTEGER NOT NULL
);
INSERT INTO meta(key, value) VALUES ('generation', 0);

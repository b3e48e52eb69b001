-- The records the report speaks of beyond dossiers (domain.md): feedback (PAKN), satisfaction
-- ratings, payment transactions, decisions announcing procedure lists; and unit succession
-- across the 2025 reform. Days are local day numbers like the dossiers'.
ALTER TABLE units ADD COLUMN successor_id INTEGER REFERENCES units(id);

CREATE TABLE feedback (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    procedure_id    INTEGER REFERENCES procedures(id),
    dossier_code    TEXT,
    subject         TEXT,
    status          INTEGER NOT NULL,      -- 1 pending, 2 processing, 3 resolved, 4 rejected
    received_day    INTEGER NOT NULL,
    resolved_day    INTEGER,               -- the day it was settled or rejected
    published       INTEGER NOT NULL DEFAULT 0,
    received_at     TEXT NOT NULL,
    resolved_at     TEXT,
    version         INTEGER NOT NULL       -- meta.generation of the write, as for dossiers
);
CREATE INDEX feedback_received ON feedback(received_day);
CREATE INDEX feedback_version ON feedback(version);

CREATE TABLE ratings (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    dossier_id      INTEGER NOT NULL REFERENCES dossiers(id),  -- unit, procedure, channel
    rating          INTEGER NOT NULL,      -- 1 very_satisfied, 2 satisfied, 3 dissatisfied
    rated_day       INTEGER NOT NULL,
    rated_at        TEXT NOT NULL,
    reason          TEXT,                  -- required when dissatisfied
    comment         TEXT,
    version         INTEGER NOT NULL
);
CREATE INDEX ratings_rated ON ratings(rated_day);
CREATE INDEX ratings_version ON ratings(version);

CREATE TABLE payments (
    rowid_          INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,  -- the transaction id
    dossier_id      INTEGER NOT NULL REFERENCES dossiers(id),
    amount          INTEGER NOT NULL,      -- VND
    channel         INTEGER NOT NULL,      -- 1 dvcqg, 2 local_gateway
    status          INTEGER NOT NULL,      -- 1 success, 2 failed, 3 refunded
    paid_day        INTEGER NOT NULL,
    paid_at         TEXT NOT NULL,
    version         INTEGER NOT NULL
);
CREATE INDEX payments_paid ON payments(paid_day);
CREATE INDEX payments_version ON payments(version);

CREATE TABLE announcements (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,  -- the decision's number, e.g. 1234/QĐ-UBND
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    procedures      INTEGER NOT NULL,      -- procedures the decision publishes
    signed_day      INTEGER NOT NULL,
    effective_day   INTEGER,
    published_day   INTEGER,
    signed_at       TEXT NOT NULL,
    effective_at    TEXT,
    published_at    TEXT,
    version         INTEGER NOT NULL
);
CREATE INDEX announcements_signed ON announcements(signed_day);
CREATE INDEX announcements_version ON announcements(version);

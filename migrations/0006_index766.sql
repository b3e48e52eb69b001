-- The facts of the national index QĐ 766 (docs/index766.md, "New facts the records carry").
-- Every flag is 0 or 1, 0 when not sent; lists are rows of their own, replaced whole with their
-- record. Existing rows keep everything they had and read as 0 / empty for the new facts.
ALTER TABLE dossiers ADD COLUMN synced INTEGER NOT NULL DEFAULT 0;            -- pushed to the portal
ALTER TABLE dossiers ADD COLUMN digitised INTEGER NOT NULL DEFAULT 0;         -- a component as a file
ALTER TABLE dossiers ADD COLUMN reused_data INTEGER NOT NULL DEFAULT 0;       -- reused digitised data
ALTER TABLE dossiers ADD COLUMN from_citizen_store INTEGER NOT NULL DEFAULT 0; -- from the citizen's store
ALTER TABLE dossiers ADD COLUMN electronic_result INTEGER NOT NULL DEFAULT 0; -- result issued electronically
ALTER TABLE dossiers ADD COLUMN vneid INTEGER NOT NULL DEFAULT 0;             -- account verified with VNeID

-- A dossier's requests for more documents, in the order sent (seq from 0).
CREATE TABLE supplements (
    dossier_id      INTEGER NOT NULL REFERENCES dossiers(id),
    seq             INTEGER NOT NULL,
    requested_day   INTEGER NOT NULL,      -- local day
    completed_day   INTEGER,               -- NULL: not completed
    requested_at    TEXT NOT NULL,         -- the times as sent, for reading back
    completed_at    TEXT,
    PRIMARY KEY (dossier_id, seq)
) WITHOUT ROWID;

ALTER TABLE procedures ADD COLUMN paper_result INTEGER NOT NULL DEFAULT 0;     -- issues a paper result
ALTER TABLE procedures ADD COLUMN parts_complete INTEGER NOT NULL DEFAULT 0;   -- all seven parts published
ALTER TABLE procedures ADD COLUMN e_certified_copy INTEGER NOT NULL DEFAULT 0; -- the e-certified copy service

-- A decision's list of procedures, in the order sent (seq from 0).
CREATE TABLE announcement_procedures (
    announcement_id INTEGER NOT NULL REFERENCES announcements(id),
    seq             INTEGER NOT NULL,
    procedure_id    INTEGER NOT NULL REFERENCES procedures(id),
    effective_day   INTEGER NOT NULL,      -- the legal basis takes effect
    published_day   INTEGER,               -- published on the national database; NULL: not yet
    effective_on    TEXT NOT NULL,         -- the days as sent
    published_on    TEXT,
    PRIMARY KEY (announcement_id, seq)
) WITHOUT ROWID;

ALTER TABLE feedback ADD COLUMN disliked INTEGER NOT NULL DEFAULT 0;  -- the citizen disliked the answer
ALTER TABLE feedback ADD COLUMN repeated INTEGER NOT NULL DEFAULT 0;  -- a repeat of an earlier complaint

-- 5.4 takes out every dossier a feedback item names, whenever either arrived: the engine finds
-- the items that name a dossier written since it last looked.
CREATE INDEX feedback_dossier ON feedback(dossier_code);

-- When each write generation happened, so that the freshness report can say when a unit's
-- data last arrived (the unit's newest record carries the generation that wrote it).
CREATE TABLE generations (
    generation  INTEGER PRIMARY KEY,
    at          TEXT NOT NULL               -- UTC, RFC 3339
);

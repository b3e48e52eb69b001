-- The catalogue's version: every change to the units, the procedures or the holidays bumps
-- meta.catalogue, whoever writes it (a load, the portal's procedure names, an operator's
-- holiday, a hand edit). The engine (src/engine/refresh.c) reads these three tables again only
-- when this number moved since it last read them; a refresh after a load of dossiers alone
-- then costs the dossiers it reads, not the whole catalogue (issue 17, "live load").
INSERT INTO meta(key, value) VALUES ('catalogue', 0);

CREATE TRIGGER units_insert_catalogue AFTER INSERT ON units
BEGIN UPDATE meta SET value = value + 1 WHERE key = 'catalogue'; END;
CREATE TRIGGER units_update_catalogue AFTER UPDATE ON units
BEGIN UPDATE meta SET value = value + 1 WHERE key = 'catalogue'; END;
CREATE TRIGGER units_delete_catalogue AFTER DELETE ON units
BEGIN UPDATE meta SET value = value + 1 WHERE key = 'catalogue'; END;

CREATE TRIGGER procedures_insert_catalogue AFTER INSERT ON procedures
BEGIN UPDATE meta SET value = value + 1 WHERE key = 'catalogue'; END;
CREATE TRIGGER procedures_update_catalogue AFTER UPDATE ON procedures
BEGIN UPDATE meta SET value = value + 1 WHERE key = 'catalogue'; END;
CREATE TRIGGER procedures_delete_catalogue AFTER DELETE ON procedures
BEGIN UPDATE meta SET value = value + 1 WHERE key = 'catalogue'; END;

CREATE TRIGGER holidays_insert_catalogue AFTER INSERT ON holidays
BEGIN UPDATE meta SET value = value + 1 WHERE key = 'catalogue'; END;
CREATE TRIGGER holidays_update_catalogue AFTER UPDATE ON holidays
BEGIN UPDATE meta SET value = value + 1 WHERE key = 'catalogue'; END;
CREATE TRIGGER holidays_delete_catalogue AFTER DELETE ON holidays
BEGIN UPDATE meta SET value = value + 1 WHERE key = 'catalogue'; END;

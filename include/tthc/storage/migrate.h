/* The schema and its copies: the numbered migrations of migrations/ (compiled in), applied in
 * order and recorded in schema_migrations; and consistent online backups.
 */
#ifndef TTHC_STORAGE_MIGRATE_H
#define TTHC_STORAGE_MIGRATE_H

#include <stddef.h>

#include "tthc/storage/db.h"

struct migration {
    int version;
    const char *name;
    const char *sql;
};

/* Generated from migrations/ at build time (scripts/embed_migrations.py). */
extern const struct migration migrations[];
extern const int migrations_count;

/* Applies pending migrations, each in its own transaction, and records them in
 * schema_migrations. A database with a migration this binary does not know is refused
 * untouched. *applied (may be NULL) receives how many ran. Returns 0, or -1 with a reason. */
int db_migrate(struct db_conn *c, int *applied, char *err, size_t errlen);

/* Copies the database behind c into a new file at path, consistently even while others write
 * (SQLite's online backup, a few pages at a time), then checks the copy's integrity. path must
 * not exist. Returns 0, or -1 with a reason. */
int db_backup(struct db_conn *c, const char *path, char *err, size_t errlen);

#endif

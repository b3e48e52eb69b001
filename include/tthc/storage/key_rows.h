/* The api_keys table (migrations/0004_keys.sql): what a key is stored as, never its token: its
 * name, its first 8 characters, the SHA-256 of the token, scope, times as UTC text
 * ("YYYY-MM-DDTHH:MM:SSZ", which compare as text). The rules of keys are http/keys.c's.
 */
#ifndef TTHC_STORAGE_KEY_ROWS_H
#define TTHC_STORAGE_KEY_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "tthc/storage/db.h"

struct key_row {
    const char *name, *prefix;
    const void *hash; /* hash_len bytes */
    size_t hash_len;
    int scope;
    bool rate_exempt;
    const char *created_at;
    const char *expires_at; /* NULL: never */
    const char *revoked_at; /* NULL: not revoked */
    const char *unit;       /* the unit a write key is limited to (unit_code); NULL: none */
};

/* Stores a new key (r->revoked_at is ignored; r->prefix is prefix_len bytes). Returns 0, 1 when
 * the name is taken (names stay unique for good, revoked keys' too), -1 on a database error
 * (logged). */
int key_rows_insert(struct db_conn *c, const struct key_row *r, size_t prefix_len);

/* Marks the key named name revoked at now. Returns 1 done, 0 when no key of that name is
 * unrevoked, -1 on a database error (logged). */
int key_rows_revoke(struct db_conn *c, const char *name, const char *now);

/* Calls take(ctx, row) for every key, oldest first (when prefix is NULL), or for the keys whose
 * prefix is prefix[0..prefix_len). The row's texts are valid during the call; take returns 0 to
 * go on, 1 to stop. Returns 0, or -1 on a database error (logged). */
int key_rows_each(struct db_conn *c, const char *prefix, size_t prefix_len,
                  int (*take)(void *ctx, const struct key_row *row), void *ctx);

#endif

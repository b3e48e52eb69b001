/* API keys: creating, listing and revoking them (`tthc key`), and checking the key a request
 * presents in its Authorization header.
 *
 * A token is "tthc_" followed by 43 base64url characters (32 random bytes). It exists in clear
 * only in the string key_create hands to its caller; the database holds its SHA-256 and its
 * first 8 characters. Nothing here logs or prints a token, except `tthc key create`, once.
 * This module says who a request is and what its key may do; whether a route needs a key, and
 * which scope, is the caller's decision (401 for anything but KEY_OK, 403 when
 * info.scope < the scope the route needs), and which records a key's unit reaches is
 * records/scope.h's.
 */
#ifndef TTHC_KEYS_H
#define TTHC_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tthc/domain/vocab.h"
#include "tthc/storage/db.h"

/* Each scope includes the ones below it: a route that needs SCOPE_WRITE accepts scope >= 2. */
enum key_scope { SCOPE_NONE = 0, SCOPE_READ = 1, SCOPE_WRITE = 2, SCOPE_ADMIN = 3 };

#define KEY_NAME_MAX 64
/* The longest life of a key, in days: 100 years, which keeps now + days in range. */
#define KEY_EXPIRES_MAX_DAYS 36500

/* What a key's name may be, for messages: "1 to 64 characters of letters, digits, ...". */
extern const char KEY_NAME_RULE[];
/* Whether name is a valid key name (KEY_NAME_RULE). */
bool key_name_valid(const char *name);

struct key_info {
    char name[KEY_NAME_MAX + 1];
    int scope; /* enum key_scope */
    bool rate_exempt;
    char unit[CODE_MAX_BYTES]; /* a write key's unit (records/scope.h); "" for none */
};

/* Creates a key named name (1-64 characters of [A-Za-z0-9._-]) with scope (SCOPE_READ..
 * SCOPE_ADMIN), valid for expires_days days from now (0: never; at most 36500). On success
 * *token is a new string "tthc_" + 43 base64url characters, the only copy of the token: the
 * caller prints it and frees it (OPENSSL_clear_free also wipes it). Returns 0, or -1 with a
 * one-sentence reason in err (name taken, bad name, bad scope, bad expiry, storage failed)
 * and *token NULL. */
int key_create(struct db_conn *c, const char *name, int scope, int expires_days, bool rate_exempt,
               char **token, char *err, size_t len);

/* key_create for a write key limited to the subtree of the unit with code unit (`tthc key create
 * --unit`; records/scope.h), or to no unit when unit is NULL. The unit must be stored already
 * (-1, "there is no unit ..."), and only a write key takes one (-1 otherwise: a read key
 * writes nothing, an admin key writes everywhere). Otherwise as key_create. */
int key_create_for_unit(struct db_conn *c, const char *name, int scope, const char *unit,
                        int expires_days, bool rate_exempt, char **token, char *err, size_t len);

/* Revokes the key named name from now on. Returns 0, or -1 with a reason in err if there is no
 * key of that name that is not already revoked (an expired key can still be revoked). */
int key_revoke(struct db_conn *c, const char *name, char *err, size_t len);

/* Writes a header line, then one tab-separated line per key, oldest first: name, prefix, scope,
 * created, expires ("never"), revoked ("-"), rate_exempt ("yes"/"no"), unit ("-" for none). Returns
 * 0, or -1 if the keys could not be read (logged). */
int key_list(struct db_conn *c, FILE *out);

enum key_check {
    KEY_OK,
    KEY_MISSING, /* no Authorization header, another scheme, or "Bearer" with no token */
    KEY_UNKNOWN, /* a Bearer token that matches no key (or the keys could not be read) */
    KEY_EXPIRED,
    KEY_REVOKED, /* wins over KEY_EXPIRED when both apply */
};

/* Checks an Authorization header value: "Bearer <token>", the scheme in any case, NULL for no
 * header. One indexed lookup by the token's first 8 characters and one SHA-256; hashes are
 * compared with CRYPTO_memcmp. A key expires at expires_at UTC against time(NULL). On KEY_OK
 * fills *info (if not NULL); otherwise *info is untouched. A database error is logged and
 * answers KEY_UNKNOWN, so that a failure never lets a request in. */
enum key_check key_verify(struct db_conn *c, const char *authorization, struct key_info *info);

/* "read", "write", "admin"; "none" for anything else. */
const char *key_scope_name(int scope);

/* The scope called name, or SCOPE_NONE (0) if name is none of read, write, admin. */
int key_scope_from_name(const char *name);

#endif

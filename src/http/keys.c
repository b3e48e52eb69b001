/* API keys; see include/tthc/keys.h.
 *
 * Owns the api_keys table (migrations/0004_keys.sql). A token never reaches SQLite, the log or
 * an error message: only its SHA-256 and its first 8 characters are bound to statements, and
 * the one copy of a new token goes to key_create's caller. key_verify runs on every
 * authenticated request, so it does one indexed lookup and one SHA-256 and nothing else.
 */
#include "tthc/http/keys.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tthc/base/log.h"
#include "tthc/base/text.h"

#define TOKEN_SCHEME     "tthc_"
#define TOKEN_RANDOM     32                               /* bytes from RAND_bytes: 256 bits */
#define TOKEN_LEN        (5 + (TOKEN_RANDOM * 4 + 2) / 3) /* "tthc_" + 43 base64url = 48 */
#define PREFIX_LEN       8                                /* api_keys.prefix */
#define HASH_LEN         32                               /* SHA-256 */
#define EXPIRES_MAX_DAYS 36500                            /* 100 years; keeps now + days in range */
#define TIME_TEXT_LEN    21                               /* "YYYY-MM-DDTHH:MM:SSZ" and its NUL */

static const char name_rule[] = "1 to 64 characters of letters, digits, '.', '_' or '-'";

static bool name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > KEY_NAME_MAX)
        return false;
    for (const char *p = name; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

static const char *const scope_names[] = {
    [SCOPE_READ] = "read", [SCOPE_WRITE] = "write", [SCOPE_ADMIN] = "admin"};

const char *key_scope_name(int scope)
{
    return scope >= SCOPE_READ && scope <= SCOPE_ADMIN ? scope_names[scope] : "none";
}

int key_scope_from_name(const char *name)
{
    for (int s = SCOPE_READ; s <= SCOPE_ADMIN; s++)
        if (strcmp(name, scope_names[s]) == 0)
            return s;
    return SCOPE_NONE;
}

/* t as UTC text "YYYY-MM-DDTHH:MM:SSZ", the form every time in api_keys takes, so that times
 * compare as text. */
static void utc_text(time_t t, char out[TIME_TEXT_LEN])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, TIME_TEXT_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int sha256(const void *data, size_t len, unsigned char out[HASH_LEN])
{
    return EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

/* RFC 4648 section 5 (URL- and filename-safe), without padding: n bytes give
 * ceil(n * 4 / 3) characters, written to out with a NUL. */
static void base64url(const unsigned char *in, size_t n, char *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned long)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = alphabet[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = alphabet[v & 63];
    }
    out[o] = '\0';
}

int key_create(struct db_conn *c, const char *name, int scope, int expires_days, bool rate_exempt,
               char **token, char *err, size_t len)
{
    int rc = -1;
    unsigned char random[TOKEN_RANDOM];
    char *t = NULL;
    *token = NULL;
    if (!name_valid(name))
        return text_fail(err, len, "a key's name must be %s", name_rule);
    if (scope < SCOPE_READ || scope > SCOPE_ADMIN)
        return text_fail(err, len, "a key's scope must be read, write or admin");
    if (expires_days < 0 || expires_days > EXPIRES_MAX_DAYS)
        return text_fail(err, len, "a key expires after 1 to %d days, or 0 for never",
                         EXPIRES_MAX_DAYS);
    if (RAND_bytes(random, sizeof(random)) != 1) {
        text_fail(err, len, "no random bytes were available to make a token; try again");
        goto out;
    }
    t = malloc(TOKEN_LEN + 1);
    if (!t) {
        text_fail(err, len, "out of memory");
        goto out;
    }
    memcpy(t, TOKEN_SCHEME, strlen(TOKEN_SCHEME));
    base64url(random, sizeof(random), t + strlen(TOKEN_SCHEME));
    unsigned char hash[HASH_LEN];
    if (sha256(t, TOKEN_LEN, hash) != 0) {
        text_fail(err, len, "the token could not be hashed; try again");
        goto out;
    }
    time_t now = time(NULL);
    char created[TIME_TEXT_LEN], expires[TIME_TEXT_LEN];
    utc_text(now, created);
    utc_text(now + (time_t)expires_days * 86400, expires);

    sqlite3_stmt *st = db_stmt(c, "INSERT INTO api_keys(name, prefix, hash, scope, rate_exempt, "
                                  "created_at, expires_at) VALUES(?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        text_fail(err, len, "the key could not be stored (see the log)");
        goto out;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, t, PREFIX_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, hash, HASH_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, scope);
    sqlite3_bind_int(st, 5, rate_exempt ? 1 : 0);
    sqlite3_bind_text(st, 6, created, -1, SQLITE_TRANSIENT);
    if (expires_days > 0)
        sqlite3_bind_text(st, 7, expires, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 7);
    int step = sqlite3_step(st);
    int ext = sqlite3_extended_errcode(c->db);
    if (step != SQLITE_DONE) {
        /* Names are unique for good: a revoked key keeps its name, so that `key list` and the
         * log never show two keys under one name. */
        if (ext == SQLITE_CONSTRAINT_UNIQUE)
            text_fail(err, len, "a key named '%s' already exists; choose another name", name);
        else {
            log_error("storing api key '%s' failed: %s", name, sqlite3_errmsg(c->db));
            text_fail(err, len, "the key could not be stored (see the log)");
        }
        sqlite3_reset(st);
        goto out;
    }
    sqlite3_reset(st);
    *token = t;
    t = NULL; /* the caller owns the only copy now */
    rc = 0;
out:
    OPENSSL_cleanse(random, sizeof(random));
    if (t)
        OPENSSL_clear_free(t, TOKEN_LEN + 1);
    return rc;
}

int key_revoke(struct db_conn *c, const char *name, char *err, size_t len)
{
    char now[TIME_TEXT_LEN];
    utc_text(time(NULL), now);
    sqlite3_stmt *st =
        db_stmt(c, "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL");
    if (!st)
        return text_fail(err, len, "the key could not be revoked (see the log)");
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        log_error("revoking api key '%s' failed: %s", name, sqlite3_errmsg(c->db));
        return text_fail(err, len, "the key could not be revoked (see the log)");
    }
    if (sqlite3_changes(c->db) == 0)
        return text_fail(err, len,
                         "there is no key named '%s' that is not already revoked (see tthc key "
                         "list)",
                         name);
    return 0;
}

/* Column i as text, or dflt when NULL. */
static const char *column_or(sqlite3_stmt *st, int i, const char *dflt)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : dflt;
}

int key_list(struct db_conn *c, FILE *out)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT name, prefix, scope, created_at, expires_at, "
                                  "revoked_at, rate_exempt FROM api_keys ORDER BY id");
    if (!st)
        return -1;
    fprintf(out, "name\tprefix\tscope\tcreated\texpires\trevoked\trate_exempt\n");
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", column_or(st, 0, ""), column_or(st, 1, ""),
                key_scope_name(sqlite3_column_int(st, 2)), column_or(st, 3, ""),
                column_or(st, 4, "never"), column_or(st, 5, "-"),
                sqlite3_column_int(st, 6) ? "yes" : "no");
    if (step != SQLITE_DONE)
        log_error("listing api keys failed: %s", sqlite3_errmsg(c->db));
    sqlite3_reset(st);
    return step == SQLITE_DONE ? 0 : -1;
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

enum key_check key_verify(struct db_conn *c, const char *authorization, struct key_info *info)
{
    if (!authorization)
        return KEY_MISSING;
    /* RFC 6750 section 2.1: "Bearer" (case-insensitive, RFC 9110 section 11.1), spaces, the
     * token. Another scheme (Basic, ...) carries no bearer token, the case RFC 6750 section 3.1
     * treats as "lacks any authentication information": KEY_MISSING, not KEY_UNKNOWN. */
    const char *p = authorization;
    while (is_space(*p))
        p++;
    if (strncasecmp(p, "Bearer", 6) != 0 || (p[6] != '\0' && !is_space(p[6])))
        return KEY_MISSING;
    p += 6;
    while (is_space(*p))
        p++;
    size_t n = strlen(p);
    while (n > 0 && is_space(p[n - 1]))
        n--;
    if (n == 0)
        return KEY_MISSING;
    /* The length and the scheme are public; checking them first spares the database. */
    if (n != TOKEN_LEN || strncmp(p, TOKEN_SCHEME, strlen(TOKEN_SCHEME)) != 0)
        return KEY_UNKNOWN;
    unsigned char hash[HASH_LEN];
    if (sha256(p, n, hash) != 0)
        return KEY_UNKNOWN;

    sqlite3_stmt *st = db_stmt(c, "SELECT hash, name, scope, rate_exempt, expires_at, revoked_at "
                                  "FROM api_keys WHERE prefix = ?");
    if (!st)
        return KEY_UNKNOWN;
    sqlite3_bind_text(st, 1, p, PREFIX_LEN, SQLITE_TRANSIENT);
    /* Prefixes are not unique (the 8 characters hold only 3 random ones), so every key that
     * shares this one is compared; the comparison itself takes the same time wherever the
     * hashes differ. */
    enum key_check result = KEY_UNKNOWN;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const void *stored = sqlite3_column_blob(st, 0);
        if (sqlite3_column_bytes(st, 0) != HASH_LEN || !stored ||
            CRYPTO_memcmp(stored, hash, HASH_LEN) != 0)
            continue;
        const unsigned char *expires = sqlite3_column_text(st, 4);
        char now[TIME_TEXT_LEN];
        utc_text(time(NULL), now);
        if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            result = KEY_REVOKED;
        else if (expires && strcmp((const char *)expires, now) <= 0)
            result = KEY_EXPIRED;
        else
            result = KEY_OK;
        if (result == KEY_OK && info) {
            snprintf(info->name, sizeof(info->name), "%s", column_or(st, 1, ""));
            info->scope = sqlite3_column_int(st, 2);
            info->rate_exempt = sqlite3_column_int(st, 3) != 0;
        }
        step = SQLITE_DONE;
        break;
    }
    if (step != SQLITE_DONE)
        log_error("checking an api key failed: %s", sqlite3_errmsg(c->db));
    sqlite3_reset(st);
    return result;
}

/* ---- tthc key --------------------------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(out, "usage: tthc key create|list|revoke [options]\n\n"
                 "Manages the API keys that requests present as \"Authorization: Bearer TOKEN\".\n"
                 "  create  make a key and print its token (shown only this once)\n"
                 "  list    show every key: name, prefix, scope, times; never a token\n"
                 "  revoke  stop a key from working\n\n"
                 "`tthc key COMMAND --help` describes each.\n");
}

static void help(const char *sub)
{
    if (strcmp(sub, "create") == 0)
        printf("usage: tthc key create --name NAME --scope read|write|admin [--expires DAYS] "
               "[--rate-exempt]\n\n"
               "Creates a key and prints its token on standard output. Only a hash of the token "
               "is stored: store the token now, it cannot be shown again.\n"
               "  --name NAME     %s, unique (a revoked key keeps its name)\n"
               "  --scope SCOPE   read: read the figures; write: also load records; admin: "
               "everything\n"
               "  --expires DAYS  the key stops working after DAYS days (1 to %d); 0 or absent: "
               "never\n"
               "  --rate-exempt   requests with this key are not rate limited\n",
               name_rule, EXPIRES_MAX_DAYS);
    else if (strcmp(sub, "list") == 0)
        printf("usage: tthc key list\n\n"
               "Prints a header, then one tab-separated line per key: name, prefix (the token's "
               "first 8 characters), scope, created, expires, revoked, rate_exempt. Times are "
               "UTC.\n");
    else
        printf("usage: tthc key revoke --name NAME\n\n"
               "Revokes the key: requests that present it are refused (401) from now on. The key "
               "stays in `tthc key list`, and its name stays taken.\n");
}

enum { ARG_NAME = 1, ARG_SCOPE = 2, ARG_EXPIRES = 4, ARG_RATE_EXEMPT = 8 };

struct key_args {
    const char *name, *scope, *expires;
    bool rate_exempt;
};

/* Reads the flags argv[1..argc) of subcommand sub, accepting those in allowed. Returns 0, or
 * -1 after printing what was wrong. */
static int parse_args(const char *sub, unsigned allowed, int argc, char **argv, struct key_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i];
        const char **slot = NULL;
        unsigned bit = 0;
        if (strcmp(f, "--name") == 0) {
            slot = &a->name;
            bit = ARG_NAME;
        } else if (strcmp(f, "--scope") == 0) {
            slot = &a->scope;
            bit = ARG_SCOPE;
        } else if (strcmp(f, "--expires") == 0) {
            slot = &a->expires;
            bit = ARG_EXPIRES;
        } else if (strcmp(f, "--rate-exempt") == 0) {
            bit = ARG_RATE_EXEMPT;
        }
        if (!(allowed & bit)) {
            fprintf(stderr, "tthc key %s: unexpected argument '%s' (see tthc key %s --help)\n", sub,
                    f, sub);
            return -1;
        }
        if (!slot) {
            a->rate_exempt = true;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "tthc key %s: %s needs a value\n", sub, f);
            return -1;
        }
        *slot = argv[++i];
    }
    if ((allowed & ARG_NAME) && !a->name) {
        fprintf(stderr, "tthc key %s: --name is required (see tthc key %s --help)\n", sub, sub);
        return -1;
    }
    return 0;
}

static int cmd_create(struct db_conn *c, const struct key_args *a)
{
    if (!name_valid(a->name)) {
        fprintf(stderr, "tthc key create: --name must be %s\n", name_rule);
        return 2;
    }
    int scope = a->scope ? key_scope_from_name(a->scope) : SCOPE_NONE;
    if (scope == SCOPE_NONE) {
        fprintf(stderr, "tthc key create: --scope must be read, write or admin\n");
        return 2;
    }
    long days = 0;
    if (a->expires) {
        char *end;
        errno = 0;
        days = strtol(a->expires, &end, 10);
        if (errno || end == a->expires || *end || days < 0 || days > EXPIRES_MAX_DAYS) {
            fprintf(stderr,
                    "tthc key create: --expires must be a whole number of days from 1 to %d, or "
                    "0 for never\n",
                    EXPIRES_MAX_DAYS);
            return 2;
        }
    }
    char *token = NULL;
    char err[256];
    if (key_create(c, a->name, scope, (int)days, a->rate_exempt, &token, err, sizeof(err)) != 0) {
        fprintf(stderr, "tthc key create: %s\n", err);
        return 1;
    }
    /* Standard output holds the token alone, for scripts; the rest goes to stderr. */
    int written = printf("%s\n", token);
    int flushed = fflush(stdout);
    OPENSSL_clear_free(token, strlen(token) + 1);
    if (written < 0 || flushed != 0) {
        fprintf(stderr,
                "tthc key create: the token could not be written; revoke key '%s' and create "
                "another\n",
                a->name);
        return 1;
    }
    if (days > 0)
        fprintf(stderr, "tthc key create: created key '%s' (scope %s, expires in %ld days). ",
                a->name, key_scope_name(scope), days);
    else
        fprintf(stderr, "tthc key create: created key '%s' (scope %s, never expires). ", a->name,
                key_scope_name(scope));
    fprintf(stderr, "Store the token now: it cannot be shown again.\n");
    return 0;
}

int key_command(struct db_conn *c, int argc, char **argv)
{
    if (argc < 1) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[0];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        usage(stdout);
        return 0;
    }
    unsigned allowed;
    if (strcmp(sub, "create") == 0)
        allowed = ARG_NAME | ARG_SCOPE | ARG_EXPIRES | ARG_RATE_EXEMPT;
    else if (strcmp(sub, "list") == 0)
        allowed = 0;
    else if (strcmp(sub, "revoke") == 0)
        allowed = ARG_NAME;
    else {
        fprintf(stderr, "tthc key: unknown command '%s' (see tthc key --help)\n", sub);
        return 2;
    }
    /* --help anywhere wins, even where it would be a flag's value. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            help(sub);
            return 0;
        }
    }
    struct key_args a;
    if (parse_args(sub, allowed, argc, argv, &a) != 0)
        return 2;
    if (strcmp(sub, "create") == 0)
        return cmd_create(c, &a);
    if (strcmp(sub, "list") == 0) {
        if (key_list(c, stdout) != 0) {
            fprintf(stderr, "tthc key list: the keys could not be read (see the log)\n");
            return 1;
        }
        return 0;
    }
    char err[256];
    if (key_revoke(c, a.name, err, sizeof(err)) != 0) {
        fprintf(stderr, "tthc key revoke: %s\n", err);
        return 1;
    }
    printf("revoked key '%s'\n", a.name);
    return 0;
}

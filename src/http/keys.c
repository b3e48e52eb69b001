/* API keys; see include/tthc/keys.h.
 *
 * Owns the api_keys table (migrations/0004_keys.sql, 0007_key_units.sql). A token never reaches
 * SQLite, the log or an error message: only its SHA-256 and its first 8 characters are bound to
 * statements, and the one copy of a new token goes to key_create's caller. key_verify runs on every
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
#include "tthc/storage/key_rows.h"
#include "tthc/storage/scope_rows.h"

#define TOKEN_SCHEME  "tthc_"
#define TOKEN_RANDOM  32                               /* bytes from RAND_bytes: 256 bits */
#define TOKEN_LEN     (5 + (TOKEN_RANDOM * 4 + 2) / 3) /* "tthc_" + 43 base64url = 48 */
#define PREFIX_LEN    8                                /* api_keys.prefix */
#define HASH_LEN      32                               /* SHA-256 */
#define TIME_TEXT_LEN 21                               /* "YYYY-MM-DDTHH:MM:SSZ" and its NUL */

const char KEY_NAME_RULE[] = "1 to 64 characters of letters, digits, '.', '_' or '-'";

bool key_name_valid(const char *name)
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
    return key_create_for_unit(c, name, scope, NULL, expires_days, rate_exempt, token, err, len);
}

/* Whether unit may limit a key of scope: 0, or -1 with the reason in err. */
static int unit_usable(struct db_conn *c, int scope, const char *unit, char *err, size_t len)
{
    if (scope != SCOPE_WRITE)
        return text_fail(err, len,
                         "only a write key takes a unit: a read key loads nothing, and an admin "
                         "key loads everywhere");
    if (!text_valid(unit, CODE_MAX_CHARS, true))
        return text_fail(err, len,
                         "a key's unit must be a unit code: 1 to %d characters without spaces",
                         CODE_MAX_CHARS);
    int64_t id;
    int found = scope_unit_id(c, unit, &id);
    if (found < 0)
        return text_fail(err, len, "the units could not be read (see the log)");
    if (found == 0)
        return text_fail(err, len,
                         "there is no unit '%s': load it first (POST /api/v1/units or tthc "
                         "import --kind units), then create its key",
                         unit);
    return 0;
}

int key_create_for_unit(struct db_conn *c, const char *name, int scope, const char *unit,
                        int expires_days, bool rate_exempt, char **token, char *err, size_t len)
{
    int rc = -1;
    unsigned char random[TOKEN_RANDOM];
    char *t = NULL;
    *token = NULL;
    if (!key_name_valid(name))
        return text_fail(err, len, "a key's name must be %s", KEY_NAME_RULE);
    if (scope < SCOPE_READ || scope > SCOPE_ADMIN)
        return text_fail(err, len, "a key's scope must be read, write or admin");
    if (expires_days < 0 || expires_days > KEY_EXPIRES_MAX_DAYS)
        return text_fail(err, len, "a key expires after 1 to %d days, or 0 for never",
                         KEY_EXPIRES_MAX_DAYS);
    if (unit && unit_usable(c, scope, unit, err, len) != 0)
        return -1;
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

    struct key_row row = {.name = name,
                          .prefix = t,
                          .hash = hash,
                          .hash_len = HASH_LEN,
                          .scope = scope,
                          .rate_exempt = rate_exempt,
                          .created_at = created,
                          .expires_at = expires_days > 0 ? expires : NULL,
                          .unit = unit};
    int stored = key_rows_insert(c, &row, PREFIX_LEN);
    /* Names are unique for good: a revoked key keeps its name, so that `key list` and the log
     * never show two keys under one name. */
    if (stored == 1)
        text_fail(err, len, "a key named '%s' already exists; choose another name", name);
    else if (stored != 0)
        text_fail(err, len, "the key could not be stored (see the log)");
    if (stored != 0)
        goto out;
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
    int done = key_rows_revoke(c, name, now);
    if (done < 0)
        return text_fail(err, len, "the key could not be revoked (see the log)");
    if (done == 0)
        return text_fail(err, len,
                         "there is no key named '%s' that is not already revoked (see tthc key "
                         "list)",
                         name);
    return 0;
}

static int list_row(void *ctx, const struct key_row *r)
{
    fprintf(ctx, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r->name, r->prefix, key_scope_name(r->scope),
            r->created_at, r->expires_at ? r->expires_at : "never",
            r->revoked_at ? r->revoked_at : "-", r->rate_exempt ? "yes" : "no",
            r->unit ? r->unit : "-");
    return 0;
}

int key_list(struct db_conn *c, FILE *out)
{
    fprintf(out, "name\tprefix\tscope\tcreated\texpires\trevoked\trate_exempt\tunit\n");
    return key_rows_each(c, NULL, 0, list_row, out);
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* A key_verify in progress: the token's hash, and what became of it. */
struct verify {
    const unsigned char *hash;
    struct key_info *info;
    enum key_check result;
};

static int verify_row(void *ctx, const struct key_row *r)
{
    struct verify *v = ctx;
    if (r->hash_len != HASH_LEN || !r->hash || CRYPTO_memcmp(r->hash, v->hash, HASH_LEN) != 0)
        return 0;
    char now[TIME_TEXT_LEN];
    utc_text(time(NULL), now);
    if (r->revoked_at)
        v->result = KEY_REVOKED;
    else if (r->expires_at && strcmp(r->expires_at, now) <= 0)
        v->result = KEY_EXPIRED;
    else
        v->result = KEY_OK;
    if (v->result == KEY_OK && v->info) {
        snprintf(v->info->name, sizeof(v->info->name), "%s", r->name);
        v->info->scope = r->scope;
        v->info->rate_exempt = r->rate_exempt;
        snprintf(v->info->unit, sizeof(v->info->unit), "%s", r->unit ? r->unit : "");
    }
    return 1; /* found: stop */
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

    /* Prefixes are not unique (the 8 characters hold only 3 random ones), so every key that
     * shares this one is compared; the comparison itself takes the same time wherever the
     * hashes differ. */
    struct verify v = {.hash = hash, .info = info, .result = KEY_UNKNOWN};
    key_rows_each(c, p, PREFIX_LEN, verify_row, &v); /* an error (logged) leaves KEY_UNKNOWN */
    return v.result;
}

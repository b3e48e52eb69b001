/* API keys: the token's form, that only its hash is stored, every answer of key_verify, revoking,
 * expiry, and the `tthc key` command's output and exit statuses.
 *
 * Each test gets a fresh database in its own directory with the schema of
 * migrations/0001_core.sql (the units a key may be limited to), 0004_keys.sql and
 * 0007_key_units.sql, read from $TTHC_SOURCE_ROOT (default "."), so that the suite does not
 * depend on which migrations the build embeds. What a key limited to a unit may load is tested
 * over HTTP in test_key_scopes.c.
 */
#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../helpers.h"
#include "tthc/base/log.h"
#include "tthc/cli/commands.h"
#include "tthc/http/keys.h"
#include "tthc/storage/db.h"

static char dir[64];
static char path[128];
static struct db_conn *c;

/* The whole of a file, NUL-terminated; *len (may be NULL) its size. NULL if it does not exist. */
static char *slurp(const char *file, size_t *len)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

static void setup(void)
{
    log_set_quiet(1);
    snprintf(dir, sizeof(dir), "/tmp/tthc-keys-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/keys.db", dir);
    char err[256];
    ck_assert_msg(db_conn_open(path, &c, err, sizeof(err)) == 0, "%s", err);
    const char *root = getenv("TTHC_SOURCE_ROOT");
    static const char *const schema[] = {"0001_core.sql", "0004_keys.sql", "0007_key_units.sql"};
    for (int i = 0; i < 3; i++) {
        char file[512];
        snprintf(file, sizeof(file), "%s/migrations/%s", root ? root : ".", schema[i]);
        char *sql = slurp(file, NULL);
        ck_assert_msg(sql != NULL, "cannot read %s (set TTHC_SOURCE_ROOT)", file);
        ck_assert_int_eq(db_exec(c, sql), 0);
        free(sql);
    }
}

static void teardown(void)
{
    db_conn_close(c);
    c = NULL;
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char f[160];
        snprintf(f, sizeof(f), "%s%s", path, suffixes[i]);
        unlink(f);
    }
    rmdir(dir);
}

static char *create(const char *name, int scope, int days, bool rate_exempt)
{
    char *token = NULL;
    char err[256];
    ck_assert_msg(key_create(c, name, scope, days, rate_exempt, &token, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_ptr_nonnull(token);
    return token;
}

static const char *bearer(const char *scheme, const char *token)
{
    static char buf[256];
    snprintf(buf, sizeof(buf), "%s %s", scheme, token);
    return buf;
}

static int query_int(const char *sql)
{
    sqlite3_stmt *st = db_stmt(c, sql);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return v;
}

/* The first column of sql's first row as text, copied into buf ("NULL" for NULL). */
static const char *query_text(const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *st = db_stmt(c, sql);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *s = sqlite3_column_text(st, 0);
    snprintf(buf, len, "%s", s ? (const char *)s : "NULL");
    sqlite3_reset(st);
    return buf;
}

static void utc(time_t t, char out[21])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool in_alphabet(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
}

/* The 32 random bytes a token encodes (base64url, no padding). */
static void decode(const char *token, unsigned char out[32])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned long acc = 0;
    int bits = 0;
    size_t o = 0;
    for (const char *p = token + 5; *p; p++) {
        acc = (acc << 6) | (unsigned long)(strchr(alphabet, *p) - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            ck_assert_uint_lt(o, 32);
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    ck_assert_uint_eq(o, 32);
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool contains(const char *hay, size_t hay_len, const void *needle, size_t len)
{
    return hay && memmem(hay, hay_len, needle, len) != NULL;
}

/* Runs `tthc key` with the NULL-terminated argv, capturing stdout and stderr. */
static int run(char *out, size_t out_len, char *err, size_t err_len, char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    fflush(stdout);
    fflush(stderr);
    FILE *o = tmpfile(), *e = tmpfile();
    ck_assert_ptr_nonnull(o);
    ck_assert_ptr_nonnull(e);
    int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
    dup2(fileno(o), STDOUT_FILENO);
    dup2(fileno(e), STDERR_FILENO);
    int rc = key_command(c, argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, STDOUT_FILENO);
    dup2(saved_err, STDERR_FILENO);
    close(saved_out);
    close(saved_err);
    FILE *files[2] = {o, e};
    char *bufs[2] = {out, err};
    size_t lens[2] = {out_len, err_len};
    for (int i = 0; i < 2; i++) {
        rewind(files[i]);
        size_t n = fread(bufs[i], 1, lens[i] - 1, files[i]);
        bufs[i][n] = '\0';
        fclose(files[i]);
    }
    return rc;
}

#define RUN(out, err, ...) run(out, sizeof(out), err, sizeof(err), (char *[]){__VA_ARGS__, NULL})

/* ---- key_create ------------------------------------------------------------------------- */

START_TEST(token_form_and_stored_row)
{
    char *token = create("ci-loader", SCOPE_WRITE, 0, false);
    ck_assert_uint_eq(strlen(token), 48);
    ck_assert_int_eq(strncmp(token, "tthc_", 5), 0);
    for (int i = 5; i < 48; i++)
        ck_assert_msg(in_alphabet(token[i]), "'%c' at %d is not base64url", token[i], i);
    /* 43 characters of 6 bits hold 258 bits: the last one carries only 4 of the 256, so it is
     * one of the 16 characters whose low two bits are zero. */
    ck_assert_ptr_nonnull(strchr("AEIMQUYcgkosw048", token[47]));

    char *other = create("second", SCOPE_READ, 0, false);
    ck_assert_str_ne(token, other);

    char buf[128], prefix[9];
    snprintf(prefix, sizeof(prefix), "%.8s", token);
    ck_assert_str_eq(
        query_text("SELECT prefix FROM api_keys WHERE name = 'ci-loader'", buf, sizeof(buf)),
        prefix);
    ck_assert_int_eq(query_int("SELECT scope FROM api_keys WHERE name = 'ci-loader'"), 2);
    ck_assert_int_eq(query_int("SELECT rate_exempt FROM api_keys WHERE name = 'ci-loader'"), 0);
    ck_assert_str_eq(
        query_text("SELECT expires_at FROM api_keys WHERE name = 'ci-loader'", buf, sizeof(buf)),
        "NULL");
    ck_assert_str_eq(
        query_text("SELECT revoked_at FROM api_keys WHERE name = 'ci-loader'", buf, sizeof(buf)),
        "NULL");

    /* hash is SHA-256 of the whole token, 32 bytes. */
    unsigned char want[32];
    ck_assert_int_eq(EVP_Digest(token, 48, want, NULL, EVP_sha256(), NULL), 1);
    sqlite3_stmt *st = db_stmt(c, "SELECT hash FROM api_keys WHERE name = 'ci-loader'");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_bytes(st, 0), 32);
    ck_assert_int_eq(memcmp(sqlite3_column_blob(st, 0), want, 32), 0);
    sqlite3_reset(st);

    /* created_at is now, in UTC, "YYYY-MM-DDTHH:MM:SSZ". */
    char now[21], before[21];
    time_t t = time(NULL);
    utc(t, now);
    utc(t - 1, before);
    query_text("SELECT created_at FROM api_keys WHERE name = 'ci-loader'", buf, sizeof(buf));
    ck_assert_msg(strcmp(buf, now) == 0 || strcmp(buf, before) == 0, "created_at %s, now %s", buf,
                  now);
    free(token);
    free(other);
}
END_TEST

START_TEST(only_a_hash_is_stored)
{
    char *token = create("secret-check", SCOPE_ADMIN, 30, true);
    unsigned char random[32], hash[32];
    decode(token, random);
    ck_assert_int_eq(EVP_Digest(token, 48, hash, NULL, EVP_sha256(), NULL), 1);

    /* No column of any row holds 12 consecutive characters of the token past "tthc_" (the stored
     * prefix is the first 8, so every such window reaches at least 9 characters beyond it), nor
     * 12 consecutive bytes of the random bytes it encodes. */
    sqlite3_stmt *st = db_stmt(c, "SELECT * FROM api_keys");
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows++;
        for (int col = 0; col < sqlite3_column_count(st); col++) {
            const char *v = sqlite3_column_blob(st, col);
            size_t n = (size_t)sqlite3_column_bytes(st, col);
            for (int i = 5; i + 12 <= 48; i++)
                ck_assert_msg(!contains(v, n, token + i, 12), "column %d holds the token", col);
            for (int i = 0; i + 12 <= 32; i++)
                ck_assert_msg(!contains(v, n, random + i, 12), "column %d holds its bytes", col);
        }
    }
    sqlite3_reset(st);
    ck_assert_int_eq(rows, 1);

    /* Nor do the files: the WAL while the connection is open, then the database after closing
     * it has checkpointed everything into the main file. The hash must be found there, which
     * shows the search reads the right bytes. */
    char wal[160];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    for (int pass = 0; pass < 2; pass++) {
        const char *files[2] = {path, wal};
        bool hash_seen = false;
        for (int f = 0; f < 2; f++) {
            size_t len = 0;
            char *bytes = slurp(files[f], &len);
            for (int i = 5; i + 12 <= 48; i++)
                ck_assert_msg(!contains(bytes, len, token + i, 12), "%s holds the token", files[f]);
            for (int i = 0; i + 12 <= 32; i++)
                ck_assert_msg(!contains(bytes, len, random + i, 12), "%s holds its bytes",
                              files[f]);
            hash_seen = hash_seen || contains(bytes, len, hash, 32);
            free(bytes);
        }
        ck_assert(hash_seen);
        if (pass == 0) {
            db_conn_close(c);
            char err[256];
            ck_assert_int_eq(db_conn_open(path, &c, err, sizeof(err)), 0);
        }
    }
    free(token);
}
END_TEST

START_TEST(expiry_is_days_from_now)
{
    char *token = create("monthly", SCOPE_READ, 30, false);
    ck_assert_int_eq(
        query_int("SELECT julianday(expires_at) - julianday(created_at) = 30.0 FROM api_keys"), 1);
    char buf[64];
    query_text("SELECT expires_at FROM api_keys", buf, sizeof(buf));
    ck_assert_uint_eq(strlen(buf), 20);
    ck_assert_int_eq(buf[10], 'T');
    ck_assert_int_eq(buf[19], 'Z');
    ck_assert_int_eq(key_verify(c, bearer("Bearer", token), NULL), KEY_OK);
    free(token);
}
END_TEST

START_TEST(duplicate_name_refused)
{
    char *token = create("ops", SCOPE_WRITE, 0, false);
    char *again = (char *)"untouched";
    char err[256];
    ck_assert_int_eq(key_create(c, "ops", SCOPE_READ, 0, false, &again, err, sizeof(err)), -1);
    ck_assert_ptr_null(again);
    ck_assert_str_eq(err, "a key named 'ops' already exists; choose another name");
    /* A revoked key keeps its name. */
    ck_assert_int_eq(key_revoke(c, "ops", err, sizeof(err)), 0);
    ck_assert_int_eq(key_create(c, "ops", SCOPE_READ, 0, false, &again, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "already exists"));
    ck_assert_int_eq(query_int("SELECT count(*) FROM api_keys"), 1);
    ck_assert_int_eq(query_int("SELECT scope FROM api_keys"), SCOPE_WRITE);
    free(token);
}
END_TEST

START_TEST(bad_scope_name_or_expiry_refused)
{
    char *token = NULL;
    char err[256];
    const int scopes[] = {SCOPE_NONE, 4, -1};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(key_create(c, "k", scopes[i], 0, false, &token, err, sizeof(err)), -1);
        ck_assert_str_eq(err, "a key's scope must be read, write or admin");
        ck_assert_ptr_null(token);
    }
    char long_name[66];
    memset(long_name, 'a', 65);
    long_name[65] = '\0';
    const char *names[] = {"", long_name, "a b", "a/b", "caf\xc3\xa9", "a\nb", "x;DROP"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        ck_assert_int_eq(key_create(c, names[i], SCOPE_READ, 0, false, &token, err, sizeof(err)),
                         -1);
        ck_assert_str_eq(err, "a key's name must be 1 to 64 characters of letters, digits, '.', "
                              "'_' or '-'");
    }
    ck_assert_int_eq(key_create(c, "k", SCOPE_READ, -1, false, &token, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "expires"));
    ck_assert_int_eq(key_create(c, "k", SCOPE_READ, 36501, false, &token, err, sizeof(err)), -1);
    ck_assert_int_eq(query_int("SELECT count(*) FROM api_keys"), 0);

    /* The limits themselves are accepted. */
    long_name[64] = '\0';
    free(create(long_name, SCOPE_READ, 36500, false));
    free(create("A.z_0-9", SCOPE_ADMIN, 1, false));
    ck_assert_int_eq(query_int("SELECT count(*) FROM api_keys"), 2);
}
END_TEST

START_TEST(scope_names)
{
    ck_assert_str_eq(key_scope_name(SCOPE_READ), "read");
    ck_assert_str_eq(key_scope_name(SCOPE_WRITE), "write");
    ck_assert_str_eq(key_scope_name(SCOPE_ADMIN), "admin");
    ck_assert_str_eq(key_scope_name(SCOPE_NONE), "none");
    ck_assert_str_eq(key_scope_name(9), "none");
    ck_assert_int_eq(key_scope_from_name("read"), SCOPE_READ);
    ck_assert_int_eq(key_scope_from_name("write"), SCOPE_WRITE);
    ck_assert_int_eq(key_scope_from_name("admin"), SCOPE_ADMIN);
    ck_assert_int_eq(key_scope_from_name("Write"), SCOPE_NONE);
    ck_assert_int_eq(key_scope_from_name("none"), SCOPE_NONE);
    ck_assert_int_eq(key_scope_from_name(""), SCOPE_NONE);
}
END_TEST

/* ---- key_verify ------------------------------------------------------------------------- */

START_TEST(verify_ok_fills_info)
{
    char *writer = create("loader", SCOPE_WRITE, 0, false);
    char *admin = create("root.ops", SCOPE_ADMIN, 0, true);
    struct key_info info;
    memset(&info, 0, sizeof(info));
    ck_assert_int_eq(key_verify(c, bearer("Bearer", writer), &info), KEY_OK);
    ck_assert_str_eq(info.name, "loader");
    ck_assert_int_eq(info.scope, SCOPE_WRITE);
    ck_assert(!info.rate_exempt);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", admin), &info), KEY_OK);
    ck_assert_str_eq(info.name, "root.ops");
    ck_assert_int_eq(info.scope, SCOPE_ADMIN);
    ck_assert(info.rate_exempt);
    free(writer);
    free(admin);
}
END_TEST

START_TEST(verify_scheme_any_case_and_spaces)
{
    char *token = create("reader", SCOPE_READ, 0, false);
    const char *schemes[] = {"bearer", "BEARER", "BeArEr", "Bearer  \t"};
    for (int i = 0; i < 4; i++) {
        struct key_info info = {.scope = -1};
        ck_assert_int_eq(key_verify(c, bearer(schemes[i], token), &info), KEY_OK);
        ck_assert_int_eq(info.scope, SCOPE_READ);
    }
    char padded[128];
    snprintf(padded, sizeof(padded), "  Bearer %s \t", token);
    ck_assert_int_eq(key_verify(c, padded, NULL), KEY_OK);
    free(token);
}
END_TEST

START_TEST(verify_missing)
{
    char *token = create("reader", SCOPE_READ, 0, false);
    ck_assert_int_eq(key_verify(c, NULL, NULL), KEY_MISSING);
    ck_assert_int_eq(key_verify(c, "", NULL), KEY_MISSING);
    ck_assert_int_eq(key_verify(c, "Bearer", NULL), KEY_MISSING);
    ck_assert_int_eq(key_verify(c, "Bearer   ", NULL), KEY_MISSING);
    /* Another scheme is KEY_MISSING, not KEY_UNKNOWN: it carries no bearer token at all, which
     * RFC 6750 section 3.1 treats like no credentials ("attempted using an unsupported
     * authentication method": a challenge without an error code), not as an invalid token. */
    ck_assert_int_eq(key_verify(c, "Basic x", NULL), KEY_MISSING);
    ck_assert_int_eq(key_verify(c, "Basic dXNlcjpwYXNz", NULL), KEY_MISSING);
    ck_assert_int_eq(key_verify(c, bearer("Token", token), NULL), KEY_MISSING);
    /* The token without a scheme, or glued to it, is not a Bearer credential either. */
    ck_assert_int_eq(key_verify(c, token, NULL), KEY_MISSING);
    char glued[128];
    snprintf(glued, sizeof(glued), "Bearer%s", token);
    ck_assert_int_eq(key_verify(c, glued, NULL), KEY_MISSING);
    free(token);
}
END_TEST

START_TEST(verify_unknown)
{
    char *token = create("reader", SCOPE_READ, 0, false);
    struct key_info info = {.name = "sentinel", .scope = 7, .rate_exempt = true};
    char wrong[64];
    /* Same prefix, so the lookup finds the row and the hash comparison refuses it: the last
     * character, and one in the middle. */
    snprintf(wrong, sizeof(wrong), "%s", token);
    wrong[47] = wrong[47] == 'A' ? 'E' : 'A';
    ck_assert_int_eq(key_verify(c, bearer("Bearer", wrong), &info), KEY_UNKNOWN);
    snprintf(wrong, sizeof(wrong), "%s", token);
    wrong[20] = wrong[20] == 'x' ? 'y' : 'x';
    ck_assert_int_eq(key_verify(c, bearer("Bearer", wrong), &info), KEY_UNKNOWN);
    /* Too short, too long, not a tthc token. */
    snprintf(wrong, sizeof(wrong), "%.47s", token);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", wrong), &info), KEY_UNKNOWN);
    snprintf(wrong, sizeof(wrong), "%sA", token);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", wrong), &info), KEY_UNKNOWN);
    ck_assert_int_eq(key_verify(c, "Bearer x", &info), KEY_UNKNOWN);
    snprintf(wrong, sizeof(wrong), "TTHC_%s", token + 5);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", wrong), &info), KEY_UNKNOWN);
    /* info is left alone on anything but KEY_OK. */
    ck_assert_str_eq(info.name, "sentinel");
    ck_assert_int_eq(info.scope, 7);
    ck_assert(info.rate_exempt);
    /* A token from another database is unknown here. */
    ck_assert_int_eq(db_exec(c, "DELETE FROM api_keys"), 0);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", token), &info), KEY_UNKNOWN);
    free(token);
}
END_TEST

START_TEST(verify_shared_prefix)
{
    /* Prefixes hold 3 random characters, so two keys can share one (about one pair in 262144).
     * A row made here with first's prefix and the hash of another token comes after first's row
     * in the index: each token must still find its own row, not stop at the first candidate. */
    char *first = create("first", SCOPE_READ, 0, false);
    char twin[64];
    snprintf(twin, sizeof(twin), "%.8s%s", first, "0123456789abcdefghijABCDEFGHIJ-_01234567");
    ck_assert_uint_eq(strlen(twin), 48);
    unsigned char hash[32];
    ck_assert_int_eq(EVP_Digest(twin, 48, hash, NULL, EVP_sha256(), NULL), 1);
    sqlite3_stmt *st = db_stmt(c, "INSERT INTO api_keys(name, prefix, hash, scope, created_at) "
                                  "VALUES('twin', ?, ?, 3, '2026-01-01T00:00:00Z')");
    ck_assert_ptr_nonnull(st);
    sqlite3_bind_text(st, 1, first, 8, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, hash, 32, SQLITE_TRANSIENT);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
    ck_assert_int_eq(query_int("SELECT count(DISTINCT prefix) FROM api_keys"), 1);

    struct key_info info;
    ck_assert_int_eq(key_verify(c, bearer("Bearer", twin), &info), KEY_OK);
    ck_assert_str_eq(info.name, "twin");
    ck_assert_int_eq(info.scope, SCOPE_ADMIN);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", first), &info), KEY_OK);
    ck_assert_str_eq(info.name, "first");
    ck_assert_int_eq(info.scope, SCOPE_READ);
    /* The shared prefix with any other rest matches neither. */
    twin[47] = twin[47] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(key_verify(c, bearer("Bearer", twin), &info), KEY_UNKNOWN);
    free(first);
}
END_TEST

START_TEST(verify_revoked)
{
    char *token = create("leaked", SCOPE_WRITE, 0, false);
    char *other = create("kept", SCOPE_WRITE, 0, false);
    char err[256];
    ck_assert_int_eq(key_revoke(c, "leaked", err, sizeof(err)), 0);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", token), NULL), KEY_REVOKED);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", other), NULL), KEY_OK);
    char buf[64], now[21], before[21];
    time_t t = time(NULL);
    utc(t, now);
    utc(t - 1, before);
    query_text("SELECT revoked_at FROM api_keys WHERE name = 'leaked'", buf, sizeof(buf));
    ck_assert_msg(strcmp(buf, now) == 0 || strcmp(buf, before) == 0, "revoked_at %s", buf);
    /* Revoking twice, or a key that does not exist, is refused and changes nothing. */
    ck_assert_int_eq(key_revoke(c, "leaked", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "there is no key named 'leaked' that is not already revoked (see tthc "
                          "key list)");
    ck_assert_int_eq(key_revoke(c, "nobody", err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "'nobody'"));
    ck_assert_str_eq(
        query_text("SELECT revoked_at FROM api_keys WHERE name = 'leaked'", err, sizeof(err)), buf);
    ck_assert_int_eq(query_int("SELECT count(*) FROM api_keys WHERE revoked_at IS NULL"), 1);
    free(token);
    free(other);
}
END_TEST

START_TEST(verify_expired)
{
    char *token = create("temp", SCOPE_WRITE, 1, false);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", token), NULL), KEY_OK);
    ck_assert_int_eq(db_exec(c, "UPDATE api_keys SET expires_at = '2000-01-01T00:00:00Z'"), 0);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", token), NULL), KEY_EXPIRED);

    /* The boundary: expired from expires_at on, valid the second before. */
    char sql[128], at[21];
    utc(time(NULL) - 1, at);
    snprintf(sql, sizeof(sql), "UPDATE api_keys SET expires_at = '%s'", at);
    ck_assert_int_eq(db_exec(c, sql), 0);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", token), NULL), KEY_EXPIRED);
    utc(time(NULL) + 60, at);
    snprintf(sql, sizeof(sql), "UPDATE api_keys SET expires_at = '%s'", at);
    ck_assert_int_eq(db_exec(c, sql), 0);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", token), NULL), KEY_OK);

    /* Revoked and expired: revoked, the operator's explicit act. An expired key can still be
     * revoked. */
    ck_assert_int_eq(db_exec(c, "UPDATE api_keys SET expires_at = '2000-01-01T00:00:00Z'"), 0);
    char err[256];
    ck_assert_int_eq(key_revoke(c, "temp", err, sizeof(err)), 0);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", token), NULL), KEY_REVOKED);
    free(token);
}
END_TEST

START_TEST(lookup_uses_prefix_index)
{
    /* key_verify's query; one indexed lookup, not a scan of the table. */
    sqlite3_stmt *st =
        db_stmt(c, "EXPLAIN QUERY PLAN SELECT hash, name, scope, rate_exempt, expires_at, "
                   "revoked_at FROM api_keys WHERE prefix = ?");
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    const char *detail = (const char *)sqlite3_column_text(st, 3);
    ck_assert_str_eq(detail, "SEARCH api_keys USING INDEX api_keys_prefix (prefix=?)");
    sqlite3_reset(st);
}
END_TEST

/* ---- tthc key --------------------------------------------------------------------------- */

START_TEST(command_create_prints_token_once)
{
    char out[512], err[1024];
    ck_assert_int_eq(RUN(out, err, "create", "--name", "ci", "--scope", "write", "--expires", "7"),
                     0);
    /* stdout is the token and a newline, nothing else. */
    ck_assert_uint_eq(strlen(out), 49);
    ck_assert_int_eq(out[48], '\n');
    ck_assert(starts_with(out, "tthc_"));
    ck_assert_str_eq(err, "tthc key create: created key 'ci' (scope write, expires in 7 days). "
                          "Store the token now: it cannot be shown again.\n");
    out[48] = '\0';
    struct key_info info;
    ck_assert_int_eq(key_verify(c, bearer("Bearer", out), &info), KEY_OK);
    ck_assert_str_eq(info.name, "ci");
    ck_assert_int_eq(info.scope, SCOPE_WRITE);
    ck_assert(!info.rate_exempt);
    ck_assert_int_eq(
        query_int("SELECT julianday(expires_at) - julianday(created_at) = 7.0 FROM api_keys"), 1);

    ck_assert_int_eq(RUN(out, err, "create", "--rate-exempt", "--scope", "admin", "--name", "ops"),
                     0);
    ck_assert_str_eq(err, "tthc key create: created key 'ops' (scope admin, never expires). "
                          "Store the token now: it cannot be shown again.\n");
    out[48] = '\0';
    ck_assert_int_eq(key_verify(c, bearer("Bearer", out), &info), KEY_OK);
    ck_assert_int_eq(info.scope, SCOPE_ADMIN);
    ck_assert(info.rate_exempt);

    /* A taken name is a failure (1), not a usage error. */
    ck_assert_int_eq(RUN(out, err, "create", "--name", "ci", "--scope", "read"), 1);
    ck_assert_str_eq(out, "");
    ck_assert_str_eq(err, "tthc key create: a key named 'ci' already exists; choose another "
                          "name\n");
    ck_assert_int_eq(query_int("SELECT count(*) FROM api_keys"), 2);
}
END_TEST

START_TEST(command_create_with_unit)
{
    ck_assert_int_eq(db_exec(c, "INSERT INTO units(code, name, level) VALUES ('T01', 'Tỉnh', 1)"),
                     0);
    ck_assert_int_eq(db_exec(c, "INSERT INTO units(code, name, level, parent_id) "
                                "VALUES ('T01.H1', 'Huyện Một', 2, 1)"),
                     0);
    char out[512], err[1024];
    ck_assert_int_eq(
        RUN(out, err, "create", "--name", "district", "--scope", "write", "--unit", "T01.H1"), 0);
    ck_assert_uint_eq(strlen(out), 49);
    ck_assert_str_eq(err, "tthc key create: created key 'district' (scope write of unit T01.H1, "
                          "never expires). Store the token now: it cannot be shown again.\n");
    out[48] = '\0';
    struct key_info info;
    ck_assert_int_eq(key_verify(c, bearer("Bearer", out), &info), KEY_OK);
    ck_assert_int_eq(info.scope, SCOPE_WRITE);
    ck_assert_str_eq(info.unit, "T01.H1");
    char created[64], want[512], list[1024];
    query_text("SELECT created_at FROM api_keys WHERE name = 'district'", created, 64);
    snprintf(want, sizeof(want),
             "name\tprefix\tscope\tcreated\texpires\trevoked\trate_exempt\tunit\n"
             "district\t%.8s\twrite\t%s\tnever\t-\tno\tT01.H1\n",
             out, created);
    ck_assert_int_eq(RUN(list, err, "list"), 0);
    ck_assert_str_eq(list, want);
    /* A key without a unit reads back none. */
    char *plain = create("plain", SCOPE_WRITE, 0, false);
    ck_assert_int_eq(key_verify(c, bearer("Bearer", plain), &info), KEY_OK);
    ck_assert_str_eq(info.unit, "");
    free(plain);

    /* A unit that is not loaded: a failure (1), nothing stored. */
    ck_assert_int_eq(
        RUN(out, err, "create", "--name", "x", "--scope", "write", "--unit", "UNKNOWN"), 1);
    ck_assert_str_eq(out, "");
    ck_assert_str_eq(err, "tthc key create: there is no unit 'UNKNOWN': load it first (POST "
                          "/api/v1/units or tthc import --kind units), then create its key\n");
    /* Usage errors (2): a unit on a read or admin key, a unit that is no code, no value. */
    ck_assert_int_eq(RUN(out, err, "create", "--name", "x", "--scope", "read", "--unit", "T01"), 2);
    ck_assert_str_eq(err, "tthc key create: --unit limits a write key (--scope write): a read key "
                          "loads nothing, and an admin key loads everywhere\n");
    ck_assert_int_eq(RUN(out, err, "create", "--name", "x", "--scope", "admin", "--unit", "T01"),
                     2);
    ck_assert_int_eq(RUN(out, err, "create", "--name", "x", "--scope", "write", "--unit", "T 01"),
                     2);
    ck_assert_str_eq(err, "tthc key create: --unit must be a unit code: 1 to 64 characters "
                          "without spaces\n");
    ck_assert_int_eq(RUN(out, err, "create", "--name", "x", "--scope", "write", "--unit"), 2);
    ck_assert_str_eq(err, "tthc key create: --unit needs a value\n");
    ck_assert_int_eq(query_int("SELECT count(*) FROM api_keys"), 2);

    /* key_create_for_unit says the same to other callers. */
    char *token = NULL;
    ck_assert_int_eq(
        key_create_for_unit(c, "y", SCOPE_ADMIN, "T01", 0, false, &token, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "only a write key takes a unit: a read key loads nothing, and an admin "
                          "key loads everywhere");
    ck_assert_ptr_null(token);
}
END_TEST

START_TEST(command_list)
{
    char *plain = create("plain", SCOPE_READ, 0, false);
    char *gone = create("gone", SCOPE_WRITE, 0, true);
    char *month = create("month", SCOPE_ADMIN, 30, false);
    char err[256];
    ck_assert_int_eq(key_revoke(c, "gone", err, sizeof(err)), 0);
    /* The three were made within the test; their created_at may differ by a second. */
    char created[3][64], revoked[64], expires[64];
    query_text("SELECT created_at FROM api_keys WHERE name = 'plain'", created[0], 64);
    query_text("SELECT created_at FROM api_keys WHERE name = 'gone'", created[1], 64);
    query_text("SELECT created_at FROM api_keys WHERE name = 'month'", created[2], 64);
    query_text("SELECT revoked_at FROM api_keys WHERE name = 'gone'", revoked, sizeof(revoked));
    query_text("SELECT expires_at FROM api_keys WHERE name = 'month'", expires, sizeof(expires));

    char out[2048], errout[256];
    ck_assert_int_eq(RUN(out, errout, "list"), 0);
    ck_assert_str_eq(errout, "");
    char want[2048];
    snprintf(want, sizeof(want),
             "name\tprefix\tscope\tcreated\texpires\trevoked\trate_exempt\tunit\n"
             "plain\t%.8s\tread\t%s\tnever\t-\tno\t-\n"
             "gone\t%.8s\twrite\t%s\tnever\t%s\tyes\t-\n"
             "month\t%.8s\tadmin\t%s\t%s\t-\tno\t-\n",
             plain, created[0], gone, created[1], revoked, month, created[2], expires);
    ck_assert_str_eq(out, want);
    /* The prefixes are there, the rest of each token is not. */
    ck_assert_ptr_null(strstr(out, plain + 8));
    ck_assert_ptr_null(strstr(out, gone + 8));
    ck_assert_ptr_null(strstr(out, month + 8));

    /* No keys: the header alone. */
    ck_assert_int_eq(db_exec(c, "DELETE FROM api_keys"), 0);
    ck_assert_int_eq(RUN(out, errout, "list"), 0);
    ck_assert_str_eq(out, "name\tprefix\tscope\tcreated\texpires\trevoked\trate_exempt\tunit\n");
    free(plain);
    free(gone);
    free(month);
}
END_TEST

START_TEST(command_revoke)
{
    char *token = create("old", SCOPE_WRITE, 0, false);
    char out[256], err[256];
    ck_assert_int_eq(RUN(out, err, "revoke", "--name", "old"), 0);
    ck_assert_str_eq(out, "revoked key 'old'\n");
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(key_verify(c, bearer("Bearer", token), NULL), KEY_REVOKED);
    ck_assert_int_eq(RUN(out, err, "revoke", "--name", "old"), 1);
    ck_assert_str_eq(out, "");
    ck_assert_str_eq(err, "tthc key revoke: there is no key named 'old' that is not already "
                          "revoked (see tthc key list)\n");
    ck_assert_int_eq(RUN(out, err, "revoke", "--name", "never-made"), 1);
    free(token);
}
END_TEST

START_TEST(command_usage_errors)
{
    char out[256], err[512];
    ck_assert_int_eq(run(out, sizeof(out), err, sizeof(err), (char *[]){NULL}), 2);
    ck_assert_str_eq(out, "");
    ck_assert_ptr_nonnull(strstr(err, "usage: tthc key create|list|revoke"));

    ck_assert_int_eq(RUN(out, err, "delete", "--name", "x"), 2);
    ck_assert_str_eq(err, "tthc key: unknown command 'delete' (see tthc key --help)\n");

    ck_assert_int_eq(RUN(out, err, "create", "--name", "x"), 2);
    ck_assert_str_eq(err, "tthc key create: --scope must be read, write or admin\n");
    ck_assert_int_eq(RUN(out, err, "create", "--name", "x", "--scope", "owner"), 2);
    ck_assert_str_eq(err, "tthc key create: --scope must be read, write or admin\n");
    ck_assert_int_eq(RUN(out, err, "create", "--scope", "read"), 2);
    ck_assert_str_eq(err, "tthc key create: --name is required (see tthc key create --help)\n");
    ck_assert_int_eq(RUN(out, err, "create", "--name", "a b", "--scope", "read"), 2);
    ck_assert_str_eq(err, "tthc key create: --name must be 1 to 64 characters of letters, digits, "
                          "'.', '_' or '-'\n");
    const char *bad_days[] = {"x", "-1", "7d", "", "36501", "99999999999999999999"};
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(RUN(out, err, "create", "--name", "x", "--scope", "read", "--expires",
                             (char *)bad_days[i]),
                         2);
        ck_assert_str_eq(err, "tthc key create: --expires must be a whole number of days from 1 "
                              "to 36500, or 0 for never\n");
    }
    ck_assert_int_eq(RUN(out, err, "create", "--name", "x", "--scope"), 2);
    ck_assert_str_eq(err, "tthc key create: --scope needs a value\n");
    ck_assert_int_eq(RUN(out, err, "create", "--name", "x", "--scope", "read", "extra"), 2);
    ck_assert_str_eq(err, "tthc key create: unexpected argument 'extra' (see tthc key create "
                          "--help)\n");
    ck_assert_int_eq(RUN(out, err, "list", "--name", "x"), 2);
    ck_assert_str_eq(err,
                     "tthc key list: unexpected argument '--name' (see tthc key list --help)\n");
    ck_assert_int_eq(RUN(out, err, "revoke"), 2);
    ck_assert_str_eq(err, "tthc key revoke: --name is required (see tthc key revoke --help)\n");
    ck_assert_int_eq(RUN(out, err, "revoke", "--name", "x", "--scope", "read"), 2);
    ck_assert_str_eq(err, "tthc key revoke: unexpected argument '--scope' (see tthc key revoke "
                          "--help)\n");
    ck_assert_int_eq(RUN(out, err, "revoke", "--name", "x", "--rate-exempt"), 2);
    /* Nothing was printed on stdout and nothing stored by any of them. */
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(query_int("SELECT count(*) FROM api_keys"), 0);
}
END_TEST

START_TEST(command_help)
{
    char out[2048], err[256];
    ck_assert_int_eq(RUN(out, err, "--help"), 0);
    ck_assert(starts_with(out, "usage: tthc key create|list|revoke [options]\n"));
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(RUN(out, err, "create", "--help"), 0);
    ck_assert(starts_with(out, "usage: tthc key create --name NAME --scope read|write|admin "
                               "[--unit CODE] [--expires DAYS] [--rate-exempt]\n"));
    ck_assert_ptr_nonnull(strstr(out, "cannot be shown again"));
    ck_assert_str_eq(err, "");
    /* --help wins even where it would be a flag's value. */
    ck_assert_int_eq(RUN(out, err, "create", "--name", "--help"), 0);
    ck_assert(starts_with(out, "usage: tthc key create "));
    ck_assert_int_eq(RUN(out, err, "list", "-h"), 0);
    ck_assert(starts_with(out, "usage: tthc key list\n"));
    ck_assert_int_eq(RUN(out, err, "revoke", "--help"), 0);
    ck_assert(starts_with(out, "usage: tthc key revoke --name NAME\n"));
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(query_int("SELECT count(*) FROM api_keys"), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("keys");
    TCase *tc = tcase_create("keys");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, token_form_and_stored_row);
    tcase_add_test(tc, only_a_hash_is_stored);
    tcase_add_test(tc, expiry_is_days_from_now);
    tcase_add_test(tc, duplicate_name_refused);
    tcase_add_test(tc, bad_scope_name_or_expiry_refused);
    tcase_add_test(tc, scope_names);
    tcase_add_test(tc, verify_ok_fills_info);
    tcase_add_test(tc, verify_scheme_any_case_and_spaces);
    tcase_add_test(tc, verify_missing);
    tcase_add_test(tc, verify_unknown);
    tcase_add_test(tc, verify_shared_prefix);
    tcase_add_test(tc, verify_revoked);
    tcase_add_test(tc, verify_expired);
    tcase_add_test(tc, lookup_uses_prefix_index);
    tcase_add_test(tc, command_create_prints_token_once);
    tcase_add_test(tc, command_create_with_unit);
    tcase_add_test(tc, command_list);
    tcase_add_test(tc, command_revoke);
    tcase_add_test(tc, command_usage_errors);
    tcase_add_test(tc, command_help);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

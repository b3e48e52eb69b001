/* Settings and their sources; see include/tthc/base/config.h. */
#include "tthc/base/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

/* T_PATH is text that names a file: relative in a config file, it is taken from the file's
 * folder. */
enum type { T_TEXT, T_PATH, T_SIZE, T_UINT };

static const struct setting {
    const char *key;
    enum type type;
    unsigned used_by; /* enum config_command bits: the commands that read it */
    size_t offset, size;
    unsigned long long min, max;
    const char *help;
} settings[] = {
    {"db", T_PATH, CONFIG_EVERY_COMMAND, offsetof(struct config, db),
     sizeof(((struct config *)0)->db), 1, 0, "path of the SQLite database file (default tthc.db)"},
    {"listen", T_TEXT, CONFIG_SERVE, offsetof(struct config, listen),
     sizeof(((struct config *)0)->listen), 1, 0, "HOST:PORT to serve on (default 127.0.0.1:8080)"},
    {"max_body_bytes", T_SIZE, CONFIG_SERVE, offsetof(struct config, max_body_bytes), 0, 1024,
     1ULL << 31, "largest request body in bytes; larger ones get 413 (default 67108864)"},
    {"max_batch_records", T_SIZE, CONFIG_SERVE, offsetof(struct config, max_batch_records), 0, 1,
     10000000, "most records in one load; more get 413 (default 100000)"},
    {"max_load_bytes_read", T_SIZE, CONFIG_SERVE, offsetof(struct config, max_load_bytes_read), 0,
     1024, 1ULL << 40,
     "bytes the reader of one load may look at, each time it looks; past it 413 (default "
     "268435456)"},
    {"max_load_seconds", T_UINT, CONFIG_SERVE, offsetof(struct config, max_load_seconds), 0, 1,
     3600, "seconds of work one load may take, reading and storing; past it 413 (default 30)"},
    {"max_unit_depth", T_UINT, CONFIG_SERVE | CONFIG_IMPORT,
     offsetof(struct config, max_unit_depth), 0, 1, 1000,
     "deepest a unit may sit in the tree of units, and longest successor chain, in units "
     "(default 16)"},
    {"connection_timeout", T_UINT, CONFIG_SERVE, offsetof(struct config, connection_timeout), 0, 1,
     3600, "seconds an idle or silent connection stays open (default 30)"},
    {"threads", T_UINT, CONFIG_SERVE, offsetof(struct config, threads), 0, 1, 64,
     "libmicrohttpd's threads, which answer the cheap requests; at most the cores (default 2)"},
    {"max_connections", T_UINT, CONFIG_SERVE, offsetof(struct config, max_connections), 0, 1,
     100000, "open connections at once (default 1024)"},
    {"max_connections_per_ip", T_UINT, CONFIG_SERVE,
     offsetof(struct config, max_connections_per_ip), 0, 1, 100000,
     "open connections from one client address (default 64)"},
    {"header_timeout", T_UINT, CONFIG_SERVE, offsetof(struct config, header_timeout), 0, 1, 3600,
     "seconds a connection has to send a request's whole headers (default 10)"},
    {"body_timeout", T_UINT, CONFIG_SERVE, offsetof(struct config, body_timeout), 0, 1, 86400,
     "seconds a request has to send its whole body once its headers are in (default 300)"},
    {"max_buffered_bytes", T_SIZE, CONFIG_SERVE, offsetof(struct config, max_buffered_bytes), 0,
     1u << 20, 1ULL << 40,
     "request body bytes held across all connections; past it 503 (default 268435456)"},
    {"trusted_proxies", T_TEXT, CONFIG_SERVE, offsetof(struct config, trusted_proxies),
     sizeof(((struct config *)0)->trusted_proxies), 0, 0,
     "comma-separated proxy addresses or CIDRs whose X-Forwarded-For is believed (default none)"},
    {"heavy_workers", T_UINT, CONFIG_SERVE, offsetof(struct config, heavy_workers), 0, 1, 64,
     "threads that run the heavy reads: summary, series, rankings, ... (default 2)"},
    {"heavy_per_client", T_UINT, CONFIG_SERVE, offsetof(struct config, heavy_per_client), 0, 1,
     10000, "heavy reads one key or address may have running or waiting; past it 429 (default 8)"},
    {"heavy_budget_ms", T_UINT, CONFIG_SERVE, offsetof(struct config, heavy_budget_ms), 0, 1,
     3600000, "milliseconds a heavy read may wait and run; past it 503 (default 10000)"},
    {"load_workers", T_UINT, CONFIG_SERVE, offsetof(struct config, load_workers), 0, 1, 64,
     "threads that run loads (default 2)"},
    {"max_inflated_bytes", T_SIZE, CONFIG_SERVE, offsetof(struct config, max_inflated_bytes), 0,
     1024, 1ULL << 32,
     "largest size a gzip request body may inflate to; past it 413 (default 67108864)"},
    {"max_query_days", T_UINT, CONFIG_SERVE, offsetof(struct config, max_query_days), 0, 1, 100000,
     "longest period a query may span, in days; past it 400 (default 3660)"},
    {"read_requires_key", T_UINT, CONFIG_SERVE, offsetof(struct config, read_requires_key), 0, 0, 1,
     "1: reads need a key with read scope; 0: reads are public (default 0)"},
    {"rate_per_second", T_UINT, CONFIG_SERVE, offsetof(struct config, rate_per_second), 0, 1,
     1000000, "requests per second allowed to each key or client address (default 50)"},
    {"rate_burst", T_UINT, CONFIG_SERVE, offsetof(struct config, rate_burst), 0, 1, 1000000,
     "requests a key or client address may make at once (default 100)"},
    {"rate_clients", T_UINT, CONFIG_SERVE, offsetof(struct config, rate_clients), 0, 16, 10000000,
     "keys and addresses whose rate is tracked at once (default 100000)"},
    {"cors_origins", T_TEXT, CONFIG_SERVE, offsetof(struct config, cors_origins),
     sizeof(((struct config *)0)->cors_origins), 0, 0,
     "comma-separated origins allowed to call the API from a browser, or * (default none)"},
    {"cache_control", T_TEXT, CONFIG_SERVE, offsetof(struct config, cache_control),
     sizeof(((struct config *)0)->cache_control), 1, 0,
     "Cache-Control of read responses (default no-cache: revalidate with the ETag)"},
    {"gzip_min_bytes", T_SIZE, CONFIG_SERVE, offsetof(struct config, gzip_min_bytes), 0, 0,
     1ULL << 31,
     "responses at least this large are gzipped for clients that accept it (default 1024)"},
    {"stale_after_hours", T_UINT, CONFIG_SERVE, offsetof(struct config, stale_after_hours), 0, 1,
     100000, "a unit with no data arrived for longer is reported stale (default 48)"},
    {"shutdown_grace", T_UINT, CONFIG_SERVE, offsetof(struct config, shutdown_grace), 0, 0, 3600,
     "seconds to finish requests in flight after SIGTERM or SIGINT (default 10)"},
    {"access_log", T_UINT, CONFIG_SERVE, offsetof(struct config, access_log), 0, 0, 1,
     "1: one JSON line per request on stderr (default 1)"},
};
#define SETTINGS (sizeof(settings) / sizeof(settings[0]))

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->db, sizeof(c->db), "tthc.db");
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
    c->max_body_bytes = 64u << 20;
    c->max_batch_records = 100000;
    c->max_load_bytes_read = 256u << 20; /* four times a body at max_body_bytes */
    c->max_load_seconds = 30;
    c->max_unit_depth = 16; /* domain/records.h, UNIT_DEPTH_DEFAULT */
    c->connection_timeout = 30;
    c->threads = 2;
    c->max_connections = 1024;
    c->max_connections_per_ip = 64;
    c->header_timeout = 10;
    c->body_timeout = 300;
    c->max_buffered_bytes = (size_t)256 << 20;
    c->heavy_workers = 2;
    c->heavy_per_client = 8;
    c->heavy_budget_ms = 10000;
    c->load_workers = 2;
    c->max_inflated_bytes = 64u << 20; /* as much as a plain body may carry */
    c->max_query_days = 3660;
    c->rate_per_second = 50;
    c->rate_burst = 100;
    c->rate_clients = 100000;
    snprintf(c->cache_control, sizeof(c->cache_control), "no-cache");
    c->gzip_min_bytes = 1024;
    c->stale_after_hours = 48;
    c->shutdown_grace = 10;
    c->access_log = 1;
}

int config_set(struct config *c, const char *key, const char *value, char *err, size_t len)
{
    for (size_t i = 0; i < SETTINGS; i++) {
        const struct setting *s = &settings[i];
        if (strcmp(s->key, key) != 0)
            continue;
        char *field = (char *)c + s->offset;
        if (s->type == T_TEXT || s->type == T_PATH) {
            size_t n = strlen(value);
            if (n < s->min || n >= s->size) {
                snprintf(err, len, "%s must be %llu to %zu characters", key, s->min, s->size - 1);
                return -1;
            }
            memcpy(field, value, n + 1);
            return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(value, &end, 10);
        if (!isdigit((unsigned char)value[0]) || *end || errno || v < s->min || v > s->max) {
            snprintf(err, len, "%s must be a whole number from %llu to %llu", key, s->min, s->max);
            return -1;
        }
        if (s->type == T_SIZE)
            *(size_t *)field = (size_t)v;
        else
            *(unsigned *)field = (unsigned)v;
        return 0;
    }
    snprintf(err, len, "unknown setting '%s'", key);
    return -1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* The value libinih hands over (trimmed, a `;` comment after a space already cut), cut in
 * place: quoted ("..." or '...': the quotes removed, no escapes, a # inside kept; after the
 * closing quote only spaces and a comment) or bare (a # after a space or tab starts a comment;
 * any other # is part of the value, as in `db = /tmp/a#b.db`). Returns the value, or NULL
 * with *why set. */
static char *line_value(char *s, const char **why)
{
    s = trim(s);
    if (*s == '"' || *s == '\'') {
        char *close = strchr(s + 1, *s);
        if (!close) {
            *why = *s == '"' ? "the value's opening \" is never closed"
                             : "the value's opening ' is never closed";
            return NULL;
        }
        char *rest = close + 1;
        rest += strspn(rest, " \t\r\n");
        if (*rest && *rest != '#') {
            *why = "only a comment may follow a quoted value";
            return NULL;
        }
        *close = '\0';
        return s + 1;
    }
    for (char *p = s; *p; p++) {
        if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            break;
        }
    }
    return trim(s);
}

static const struct setting *setting_find(const char *key)
{
    for (size_t i = 0; i < SETTINGS; i++)
        if (strcmp(settings[i].key, key) == 0)
            return &settings[i];
    return NULL;
}

/* A path setting's relative value in a config file is taken from the file's folder: out gets
 * DIR/value when the file's path has a folder, value otherwise. Returns false when that does
 * not fit in len bytes (never cut: a cut path would name another file). */
static bool from_file_folder(const char *file, const char *value, char *out, size_t len)
{
    const char *slash = strrchr(file, '/');
    int n;
    if (!slash || !*value || value[0] == '/')
        n = snprintf(out, len, "%s", value);
    else
        n = snprintf(out, len, "%.*s/%s", (int)(slash - file), file, value);
    return n >= 0 && (size_t)n < len;
}

/* The longest value libinih hands over (its lines are at most INI_MAX_LINE - 2 characters). */
#define CONFIG_LINE_MAX INI_MAX_LINE

/* One config file being read by libinih: the reader counts lines, so that every error names
 * its line, and the first error is kept (libinih goes on to the end of the file). */
struct file_read {
    struct config *c;
    const char *path;
    FILE *f;
    int line;
    int bad_line;   /* the first error's line, or 0 */
    char err[4608]; /* a path of up to PATH_MAX, its line and the reason */
};

static void file_error(struct file_read *r, const char *why)
{
    if (r->bad_line)
        return;
    r->bad_line = r->line;
    snprintf(r->err, sizeof(r->err), "%s:%d: %s", r->path, r->line, why);
}

/* libinih's reader: one line a call. A line past libinih's limit is an error, given to it as a
 * blank line (the rest of the line read and dropped); leading blanks are taken off, so that an
 * indented line is never a continuation of the one before. */
static char *read_line(char *str, int num, void *stream)
{
    struct file_read *r = stream;
    if (!fgets(str, num, r->f))
        return NULL;
    r->line++;
    size_t got = strlen(str);
    if (got == (size_t)num - 1 && str[got - 1] != '\n' && !feof(r->f)) {
        char msg[96];
        snprintf(msg, sizeof(msg), "the line is longer than %d characters", num - 2);
        file_error(r, msg);
        int ch;
        while ((ch = fgetc(r->f)) != EOF && ch != '\n')
            ;
        strcpy(str, "\n");
        return str;
    }
    size_t lead = r->line == 1 && strncmp(str, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    size_t blanks = strspn(str + lead, " \t");
    memmove(str + lead, str + lead + blanks, got - lead - blanks + 1);
    return str;
}

/* libinih's handler: one `key = value`. Returns 1 to go on, 0 on an error (kept in r). */
static int take_setting(void *user, const char *section, const char *name, const char *value)
{
    struct file_read *r = user;
    if (r->bad_line)
        return 1;
    if (*section) {
        char msg[160];
        snprintf(msg, sizeof(msg), "tthc's settings are in no section ([%.64s])", section);
        file_error(r, msg);
        return 0;
    }
    /* joined holds any path a setting takes (db: 1023 characters) and one byte more, so that
     * config_set refuses one too long rather than taking it cut. */
    char copy[CONFIG_LINE_MAX + 2], joined[sizeof(((struct config *)0)->db) + 1], msg[256];
    snprintf(copy, sizeof(copy), "%s", value);
    const char *why = NULL;
    const char *v = line_value(copy, &why);
    if (!v) {
        file_error(r, why);
        return 0;
    }
    const struct setting *st = setting_find(name);
    if (st && st->type == T_PATH) {
        if (!from_file_folder(r->path, v, joined, sizeof(joined))) {
            snprintf(msg, sizeof(msg),
                     "%s, taken from the config file's folder, is longer than %zu characters", name,
                     sizeof(joined) - 2);
            file_error(r, msg);
            return 0;
        }
        v = joined;
    }
    if (config_set(r->c, name, v, msg, sizeof(msg)) != 0) {
        file_error(r, msg);
        return 0;
    }
    return 1;
}

int config_load_file(struct config *c, const char *path, int required, char *err, size_t len)
{
    struct file_read r = {.c = c, .path = path, .f = fopen(path, "r")};
    if (!r.f) {
        if (!required)
            return 0;
        snprintf(err, len, "cannot read config file %s", path);
        return -1;
    }
    int rc = ini_parse_stream(read_line, &r, take_setting, &r);
    fclose(r.f);
    if (rc == 0 && !r.bad_line)
        return 0;
    /* rc is libinih's first error's line, ours included (the handler said 0 there). */
    if (r.bad_line && (rc <= 0 || r.bad_line <= rc))
        snprintf(err, len, "%s", r.err);
    else if (rc > 0)
        snprintf(err, len, "%s:%d: expected `key = value`", path, rc);
    else
        snprintf(err, len, "%s: cannot be read", path);
    return -1;
}

int config_load_env(struct config *c, char *err, size_t len)
{
    for (size_t i = 0; i < SETTINGS; i++) {
        char name[64] = "TTHC_";
        for (size_t j = 0; settings[i].key[j] && j < 50; j++)
            name[5 + j] = (char)toupper((unsigned char)settings[i].key[j]);
        const char *v = getenv(name);
        char msg[256];
        if (v && config_set(c, settings[i].key, v, msg, sizeof(msg)) != 0) {
            snprintf(err, len, "environment %s: %s", name, msg);
            return -1;
        }
    }
    return 0;
}

bool config_used_by(const char *key, unsigned command)
{
    const struct setting *s = setting_find(key);
    return s && (s->used_by & command);
}

void config_print_help(unsigned command)
{
    printf("Settings (config file key, TTHC_KEY environment variable, or --key flag with - for "
           "_):\n");
    for (size_t i = 0; i < SETTINGS; i++)
        if (settings[i].used_by & command)
            printf("  %-22s %s\n", settings[i].key, settings[i].help);
}

const char *config_find_default(char *buf, size_t len)
{
    if (access(CONFIG_SYSTEM_FILE, F_OK) == 0 && strlen(CONFIG_SYSTEM_FILE) < len) {
        memcpy(buf, CONFIG_SYSTEM_FILE, sizeof(CONFIG_SYSTEM_FILE));
        return buf;
    }
    return NULL;
}

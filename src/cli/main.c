/* The tthc command: serve, migrate, demo, import. Parses flags over the configuration sources
 * and hands off to the modules; it holds no logic of its own beyond that.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tthc/base/config.h"
#include "tthc/base/log.h"
#include "tthc/cli/demo.h"
#include "tthc/http/keys.h"
#include "tthc/http/policy.h"
#include "tthc/http/server.h"
#include "tthc/records/ingest.h"
#include "tthc/recount/verify.h"
#include "tthc/storage/db.h"
#include "tthc/storage/migrate.h"

static void usage(void)
{
    printf("tthc: metrics of administrative-procedure dossiers over HTTP\n\n"
           "usage: tthc COMMAND [options]\n\n"
           "commands:\n"
           "  serve    run the HTTP service (creates and migrates the database if needed)\n"
           "  migrate  apply pending database migrations and exit\n"
           "  demo     load the demo province that reproduces the seed report\n"
           "  import   load records from a file without a server\n"
           "  key      create, list and revoke API keys\n"
           "  verify   recount every figure from the rows and compare it with the fast path\n"
           "  backup   copy the database consistently, even while the service runs\n\n"
           "`tthc COMMAND --help` describes each command.\n");
}

static void command_help(const char *cmd)
{
    if (strcmp(cmd, "serve") == 0)
        printf("usage: tthc serve [--db PATH] [--listen HOST:PORT] [--config FILE] [--SETTING "
               "VALUE]... [--check-config]\n\nServes the HTTP API until SIGINT or SIGTERM, "
               "then finishes the requests in flight (shutdown_grace) and stops. "
               "--check-config validates the settings and the database and exits.\n\n");
    else if (strcmp(cmd, "migrate") == 0)
        printf("usage: tthc migrate [--db PATH] [--config FILE]\n\nApplies the migrations this "
               "binary carries that the database lacks. A database written by a newer tthc is "
               "refused untouched.\n\n");
    else if (strcmp(cmd, "backup") == 0)
        printf("usage: tthc backup [--db PATH] --out FILE\n\nCopies the database into FILE (a "
               "new file) with SQLite's online backup: consistent while the service keeps "
               "serving and loading, then checked with PRAGMA integrity_check. To restore, "
               "stop the service and put FILE in place of the database (remove its -wal and "
               "-shm files first).\n\n");
    else if (strcmp(cmd, "verify") == 0)
        printf("usage: tthc verify [--db PATH] [--config FILE]\n\nRecounts the figures straight "
               "from the rows for the whole span of the data and each month and quarter in it, "
               "ungrouped and by level, unit and channel, and compares them with what the "
               "service answers. Prints each figure that differs; exit status 0 when all "
               "agree, 1 when some differ.\n\n");
    else if (strcmp(cmd, "demo") == 0)
        printf("usage: tthc demo [--db PATH] [--config FILE]\n\nLoads the demo province into "
               "the database (created and migrated if needed). The data is the same on every "
               "run; loading it again replaces it.\n\n");
    else
        printf("usage: tthc import [--db PATH] --kind KIND [--format ndjson|json|csv|dvcqg] "
               "FILE|-\n\nLoads records like POST /api/v1/KIND, from FILE or standard input "
               "(-).\nKIND: units, procedures, dossiers, feedback, ratings, payments, "
               "announcements, holidays.\nFormats:\n"
               "  ndjson  one JSON object per line (the default)\n"
               "  json    one JSON object or an array\n"
               "  csv     a header row of field names, then one record per row\n"
               "  dvcqg   dossiers in the National Public Service Portal's format (a JSON list, "
               "or one per line); --kind is not needed\n"
               "ndjson and csv commit every 50000 records and print progress on stderr every "
               "100000. "
               "Rejected records are listed on stderr with their line (or array index); the "
               "exit status is 0 when nothing was rejected, 3 when some records were.\n\n");
    config_print_help();
    printf("\nThe config file defaults to config/tthc.conf (or TTHC_CONFIG) when it exists.\n");
}

/* Command-line options beyond the settings. */
struct options {
    const char *config, *kind, *format, *file, *out;
    bool check_config;
};

/* Applies config file, environment and flags to cfg, in that order. Returns 0, or -1 after
 * printing the reason. */
static int load_settings(const char *cmd, int argc, char **argv, struct config *cfg,
                         struct options *opt)
{
    char err[512];
    memset(opt, 0, sizeof(*opt));
    opt->config = getenv("TTHC_CONFIG");
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            opt->config = argv[i + 1];
    config_defaults(cfg);
    if (config_load_file(cfg, opt->config ? opt->config : "config/tthc.conf", opt->config != NULL,
                         err, sizeof(err)) != 0 ||
        config_load_env(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "tthc %s: %s\n", cmd, err);
        return -1;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            command_help(cmd);
            exit(0);
        }
        if (strcmp(a, "--check-config") == 0 && strcmp(cmd, "serve") == 0) {
            opt->check_config = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || strcmp(a, "-") == 0) {
            if (opt->file) {
                fprintf(stderr, "tthc %s: unexpected argument '%s'\n", cmd, a);
                return -1;
            }
            opt->file = a;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "tthc %s: %s needs a value\n", cmd, a);
            return -1;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--config") == 0)
            continue;
        if (strcmp(a, "--kind") == 0) {
            opt->kind = v;
            continue;
        }
        if (strcmp(a, "--format") == 0) {
            opt->format = v;
            continue;
        }
        if (strcmp(a, "--out") == 0 && strcmp(cmd, "backup") == 0) {
            opt->out = v;
            continue;
        }
        char key[64];
        snprintf(key, sizeof(key), "%s", a + 2);
        for (char *k = key; *k; k++)
            if (*k == '-')
                *k = '_';
        if (config_set(cfg, key, v, err, sizeof(err)) != 0) {
            fprintf(stderr, "tthc %s: %s (see tthc %s --help)\n", cmd, err, cmd);
            return -1;
        }
    }
    return 0;
}

/* Opens and migrates the database. Returns the connection or NULL after printing why. */
static struct db_conn *open_db(const char *cmd, const char *path)
{
    struct db_conn *c;
    char err[512];
    int applied;
    if (db_conn_open(path, &c, err, sizeof(err)) != 0) {
        fprintf(stderr, "tthc %s: %s\n", cmd, err);
        return NULL;
    }
    if (db_migrate(c, &applied, err, sizeof(err)) != 0) {
        fprintf(stderr, "tthc %s: %s\n", cmd, err);
        db_conn_close(c);
        return NULL;
    }
    if (applied)
        log_info("applied %d migration(s) to %s", applied, path);
    return c;
}

/* Releases what cmd_serve set up; NULL members are skipped. */
static void app_free(struct app *app)
{
    policy_free(app->policy);
    db_pool_free(&app->pool);
    engine_free(app->engine);
}

static int cmd_serve(struct config *cfg, const struct options *opt)
{
    /* Blocks of a megabyte or more (the text of a summary grouped by unit, its groups) are
     * mapped for each request and given back after it. Left to itself glibc raises that
     * threshold after the first such block is freed, and each worker thread's heap then keeps
     * tens of megabytes it no longer uses. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    struct db_conn *c = open_db("serve", cfg->db);
    if (!c)
        return 1;
    db_conn_close(c);
    struct app app = {.cfg = *cfg, .engine = engine_new()};
    if (!app.engine || db_pool_init(&app.pool, cfg->db) != 0 || !(app.policy = policy_new(&app))) {
        fprintf(stderr, "tthc serve: out of memory\n");
        app_free(&app);
        return 1;
    }
    /* Load the counting columns now rather than on the first request. */
    struct db_conn *first = db_pool_conn(&app.pool);
    if (!first || engine_refresh(app.engine, first) != 0) {
        fprintf(stderr, "tthc serve: cannot read the dossiers of %s\n", cfg->db);
        app_free(&app);
        return 1;
    }
    if (opt->check_config) {
        char err[256];
        int rc = server_check(&app, err, sizeof(err));
        if (rc == 0)
            printf("configuration OK: database %s, listen %s\n", cfg->db, cfg->listen);
        else
            fprintf(stderr, "tthc serve: %s\n", err);
        app_free(&app);
        return rc == 0 ? 0 : 1;
    }
    /* Block the stop signals before the worker threads start, so that only sigwait sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct server *s;
    unsigned port;
    char err[256];
    if (server_start(&app, &s, &port, err, sizeof(err)) != 0) {
        fprintf(stderr, "tthc serve: %s\n", err);
        app_free(&app);
        return 1;
    }
    log_info("serving %s on port %u (database %s)", cfg->listen, port, cfg->db);
    int sig = 0;
    sigwait(&stop, &sig);
    log_info("signal %d: finishing requests in flight (up to %u s), then stopping", sig,
             cfg->shutdown_grace);
    server_stop(s, cfg->shutdown_grace);
    app_free(&app);
    log_info("stopped");
    return 0;
}

static int cmd_key(struct config *cfg, int argc, char **argv)
{
    /* Help and usage need no database: key_command answers them before it touches one. */
    bool help = argc == 0 || strcmp(argv[0], "help") == 0;
    for (int i = 0; i < argc; i++)
        help |= strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
    if (help)
        return key_command(NULL, argc, argv);
    struct db_conn *c = open_db("key", cfg->db);
    if (!c)
        return 1;
    int rc = key_command(c, argc, argv);
    db_conn_close(c);
    return rc;
}

static int cmd_backup(struct config *cfg, const struct options *opt)
{
    if (!opt->out) {
        fprintf(stderr, "tthc backup: name the copy with --out FILE\n");
        return 2;
    }
    struct db_conn *c = open_db("backup", cfg->db);
    if (!c)
        return 1;
    char err[512];
    int rc = db_backup(c, opt->out, err, sizeof(err));
    db_conn_close(c);
    if (rc != 0) {
        fprintf(stderr, "tthc backup: %s\n", err);
        return 1;
    }
    printf("backup of %s written to %s and checked\n", cfg->db, opt->out);
    return 0;
}

static int cmd_verify(struct config *cfg)
{
    struct db_conn *c = open_db("verify", cfg->db);
    if (!c)
        return 1;
    int rc = verify_run(c, stdout);
    db_conn_close(c);
    if (rc < 0)
        fprintf(stderr, "tthc verify: the figures could not be computed (see the log)\n");
    return rc == 0 ? 0 : 1;
}

static int cmd_migrate(struct config *cfg)
{
    struct db_conn *c = open_db("migrate", cfg->db);
    if (!c)
        return 1;
    db_conn_close(c);
    printf("database %s is at schema version %d\n", cfg->db, migrations_count);
    return 0;
}

static int cmd_demo(struct config *cfg)
{
    struct db_conn *c = open_db("demo", cfg->db);
    if (!c)
        return 1;
    struct demo_stats st;
    char err[256];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = demo_build(c, 1, &st, err, sizeof(err));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    db_conn_close(c);
    if (rc != 0) {
        fprintf(stderr, "tthc demo: %s\n", err);
        return 1;
    }
    printf("demo province loaded into %s: %zu units, %zu procedures, %zu dossiers in %.2f s\n",
           cfg->db, st.units, st.procedures, st.dossiers,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}

/* Prints a batch's rejects to stderr, one line each: by file line (1-based, as an editor shows
 * it) for NDJSON and CSV, by element index (0-based, as the HTTP API reports it) for a JSON
 * array. NDJSON positions are 0-based lines, so line_offset is 1 for them. */
static void print_rejects(const struct ingest_report *rep, bool by_line, int line_offset)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, rep->rejects)
    {
        const cJSON *code = cJSON_GetObjectItem(r, "code");
        double pos = cJSON_GetObjectItem(r, "position")->valuedouble;
        fprintf(stderr, "rejected %s %.0f%s%s: %s\n", by_line ? "line" : "element",
                by_line ? pos + line_offset : pos, cJSON_IsString(code) ? " " : "",
                cJSON_IsString(code) ? code->valuestring : "",
                cJSON_GetObjectItem(r, "reason")->valuestring);
    }
}

/* Reads all of f into a malloc'd buffer. Returns NULL on error. */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (ferror(f)) {
            free(buf);
            return NULL;
        }
        if (feof(f))
            break;
        if (n + 1 == cap) {
            char *b = realloc(buf, cap *= 2);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* Records per transaction when importing line by line: large enough that commits (each an
 * fsync) cost little, small enough that memory stays flat on any file (about 12 MB of lines
 * at the national data set's 245 bytes a record). */
#define IMPORT_BATCH_LINES 50000

struct import {
    struct db_conn *c;
    enum kind kind;
    enum format format;
    bool csv, ndjson;
    size_t stored, rejected, batches;
    int failed;
};

/* Loads one chunk; position_base places its rejects in the whole file. Returns 0 or -1. */
static int import_chunk(struct import *im, const char *buf, size_t len, size_t position_base,
                        const char *where)
{
    struct ingest_report rep;
    char err[256];
    enum ingest_status st = ingest_body(im->c, im->kind, im->format, buf, len, position_base,
                                        (size_t)-1, &rep, err, sizeof(err));
    if (st != INGEST_OK) {
        fprintf(stderr, "tthc import: %s: %s\n", where, err);
        ingest_report_free(&rep);
        im->failed = 1;
        return -1;
    }
    print_rejects(&rep, im->ndjson || im->csv, im->ndjson);
    im->stored += rep.stored;
    im->rejected += rep.rejected;
    ingest_report_free(&rep);
    if (++im->batches % 2 == 0)
        fprintf(stderr, "tthc import: %zu records stored, %zu rejected so far\n", im->stored,
                im->rejected);
    return 0;
}

/* Reads f line by line and loads it in chunks of IMPORT_BATCH_LINES records, each chunk its
 * own transaction. For CSV, a record may span lines inside quotes; chunks end only outside
 * quotes, and each chunk after the first is given the header line again. */
static void import_lines(struct import *im, FILE *f)
{
    size_t cap = 1 << 20, used = 0, header_len = 0, records = 0, lines = 0, chunk_start = 0;
    char *buf = malloc(cap), *line = NULL;
    size_t line_cap = 0;
    bool quoted = false;
    ssize_t n;
    while (buf && !im->failed) {
        n = getline(&line, &line_cap, f);
        if (n > 0) {
            if (used + (size_t)n + 1 > cap) {
                while (used + (size_t)n + 1 > cap)
                    cap *= 2;
                char *b = realloc(buf, cap);
                if (!b)
                    break;
                buf = b;
            }
            memcpy(buf + used, line, (size_t)n);
            used += (size_t)n;
            buf[used] = '\0';
            lines++;
            if (im->csv)
                for (ssize_t k = 0; k < n; k++)
                    quoted ^= line[k] == '"';
            if (header_len == 0 && used == (size_t)n && strspn(line, " \t\r\n") == (size_t)n) {
                used = 0; /* blank lines before the first record or header */
                chunk_start = lines;
                continue;
            }
            if (im->csv && header_len == 0 && !quoted) {
                header_len = used; /* the header row, repeated before every chunk */
                chunk_start = lines;
                continue;
            }
            if (!quoted)
                records++;
        }
        bool last = n < 0;
        /* A chunk of nothing but blank lines (a file's end) is not a batch. */
        bool blank = strspn(buf + header_len, " \t\r\n") >= used - header_len;
        if (!blank && ((records == IMPORT_BATCH_LINES && !quoted) || (last && used > header_len))) {
            char where[64];
            snprintf(where, sizeof(where), "lines %zu..%zu", chunk_start + 1, lines);
            /* CSV positions are 1-based with the header as line 1 of every chunk, so a chunk's
             * line L is line L + chunk_start - 1 of the file; NDJSON positions are 0-based. */
            if (import_chunk(im, buf, used, im->csv ? chunk_start - 1 : chunk_start, where) != 0)
                break;
            chunk_start = lines;
            used = header_len;
            records = 0;
        }
        if (last)
            break;
    }
    if (!buf) {
        fprintf(stderr, "tthc import: out of memory\n");
        im->failed = 1;
    }
    free(line);
    free(buf);
}

static int cmd_import(struct config *cfg, struct options *opt)
{
    static const char *const formats[] = {"ndjson", "json", "csv", "dvcqg", NULL};
    const char *format = opt->format ? opt->format : "ndjson";
    int fi = 0;
    while (formats[fi] && strcmp(formats[fi], format) != 0)
        fi++;
    if (!formats[fi]) {
        fprintf(stderr, "tthc import: --format must be ndjson, json, csv or dvcqg\n");
        return 2;
    }
    struct import im = {.ndjson = fi == 0, .csv = fi == 2};
    im.format = fi == 2 ? FORMAT_CSV : fi == 3 ? FORMAT_DVCQG : FORMAT_JSON;
    im.kind = KIND_DOSSIERS;
    if (im.format != FORMAT_DVCQG && (!opt->kind || kind_from_name(opt->kind, &im.kind) != 0)) {
        fprintf(stderr, "tthc import: --kind must be units, procedures, dossiers, feedback, "
                        "ratings, payments, announcements or holidays\n");
        return 2;
    }
    if (!opt->file) {
        fprintf(stderr, "tthc import: name a FILE to read, or - for standard input\n");
        return 2;
    }
    FILE *f = strcmp(opt->file, "-") == 0 ? stdin : fopen(opt->file, "rb");
    if (!f) {
        fprintf(stderr, "tthc import: cannot read %s: %s\n", opt->file, strerror(errno));
        return 1;
    }
    if (!(im.c = open_db("import", cfg->db))) {
        if (f != stdin)
            fclose(f);
        return 1;
    }
    /* A bulk load touches index pages all over a large file: a cache that holds them saves
     * rereading them for every batch (512 MiB; the server keeps its own, smaller one). */
    db_set_cache(im.c, 512);
    /* Checkpoint the write-ahead log every 50,000 pages (about 200 MB), not every 1,000: a
     * page that many batches touch is copied into the database once, and each checkpoint's
     * fsyncs are paid a fiftieth as often. Commits stay synchronous=FULL. */
    db_set_checkpoint(im.c, 50000);
    if (im.ndjson || im.csv) {
        import_lines(&im, f);
    } else {
        /* A JSON document (an object or an array; the portal sends arrays) is read whole. */
        size_t len;
        char *buf = read_all(f, &len);
        if (!buf) {
            fprintf(stderr, "tthc import: cannot read %s\n", opt->file);
            im.failed = 1;
        } else {
            import_chunk(&im, buf, len, 0, opt->file);
            free(buf);
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "tthc import: cannot read %s\n", opt->file);
        im.failed = 1;
    }
    if (f != stdin)
        fclose(f);
    db_conn_close(im.c);
    printf("%s: %zu stored, %zu rejected\n", kind_name(im.kind), im.stored, im.rejected);
    return im.failed ? 1 : im.rejected ? 3 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0 && strcmp(cmd, "demo") != 0 &&
        strcmp(cmd, "import") != 0 && strcmp(cmd, "key") != 0 && strcmp(cmd, "verify") != 0 &&
        strcmp(cmd, "backup") != 0) {
        fprintf(stderr, "tthc: unknown command '%s' (see tthc --help)\n", cmd);
        return 2;
    }
    struct config cfg;
    struct options opt;
    if (strcmp(cmd, "key") == 0) {
        /* tthc key ACTION [flags]: --db and --config may stand anywhere; the rest is the
         * action's. */
        char *settings[4], *rest[64];
        int ns = 0, nr = 0;
        for (int i = 2; i < argc; i++) {
            bool setting = (strcmp(argv[i], "--db") == 0 || strcmp(argv[i], "--config") == 0) &&
                           i + 1 < argc && ns < 3;
            if (setting) {
                settings[ns++] = argv[i];
                settings[ns++] = argv[++i];
            } else if (nr < 63) {
                rest[nr++] = argv[i];
            }
        }
        if (load_settings(cmd, ns, settings, &cfg, &opt) != 0)
            return 2;
        return cmd_key(&cfg, nr, rest);
    }
    if (load_settings(cmd, argc - 2, argv + 2, &cfg, &opt) != 0)
        return 2;
    if (opt.file && strcmp(cmd, "import") != 0) {
        fprintf(stderr, "tthc %s: unexpected argument '%s'\n", cmd, opt.file);
        return 2;
    }
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(&cfg, &opt);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate(&cfg);
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(&cfg);
    if (strcmp(cmd, "verify") == 0)
        return cmd_verify(&cfg);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(&cfg, &opt);
    return cmd_import(&cfg, &opt);
}

/* The tthc command: serve, migrate, demo, import. Parses flags over the configuration sources
 * and hands off to the modules; it holds no logic of its own beyond that.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tthc/config.h"
#include "tthc/db.h"
#include "tthc/demo.h"
#include "tthc/ingest.h"
#include "tthc/log.h"
#include "tthc/server.h"

static void usage(void)
{
    printf("tthc: metrics of administrative-procedure dossiers over HTTP\n\n"
           "usage: tthc COMMAND [options]\n\n"
           "commands:\n"
           "  serve    run the HTTP service (creates and migrates the database if needed)\n"
           "  migrate  apply pending database migrations and exit\n"
           "  demo     load the demo province that reproduces the seed report\n"
           "  import   load records from a file without a server\n\n"
           "`tthc COMMAND --help` describes each command.\n");
}

static void command_help(const char *cmd)
{
    if (strcmp(cmd, "serve") == 0)
        printf("usage: tthc serve [--db PATH] [--listen HOST:PORT] [--config FILE] [--SETTING "
               "VALUE]...\n\nServes the HTTP API until SIGINT or SIGTERM.\n\n");
    else if (strcmp(cmd, "migrate") == 0)
        printf("usage: tthc migrate [--db PATH] [--config FILE]\n\nApplies the migrations this "
               "binary carries that the database lacks. A database written by a newer tthc is "
               "refused untouched.\n\n");
    else if (strcmp(cmd, "demo") == 0)
        printf("usage: tthc demo [--db PATH] [--config FILE]\n\nLoads the demo province into "
               "the database (created and migrated if needed). The data is the same on every "
               "run; loading it again replaces it.\n\n");
    else
        printf("usage: tthc import [--db PATH] --kind units|procedures|dossiers [--format "
               "ndjson|json] FILE|-\n\nLoads records like POST /api/v1/KIND, from FILE or "
               "standard input (-). ndjson (the default) reads one object per line and commits "
               "every 10000 lines; json reads one object or array. Rejected records are listed "
               "on stderr with their line or index; the exit status is 0 when nothing was "
               "rejected, 3 when some records were.\n\n");
    config_print_help();
    printf("\nThe config file defaults to config/tthc.conf (or TTHC_CONFIG) when it exists.\n");
}

/* Command-line options beyond the settings. */
struct options {
    const char *config, *kind, *format, *file;
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

static int cmd_serve(struct config *cfg)
{
    struct db_conn *c = open_db("serve", cfg->db);
    if (!c)
        return 1;
    db_conn_close(c);
    struct app app = {.cfg = *cfg, .facts = facts_new()};
    if (!app.facts || db_pool_init(&app.pool, cfg->db) != 0) {
        fprintf(stderr, "tthc serve: out of memory\n");
        facts_free(app.facts);
        return 1;
    }
    /* Load the counting columns now rather than on the first request. */
    struct db_conn *first = db_pool_conn(&app.pool);
    if (!first || facts_refresh(app.facts, first) != 0) {
        fprintf(stderr, "tthc serve: cannot read the dossiers of %s\n", cfg->db);
        db_pool_free(&app.pool);
        facts_free(app.facts);
        return 1;
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
        db_pool_free(&app.pool);
        facts_free(app.facts);
        return 1;
    }
    log_info("serving %s on port %u (database %s)", cfg->listen, port, cfg->db);
    int sig = 0;
    sigwait(&stop, &sig);
    log_info("signal %d: stopping", sig);
    server_stop(s);
    db_pool_free(&app.pool);
    facts_free(app.facts);
    return 0;
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

/* Prints a batch's rejects to stderr, one line each: NDJSON by 1-based line number, as an
 * editor shows it; a JSON array by 0-based element index, as the HTTP API reports it. */
static void print_rejects(const struct ingest_report *rep, int ndjson)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, rep->rejects)
    {
        const cJSON *code = cJSON_GetObjectItem(r, "code");
        double pos = cJSON_GetObjectItem(r, "position")->valuedouble;
        fprintf(stderr, "rejected %s %.0f%s%s: %s\n", ndjson ? "line" : "element",
                ndjson ? pos + 1 : pos, cJSON_IsString(code) ? " " : "",
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

/* Lines per transaction when importing NDJSON: large enough that commits cost little. */
#define IMPORT_BATCH_LINES 10000

static int cmd_import(struct config *cfg, struct options *opt)
{
    enum kind kind;
    if (!opt->kind || kind_from_name(opt->kind, &kind) != 0) {
        fprintf(stderr, "tthc import: --kind must be units, procedures or dossiers\n");
        return 2;
    }
    const char *format = opt->format ? opt->format : "ndjson";
    if (strcmp(format, "ndjson") != 0 && strcmp(format, "json") != 0) {
        fprintf(stderr, "tthc import: --format must be ndjson or json\n");
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
    struct db_conn *c = open_db("import", cfg->db);
    if (!c) {
        if (f != stdin)
            fclose(f);
        return 1;
    }
    size_t stored = 0, rejected = 0, lines = 0;
    int rc = 0;
    char err[256];
    struct ingest_report rep;
    if (strcmp(format, "json") == 0) {
        size_t len;
        char *buf = read_all(f, &len);
        if (!buf) {
            fprintf(stderr, "tthc import: cannot read %s\n", opt->file);
            rc = 1;
        } else {
            enum ingest_status st =
                ingest_body(c, kind, buf, len, 0, (size_t)-1, &rep, err, sizeof(err));
            if (st != INGEST_OK) {
                fprintf(stderr, "tthc import: %s\n", err);
                rc = 1;
            }
            print_rejects(&rep, 0);
            stored = rep.stored;
            rejected = rep.rejected;
            ingest_report_free(&rep);
            free(buf);
        }
    } else {
        /* NDJSON: batches of whole lines, each batch one transaction. */
        size_t cap = 1 << 20, used = 0, batch_lines = 0;
        char *buf = malloc(cap);
        char *line = NULL;
        size_t line_cap = 0;
        ssize_t n;
        for (;;) {
            n = buf ? getline(&line, &line_cap, f) : -1;
            if (n > 0) {
                if (used + (size_t)n + 1 > cap) {
                    while (used + (size_t)n + 1 > cap)
                        cap *= 2;
                    char *b = realloc(buf, cap);
                    if (!b) {
                        rc = 1;
                        break;
                    }
                    buf = b;
                }
                memcpy(buf + used, line, (size_t)n);
                used += (size_t)n;
                batch_lines++;
            }
            if (batch_lines && (batch_lines == IMPORT_BATCH_LINES || n < 0)) {
                buf[used] = '\0';
                enum ingest_status st =
                    ingest_body(c, kind, buf, used, lines, (size_t)-1, &rep, err, sizeof(err));
                if (st != INGEST_OK) {
                    fprintf(stderr, "tthc import: lines %zu..%zu: %s\n", lines + 1,
                            lines + batch_lines, err);
                    ingest_report_free(&rep);
                    rc = 1;
                    break;
                }
                print_rejects(&rep, 1);
                stored += rep.stored;
                rejected += rep.rejected;
                ingest_report_free(&rep);
                lines += batch_lines;
                used = batch_lines = 0;
                if (lines % (IMPORT_BATCH_LINES * 10) == 0)
                    fprintf(stderr, "tthc import: %zu lines read, %zu stored\n", lines, stored);
            }
            if (n < 0)
                break;
        }
        if (!buf || ferror(f)) {
            fprintf(stderr, "tthc import: cannot read %s\n", opt->file);
            rc = 1;
        }
        free(line);
        free(buf);
    }
    if (f != stdin)
        fclose(f);
    db_conn_close(c);
    printf("%s: %zu stored, %zu rejected\n", kind_name(kind), stored, rejected);
    return rc ? rc : rejected ? 3 : 0;
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
        strcmp(cmd, "import") != 0) {
        fprintf(stderr, "tthc: unknown command '%s' (see tthc --help)\n", cmd);
        return 2;
    }
    struct config cfg;
    struct options opt;
    if (load_settings(cmd, argc - 2, argv + 2, &cfg, &opt) != 0)
        return 2;
    if (opt.file && strcmp(cmd, "import") != 0) {
        fprintf(stderr, "tthc %s: unexpected argument '%s'\n", cmd, opt.file);
        return 2;
    }
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(&cfg);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate(&cfg);
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(&cfg);
    return cmd_import(&cfg, &opt);
}

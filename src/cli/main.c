/* The tthc program: reads the command and its flags over the configuration sources (config
 * file, environment, flags) and hands off to the command (commands.h); it holds no logic of its
 * own beyond that.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/config.h"
#include "tthc/cli/commands.h"

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

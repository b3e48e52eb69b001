/* The tthc program: reads the command and its flags over the configuration sources (config
 * file, environment, flags) and hands off to the command (commands.h); it holds no logic of its
 * own beyond that. The table of commands below is the one place that names them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/config.h"
#include "tthc/cli/commands.h"

/* Flags a command takes besides the settings it reads. */
enum extra {
    EXTRA_KIND = 1u << 0,
    EXTRA_FORMAT = 1u << 1,
    EXTRA_OUT = 1u << 2,
    EXTRA_CHECK = 1u << 3
};

static const struct command {
    const char *name;
    unsigned bit;    /* enum config_command: which settings it reads */
    unsigned extras; /* enum extra */
    const char *summary, *help;
} commands[] = {
    {"serve", CONFIG_SERVE, EXTRA_CHECK,
     "run the HTTP service (creates and migrates the database if needed)",
     "usage: tthc serve [--db PATH] [--listen HOST:PORT] [--config FILE] [--SETTING VALUE]... "
     "[--check-config]\n\nServes the HTTP API until SIGINT or SIGTERM, then finishes the "
     "requests in flight (shutdown_grace) and stops. --check-config validates the settings and "
     "the database and exits.\n"},
    {"migrate", CONFIG_MIGRATE, 0, "apply pending database migrations and exit",
     "usage: tthc migrate [--db PATH] [--config FILE]\n\nApplies the migrations this binary "
     "carries that the database lacks. A database written by a newer tthc is refused "
     "untouched.\n"},
    {"demo", CONFIG_DEMO, 0, "load the demo province that reproduces the seed report",
     "usage: tthc demo [--db PATH] [--config FILE]\n\nLoads the demo province into the database "
     "(created and migrated if needed). The data is the same on every run; loading it again "
     "replaces it.\n"},
    {"import", CONFIG_IMPORT, EXTRA_KIND | EXTRA_FORMAT,
     "load records from a file without a server",
     "usage: tthc import [--db PATH] [--config FILE] --kind KIND [--format ndjson|json|csv|dvcqg] "
     "FILE|-\n\nLoads records like POST /api/v1/KIND, from FILE or standard input (-), plain or "
     "gzip-compressed (told by its first bytes, whatever its name).\nKIND: units, procedures, "
     "dossiers, feedback, ratings, payments, announcements, holidays.\nFormats:\n"
     "  ndjson  one JSON object per line (the default)\n"
     "  json    one JSON object or an array\n"
     "  csv     a header row of field names, then one record per row\n"
     "  dvcqg   dossiers in the National Public Service Portal's format (a JSON list, or one per "
     "line); --kind is not needed\n"
     "ndjson and csv commit every 50000 records. Progress goes to stderr every 100000 records and "
     "at the end (redrawn in place on a terminal): the share of the input read, the rate and the "
     "time left when its size is known (a file), the bytes read when not (a pipe). Rejected "
     "records are listed on stderr with their line (or array index); the exit status is 0 when "
     "nothing was rejected, 3 when some records were.\n"},
    {"key", CONFIG_KEY, 0, "create, list and revoke API keys", NULL /* key.c has its own */},
    {"verify", CONFIG_VERIFY, 0,
     "recount every figure from the rows and compare it with the fast path",
     "usage: tthc verify [--db PATH] [--config FILE]\n\nRecounts the figures straight from the "
     "rows for the whole span of the data and each month and quarter in it, ungrouped and by "
     "level, unit and channel, and compares them with what the service answers. Prints each "
     "figure that differs; exit status 0 when all agree, 1 when some differ.\n"},
    {"backup", CONFIG_BACKUP, EXTRA_OUT,
     "copy the database consistently, even while the service runs",
     "usage: tthc backup [--db PATH] [--config FILE] --out FILE\n\nCopies the database into "
     "FILE (a new file) with SQLite's online backup: consistent while the service keeps serving "
     "and loading, then checked with PRAGMA integrity_check. To restore, stop the service and "
     "put FILE in place of the database (remove its -wal and -shm files first).\n"},
};
#define COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(void)
{
    printf("tthc %s: metrics of administrative-procedure dossiers over HTTP\n\n"
           "usage: tthc COMMAND [options]\n       tthc --version\n\ncommands:\n",
           TTHC_VERSION);
    for (size_t i = 0; i < COMMANDS; i++)
        printf("  %-8s %s\n", commands[i].name, commands[i].summary);
    printf("\n`tthc COMMAND --help` describes each.\n");
}

/* Where the settings come from, for every command's help: the config file this run would read
 * (found now, not read), then the environment and the flags. */
static void sources_help(void)
{
    char found[4096];
    const char *env = getenv("TTHC_CONFIG");
    printf("\nThe config file is --config FILE, else $TTHC_CONFIG, else %s when it exists; "
           "without one, the built-in defaults stand (the working directory is never searched). ",
           CONFIG_SYSTEM_FILE);
    if (env && *env)
        printf("Here: %s (TTHC_CONFIG).\n", env);
    else if (config_find_default(found, sizeof(found)))
        printf("Here: %s.\n", found);
    else
        printf("Here: none.\n");
    printf("TTHC_* environment variables override the file, and flags override both.\n");
}

static void command_help(const struct command *cmd)
{
    printf("%s\n", cmd->help);
    config_print_help(cmd->bit);
    sources_help();
}

/* Applies config file, environment and flags to cfg, in that order. Returns 0, or -1 after
 * printing the reason. */
static int load_settings(const struct command *cmd, int argc, char **argv, struct config *cfg,
                         struct options *opt)
{
    const char *name = cmd->name;
    char err[4608];
    static char found[4096];
    memset(opt, 0, sizeof(*opt));
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            command_help(cmd);
            exit(0);
        }
    }
    const char *env = getenv("TTHC_CONFIG");
    opt->config = env && *env ? env : NULL;
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            opt->config = argv[i + 1];
    bool named = opt->config != NULL;
    if (!named)
        opt->config = config_find_default(found, sizeof(found));
    config_defaults(cfg);
    if ((opt->config && config_load_file(cfg, opt->config, named, err, sizeof(err)) != 0) ||
        config_load_env(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "tthc %s: %s\n", name, err);
        return -1;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--check-config") == 0 && (cmd->extras & EXTRA_CHECK)) {
            opt->check_config = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || strcmp(a, "-") == 0) {
            if (opt->file) {
                fprintf(stderr, "tthc %s: unexpected argument '%s'\n", name, a);
                return -1;
            }
            opt->file = a;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "tthc %s: %s needs a value\n", name, a);
            return -1;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--config") == 0)
            continue;
        if (strcmp(a, "--kind") == 0 && (cmd->extras & EXTRA_KIND)) {
            opt->kind = v;
            continue;
        }
        if (strcmp(a, "--format") == 0 && (cmd->extras & EXTRA_FORMAT)) {
            opt->format = v;
            continue;
        }
        if (strcmp(a, "--out") == 0 && (cmd->extras & EXTRA_OUT)) {
            opt->out = v;
            continue;
        }
        char key[64];
        snprintf(key, sizeof(key), "%s", a + 2);
        for (char *k = key; *k; k++)
            if (*k == '-')
                *k = '_';
        if (!config_used_by(key, cmd->bit) && config_used_by(key, CONFIG_EVERY_COMMAND)) {
            fprintf(stderr,
                    "tthc %s: %s is a setting of tthc serve, not of tthc %s (see tthc %s "
                    "--help)\n",
                    name, a, name, name);
            return -1;
        }
        if (config_set(cfg, key, v, err, sizeof(err)) != 0) {
            fprintf(stderr, "tthc %s: %s (see tthc %s --help)\n", name, err, name);
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
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("tthc %s\n", TTHC_VERSION);
        return 0;
    }
    const struct command *cmd = NULL;
    for (size_t i = 0; i < COMMANDS && !cmd; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            cmd = &commands[i];
    if (!cmd) {
        fprintf(stderr, "tthc: unknown command '%s' (see tthc --help)\n", argv[1]);
        return 2;
    }
    struct config cfg;
    struct options opt;
    if (cmd->bit == CONFIG_KEY) {
        /* tthc key ACTION [flags]: --db and --config may stand anywhere; the rest is the
         * action's, --help included (key.c answers it). */
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
    if (opt.file && cmd->bit != CONFIG_IMPORT) {
        fprintf(stderr, "tthc %s: unexpected argument '%s'\n", cmd->name, opt.file);
        return 2;
    }
    switch (cmd->bit) {
    case CONFIG_SERVE:
        return cmd_serve(&cfg, &opt);
    case CONFIG_MIGRATE:
        return cmd_migrate(&cfg);
    case CONFIG_DEMO:
        return cmd_demo(&cfg);
    case CONFIG_VERIFY:
        return cmd_verify(&cfg);
    case CONFIG_BACKUP:
        return cmd_backup(&cfg, &opt);
    default:
        return cmd_import(&cfg, &opt);
    }
}

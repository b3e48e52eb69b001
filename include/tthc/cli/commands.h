/* The commands of the tthc program (cli/main.c reads the command line and the settings, then
 * calls one of these). Each prints what went wrong on stderr, one line, and returns the exit
 * status: 0 done, 1 failed, 2 a usage error, 3 (import) some records were refused.
 */
#ifndef TTHC_CLI_COMMANDS_H
#define TTHC_CLI_COMMANDS_H

#include <stdbool.h>

#include "tthc/base/config.h"
#include "tthc/storage/db.h"

/* Command-line options beyond the settings. */
struct options {
    const char *config, *kind, *format, *file, *out;
    bool check_config;
};

/* Opens and migrates the database at path for command cmd. Returns the connection (the caller
 * closes it) or NULL after printing why. */
struct db_conn *open_db(const char *cmd, const char *path);

int cmd_serve(struct config *cfg, const struct options *opt); /* cli/serve.c */
int cmd_import(struct config *cfg, struct options *opt);      /* cli/import.c */
int cmd_migrate(struct config *cfg);                          /* cli/admin.c */
int cmd_demo(struct config *cfg);
int cmd_verify(struct config *cfg);
int cmd_backup(struct config *cfg, const struct options *opt);
int cmd_key(struct config *cfg, int argc, char **argv);

/* The `tthc key` command (cli/key.c). argv[0] is "create", "list" or "revoke", followed by its
 * flags:
 *   create --name NAME --scope read|write|admin [--expires DAYS] [--rate-exempt]
 *   list
 *   revoke --name NAME
 * and --help (or -h) for each, or as argv[0] for all. Prints to stdout (the token, the list,
 * help) and stderr (what went wrong, the reminder that a token is shown once). c is an open,
 * migrated database, or NULL when only help is asked for. */
int key_command(struct db_conn *c, int argc, char **argv);

#endif

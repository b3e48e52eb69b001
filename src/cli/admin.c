/* The commands around the service: migrate, demo, verify, backup, and `tthc key`'s database;
 * and opening the database for any of them. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tthc/base/log.h"
#include "tthc/cli/commands.h"
#include "tthc/cli/demo.h"
#include "tthc/recount/verify.h"
#include "tthc/storage/migrate.h"

struct db_conn *open_db(const char *cmd, const char *path)
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

int cmd_key(struct config *cfg, int argc, char **argv)
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

int cmd_backup(struct config *cfg, const struct options *opt)
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

int cmd_verify(struct config *cfg)
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

int cmd_migrate(struct config *cfg)
{
    struct db_conn *c = open_db("migrate", cfg->db);
    if (!c)
        return 1;
    db_conn_close(c);
    printf("database %s is at schema version %d\n", cfg->db, migrations_count);
    return 0;
}

int cmd_demo(struct config *cfg)
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

/* `tthc serve`: the HTTP service until SIGINT or SIGTERM. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "tthc/base/log.h"
#include "tthc/cli/commands.h"
#include "tthc/handlers/app.h"
#include "tthc/http/policy.h"
#include "tthc/http/server.h"

/* Releases what cmd_serve set up; NULL members are skipped. */
static void app_free(struct app *app)
{
    policy_free(app->policy);
    db_pool_free(&app->pool);
    engine_free(app->engine);
}

int cmd_serve(struct config *cfg, const struct options *opt)
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
            printf("configuration OK: database %s, listen %s, config file %s\n", cfg->db,
                   cfg->listen, opt->config ? opt->config : "none");
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
    /* The address as given, with the port bound (a listen of port 0 picks one). */
    const char *colon = strrchr(cfg->listen, ':');
    log_info("serving http://%.*s:%u/ (database %s)", colon ? (int)(colon - cfg->listen) : 0,
             cfg->listen, port, cfg->db);
    /* Type=notify: ready once migrated, the columns loaded and the socket listening; nothing
     * when systemd did not start us (no NOTIFY_SOCKET). */
    sd_notifyf(0, "READY=1\nSTATUS=serving http://%.*s:%u/", colon ? (int)(colon - cfg->listen) : 0,
               cfg->listen, port);
    int sig = 0;
    sigwait(&stop, &sig);
    sd_notifyf(0, "STOPPING=1\nSTATUS=finishing requests in flight (up to %u s)",
               cfg->shutdown_grace);
    log_info("signal %d: finishing requests in flight (up to %u s), then stopping", sig,
             cfg->shutdown_grace);
    server_stop(s, cfg->shutdown_grace);
    app_free(&app);
    log_info("stopped");
    return 0;
}

/* Configuration: defaults, then config/tthc.conf (or --config), then TTHC_* environment
 * variables, then command-line flags; each later source wins (api.md, "The program").
 * Owns parsing and validating settings; it does not act on them.
 */
#ifndef TTHC_CONFIG_H
#define TTHC_CONFIG_H

#include <stddef.h>

struct config {
    char db[1024];
    char listen[128];            /* HOST:PORT; port 0 picks a free port */
    size_t max_body_bytes;       /* larger request bodies get 413 */
    size_t max_batch_records;    /* more records in one load get 413 */
    unsigned connection_timeout; /* seconds of silence before a connection is closed */
    unsigned threads;            /* worker threads; at most the cores, see style.md */
    unsigned max_connections;    /* open connections at once */
};

/* Fills c with the built-in defaults. */
void config_defaults(struct config *c);

/* Sets one setting by name (file and environment spelling: `max_body_bytes`). Returns 0, or
 * -1 with a reason naming the setting and what it accepts. */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t len);

/* Reads `key = value` lines (# starts a comment). A missing file is an error only when
 * required. Returns 0 or -1 with a reason that names the file and line. */
int config_load_file(struct config *c, const char *path, int required, char *err, size_t len);

/* Applies TTHC_<KEY> environment variables for every known setting. Returns 0 or -1. */
int config_load_env(struct config *c, char *err, size_t len);

/* Writes the settings and their meaning, for --help. */
void config_print_help(void);

#endif

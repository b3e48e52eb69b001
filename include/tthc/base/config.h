/* Configuration: defaults, then one config file (--config FILE, else TTHC_CONFIG, else the
 * first of config_find_default's two), then TTHC_* environment variables, then command-line
 * flags; each later source wins (api.md, "Settings and limits"). Owns parsing and validating
 * settings, and which command reads which; it does not act on them.
 */
#ifndef TTHC_CONFIG_H
#define TTHC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* The commands of the tthc program, as bits: each setting names the commands that read it
 * (config_print_help, config_used_by). */
enum config_command {
    CONFIG_SERVE = 1u << 0,
    CONFIG_MIGRATE = 1u << 1,
    CONFIG_DEMO = 1u << 2,
    CONFIG_IMPORT = 1u << 3,
    CONFIG_KEY = 1u << 4,
    CONFIG_VERIFY = 1u << 5,
    CONFIG_BACKUP = 1u << 6,
};
#define CONFIG_EVERY_COMMAND 0x7fu

/* The config file looked for when neither --config nor TTHC_CONFIG names one. */
#define CONFIG_SYSTEM_FILE "/etc/tthc/tthc.conf"

struct config {
    char db[1024];
    char listen[128];            /* HOST:PORT; port 0 picks a free port */
    size_t max_body_bytes;       /* larger request bodies get 413 */
    size_t max_batch_records;    /* more records in one load get 413 */
    size_t max_load_bytes_read;  /* a load's budget of parsing (records/ingest.h) */
    unsigned max_load_seconds;   /* a load's budget of time, reading and storing */
    unsigned max_unit_depth;     /* units from the top of a tree; units in a successor chain */
    unsigned connection_timeout; /* seconds of silence before a connection is closed */
    unsigned threads;            /* worker threads; at most the cores, see style.md */
    unsigned max_connections;    /* open connections at once */
    unsigned max_connections_per_ip;
    unsigned header_timeout;    /* seconds a connection has to send a request's whole headers */
    unsigned body_timeout;      /* seconds a request has to send its whole body */
    size_t max_buffered_bytes;  /* request body bytes held across all connections at once */
    char trusted_proxies[1024]; /* addresses and CIDRs whose X-Forwarded-For is believed */
    unsigned heavy_workers;     /* threads that run the heavy reads (summary, series, ...) */
    unsigned heavy_per_client;  /* heavy reads one key or address may have in flight */
    unsigned heavy_budget_ms;   /* a heavy read not answered within it gets 503 */
    unsigned load_workers;      /* threads that run loads */
    size_t max_inflated_bytes;  /* a gzip request body may inflate to at most this */
    unsigned max_query_days;    /* longest period a query may span */
    unsigned read_requires_key; /* 1: reads need a key with read scope */
    unsigned rate_per_second;   /* token bucket per key or client address */
    unsigned rate_burst;
    unsigned rate_clients;      /* buckets kept (least recently used dropped) */
    char cors_origins[1024];    /* comma-separated allowed origins; "" none; "*" any */
    char cache_control[128];    /* Cache-Control of read responses */
    size_t gzip_min_bytes;      /* smaller responses are sent as they are */
    unsigned stale_after_hours; /* freshness: a unit with no data for longer is stale */
    unsigned shutdown_grace;    /* seconds to finish requests in flight on SIGTERM */
    unsigned access_log;        /* 1: one JSON line per request on stderr */
};

/* Fills c with the built-in defaults. */
void config_defaults(struct config *c);

/* Sets one setting by name (file and environment spelling: `max_body_bytes`). Returns 0, or
 * -1 with a reason naming the setting and what it accepts. */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t len);

/* Reads `key = value` lines with libinih. A line starting with # or ; is a comment, and so is
 * the rest of a value from a ; or # after a space or tab (`db = /tmp/a#b.db` keeps its #); a
 * value in double or single quotes loses them (no escapes; only a comment may follow); a
 * relative path (db) is taken from the file's folder; there are no [sections] and no
 * continuation lines. A missing file is an error only when required. Returns 0 or -1 with a
 * reason that names the file and line. */
int config_load_file(struct config *c, const char *path, int required, char *err, size_t len);

/* Applies TTHC_<KEY> environment variables for every known setting. Returns 0 or -1. */
int config_load_env(struct config *c, char *err, size_t len);

/* Writes the settings that command (one enum config_command bit) reads, and their meaning, for
 * its --help. */
void config_print_help(unsigned command);

/* Whether key is a setting that command (enum config_command bits) reads. */
bool config_used_by(const char *key, unsigned command);

/* The config file to read when none is named: CONFIG_SYSTEM_FILE when it exists (never one in
 * the working directory). Writes its path into buf (len bytes) and returns buf, or returns NULL
 * when it does not exist. */
const char *config_find_default(char *buf, size_t len);

#endif

/* A question about the figures: the summary's parameters (period, filters, grouping), their
 * validation and echo, the shape of an answer's groups, and which blocks an answer can have.
 * The engine answers it fast, the recount answers it again from the rows; both speak this.
 *
 * It does not speak HTTP: handlers pass it the query parameters as key/value pairs and turn
 * its results into JSON. No I/O here.
 */
#ifndef TTHC_DOMAIN_QUERY_H
#define TTHC_DOMAIN_QUERY_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/metrics.h"
#include "tthc/domain/vocab.h"

enum group_by { GROUP_NONE, GROUP_LEVEL, GROUP_UNIT, GROUP_PROCEDURE, GROUP_CHANNEL };

struct summary_params {
    int from, to; /* local days, inclusive */
    int level;    /* 0: any */
    int channel;  /* 0: any */
    enum group_by group_by;
    bool rebase;      /* rebase=current: count each unit under its latest successor */
    bool every_group; /* internal (rankings): also groups with records but no dossier */
    char unit[CODE_MAX_CHARS * 4 + 1]; /* "": any; else the unit and its subtree */
    char procedure[CODE_MAX_CHARS * 4 + 1];
    unsigned seen; /* bit per parameter, to refuse repeats */
};

/* Clears p before summary_param calls. */
void summary_params_init(struct summary_params *p);

/* Takes one query parameter. Returns 0, or -1 with a reason that names the parameter (an
 * unknown name, a repeat, a malformed value). */
int summary_param(struct summary_params *p, const char *key, const char *value, char *reason,
                  size_t len);

/* Checks what single parameters cannot: from and to present, from <= to. Returns 0, or -1 with
 * *param naming the parameter to fix and a reason. */
int summary_params_check(const struct summary_params *p, const char **param, char *reason,
                         size_t len);

/* One group of a summary. An array of them comes in one block with the texts its key and name
 * point to, so that the caller frees it all with one free() (summary_groups_pack). */
struct summary_group {
    uint32_t id;      /* unit or procedure id, level or channel code; 0 without group_by */
    const char *key;  /* code, level or channel; "" without group_by */
    const char *name; /* unit or procedure name; "" otherwise */
    struct counters counters;
};

/* Copies g[0..n) and the texts of their keys and names (NULL reads as "") into one new block,
 * in which key and name point; the caller frees it with free(). g and its texts stay the
 * caller's. Returns NULL when out of memory. */
struct summary_group *summary_groups_pack(const struct summary_group *g, size_t n);

enum query_status {
    QUERY_OK = 0,
    QUERY_BAD_FILTER = -1, /* a filter names a unit or procedure that does not exist */
    QUERY_FAILED = -2,     /* database error (logged) */
};

/* Adds "period", "filters" (and "group_by" when set) of p to obj, echoing the request.
 * Returns 0 or -1 (out of memory). */
int summary_params_add_json(cJSON *obj, const struct summary_params *p);

const char *group_by_name(enum group_by g);

/* Which blocks (bits of 1 << enum block) can answer p: a block whose records carry no channel
 * cannot be filtered or grouped by channel, and so on. The others are null in the answer. */
unsigned blocks_applicable(const struct summary_params *p);

#endif

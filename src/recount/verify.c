/* The recount and comparison behind `tthc verify`; see include/tthc/verify.h. */
#include "tthc/recount/verify.h"
#include "tthc/recount/recount.h"

#include <stdlib.h>
#include <string.h>

#include "tthc/domain/ltime.h"
#include "tthc/domain/metrics.h"
#include "tthc/domain/query.h"
#include "tthc/engine/engine.h"
#include "tthc/recount/blocks.h"

/* Compares one request both ways; counts what differs into *diffs. Returns 0 or -1. */
static int compare(struct db_conn *c, struct engine *f, const struct summary_params *p, FILE *out,
                   size_t *diffs, size_t *figures)
{
    struct summary_group *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    const char *param;
    char reason[256], from[11], to[11];
    int rc = -1;
    if (engine_summary(f, c, p, &a, &na, &param, reason, sizeof(reason)) != QUERY_OK ||
        summary_recount(c, p, &b, &nb, &param, reason, sizeof(reason)) != QUERY_OK ||
        blocks_recount(c, p, b, nb) != 0)
        goto out;
    ltime_format_day(p->from, from);
    ltime_format_day(p->to, to);
    const char *by = p->group_by ? group_by_name(p->group_by) : "none";
    /* The recount's groups are those with dossiers; the engine may add groups that hold only
     * other records. Match by key. */
    for (size_t i = 0, j = 0; i < na; i++) {
        while (j < nb && strcmp(b[j].key, a[i].key) < 0 && p->group_by != GROUP_LEVEL &&
               p->group_by != GROUP_CHANNEL)
            j++;
        const struct counters *x = &a[i].counters;
        static const struct counters zero;
        const struct counters *y =
            j < nb && strcmp(b[j].key, a[i].key) == 0 ? &b[j].counters : &zero;
        for (size_t d = 0; d < counter_defs_count; d++) {
            /* A group only the engine has holds no dossier; the recount of the other blocks
             * only fills the groups it has, so there only the dossier counters can be held to
             * zero. */
            if (y == &zero && counter_defs[d].block != BLOCK_DOSSIERS)
                continue;
            int64_t u = counter_value(x, &counter_defs[d]), v = counter_value(y, &counter_defs[d]);
            (*figures)++;
            if (u != v) {
                (*diffs)++;
                fprintf(
                    out, "differs: %s..%s group_by=%s key=%s %s.%s: engine %lld, recount %lld\n",
                    from, to, by, a[i].key[0] ? a[i].key : "-", block_names[counter_defs[d].block],
                    counter_defs[d].name, (long long)u, (long long)v);
            }
        }
        if (y != &zero)
            j++;
    }
    if (na < nb) {
        (*diffs)++;
        fprintf(out, "differs: %s..%s group_by=%s: engine has %zu groups, recount %zu\n", from, to,
                by, na, nb);
    }
    rc = 0;
out:
    free(a);
    free(b);
    return rc;
}

int verify_run(struct db_conn *c, FILE *out)
{
    struct engine *f = engine_new();
    if (!f || engine_refresh(f, c) != 0) {
        engine_free(f);
        return -1;
    }
    /* The span of the data: first and last day any dossier was received or finished. */
    sqlite3_stmt *st = db_stmt(c, "SELECT min(received_day), max(max(received_day), "
                                  "coalesce(max(finished_day), 0)) FROM dossiers");
    int first = 0, last = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        first = sqlite3_column_int(st, 0);
        last = sqlite3_column_int(st, 1);
    }
    if (st)
        sqlite3_reset(st);
    size_t diffs = 0, figures = 0, requests = 0;
    int rc = 0;
    static const enum group_by groupings[] = {GROUP_NONE, GROUP_LEVEL, GROUP_UNIT, GROUP_CHANNEL};
    for (int whole = 1; whole >= 0 && rc == 0 && last >= first; whole--) {
        /* The whole span once, then each month and quarter in it. */
        for (int months = 1; months <= 3 && rc == 0; months += 2) {
            int y, m, d;
            ltime_civil(first, &y, &m, &d);
            m = (m - 1) / months * months + 1;
            int from = whole ? first : ltime_day_from_civil(y, m, 1);
            while (from <= last && rc == 0) {
                int ny = y + (m + months - 1) / 12, nm = (m + months - 1) % 12 + 1;
                int to = whole ? last : ltime_day_from_civil(ny, nm, 1) - 1;
                for (size_t g = 0; g < sizeof(groupings) / sizeof(groupings[0]) && rc == 0; g++) {
                    struct summary_params p;
                    summary_params_init(&p);
                    p.from = from;
                    p.to = to;
                    p.group_by = groupings[g];
                    requests++;
                    rc = compare(c, f, &p, out, &diffs, &figures);
                }
                if (whole)
                    break;
                y = ny;
                m = nm;
                from = to + 1;
            }
            if (whole)
                break;
        }
    }
    engine_free(f);
    if (rc != 0)
        return -1;
    fprintf(out, "verify: %zu figures in %zu requests compared, %zu differ\n", figures, requests,
            diffs);
    return diffs ? 1 : 0;
}

/* GET /api/v1/metrics: the catalogue of the metrics every endpoint accepts, and the national
 * index's indicators (docs/index766.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/text.h"
#include "tthc/domain/index766.h"
#include "tthc/domain/metrics.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"

#define UNIT_TEXT "fraction from 0 to 1; null when the denominator is 0"

/* The national index's groups and indicators (docs/index766.md), as the index answers them
 * without their counts; rankings take "qd766" and "qd766.GROUP" as metrics. */
static cJSON *index_catalog(const struct index766_table *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", t->version);
    cJSON_AddNumberToObject(o, "max", 100);
    cJSON_AddStringToObject(o, "metric", "qd766");
    cJSON *groups = cJSON_AddArrayToObject(o, "groups");
    for (size_t g = 0; groups && g < INDEX766_GROUPS; g++) {
        cJSON *go = cJSON_CreateObject();
        cJSON_AddItemToArray(groups, go);
        char metric[32];
        snprintf(metric, sizeof(metric), "qd766.%s", t->groups[g].id);
        cJSON_AddStringToObject(go, "id", t->groups[g].id);
        cJSON_AddStringToObject(go, "metric", metric);
        cJSON_AddStringToObject(go, "name_vi", t->groups[g].name_vi);
        cJSON_AddStringToObject(go, "name_en", t->groups[g].name_en);
        cJSON_AddNumberToObject(go, "max", t->groups[g].max);
        cJSON *list = cJSON_AddArrayToObject(go, "indicators");
        for (size_t i = 0; list && i < INDEX766_INDICATORS; i++) {
            const struct index766_def *d = &t->indicators[i];
            if (d->group != (enum index766_group)g)
                continue;
            cJSON *io = cJSON_CreateObject();
            cJSON_AddItemToArray(list, io);
            cJSON_AddStringToObject(io, "id", d->id);
            cJSON_AddStringToObject(io, "name_vi", d->name_vi);
            cJSON_AddStringToObject(io, "name_en", d->name_en);
            cJSON_AddNumberToObject(io, "max", d->max);
            if (d->target > 0)
                cJSON_AddNumberToObject(io, "target", d->target);
            else
                cJSON_AddNullToObject(io, "target");
            cJSON_AddStringToObject(io, "zero_rule", index766_zero_name(d->zero));
        }
    }
    return o;
}

void metrics_catalog_get(struct request *req, struct response *res)
{
    const char *format;
    if (!read_only_format(req, res, &format))
        return;
    int csv = wants_csv(req, res, format);
    if (csv < 0)
        return;
    static const char *const cols[] = {"id",          "name_vi", "name_en", "formula", "numerator",
                                       "denominator", "unit",    "better",  "block",   "source"};
    if (csv) {
        struct csv_writer w;
        csv_writer_init(&w);
        for (int c = 0; c < 10; c++)
            csv_text(&w, cols[c]);
        csv_end_row(&w);
        for (size_t i = 0; i < rate_defs_count; i++) {
            const struct rate_def *m = &rate_defs[i];
            const char *row[] = {m->name,
                                 m->name_vi,
                                 m->name_en,
                                 m->formula,
                                 m->numerator_text,
                                 m->denominator_text,
                                 UNIT_TEXT,
                                 m->lower_is_better ? "lower" : "higher",
                                 block_names[m->block],
                                 m->source};
            for (int c = 0; c < 10; c++)
                csv_text(&w, row[c]);
            csv_end_row(&w);
        }
        respond_csv(res, &w);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(o, "metrics");
    for (size_t i = 0; i < rate_defs_count && list; i++) {
        const struct rate_def *m = &rate_defs[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(list, e);
        cJSON_AddStringToObject(e, "id", m->name);
        cJSON_AddStringToObject(e, "name_vi", m->name_vi);
        cJSON_AddStringToObject(e, "name_en", m->name_en);
        cJSON_AddStringToObject(e, "formula", m->formula);
        cJSON_AddStringToObject(e, "numerator", m->numerator_text);
        cJSON_AddStringToObject(e, "denominator", m->denominator_text);
        cJSON_AddStringToObject(e, "unit", UNIT_TEXT);
        cJSON_AddStringToObject(e, "better", m->lower_is_better ? "lower" : "higher");
        cJSON_AddStringToObject(e, "block", block_names[m->block]);
        cJSON_AddStringToObject(e, "source", m->source);
    }
    cJSON_AddItemToObject(o, "index766", index_catalog(index766_table(INDEX766_VERSION)));
    response_json(res, 200, o);
}

/* The demo's facts for the national index (docs/index766.md, "New facts the records carry"):
 * dossiers' flags and supplement requests, procedures' flags, decisions' procedure lists and
 * feedback's flags, in shares a well-run province shows on the portal.
 *
 * Each fact is drawn from a hash of its record's index (rng_hash), never from the demo's
 * sequence, so adding or changing one moves no other record, and none of the seed report's
 * figures (which do not read these facts) changes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "demo_internal.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"

/* One fact of one record: a number that depends on the record's index and the fact alone. */
enum fact {
    F_SYNCED,
    F_DIGITISED,
    F_REUSED,
    F_STORE,
    F_ERESULT,
    F_VNEID,
    F_SUPPLEMENT,
    F_SUPPLEMENT_DAY,
    F_PAPER,
    F_PARTS,
    F_LIST_START,
    F_EFFECTIVE,
    F_PUBLISHED,
    F_DISLIKED,
    F_REPEATED,
};

static uint64_t draw(uint64_t index, enum fact f, uint64_t k)
{
    return rng_hash((index * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)f << 48) ^ (k << 32));
}

/* True for per_mille of the indexes. */
static bool chance(uint64_t index, enum fact f, unsigned per_mille)
{
    return draw(index, f, 0) % 1000 < per_mille;
}

/* Uniform in [lo, hi]. */
static int within(uint64_t index, enum fact f, uint64_t k, int lo, int hi)
{
    return lo + (int)(draw(index, f, k) % (uint64_t)(hi - lo + 1));
}

/* Supplement requests: a waiting dossier waits on one (not completed); about 5% of the others
 * had one, completed 1 to 6 days later; a few of those, a second one. */
static int add_supplements(cJSON *o, const struct demo_dossier *d, size_t index)
{
    bool waiting = d->status == STATUS_WAITING;
    if (!waiting && !chance(index, F_SUPPLEMENT, 50))
        return 0;
    int last = d->finished >= 0 ? d->finished : d->received + 20;
    if (last <= d->received + 1)
        return 0;
    int requests = waiting ? 1 : 1 + chance(index, F_SUPPLEMENT_DAY, 80);
    cJSON *list = cJSON_AddArrayToObject(o, "supplements");
    if (!list)
        return -1;
    int day = d->received;
    for (int k = 0; k < requests && day + 1 < last; k++) {
        int requested = within(index, F_SUPPLEMENT_DAY, (uint64_t)k + 1, day + 1, last - 1);
        int completed = requested + within(index, F_SUPPLEMENT_DAY, (uint64_t)k + 8, 1, 6);
        bool open = waiting || completed > last;
        char at[32];
        cJSON *e = cJSON_CreateObject();
        if (!cJSON_AddItemToArray(list, e))
            return -1;
        local_time(requested, 9 * 3600, at);
        if (!cJSON_AddStringToObject(e, "requested_at", at))
            return -1;
        local_time(completed, 14 * 3600, at);
        if (!(open ? cJSON_AddNullToObject(e, "completed_at")
                   : cJSON_AddStringToObject(e, "completed_at", at)))
            return -1;
        day = open ? last : completed;
    }
    return 0;
}

int facts_of_dossier(cJSON *o, const struct demo_dossier *d, size_t index)
{
    bool online = d->channel == CHANNEL_ONLINE;
    bool resolved = status_is_resolved(d->status);
    /* Per mille: nearly all pushed to the portal; online dossiers digitised and VNeID-verified
     * far more often than those brought to the counter. */
    bool facts[] = {
        chance(index, F_SYNCED, online ? 995 : 940),
        chance(index, F_DIGITISED,
               online                         ? 970
               : d->channel == CHANNEL_POSTAL ? 400
                                              : 720),
        chance(index, F_REUSED, 380),
        online && chance(index, F_STORE, 150),
        resolved && chance(index, F_ERESULT, 880),
        online && chance(index, F_VNEID, 620),
    };
    static const char *const names[] = {
        "synced", "digitised", "reused_data", "from_citizen_store", "electronic_result", "vneid"};
    for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
        if (facts[i] && !cJSON_AddTrueToObject(o, names[i]))
            return -1;
    return add_supplements(o, d, index);
}

void facts_of_procedure(struct procedure *rec, const struct demo_procedure *p, size_t index)
{
    rec->paper_result = chance(index, F_PAPER, 600);
    rec->parts_complete = chance(index, F_PARTS, 960);
    /* The electronic certified copy service (QĐ 766's 4.6), at the communes. */
    rec->e_certified_copy = p->level == LEVEL_COMMUNE && strstr(p->name, "bản sao điện tử");
}

int facts_of_decision(cJSON *o, const struct province *pv, int index, int signed_day, int count)
{
    cJSON *list = cJSON_AddArrayToObject(o, "procedure_list");
    if (!list)
        return -1;
    /* count distinct procedures: a run through the catalogue from a drawn start. */
    size_t start = (size_t)within((uint64_t)index, F_LIST_START, 0, 0, (int)pv->nprocs - 1);
    for (int k = 0; k < count && (size_t)k < pv->nprocs; k++) {
        uint64_t entry = (uint64_t)index * 1000 + (uint64_t)k;
        /* Most take effect weeks after signing; about 1 in 12 within days (late for 1.1). */
        int effective =
            signed_day + (chance(entry, F_EFFECTIVE, 85) ? within(entry, F_EFFECTIVE, 1, 1, 4)
                                                         : within(entry, F_EFFECTIVE, 2, 14, 45));
        /* Most published on the national database within days; some a week or more late,
         * a few not yet. */
        unsigned r = (unsigned)(draw(entry, F_PUBLISHED, 0) % 100);
        char eff[11], pub[11];
        ltime_format_day(effective, eff);
        ltime_format_day(signed_day + (r < 88 ? within(entry, F_PUBLISHED, 1, 1, 4)
                                              : within(entry, F_PUBLISHED, 2, 9, 20)),
                         pub);
        cJSON *e = cJSON_CreateObject();
        if (!cJSON_AddItemToArray(list, e) ||
            !cJSON_AddStringToObject(e, "procedure_code",
                                     pv->procs[(start + (size_t)k) % pv->nprocs].code) ||
            !cJSON_AddStringToObject(e, "effective_on", eff) ||
            !(r >= 96 ? cJSON_AddNullToObject(e, "published_on")
                      : cJSON_AddStringToObject(e, "published_on", pub)))
            return -1;
    }
    return 0;
}

void facts_of_feedback(cJSON *o, int index)
{
    if (chance((uint64_t)index, F_DISLIKED, 60))
        cJSON_AddTrueToObject(o, "disliked");
    if (chance((uint64_t)index, F_REPEATED, 40))
        cJSON_AddTrueToObject(o, "repeated");
}

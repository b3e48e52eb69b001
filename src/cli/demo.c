/* The demo province; see include/tthc/cli/demo.h.
 *
 * The seed report's figures are met by construction, not by luck: every counted dossier is
 * given an outcome from exact quotas (demo_dossiers.c), then dates that make that outcome true
 * under domain.md's rules; everything else (unit, procedure, day, hour, fee) is drawn from a fixed
 * pseudo-random sequence, so the same data comes out on every run. After loading, the
 * summary is computed through the counting engine and compared with the quotas.
 *
 * This file owns demo_build: it stores the province and the dossiers through the records
 * layer, makes and stores the other kinds (payments, ratings, feedback, decisions) and checks
 * the figures before committing. The province and the draws are demo_province.c's, the
 * dossiers and their quotas demo_dossiers.c's (demo_internal.h).
 */
#include "tthc/cli/demo.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "demo_internal.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/query.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/records/ingest.h"
#include "tthc/records/kinds.h"
#include "tthc/storage/write.h"

/* ---- the figures to reproduce (seed-report.md, api.md) ---------------------------------- */

#define PERIOD_FROM "2023-12-15"
#define PERIOD_TO   "2024-08-31"
#define DATA_FROM   "2023-10-01" /* earliest dossier */
#define DATA_TO     "2024-09-30" /* the demo's "today": nothing finishes later */
#define Q3_FROM     "2024-07-01"
#define Q2_FROM     "2024-04-01"

/* Q3 online payments: about 21 billion VND in about 65,000 successful transactions. */
#define Q3_PAYMENTS_AMOUNT 21000000000LL
#define Q3_PAYMENTS_COUNT  65000

/* The nine months: 78 feedback items received and handled, 8,400 ratings all satisfied. */
#define FEEDBACK_ITEMS 78
#define RATINGS        8400
/* Q3: 20 decisions announcing procedure lists. */
#define Q3_DECISIONS 20

/* ---- storing ---------------------------------------------------------------------------- */

/* The dossier code of ds[index] once sorted: the unit's identifier, '-', the day of receipt,
 * '-', a running number (the shape of DVCQG's MaHoSo). */
static void dossier_code(const struct province *pv, const struct demo_dossier *d, size_t index,
                         char *buf, size_t len)
{
    char yymmdd[11];
    ltime_format_day(d->received, yymmdd);
    snprintf(buf, len, "%s-%.2s%.2s%.2s-%06zu", pv->units[d->unit].code, yymmdd + 2, yymmdd + 5,
             yymmdd + 8, index + 1);
}

/* Stores a record built by the demo through ingest.c's validation and storage, as a client's
 * record would be. Deletes o. Returns 0 or -1 with err set. */
static int store(struct db_conn *c, enum kind kind, cJSON *o, int64_t generation, char *err,
                 size_t len)
{
    char reason[300];
    int rc = o ? record_take(c, kind, o, generation, NULL, reason, sizeof(reason)) : -1;
    if (rc != 0) {
        const cJSON *key = o ? cJSON_GetObjectItem(o, kind_key(kind)) : NULL;
        snprintf(err, len, "demo: %s %s not stored: %s", kind_name(kind),
                 cJSON_IsString(key) ? key->valuestring : "?", rc > 0 ? reason : "database error");
    }
    cJSON_Delete(o);
    return rc == 0 ? 0 : -1;
}

static int store_dossier(struct db_conn *c, const struct province *pv, const struct demo_dossier *d,
                         size_t index, int64_t generation, char *err, size_t len)
{
    const struct demo_unit *u = &pv->units[d->unit];
    const struct demo_procedure *p = &pv->procs[d->proc];
    char code[64], received[32], due[32], finished[32];
    dossier_code(pv, d, index, code, sizeof(code));
    /* Offices open 7:30 to 17:00; a dossier settled on its day of receipt takes an hour or
     * two. Seconds are local times, converted to instants for formatting. */
    int recv_sec = 7 * 3600 + 1800 + rng_range(0, 8 * 3600);
    local_time(d->received, recv_sec, received);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "code", code);
    cJSON_AddStringToObject(o, "procedure_code", p->code);
    cJSON_AddStringToObject(o, "unit_code", u->code);
    cJSON_AddStringToObject(o, "channel", channel_name(d->channel));
    cJSON_AddStringToObject(o, "status", status_name(d->status));
    if (d->status != STATUS_RECEIVING || rng_next() % 2)
        cJSON_AddStringToObject(o, "received_at", received);
    if (d->due >= 0) {
        local_time(d->due, 17 * 3600, due);
        cJSON_AddStringToObject(o, "due_at", due);
    }
    if (d->finished >= 0) {
        int fin_sec = d->finished == d->received ? recv_sec + rng_range(1800, 7200)
                                                 : 7 * 3600 + 1800 + rng_range(0, 9 * 3600);
        local_time(d->finished, fin_sec, finished);
        cJSON_AddStringToObject(o, "finished_at", finished);
    }
    if (p->fee)
        cJSON_AddNumberToObject(o, "fee", (double)p->fee);
    if (d->payment)
        cJSON_AddStringToObject(o, "online_payment", payment_name(d->payment));
    if (facts_of_dossier(o, d, index) != 0) {
        cJSON_Delete(o);
        o = NULL; /* store reports it */
    }
    return store(c, KIND_DOSSIERS, o, generation, err, len);
}

static int store_province(struct db_conn *c, const struct province *pv, char *err, size_t len)
{
    char reason[300];
    for (size_t i = 0; i < pv->nunits; i++) {
        const struct demo_unit *u = &pv->units[i];
        struct unit rec = {.code = u->code,
                           .name = u->name,
                           .level = u->level,
                           .parent_code = u->parent[0] ? u->parent : NULL};
        if (unit_store(c, &rec, reason, sizeof(reason)) != 0) {
            snprintf(err, len, "demo: unit %s not stored", u->code);
            return -1;
        }
    }
    for (size_t i = 0; i < pv->nprocs; i++) {
        const struct demo_procedure *p = &pv->procs[i];
        struct procedure rec = {.code = p->code,
                                .name = p->name,
                                .field = p->field,
                                .online_service = p->offline ? SERVICE_PARTIAL : SERVICE_FULL};
        facts_of_procedure(&rec, p, i);
        if (procedure_store(c, &rec, reason, sizeof(reason)) != 0) {
            snprintf(err, len, "demo: procedure %s not stored", p->code);
            return -1;
        }
    }
    return 0;
}

/* ---- payments, ratings, feedback, decisions ---------------------------------------------- */

static bool in_q3_paid(const struct demo_dossier *d, const struct days *dd)
{
    return d->payment && d->received >= dd->q3_from && d->received <= dd->q3_to;
}

/* Scales every fee so that the Q3 online payments add up to 21 billion VND: the payment shares
 * count dossiers, not amounts, so they do not move. Fees stay whole thousands of VND. */
static void scale_fees(struct province *pv, const struct demo_dossier *ds, size_t n,
                       const struct days *dd)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        if (in_q3_paid(&ds[i], dd))
            sum += (double)pv->procs[ds[i].proc].fee;
    double factor = sum > 0 ? (double)Q3_PAYMENTS_AMOUNT / sum : 1;
    for (size_t i = 0; i < pv->nprocs; i++) {
        struct demo_procedure *p = &pv->procs[i];
        if (p->fee > 0) {
            int64_t f = (int64_t)((double)p->fee * factor / 1000 + 0.5) * 1000;
            p->fee = f < 1000 ? 1000 : f;
        }
    }
}

/* One payment transaction of dossier code. */
static int store_payment(struct db_conn *c, int64_t generation, const char *code, int64_t amount,
                         int channel, int status, int day, size_t seq, char *err, size_t len)
{
    char id[32], paid[32];
    snprintf(id, sizeof(id), "GD%08zu", seq);
    local_time(day, 8 * 3600 + rng_range(0, 9 * 3600), paid);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "dossier_code", code);
    cJSON_AddNumberToObject(o, "amount", (double)amount);
    cJSON_AddStringToObject(o, "paid_at", paid);
    cJSON_AddStringToObject(o, "channel", payment_name(channel));
    cJSON_AddStringToObject(o, "status", payment_status_name(status));
    return store(c, KIND_PAYMENTS, o, generation, err, len);
}

/* Transactions for the dossiers paid online and received from April on (ds sorted, codes by
 * index). Each pays its fee on its day of receipt, in one transaction, or in two (fee and
 * charge) for as many Q3 dossiers as it takes to make exactly 65,000 successful Q3
 * transactions; now and then an attempt fails first. Returns 0 or -1. */
static int store_payments(struct db_conn *c, int64_t generation, const struct province *pv,
                          const struct demo_dossier *ds, size_t n, const struct days *dd, char *err,
                          size_t len)
{
    size_t q3 = 0;
    for (size_t i = 0; i < n; i++)
        q3 += in_q3_paid(&ds[i], dd);
    if (q3 > Q3_PAYMENTS_COUNT || Q3_PAYMENTS_COUNT - q3 > q3) {
        snprintf(err, len, "demo: %zu Q3 payments cannot make %d transactions", q3,
                 Q3_PAYMENTS_COUNT);
        return -1;
    }
    size_t splits = Q3_PAYMENTS_COUNT - q3, seen = 0, seq = 0;
    /* Every k-th Q3 payment is split, spread over the quarter. */
    double every = splits ? (double)q3 / (double)splits : 0;
    double next = 0;
    char code[64];
    for (size_t i = 0; i < n; i++) {
        const struct demo_dossier *d = &ds[i];
        if (!d->payment || d->received < dd->q2_from || d->received > dd->q3_to)
            continue;
        int64_t fee = pv->procs[d->proc].fee;
        dossier_code(pv, d, i, code, sizeof(code));
        if (rng_next() % 50 == 0 &&
            store_payment(c, generation, code, fee, d->payment, PAYMENT_FAILED, d->received, ++seq,
                          err, len) != 0)
            return -1;
        bool split = false;
        if (in_q3_paid(d, dd)) {
            split = splits && (double)seen >= next;
            if (split) {
                splits--;
                next += every;
            }
            seen++;
        }
        int64_t first = split ? fee * 2 / 5 / 1000 * 1000 : fee;
        if (store_payment(c, generation, code, first, d->payment, PAYMENT_SUCCESS, d->received,
                          ++seq, err, len) != 0 ||
            (split && store_payment(c, generation, code, fee - first, d->payment, PAYMENT_SUCCESS,
                                    d->received, ++seq, err, len) != 0))
            return -1;
    }
    return 0;
}

/* 8,400 ratings of dossiers resolved in the nine months, all satisfied or very satisfied, and
 * some in September outside the period, a few of them dissatisfied. */
static int store_ratings(struct db_conn *c, int64_t generation, const struct province *pv,
                         const struct demo_dossier *ds, size_t n, const struct days *dd, char *err,
                         size_t len)
{
    size_t eligible = 0, seq = 0;
    for (size_t i = 0; i < n; i++)
        eligible += status_is_resolved(ds[i].status) && ds[i].finished >= dd->from &&
                    ds[i].finished <= dd->to;
    double every = (double)eligible / RATINGS, next = 0;
    size_t seen = 0, in_period = 0;
    char code[64], id[32], at[32];
    for (size_t i = 0; i < n; i++) {
        const struct demo_dossier *d = &ds[i];
        if (!status_is_resolved(d->status))
            continue;
        bool period = d->finished >= dd->from && d->finished <= dd->to;
        bool later = d->finished > dd->to && rng_next() % 200 == 0;
        if (period) {
            if (in_period == RATINGS || (double)seen++ < next)
                continue;
            next += every;
            in_period++;
        } else if (!later) {
            continue;
        }
        int rating = later && rng_next() % 40 == 0 ? RATING_DISSATISFIED
                     : rng_next() % 10 < 7         ? RATING_VERY_SATISFIED
                                                   : RATING_SATISFIED;
        dossier_code(pv, d, i, code, sizeof(code));
        snprintf(id, sizeof(id), "DG%07zu", ++seq);
        local_time(d->finished, 17 * 3600 + rng_range(0, 3 * 3600), at);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", id);
        cJSON_AddStringToObject(o, "dossier_code", code);
        cJSON_AddStringToObject(o, "rating", rating_name(rating));
        cJSON_AddStringToObject(o, "rated_at", at);
        if (rating == RATING_DISSATISFIED)
            cJSON_AddStringToObject(o, "reason", "Thời gian chờ trả kết quả lâu");
        if (store(c, KIND_RATINGS, o, generation, err, len) != 0)
            return -1;
    }
    if (in_period != RATINGS) {
        snprintf(err, len, "demo: only %zu ratings in the period", in_period);
        return -1;
    }
    return 0;
}

static const char *const feedback_subjects[] = {"Thời gian giải quyết hồ sơ",
                                                "Thủ tục yêu cầu giấy tờ không cần thiết",
                                                "Thanh toán trực tuyến không thành công",
                                                "Thái độ tiếp dân",
                                                "Hướng dẫn thủ tục chưa rõ",
                                                "Hồ sơ trực tuyến bị trả lại"};

/* 78 feedback items received and handled in the nine months; a few before and after. */
static int store_feedback(struct db_conn *c, int64_t generation, const struct province *pv,
                          const struct days *dd, char *err, size_t len)
{
    int total = FEEDBACK_ITEMS + 5 + 6;
    for (int i = 0; i < total; i++) {
        bool before = i >= FEEDBACK_ITEMS && i < FEEDBACK_ITEMS + 5;
        bool after = i >= FEEDBACK_ITEMS + 5;
        int r = before  ? draw_day(dd->data_from, dd->from - 30)
                : after ? draw_day(dd->to + 1, dd->q3_to)
                        : draw_day(dd->from, dd->to - 30);
        /* Mostly settled within the 15 working days; a few take longer. */
        int settled = r + (i % 13 == 0 ? rng_range(22, 28) : rng_range(2, 18));
        bool open = after && (i % 3 != 0 || settled > dd->q3_to);
        uint32_t u =
            rng_next() % 3 ? province_draw_unit_in(pv, G_CENTRE) : (uint32_t)province_draw_unit(pv);
        char code[32], received[32], resolved[32];
        snprintf(code, sizeof(code), "PAKN-%04d", i + 1);
        local_time(r, 8 * 3600 + rng_range(0, 8 * 3600), received);
        local_time(settled, 9 * 3600 + rng_range(0, 7 * 3600), resolved);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", code);
        cJSON_AddStringToObject(o, "unit_code", pv->units[u].code);
        cJSON_AddStringToObject(
            o, "subject",
            feedback_subjects[i % (sizeof(feedback_subjects) / sizeof(feedback_subjects[0]))]);
        cJSON_AddStringToObject(
            o, "status", feedback_status_name(open ? FEEDBACK_PROCESSING : FEEDBACK_RESOLVED));
        cJSON_AddStringToObject(o, "received_at", received);
        if (!open)
            cJSON_AddStringToObject(o, "resolved_at", resolved);
        cJSON_AddBoolToObject(o, "published", !open);
        facts_of_feedback(o, i);
        if (store(c, KIND_FEEDBACK, o, generation, err, len) != 0)
            return -1;
    }
    return 0;
}

/* Decisions of the province announcing procedure lists: 20 signed in Q3, 14 before. */
static int store_announcements(struct db_conn *c, int64_t generation, const struct province *pv,
                               const struct days *dd, char *err, size_t len)
{
    for (int i = 0; i < Q3_DECISIONS + 14; i++) {
        bool q3 = i >= 14;
        int day = q3 ? draw_day(dd->q3_from, dd->q3_to) : draw_day(dd->from, dd->q3_from - 1);
        char code[32], at[32], published[32];
        snprintf(code, sizeof(code), "%d/QĐ-UBND", 2100 + i * 37);
        local_time(day, 15 * 3600, at);
        local_time(day + rng_range(1, 4), 10 * 3600, published);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", code);
        cJSON_AddStringToObject(o, "unit_code", pv->units[0].code);
        if (facts_of_decision(o, pv, i, day, rng_range(3, 35)) != 0) {
            cJSON_Delete(o);
            o = NULL; /* store reports it */
        }
        cJSON_AddStringToObject(o, "signed_at", at);
        cJSON_AddStringToObject(o, "effective_at", at);
        cJSON_AddStringToObject(o, "published_at", published);
        if (store(c, KIND_ANNOUNCEMENTS, o, generation, err, len) != 0)
            return -1;
    }
    return 0;
}

/* The summary of [from, to] with one filter (unit code or level), blocks included. */
static int figures(struct engine *f, struct db_conn *c, int from, int to, const char *unit,
                   int level, struct counters *out)
{
    struct summary_params p;
    summary_params_init(&p);
    p.from = from;
    p.to = to;
    p.level = level;
    if (unit)
        snprintf(p.unit, sizeof(p.unit), "%s", unit);
    struct summary_group *g;
    size_t n;
    char reason[256];
    const char *param;
    if (engine_summary(f, c, &p, &g, &n, &param, reason, sizeof(reason)) != QUERY_OK)
        return -1;
    *out = g[0].counters;
    free(g);
    return 0;
}

/* Compares the loaded figures with every figure of the seed report the demo promises, so a
 * change that breaks one fails loudly instead of shipping a wrong demo. */
static int check_figures(struct db_conn *c, const struct province *pv, const struct days *dd,
                         char *err, size_t len)
{
    struct engine *f = engine_new();
    struct counters k, q[Q3_GROUPS], all;
    int rc = -1;
    if (!f || figures(f, c, dd->from, dd->to, NULL, 0, &k) != 0 ||
        figures(f, c, dd->q3_from, dd->q3_to, pv->units[1].code, 0, &q[0]) != 0 ||
        figures(f, c, dd->q3_from, dd->q3_to, NULL, LEVEL_DISTRICT, &q[1]) != 0 ||
        figures(f, c, dd->q3_from, dd->q3_to, NULL, LEVEL_COMMUNE, &q[2]) != 0 ||
        figures(f, c, dd->q3_from, dd->q3_to, NULL, 0, &all) != 0) {
        snprintf(err, len, "demo: cannot compute the summary to check it");
        goto out;
    }
    if (k.total != 395987 || k.carried_over != 15461 || k.received != 380526 ||
        k.resolved != 380913 || k.resolved_late != 4633 || k.withdrawn != 5143 ||
        k.in_progress != 9931 || k.received_online != channel_quota[CHANNEL_ONLINE] ||
        k.fee_procedures != FEE_PROCEDURES ||
        k.fee_procedures_paid_online != FEE_PROCEDURES - FEE_PROCEDURES_OFFLINE) {
        snprintf(err, len,
                 "demo: nine-month figures came out wrong (total %lld, resolved %lld, in "
                 "progress %lld)",
                 (long long)k.total, (long long)k.resolved, (long long)k.in_progress);
        goto out;
    }
    for (int i = 0; i < Q3_GROUPS; i++) {
        if (q[i].total != q3_quota[i].total || q[i].resolved != q3_quota[i].resolved ||
            q[i].in_progress != q3_quota[i].in_progress) {
            snprintf(err, len, "demo: Q3 figures of group %d came out wrong (%lld/%lld/%lld)",
                     q3_quota[i].group, (long long)q[i].total, (long long)q[i].resolved,
                     (long long)q[i].in_progress);
            goto out;
        }
    }
    /* 21 billion VND within 0.5%, 65,000 transactions within 1% (seed-report.md). */
    int64_t amount_off = all.payments_amount - Q3_PAYMENTS_AMOUNT;
    if (amount_off < 0)
        amount_off = -amount_off;
    if (amount_off * 200 > Q3_PAYMENTS_AMOUNT || all.payments_count != Q3_PAYMENTS_COUNT ||
        k.feedback_received != FEEDBACK_ITEMS || k.feedback_resolved != FEEDBACK_ITEMS ||
        k.ratings != RATINGS || k.ratings_dissatisfied != 0 ||
        all.announcements_decisions != Q3_DECISIONS) {
        snprintf(err, len,
                 "demo: report figures came out wrong (Q3 payments %lld VND in %lld, feedback "
                 "%lld/%lld, ratings %lld, Q3 decisions %lld)",
                 (long long)all.payments_amount, (long long)all.payments_count,
                 (long long)k.feedback_received, (long long)k.feedback_resolved,
                 (long long)k.ratings, (long long)all.announcements_decisions);
        goto out;
    }
    rc = 0;
out:
    engine_free(f);
    return rc;
}

int demo_build(struct db_conn *c, int verbose, struct demo_stats *stats, char *err, size_t len)
{
    struct province pv = {0};
    struct demo_dossier *ds = NULL;
    size_t n = 0;
    int rc = -1;
    bool in_tx = false;
    struct days dd;
    ltime_parse_day(PERIOD_FROM, &dd.from);
    ltime_parse_day(PERIOD_TO, &dd.to);
    ltime_parse_day(DATA_FROM, &dd.data_from);
    ltime_parse_day(DATA_TO, &dd.data_to);
    ltime_parse_day(Q3_FROM, &dd.q3_from);
    ltime_parse_day(Q2_FROM, &dd.q2_from);
    dd.q3_to = dd.data_to;
    rng_seed(0x5eed2024u);
    if (province_build(&pv) != 0) {
        snprintf(err, len, "out of memory");
        goto out;
    }
    if (dossiers_make(&pv, &dd, &ds, &n, err, len) != 0)
        goto out;
    scale_fees(&pv, ds, n, &dd);

    /* The whole load is one transaction; a cache that holds its indexes keeps it in memory. */
    db_set_cache(c, 256);
    int64_t generation;
    if (db_write_begin(c, &generation) != 0) {
        snprintf(err, len, "demo: the database is busy");
        goto out;
    }
    in_tx = true;
    if (store_province(c, &pv, err, len) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (store_dossier(c, &pv, &ds[i], i, generation, err, len) != 0)
            goto out;
        if (verbose && (i + 1) % 100000 == 0)
            fprintf(stderr, "tthc demo: %zu of %zu dossiers\n", i + 1, n);
    }
    if (verbose)
        fprintf(stderr, "tthc demo: payments, ratings, feedback, decisions\n");
    if (store_payments(c, generation, &pv, ds, n, &dd, err, len) != 0 ||
        store_ratings(c, generation, &pv, ds, n, &dd, err, len) != 0 ||
        store_feedback(c, generation, &pv, &dd, err, len) != 0 ||
        store_announcements(c, generation, &pv, &dd, err, len) != 0)
        goto out;
    if (check_figures(c, &pv, &dd, err, len) != 0)
        goto out;
    if (db_write_commit(c) != 0) {
        snprintf(err, len, "demo: commit failed");
        goto out;
    }
    in_tx = false;
    stats->units = pv.nunits;
    stats->procedures = pv.nprocs;
    stats->dossiers = n;
    rc = 0;
out:
    if (in_tx)
        db_write_rollback(c);
    free(ds);
    province_free(&pv);
    return rc;
}

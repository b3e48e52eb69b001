/* Reading stored data back: records in the shape they were loaded in, and the holidays; see
 * include/tthc/storage/read.h. */
#include "tthc/storage/read.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tthc/base/log.h"
#include "tthc/domain/ltime.h"

int db_holidays_load(struct db_conn *c, struct workdays *w)
{
    int rc = -1;
    int *days = NULL;
    size_t n = 0, cap = 0;
    sqlite3 *db = c->db;
    sqlite3_stmt *st = NULL;
    int step;
    w->days = NULL;
    w->n = 0;
    /* ORDER BY day: the array must be sorted for the binary search; day is the primary key,
     * so there are no duplicates. */
    if (sqlite3_prepare_v2(db, "SELECT day FROM holidays ORDER BY day", -1, &st, NULL) !=
        SQLITE_OK) {
        log_error("cannot read holidays: %s", sqlite3_errmsg(db));
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            if (cap == WORKDAYS_MAX_HOLIDAYS) {
                log_error("holidays table has more than %d rows", WORKDAYS_MAX_HOLIDAYS);
                goto out;
            }
            size_t grown = cap ? cap * 2 : 64;
            if (grown > WORKDAYS_MAX_HOLIDAYS)
                grown = WORKDAYS_MAX_HOLIDAYS;
            int *bigger = realloc(days, grown * sizeof(*days));
            if (!bigger) {
                log_error("out of memory loading holidays");
                goto out;
            }
            days = bigger;
            cap = grown;
        }
        days[n++] = sqlite3_column_int(st, 0);
    }
    if (step != SQLITE_DONE) {
        log_error("cannot read holidays: %s", sqlite3_errmsg(db));
        goto out;
    }
    w->days = days;
    w->n = n;
    days = NULL; /* w owns them now */
    rc = 0;
out:
    sqlite3_finalize(st);
    free(days);
    return rc;
}

/* How a stored column reads back as JSON. */
enum column_as {
    AS_TEXT,
    AS_NUMBER,
    AS_BOOL,
    AS_DAY,
    AS_LEVEL,
    AS_CHANNEL,
    AS_STATUS,
    AS_PAYMENT,
    AS_SERVICE,
    AS_FEEDBACK,
    AS_RATING,
    AS_PAYMENT_STATUS
};

/* Each kind's read-back: SQL selecting the record by its key (?1), and its columns in order;
 * and the list it carries, if any (index766.md): SQL selecting its entries by the record's key
 * (?1) in the order sent, and their members, each text as sent or null. */
#define READ_COLUMNS 20
static const struct reader {
    const char *sql;
    struct {
        const char *name;
        enum column_as as;
    } cols[READ_COLUMNS];
    struct {
        const char *name, *sql;
        const char *members[3];
    } list;
} readers[KIND_COUNT] = {
    [KIND_UNITS] = {"SELECT u.code, u.name, u.level, p.code, u.valid_from, u.valid_to, s.code "
                    "FROM units u LEFT JOIN units p ON p.id = u.parent_id "
                    "LEFT JOIN units s ON s.id = u.successor_id WHERE u.code = ?1",
                    {{"code", AS_TEXT},
                     {"name", AS_TEXT},
                     {"level", AS_LEVEL},
                     {"parent_code", AS_TEXT},
                     {"valid_from", AS_DAY},
                     {"valid_to", AS_DAY},
                     {"successor_code", AS_TEXT}}},
    [KIND_PROCEDURES] = {"SELECT code, name, field, online_service, paper_result, parts_complete, "
                         "e_certified_copy FROM procedures WHERE code = ?1",
                         {{"code", AS_TEXT},
                          {"name", AS_TEXT},
                          {"field", AS_TEXT},
                          {"online_service", AS_SERVICE},
                          {"paper_result", AS_BOOL},
                          {"parts_complete", AS_BOOL},
                          {"e_certified_copy", AS_BOOL}}},
    [KIND_DOSSIERS] = {"SELECT d.code, p.code, u.code, d.channel, d.status, d.received_at, "
                       "d.due_at, d.finished_at, d.fee, d.online_payment, d.synced, d.digitised, "
                       "d.reused_data, d.from_citizen_store, d.electronic_result, d.vneid "
                       "FROM dossiers d JOIN procedures p ON p.id = d.procedure_id "
                       "JOIN units u ON u.id = d.unit_id WHERE d.code = ?1",
                       {{"code", AS_TEXT},
                        {"procedure_code", AS_TEXT},
                        {"unit_code", AS_TEXT},
                        {"channel", AS_CHANNEL},
                        {"status", AS_STATUS},
                        {"received_at", AS_TEXT},
                        {"due_at", AS_TEXT},
                        {"finished_at", AS_TEXT},
                        {"fee", AS_NUMBER},
                        {"online_payment", AS_PAYMENT},
                        {"synced", AS_BOOL},
                        {"digitised", AS_BOOL},
                        {"reused_data", AS_BOOL},
                        {"from_citizen_store", AS_BOOL},
                        {"electronic_result", AS_BOOL},
                        {"vneid", AS_BOOL}},
                       {"supplements",
                        "SELECT s.requested_at, s.completed_at FROM supplements s "
                        "JOIN dossiers d ON d.id = s.dossier_id WHERE d.code = ?1 ORDER BY s.seq",
                        {"requested_at", "completed_at"}}},
    [KIND_FEEDBACK] = {"SELECT f.code, u.code, p.code, f.dossier_code, f.subject, f.status, "
                       "f.received_at, f.resolved_at, f.published, f.disliked, f.repeated "
                       "FROM feedback f JOIN units u ON u.id = f.unit_id "
                       "LEFT JOIN procedures p ON p.id = f.procedure_id WHERE f.code = ?1",
                       {{"code", AS_TEXT},
                        {"unit_code", AS_TEXT},
                        {"procedure_code", AS_TEXT},
                        {"dossier_code", AS_TEXT},
                        {"subject", AS_TEXT},
                        {"status", AS_FEEDBACK},
                        {"received_at", AS_TEXT},
                        {"resolved_at", AS_TEXT},
                        {"published", AS_BOOL},
                        {"disliked", AS_BOOL},
                        {"repeated", AS_BOOL}}},
    [KIND_RATINGS] = {"SELECT r.code, d.code, r.rating, r.rated_at, r.reason, r.comment "
                      "FROM ratings r JOIN dossiers d ON d.id = r.dossier_id WHERE r.code = ?1",
                      {{"code", AS_TEXT},
                       {"dossier_code", AS_TEXT},
                       {"rating", AS_RATING},
                       {"rated_at", AS_TEXT},
                       {"reason", AS_TEXT},
                       {"comment", AS_TEXT}}},
    [KIND_PAYMENTS] = {"SELECT p.id, d.code, p.amount, p.paid_at, p.channel, p.status "
                       "FROM payments p JOIN dossiers d ON d.id = p.dossier_id WHERE p.id = ?1",
                       {{"id", AS_TEXT},
                        {"dossier_code", AS_TEXT},
                        {"amount", AS_NUMBER},
                        {"paid_at", AS_TEXT},
                        {"channel", AS_PAYMENT},
                        {"status", AS_PAYMENT_STATUS}}},
    [KIND_ANNOUNCEMENTS] = {"SELECT a.code, u.code, a.procedures, a.signed_at, a.effective_at, "
                            "a.published_at FROM announcements a "
                            "JOIN units u ON u.id = a.unit_id WHERE a.code = ?1",
                            {{"code", AS_TEXT},
                             {"unit_code", AS_TEXT},
                             {"procedures", AS_NUMBER},
                             {"signed_at", AS_TEXT},
                             {"effective_at", AS_TEXT},
                             {"published_at", AS_TEXT}},
                            {"procedure_list",
                             "SELECT p.code, x.effective_on, x.published_on "
                             "FROM announcement_procedures x "
                             "JOIN announcements a ON a.id = x.announcement_id "
                             "JOIN procedures p ON p.id = x.procedure_id "
                             "WHERE a.code = ?1 ORDER BY x.seq",
                             {"procedure_code", "effective_on", "published_on"}}},
    [KIND_HOLIDAYS] = {"SELECT day, name, source FROM holidays WHERE day = ?1",
                       {{"day", AS_DAY}, {"name", AS_TEXT}, {"source", AS_TEXT}}},
};

/* Adds column i of st to o as its kind of value. Returns the item, NULL when out of memory. */
static cJSON *add_column(cJSON *o, sqlite3_stmt *st, int i, const char *name, enum column_as as)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return cJSON_AddNullToObject(o, name);
    int v = sqlite3_column_int(st, i);
    const char *text = NULL;
    char day[11];
    switch (as) {
    case AS_NUMBER:
        return cJSON_AddNumberToObject(o, name, (double)sqlite3_column_int64(st, i));
    case AS_BOOL:
        return cJSON_AddBoolToObject(o, name, v != 0);
    case AS_DAY:
        ltime_format_day(v, day);
        text = day;
        break;
    case AS_LEVEL:
        text = level_name(v);
        break;
    case AS_CHANNEL:
        text = channel_name(v);
        break;
    case AS_STATUS:
        text = status_name(v);
        break;
    case AS_PAYMENT:
        text = payment_name(v);
        break;
    case AS_SERVICE:
        text = online_service_name(v);
        break;
    case AS_FEEDBACK:
        text = feedback_status_name(v);
        break;
    case AS_RATING:
        text = rating_name(v);
        break;
    case AS_PAYMENT_STATUS:
        text = payment_status_name(v);
        break;
    default:
        text = (const char *)sqlite3_column_text(st, i);
        break;
    }
    return text ? cJSON_AddStringToObject(o, name, text) : cJSON_AddNullToObject(o, name);
}

/* Adds the list of reader r for the record with key to o, as an array of objects (empty when
 * the record has none). Returns 0, or -1 (a database error, logged, or out of memory). */
static int add_list(struct db_conn *c, const struct reader *r, const char *key, cJSON *o)
{
    sqlite3_stmt *st = db_stmt(c, r->list.sql);
    cJSON *list = cJSON_AddArrayToObject(o, r->list.name);
    if (!st || !list)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = SQLITE_ERROR;
    bool ok = true;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *entry = cJSON_CreateObject();
        ok = entry && cJSON_AddItemToArray(list, entry);
        if (!ok)
            cJSON_Delete(entry);
        for (int i = 0; ok && i < 3 && r->list.members[i]; i++)
            ok = add_column(entry, st, i, r->list.members[i], AS_TEXT) != NULL;
    }
    sqlite3_reset(st);
    if (ok && rc != SQLITE_DONE)
        log_error("cannot read the %s of %s: %s", r->list.name, key, sqlite3_errmsg(c->db));
    return ok && rc == SQLITE_DONE ? 0 : -1;
}

/* The record of reader r with key into *o; see db_record_read. */
static int record_read(struct db_conn *c, const struct reader *r, enum kind kind, const char *key,
                       cJSON **out)
{
    sqlite3_stmt *st = db_stmt(c, r->sql);
    if (!st)
        return -1;
    int day;
    if (kind == KIND_HOLIDAYS) {
        if (ltime_parse_day(key, &day) != 0)
            return 0;
        sqlite3_bind_int(st, 1, day);
    } else {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL;
    for (int i = 0; ok && i < READ_COLUMNS && r->cols[i].name; i++)
        ok = add_column(o, st, i, r->cols[i].name, r->cols[i].as) != NULL;
    sqlite3_reset(st);
    if (ok && r->list.name)
        ok = add_list(c, r, key, o) == 0;
    if (!ok) {
        cJSON_Delete(o);
        return -1;
    }
    *out = o;
    return 1;
}

int db_record_read(struct db_conn *c, enum kind kind, const char *key, cJSON **out)
{
    const struct reader *r = &readers[kind];
    /* A record and its list are read in one transaction, so that a load committed in between
     * cannot pair the record with another version's list. */
    bool own = r->list.name && sqlite3_get_autocommit(c->db);
    if (own && db_exec(c, "BEGIN") != 0)
        return -1;
    int found = record_read(c, r, kind, key, out);
    if (own)
        db_exec(c, "COMMIT");
    return found;
}

int db_dossier_codes(struct db_conn *c, const char *after, const char *unit_code, size_t limit,
                     size_t scan, int (*take)(void *ctx, const char *code), void *ctx, char *resume)
{
    /* Every code is at least one character, so "" is before them all. Without a unit, the
     * code's index gives the page; with one, the codes in order with each one's unit, looked
     * at up to scan. */
    sqlite3_stmt *st =
        unit_code ? db_stmt(c, "SELECT d.code, d.unit_id = (SELECT u.id FROM units u WHERE u.code "
                               "= ?2) FROM dossiers d WHERE d.code > ?1 ORDER BY d.code LIMIT ?3")
                  : db_stmt(c, "SELECT d.code, 1 FROM dossiers d WHERE d.code > ?1 "
                               "ORDER BY d.code LIMIT ?3");
    resume[0] = '\0';
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, after ? after : "", -1, SQLITE_STATIC);
    if (unit_code)
        sqlite3_bind_text(st, 2, unit_code, -1, SQLITE_STATIC);
    size_t look = unit_code ? scan : limit;
    sqlite3_bind_int64(st, 3, look > INT64_MAX ? INT64_MAX : (sqlite3_int64)look);
    int rc = SQLITE_DONE;
    bool stopped = false;
    size_t looked = 0, taken = 0;
    char last[CODE_MAX_BYTES] = ""; /* the last code looked at (a row's text ends with the row) */
    while (!stopped && taken < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        looked++;
        const char *code = (const char *)sqlite3_column_text(st, 0);
        if (unit_code)
            snprintf(last, sizeof(last), "%s", code ? code : "");
        if (sqlite3_column_int(st, 1)) {
            stopped = take(ctx, code) != 0;
            taken++;
        }
    }
    if (taken == limit)
        rc = SQLITE_DONE;
    else if (!stopped && rc == SQLITE_DONE && unit_code && looked == look && last[0]) {
        snprintf(resume, CODE_MAX_BYTES, "%s", last);
        stopped = take(ctx, NULL) != 0;
    }
    sqlite3_reset(st);
    if (!stopped && rc != SQLITE_DONE)
        log_error("cannot list the dossiers: %s", sqlite3_errmsg(c->db));
    return !stopped && rc == SQLITE_DONE ? 0 : -1;
}

int db_holidays_list(struct db_conn *c, int from, int to,
                     int (*take)(void *ctx, int day, const char *name, const char *source),
                     void *ctx)
{
    sqlite3_stmt *st = c ? db_stmt(c, "SELECT day, name, source FROM holidays "
                                      "WHERE day BETWEEN ? AND ? ORDER BY day")
                         : NULL;
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, from);
    sqlite3_bind_int(st, 2, to);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *source = (const char *)sqlite3_column_text(st, 2);
        if (take(ctx, sqlite3_column_int(st, 0), name ? name : "", source ? source : "") != 0)
            break;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        log_error("cannot list the holidays: %s", sqlite3_errmsg(c->db));
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Metric definitions; see include/tthc/metrics.h. */
#include "tthc/domain/metrics.h"

#include <stdio.h>
#include <string.h>

#define C(field, vi)                                                                               \
    {                                                                                              \
#field, BLOCK_DOSSIERS, offsetof(struct counters, field), vi                               \
    }
#define B(name, block, field)                                                                      \
    {                                                                                              \
        name, block, offsetof(struct counters, field), NULL                                        \
    }
#define OFF(field) offsetof(struct counters, field)
#define NONE       ((size_t)-1)

/* In the order of api.md's example. The dossier counters' Vietnamese names are the headers of
 * Form 06 (Thông tư 01/2020/TT-VPCP, Biểu số 06/VPCP/KSTT), in CSV and spreadsheets. */
const struct counter_def counter_defs[] = {
    C(total, "Tổng số hồ sơ nhận giải quyết"),
    C(carried_over, "Số kỳ trước chuyển qua"),
    C(received, "Số mới tiếp nhận"),
    C(received_online, "Tiếp nhận trực tuyến"),
    C(received_in_person, "Tiếp nhận trực tiếp"),
    C(received_postal, "Tiếp nhận qua bưu chính công ích"),
    C(resolved, "Số hồ sơ đã giải quyết"),
    C(resolved_early, "Đã giải quyết trước hạn"),
    C(resolved_on_time, "Đã giải quyết đúng hạn"),
    C(resolved_late, "Đã giải quyết quá hạn"),
    C(withdrawn, "Số hồ sơ rút, trả lại"),
    C(in_progress, "Số hồ sơ đang giải quyết"),
    C(in_progress_on_time, "Đang giải quyết trong hạn"),
    C(in_progress_overdue, "Đang giải quyết quá hạn"),
    B("received", BLOCK_FEEDBACK, feedback_received),
    B("resolved", BLOCK_FEEDBACK, feedback_resolved),
    B("resolved_on_time", BLOCK_FEEDBACK, feedback_resolved_on_time),
    B("rejected", BLOCK_FEEDBACK, feedback_rejected),
    B("open", BLOCK_FEEDBACK, feedback_open),
    B("overdue", BLOCK_FEEDBACK, feedback_overdue),
    B("ratings", BLOCK_SATISFACTION, ratings),
    B("very_satisfied", BLOCK_SATISFACTION, ratings_very_satisfied),
    B("satisfied", BLOCK_SATISFACTION, ratings_satisfied),
    B("dissatisfied", BLOCK_SATISFACTION, ratings_dissatisfied),
    B("count", BLOCK_PAYMENTS, payments_count),
    B("amount", BLOCK_PAYMENTS, payments_amount),
    B("dvcqg_count", BLOCK_PAYMENTS, payments_dvcqg_count),
    B("dvcqg_amount", BLOCK_PAYMENTS, payments_dvcqg_amount),
    B("local_gateway_count", BLOCK_PAYMENTS, payments_local_gateway_count),
    B("local_gateway_amount", BLOCK_PAYMENTS, payments_local_gateway_amount),
    B("decisions", BLOCK_ANNOUNCEMENTS, announcements_decisions),
    B("procedures", BLOCK_ANNOUNCEMENTS, announcements_procedures),
    B("published", BLOCK_ANNOUNCEMENTS, announcements_published),
    B("published_on_time", BLOCK_ANNOUNCEMENTS, announcements_published_on_time),
};
const size_t counter_defs_count = sizeof(counter_defs) / sizeof(counter_defs[0]);

#define FORM06 "Thông tư 01/2020/TT-VPCP, Biểu 06; domain.md, \"Form 06 counters\""

const struct rate_def rate_defs[] = {
    {"on_time_rate",
     BLOCK_RATES,
     {OFF(resolved_early), OFF(resolved_on_time)},
     OFF(resolved),
     false,
     "Tỷ lệ hồ sơ giải quyết đúng hạn",
     "Share resolved on time",
     "(resolved_early + resolved_on_time) / resolved",
     "dossiers resolved in the period before or on their due day (or with none)",
     "dossiers resolved in the period",
     FORM06},
    {"overdue_rate",
     BLOCK_RATES,
     {OFF(resolved_late), NONE},
     OFF(resolved),
     true,
     "Tỷ lệ hồ sơ giải quyết quá hạn",
     "Share resolved late",
     "resolved_late / resolved",
     "dossiers resolved in the period after their due day",
     "dossiers resolved in the period",
     FORM06},
    {"late_share_of_total",
     BLOCK_RATES,
     {OFF(resolved_late), NONE},
     OFF(total),
     true,
     "Tỷ lệ hồ sơ quá hạn trên tổng số hồ sơ",
     "Late resolutions over all dossiers",
     "resolved_late / total",
     "dossiers resolved in the period after their due day",
     "dossiers to settle in the period (carried over + received)",
     "a variant some provinces publish (domain.md: late dossiers divided by the total)"},
    {"in_progress_overdue_share",
     BLOCK_RATES,
     {OFF(in_progress_overdue), NONE},
     OFF(in_progress),
     true,
     "Tỷ lệ hồ sơ đang giải quyết quá hạn",
     "Share of open dossiers past due",
     "in_progress_overdue / in_progress",
     "dossiers still open at the period's end whose due day was before it",
     "dossiers still open at the period's end",
     FORM06},
    {"online_submission_rate",
     BLOCK_RATES,
     {OFF(received_online), NONE},
     OFF(received),
     false,
     "Tỷ lệ hồ sơ nộp trực tuyến",
     "Share submitted online",
     "received_online / received",
     "dossiers received online in the period",
     "dossiers received in the period",
     FORM06},
    {"online_payment_dossier_share",
     BLOCK_RATES,
     {OFF(fee_received_paid_online), NONE},
     OFF(fee_received),
     false,
     "Tỷ lệ hồ sơ thanh toán trực tuyến",
     "Share of fee-bearing dossiers paid online",
     "fee-bearing dossiers received and paid online / fee-bearing dossiers received",
     "dossiers received in the period with a fee above 0 that were paid online",
     "dossiers received in the period with a fee above 0",
     "domain.md, \"Form 06 counters\""},
    {"online_payment_procedure_share",
     BLOCK_RATES,
     {OFF(fee_procedures_paid_online), NONE},
     OFF(fee_procedures),
     false,
     "Tỷ lệ TTHC có giao dịch thanh toán trực tuyến",
     "Share of fee-bearing procedures with an online payment",
     "procedures with a fee-bearing dossier paid online / procedures with a fee-bearing dossier",
     "procedures with at least one fee-bearing dossier received in the period and paid online",
     "procedures with at least one fee-bearing dossier received in the period",
     "domain.md (our definition of the published share)"},
    {"satisfied_rate",
     BLOCK_SATISFACTION,
     {OFF(ratings_very_satisfied), OFF(ratings_satisfied)},
     OFF(ratings),
     false,
     "Tỷ lệ hài lòng",
     "Share satisfied",
     "(very_satisfied + satisfied) / ratings",
     "ratings in the period that are satisfied or very satisfied",
     "ratings in the period",
     "domain.md, \"Satisfaction ratings\""},
    {"feedback_on_time_rate",
     BLOCK_FEEDBACK,
     {OFF(feedback_resolved_on_time), NONE},
     OFF(feedback_resolved),
     false,
     "Tỷ lệ PAKN xử lý đúng hạn",
     "Share of feedback settled within 15 working days",
     "resolved_on_time / resolved",
     "feedback settled in the period within 15 working days of receipt",
     "feedback settled in the period",
     "domain.md, \"Feedback\" (DVCQG deadlines)"},
    {"announcements_on_time_rate",
     BLOCK_ANNOUNCEMENTS,
     {OFF(announcements_published_on_time), NONE},
     OFF(announcements_decisions),
     false,
     "Tỷ lệ quyết định công bố đúng hạn",
     "Share of decisions published on time",
     "published_on_time / decisions",
     "decisions signed in the period published within 5 working days",
     "decisions signed in the period",
     "domain.md, \"Announcements\""},
};
const size_t rate_defs_count = sizeof(rate_defs) / sizeof(rate_defs[0]);

const struct rate_def *rate_find(const char *name)
{
    for (size_t i = 0; i < rate_defs_count; i++)
        if (strcmp(rate_defs[i].name, name) == 0)
            return &rate_defs[i];
    return NULL;
}

static int64_t at(const struct counters *c, size_t offset)
{
    return *(const int64_t *)((const char *)c + offset);
}

int64_t counter_value(const struct counters *c, const struct counter_def *d)
{
    return at(c, d->offset);
}

void rate_parts(const struct counters *c, const struct rate_def *r, int64_t *num, int64_t *den)
{
    *den = at(c, r->denominator);
    *num = at(c, r->numerator[0]);
    if (r->numerator[1] != NONE)
        *num += at(c, r->numerator[1]);
}

int rate_value(const struct counters *c, const struct rate_def *r, double *value)
{
    int64_t num, den;
    rate_parts(c, r, &num, &den);
    if (den == 0)
        return -1;
    *value = (double)num / (double)den;
    return 0;
}

/* The other columns of the tables, by the JSON member each holds. */
const struct column_def column_defs[] = {
    {"key", "Mã"},
    {"name", "Tên"},
    {"from", "Từ ngày"},
    {"to", "Đến ngày"},
    {"level", "Cấp"},
    {"unit_code", "Mã đơn vị"},
    {"unit_name", "Tên đơn vị"},
    {"rank", "Xếp hạng"},
    {"value", "Giá trị"},
    {"numerator", "Tử số"},
    {"denominator", "Mẫu số"},
    {"group", "Nhóm chỉ số"},
    {"indicator", "Chỉ số"},
    {"name_vi", "Tên chỉ số"},
    {"name_en", "Tên chỉ số (tiếng Anh)"},
    {"rate", "Tỷ lệ"},
    {"target", "Mục tiêu"},
    {"max", "Điểm tối đa"},
    {"points", "Điểm"},
    {"zero_rule", "Khi mẫu số bằng 0"},
    {"applicable", "Được chấm điểm"},
    /* The notes above a spreadsheet's table. */
    {"period", "Kỳ báo cáo"},
    {"unit", "Đơn vị"},
    {"procedure", "Thủ tục"},
    {"channel", "Kênh tiếp nhận"},
    {"rebase", "Tính theo đơn vị kế thừa"},
    {"group_by", "Nhóm theo"},
    {"metric", "Chỉ tiêu xếp hạng"},
    {"interval", "Chu kỳ"},
    {"version", "Phiên bản"},
    {"data_as_of", "Số liệu cập nhật lúc"},
};
const size_t column_defs_count = sizeof(column_defs) / sizeof(column_defs[0]);

const char *column_header(const char *id, enum table_lang lang)
{
    for (size_t i = 0; lang == TABLE_VI && i < column_defs_count; i++)
        if (strcmp(column_defs[i].id, id) == 0)
            return column_defs[i].name_vi;
    return id;
}

const char *counter_header(const struct counter_def *d, enum table_lang lang)
{
    return lang == TABLE_VI && d->name_vi ? d->name_vi : d->name;
}

const char *rate_header(const struct rate_def *r, enum table_lang lang)
{
    return lang == TABLE_VI ? r->name_vi : r->name;
}

const char *const block_names[BLOCK_COUNT] = {"dossiers",     "rates",    "feedback",
                                              "satisfaction", "payments", "announcements"};

int blocks_parse(const char *list, unsigned *shown, char *reason, size_t len)
{
    *shown = 0;
    for (const char *s = list;; s++) {
        size_t n = strcspn(s, ",");
        int b = 0;
        while (b < BLOCK_COUNT && !(strlen(block_names[b]) == n && !strncmp(s, block_names[b], n)))
            b++;
        if (b == BLOCK_COUNT) {
            snprintf(reason, len,
                     n ? "fields names blocks: dossiers, rates, feedback, satisfaction, "
                         "payments, announcements, joined by commas"
                       : "fields has an empty name: give block names joined by commas");
            return -1;
        }
        *shown |= 1u << b;
        s += n;
        if (!*s)
            return 0;
    }
}

int metrics_add_json(cJSON *obj, const struct counters *c, unsigned blocks, unsigned shown)
{
    cJSON *block[BLOCK_COUNT] = {0};
    for (int b = 0; b < BLOCK_COUNT; b++) {
        if (!(shown & (1u << b)))
            continue;
        block[b] = blocks & (1u << b) ? cJSON_AddObjectToObject(obj, block_names[b])
                                      : cJSON_AddNullToObject(obj, block_names[b]);
        if (!block[b])
            return -1;
    }
    blocks &= shown;
    for (size_t i = 0; i < counter_defs_count; i++) {
        const struct counter_def *d = &counter_defs[i];
        if ((blocks & (1u << d->block)) &&
            !cJSON_AddNumberToObject(block[d->block], d->name, (double)counter_value(c, d)))
            return -1;
    }
    for (size_t i = 0; i < rate_defs_count; i++) {
        const struct rate_def *r = &rate_defs[i];
        if (!(blocks & (1u << r->block)))
            continue;
        double v;
        cJSON *item = rate_value(c, r, &v) == 0
                          ? cJSON_AddNumberToObject(block[r->block], r->name, v)
                          : cJSON_AddNullToObject(block[r->block], r->name);
        if (!item)
            return -1;
    }
    return 0;
}

void metrics_write_json(struct jtext *t, const struct counters *c, unsigned blocks, unsigned shown)
{
    bool first_block = true;
    for (int b = 0; b < BLOCK_COUNT; b++) {
        if (!(shown & (1u << b)))
            continue;
        jtext_key(t, block_names[b], !first_block);
        first_block = false;
        if (!(blocks & (1u << b))) {
            jtext_raw(t, "null");
            continue;
        }
        jtext_raw(t, "{");
        /* The order metrics_add_json gives: the block's counters, then its rates. */
        bool first = true;
        for (size_t i = 0; i < counter_defs_count; i++) {
            const struct counter_def *d = &counter_defs[i];
            if (d->block != (enum block)b)
                continue;
            jtext_key(t, d->name, !first);
            jtext_number(t, (double)counter_value(c, d));
            first = false;
        }
        for (size_t i = 0; i < rate_defs_count; i++) {
            const struct rate_def *r = &rate_defs[i];
            if (r->block != (enum block)b)
                continue;
            double v;
            jtext_key(t, r->name, !first);
            if (rate_value(c, r, &v) == 0)
                jtext_number(t, v);
            else
                jtext_raw(t, "null");
            first = false;
        }
        jtext_raw(t, "}");
    }
}

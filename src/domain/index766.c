/* The index's tables and scoring; see include/tthc/domain/index766.h and docs/index766.md. */
#include "tthc/domain/index766.h"

#include <math.h>
#include <string.h>

/* ---- qd766.2026 -------------------------------------------------------------------------- */

static const struct index766_group_def groups_2026[INDEX766_GROUPS] = {
    [IG_CKMB] = {"CKMB", "Công khai, minh bạch", "Transparency", 18},
    [IG_TDGQ] = {"TDGQ", "Tiến độ, kết quả giải quyết", "Progress of settlement", 20},
    [IG_DVCTT] = {"DVCTT", "Dịch vụ công trực tuyến", "Online services", 12},
    [IG_TTTT] = {"TTTT", "Thanh toán trực tuyến", "Online payment", 10},
    [IG_MDSH] = {"MDSH", "Mức độ số hóa", "Digitisation", 22},
    [IG_MDHL] = {"MDHL", "Mức độ hài lòng", "Satisfaction", 18},
};

/* Maximum, target and zero rule of each indicator: docs/index766.md, "The indicators". */
static const struct index766_def indicators_2026[INDEX766_INDICATORS] = {
    [II_1_1] = {"1.1", IG_CKMB, "Công bố danh mục thủ tục hành chính đúng hạn",
                "Procedure lists announced in time", 6, 0, ZERO_FULL},
    [II_1_2] = {"1.2", IG_CKMB, "Công khai thủ tục hành chính đúng hạn trên Cơ sở dữ liệu quốc gia",
                "Procedures published on time in the national database", 4, 0, ZERO_FULL},
    [II_1_3] = {"1.3", IG_CKMB, "Thủ tục hành chính công khai đầy đủ các bộ phận",
                "Procedures published with all seven parts", 2, 0, ZERO_FULL},
    [II_1_4] = {"1.4", IG_CKMB, "Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia",
                "Dossiers synchronised to the national portal", 6, 0, ZERO_ZERO},
    [II_2_1] = {"2.1", IG_TDGQ, "Hồ sơ giải quyết đúng hạn", "Dossiers handled on time", 20, 0,
                ZERO_ZERO},
    [II_3_1] = {"3.1", IG_DVCTT, "Thủ tục hành chính cung cấp dịch vụ công trực tuyến",
                "Procedures offered as online services", 2, 0.8, ZERO_ZERO},
    [II_3_2] = {"3.2", IG_DVCTT, "Dịch vụ công trực tuyến có phát sinh hồ sơ trực tuyến",
                "Online services with online dossiers", 4, 0, ZERO_ZERO},
    [II_3_3] = {"3.3", IG_DVCTT, "Hồ sơ nộp trực tuyến", "Dossiers submitted online", 6, 0.5,
                ZERO_ZERO},
    [II_3_4] = {"3.4", IG_TTTT, "Thủ tục hành chính có giao dịch thanh toán trực tuyến",
                "Fee procedures with an online payment", 2, 0.8, ZERO_ZERO},
    [II_3_5] = {"3.5", IG_TTTT,
                "Thủ tục hành chính có thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia",
                "Fee procedures paid on the national portal", 2, 0.8, ZERO_ZERO},
    [II_3_6] = {"3.6", IG_TTTT, "Hồ sơ thanh toán trực tuyến", "Fee-bearing dossiers paid online",
                6, 0, ZERO_ZERO},
    [II_4_1] = {"4.1", IG_MDSH, "Hồ sơ được cấp kết quả điện tử", "Results issued electronically",
                6, 0, ZERO_NA},
    [II_4_2] = {"4.2", IG_MDSH, "Hồ sơ được số hóa", "Dossiers digitised", 4, 0, ZERO_NA},
    [II_4_3] = {"4.3", IG_MDSH, "Hồ sơ tái sử dụng dữ liệu đã số hóa",
                "Dossiers reusing digitised data", 2, 0.8, ZERO_NA},
    [II_4_4] = {"4.4", IG_MDSH, "Hồ sơ sử dụng dữ liệu từ kho dữ liệu của công dân",
                "Dossiers using the citizen's data store", 4, 0, ZERO_NA},
    [II_4_5A] = {"4.5a", IG_MDSH, "Thủ tục hành chính có hồ sơ xác thực bằng VNeID",
                 "Procedures with dossiers verified with VNeID", 2, 0, ZERO_NA},
    [II_4_5B] = {"4.5b", IG_MDSH, "Hồ sơ có tài khoản xác thực bằng VNeID",
                 "Dossiers of accounts verified with VNeID", 2, 0, ZERO_NA},
    [II_4_6] = {"4.6", IG_MDSH, "Xã thực hiện chứng thực bản sao điện tử",
                "Communes issuing electronic certified copies", 2, 0, ZERO_NA},
    [II_5_2] = {"5.2", IG_MDHL, "Phản ánh, kiến nghị được xử lý đúng hạn",
                "Feedback handled on time", 6, 0, ZERO_FULL},
    [II_5_3] = {"5.3", IG_MDHL, "Phản ánh, kiến nghị có kết quả được người dân đồng tình",
                "Feedback answered to the citizen's content", 6, 0, ZERO_FULL},
    [II_5_4] = {"5.4", IG_MDHL,
                "Hồ sơ giải quyết không chậm, không bị phản ánh, không bị đánh giá "
                "không hài lòng",
                "Dossiers handled without delay, complaint or dissatisfaction", 6, 0.9, ZERO_ZERO},
};

/* docs/index766.md, "Where we differ from the portal, on purpose". */
static const char *const notes_2026[] = {
    "Procedures are those the unit actually handled in the period, not those in its competence "
    "in the national procedure database.",
    "The sync rate (1.4) divides by our own count of dossiers received; the portal divides by "
    "the larger of that count and the national reporting system's.",
    "Feedback steps (transfer, request for more information, publication) are reduced to "
    "receipt and settlement.",
    "Working days skip weekends and the service's own holiday calendar (GET /api/v1/holidays).",
    NULL,
};

static const struct index766_table table_2026 = {INDEX766_VERSION, groups_2026, indicators_2026,
                                                 notes_2026};

const struct index766_table *index766_table(const char *version)
{
    return strcmp(version, table_2026.version) == 0 ? &table_2026 : NULL;
}

const char *index766_zero_name(enum index766_zero z)
{
    return z == ZERO_FULL ? "full" : z == ZERO_ZERO ? "zero" : "na";
}

void index766_counts_add(struct index766_counts *a, const struct index766_counts *b)
{
    for (size_t i = 0; i < INDEX766_INDICATORS; i++) {
        a->num[i] += b->num[i];
        a->den[i] += b->den[i];
    }
}

double index766_round(double x)
{
    /* A relative nudge of a millionth of a millionth: far below any rate's meaning, far above
     * the error of a double, so that 5.715 (5.71499999... in binary) rounds to 5.72. */
    return round(x * 100 * (1 + 1e-12)) / 100;
}

void index766_score(const struct index766_table *t, const struct index766_counts *c,
                    struct index766_result *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < INDEX766_INDICATORS; i++) {
        const struct index766_def *d = &t->indicators[i];
        struct index766_mark *m = &out->marks[i];
        m->applicable = true;
        if (c->den[i] <= 0) {
            m->points = d->zero == ZERO_FULL ? d->max : 0;
            m->applicable = d->zero != ZERO_NA;
        } else {
            m->has_rate = true;
            m->rate = (double)c->num[i] / (double)c->den[i];
            if (i == II_3_3) /* times the sync rate (1.4): no sync rate counts as 0 */
                m->rate *= c->den[II_1_4] > 0 ? (double)c->num[II_1_4] / (double)c->den[II_1_4] : 0;
            double share = d->target > 0 ? m->rate / d->target : m->rate;
            m->points = index766_round(d->max * (share < 1 ? share : 1));
        }
        out->group_points[d->group] += m->points;
    }
    for (size_t g = 0; g < INDEX766_GROUPS; g++) {
        out->group_points[g] = index766_round(out->group_points[g]);
        out->total += out->group_points[g];
    }
    out->total = index766_round(out->total);
}

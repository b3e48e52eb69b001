/* The demo province; see include/tthc/demo.h.
 *
 * The seed report's figures are met by construction, not by luck: every counted dossier is
 * given an outcome from exact quotas (below), then dates that make that outcome true under
 * domain.md's rules; everything else (unit, procedure, day, hour, fee) is drawn from a fixed
 * pseudo-random sequence, so the same data comes out on every run. After loading, the
 * summary is computed through query.c and compared with the quotas.
 */
#include "tthc/cli/demo.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

enum outcome { EARLY, ON_TIME, LATE, WITHDRAWN, IP_ON_TIME, IP_OVERDUE, OUTCOMES };

/* Outcome quotas of the 395,987 dossiers in the total, split into those carried over from
 * before 2023-12-15 (15,461) and those received in the period (380,526). Sums:
 * resolved_early 300,000; resolved_on_time 76,280; resolved_late 4,633; withdrawn 5,143;
 * in_progress_on_time 9,000; in_progress_overdue 931. So resolved = 380,913 and
 * in_progress = 9,931 (seed-report.md). */
static const int64_t carried_quota[OUTCOMES] = {9000, 4500, 1200, 300, 30, 431};
static const int64_t received_quota[OUTCOMES] = {291000, 71780, 3433, 4843, 8970, 500};

/* Received in the period by channel: 276,338 / 380,526 = 72.62% online. */
static const int64_t channel_quota[4] = {0, 101000, 276338, 3188}; /* by enum channel */

/* online_payment_dossier_share 82.43% is met by choosing how many fee-bearing dossiers are paid
 * online; online_payment_procedure_share 90.41% = 66 / 73 fee-bearing procedures. */
#define DOSSIER_SHARE_BP       8243 /* basis points */
#define FEE_PROCEDURES         73
#define FEE_PROCEDURES_OFFLINE 7

/* Dossiers outside the counted set, for realism: settled before the period, received after it,
 * and ones the counters leave out (receiving, denied). */
#define HISTORY_DOSSIERS  30000
#define LATER_DOSSIERS    80000 /* room for September: the Q3 quotas decide how many */
#define EXCLUDED_DOSSIERS 2400

/* Q3 2024 (seed-report.md): total, resolved and in progress at the service centre alone, the
 * district level and the commune level; none withdrawn, so total = resolved + in progress. */
enum group { G_ROOT, G_CENTRE, G_DEPARTMENT, G_DISTRICT, G_COMMUNE, GROUPS };
static const struct {
    enum group group;
    int64_t total, resolved, in_progress;
} q3_quota[] = {
    {G_CENTRE, 48560, 44860, 3700},
    {G_DISTRICT, 8500, 8100, 400},
    {G_COMMUNE, 74400, 73600, 800},
};
#define Q3_DEPARTMENT_EXTRA 900 /* September dossiers at the departments, not constrained */

/* Q3 online payments: about 21 billion VND in about 65,000 successful transactions. */
#define Q3_PAYMENTS_AMOUNT 21000000000LL
#define Q3_PAYMENTS_COUNT  65000

/* The nine months: 78 feedback items received and handled, 8,400 ratings all satisfied. */
#define FEEDBACK_ITEMS 78
#define RATINGS        8400
/* Q3: 20 decisions announcing procedure lists. */
#define Q3_DECISIONS 20

/* ---- deterministic randomness ----------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int rng_range(int lo, int hi)
{
    return lo + (int)(rng_next() % (uint64_t)(hi - lo + 1));
}

static double rng_unit(void)
{
    return (double)(rng_next() >> 11) / 9007199254740992.0;
}

/* ---- the province ----------------------------------------------------------------------- */

struct demo_unit {
    char code[32], parent[32], name[96];
    int level;
    double weight; /* share of the dossiers, within the whole province */
};

struct demo_procedure {
    char code[16], name[160], field[64];
    int level;     /* which level's one-stop shops settle it */
    int days;      /* legal processing time in calendar days: due = received + days */
    int64_t fee;   /* VND; 0 for free procedures */
    bool offline;  /* fee-bearing but never paid online */
    double weight; /* popularity within its level */
};

static const char *const departments[] = {"Sở Tư pháp",
                                          "Sở Kế hoạch và Đầu tư",
                                          "Sở Tài nguyên và Môi trường",
                                          "Sở Xây dựng",
                                          "Sở Giao thông vận tải",
                                          "Sở Công Thương",
                                          "Sở Y tế",
                                          "Sở Giáo dục và Đào tạo",
                                          "Sở Lao động - Thương binh và Xã hội",
                                          "Sở Nông nghiệp và Phát triển nông thôn",
                                          "Sở Tài chính",
                                          "Sở Nội vụ",
                                          "Sở Văn hóa, Thể thao và Du lịch",
                                          "Sở Thông tin và Truyền thông",
                                          "Sở Khoa học và Công nghệ",
                                          "Ban Quản lý Khu kinh tế Dung Quất và các KCN"};
#define DEPARTMENTS (sizeof(departments) / sizeof(departments[0]))

static const struct {
    const char *name;
    int communes;
    double weight; /* relative size */
} districts[] = {
    {"Thành phố Quảng Ngãi", 23, 3.0}, {"Thị xã Đức Phổ", 15, 1.6}, {"Huyện Bình Sơn", 21, 1.9},
    {"Huyện Sơn Tịnh", 11, 1.1},       {"Huyện Tư Nghĩa", 15, 1.5}, {"Huyện Nghĩa Hành", 12, 1.0},
    {"Huyện Mộ Đức", 13, 1.2},         {"Huyện Ba Tơ", 19, 0.6},    {"Huyện Minh Long", 5, 0.3},
    {"Huyện Sơn Hà", 14, 0.7},         {"Huyện Sơn Tây", 9, 0.4},   {"Huyện Trà Bồng", 10, 0.5},
    {"Huyện Lý Sơn", 3, 0.3}};
#define DISTRICTS (sizeof(districts) / sizeof(districts[0]))

static const char *const syllables[] = {"An",   "Bình",  "Hòa",   "Phước", "Tân",  "Thạnh",
                                        "Long", "Nghĩa", "Đức",   "Phổ",   "Sơn",  "Tịnh",
                                        "Hành", "Minh",  "Thuận", "Trung", "Hiệp", "Kỳ",
                                        "Lộc",  "Phú",   "Mỹ",    "Thành", "Hải",  "Khánh"};
#define SYLLABLES (sizeof(syllables) / sizeof(syllables[0]))

/* Procedure families per level: field and base name; each gets several variants. */
static const struct {
    int level;
    const char *field, *name;
} families[] = {
    {LEVEL_PROVINCE, "Thành lập và hoạt động doanh nghiệp", "Đăng ký thành lập doanh nghiệp"},
    {LEVEL_PROVINCE, "Thành lập và hoạt động doanh nghiệp",
     "Đăng ký thay đổi nội dung doanh nghiệp"},
    {LEVEL_PROVINCE, "Đầu tư", "Quyết định chủ trương đầu tư dự án"},
    {LEVEL_PROVINCE, "Đất đai", "Đăng ký biến động quyền sử dụng đất"},
    {LEVEL_PROVINCE, "Đất đai", "Cấp giấy chứng nhận quyền sử dụng đất"},
    {LEVEL_PROVINCE, "Môi trường", "Cấp giấy phép môi trường"},
    {LEVEL_PROVINCE, "Tài nguyên nước", "Cấp giấy phép khai thác nước mặt"},
    {LEVEL_PROVINCE, "Hoạt động xây dựng", "Cấp giấy phép xây dựng công trình"},
    {LEVEL_PROVINCE, "Đường bộ", "Cấp đổi giấy phép lái xe"},
    {LEVEL_PROVINCE, "Đường bộ", "Cấp phù hiệu xe kinh doanh vận tải"},
    {LEVEL_PROVINCE, "Lưu thông hàng hóa", "Cấp giấy phép bán lẻ rượu"},
    {LEVEL_PROVINCE, "An toàn thực phẩm",
     "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm"},
    {LEVEL_PROVINCE, "Khám bệnh, chữa bệnh", "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh"},
    {LEVEL_PROVINCE, "Dược phẩm", "Cấp chứng chỉ hành nghề dược"},
    {LEVEL_PROVINCE, "Giáo dục", "Cấp phép hoạt động giáo dục kỹ năng sống"},
    {LEVEL_PROVINCE, "Việc làm", "Cấp giấy phép lao động cho người nước ngoài"},
    {LEVEL_PROVINCE, "Lý lịch tư pháp", "Cấp phiếu lý lịch tư pháp"},
    {LEVEL_PROVINCE, "Công chứng", "Đăng ký hành nghề công chứng viên"},
    {LEVEL_PROVINCE, "Trồng trọt", "Cấp giấy chứng nhận đủ điều kiện buôn bán phân bón"},
    {LEVEL_PROVINCE, "Thú y", "Cấp chứng chỉ hành nghề thú y"},
    {LEVEL_PROVINCE, "Du lịch", "Cấp giấy phép kinh doanh dịch vụ lữ hành nội địa"},
    {LEVEL_PROVINCE, "Báo chí", "Cấp giấy phép xuất bản bản tin"},
    {LEVEL_PROVINCE, "Khoa học công nghệ", "Đăng ký hoạt động khoa học và công nghệ"},
    {LEVEL_PROVINCE, "Quản lý công sản", "Mua quyển hóa đơn bán tài sản công"},
    {LEVEL_PROVINCE, "Tổ chức phi chính phủ", "Công nhận ban vận động thành lập hội"},
    {LEVEL_PROVINCE, "Thi đua khen thưởng", "Tặng Bằng khen của Chủ tịch UBND tỉnh"},
    {LEVEL_PROVINCE, "Người có công", "Giải quyết chế độ người hoạt động kháng chiến"},
    {LEVEL_PROVINCE, "Quy hoạch xây dựng", "Thẩm định nhiệm vụ quy hoạch chi tiết"},
    {LEVEL_PROVINCE, "Khu công nghiệp", "Cấp giấy chứng nhận đăng ký đầu tư trong KKT"},
    {LEVEL_PROVINCE, "Thủy sản", "Cấp văn bản chấp thuận đóng mới tàu cá"},
    {LEVEL_DISTRICT, "Hộ kinh doanh", "Đăng ký thành lập hộ kinh doanh"},
    {LEVEL_DISTRICT, "Đất đai", "Đăng ký đất đai lần đầu"},
    {LEVEL_DISTRICT, "Hoạt động xây dựng", "Cấp giấy phép xây dựng nhà ở riêng lẻ"},
    {LEVEL_DISTRICT, "Hộ tịch", "Đăng ký khai sinh có yếu tố nước ngoài"},
    {LEVEL_DISTRICT, "Chứng thực", "Chứng thực bản sao từ bản chính"},
    {LEVEL_DISTRICT, "Bảo trợ xã hội", "Trợ cấp xã hội hằng tháng"},
    {LEVEL_DISTRICT, "Giáo dục", "Cho phép trường mầm non hoạt động giáo dục"},
    {LEVEL_DISTRICT, "Văn hóa", "Cấp giấy phép kinh doanh karaoke"},
    {LEVEL_DISTRICT, "Lưu thông hàng hóa", "Cấp giấy phép bán lẻ sản phẩm thuốc lá"},
    {LEVEL_DISTRICT, "Nông nghiệp", "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại"},
    {LEVEL_DISTRICT, "Tài nguyên nước", "Đăng ký khai thác nước dưới đất"},
    {LEVEL_DISTRICT, "Nội vụ", "Công nhận tổ hợp tác"},
    {LEVEL_DISTRICT, "Y tế", "Cấp giấy chứng nhận an toàn thực phẩm cơ sở nhỏ"},
    {LEVEL_DISTRICT, "Giao thông", "Cấp phép thi công công trình đường bộ"},
    {LEVEL_COMMUNE, "Hộ tịch", "Đăng ký khai sinh"},
    {LEVEL_COMMUNE, "Hộ tịch", "Đăng ký kết hôn"},
    {LEVEL_COMMUNE, "Hộ tịch", "Đăng ký khai tử"},
    {LEVEL_COMMUNE, "Hộ tịch", "Cấp bản sao trích lục hộ tịch"},
    {LEVEL_COMMUNE, "Chứng thực", "Chứng thực chữ ký"},
    {LEVEL_COMMUNE, "Chứng thực", "Chứng thực hợp đồng, giao dịch"},
    {LEVEL_COMMUNE, "Bảo trợ xã hội", "Xác nhận hộ nghèo, hộ cận nghèo"},
    {LEVEL_COMMUNE, "Người có công", "Xác nhận thân nhân liệt sĩ"},
    {LEVEL_COMMUNE, "Đất đai", "Hòa giải tranh chấp đất đai"},
    {LEVEL_COMMUNE, "Thi đua khen thưởng", "Tặng giấy khen của Chủ tịch UBND xã"},
};
#define FAMILIES (sizeof(families) / sizeof(families[0]))

static const char *const variants[] = {"",           " (cấp lại)", " (điều chỉnh)",
                                       " (gia hạn)", " (cấp đổi)", " (trực tuyến)"};
/* Variants per family: province 6, district 5, commune 5 -> 180 + 70 + 50 procedures. */
static int variants_of(int level)
{
    return level == LEVEL_PROVINCE ? 6 : 5;
}

/* Level shares of the dossiers, from the Q3 figures of seed-report.md: the service centre
 * 48,560, district one-stop shops 8,500, commune ones 74,400, and the departments a little. */
#define SHARE_CENTRE      0.36
#define SHARE_DEPARTMENTS 0.02
#define SHARE_DISTRICTS   0.065
#define SHARE_COMMUNES    0.555

struct province {
    struct demo_unit *units;
    size_t nunits;
    struct demo_procedure *procs;
    size_t nprocs;
    /* Cumulative weights for drawing a unit, and per level a procedure. */
    double *unit_cum;
    size_t level_first[4], level_count[4];
    double *proc_cum;
};

static void add_unit(struct province *pv, const char *code, const char *parent, const char *name,
                     int level, double weight)
{
    struct demo_unit *u = &pv->units[pv->nunits++];
    snprintf(u->code, sizeof(u->code), "%s", code);
    snprintf(u->parent, sizeof(u->parent), "%s", parent ? parent : "");
    snprintf(u->name, sizeof(u->name), "%s", name);
    u->level = level;
    u->weight = weight;
}

static int build_province(struct province *pv)
{
    size_t communes = 0;
    for (size_t d = 0; d < DISTRICTS; d++)
        communes += (size_t)districts[d].communes;
    size_t max_units = 2 + DEPARTMENTS + DISTRICTS + communes;
    pv->units = calloc(max_units, sizeof(*pv->units));
    pv->unit_cum = calloc(max_units, sizeof(double));
    size_t max_procs = FAMILIES * 6;
    pv->procs = calloc(max_procs, sizeof(*pv->procs));
    pv->proc_cum = calloc(max_procs, sizeof(double));
    if (!pv->units || !pv->unit_cum || !pv->procs || !pv->proc_cum)
        return -1;

    /* Unit codes follow the electronic identifiers of agencies (no '-', since DVCQG dossier
     * codes are the unit's identifier, a '-', then the rest). */
    add_unit(pv, "000.00.00.H48", NULL, "Tỉnh Quảng Ngãi", LEVEL_PROVINCE, 0);
    add_unit(pv, "000.00.01.H48", "000.00.00.H48", "Trung tâm Phục vụ hành chính công tỉnh",
             LEVEL_PROVINCE, SHARE_CENTRE);
    for (size_t i = 0; i < DEPARTMENTS; i++) {
        char code[32];
        snprintf(code, sizeof(code), "000.00.%02zu.H48", i + 10);
        add_unit(pv, code, "000.00.00.H48", departments[i], LEVEL_PROVINCE,
                 SHARE_DEPARTMENTS / DEPARTMENTS);
    }
    double dsum = 0, csum = 0;
    for (size_t d = 0; d < DISTRICTS; d++) {
        dsum += districts[d].weight;
        csum += districts[d].weight * districts[d].communes;
    }
    size_t syl = 0;
    for (size_t d = 0; d < DISTRICTS; d++) {
        char dcode[32];
        snprintf(dcode, sizeof(dcode), "000.%02zu.30.H48", d + 1);
        add_unit(pv, dcode, "000.00.00.H48", districts[d].name, LEVEL_DISTRICT,
                 SHARE_DISTRICTS * districts[d].weight / dsum);
        for (int c = 0; c < districts[d].communes; c++, syl++) {
            char code[32], name[96];
            snprintf(code, sizeof(code), "%03d.%02zu.31.H48", c + 1, d + 1);
            /* A city's and a town's communes are wards. */
            snprintf(name, sizeof(name), "%s %s %s", d < 2 && c % 2 == 0 ? "Phường" : "Xã",
                     syllables[syl % SYLLABLES],
                     syllables[(syl / SYLLABLES + syl * 7 + 3) % SYLLABLES]);
            add_unit(pv, code, dcode, name, LEVEL_COMMUNE,
                     SHARE_COMMUNES * districts[d].weight / csum *
                         (0.6 + 0.8 * (double)((c * 37) % 11) / 10.0) / 1.0);
        }
    }
    double cum = 0;
    for (size_t i = 0; i < pv->nunits; i++)
        pv->unit_cum[i] = cum += pv->units[i].weight;
    for (size_t i = 0; i < pv->nunits; i++)
        pv->unit_cum[i] /= cum;

    /* Procedures: fee-bearing ones are every 4th of a level (every 5th at commune level),
     * which gives 45 + 18 + 10 = 73; the 7 least popular of them take no online payment. */
    for (int level = LEVEL_PROVINCE; level <= LEVEL_COMMUNE; level++) {
        pv->level_first[level] = pv->nprocs;
        int i = 0;
        for (size_t f = 0; f < FAMILIES; f++) {
            if (families[f].level != level)
                continue;
            for (int v = 0; v < variants_of(level); v++, i++) {
                struct demo_procedure *p = &pv->procs[pv->nprocs++];
                snprintf(p->code, sizeof(p->code), "%d.%06d", level == LEVEL_PROVINCE ? 1 : 2,
                         level * 100000 + 1000 + i * 37);
                snprintf(p->name, sizeof(p->name), "%s%s", families[f].name, variants[v]);
                snprintf(p->field, sizeof(p->field), "%s", families[f].field);
                p->level = level;
                p->days = level == LEVEL_PROVINCE   ? 5 + (i * 7) % 16
                          : level == LEVEL_DISTRICT ? 3 + i % 10
                                                    : 1 + i % 4;
                p->weight = 1.0 / (1.0 + (double)((i * 13) % 40));
                bool fee = level == LEVEL_COMMUNE ? i % 5 == 0 : i % 4 == 0;
                if (fee)
                    p->fee = (level == LEVEL_PROVINCE   ? 100000 + (i * 53) % 20 * 50000
                              : level == LEVEL_DISTRICT ? 30000 + (i * 17) % 10 * 20000
                                                        : 8000 + (i * 11) % 5 * 2000);
            }
        }
        pv->level_count[level] = pv->nprocs - pv->level_first[level];
    }
    /* The offline seven: the least popular fee-bearing procedures. */
    for (int k = 0; k < FEE_PROCEDURES_OFFLINE; k++) {
        struct demo_procedure *pick = NULL;
        for (size_t i = 0; i < pv->nprocs; i++) {
            struct demo_procedure *p = &pv->procs[i];
            if (p->fee > 0 && !p->offline && (!pick || p->weight < pick->weight))
                pick = p;
        }
        pick->offline = true;
    }
    for (int level = LEVEL_PROVINCE; level <= LEVEL_COMMUNE; level++) {
        double c = 0;
        size_t first = pv->level_first[level], n = pv->level_count[level];
        for (size_t i = 0; i < n; i++)
            pv->proc_cum[first + i] = c += pv->procs[first + i].weight;
        for (size_t i = 0; i < n; i++)
            pv->proc_cum[first + i] /= c;
    }
    return 0;
}

static size_t draw(const double *cum, size_t first, size_t n)
{
    double x = rng_unit();
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cum[first + mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return first + lo;
}

static size_t draw_unit(const struct province *pv)
{
    return draw(pv->unit_cum, 0, pv->nunits);
}

static size_t draw_procedure(const struct province *pv, int level)
{
    return draw(pv->proc_cum, pv->level_first[level], pv->level_count[level]);
}

/* Units 0 and 1 are the province and its service centre; then the departments. */
static enum group group_of(const struct province *pv, uint32_t u)
{
    int level = pv->units[u].level;
    return u == 0                    ? G_ROOT
           : u == 1                  ? G_CENTRE
           : level == LEVEL_PROVINCE ? G_DEPARTMENT
           : level == LEVEL_DISTRICT ? G_DISTRICT
                                     : G_COMMUNE;
}

static uint32_t draw_unit_in(const struct province *pv, enum group g)
{
    for (;;) {
        uint32_t u = (uint32_t)draw_unit(pv);
        if (group_of(pv, u) == g)
            return u;
    }
}

/* ---- dossiers --------------------------------------------------------------------------- */

struct demo_dossier {
    uint32_t unit, proc;
    int received, due, finished; /* local days; due -1: none; finished -1: open */
    uint8_t status, channel, payment;
    bool counted_received; /* received within the period (not carried over) */
};

struct days {
    int from, to, data_from, data_to;
    int q3_from, q3_to, q2_from; /* the report's third quarter, and the second's first day */
};

/* A day in [lo, hi] drawn with the rhythm of a one-stop shop: weekdays busy, Saturday
 * mornings a little, Sundays and the Tết holiday (2024-02-08..14) nearly closed. */
static int draw_day(int lo, int hi)
{
    static int tet_from = -1, tet_to;
    if (tet_from < 0) {
        ltime_parse_day("2024-02-08", &tet_from);
        ltime_parse_day("2024-02-14", &tet_to);
    }
    int d = lo;
    for (int tries = 0; tries < 40; tries++) {
        d = rng_range(lo, hi);
        int weekday = ((d % 7) + 11) % 7; /* 0 Monday: 1970-01-01 was a Thursday */
        double w = weekday < 5 ? 1.0 : weekday == 5 ? 0.2 : 0.03;
        if (d >= tet_from && d <= tet_to)
            w *= 0.05;
        if (rng_unit() < w)
            break;
    }
    return d;
}

static const uint8_t open_statuses[] = {STATUS_NEW,     STATUS_PROCESSING, STATUS_PROCESSING,
                                        STATUS_WAITING, STATUS_PAYING,     STATUS_UNRESOLVED};

static uint8_t resolved_status(void)
{
    return rng_next() % 10 == 0 ? STATUS_RELEASING : STATUS_DONE;
}

/* Gives d (unit and procedure set) dates that make outcome o true for the period. carried:
 * received before the period. Returns 0, or -1 if this procedure's processing time cannot
 * give that outcome (the caller draws another). */
static int place(struct demo_dossier *d, int days_allowed, enum outcome o, bool carried,
                 int settle_pct, const struct days *dd)
{
    int F = dd->from, T = dd->to, n = days_allowed;
    int lo = carried ? F - 45 : F, hi = carried ? F - 1 : T;
    switch (o) {
    case EARLY:
        if (carried && lo < F - n + 1)
            lo = F - n + 1;
        break;
    case ON_TIME:
        if (carried && lo < F - n)
            lo = F - n;
        if (!carried && hi > T - n)
            hi = T - n;
        break;
    case LATE:
    case IP_OVERDUE:
        if (!carried && hi > T - n - 1)
            hi = T - n - 1;
        break;
    case IP_ON_TIME:
        if (!carried && lo < T - n)
            lo = T - n;
        break;
    default:
        break;
    }
    if (lo > hi)
        return -1;
    int r = draw_day(lo, hi);
    d->received = r;
    d->due = r + n;
    d->counted_received = !carried;
    switch (o) {
    case EARLY:
        d->finished = rng_range(r > F ? r : F, r + n - 1 < T ? r + n - 1 : T);
        d->status = resolved_status();
        break;
    case ON_TIME:
        d->finished = r + n;
        d->status = resolved_status();
        break;
    case LATE: {
        /* A carried-over dossier may have been due long before F: it ends late within the
         * period's first weeks. */
        int flo = r + n + 1 > F ? r + n + 1 : F, fhi = r + n + 30 > F + 10 ? r + n + 30 : F + 10;
        if (fhi > T)
            fhi = T;
        d->finished = rng_range(flo, fhi);
        d->status = resolved_status();
        break;
    }
    case WITHDRAWN:
        d->finished = carried ? rng_range(F, F + 20) : rng_range(r, r + n < T ? r + n : T);
        d->status = STATUS_CANCELLED;
        break;
    default: /* in progress at T: still open today, or settled after T */
        if (carried && o == IP_ON_TIME)
            d->due = -1; /* no due day: on time by definition */
        if ((int)(rng_next() % 100) < settle_pct) {
            d->finished = rng_range(T + 1, dd->data_to);
            d->status = resolved_status();
        } else {
            d->finished = -1;
            d->status = open_statuses[rng_next() % sizeof(open_statuses)];
        }
        break;
    }
    return 0;
}

/* Share of the dossiers in progress at the period's end that are settled in September
 * rather than still open at the end of Q3: the Q3 in-progress quotas of the district and
 * commune levels are small. */
static int settle_pct(enum group g)
{
    return g == G_DISTRICT || g == G_COMMUNE ? 95 : 60;
}

/* Draws a unit and one of its level's procedures, then dates for outcome o. A dossier
 * withdrawn in Q3 belongs to a department: the Q3 quotas of the centre and of the district and
 * commune levels have none. */
static void make_counted(const struct province *pv, struct demo_dossier *d, enum outcome o,
                         bool carried, const struct days *dd)
{
    for (;;) {
        d->unit = (uint32_t)draw_unit(pv);
        d->proc = (uint32_t)draw_procedure(pv, pv->units[d->unit].level);
        enum group g = group_of(pv, d->unit);
        if (place(d, pv->procs[d->proc].days, o, carried, settle_pct(g), dd) != 0)
            continue;
        if (o == WITHDRAWN && d->finished >= dd->q3_from && g != G_DEPARTMENT)
            continue;
        return;
    }
}

static uint8_t draw_payment(void)
{
    return rng_next() % 10 < 7 ? PAYMENT_DVCQG : PAYMENT_LOCAL_GATEWAY;
}

/* A dossier outside the counted set: settled before the period, or received after it. */
static void make_outside(const struct province *pv, struct demo_dossier *d, bool before,
                         const struct days *dd)
{
    d->unit = (uint32_t)draw_unit(pv);
    d->proc = (uint32_t)draw_procedure(pv, pv->units[d->unit].level);
    int n = pv->procs[d->proc].days;
    if (pv->procs[d->proc].fee > 0 && !pv->procs[d->proc].offline && rng_next() % 5 != 0)
        d->payment = draw_payment();
    d->channel = (uint8_t)(rng_next() % 100 < 70 ? CHANNEL_ONLINE : CHANNEL_IN_PERSON);
    if (before) {
        /* Ends before the period starts. */
        d->received = draw_day(dd->data_from, dd->from - 2);
        d->due = d->received + n;
        int fhi = d->received + n + 2 < dd->from - 1 ? d->received + n + 2 : dd->from - 1;
        d->finished = rng_range(d->received, fhi);
        d->status = rng_next() % 50 == 0 ? STATUS_CANCELLED : resolved_status();
    } else {
        d->received = draw_day(dd->to + 1, dd->data_to);
        d->due = d->received + n;
        if (d->received + 1 < dd->data_to && rng_next() % 3 != 0) {
            int fhi = d->received + n < dd->data_to ? d->received + n : dd->data_to;
            d->finished = rng_range(d->received, fhi);
            d->status = resolved_status();
        } else {
            d->finished = -1;
            d->status = open_statuses[rng_next() % sizeof(open_statuses)];
        }
    }
}

/* Fisher-Yates over n elements of size bytes (at most 8). */
static void shuffle(void *a, size_t n, size_t size)
{
    unsigned char *b = a, t[8];
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(rng_next() % i);
        memcpy(t, b + (i - 1) * size, size);
        memcpy(b + (i - 1) * size, b + j * size, size);
        memcpy(b + j * size, t, size);
    }
}

/* Q3 counters of ds[0..n) for group g, by domain.md's rules over [q3_from, q3_to]. */
static void q3_counts(const struct province *pv, const struct demo_dossier *ds, size_t n,
                      enum group g, const struct days *dd, int64_t *total, int64_t *resolved,
                      int64_t *withdrawn)
{
    *total = *resolved = *withdrawn = 0;
    for (size_t i = 0; i < n; i++) {
        const struct demo_dossier *d = &ds[i];
        bool ended = status_is_ended(d->status);
        if (status_is_excluded(d->status) || group_of(pv, d->unit) != g ||
            d->received > dd->q3_to || (ended && d->finished < dd->q3_from))
            continue;
        (*total)++;
        if (ended && d->finished <= dd->q3_to) {
            *resolved += status_is_resolved(d->status);
            *withdrawn += d->status == STATUS_CANCELLED;
        }
    }
}

/* A dossier received in September 2024 at a unit of group g: settled by 30 September
 * (resolved) or still open then. */
static void make_september(const struct province *pv, struct demo_dossier *d, enum group g,
                           bool resolved, const struct days *dd)
{
    memset(d, 0, sizeof(*d));
    d->unit = draw_unit_in(pv, g);
    d->proc = (uint32_t)draw_procedure(pv, pv->units[d->unit].level);
    const struct demo_procedure *p = &pv->procs[d->proc];
    d->received = draw_day(dd->to + 1, dd->q3_to);
    d->due = d->received + p->days;
    int64_t ch = (int64_t)(rng_next() % 1000);
    d->channel = (uint8_t)(ch < 726   ? CHANNEL_ONLINE
                           : ch < 992 ? CHANNEL_IN_PERSON
                                      : CHANNEL_POSTAL);
    if (p->fee > 0 && !p->offline && rng_next() % 100 < 82)
        d->payment = draw_payment();
    if (resolved) {
        d->finished = rng_range(d->received, d->due < dd->q3_to ? d->due : dd->q3_to);
        d->status = resolved_status();
    } else {
        d->finished = -1;
        d->status = open_statuses[rng_next() % sizeof(open_statuses)];
    }
}

/* Adds the September dossiers that bring each Q3 quota to its exact figure, given what the
 * nine months already put into Q3, and a few at the departments. *n grows; cap bounds it.
 * Returns 0, or -1 if a quota cannot be met. */
static int fill_q3(const struct province *pv, struct demo_dossier *ds, size_t *n, size_t cap,
                   const struct days *dd, char *err, size_t len)
{
    for (size_t q = 0; q < sizeof(q3_quota) / sizeof(q3_quota[0]); q++) {
        int64_t total, resolved, withdrawn;
        q3_counts(pv, ds, *n, q3_quota[q].group, dd, &total, &resolved, &withdrawn);
        int64_t add_resolved = q3_quota[q].resolved - resolved;
        int64_t add_open = q3_quota[q].in_progress - (total - resolved - withdrawn);
        if (withdrawn || add_resolved < 0 || add_open < 0 ||
            *n + (size_t)(add_resolved + add_open) > cap) {
            snprintf(err, len, "demo: the Q3 quota of group %d cannot be met", q3_quota[q].group);
            return -1;
        }
        for (int64_t i = 0; i < add_resolved + add_open; i++)
            make_september(pv, &ds[(*n)++], q3_quota[q].group, i < add_resolved, dd);
    }
    for (int i = 0; i < Q3_DEPARTMENT_EXTRA && *n < cap; i++) {
        struct demo_dossier *d = &ds[(*n)++];
        make_september(pv, d, G_DEPARTMENT, rng_next() % 4 != 0, dd);
        if (d->finished >= 0 && rng_next() % 40 == 0)
            d->status = STATUS_CANCELLED;
    }
    return 0;
}

/* Decides which dossiers are paid online so that the two payment shares come out exactly:
 * P of the N fee-bearing dossiers received in the period, P = N x 82.43% rounded, with every
 * online-capable fee procedure among them at least once. Returns 0 or -1. */
static int assign_payments(const struct province *pv, struct demo_dossier *ds, size_t n, char *err,
                           size_t len)
{
    size_t fee_n = 0;
    uint32_t *eligible = malloc(n * sizeof(uint32_t));
    bool *covered = calloc(pv->nprocs, sizeof(bool));
    if (!eligible || !covered) {
        free(eligible);
        free(covered);
        snprintf(err, len, "out of memory");
        return -1;
    }
    size_t neligible = 0, paid = 0;
    for (size_t i = 0; i < n; i++) {
        const struct demo_procedure *p = &pv->procs[ds[i].proc];
        if (!ds[i].counted_received) {
            /* Carried over: paid online as often as the rest, it is not counted. */
            if (p->fee > 0 && !p->offline && rng_next() % 5 != 0)
                ds[i].payment = draw_payment();
            continue;
        }
        if (p->fee == 0)
            continue;
        fee_n++;
        if (p->offline)
            continue;
        if (!covered[ds[i].proc]) {
            covered[ds[i].proc] = true;
            ds[i].payment = draw_payment();
            paid++;
        } else {
            eligible[neligible++] = (uint32_t)i;
        }
    }
    size_t target = (fee_n * DOSSIER_SHARE_BP + 5000) / 10000;
    int rc = -1;
    if (target < paid || target - paid > neligible) {
        snprintf(err, len, "demo: cannot reach the online payment share (%zu of %zu)", target,
                 fee_n);
        goto out;
    }
    shuffle(eligible, neligible, sizeof(uint32_t));
    for (size_t k = 0; paid < target; k++, paid++)
        ds[eligible[k]].payment = draw_payment();
    rc = 0;
out:
    free(eligible);
    free(covered);
    return rc;
}

static int by_received(const void *a, const void *b)
{
    const struct demo_dossier *x = a, *y = b;
    return (x->received > y->received) - (x->received < y->received);
}

/* ---- storing ---------------------------------------------------------------------------- */

static size_t dossier_seq;

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
    int rc = o ? record_take(c, kind, o, generation, reason, sizeof(reason)) : -1;
    if (rc != 0) {
        const cJSON *key = o ? cJSON_GetObjectItem(o, kind_key(kind)) : NULL;
        snprintf(err, len, "demo: %s %s not stored: %s", kind_name(kind),
                 cJSON_IsString(key) ? key->valuestring : "?", rc > 0 ? reason : "database error");
    }
    cJSON_Delete(o);
    return rc == 0 ? 0 : -1;
}

/* A local time on day, sec seconds after midnight, as RFC 3339 text. */
static void local_time(int day, int sec, char *buf)
{
    ltime_format_local((int64_t)day * 86400 - LTIME_LOCAL_OFFSET + sec, buf);
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
        uint32_t u = rng_next() % 3 ? draw_unit_in(pv, G_CENTRE) : (uint32_t)draw_unit(pv);
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
        cJSON_AddNumberToObject(o, "procedures", rng_range(3, 35));
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
    struct counters k, q[3], all;
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
    for (int i = 0; i < 3; i++) {
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
    uint8_t *outcomes = NULL, *channels = NULL;
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
    rng_state = 0x5eed2024u;
    dossier_seq = 0;
    if (build_province(&pv) != 0) {
        snprintf(err, len, "out of memory");
        goto out;
    }

    int64_t carried = 0, received = 0;
    for (int o = 0; o < OUTCOMES; o++) {
        carried += carried_quota[o];
        received += received_quota[o];
    }
    size_t counted = (size_t)(carried + received);
    size_t total = counted + HISTORY_DOSSIERS + LATER_DOSSIERS + EXCLUDED_DOSSIERS;
    ds = calloc(total, sizeof(*ds));
    outcomes = malloc(counted);
    channels = malloc((size_t)received);
    if (!ds || !outcomes || !channels) {
        snprintf(err, len, "out of memory");
        goto out;
    }
    /* Outcomes in a random order: carried ones first in the array, then received ones. */
    size_t k = 0;
    for (int o = 0; o < OUTCOMES; o++)
        for (int64_t i = 0; i < carried_quota[o]; i++)
            outcomes[k++] = (uint8_t)o;
    size_t first_received = k;
    for (int o = 0; o < OUTCOMES; o++)
        for (int64_t i = 0; i < received_quota[o]; i++)
            outcomes[k++] = (uint8_t)o;
    shuffle(outcomes, first_received, 1);
    shuffle(outcomes + first_received, counted - first_received, 1);
    k = 0;
    for (int ch = CHANNEL_IN_PERSON; ch <= CHANNEL_POSTAL; ch++)
        for (int64_t i = 0; i < channel_quota[ch]; i++)
            channels[k++] = (uint8_t)ch;
    shuffle(channels, (size_t)received, 1);

    for (size_t i = 0; i < counted; i++) {
        bool is_carried = i < first_received;
        make_counted(&pv, &ds[i], (enum outcome)outcomes[i], is_carried, &dd);
        ds[i].channel = is_carried
                            ? (uint8_t)(rng_next() % 100 < 65 ? CHANNEL_ONLINE : CHANNEL_IN_PERSON)
                            : channels[i - first_received];
    }
    /* Every fee-bearing procedure has a dossier received in the period: the first received
     * dossiers of suitable outcome take them in turn. */
    size_t next_fee = 0;
    for (size_t i = first_received; i < counted && next_fee < pv.nprocs; i++) {
        while (next_fee < pv.nprocs && pv.procs[next_fee].fee == 0)
            next_fee++;
        if (next_fee == pv.nprocs)
            break;
        struct demo_dossier d = ds[i];
        const struct demo_procedure *p = &pv.procs[next_fee];
        for (int tries = 0; tries < 200; tries++) {
            d.unit = (uint32_t)draw_unit(&pv);
            if (pv.units[d.unit].level == p->level)
                break;
        }
        d.proc = (uint32_t)next_fee;
        if (outcomes[i] != WITHDRAWN && pv.units[d.unit].level == p->level &&
            place(&d, p->days, (enum outcome)outcomes[i], false, settle_pct(group_of(&pv, d.unit)),
                  &dd) == 0) {
            d.channel = ds[i].channel;
            ds[i] = d;
            next_fee++;
        }
    }
    if (assign_payments(&pv, ds, counted, err, len) != 0)
        goto out;
    size_t n = counted;
    for (size_t i = 0; i < HISTORY_DOSSIERS; i++)
        make_outside(&pv, &ds[n++], true, &dd);
    if (fill_q3(&pv, ds, &n, counted + HISTORY_DOSSIERS + LATER_DOSSIERS, &dd, err, len) != 0)
        goto out;
    for (size_t i = 0; i < EXCLUDED_DOSSIERS; i++) {
        /* Registered online but never accepted, or refused at the counter. */
        struct demo_dossier *d = &ds[n++];
        make_outside(&pv, d, i % 2 == 0, &dd);
        d->received = draw_day(dd.data_from, dd.data_to);
        d->finished = -1;
        d->due = -1;
        d->payment = 0;
        d->status = i % 3 == 0 ? STATUS_DENIED : STATUS_RECEIVING;
    }

    /* Store in the order dossiers arrive, by day of receipt, as a one-stop system sends them
     * (it also keeps the index on received_day appending). */
    qsort(ds, n, sizeof(*ds), by_received);
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
    free(outcomes);
    free(channels);
    free(pv.units);
    free(pv.unit_cum);
    free(pv.procs);
    free(pv.proc_cum);
    return rc;
}

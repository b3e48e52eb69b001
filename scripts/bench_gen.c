/* bench_gen: writes the national data set of scripts/bench as NDJSON files.
 *
 * Usage: bench_gen DIR N
 *   DIR/units.ndjson       34 provinces, 15 agencies each at level province (the public
 *                          administration service centre and 14 departments), 20 districts each
 *                          (valid_to 2025-06-30: the 2025 reform abolished them), 3,300 communes
 *                          under the districts; parents before children
 *   DIR/procedures.ndjson  2,000 procedures with names, fields and online service levels
 *   DIR/dossiers.ndjson    N dossiers received from 2023-07-01 to 2026-06-30, in order of their
 *                          received day, every one valid under src/ingest.c's rules
 *
 * Deterministic: one splitmix64 stream with a fixed seed, so the same N gives the same bytes.
 * The data is as of 2026-06-30: a dossier whose processing would end after that day is still
 * open. Lines are formatted by hand (no printf per field) so that 10 million take seconds.
 * Codes contain no '-' except the dossier codes, which follow the portal's UNIT-YYMMDD-SEQ.
 * Progress and a summary of what was written go to stderr.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- random numbers: splitmix64 ---------------------------------------------------------- */

static uint64_t rng = 0x7474686362656e63ULL; /* "tthcbenc" */

static uint64_t next64(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double uniform(void)
{
    return (double)(next64() >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n). */
static uint32_t below(uint32_t n)
{
    return (uint32_t)(((next64() >> 32) * (uint64_t)n) >> 32);
}

/* ---- days: local day numbers, days since 1970-01-01, as src/ltime.c counts them ----------- */

static int days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* 0 Monday .. 6 Sunday; day 0 (1970-01-01) was a Thursday. */
static int weekday(int day)
{
    return (day + 3) % 7;
}

/* The weekday days off shipped in migrations/0002_holidays.sql (2023 to 2026). */
static const int holidays[] = {19359, 19377, 19380, 19381, 19382, 19383, 19478, 19479, 19480, 19601,
                               19604, 19723, 19761, 19762, 19765, 19766, 19767, 19831, 19842, 19843,
                               19844, 19968, 19969, 20089, 20115, 20116, 20117, 20118, 20119, 20185,
                               20208, 20209, 20210, 20332, 20333, 20454, 20455, 20500, 20501, 20502,
                               20503, 20504, 20570, 20573, 20574, 20696, 20697, 20698};

/* The calendar from FIRST_DAY to past the last due day: text and working-day flags. */
#define SPAN 1600
static int first_day, last_day, reform_day;
static char day_text[SPAN][11]; /* YYYY-MM-DD */
static char day_short[SPAN][8]; /* YYMMDD, for dossier codes */
static unsigned char working[SPAN];

static void calendar_init(void)
{
    first_day = days_from_civil(2023, 7, 1);
    last_day = days_from_civil(2026, 6, 30);
    reform_day = days_from_civil(2025, 7, 1);
    for (int i = 0; i < SPAN; i++) {
        int y, m, d;
        civil_from_days(first_day + i, &y, &m, &d);
        snprintf(day_text[i], sizeof(day_text[i]), "%04d-%02d-%02d", y, m, d);
        snprintf(day_short[i], sizeof(day_short[i]), "%02d%02d%02d", y % 100, m, d);
        working[i] = weekday(first_day + i) < 5;
    }
    for (size_t h = 0; h < sizeof(holidays) / sizeof(holidays[0]); h++)
        if (holidays[h] >= first_day && holidays[h] < first_day + SPAN)
            working[holidays[h] - first_day] = 0;
}

/* The n-th working day after day (n >= 1), or day itself when n is 0. */
static int add_workdays(int day, int n)
{
    while (n > 0 && day - first_day < SPAN - 1) {
        day++;
        n -= working[day - first_day];
    }
    return day;
}

/* ---- output ------------------------------------------------------------------------------ */

struct out {
    FILE *f;
    char path[4096];
    char *buf;
    size_t len, cap;
};

static void out_open(struct out *o, const char *dir, const char *name)
{
    snprintf(o->path, sizeof(o->path), "%s/%s", dir, name);
    o->f = fopen(o->path, "wb");
    o->cap = 8 << 20;
    o->buf = malloc(o->cap);
    o->len = 0;
    if (!o->f || !o->buf) {
        fprintf(stderr, "bench_gen: cannot write %s: %s\n", o->path, strerror(errno));
        exit(1);
    }
}

static void out_flush(struct out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
        fprintf(stderr, "bench_gen: cannot write %s: %s\n", o->path, strerror(errno));
        exit(1);
    }
    o->len = 0;
}

static void out_close(struct out *o)
{
    out_flush(o);
    if (fclose(o->f) != 0) {
        fprintf(stderr, "bench_gen: cannot write %s: %s\n", o->path, strerror(errno));
        exit(1);
    }
    free(o->buf);
}

/* Makes room for one more line (no line is longer than 2 KiB). */
static void out_line_room(struct out *o)
{
    if (o->cap - o->len < 2048)
        out_flush(o);
}

static void put(struct out *o, const char *s)
{
    size_t n = strlen(s);
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_n(struct out *o, const char *s, size_t n)
{
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_uint(struct out *o, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        o->buf[o->len++] = tmp[--n];
}

/* Zero-padded to width digits. */
static void put_uint_w(struct out *o, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        o->buf[o->len + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    o->len += (size_t)width;
}

/* A time of day as "THH:MM:SS" after the day, then the offset: "+07:00" or none (local). */
static void put_time(struct out *o, int day, int seconds, int with_offset)
{
    put_n(o, day_text[day - first_day], 10);
    o->buf[o->len++] = 'T';
    put_uint_w(o, (uint64_t)(seconds / 3600), 2);
    o->buf[o->len++] = ':';
    put_uint_w(o, (uint64_t)(seconds / 60 % 60), 2);
    o->buf[o->len++] = ':';
    put_uint_w(o, (uint64_t)(seconds % 60), 2);
    if (with_offset)
        put_n(o, "+07:00", 6);
}

/* ---- units ------------------------------------------------------------------------------- */

#define PROVINCES    34
#define AGENCIES     15 /* per province: the service centre and 14 departments */
#define DISTRICTS    20 /* per province */
#define COMMUNES     3300
#define COMMUNES_MIN 4 /* per district; the rest spread at random */

/* The 34 provinces after the 2025 merger. */
static const char *const province_names[PROVINCES] = {
    "Thành phố Hà Nội",  "Thành phố Huế",       "Tỉnh Lai Châu",         "Tỉnh Điện Biên",
    "Tỉnh Sơn La",       "Tỉnh Lạng Sơn",       "Tỉnh Quảng Ninh",       "Tỉnh Thanh Hóa",
    "Tỉnh Nghệ An",      "Tỉnh Hà Tĩnh",        "Tỉnh Cao Bằng",         "Tỉnh Tuyên Quang",
    "Tỉnh Lào Cai",      "Tỉnh Thái Nguyên",    "Tỉnh Phú Thọ",          "Tỉnh Bắc Ninh",
    "Tỉnh Hưng Yên",     "Thành phố Hải Phòng", "Tỉnh Ninh Bình",        "Tỉnh Quảng Trị",
    "Thành phố Đà Nẵng", "Tỉnh Quảng Ngãi",     "Tỉnh Gia Lai",          "Tỉnh Khánh Hòa",
    "Tỉnh Lâm Đồng",     "Tỉnh Đắk Lắk",        "Thành phố Hồ Chí Minh", "Tỉnh Đồng Nai",
    "Tỉnh Tây Ninh",     "Thành phố Cần Thơ",   "Tỉnh Vĩnh Long",        "Tỉnh Đồng Tháp",
    "Tỉnh Cà Mau",       "Tỉnh An Giang"};

static const char *const agency_names[AGENCIES] = {"Trung tâm Phục vụ hành chính công",
                                                   "Sở Tư pháp",
                                                   "Sở Xây dựng",
                                                   "Sở Tài chính",
                                                   "Sở Nội vụ",
                                                   "Sở Y tế",
                                                   "Sở Giáo dục và Đào tạo",
                                                   "Sở Công Thương",
                                                   "Sở Nông nghiệp và Môi trường",
                                                   "Sở Văn hóa, Thể thao và Du lịch",
                                                   "Sở Khoa học và Công nghệ",
                                                   "Sở Ngoại vụ",
                                                   "Sở Dân tộc và Tôn giáo",
                                                   "Thanh tra tỉnh",
                                                   "Văn phòng Ủy ban nhân dân tỉnh"};

/* Codes: province T01, agency T01.S00 (the service centre) .. T01.S14, district T01.H01,
 * commune T01.H01.X01. */
static char agency_code[PROVINCES][AGENCIES][12];
static char district_code[PROVINCES][DISTRICTS][12];
static char (*commune_code)[16];
static int commune_first[PROVINCES + 1]; /* a province's communes: [first[p], first[p + 1]) */
static double province_cum[PROVINCES];   /* cumulative share of the dossiers */

static void unit_line(struct out *o, const char *code, const char *name, const char *level,
                      const char *parent, const char *valid_to)
{
    out_line_room(o);
    put(o, "{\"code\":\"");
    put(o, code);
    put(o, "\",\"name\":\"");
    put(o, name);
    put(o, "\",\"level\":\"");
    put(o, level);
    put(o, "\",\"parent_code\":");
    if (parent) {
        put(o, "\"");
        put(o, parent);
        put(o, "\"");
    } else {
        put(o, "null");
    }
    if (valid_to) {
        put(o, ",\"valid_to\":\"");
        put(o, valid_to);
        put(o, "\"");
    }
    put(o, "}\n");
}

static size_t write_units(const char *dir)
{
    struct out o;
    out_open(&o, dir, "units.ndjson");
    /* Communes per district: COMMUNES_MIN each, the rest spread at random. */
    static int per_district[PROVINCES][DISTRICTS];
    for (int p = 0; p < PROVINCES; p++)
        for (int d = 0; d < DISTRICTS; d++)
            per_district[p][d] = COMMUNES_MIN;
    for (int extra = COMMUNES - PROVINCES * DISTRICTS * COMMUNES_MIN; extra > 0; extra--)
        per_district[below(PROVINCES)][below(DISTRICTS)]++;
    commune_code = calloc(COMMUNES, sizeof(*commune_code));
    if (!commune_code) {
        fprintf(stderr, "bench_gen: out of memory\n");
        exit(1);
    }
    /* Provinces differ in size: the two big cities three times an average one. */
    double total = 0;
    for (int p = 0; p < PROVINCES; p++) {
        double w = 0.5 + uniform() * 1.2;
        if (p == 0 || p == 26)
            w *= 3;
        total += w;
        province_cum[p] = total;
    }
    for (int p = 0; p < PROVINCES; p++)
        province_cum[p] /= total;

    size_t units = 0;
    int c = 0;
    char code[16], name[512];
    for (int p = 0; p < PROVINCES; p++) {
        char province[8];
        snprintf(province, sizeof(province), "T%02d", p + 1);
        unit_line(&o, province, province_names[p], "province", NULL, NULL);
        units++;
        for (int a = 0; a < AGENCIES; a++) {
            snprintf(agency_code[p][a], sizeof(agency_code[p][a]), "%s.S%02d", province, a);
            snprintf(name, sizeof(name), "%s %s", agency_names[a], province_names[p]);
            unit_line(&o, agency_code[p][a], name, "province", province, NULL);
            units++;
        }
        commune_first[p] = c;
        for (int d = 0; d < DISTRICTS; d++) {
            snprintf(district_code[p][d], sizeof(district_code[p][d]), "%s.H%02d", province, d + 1);
            snprintf(name, sizeof(name), "Huyện số %d, %s", d + 1, province_names[p]);
            unit_line(&o, district_code[p][d], name, "district", province, "2025-06-30");
            units++;
            for (int x = 0; x < per_district[p][d]; x++, c++) {
                snprintf(code, sizeof(code), "%s.X%02d", district_code[p][d], x + 1);
                memcpy(commune_code[c], code, sizeof(code));
                snprintf(name, sizeof(name), "Xã số %d, Huyện số %d, %s", x + 1, d + 1,
                         province_names[p]);
                unit_line(&o, code, name, "commune", district_code[p][d], NULL);
                units++;
            }
        }
    }
    commune_first[PROVINCES] = c;
    out_close(&o);
    return units;
}

/* ---- procedures -------------------------------------------------------------------------- */

#define PROCEDURES 2000

enum level { L_PROVINCE, L_DISTRICT, L_COMMUNE, L_COUNT };

struct procedure {
    char code[12];
    int workdays; /* the statutory processing time */
    int64_t fee;  /* VND; 0: none */
};
static struct procedure procedures[PROCEDURES];
/* Each level's procedures, as indexes into procedures. */
static int level_procs[L_COUNT][PROCEDURES], level_nprocs[L_COUNT];

static const char *const actions[] = {"Cấp",       "Cấp lại",  "Cấp đổi",     "Điều chỉnh",
                                      "Gia hạn",   "Đăng ký",  "Đăng ký lại", "Thẩm định",
                                      "Phê duyệt", "Xác nhận", "Chứng thực",  "Thu hồi",
                                      "Công nhận", "Cho phép", "Giải quyết",  "Hỗ trợ"};
static const char *const objects[] = {"giấy phép xây dựng",
                                      "giấy chứng nhận quyền sử dụng đất",
                                      "giấy phép kinh doanh",
                                      "giấy khai sinh",
                                      "giấy chứng nhận kết hôn",
                                      "hộ kinh doanh",
                                      "giấy phép lái xe",
                                      "chứng chỉ hành nghề",
                                      "giấy phép lao động",
                                      "bản sao từ bản chính",
                                      "chữ ký trong giấy tờ",
                                      "hợp đồng giao dịch",
                                      "trợ cấp xã hội",
                                      "chế độ người có công",
                                      "giấy phép môi trường",
                                      "thiết kế cơ sở",
                                      "dự án đầu tư",
                                      "giấy phép quảng cáo",
                                      "cơ sở đủ điều kiện an toàn thực phẩm",
                                      "giấy phép hoạt động khám chữa bệnh",
                                      "văn bằng, chứng chỉ",
                                      "thành lập trường học",
                                      "hội, quỹ xã hội",
                                      "giấy phép khai thác nước",
                                      "biến động đất đai",
                                      "tách thửa đất",
                                      "giấy xác nhận tình trạng hôn nhân",
                                      "khai tử",
                                      "thường trú",
                                      "giấy phép biểu diễn",
                                      "di tích, danh lam thắng cảnh",
                                      "giống cây trồng"};
static const char *const fields[] = {"Hộ tịch",
                                     "Chứng thực",
                                     "Đất đai",
                                     "Xây dựng",
                                     "Đăng ký kinh doanh",
                                     "Lao động",
                                     "Bảo trợ xã hội",
                                     "Người có công",
                                     "Môi trường",
                                     "Đầu tư",
                                     "Y tế",
                                     "Giáo dục",
                                     "Văn hóa",
                                     "Giao thông vận tải",
                                     "Công Thương",
                                     "Nông nghiệp",
                                     "Tài nguyên nước",
                                     "Tư pháp",
                                     "Nội vụ",
                                     "Tôn giáo"};
static const char *const online_levels[] = {"full", "partial", "none"};

static void write_procedures(const char *dir)
{
    static const int64_t fees[] = {10000,  20000,  30000,  50000,  50000,  100000,
                                   100000, 150000, 200000, 300000, 500000, 1000000};
    struct out o;
    out_open(&o, dir, "procedures.ndjson");
    char name[512];
    for (int i = 0; i < PROCEDURES; i++) {
        struct procedure *p = &procedures[i];
        /* 60% of the catalogue is provincial, 20% district, 20% commune. */
        enum level level = i % 10 < 6 ? L_PROVINCE : i % 10 < 8 ? L_DISTRICT : L_COMMUNE;
        level_procs[level][level_nprocs[level]++] = i;
        snprintf(p->code, sizeof(p->code), "%d.%06d", 1 + (i % 7 == 3), 100 + i * 3);
        static const int lo[L_COUNT] = {5, 3, 1}, span[L_COUNT] = {26, 13, 5};
        p->workdays = lo[level] + (int)below((uint32_t)span[level]);
        p->fee = below(100) < 32 ? fees[below(sizeof(fees) / sizeof(fees[0]))] : 0;
        const char *action = actions[below(sizeof(actions) / sizeof(actions[0]))];
        const char *object = objects[below(sizeof(objects) / sizeof(objects[0]))];
        snprintf(name, sizeof(name), "%s %s (thủ tục %d)", action, object, i + 1);
        out_line_room(&o);
        put(&o, "{\"code\":\"");
        put(&o, p->code);
        put(&o, "\",\"name\":\"");
        put(&o, name);
        put(&o, "\",\"field\":\"");
        put(&o, fields[below(sizeof(fields) / sizeof(fields[0]))]);
        put(&o, "\",\"online_service\":\"");
        uint32_t r = below(100);
        put(&o, online_levels[r < 45 ? 0 : r < 80 ? 1 : 2]);
        put(&o, "\"");
        if (below(100) < 60)
            put(&o, ",\"paper_result\":true");
        if (below(100) < 95)
            put(&o, ",\"parts_complete\":true");
        if (level == L_COMMUNE && i % 50 == 8)
            put(&o, ",\"e_certified_copy\":true");
        put(&o, "}\n");
    }
    out_close(&o);
}

/* ---- dossiers ---------------------------------------------------------------------------- */

struct tally {
    uint64_t receiving, denied, open, cancelled, resolved, late, online, fee, paid;
};

/* A procedure of the level: popular ones far more often (the square of a uniform number puts
 * a tenth of the dossiers on the top 1% of procedures). */
static const struct procedure *pick_procedure(enum level level)
{
    double u = uniform();
    int k = (int)(u * u * level_nprocs[level]);
    return &procedures[level_procs[level][k]];
}

static int pick_province(void)
{
    double u = uniform();
    int lo = 0, hi = PROVINCES - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (province_cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static void write_dossier(struct out *o, uint64_t seq, int day, double progress, struct tally *t)
{
    /* Where: before the reform a fifth of the dossiers at provincial agencies (half of those at
     * the service centre), a fifth at districts, the rest at communes; after it, none at
     * districts. */
    int p = pick_province();
    const char *unit;
    enum level level;
    uint32_t r = below(1000);
    int districts_open = day < reform_day;
    if (r < (districts_open ? 200u : 300u)) {
        level = L_PROVINCE;
        unit = agency_code[p][below(2) ? 0 : 1 + below(AGENCIES - 1)];
    } else if (districts_open && r < 420) {
        level = L_DISTRICT;
        unit = district_code[p][below(DISTRICTS)];
    } else {
        level = L_COMMUNE;
        unit = commune_code[commune_first[p] +
                            (int)below((uint32_t)(commune_first[p + 1] - commune_first[p]))];
    }
    const struct procedure *proc = pick_procedure(level);

    /* Online submission grows from 70% to 80% over the three years; 1.5% come by post. */
    double u = uniform();
    const char *channel = u < 0.70 + 0.10 * progress ? "online"
                          : u < 0.985                ? "in_person"
                                                     : "postal";
    int online = channel[0] == 'o';
    int with_offset = below(100) < 85;
    int received_s = 7 * 3600 + 30 * 60 + (int)below(9 * 3600 + 30 * 60);
    int due = add_workdays(day, proc->workdays);

    /* The outcome: a few never accepted (receiving, denied), 2% withdrawn, 0.3% stuck
     * (unresolved); the rest resolved, mostly early, 2.5% late. Whatever would end after
     * 2026-06-30 is still open. */
    const char *status;
    int finished = -1;
    r = below(10000);
    if (r < 15) {
        status = "receiving";
        t->receiving++;
    } else if (r < 50) {
        status = "denied";
        t->denied++;
    } else if (r < 80) {
        status = "unresolved";
        t->open++;
    } else if (r < 280) {
        status = "cancelled";
        finished =
            add_workdays(day, (int)below((uint32_t)(proc->workdays < 5 ? proc->workdays : 5) + 1));
    } else {
        uint32_t q = below(1000);
        if (q < 700)
            finished = add_workdays(day, (int)below((uint32_t)proc->workdays));
        else if (q < 975)
            finished = due;
        else
            finished = add_workdays(due, 1 + (int)below(10));
        status = below(100) < 92 ? "done" : "releasing";
    }
    if (finished > last_day) {
        uint32_t q = below(100);
        status = q < 70 ? "processing" : q < 85 ? "waiting" : q < 95 ? "new" : "paying";
        finished = -1;
        t->open++;
    } else if (finished >= 0) {
        if (status[0] == 'c') {
            t->cancelled++;
        } else {
            t->resolved++;
            t->late += finished > due;
        }
    }
    int64_t fee = proc->fee;
    const char *paid = NULL;
    if (fee) {
        t->fee++;
        if (below(100) < (online ? 88u : 25u)) {
            paid = below(100) < 75 ? "dvcqg" : "local_gateway";
            t->paid++;
        }
    }
    t->online += online;

    out_line_room(o);
    put(o, "{\"code\":\"");
    put(o, unit);
    o->buf[o->len++] = '-';
    put_n(o, day_short[day - first_day], 6);
    o->buf[o->len++] = '-';
    put_uint_w(o, seq, 8);
    put(o, "\",\"procedure_code\":\"");
    put(o, proc->code);
    put(o, "\",\"unit_code\":\"");
    put(o, unit);
    put(o, "\",\"channel\":\"");
    put(o, channel);
    put(o, "\",\"status\":\"");
    put(o, status);
    put(o, "\"");
    /* Half of those still being received have no received time yet. */
    if (status[0] != 'r' || status[2] != 'c' || below(2)) {
        put(o, ",\"received_at\":\"");
        put_time(o, day, received_s, with_offset);
        put(o, "\"");
        put(o, ",\"due_at\":\"");
        if (below(100) < 60)
            put_n(o, day_text[due - first_day], 10);
        else
            put_time(o, due, 17 * 3600, with_offset);
        put(o, "\"");
    }
    if (finished >= 0) {
        /* On the received day itself, an hour or more after it was received. */
        int s = finished == day ? received_s + 3600 + (int)below(3600)
                                : 8 * 3600 + (int)below(9 * 3600 + 30 * 60);
        if (s >= 86400)
            s = 86399;
        put(o, ",\"finished_at\":\"");
        put_time(o, finished, s, with_offset);
        put(o, "\"");
    }
    if (fee) {
        put(o, ",\"fee\":");
        put_uint(o, (uint64_t)fee);
    }
    if (paid) {
        put(o, ",\"online_payment\":\"");
        put(o, paid);
        put(o, "\"");
    }
    /* The national index's facts (docs/index766.md), in a well-run province's shares. */
    if (below(100) < 97)
        put(o, ",\"synced\":true");
    if (below(100) < (online ? 96u : 70u))
        put(o, ",\"digitised\":true");
    if (below(100) < 35)
        put(o, ",\"reused_data\":true");
    if (online && below(100) < 60)
        put(o, ",\"vneid\":true");
    if (finished >= 0 && status[0] != 'c' && below(100) < 85)
        put(o, ",\"electronic_result\":true");
    /* A waiting dossier waits on one request for more documents; 3% of the others had one. */
    bool waiting = status[0] == 'w';
    if ((waiting || below(100) < 3) && (finished < 0 || finished > day + 1)) {
        int asked = day + 1, back = asked + 1 + (int)below(5);
        put(o, ",\"supplements\":[{\"requested_at\":\"");
        put_n(o, day_text[asked - first_day], 10);
        if (waiting || (finished >= 0 && back > finished) || back > last_day) {
            put(o, "\",\"completed_at\":null}]");
        } else {
            put(o, "\",\"completed_at\":\"");
            put_n(o, day_text[back - first_day], 10);
            put(o, "\"}]");
        }
    }
    put(o, "}\n");
}

static void write_dossiers(const char *dir, uint64_t n, struct tally *t)
{
    /* Dossiers per received day: working days only, fewer in the weeks around Tết and in
     * summer, growing by a quarter over the three years. */
    int days = last_day - first_day + 1;
    double *w = calloc((size_t)days, sizeof(double)), total = 0;
    if (!w) {
        fprintf(stderr, "bench_gen: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < days; i++) {
        if (!working[i])
            continue;
        int y, m, d;
        civil_from_days(first_day + i, &y, &m, &d);
        w[i] = (1.0 + 0.25 * i / days) *
               (m == 2             ? 0.8
                : m == 7 || m == 8 ? 0.9
                                   : 1.0) *
               (0.9 + 0.2 * uniform());
        total += w[i];
    }
    struct out o;
    out_open(&o, dir, "dossiers.ndjson");
    uint64_t seq = 0, step = n / 10 ? n / 10 : 1;
    double cum = 0;
    for (int i = 0; i < days && seq < n; i++) {
        cum += w[i];
        uint64_t upto = i == days - 1 ? n : (uint64_t)(cum / total * (double)n + 0.5);
        for (; seq < upto && seq < n; seq++) {
            write_dossier(&o, seq + 1, first_day + i, (double)i / days, t);
            if ((seq + 1) % step == 0)
                fprintf(stderr, "bench_gen: %llu of %llu dossiers written\n",
                        (unsigned long long)(seq + 1), (unsigned long long)n);
        }
    }
    out_close(&o);
    free(w);
}

int main(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--help") == 0) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: bench_gen DIR N\n"
                "writes DIR/units.ndjson, DIR/procedures.ndjson and DIR/dossiers.ndjson "
                "(N dossiers, 2023-07-01 to 2026-06-30)\n");
        return argc == 2 ? 0 : 2;
    }
    char *end;
    errno = 0;
    unsigned long long n = strtoull(argv[2], &end, 10);
    if (errno || *end || n < 1 || n > 99999999ULL) {
        fprintf(stderr, "bench_gen: N must be a whole number from 1 to 99999999\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    calendar_init();
    size_t units = write_units(argv[1]);
    write_procedures(argv[1]);
    struct tally t = {0};
    write_dossiers(argv[1], n, &t);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double counted = (double)(n - t.receiving - t.denied);
    fprintf(stderr,
            "bench_gen: %zu units (%d provinces, %d communes), %d procedures, %llu dossiers in "
            "%.1f s: %.1f%% online, %.1f%% with a fee (%.1f%% of those paid online), "
            "%.1f%% resolved (%.1f%% of them late), %.1f%% withdrawn, %.1f%% open, %.2f%% not "
            "counted (receiving, denied)\n",
            units, PROVINCES, COMMUNES, PROCEDURES, n, s, 100.0 * (double)t.online / (double)n,
            100.0 * (double)t.fee / (double)n, t.fee ? 100.0 * (double)t.paid / (double)t.fee : 0.0,
            100.0 * (double)t.resolved / counted,
            t.resolved ? 100.0 * (double)t.late / (double)t.resolved : 0.0,
            100.0 * (double)t.cancelled / counted, 100.0 * (double)t.open / counted,
            100.0 * (double)(t.receiving + t.denied) / (double)n);
    return 0;
}

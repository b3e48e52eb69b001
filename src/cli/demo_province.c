/* The demo's province and its draws: the fixed pseudo-random sequence every draw of the demo
 * comes from, the units and procedures of the province (name tables, weights, fees) and the
 * weighted draws of a unit, a procedure and a day. Knows nothing of dossiers' outcomes or of
 * storing; see demo_internal.h for what lives where.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "demo_internal.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"

/* ---- deterministic randomness ----------------------------------------------------------- */

/* One sequence for the whole demo, restarted by demo_build (rng_seed): the same data on every
 * run. */
static uint64_t rng_state;

void rng_seed(uint64_t seed)
{
    rng_state = seed;
}

uint64_t rng_hash(uint64_t z)
{
    /* splitmix64's mixing step */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t rng_next(void)
{
    /* splitmix64 */
    return rng_hash(rng_state += 0x9e3779b97f4a7c15ULL);
}

int rng_range(int lo, int hi)
{
    return lo + (int)(rng_next() % (uint64_t)(hi - lo + 1));
}

double rng_unit(void)
{
    return (double)(rng_next() >> 11) / 9007199254740992.0;
}

/* ---- the province ----------------------------------------------------------------------- */

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
    {LEVEL_COMMUNE, "Chứng thực", "Chứng thực bản sao điện tử từ bản chính"},
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

int province_build(struct province *pv)
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

void province_free(struct province *pv)
{
    free(pv->units);
    free(pv->unit_cum);
    free(pv->procs);
    free(pv->proc_cum);
}

/* ---- weighted draws --------------------------------------------------------------------- */

/* The index in [first, first + n) of cum (cumulative weights, the last 1) where a uniform draw
 * falls: a binary search for the first weight at or above it. */
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

size_t province_draw_unit(const struct province *pv)
{
    return draw(pv->unit_cum, 0, pv->nunits);
}

size_t province_draw_procedure(const struct province *pv, int level)
{
    return draw(pv->proc_cum, pv->level_first[level], pv->level_count[level]);
}

/* Units 0 and 1 are the province and its service centre; then the departments. */
enum group province_group_of(const struct province *pv, uint32_t u)
{
    int level = pv->units[u].level;
    return u == 0                    ? G_ROOT
           : u == 1                  ? G_CENTRE
           : level == LEVEL_PROVINCE ? G_DEPARTMENT
           : level == LEVEL_DISTRICT ? G_DISTRICT
                                     : G_COMMUNE;
}

uint32_t province_draw_unit_in(const struct province *pv, enum group g)
{
    for (;;) {
        uint32_t u = (uint32_t)province_draw_unit(pv);
        if (province_group_of(pv, u) == g)
            return u;
    }
}

void local_time(int day, int sec, char *buf)
{
    ltime_format_local((int64_t)day * 86400 - LTIME_LOCAL_OFFSET + sec, buf);
}

/* A day in [lo, hi] drawn with the rhythm of a one-stop shop: weekdays busy, Saturday
 * mornings a little, Sundays and the Tết holiday (2024-02-08..14) nearly closed. */
int draw_day(int lo, int hi)
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

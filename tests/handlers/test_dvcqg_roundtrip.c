/* The portal both ways, against two real servers (api.md, "GET /api/v1/dvcqg/dossiers/{code}"
 * and "GET /api/v1/dvcqg/dossiers"): portal records of every status, channel and payment code,
 * with times and days, fee lists, document lists and supplements, are loaded into server A
 * through POST /api/v1/dvcqg/dossiers, read back page by page in the portal's format, and those
 * pages posted into server B (a fresh database with the same units and procedures). Then A and
 * B must answer the same figures (summary in every grouping, series, Form 06, the national
 * index), byte for byte, and the same dossiers, read one by one in both formats; and the
 * figures must be those the records were built to give, counted here from the records alone.
 * Also: the one-dossier reads, the read key rule, and nothing personal in any answer. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"
#include "tthc/http/keys.h"

static struct test_server a, b;
static char token_a[128], token_b[128];

static const char UNITS[] =
    "[{\"code\":\"T01\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null},"
    "{\"code\":\"T01.H1\",\"name\":\"Huyện Một\",\"level\":\"district\",\"parent_code\":\"T01\"},"
    "{\"code\":\"T01.H2\",\"name\":\"Huyện Hai\",\"level\":\"district\",\"parent_code\":\"T01\"},"
    "{\"code\":\"T01.H1.X1\",\"name\":\"Xã Một\",\"level\":\"commune\","
    "\"parent_code\":\"T01.H1\"}]";
static const char PROCEDURES[] =
    "[{\"code\":\"1.001\",\"name\":\"Thủ tục một\",\"field\":\"Hộ tịch\","
    "\"online_service\":\"full\",\"paper_result\":true},"
    "{\"code\":\"1.002\",\"name\":\"Thủ tục hai\",\"online_service\":\"partial\"},"
    "{\"code\":\"2.003\",\"name\":\"Thủ tục ba\",\"field\":\"Đất đai\","
    "\"online_service\":\"none\",\"e_certified_copy\":true}]";

/* The personal values every record carries, none of which may come back. */
#define APPLICANT "Trần Thị Bích"
#define ID_NUMBER "079185004321"
#define PHONE     "0987654321"
#define EMAIL     "bich.tran@example.vn"
#define SUMMARY   "Xin cấp giấy phép cho hộ bà Bích"

#define NRECORDS 60
static const char *const UNIT_OF[] = {"T01", "T01.H1", "T01.H2", "T01.H1.X1"};
static const char *const PROC_OF[] = {"1.001", "1.002", "2.003"};

/* The local day of 2024-01-01 plus n, as yyyyMMdd into buf (9 bytes). */
static void day_text(int n, char *buf, size_t len)
{
    int y, m, d;
    ltime_civil(ltime_day_from_civil(2024, 1, 1) + n, &y, &m, &d);
    snprintf(buf, len, "%04d%02d%02d", y % 10000, m % 100, d % 100);
}

/* A time of day n: yyyyMMddHHmmss, or the day alone when plain. */
static void time_text(int n, int hour, int minute, bool plain, char *buf, size_t len)
{
    char day[16];
    day_text(n, day, sizeof(day));
    if (plain)
        snprintf(buf, len, "%s", day);
    else
        snprintf(buf, len, "%s%02d%02d00", day, hour % 24, minute % 60);
}

static void add_time(cJSON *o, const char *name, int n, int hour, int minute, bool plain)
{
    char t[32];
    time_text(n, hour, minute, plain, t, sizeof(t));
    cJSON_AddStringToObject(o, name, t);
}

/* A code sent as a number (even i) or a string of digits (odd i), as sending systems differ. */
static void add_code(cJSON *o, const char *name, int code, int i)
{
    char text[16];
    snprintf(text, sizeof(text), "%d", code);
    if (i % 2)
        cJSON_AddStringToObject(o, name, text);
    else
        cJSON_AddNumberToObject(o, name, code);
}

/* The records, built from i alone, so that each figure can be counted from i (see counted):
 *   status i%10+1 (every code), channel i%3+1, payment [0,1,2,5,absent][i%5];
 *   unit UNIT_OF[i%4], named in MaDonVi (i%3==0), MaCoQuan (1) or MaHoSo's prefix (2);
 *   received on day i (Jan 1 to Feb 29), a plain day when i%4==3, in NgayNopHoSo when i%6==5,
 *   none for a receiving dossier of even i/10; due i%15 days later; finished i%20 days after
 *   receipt for ended statuses (NgayTra instead of NgayKetThucXuLy when i%4==1); an open
 *   dossier of odd i sends NgayTra, which is ignored;
 *   fee items by i%4, documents by i%6, results by i%5, supplements by i%7. */
static cJSON *record(int i)
{
    int status = i % 10 + 1, channel = i % 3 + 1, unit = i % 4;
    static const int payments[] = {0, 1, 2, 5, -1};
    cJSON *o = cJSON_CreateObject();
    char code[96];
    snprintf(code, sizeof(code), "%s-2401%02d-%04d", UNIT_OF[unit], i % 28 + 1, i);
    cJSON_AddStringToObject(o, "MaHoSo", code);
    if (i % 3 == 0)
        cJSON_AddStringToObject(o, "MaDonVi", UNIT_OF[unit]);
    else if (i % 3 == 1)
        cJSON_AddStringToObject(o, "MaCoQuan", UNIT_OF[unit]);
    cJSON_AddStringToObject(o, "MaTTHC", PROC_OF[i % 3]);
    cJSON_AddStringToObject(o, "MaLinhVuc", "LV");
    add_code(o, "KenhThucHien", channel, i);
    cJSON_AddStringToObject(o, "ChuHoSo", APPLICANT);
    add_code(o, "LoaiDoiTuong", i % 4 + 1, i);
    cJSON_AddStringToObject(o, "MaDoiTuong", ID_NUMBER);
    cJSON_AddStringToObject(o, "SoDienThoai", PHONE);
    cJSON_AddStringToObject(o, "Email", EMAIL);
    cJSON_AddStringToObject(o, "TrichYeuHoSo", SUMMARY);
    bool received = !(status == STATUS_RECEIVING && (i / 10) % 2 == 0);
    if (received)
        add_time(o, i % 6 == 5 ? "NgayNopHoSo" : "NgayTiepNhan", i, 7 + i % 10, i, i % 4 == 3);
    add_time(o, "NgayHenTra", i + i % 15, 17, 0, i % 2 == 0);
    add_code(o, "TrangThaiHoSo", status, i);
    if (status_is_ended(status))
        add_time(o, i % 4 == 1 ? "NgayTra" : "NgayKetThucXuLy", i + i % 20, 16, 30, false);
    else if (i % 2)
        add_time(o, "NgayTra", i + 3, 10, 0, false);
    if (payments[i % 5] >= 0)
        add_code(o, "DuocThanhToanTrucTuyen", payments[i % 5], i);
    static const char *const fees[] = {NULL, "[{\"TenPhiLePhi\":\"Lệ phí\",\"Gia\":15000}]",
                                       "[{\"Gia\":\"20000\",\"MaPhiLePhi\":\"P1\"},{\"Gia\":5000}]",
                                       "[]"};
    static const char *const documents[] = {
        NULL,
        "[{\"TenTepDinhKem\":\"don.pdf\",\"DuongDanTaiTepTin\":\"/f/1\"}]",
        "[{\"DuongDanTaiTepTin\":\"/f/2\",\"IsDeleted\":1}]",
        "[{\"DuocLayTuKhoDMQG\":1}]",
        "[{\"DuocTaiSuDung\":\"2\"}]",
        "[{\"DuongDanTaiTepTin\":\"/f/3\",\"DuocLayTuKhoDMQG\":\"1\",\"IsDeleted\":false}]"};
    static const char *const results[] = {
        NULL, "[]", "[{\"MaGiayToKetQua\":\"KQ-1\",\"DuongDanTepTinKetQua\":\"/kq/1\"}]",
        "[{\"MaGiayToKetQua\":\"KQ-2\"}]",
        "[{\"MaGiayToKetQua\":7,\"DuongDanTepTinKetQua\":\"/k\"}]"};
    if (fees[i % 4])
        cJSON_AddItemToObject(o, "DanhSachLePhi", parse(fees[i % 4]));
    if (documents[i % 6])
        cJSON_AddItemToObject(o, "TaiLieuNop", parse(documents[i % 6]));
    if (results[i % 5])
        cJSON_AddItemToObject(o, "DanhSachGiayToKetQua", parse(results[i % 5]));
    if (received && i % 7 >= 1 && i % 7 <= 2) {
        cJSON *list = cJSON_AddArrayToObject(o, "DanhSachHoSoBoSung");
        cJSON *s = cJSON_CreateObject();
        add_time(s, "NgayBoSung", i + 1, 9, 0, false);
        add_time(s, "NgayTiepNhanBoSung", i + 2, 0, 0, true);
        cJSON_AddItemToArray(list, s);
        if (i % 7 == 2) {
            s = cJSON_CreateObject();
            add_time(s, "NgayBoSung", i + 3, 14, 15, false);
            cJSON_AddStringToObject(s, "NgayTiepNhanBoSung", "");
            cJSON_AddItemToArray(list, s);
        }
    }
    if (i % 4 != 2)
        add_code(o, "HoSoCoThanhPhanSoHoa", i % 8 < 4, i);
    if (i % 3 != 2)
        add_code(o, "TaiKhoanDuocXacThucVoiVNeID", i % 2, i);
    return o;
}

/* POST body to path on port with the key token; the test fails unless it answers 200 with
 * every record stored. Returns how many were stored. */
static int post(unsigned port, const char *token, const char *path, const char *body)
{
    char auth[200];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", token);
    struct http_response r;
    ck_assert_int_eq(
        http_request_with(port, "POST", path, auth, "application/json", body, strlen(body), &r), 0);
    ck_assert_msg(r.status == 200, "POST %s: %d %s", path, r.status, r.body);
    cJSON *j = parse(r.body);
    ck_assert_msg(json_num(j, "rejected", NULL) == 0, "POST %s: %s", path, r.body);
    int stored = (int)json_num(j, "stored", NULL);
    cJSON_Delete(j);
    http_response_free(&r);
    return stored;
}

/* GET path on port, which must answer 200; its body, which the caller frees. */
static char *get_text(unsigned port, const char *path)
{
    struct http_response r;
    ck_assert_int_eq(http_request(port, "GET", path, NULL, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "GET %s: %d %s", path, r.status, r.body);
    char *body = r.body;
    r.body = NULL;
    http_response_free(&r);
    return body;
}

static void start(struct test_server *t, char *token)
{
    test_server_start(t, 0);
    snprintf(token, 128, "%s", test_token);
    post(t->port, token, "/api/v1/units", UNITS);
    post(t->port, token, "/api/v1/procedures", PROCEDURES);
}

static void setup(void)
{
    start(&a, token_a);
    start(&b, token_b);
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; i < NRECORDS; i++)
        cJSON_AddItemToArray(list, record(i));
    char *body = cJSON_PrintUnformatted(list);
    ck_assert_int_eq(post(a.port, token_a, "/api/v1/dvcqg/dossiers", body), NRECORDS);
    free(body);
    cJSON_Delete(list);
}

static void teardown(void)
{
    test_server_stop(&b);
    test_server_stop(&a);
}

/* Reads every dossier of port back through the portal's pages of limit, following next;
 * returns them in one array (the caller deletes it) and counts the pages. */
static cJSON *read_all(unsigned port, int limit, int *pages)
{
    cJSON *all = cJSON_CreateArray();
    char after[300] = "";
    *pages = 0;
    for (;;) {
        char path[400];
        if (after[0])
            snprintf(path, sizeof(path), "/api/v1/dvcqg/dossiers?limit=%d&after=%s", limit, after);
        else
            snprintf(path, sizeof(path), "/api/v1/dvcqg/dossiers?limit=%d", limit);
        cJSON *page = http_get_json(port, path, 200);
        (*pages)++;
        cJSON *list = cJSON_DetachItemFromObjectCaseSensitive(page, "dossiers");
        ck_assert(cJSON_IsArray(list));
        ck_assert_int_le(cJSON_GetArraySize(list), limit);
        const cJSON *next = json_at(page, "next", NULL);
        while (list->child)
            cJSON_AddItemToArray(all, cJSON_DetachItemViaPointer(list, list->child));
        cJSON_Delete(list);
        if (cJSON_IsNull(next)) {
            cJSON_Delete(page);
            break;
        }
        ck_assert(cJSON_IsString(next));
        /* next is the last code of the page. */
        const cJSON *last = cJSON_GetArrayItem(all, cJSON_GetArraySize(all) - 1);
        ck_assert_str_eq(next->valuestring, json_str(last, "MaHoSo", NULL));
        snprintf(after, sizeof(after), "%s", next->valuestring);
        cJSON_Delete(page);
        ck_assert_int_lt(*pages, 100);
    }
    return all;
}

/* The test fails unless the answers of A (x) and B (y) to path are the same bytes; the message
 * shows where they part. */
static void expect_same_answer(const char *path, const char *x, const char *y)
{
    size_t at = 0;
    while (x[at] && x[at] == y[at])
        at++;
    size_t from = at > 80 ? at - 80 : 0;
    ck_assert_msg(x[at] == y[at], "GET %s differs at byte %zu:\n A ...%.160s\n B ...%.160s", path,
                  at, x + from, y + from);
}

/* The pages read from A, posted as they are into B. */
static void copy_a_to_b(int limit)
{
    char after[300] = "";
    int stored = 0;
    for (;;) {
        char path[400];
        snprintf(path, sizeof(path), "/api/v1/dvcqg/dossiers?limit=%d%s%s", limit,
                 after[0] ? "&after=" : "", after);
        cJSON *page = http_get_json(a.port, path, 200);
        char *body = cJSON_PrintUnformatted(json_at(page, "dossiers", NULL));
        stored += post(b.port, token_b, "/api/v1/dvcqg/dossiers", body);
        free(body);
        const cJSON *next = json_at(page, "next", NULL);
        bool last = cJSON_IsNull(next);
        if (!last)
            snprintf(after, sizeof(after), "%s", next->valuestring);
        cJSON_Delete(page);
        if (last)
            break;
    }
    ck_assert_int_eq(stored, NRECORDS);
}

/* Every figure read of A and B, byte for byte. */
static const char *const FIGURES[] = {
    "/api/v1/summary?from=2024-01-01&to=2024-06-30",
    "/api/v1/summary?from=2024-01-01&to=2024-06-30&group_by=unit",
    "/api/v1/summary?from=2024-01-01&to=2024-06-30&group_by=level",
    "/api/v1/summary?from=2024-01-01&to=2024-06-30&group_by=channel",
    "/api/v1/summary?from=2024-01-01&to=2024-06-30&group_by=procedure",
    "/api/v1/summary?from=2024-02-01&to=2024-02-29&group_by=unit",
    "/api/v1/series?interval=week&from=2024-01-01&to=2024-04-30",
    "/api/v1/reports/form06?from=2024-01-01&to=2024-03-31",
    "/api/v1/rankings?metric=on_time_rate&level=district&from=2024-01-01&to=2024-06-30",
    "/api/v1/index766?from=2024-01-01&to=2024-06-30",
    "/api/v1/index766?from=2024-01-01&to=2024-06-30&group_by=unit",
    "/api/v1/index766?from=2024-02-01&to=2024-03-31&group_by=level",
};

START_TEST(figures_survive_the_round_trip)
{
    copy_a_to_b(7);
    for (size_t i = 0; i < sizeof(FIGURES) / sizeof(FIGURES[0]); i++) {
        char *x = get_text(a.port, FIGURES[i]), *y = get_text(b.port, FIGURES[i]);
        expect_same_answer(FIGURES[i], x, y);
        free(x);
        free(y);
    }
}
END_TEST

/* The figures are those the records were built to give, counted here from record(i) alone:
 * over a period holding every receipt, nothing is carried over; received counts every dossier
 * but those receiving (status 1) and denied (3); by channel likewise. */
START_TEST(figures_are_those_of_the_records)
{
    copy_a_to_b(50);
    int received = 0, by_channel[4] = {0};
    for (int i = 0; i < NRECORDS; i++) {
        int status = i % 10 + 1;
        if (status == STATUS_RECEIVING || status == STATUS_DENIED)
            continue;
        received++;
        by_channel[i % 3 + 1]++;
    }
    struct test_server *servers[] = {&a, &b};
    for (int s = 0; s < 2; s++) {
        cJSON *j =
            http_get_json(servers[s]->port, "/api/v1/summary?from=2024-01-01&to=2024-06-30", 200);
        ck_assert_int_eq(json_num(json_at(j, "dossiers", NULL), "received", NULL), received);
        ck_assert_int_eq(json_num(json_at(j, "dossiers", NULL), "carried_over", NULL), 0);
        cJSON_Delete(j);
        j = http_get_json(servers[s]->port,
                          "/api/v1/summary?from=2024-01-01&to=2024-06-30&group_by=channel", 200);
        const cJSON *g;
        int seen = 0;
        cJSON_ArrayForEach(g, json_at(j, "groups", NULL))
        {
            int c = channel_from_name(json_str(g, "key", NULL));
            ck_assert_int_gt(c, 0);
            ck_assert_int_eq(json_num(json_at(g, "dossiers", NULL), "received", NULL),
                             by_channel[c]);
            seen++;
        }
        ck_assert_int_eq(seen, 3);
        cJSON_Delete(j);
    }
}
END_TEST

/* Every dossier of A, read from its pages, is what each one-dossier read answers, and what B
 * answers after the round trip, in the portal's format and in ours. */
START_TEST(dossiers_survive_the_round_trip)
{
    copy_a_to_b(1000);
    int pages_a, pages_b;
    cJSON *all_a = read_all(a.port, 9, &pages_a), *all_b = read_all(b.port, 1000, &pages_b);
    ck_assert_int_eq(cJSON_GetArraySize(all_a), NRECORDS);
    ck_assert_int_eq(pages_a, (NRECORDS + 8) / 9);
    ck_assert_int_eq(pages_b, 1);
    ck_assert_msg(cJSON_Compare(all_a, all_b, true), "the dossiers of A and B differ");
    const cJSON *o;
    const char *previous = "";
    cJSON_ArrayForEach(o, all_a)
    {
        const char *code = json_str(o, "MaHoSo", NULL);
        ck_assert_msg(strcmp(previous, code) < 0, "%s after %s", code, previous);
        previous = code;
        char path[300];
        static const char *const reads[] = {"/api/v1/dvcqg/dossiers/%s",
                                            "/api/v1/dossiers/%s?format=dvcqg"};
        for (int r = 0; r < 2; r++) {
            snprintf(path, sizeof(path), reads[r], code);
            for (int s = 0; s < 2; s++) {
                cJSON *one = http_get_json(s ? b.port : a.port, path, 200);
                ck_assert_msg(cJSON_Compare(one, o, true), "GET %s on %c differs from its page",
                              path, s ? 'B' : 'A');
                cJSON_Delete(one);
            }
        }
        /* Our own format too: the same stored dossier on both. */
        snprintf(path, sizeof(path), "/api/v1/dossiers/%s", code);
        char *x = get_text(a.port, path), *y = get_text(b.port, path);
        expect_same_answer(path, x, y);
        free(x);
        free(y);
    }
    cJSON_Delete(all_b);
    cJSON_Delete(all_a);
}
END_TEST

/* The dossier of list whose MaHoSo is code; the test fails when there is none. */
static const cJSON *find(const cJSON *list, const char *code)
{
    const cJSON *o;
    cJSON_ArrayForEach(o, list)
    {
        if (strcmp(json_str(o, "MaHoSo", NULL), code) == 0)
            return o;
    }
    ck_abort_msg("%s was not read back", code);
    return NULL;
}

/* The members the records send that are never stored, so never answered. */
static const char *const NOT_ANSWERED[] = {
    "ChuHoSo",      "LoaiDoiTuong", "MaDoiTuong", "SoDienThoai", "Email",
    "TrichYeuHoSo", "NgayNopHoSo",  "NgayTra",    "MaLinhVuc",   "MaCoQuan"};

/* Field by field against what was sent: the codes as numbers, the times as sent (the received
 * one from NgayNopHoSo when only it was sent), the unit from wherever it was named, the fee as
 * one item of the sum. Nothing personal comes back. */
START_TEST(read_back_says_what_was_sent)
{
    int pages;
    cJSON *all = read_all(a.port, 1000, &pages);
    char *text = cJSON_PrintUnformatted(all);
    static const char *const personal[] = {APPLICANT, ID_NUMBER, PHONE, EMAIL,
                                           SUMMARY,   "don.pdf", "/f/", "KQ-"};
    for (size_t k = 0; k < sizeof(personal) / sizeof(personal[0]); k++)
        ck_assert_msg(strstr(text, personal[k]) == NULL, "'%s' came back", personal[k]);
    free(text);
    for (int i = 0; i < NRECORDS; i++) {
        cJSON *sent = record(i);
        const cJSON *got = find(all, json_str(sent, "MaHoSo", NULL));
        ck_assert_str_eq(json_str(got, "MaDonVi", NULL), UNIT_OF[i % 4]);
        ck_assert_str_eq(json_str(got, "MaTTHC", NULL), PROC_OF[i % 3]);
        ck_assert_int_eq(json_num(got, "KenhThucHien", NULL), i % 3 + 1);
        ck_assert_int_eq(json_num(got, "TrangThaiHoSo", NULL), i % 10 + 1);
        static const int payment[] = {0, 1, 2, 0, 0};
        ck_assert_int_eq(json_num(got, "DuocThanhToanTrucTuyen", NULL), payment[i % 5]);
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(sent, "NgayTiepNhan");
        if (!r)
            r = cJSON_GetObjectItemCaseSensitive(sent, "NgayNopHoSo");
        if (r)
            ck_assert_str_eq(json_str(got, "NgayTiepNhan", NULL), r->valuestring);
        else
            ck_assert(!cJSON_HasObjectItem(got, "NgayTiepNhan"));
        ck_assert_str_eq(json_str(got, "NgayHenTra", NULL), json_str(sent, "NgayHenTra", NULL));
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(sent, "NgayKetThucXuLy");
        if (!f && status_is_ended(i % 10 + 1))
            f = cJSON_GetObjectItemCaseSensitive(sent, "NgayTra");
        if (f)
            ck_assert_str_eq(json_str(got, "NgayKetThucXuLy", NULL), f->valuestring);
        else
            ck_assert(!cJSON_HasObjectItem(got, "NgayKetThucXuLy"));
        static const int fees[] = {0, 15000, 25000, 0};
        const cJSON *list = json_at(got, "DanhSachLePhi", NULL);
        ck_assert_int_eq(cJSON_GetArraySize(list), fees[i % 4] > 0);
        if (fees[i % 4])
            ck_assert_int_eq(json_num(list->child, "Gia", NULL), fees[i % 4]);
        int supplements = i % 7 == 1 ? 1 : i % 7 == 2 ? 2 : 0;
        if (!cJSON_HasObjectItem(sent, "DanhSachHoSoBoSung"))
            supplements = 0;
        ck_assert_int_eq(cJSON_GetArraySize(json_at(got, "DanhSachHoSoBoSung", NULL)), supplements);
        for (size_t k = 0; k < sizeof(NOT_ANSWERED) / sizeof(NOT_ANSWERED[0]); k++)
            ck_assert_msg(!cJSON_HasObjectItem(got, NOT_ANSWERED[k]), "%s came back",
                          NOT_ANSWERED[k]);
        cJSON_Delete(sent);
    }
    cJSON_Delete(all);
}
END_TEST

/* The parameters of the page, against A's sixty dossiers. */
START_TEST(pages_filter_by_unit)
{
    int expected[4] = {0};
    for (int i = 0; i < NRECORDS; i++)
        expected[i % 4]++;
    for (int u = 0; u < 4; u++) {
        char path[200];
        snprintf(path, sizeof(path), "/api/v1/dvcqg/dossiers?unit=%s&limit=1000", UNIT_OF[u]);
        cJSON *page = http_get_json(a.port, path, 200);
        const cJSON *o;
        int n = 0;
        cJSON_ArrayForEach(o, json_at(page, "dossiers", NULL))
        {
            ck_assert_str_eq(json_str(o, "MaDonVi", NULL), UNIT_OF[u]);
            n++;
        }
        /* Each unit's own dossiers: not those of the units below it. */
        ck_assert_int_eq(n, expected[u]);
        ck_assert(cJSON_IsNull(json_at(page, "next", NULL)));
        cJSON_Delete(page);
    }
    /* The default page is 100: all sixty, then no next. */
    cJSON *page = http_get_json(a.port, "/api/v1/dvcqg/dossiers", 200);
    ck_assert_int_eq(cJSON_GetArraySize(json_at(page, "dossiers", NULL)), NRECORDS);
    ck_assert(cJSON_IsNull(json_at(page, "next", NULL)));
    cJSON_Delete(page);
    /* Past the last code: an empty page. */
    page = http_get_json(a.port, "/api/v1/dvcqg/dossiers?after=%7E", 200);
    ck_assert_int_eq(cJSON_GetArraySize(json_at(page, "dossiers", NULL)), 0);
    ck_assert(cJSON_IsNull(json_at(page, "next", NULL)));
    cJSON_Delete(page);
}
END_TEST

START_TEST(unknown_codes_and_bad_parameters)
{
    struct http_response r;
    static const char *const unknown[] = {"/api/v1/dvcqg/dossiers/NOPE",
                                          "/api/v1/dossiers/NOPE?format=dvcqg"};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(http_request(a.port, "GET", unknown[i], NULL, NULL, &r), 0);
        expect_problem_detail(&r, 404, "not-found",
                              "No dossier has this code; load it with POST "
                              "/api/v1/dvcqg/dossiers or POST /api/v1/dossiers.");
        http_response_free(&r);
    }
    static const struct {
        const char *path, *detail;
    } bad[] = {
        {"/api/v1/dossiers/T01-240101-0000?format=xml", "format must be json or dvcqg"},
        {"/api/v1/dossiers/T01-240101-0000?format=json&format=json",
         "format is given more than once"},
        {"/api/v1/dvcqg/dossiers/T01-240101-0000?format=json",
         "This path takes no query parameters; remove 'format'."},
        {"/api/v1/dvcqg/dossiers?limit=1001", "limit must be a whole number from 1 to 1000"},
        {"/api/v1/dvcqg/dossiers?limit=0", "limit must be a whole number from 1 to 1000"},
        {"/api/v1/dvcqg/dossiers?limit=ten", "limit must be a whole number from 1 to 1000"},
        {"/api/v1/dvcqg/dossiers?after=a%20b", "after must be a code of 1 to 64 characters"},
        {"/api/v1/dvcqg/dossiers?unit=T01&unit=T01.H1", "unit is given more than once"},
        {"/api/v1/dvcqg/dossiers?unit=T09", "unit: no unit has the code 'T09'"},
        {"/api/v1/dvcqg/dossiers?page=2",
         "unknown query parameter 'page'; allowed: after, limit, unit"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(http_request(a.port, "GET", bad[i].path, NULL, NULL, &r), 0);
        expect_problem_detail(&r, 400, "invalid-parameter", bad[i].detail);
        http_response_free(&r);
    }
    /* format=json is the stored record, as without it. */
    char *x = get_text(a.port, "/api/v1/dossiers/T01-240101-0000?format=json");
    char *y = get_text(a.port, "/api/v1/dossiers/T01-240101-0000");
    ck_assert_str_eq(x, y);
    ck_assert_ptr_nonnull(strstr(x, "\"procedure_code\":\"1.001\""));
    free(x);
    free(y);
}
END_TEST

/* Read key rules as for every read: with read_requires_key = 1 the portal reads need a key of
 * any scope, and a read key is enough. */
START_TEST(reads_need_a_key_when_reads_do)
{
    struct test_server t;
    test_server_prepare(&t, 0);
    t.app.cfg.read_requires_key = 1;
    test_server_run(&t);
    char token[128], auth[200];
    test_key_create(&t, "reader", SCOPE_READ, token, sizeof(token));
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", token);
    static const char *const paths[] = {"/api/v1/dvcqg/dossiers", "/api/v1/dvcqg/dossiers/X",
                                        "/api/v1/dossiers/X?format=dvcqg"};
    static const int found[] = {200, 404, 404};
    for (int i = 0; i < 3; i++) {
        struct http_response r;
        ck_assert_int_eq(http_request(t.port, "GET", paths[i], NULL, NULL, &r), 0);
        ck_assert_int_eq(r.status, 401);
        http_response_free(&r);
        ck_assert_int_eq(http_request_with(t.port, "GET", paths[i], auth, NULL, NULL, 0, &r), 0);
        ck_assert_msg(r.status == found[i], "GET %s with a read key: %d", paths[i], r.status);
        http_response_free(&r);
    }
    test_server_stop(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dvcqg_roundtrip");
    TCase *tc = tcase_create("round trip");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, figures_survive_the_round_trip);
    tcase_add_test(tc, figures_are_those_of_the_records);
    tcase_add_test(tc, dossiers_survive_the_round_trip);
    tcase_add_test(tc, read_back_says_what_was_sent);
    tcase_add_test(tc, pages_filter_by_unit);
    tcase_add_test(tc, unknown_codes_and_bad_parameters);
    suite_add_tcase(s, tc);
    TCase *keys = tcase_create("keys");
    tcase_set_timeout(keys, 30);
    tcase_add_test(keys, reads_need_a_key_when_reads_do);
    suite_add_tcase(s, keys);
    return run_suite(s);
}

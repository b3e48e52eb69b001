/* Fuzzes loading (ingest.c, csv.c, dvcqg.c): the first byte picks the kind, the second the
 * format (JSON object, array or NDJSON; CSV; the DVCQG portal's objects), the rest is the body,
 * loaded into an in-memory database that holds one unit and one procedure, so that valid
 * records are stored as well as validated.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "tthc/base/log.h"
#include "tthc/records/ingest.h"
#include "tthc/storage/db.h"
#include "tthc/storage/migrate.h"

/* Runs before the database is opened afresh, so that it stays small. */
#define RUNS_PER_DATABASE 5000

static const char seed_units[] =
    "{\"code\":\"H1\",\"name\":\"Tỉnh\",\"level\":\"province\"}\n"
    "{\"code\":\"X1\",\"name\":\"Xã\",\"level\":\"commune\","
    "\"parent_code\":\"H1\"}\n"
    "{\"code\":\"000.00.12.H56\",\"name\":\"Sở\",\"level\":\"province\"}";
static const char seed_procedures[] = "{\"code\":\"1.001\",\"name\":\"Thủ tục\"}\n"
                                      "{\"code\":\"2.000635\",\"name\":\"Trích lục\"}";

static struct db_conn *open_seeded(void)
{
    struct db_conn *c = NULL;
    char err[256];
    if (db_conn_open(":memory:", &c, err, sizeof(err)) != 0 ||
        db_migrate(c, NULL, err, sizeof(err)) != 0)
        abort();
    struct ingest_report rep;
    if (ingest_body(c, KIND_UNITS, FORMAT_JSON, seed_units, sizeof(seed_units) - 1, 0, 10, &rep,
                    err, sizeof(err)) != INGEST_OK ||
        rep.stored != 3)
        abort();
    ingest_report_free(&rep);
    if (ingest_body(c, KIND_PROCEDURES, FORMAT_JSON, seed_procedures, sizeof(seed_procedures) - 1,
                    0, 10, &rep, err, sizeof(err)) != INGEST_OK ||
        rep.stored != 2)
        abort();
    ingest_report_free(&rep);
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct db_conn *c;
    static unsigned runs;
    if (size < 2)
        return 0;
    if (!c || ++runs % RUNS_PER_DATABASE == 0) {
        log_set_quiet(1);
        db_conn_close(c);
        c = open_seeded();
    }
    enum format format = (enum format)(data[1] % 3);
    enum kind kind = format == FORMAT_DVCQG ? KIND_DOSSIERS : (enum kind)(data[0] % KIND_COUNT);
    struct ingest_report rep;
    char err[256];
    enum ingest_status st = ingest_body(c, kind, format, (const char *)data + 2, size - 2, 0, 1000,
                                        &rep, err, sizeof(err));
    /* What the report says must add up, whatever the body. */
    if (st == INGEST_OK && rep.stored + rep.rejected != rep.records)
        abort();
    ingest_report_free(&rep);
    return 0;
}

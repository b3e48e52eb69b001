/* Native dossiers back into the DVCQG sync format: the inverse of dvcqg.c's mapping; see
 * include/tthc/records/dvcqg.h.
 *
 * The codes come from the same tables the inbound mapping reads them with (domain/vocab.c:
 * channel_name and channel_from_name are one table), the portal's names of the times from the
 * same chains (dvcqg_internal.h), the national index's facts from the file that reads them
 * (dvcqg_facts.c). What was never stored (the applicant, the documents, the fee items' names)
 * is not made up: it is absent. Nothing here reads the database.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dvcqg_internal.h"
#include "tthc/domain/vocab.h"
#include "tthc/records/dvcqg.h"

/* Member name of the native object d as text, NULL when absent, null or not a string. */
static const char *text_of(const cJSON *d, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Adds the native time name of d as the portal's field (the first name of its chain), when d
 * holds one. Returns 0, or -1 when out of memory or the stored text is not a time. */
static int time_add(cJSON *o, const char *const *field, const cJSON *d, const char *name)
{
    const char *stored = text_of(d, name);
    char text[DVCQG_TIME_SIZE];
    if (!stored)
        return 0;
    if (dvcqg_time_write(stored, text) != 0)
        return -1;
    return cJSON_AddStringToObject(o, field[0], text) ? 0 : -1;
}

/* DanhSachLePhi: the fee as one item of its whole amount (dvcqg.c sums Gia over the items);
 * no item for 0, which an empty list reads back as. */
static int fee_add(cJSON *o, const cJSON *d)
{
    const cJSON *fee = cJSON_GetObjectItemCaseSensitive(d, "fee");
    cJSON *list = cJSON_AddArrayToObject(o, "DanhSachLePhi");
    if (!list || !cJSON_IsNumber(fee))
        return -1;
    if (fee->valuedouble <= 0)
        return 0;
    cJSON *item = cJSON_CreateObject();
    if (!item || !cJSON_AddItemToArray(list, item)) {
        cJSON_Delete(item);
        return -1;
    }
    /* Exact: fees are whole numbers up to FEE_MAX, below 2^53. */
    return cJSON_AddNumberToObject(item, "Gia", fee->valuedouble) ? 0 : -1;
}

/* The procedure's name and field from its stored record, as the portal names them: TenTTHC
 * when the catalogue has a name, TenLinhVuc beside it when it has a field (dvcqg.c writes the
 * field only with a name). */
static int procedure_add(cJSON *o, const cJSON *procedure)
{
    const char *name = procedure ? text_of(procedure, "name") : NULL;
    const char *field = procedure ? text_of(procedure, "field") : NULL;
    if (!name)
        return 0;
    if (!cJSON_AddStringToObject(o, "TenTTHC", name) ||
        (field && !cJSON_AddStringToObject(o, "TenLinhVuc", field)))
        return -1;
    return 0;
}

/* The portal's object of d, or NULL (out of memory, or d is not a stored dossier). */
static cJSON *build(const cJSON *d, const cJSON *procedure)
{
    const char *code = text_of(d, "code"), *unit = text_of(d, "unit_code"),
               *proc = text_of(d, "procedure_code"), *payment = text_of(d, "online_payment");
    const char *channel = text_of(d, "channel"), *status = text_of(d, "status");
    int channel_code = channel ? channel_from_name(channel) : 0;
    int status_code = status ? status_from_name(status) : 0;
    /* payment_name(0) is NULL: a dossier not paid online is DuocThanhToanTrucTuyen 0. */
    int payment_code = payment ? payment_from_name(payment) : PAYMENT_NONE;
    if (!code || !unit || !proc || channel_code == 0 || status_code == 0 ||
        (payment && payment_code == PAYMENT_NONE))
        return NULL;

    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "MaHoSo", code) ||
        /* Explicit, so that the record does not depend on its code beginning with the unit's. */
        !cJSON_AddStringToObject(o, "MaDonVi", unit) ||
        !cJSON_AddStringToObject(o, "MaTTHC", proc) || procedure_add(o, procedure) != 0 ||
        !cJSON_AddNumberToObject(o, "KenhThucHien", channel_code) ||
        time_add(o, dvcqg_received_names, d, "received_at") != 0 ||
        time_add(o, dvcqg_due_names, d, "due_at") != 0 ||
        !cJSON_AddNumberToObject(o, "TrangThaiHoSo", status_code) ||
        time_add(o, dvcqg_finished_names, d, "finished_at") != 0 ||
        !cJSON_AddNumberToObject(o, "DuocThanhToanTrucTuyen", payment_code) || fee_add(o, d) != 0 ||
        dvcqg_facts_write(o, d) != 0) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int dvcqg_from_dossier(const cJSON *dossier, const cJSON *procedure, cJSON **out)
{
    *out = cJSON_IsObject(dossier) ? build(dossier, procedure) : NULL;
    return *out ? 0 : -1;
}

/* JSON and problem responses; see include/tthc/http.h. */
#include "tthc/handlers/exchange.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tthc/base/log.h"
#include "tthc/base/text.h"

/* A body that needs no allocation, for when memory has run out. */
static const char OOM_BODY[] = "{\"type\":\"urn:tthc:problem:internal\",\"title\":\"Internal "
                               "error\",\"status\":500,\"detail\":\"The server ran out of "
                               "memory; try again.\"}";

static void set_oom(struct response *res)
{
    res->status = 500;
    res->content_type = "application/problem+json";
    res->body = strdup(OOM_BODY);
    res->len = res->body ? strlen(res->body) : 0;
}

void response_json(struct response *res, unsigned status, cJSON *json)
{
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    cJSON_Delete(json);
    response_json_text(res, status, text);
}

void response_json_text(struct response *res, unsigned status, char *text)
{
    if (!text) {
        log_error("cannot build a response: out of memory");
        set_oom(res);
        return;
    }
    res->status = status;
    res->content_type = "application/json";
    res->body = text;
    res->len = strlen(text);
}

void response_problem(struct response *res, unsigned status, const char *slug, const char *title,
                      const char *detail, const char *param)
{
    char type[96], text[1024];
    snprintf(type, sizeof(type), "urn:tthc:problem:%s", slug);
    /* Every answer is valid UTF-8: a detail cut short, or echoing bytes from outside, ends on
     * the last whole character. */
    snprintf(text, sizeof(text), "%s", detail);
    text_cut_valid(text);
    cJSON *p = cJSON_CreateObject();
    if (p) {
        cJSON_AddStringToObject(p, "type", type);
        cJSON_AddStringToObject(p, "title", title);
        cJSON_AddNumberToObject(p, "status", status);
        cJSON_AddStringToObject(p, "detail", text);
        if (param)
            cJSON_AddStringToObject(p, "parameter", param);
    }
    response_json(res, status, p);
    if (res->status == status)
        res->content_type = "application/problem+json";
}

void response_header(struct response *res, const char *name, const char *fmt, ...)
{
    if (res->nheaders == HTTP_MAX_HEADERS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->headers[res->nheaders].value, sizeof(res->headers[0].value), fmt, ap);
    va_end(ap);
    res->headers[res->nheaders++].name = name;
}

void response_stream(struct response *res, size_t rows, enum table_lang lang,
                     void (*stream)(void *, size_t, struct table_writer *),
                     void (*stream_free)(void *), void *ctx)
{
    res->stream_rows = rows;
    res->stream_lang = lang;
    res->status = 200;
    res->content_type = "text/csv; charset=utf-8";
    res->body = NULL;
    res->len = 0;
    res->stream = stream;
    res->stream_free = stream_free;
    res->stream_ctx = ctx;
}

void response_stream_drop(struct response *res)
{
    if (res->stream && res->stream_free)
        res->stream_free(res->stream_ctx);
    res->stream = NULL;
    res->stream_free = NULL;
    res->stream_ctx = NULL;
}

bool accepts_csv(const char *accept)
{
    /* Media ranges separated by commas; the type is case-insensitive; q=0 refuses it
     * (RFC 9110, 12.5.1 and 12.4.2). */
    for (const char *p = accept; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        if (n >= 8 && strncasecmp(p, "text/csv", 8) == 0 &&
            (n == 8 || p[8] == ';' || p[8] == ' ' || p[8] == '\t')) {
            bool refused = false;
            for (const char *q = p + 8; q < p + n; q++) {
                if ((*q == 'q' || *q == 'Q') && q[1] == '=') {
                    /* Only a weight above 0 asks for it: not q=0, nor q=nan. */
                    double v = strtod(q + 2, NULL);
                    refused = !(v > 0);
                }
            }
            if (!refused)
                return true;
        }
        p += n;
    }
    return false;
}

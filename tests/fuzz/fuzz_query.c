/* Fuzzes the reading of a request: the route table on the path and the summary's query
 * parameters (query.c), as the server hands them over: "path?key=value&key=value"; and the
 * whole input as the value of the headers we parse (Accept, Accept-Encoding).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tthc/domain/metrics.h"
#include "tthc/domain/query.h"
#include "tthc/handlers/exchange.h"
#include "tthc/http/gzip.h"
#include "tthc/http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_text(data, size);
    if (!s)
        return 0;
    gzip_accepted(s);
    accepts_csv(s);
    char *query = strchr(s, '?');
    if (query)
        *query++ = '\0';
    const struct route *route;
    const char *param;
    char allow[128];
    router_match("GET", s, &route, &param, allow, sizeof(allow));
    router_match("POST", s, &route, &param, allow, sizeof(allow));

    struct summary_params p;
    summary_params_init(&p);
    char reason[256];
    int ok = 1;
    for (char *save = NULL, *pair = query ? strtok_r(query, "&", &save) : NULL; pair;
         pair = strtok_r(NULL, "&", &save)) {
        char *value = strchr(pair, '=');
        if (value)
            *value++ = '\0';
        rate_find(pair);
        if (summary_param(&p, pair, value, reason, sizeof(reason)) != 0)
            ok = 0;
    }
    const char *bad;
    if (ok && summary_params_check(&p, &bad, reason, sizeof(reason)) == 0) {
        cJSON *o = cJSON_CreateObject();
        if (o && summary_params_add_json(o, &p) == 0) {
            char *text = cJSON_PrintUnformatted(o);
            free(text);
        }
        cJSON_Delete(o);
    }
    free(s);
    return 0;
}

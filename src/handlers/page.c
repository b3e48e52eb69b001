/* GET / and GET /assets/{name}: the dashboard (web/index.html) and the files it loads, from the
 * table the build embeds (handlers/assets.h); GET /api/docs: the API reference
 * (web/api-docs.html), drawn in the browser by Redoc from the embedded OpenAPI document. The
 * pages read only the public API; this file knows nothing of what they show.
 *
 * Each answer carries the asset's own ETag (fixed at build time, so it changes only with the
 * binary) for policy.c to compare with If-None-Match and to gzip like any answer, and a strict
 * Content-Security-Policy: scripts, styles and connections from this origin only, no inline
 * script or style, no frames, no plugins, DOM sinks closed by Trusted Types.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/handlers/assets.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"

/* Under 256 bytes: a response header's cap (exchange.h). */
static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self'; connect-src 'self'; base-uri 'none'; "
                          "form-action 'self'; frame-ancestors 'none'; "
                          "require-trusted-types-for 'script'; trusted-types 'none'";

/* The API reference's policy: the dashboard's, less what Redoc cannot do without. Its React
 * components are styled by styled-components, which writes <style> elements at run time
 * ('unsafe-inline' styles; scripts stay 'self' only); it draws the document's Markdown as HTML
 * through DOMPurify into innerHTML (so no Trusted Types); and it runs its search index in a
 * Worker made from a blob: URL (worker-src blob:). Images: its SVG icons as data: URLs. */
static const char CSP_DOCS[] = "default-src 'none'; script-src 'self'; style-src 'self' "
                               "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
                               "worker-src blob:; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'";

const struct web_asset *web_asset_find(const char *name)
{
    size_t lo = 0, hi = web_assets_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, web_assets[mid].name);
        if (c == 0)
            return &web_assets[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Answers 200 with a copy of a (the server frees the body) and its headers, under the
 * Content-Security-Policy csp. */
static void answer_asset(struct request *req, struct response *res, const struct web_asset *a,
                         const char *csp)
{
    res->body = malloc(a->len ? a->len : 1);
    if (!res->body) {
        answer_short_of_memory(res);
        return;
    }
    memcpy(res->body, a->data, a->len);
    res->len = a->len;
    res->status = 200;
    res->content_type = a->content_type;
    snprintf(req->etag, sizeof(req->etag), "%s", a->etag);
    response_header(res, "Content-Security-Policy", "%s", csp);
    response_header(res, "X-Content-Type-Options", "nosniff");
}

void page_get(struct request *req, struct response *res)
{
    /* The query string is the page's state (unit, period, ...), read by the page itself. */
    const struct web_asset *a = web_asset_find("index.html");
    if (!a) {
        answer_unavailable(res, "This build carries no dashboard; use the API under /api/v1/.");
        return;
    }
    answer_asset(req, res, a, CSP);
}

void api_docs_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    const struct web_asset *a = web_asset_find("api-docs.html");
    if (!a) {
        answer_unavailable(res, "This build carries no API reference; read /api/v1/openapi.json.");
        return;
    }
    answer_asset(req, res, a, CSP_DOCS);
}

void asset_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    /* The pages are served at / and /api/docs only: one URL for one document. */
    const struct web_asset *a =
        strcmp(req->param, "index.html") == 0 || strcmp(req->param, "api-docs.html") == 0
            ? NULL
            : web_asset_find(req->param);
    if (!a) {
        response_problem(res, 404, "not-found", "Not found",
                         "The page has no file of this name; open the dashboard at /.", NULL);
        return;
    }
    answer_asset(req, res, a, CSP);
}

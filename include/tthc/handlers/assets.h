/* The page's assets (web/): the dashboard served at GET / and the files it loads from
 * /assets/NAME, embedded in the binary at build time by scripts/embed_assets.py, so that the
 * page works with no file beside the binary and no network beyond tthc itself.
 *
 * Owns the table and its lookup; knows nothing of HTTP (handlers/page.c serves the table).
 */
#ifndef TTHC_HANDLERS_ASSETS_H
#define TTHC_HANDLERS_ASSETS_H

#include <stddef.h>

struct web_asset {
    const char *name;         /* the path under web/, e.g. "js/main.js" */
    const char *content_type; /* from the name's extension */
    const unsigned char *data;
    size_t len;
    const char *etag; /* "\"a-<16 hex digits of the SHA-256 of data>\"", fixed at build time */
};

/* Generated (build/web_assets.c): every asset, in name order. */
extern const struct web_asset web_assets[];
extern const size_t web_assets_count;

/* The asset called name, or NULL. The table is static: nothing to free. */
const struct web_asset *web_asset_find(const char *name);

#endif

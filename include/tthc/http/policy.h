/* What every request passes through before and after its handler: CORS, request bodies in
 * gzip, keys and scopes, rate limits, ETags and caching, response compression.
 *
 * Owns those HTTP rules and the rate-limit state; it knows no resource. server.c calls
 * policy_preflight for OPTIONS, policy_admit for a matched route as soon as the request's
 * headers are in (before its body, if it has one, is kept), policy_prepare on the thread that
 * then runs the route's handler, and policy_after on every answer.
 */
#ifndef TTHC_POLICY_H
#define TTHC_POLICY_H

#include <stdbool.h>

#include "tthc/handlers/exchange.h"

struct app;
struct policy;

/* State for app (its settings are read as they are at each call; its pool and engine are
 * used for keys and ETags). NULL when out of memory. */
struct policy *policy_new(struct app *app);
void policy_free(struct policy *p);

/* Answers an OPTIONS request for a path whose methods are allow ("" for an unknown path):
 * a CORS preflight from an allowed origin gets 204 with the Access-Control-* headers, from
 * another origin 403; a plain OPTIONS gets 204 with Allow. */
void policy_preflight(struct policy *p, struct request *req, const char *allow,
                      struct response *res);

/* For a matched route, from its headers alone (no body, no engine): checks the key and its
 * scope, takes a rate-limit token and refuses a body's Content-Encoding other than gzip or
 * identity. Sets req->key_name and req->rate. Returns true when the request may go on; false
 * when res holds the answer (401, 403, 429, 415). */
bool policy_admit(struct policy *p, struct request *req, struct response *res);

/* Just before the handler, once the body is in: inflates a gzip body (capped) and, for reads
 * under /api/, computes the ETag: from the counting engine's generation when engine is true
 * (it may refresh the engine first), else from the database's, without touching the engine.
 * Returns true when the handler should run; false when res holds the answer (413, 400, 503). */
bool policy_prepare(struct policy *p, struct request *req, struct response *res, bool engine);

/* After any answer: 304 for a matching If-None-Match, ETag, Cache-Control, Vary, gzip,
 * CORS and rate-limit headers. */
void policy_after(struct policy *p, struct request *req, struct response *res);

#endif

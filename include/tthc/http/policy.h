/* What every request passes through before and after its handler: CORS, request bodies in
 * gzip, keys and scopes, rate limits, ETags and caching, response compression.
 *
 * Owns those HTTP rules and the rate-limit state; it knows no resource. server.c calls
 * policy_preflight for OPTIONS, policy_before before a matched route's handler and
 * policy_after on every answer.
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

/* Before the handler of a route taking method: decodes a gzip body (capped), checks the key
 * and its scope, takes a rate-limit token and, for reads, computes the ETag of the answer.
 * Returns true when the handler should run; false when res already holds the answer. */
bool policy_before(struct policy *p, struct request *req, struct response *res);

/* After any answer: 304 for a matching If-None-Match, ETag, Cache-Control, Vary, gzip,
 * CORS and rate-limit headers. */
void policy_after(struct policy *p, struct request *req, struct response *res);

#endif

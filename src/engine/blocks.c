/* Feedback, ratings, payments and decisions counted from their columns, by the rules of
 * domain.md ("Feedback", "Satisfaction ratings", "Payments", "Announcements"); see internal.h.
 * A rating or a payment counts under its dossier's unit, procedure and channel as they are now.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void count_blocks(const struct engine *e, const struct summary_params *p,
                  const struct unit_map *map, uint32_t proc, struct counters *acc, size_t ngroups)
{
    const int32_t F = p->from, T = p->to;
    unsigned blocks = blocks_applicable(p);
    const struct feedback_cols *fb = &e->fb;
    for (size_t i = 1; (blocks & (1u << BLOCK_FEEDBACK)) && i < fb->n; i++) {
        int32_t r = fb->received[i], s = fb->resolved[i];
        /* Received by `to` and not settled before `from`. */
        if (!fb->status[i] || r > T || s < F)
            continue;
        size_t g = group_of(p, map, proc, ngroups, fb->unit[i], fb->proc[i], 0);
        if (g == SIZE_MAX)
            continue;
        struct counters *k = &acc[g];
        int deadline = workdays_add(&e->workdays, r, FEEDBACK_SETTLE_WORKDAYS);
        k->feedback_received += r >= F;
        if (s <= T) {
            k->feedback_resolved += fb->status[i] == FEEDBACK_RESOLVED;
            k->feedback_resolved_on_time += fb->status[i] == FEEDBACK_RESOLVED && s <= deadline;
            k->feedback_rejected += fb->status[i] == FEEDBACK_REJECTED;
        } else {
            /* still open at `to` */
            k->feedback_open++;
            k->feedback_overdue += deadline < T;
        }
    }
    const struct rating_cols *rt = &e->rt;
    for (size_t i = 1; i < rt->n; i++) {
        uint32_t d = rt->dossier[i];
        if (!rt->rating[i] || rt->day[i] < F || rt->day[i] > T || d >= e->n)
            continue;
        size_t g = dossier_group(e, p, map, proc, ngroups, d);
        if (g == SIZE_MAX)
            continue;
        struct counters *k = &acc[g];
        k->ratings++;
        k->ratings_very_satisfied += rt->rating[i] == RATING_VERY_SATISFIED;
        k->ratings_satisfied += rt->rating[i] == RATING_SATISFIED;
        k->ratings_dissatisfied += rt->rating[i] == RATING_DISSATISFIED;
    }
    const struct payment_cols *pay = &e->pay;
    for (size_t i = 1; i < pay->n; i++) {
        uint32_t d = pay->dossier[i];
        /* Successful transactions only (domain.md, "Payments"). */
        if (pay->status[i] != PAYMENT_SUCCESS || pay->day[i] < F || pay->day[i] > T || d >= e->n)
            continue;
        size_t g = dossier_group(e, p, map, proc, ngroups, d);
        if (g == SIZE_MAX)
            continue;
        struct counters *k = &acc[g];
        bool dvcqg = pay->channel[i] == PAYMENT_DVCQG;
        k->payments_count++;
        k->payments_amount += pay->amount[i];
        k->payments_dvcqg_count += dvcqg;
        k->payments_dvcqg_amount += dvcqg ? pay->amount[i] : 0;
        k->payments_local_gateway_count += !dvcqg;
        k->payments_local_gateway_amount += dvcqg ? 0 : pay->amount[i];
    }
    const struct announcement_cols *an = &e->an;
    for (size_t i = 1; (blocks & (1u << BLOCK_ANNOUNCEMENTS)) && i < an->n; i++) {
        int32_t signed_on = an->signed_on[i];
        if (!an->unit[i] || signed_on < F || signed_on > T)
            continue;
        size_t g = group_of(p, map, proc, ngroups, an->unit[i], 0, 0);
        if (g == SIZE_MAX)
            continue;
        struct counters *k = &acc[g];
        bool published = an->published[i] != DAY_NONE;
        k->announcements_decisions++;
        k->announcements_procedures += an->procedures[i];
        k->announcements_published += published;
        k->announcements_published_on_time +=
            published && an->published[i] <=
                             workdays_add(&e->workdays, signed_on, ANNOUNCEMENT_PUBLISH_WORKDAYS);
    }
}

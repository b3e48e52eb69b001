/* The demo province's internals, shared by the files of src/cli/demo*.c and by nothing else.
 *
 * What lives where:
 *   demo_province.c  the fixed pseudo-random sequence; the units and procedures (name tables,
 *                    weights); the weighted draws of a unit, a procedure and a day
 *   demo_dossiers.c  the dossiers: outcome quotas, dates placed to make each outcome true,
 *                    September's dossiers for the Q3 quotas, which ones are paid online
 *   demo_facts.c     the national index's facts (flags, supplement requests, decisions' lists)
 *   demo.c           demo_build: storing everything through the records layer, the other kinds
 *                    (payments, ratings, feedback, decisions), and checking the figures
 *
 * Every draw comes from one sequence, so the order in which these files draw is part of the
 * data: moving a draw, or adding one, changes every record after it. The index's facts are
 * drawn from a hash of the record's index instead (rng_hash), so they change no other record.
 */
#ifndef TTHC_CLI_DEMO_INTERNAL_H
#define TTHC_CLI_DEMO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "tthc/domain/records.h"

/* ---- the fixed pseudo-random sequence (demo_province.c) --------------------------------- */

/* Restarts the sequence at seed; demo_build does before anything is drawn. */
void rng_seed(uint64_t seed);

/* The next number of the sequence (splitmix64). */
uint64_t rng_next(void);

/* Uniform in [lo, hi]. */
int rng_range(int lo, int hi);

/* Uniform in [0, 1). */
double rng_unit(void);

/* A number that depends on x alone (splitmix64's mixing step); draws nothing. */
uint64_t rng_hash(uint64_t x);

/* ---- figures the generator meets and demo.c checks (seed-report.md) --------------------- */

/* The groups of units the Q3 figures are given for: units 0 and 1 are the province and its
 * service centre, then the departments, the districts and the communes. */
enum group { G_ROOT, G_CENTRE, G_DEPARTMENT, G_DISTRICT, G_COMMUNE, GROUPS };

/* Q3 2024: total, resolved and in progress at the service centre alone, the district level and
 * the commune level (defined in demo_dossiers.c). */
struct q3_figures {
    enum group group;
    int64_t total, resolved, in_progress;
};
#define Q3_GROUPS 3
extern const struct q3_figures q3_quota[Q3_GROUPS];

/* Dossiers received in the period by channel, indexed by enum channel (demo_dossiers.c). */
extern const int64_t channel_quota[4];

/* online_payment_procedure_share 90.41% = 66 / 73 fee-bearing procedures. */
#define FEE_PROCEDURES         73
#define FEE_PROCEDURES_OFFLINE 7

/* ---- the province (demo_province.c) ----------------------------------------------------- */

struct demo_unit {
    char code[32], parent[32], name[96];
    int level;
    double weight; /* share of the dossiers, within the whole province */
};

struct demo_procedure {
    char code[16], name[160], field[64];
    int level;     /* which level's one-stop shops settle it */
    int days;      /* legal processing time in calendar days: due = received + days */
    int64_t fee;   /* VND; 0 for free procedures */
    bool offline;  /* fee-bearing but never paid online */
    double weight; /* popularity within its level */
};

struct province {
    struct demo_unit *units;
    size_t nunits;
    struct demo_procedure *procs;
    size_t nprocs;
    /* Cumulative weights for drawing a unit, and per level a procedure. */
    double *unit_cum;
    size_t level_first[4], level_count[4];
    double *proc_cum;
};

/* Fills *pv (zeroed by the caller) with the province's units and procedures; draws nothing
 * from the sequence. Returns 0, or -1 when out of memory. Either way the caller releases *pv
 * with province_free. */
int province_build(struct province *pv);

/* Frees the arrays of *pv (not pv itself); pointers into them become invalid. */
void province_free(struct province *pv);

/* A unit's index, drawn by the units' weights. */
size_t province_draw_unit(const struct province *pv);

/* The index of a procedure of level, drawn by the procedures' popularity within it. */
size_t province_draw_procedure(const struct province *pv, int level);

/* The group unit u belongs to. */
enum group province_group_of(const struct province *pv, uint32_t u);

/* A unit of group g, drawn by the units' weights. */
uint32_t province_draw_unit_in(const struct province *pv, enum group g);

/* A local time on day, sec seconds after midnight, as RFC 3339 text (buf: 32 bytes). */
void local_time(int day, int sec, char *buf);

/* A day in [lo, hi] with the rhythm of a one-stop shop (local days since 1970-01-01). */
int draw_day(int lo, int hi);

/* ---- the dossiers (demo_dossiers.c) ----------------------------------------------------- */

struct demo_dossier {
    uint32_t unit, proc;
    int received, due, finished; /* local days; due -1: none; finished -1: open */
    uint8_t status, channel, payment;
    bool counted_received; /* received within the period (not carried over) */
};

/* The days the demo is built around, as local days. */
struct days {
    int from, to, data_from, data_to;
    int q3_from, q3_to, q2_from; /* the report's third quarter, and the second's first day */
};

/* Every dossier of the demo, sorted by day of receipt: those counted in the period with their
 * outcomes, payments chosen for the payment shares, those outside it, and September's for the
 * Q3 quotas. On 0, *out (the caller frees it with free()) holds *n; on -1, err says why. */
int dossiers_make(const struct province *pv, const struct days *dd, struct demo_dossier **out,
                  size_t *n, char *err, size_t len);

/* ---- the national index's facts (demo_facts.c) ------------------------------------------ */

/* Adds the index's facts of dossier d (ds[index] once sorted) to its record o: synced,
 * digitised, reused_data, from_citizen_store, electronic_result, vneid and supplements.
 * Returns 0, or -1 when out of memory. */
int facts_of_dossier(cJSON *o, const struct demo_dossier *d, size_t index);

/* Sets the index's flags of procedure p (pv->procs[index]) in rec. */
void facts_of_procedure(struct procedure *rec, const struct demo_procedure *p, size_t index);

/* Adds the procedure_list of decision number index, signed on signed_day, listing count
 * procedures of the province, to its record o. Returns 0, or -1 when out of memory. */
int facts_of_decision(cJSON *o, const struct province *pv, int index, int signed_day, int count);

/* Adds the index's flags of feedback item number index (disliked, repeated) to its record o. */
void facts_of_feedback(cJSON *o, int index);

#endif

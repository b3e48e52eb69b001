/* Lanes: a queue of jobs and the worker threads that run them, so that slow work (the heavy
 * reads, the loads) runs beside libmicrohttpd's threads instead of on them, and a request that
 * costs little (/healthz, /metrics, one record) is never stuck behind one that costs much.
 *
 * Waiting jobs are not taken strictly in turn: each job names its client, the lane keeps how
 * much worker time each client has used lately (each run's length, fading by a tenth a
 * second), and a free worker takes the waiting job of the client that has used least, the
 * oldest of those. A client that loops long reads thus waits behind others, and a client that
 * asks for a short one now and then does not wait behind its queue.
 *
 * A job may carry a deadline: when it passes, whether the job is still waiting or already
 * running, the job ends at once as late (a waiting job is dropped and never runs; a running
 * one runs on, but its result will not be used). Every job ends exactly once (done), and is
 * then released exactly once, when the lane no longer touches it: after its run, or at once
 * for a job that never ran. The deadlines are checked by lane_sweep, which the caller calls a
 * few times a second, and when a run ends.
 *
 * Owns the queue, the workers and the lock that guards both; it knows nothing of HTTP
 * (server.c suspends a connection before it pushes its job and resumes it in done).
 */
#ifndef TTHC_HTTP_LANES_H
#define TTHC_HTTP_LANES_H

#include <stdbool.h>
#include <stdint.h>

enum lane_end {
    LANE_RAN,     /* the run finished within its deadline: its result stands */
    LANE_LATE,    /* the deadline passed, waiting, running or when the run finished */
    LANE_STOPPED, /* the lane was stopped before the run finished */
};

struct lane_job {
    void (*run)(struct lane_job *j);                     /* on a worker thread */
    void (*done)(struct lane_job *j, enum lane_end end); /* once, on any thread */
    void (*release)(struct lane_job *j);                 /* once, after done, on any thread */
    long long deadline_ms; /* monotonic milliseconds (conns_now_ms); 0: none */
    uint64_t client;       /* who asked (a hash: jobs of one client share it); 0 for anyone */
    /* The lane's own. */
    struct lane_job *next;
    int state;
};

struct lane;

/* A lane of workers threads, each run at the given nice value (0: as the process; higher:
 * lower priority, so that libmicrohttpd's threads win the cores when both want them). NULL
 * when the threads cannot be started. The caller frees it with lane_free. */
struct lane *lane_new(unsigned workers, int nice);

/* Queues j (its run, done, release and deadline set; the lane holds it until release). Returns
 * false, calling nothing, when the lane is stopping. */
bool lane_push(struct lane *l, struct lane_job *j);

/* Ends every job whose deadline is at or before now_ms as LANE_LATE, and lets the clients'
 * worker time fade. */
void lane_sweep(struct lane *l, long long now_ms);

/* Jobs waiting and running now (for /metrics). */
void lane_counts(struct lane *l, unsigned *waiting, unsigned *running);

/* Ends every waiting and running job as LANE_STOPPED and refuses new ones. Running jobs run on
 * until lane_free. Returns once no done call of the lane is under way, on any thread (a run
 * that ended just before, a sweep): nothing resumes a connection after it. */
void lane_stop(struct lane *l);

/* Stops the lane if needed, waits for the running jobs and the workers, and frees it. NULL
 * allowed. */
void lane_free(struct lane *l);

#endif

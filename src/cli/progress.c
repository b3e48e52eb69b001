/* The progress of `tthc import`; see include/tthc/cli/progress.h. */
#include "tthc/cli/progress.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

/* Terminal redraws at most this often (seconds), so a fast import does not flood it. */
#define REDRAW_SECONDS 0.25
#define BAR_WIDTH      24

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* "812 B", "12.3 KiB", "120.5 MiB", "2.45 GiB". */
static void format_bytes(char *buf, size_t len, int64_t n)
{
    if (n < 1024)
        snprintf(buf, len, "%lld B", (long long)n);
    else if (n < (int64_t)1 << 20)
        snprintf(buf, len, "%.1f KiB", (double)n / 1024.0);
    else if (n < (int64_t)1 << 30)
        snprintf(buf, len, "%.1f MiB", (double)n / (1024.0 * 1024.0));
    else
        snprintf(buf, len, "%.2f GiB", (double)n / (1024.0 * 1024.0 * 1024.0));
}

/* "0:04", "12:30", "1:02:03". */
static void format_duration(char *buf, size_t len, double seconds)
{
    long s = (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
}

/* Appends to buf at *at (cut at len). */
#define ADD(...)                                                                                   \
    do {                                                                                           \
        int n_ = snprintf(buf + at, len - at, __VA_ARGS__);                                        \
        at = n_ < 0 ? at : at + (size_t)n_ >= len ? len - 1 : at + (size_t)n_;                     \
    } while (0)

size_t progress_format(char *buf, size_t len, const struct progress_figures *f)
{
    size_t at = 0;
    char total[32], data[32], left[32];
    size_t records = f->stored + f->rejected;
    bool known = f->total >= 0 && f->read >= 0;
    if (len == 0)
        return 0;
    buf[0] = '\0';
    ADD("tthc import: ");
    if (known) {
        format_bytes(total, sizeof(total), f->total);
        /* Whole percents, rounded down: 100% only once everything is read. */
        int pct = f->total > 0 ? (int)(f->read >= f->total ? 100 : f->read * 100 / f->total) : 100;
        ADD("%d%% of %s read", pct, total);
        if (f->loading)
            ADD(", ");
    }
    if (f->loading)
        ADD("%zu records (%zu stored, %zu rejected)", records, f->stored, f->rejected);
    if (!known) {
        format_bytes(data, sizeof(data), f->data);
        ADD("%s%s read", f->loading ? ", " : "", data);
    }
    if (f->done)
        ADD(" in %.1f s", f->elapsed);
    if (f->loading && f->elapsed > 0)
        ADD(", %.0f records/s", (double)records / f->elapsed);
    if (known && !f->done && f->read > 0 && f->read < f->total && f->elapsed > 0) {
        format_duration(left, sizeof(left),
                        f->elapsed * (double)(f->total - f->read) / (double)f->read);
        ADD(", %s left", left);
    }
    return at;
}

void progress_start(struct progress *p, FILE *out, int64_t total)
{
    memset(p, 0, sizeof(*p));
    p->out = out;
    p->tty = isatty(fileno(out)) == 1;
    p->total = total;
    p->start = now();
    p->next_records = PROGRESS_EVERY_RECORDS;
    p->next_bytes = PROGRESS_EVERY_BYTES;
}

/* Writes one report: on a terminal over the line drawn before, with a bar when the share is
 * known; otherwise as a line of its own. */
static void draw(struct progress *p, const struct progress_figures *f)
{
    char text[512];
    progress_format(text, sizeof(text), f);
    if (!p->tty) {
        fprintf(p->out, "%s\n", text);
        fflush(p->out);
        return;
    }
    char bar[BAR_WIDTH + 3] = "";
    if (f->total > 0 && f->read >= 0) {
        int filled = (int)((f->read >= f->total ? f->total : f->read) * BAR_WIDTH / f->total);
        bar[0] = '[';
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[1 + i] = i < filled ? '#' : '.';
        bar[BAR_WIDTH + 1] = ']';
        bar[BAR_WIDTH + 2] = '\0';
    }
    /* \r and "erase to the end of the line": the new text over the old. */
    fprintf(p->out, "\r\033[K%s%s%s%s", bar, bar[0] ? " " : "", text, f->done ? "\n" : "");
    fflush(p->out);
    p->line_open = !f->done;
}

static struct progress_figures figures(const struct progress *p, int64_t read, int64_t data,
                                       size_t stored, size_t rejected, bool loading, bool done)
{
    return (struct progress_figures){.read = read,
                                     .total = p->total,
                                     .data = data,
                                     .stored = stored,
                                     .rejected = rejected,
                                     .elapsed = now() - p->start,
                                     .loading = loading,
                                     .done = done};
}

void progress_update(struct progress *p, int64_t read, int64_t data, size_t stored, size_t rejected,
                     bool loading)
{
    struct progress_figures f = figures(p, read, data, stored, rejected, loading, false);
    if (p->tty) {
        if (f.elapsed - p->last_draw >= REDRAW_SECONDS) {
            p->last_draw = f.elapsed;
            draw(p, &f);
        }
        return;
    }
    if (loading && stored + rejected >= p->next_records) {
        while (p->next_records <= stored + rejected)
            p->next_records += PROGRESS_EVERY_RECORDS;
        draw(p, &f);
    } else if (!loading && data >= p->next_bytes) {
        while (p->next_bytes <= data)
            p->next_bytes += PROGRESS_EVERY_BYTES;
        draw(p, &f);
    }
}

void progress_finish(struct progress *p, int64_t read, int64_t data, size_t stored, size_t rejected)
{
    struct progress_figures f = figures(p, read, data, stored, rejected, true, true);
    draw(p, &f);
}

void progress_break(struct progress *p)
{
    if (p->line_open) {
        fputs("\n", p->out);
        p->line_open = false;
    }
}

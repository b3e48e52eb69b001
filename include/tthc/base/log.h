/* Logging to stderr: one line per event, with a level. Never for responses to clients. */
#ifndef TTHC_LOG_H
#define TTHC_LOG_H

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Silences info lines (tests); errors are always written. */
void log_set_quiet(int quiet);

#endif

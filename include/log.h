/*
 * Logging to stderr (nginx, systemd or the terminal collect it). Lines carry
 * the process id and, inside a request, the request id, so one request's
 * lines can be found among all workers'. Never log secrets.
 */
#ifndef GAZETTE_LOG_H
#define GAZETTE_LOG_H

/* Sets the request id printed on every line (0: none). */
void log_set_request(unsigned long id);
/* quiet != 0 drops log_info lines (log_level = error in the settings). */
void log_set_quiet(int quiet);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

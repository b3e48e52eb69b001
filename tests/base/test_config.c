/* Settings (config.c): defaults, one setting by name, the config file, and TTHC_* environment
 * variables, with the precedence of api.md ("The program"): file < environment. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/base/config.h"

static struct config cfg;
static char err[512];

/* Writes text to a new file in tmp_dir() and returns its path (static storage). */
static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmp_dir(), name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

/* Every setting's variable, cleared so the tests see only what they set. */
static void clear_env(void)
{
    static const char *const names[] = {"TTHC_DB",
                                        "TTHC_LISTEN",
                                        "TTHC_MAX_BODY_BYTES",
                                        "TTHC_MAX_BATCH_RECORDS",
                                        "TTHC_CONNECTION_TIMEOUT",
                                        "TTHC_THREADS",
                                        "TTHC_MAX_CONNECTIONS"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        unsetenv(names[i]);
}

static void setup(void)
{
    clear_env();
    config_defaults(&cfg);
    err[0] = '\0';
}

#define ASSERT_ERR_HAS(text)                                                                       \
    ck_assert_msg(strstr(err, (text)) != NULL, "err '%s' lacks '%s'", err, (text))

/* ---- defaults --------------------------------------------------------------------------- */

START_TEST(defaults)
{
    struct config c;
    memset(&c, 0xff, sizeof(c));
    config_defaults(&c);
    ck_assert_str_eq(c.db, "tthc.db");
    ck_assert_str_eq(c.listen, "127.0.0.1:8080");
    ck_assert_uint_eq(c.max_body_bytes, 67108864);
    ck_assert_uint_eq(c.max_batch_records, 100000);
    ck_assert_uint_eq(c.max_load_bytes_read, 268435456);
    ck_assert_uint_eq(c.max_load_seconds, 30);
    ck_assert_uint_eq(c.max_unit_depth, 16);
    ck_assert_uint_eq(c.connection_timeout, 30);
    ck_assert_uint_eq(c.threads, 2);
    ck_assert_uint_eq(c.max_connections, 1024);
}
END_TEST

/* ---- config_set ------------------------------------------------------------------------- */

START_TEST(set_values)
{
    ck_assert_int_eq(config_set(&cfg, "threads", "8", err, sizeof(err)), 0);
    ck_assert_uint_eq(cfg.threads, 8);
    ck_assert_int_eq(config_set(&cfg, "max_body_bytes", "1048576", err, sizeof(err)), 0);
    ck_assert_uint_eq(cfg.max_body_bytes, 1048576);
    ck_assert_int_eq(config_set(&cfg, "listen", "0.0.0.0:9000", err, sizeof(err)), 0);
    ck_assert_str_eq(cfg.listen, "0.0.0.0:9000");
    ck_assert_int_eq(config_set(&cfg, "db", "/var/lib/tthc/x.db", err, sizeof(err)), 0);
    ck_assert_str_eq(cfg.db, "/var/lib/tthc/x.db");
    /* The other settings keep their defaults. */
    ck_assert_uint_eq(cfg.connection_timeout, 30);
    ck_assert_uint_eq(cfg.max_batch_records, 100000);
}
END_TEST

START_TEST(set_bounds_inclusive)
{
    ck_assert_int_eq(config_set(&cfg, "threads", "1", err, sizeof(err)), 0);
    ck_assert_uint_eq(cfg.threads, 1);
    ck_assert_int_eq(config_set(&cfg, "threads", "64", err, sizeof(err)), 0);
    ck_assert_uint_eq(cfg.threads, 64);
    ck_assert_int_eq(config_set(&cfg, "max_body_bytes", "1024", err, sizeof(err)), 0);
    ck_assert_uint_eq(cfg.max_body_bytes, 1024);
    ck_assert_int_eq(config_set(&cfg, "connection_timeout", "3600", err, sizeof(err)), 0);
    ck_assert_uint_eq(cfg.connection_timeout, 3600);
}
END_TEST

START_TEST(set_unknown_key)
{
    ck_assert_int_eq(config_set(&cfg, "thread", "2", err, sizeof(err)), -1);
    ASSERT_ERR_HAS("unknown setting 'thread'");
    /* Keys are spelled with underscores, in lower case. */
    ck_assert_int_eq(config_set(&cfg, "max-body-bytes", "2048", err, sizeof(err)), -1);
    ASSERT_ERR_HAS("max-body-bytes");
    ck_assert_int_eq(config_set(&cfg, "THREADS", "2", err, sizeof(err)), -1);
    ck_assert_uint_eq(cfg.threads, 2);
    ck_assert_uint_eq(cfg.max_body_bytes, 67108864);
}
END_TEST

START_TEST(set_not_a_number)
{
    const char *bad[] = {"abc", "", "4x", "x4", " 4", "-1", "+4", "4.0", "0x10"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        ck_assert_msg(config_set(&cfg, "threads", bad[i], err, sizeof(err)) == -1,
                      "threads = '%s' accepted", bad[i]);
        ASSERT_ERR_HAS("threads");
        ASSERT_ERR_HAS("1 to 64");
    }
    ck_assert_uint_eq(cfg.threads, 2);
}
END_TEST

START_TEST(set_out_of_range)
{
    ck_assert_int_eq(config_set(&cfg, "threads", "0", err, sizeof(err)), -1);
    ASSERT_ERR_HAS("threads must be a whole number from 1 to 64");
    ck_assert_int_eq(config_set(&cfg, "threads", "65", err, sizeof(err)), -1);
    ck_assert_int_eq(config_set(&cfg, "max_body_bytes", "1023", err, sizeof(err)), -1);
    ASSERT_ERR_HAS("max_body_bytes");
    ck_assert_int_eq(config_set(&cfg, "max_body_bytes", "2147483649", err, sizeof(err)), -1);
    ck_assert_int_eq(config_set(&cfg, "max_batch_records", "0", err, sizeof(err)), -1);
    ck_assert_int_eq(config_set(&cfg, "connection_timeout", "3601", err, sizeof(err)), -1);
    ck_assert_int_eq(config_set(&cfg, "max_unit_depth", "0", err, sizeof(err)), -1);
    ASSERT_ERR_HAS("max_unit_depth must be a whole number from 1 to 1000");
    ck_assert_int_eq(config_set(&cfg, "max_load_seconds", "0", err, sizeof(err)), -1);
    ASSERT_ERR_HAS("max_load_seconds must be a whole number from 1 to 3600");
    ck_assert_int_eq(config_set(&cfg, "max_load_bytes_read", "1023", err, sizeof(err)), -1);
    /* Past unsigned long long: strtoull reports ERANGE. */
    ck_assert_int_eq(config_set(&cfg, "threads", "99999999999999999999999", err, sizeof(err)), -1);
    /* 2^32 + 4 is refused, not stored as 4 in a 32-bit unsigned. */
    ck_assert_int_eq(config_set(&cfg, "threads", "4294967300", err, sizeof(err)), -1);
    ck_assert_uint_eq(cfg.threads, 2);
    ck_assert_uint_eq(cfg.max_body_bytes, 67108864);
    ck_assert_uint_eq(cfg.max_batch_records, 100000);
    ck_assert_uint_eq(cfg.connection_timeout, 30);
}
END_TEST

START_TEST(set_text_length)
{
    ck_assert_int_eq(config_set(&cfg, "db", "", err, sizeof(err)), -1);
    ASSERT_ERR_HAS("db");
    char longest[128], too_long[129];
    memset(longest, 'h', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    memset(too_long, 'h', sizeof(too_long) - 1);
    too_long[sizeof(too_long) - 1] = '\0';
    ck_assert_int_eq(config_set(&cfg, "listen", too_long, err, sizeof(err)), -1);
    ASSERT_ERR_HAS("listen must be 1 to 127 characters");
    ck_assert_str_eq(cfg.listen, "127.0.0.1:8080");
    ck_assert_int_eq(config_set(&cfg, "listen", longest, err, sizeof(err)), 0);
    ck_assert_uint_eq(strlen(cfg.listen), 127);
}
END_TEST

/* ---- the config file -------------------------------------------------------------------- */

START_TEST(file_with_comments_and_blanks)
{
    const char *path = write_file("good.conf", "# tthc settings\n"
                                               "\n"
                                               "db = /srv/tthc/data.db\n"
                                               "   \n"
                                               "  listen=0.0.0.0:8081   # all interfaces\n"
                                               "\tthreads\t=\t4\n"
                                               "max_batch_records = 5000\n"
                                               "# connection_timeout = 99\n");
    ck_assert_msg(config_load_file(&cfg, path, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(cfg.db, "/srv/tthc/data.db");
    ck_assert_str_eq(cfg.listen, "0.0.0.0:8081");
    ck_assert_uint_eq(cfg.threads, 4);
    ck_assert_uint_eq(cfg.max_batch_records, 5000);
    /* Commented out: the default stays. */
    ck_assert_uint_eq(cfg.connection_timeout, 30);
    ck_assert_uint_eq(cfg.max_body_bytes, 67108864);
}
END_TEST

START_TEST(file_without_final_newline)
{
    const char *path = write_file("nonl.conf", "threads = 3");
    ck_assert_msg(config_load_file(&cfg, path, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(cfg.threads, 3);
}
END_TEST

START_TEST(file_bad_value_names_line)
{
    char expect[300];
    const char *path = write_file("badvalue.conf", "# comment\n"
                                                   "threads = 4\n"
                                                   "\n"
                                                   "threads = 0\n");
    ck_assert_int_eq(config_load_file(&cfg, path, 1, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s:4: threads must be a whole number from 1 to 64", path);
    ck_assert_str_eq(err, expect);
}
END_TEST

START_TEST(file_line_without_equals)
{
    char expect[300];
    const char *path = write_file("noeq.conf", "listen = 127.0.0.1:9\n"
                                               "threads 4\n");
    ck_assert_int_eq(config_load_file(&cfg, path, 1, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s:2:", path);
    ck_assert_msg(strncmp(err, expect, strlen(expect)) == 0, "err '%s' does not start '%s'", err,
                  expect);
    ASSERT_ERR_HAS("key = value");
}
END_TEST

START_TEST(file_unknown_key_names_line)
{
    char expect[300];
    const char *path = write_file("unknown.conf", "\n\n\nport = 8080\n");
    ck_assert_int_eq(config_load_file(&cfg, path, 0, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s:4: unknown setting 'port'", path);
    ck_assert_str_eq(err, expect);
}
END_TEST

START_TEST(file_missing)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmp_dir());
    ck_assert_int_eq(config_load_file(&cfg, path, 0, err, sizeof(err)), 0);
    ck_assert_str_eq(cfg.listen, "127.0.0.1:8080");
    ck_assert_int_eq(config_load_file(&cfg, path, 1, err, sizeof(err)), -1);
    ASSERT_ERR_HAS(path);
}
END_TEST

/* ---- the environment -------------------------------------------------------------------- */

START_TEST(env_overrides_file)
{
    const char *path = write_file("env.conf", "listen = 10.0.0.1:8000\n"
                                              "threads = 4\n");
    ck_assert_int_eq(config_load_file(&cfg, path, 1, err, sizeof(err)), 0);
    ck_assert_str_eq(cfg.listen, "10.0.0.1:8000");
    ck_assert_int_eq(setenv("TTHC_LISTEN", "127.0.0.1:9999", 1), 0);
    ck_assert_msg(config_load_env(&cfg, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(cfg.listen, "127.0.0.1:9999");
    /* Not in the environment: the file's value stays. */
    ck_assert_uint_eq(cfg.threads, 4);
}
END_TEST

START_TEST(env_numbers)
{
    ck_assert_int_eq(setenv("TTHC_MAX_BODY_BYTES", "2048", 1), 0);
    ck_assert_int_eq(setenv("TTHC_CONNECTION_TIMEOUT", "5", 1), 0);
    ck_assert_int_eq(setenv("TTHC_DB", "/tmp/env.db", 1), 0);
    ck_assert_msg(config_load_env(&cfg, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(cfg.max_body_bytes, 2048);
    ck_assert_uint_eq(cfg.connection_timeout, 5);
    ck_assert_str_eq(cfg.db, "/tmp/env.db");
    ck_assert_uint_eq(cfg.threads, 2);
}
END_TEST

START_TEST(env_none_set)
{
    ck_assert_int_eq(config_load_env(&cfg, err, sizeof(err)), 0);
    ck_assert_str_eq(cfg.db, "tthc.db");
    ck_assert_str_eq(cfg.listen, "127.0.0.1:8080");
    ck_assert_uint_eq(cfg.threads, 2);
}
END_TEST

START_TEST(env_bad_value_names_variable)
{
    ck_assert_int_eq(setenv("TTHC_THREADS", "abc", 1), 0);
    ck_assert_int_eq(config_load_env(&cfg, err, sizeof(err)), -1);
    ASSERT_ERR_HAS("TTHC_THREADS");
    ASSERT_ERR_HAS("from 1 to 64");
    ck_assert_uint_eq(cfg.threads, 2);
}
END_TEST

START_TEST(env_empty_value_is_an_error)
{
    ck_assert_int_eq(setenv("TTHC_LISTEN", "", 1), 0);
    ck_assert_int_eq(config_load_env(&cfg, err, sizeof(err)), -1);
    ASSERT_ERR_HAS("TTHC_LISTEN");
    ck_assert_str_eq(cfg.listen, "127.0.0.1:8080");
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");

    TCase *tc = tcase_create("set");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, set_values);
    tcase_add_test(tc, set_bounds_inclusive);
    tcase_add_test(tc, set_unknown_key);
    tcase_add_test(tc, set_not_a_number);
    tcase_add_test(tc, set_out_of_range);
    tcase_add_test(tc, set_text_length);
    suite_add_tcase(s, tc);

    tc = tcase_create("file");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, file_with_comments_and_blanks);
    tcase_add_test(tc, file_without_final_newline);
    tcase_add_test(tc, file_bad_value_names_line);
    tcase_add_test(tc, file_line_without_equals);
    tcase_add_test(tc, file_unknown_key_names_line);
    tcase_add_test(tc, file_missing);
    suite_add_tcase(s, tc);

    tc = tcase_create("env");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, env_overrides_file);
    tcase_add_test(tc, env_numbers);
    tcase_add_test(tc, env_none_set);
    tcase_add_test(tc, env_bad_value_names_variable);
    tcase_add_test(tc, env_empty_value_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(config_suite());
}

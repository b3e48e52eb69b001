/* Settings (config.c): defaults, one setting by name, the config file (comments, quotes,
 * relative paths), TTHC_* environment variables with the precedence of api.md ("Settings and
 * limits"): file < environment; and which command reads which setting. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../helpers.h"
#include "tthc/base/config.h"

static struct config cfg;
static char err[4608];

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

/* libinih's rules as tthc uses them: ; comments too, no sections, no continuation lines. */
START_TEST(file_ini_rules)
{
    char expect[300];
    const char *path = write_file("semi.conf", "; a comment\n"
                                               "threads = 3 ; cores\n"
                                               "db = /tmp/a;b.db\n"
                                               "listen = 127.0.0.1:9\n"
                                               "    header_timeout = 7\n");
    ck_assert_msg(config_load_file(&cfg, path, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(cfg.threads, 3);
    ck_assert_str_eq(cfg.db, "/tmp/a;b.db");
    ck_assert_str_eq(cfg.listen, "127.0.0.1:9");
    ck_assert_uint_eq(cfg.header_timeout, 7); /* indented: a setting, not a continuation */
    path = write_file("section.conf", "threads = 2\n[server]\nlisten = 127.0.0.1:1\n");
    ck_assert_int_eq(config_load_file(&cfg, path, 1, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s:3: tthc's settings are in no section ([server])", path);
    ck_assert_str_eq(err, expect);
    path = write_file("firsterr.conf", "port = 1\nthreads = x\n");
    ck_assert_int_eq(config_load_file(&cfg, path, 1, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s:1: unknown setting 'port'", path);
    ck_assert_str_eq(err, expect); /* the first error, not the last */
    path = write_file("syntaxfirst.conf", "threads = 2\nthreads 4\nport = 1\n");
    ck_assert_int_eq(config_load_file(&cfg, path, 1, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s:2: expected `key = value`", path);
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

/* A # is a comment only at the start of a line or after a space or tab: inside a value it is
 * text (db = /tmp/a#b.db once became /tmp/a). An = inside a value is text too. */
START_TEST(file_hash_inside_a_value)
{
    const char *path = write_file("hash.conf", "db = /tmp/a#b.db\n"
                                               "cache_control = max-age=60 # one minute\n"
                                               "threads = 4\t# after a tab\n"
                                               "  # indented comment\n"
                                               "cors_origins = https://a.vn,https://b.vn#x\n");
    ck_assert_msg(config_load_file(&cfg, path, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(cfg.db, "/tmp/a#b.db");
    ck_assert_str_eq(cfg.cache_control, "max-age=60");
    ck_assert_uint_eq(cfg.threads, 4);
    ck_assert_str_eq(cfg.cors_origins, "https://a.vn,https://b.vn#x");
}
END_TEST

/* Double or single quotes around a value are removed; inside them a # is text and spaces are
 * kept; "" is the empty value. */
START_TEST(file_quoted_values)
{
    const char *path = write_file("quotes.conf", "db = \"/tmp/x y.db\"\n"
                                                 "listen='127.0.0.1:9000'   # loopback\n"
                                                 "cache_control = \"no-cache # not a comment\"#\n"
                                                 "cors_origins = \"\"\n");
    ck_assert_msg(config_load_file(&cfg, path, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(cfg.db, "/tmp/x y.db");
    ck_assert_str_eq(cfg.listen, "127.0.0.1:9000");
    ck_assert_str_eq(cfg.cache_control, "no-cache # not a comment");
    ck_assert_str_eq(cfg.cors_origins, "");
    path = write_file("quotes2.conf", "db = '/tmp/say \"hi\".db'\n");
    ck_assert_msg(config_load_file(&cfg, path, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(cfg.db, "/tmp/say \"hi\".db");
}
END_TEST

START_TEST(file_quote_errors_name_the_line)
{
    char expect[300];
    const char *path = write_file("open.conf", "threads = 2\n"
                                               "db = \"/tmp/x.db\n");
    ck_assert_int_eq(config_load_file(&cfg, path, 1, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s:2: the value's opening \" is never closed", path);
    ck_assert_str_eq(err, expect);
    path = write_file("open1.conf", "db = '/tmp/x.db\n");
    ck_assert_int_eq(config_load_file(&cfg, path, 1, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s:1: the value's opening ' is never closed", path);
    ck_assert_str_eq(err, expect);
    path = write_file("after.conf", "\ndb = \"/tmp/x.db\" extra\n");
    ck_assert_int_eq(config_load_file(&cfg, path, 1, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s:2: only a comment may follow a quoted value", path);
    ck_assert_str_eq(err, expect);
    /* Quotes only count around the whole value: one inside a bare value is text. */
    path = write_file("inner.conf", "cache_control = private, \"x\"\n");
    ck_assert_msg(config_load_file(&cfg, path, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(cfg.cache_control, "private, \"x\"");
}
END_TEST

/* db relative in a config file is taken from the file's folder, not the working directory;
 * absolute stays; a file named without a folder leaves it relative to the working directory
 * (which is the file's folder). A flag or variable is not a file: config_set keeps it as is. */
START_TEST(file_relative_db_from_its_folder)
{
    char expect[512];
    const char *path = write_file("rel.conf", "db = data/x.db\n");
    ck_assert_msg(config_load_file(&cfg, path, 1, err, sizeof(err)) == 0, "%s", err);
    snprintf(expect, sizeof(expect), "%s/data/x.db", tmp_dir());
    ck_assert_str_eq(cfg.db, expect);
    path = write_file("relq.conf", "db = \"../up.db\"\n");
    ck_assert_msg(config_load_file(&cfg, path, 1, err, sizeof(err)) == 0, "%s", err);
    snprintf(expect, sizeof(expect), "%s/../up.db", tmp_dir());
    ck_assert_str_eq(cfg.db, expect);
    path = write_file("abs.conf", "db = /srv/t.db\n");
    ck_assert_msg(config_load_file(&cfg, path, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(cfg.db, "/srv/t.db");
    ck_assert_int_eq(chdir(tmp_dir()), 0);
    ck_assert_msg(config_load_file(&cfg, "rel.conf", 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(cfg.db, "data/x.db");
    ck_assert_int_eq(config_set(&cfg, "db", "var/y.db", err, sizeof(err)), 0);
    ck_assert_str_eq(cfg.db, "var/y.db");
}
END_TEST

/* A config file in a folder so deep that its db, joined to it, is past the setting's 1023
 * characters: refused on its line, never cut into the name of another file. */
START_TEST(file_relative_db_too_deep)
{
    char dir[1400], path[1500], expect[1700], name[201];
    memset(name, 'd', 200);
    name[200] = '\0';
    int n = snprintf(dir, sizeof(dir), "%s", tmp_dir());
    for (int i = 0; i < 5; i++) {
        n += snprintf(dir + n, sizeof(dir) - (size_t)n, "/%s", name);
        ck_assert(mkdir(dir, 0700) == 0 || errno == EEXIST);
    }
    snprintf(path, sizeof(path), "%s/deep.conf", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("threads = 2\ndb = ../var/tthc.db\n", f);
    fclose(f);
    ck_assert_int_eq(config_load_file(&cfg, path, 1, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect),
             "%s:2: db, taken from the config file's folder, is longer than 1023 characters", path);
    ck_assert_str_eq(err, expect);
}
END_TEST

START_TEST(file_long_line_and_bom)
{
    char expect[300];
    static char text[6000];
    /* libinih's lines hold 198 characters: one of 198 is read, one of 199 named (on its line,
     * the lines after it still counted right), never cut short into another value. */
    memset(text, 'x', 198);
    memcpy(text, "db = /", 6);
    strcpy(text + 198, "\n");
    const char *path = write_file("fits.conf", text);
    ck_assert_msg(config_load_file(&cfg, path, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(strlen(cfg.db), 198 - 5);
    memset(text, 'x', 5000);
    memcpy(text, "threads = 2\ndb = /", 18);
    strcpy(text + 5000, "\nport = 1\n");
    path = write_file("long.conf", text);
    ck_assert_int_eq(config_load_file(&cfg, path, 1, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s:2: the line is longer than 198 characters", path);
    ck_assert_str_eq(err, expect);
    path = write_file("bom.conf", "\xEF\xBB\xBFthreads = 5\n");
    ck_assert_msg(config_load_file(&cfg, path, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(cfg.threads, 5);
}
END_TEST

/* ---- which command reads what ----------------------------------------------------------- */

START_TEST(used_by)
{
    ck_assert(config_used_by("db", CONFIG_IMPORT));
    ck_assert(config_used_by("db", CONFIG_SERVE));
    ck_assert(config_used_by("db", CONFIG_KEY));
    ck_assert(config_used_by("threads", CONFIG_SERVE));
    ck_assert(!config_used_by("threads", CONFIG_IMPORT));
    ck_assert(!config_used_by("max_batch_records", CONFIG_IMPORT)); /* import has no cap */
    ck_assert(config_used_by("max_unit_depth", CONFIG_IMPORT));
    ck_assert(!config_used_by("port", CONFIG_EVERY_COMMAND));
}
END_TEST

/* config_print_help(command) into a string (the caller frees it). */
static char *help_of(unsigned command)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/help.txt", tmp_dir());
    fflush(stdout);
    ck_assert_ptr_nonnull(freopen(path, "w", stdout));
    config_print_help(command);
    fflush(stdout);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *text = calloc(1, 8192);
    ck_assert_uint_lt(fread(text, 1, 8191, f), 8191);
    fclose(f);
    return text;
}

/* Each command's help lists only the settings it reads: db for most, the unit tree's depth too
 * for import, every setting for serve. */
START_TEST(help_lists_a_commands_settings)
{
    char *text = help_of(CONFIG_KEY);
    ck_assert_str_eq(
        text, "Settings (config file key, TTHC_KEY environment variable, or --key flag "
              "with - for _):\n"
              "  db                     path of the SQLite database file (default tthc.db)\n");
    free(text);
    text = help_of(CONFIG_IMPORT); /* the import bounds the unit tree as a load does */
    ck_assert_ptr_nonnull(strstr(text, "\n  db "));
    ck_assert_ptr_nonnull(strstr(text, "\n  max_unit_depth "));
    ck_assert_ptr_null(strstr(text, "\n  threads "));
    free(text);
    text = help_of(CONFIG_SERVE);
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq(lines, 32); /* the heading and every setting */
    ck_assert_ptr_nonnull(strstr(text, "\n  threads "));
    ck_assert_ptr_nonnull(strstr(text, "\n  db "));
    free(text);
}
END_TEST

/* The system file is the answer when it exists, and none otherwise. */
START_TEST(find_default)
{
    char buf[4096];
    const char *found = config_find_default(buf, sizeof(buf));
    if (access(CONFIG_SYSTEM_FILE, F_OK) == 0)
        ck_assert_str_eq(found, CONFIG_SYSTEM_FILE);
    else
        ck_assert_ptr_null(found);
    ck_assert_ptr_null(config_find_default(buf, 3)); /* no room: nothing */
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
    tcase_add_test(tc, file_ini_rules);
    tcase_add_test(tc, file_line_without_equals);
    tcase_add_test(tc, file_unknown_key_names_line);
    tcase_add_test(tc, file_missing);
    tcase_add_test(tc, file_hash_inside_a_value);
    tcase_add_test(tc, file_quoted_values);
    tcase_add_test(tc, file_quote_errors_name_the_line);
    tcase_add_test(tc, file_relative_db_from_its_folder);
    tcase_add_test(tc, file_relative_db_too_deep);
    tcase_add_test(tc, file_long_line_and_bom);
    suite_add_tcase(s, tc);

    tc = tcase_create("commands");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, used_by);
    tcase_add_test(tc, help_lists_a_commands_settings);
    tcase_add_test(tc, find_default);
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

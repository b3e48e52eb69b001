/* Migrations: applied in order and recorded; a database from a newer tthc is refused and left
 * untouched; a file that is not a database is refused. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../helpers.h"

static int count(struct db_conn *c, const char *sql)
{
    sqlite3_stmt *st = db_stmt(c, sql);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return v;
}

START_TEST(migrations_recorded_once)
{
    struct db_conn *c;
    tmp_db(&c);
    ck_assert_int_eq(count(c, "SELECT count(*) FROM schema_migrations"), migrations_count);
    ck_assert_int_eq(count(c, "SELECT max(version) FROM schema_migrations"), migrations_count);
    int applied = -1;
    char err[256];
    ck_assert_int_eq(db_migrate(c, &applied, err, sizeof(err)), 0);
    ck_assert_int_eq(applied, 0);
    ck_assert_int_eq(count(c, "SELECT value FROM meta WHERE key = 'generation'"), 0);
    db_conn_close(c);
}
END_TEST

START_TEST(newer_database_refused_untouched)
{
    struct db_conn *c;
    const char *path = tmp_db(&c);
    char file[256];
    snprintf(file, sizeof(file), "%s", path);
    ck_assert_int_eq(db_exec(c, "INSERT INTO schema_migrations(version, name) "
                                "VALUES(999, '0999_future.sql')"),
                     0);
    db_conn_close(c);
    char err[512];
    ck_assert_int_eq(db_conn_open(file, &c, err, sizeof(err)), 0);
    int applied = -1;
    ck_assert_int_eq(db_migrate(c, &applied, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "newer"));
    ck_assert_ptr_nonnull(strstr(err, "999"));
    ck_assert_int_eq(count(c, "SELECT count(*) FROM schema_migrations"), migrations_count + 1);
    ck_assert_int_eq(count(c, "SELECT max(version) FROM schema_migrations"), 999);
    db_conn_close(c);
}
END_TEST

START_TEST(not_a_database)
{
    char file[256];
    snprintf(file, sizeof(file), "%s/garbage.db", tmp_dir());
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not an SQLite database at all\n", f);
    fclose(f);
    struct db_conn *c = NULL;
    char err[512];
    int rc = db_conn_open(file, &c, err, sizeof(err));
    if (rc == 0) {
        ck_assert_int_eq(db_migrate(c, NULL, err, sizeof(err)), -1);
        db_conn_close(c);
    }
    struct stat st;
    ck_assert_int_eq(stat(file, &st), 0);
    ck_assert_int_eq(st.st_size, 200 * 38);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("db");
    tcase_add_test(tc, migrations_recorded_once);
    tcase_add_test(tc, newer_database_refused_untouched);
    tcase_add_test(tc, not_a_database);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/*
 * test_cmd_user.c -- `casebank user` and `casebank audit` as an administrator runs them: adding accounts
 * with the password on stdin or typed twice at a terminal prompt (echo off), refusals (common passwords, the
 * last enabled admin), list, disable and enable, password change; verifying the audit trail (intact, then
 * damaged behind casebank's back) and listing it.  On both backends (cbt_db); the database is read with its own
 * shell, sqlite3 or psql.
 */
#include "cb_test.h"

#define PW "correct horse battery"

static void init_db(const char *db)
{
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
}

/* What the database's shell prints for a query: one line a row, columns separated by '|'. */
static char *sql(const char *db, const char *query)
{
	char *out = NULL;
	if (cbt_is_uri(db))
		assert_int_equal(cbt_run(&out, NULL, "psql -X -A -t -q -d '%s' -c \"%s\"", db, query), 0);
	else
		assert_int_equal(cbt_run(&out, NULL, "sqlite3 %s \"%s\"", db, query), 0);
	return out;
}

static void test_add_from_stdin(void **state)
{
	(void)state;
	const char *db = cbt_db("add.db");
	char *out = NULL, *err = NULL;
	init_db(db);
	assert_int_equal(cbt_run(&out, NULL, "printf '%s\\n' | %s user add %s amira --role caseworker --site MD-CHISINAU",
				 PW, cbt_bin(), db),
			 0);
	assert_string_equal(out, "added amira (caseworker)\n");
	free(out);
	out = sql(db, "select role, site, case when pwhash like '\\$argon2id\\$v=19\\$m=65536,t=2,p=1\\$%' then 1 else 0 end"
		      " from users where name = 'amira'");
	assert_string_equal(out, "caseworker|MD-CHISINAU|1\n");
	free(out);
	assert_int_equal(cbt_db_holds(db, PW), 0);

	/* a CRLF line end is not part of the password; an analyst needs no office */
	assert_int_equal(cbt_run(NULL, NULL, "printf '%s\\r\\n' | %s user add %s olga --role manager", PW, cbt_bin(), db),
			 0);
	/* refusals: exit 2 for what the operator typed, 1 for what the database says; nothing added */
	assert_int_equal(cbt_run(NULL, &err, "printf '%s\\n' | %s user add %s boris --role caseworker", PW, cbt_bin(), db),
			 2);
	assert_non_null(strstr(err, "Office is required for a caseworker"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "printf '%s\\n' | %s user add %s boris --role root", PW, cbt_bin(), db), 2);
	assert_non_null(strstr(err, "--role"));
	free(err);
	assert_int_equal(cbt_run(NULL, NULL, "printf '%s\\n' | %s user add %s boris", PW, cbt_bin(), db), 2);
	assert_int_equal(cbt_run(NULL, &err, "printf 'short\\n' | %s user add %s boris --role analyst", cbt_bin(), db), 2);
	assert_non_null(strstr(err, "password"));
	assert_null(strstr(err, "short")); /* a password is never echoed */
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s user add %s boris --role analyst < /dev/null", cbt_bin(), db), 2);
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "printf '%s\\n' | %s user add %s Amira --role analyst", PW, cbt_bin(), db), 1);
	assert_non_null(strstr(err, "already exists"));
	free(err);
	assert_int_equal(cbt_run(NULL, NULL, "printf '%s\\n' | %s user add %s olga --role manager --site KYIV-1", PW,
				 cbt_bin(), db),
			 2);
	assert_int_equal(cbt_run(NULL, NULL, "%s user frobnicate %s", cbt_bin(), db), 2);
	out = sql(db, "select count(*) from users");
	assert_string_equal(out, "2\n");
	free(out);
	/* recorded in the audit trail, by the local operator */
	out = sql(db, "select count(*) from audit where action = 'user.add' and \\\"user\\\" like 'cli:%'"
		      " and from_addr = 'cli'");
	assert_string_equal(out, "2\n");
	free(out);
}

/* At a terminal: prompted twice, nothing echoed.  `script` gives the command a pseudo-terminal. */
static void test_add_at_terminal(void **state)
{
	(void)state;
	const char *db = cbt_db("tty.db");
	char *out = NULL;
	init_db(db);
	if (cbt_run(NULL, NULL, "command -v script") != 0) {
		skip();
		return;
	}
	assert_int_equal(cbt_run(&out, NULL,
				 "(sleep 1; printf 'typed at a prompt\\n'; sleep 0.5; printf 'typed at a prompt\\n') |"
				 " script -qec '%s user add %s amira --role analyst' /dev/null",
				 cbt_bin(), db),
			 0);
	assert_non_null(strstr(out, "new password for amira:"));
	assert_non_null(strstr(out, "again:"));
	assert_non_null(strstr(out, "added amira (analyst)"));
	assert_null(strstr(out, "typed at a prompt")); /* echo was off */
	free(out);
	/* the two entries differ: refused */
	assert_int_equal(cbt_run(&out, NULL,
				 "(sleep 1; printf 'typed at a prompt\\n'; sleep 0.5; printf 'typed otherwise\\n') |"
				 " script -qec '%s user add %s boris --role analyst' /dev/null",
				 cbt_bin(), db),
			 2);
	assert_non_null(strstr(out, "differ"));
	free(out);
	out = sql(db, "select name from users");
	assert_string_equal(out, "amira\n");
	free(out);
}

static void test_list_disable_passwd(void **state)
{
	(void)state;
	const char *db = cbt_db("manage.db");
	char *out = NULL;
	init_db(db);
	assert_int_equal(cbt_run(NULL, NULL, "printf '%s\\n' | %s user add %s zoe --role analyst", PW, cbt_bin(), db), 0);
	assert_int_equal(cbt_run(NULL, NULL, "printf '%s\\n' | %s user add %s amira --role caseworker --site KYIV-1", PW,
				 cbt_bin(), db),
			 0);
	assert_int_equal(cbt_run(NULL, NULL, "%s user disable %s zoe", cbt_bin(), db), 0);
	assert_int_equal(cbt_run(&out, NULL, "%s user list %s", cbt_bin(), db), 0);
	assert_string_equal(out, "amira\tcaseworker\tKYIV-1\tenabled\nzoe\tanalyst\t-\tdisabled\n");
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s user enable %s zoe", cbt_bin(), db), 0);
	assert_int_equal(cbt_run(NULL, NULL, "%s user disable %s nobody", cbt_bin(), db), 5);
	char *before = sql(db, "select pwhash from users where name = 'zoe'");
	assert_int_equal(cbt_run(NULL, NULL, "printf 'another passphrase\\n' | %s user passwd %s zoe", cbt_bin(), db), 0);
	char *after = sql(db, "select pwhash from users where name = 'zoe'");
	assert_string_not_equal(before, after);
	free(before);
	free(after);
	out = sql(db, "select action from audit order by id");
	assert_string_equal(out, "user.add\nuser.add\nuser.disable\nuser.enable\nuser.password\n");
	free(out);
}

static void test_audit_verify_and_list(void **state)
{
	(void)state;
	const char *db = cbt_db("audit.db");
	char *out = NULL;
	init_db(db);
	assert_int_equal(cbt_run(&out, NULL, "%s audit verify %s", cbt_bin(), db), 0);
	assert_string_equal(out, "audit trail intact: 0 entries\n");
	free(out);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cbt_run(NULL, NULL, "printf '%s\\n' | %s user add %s user%d --role analyst", PW, cbt_bin(),
					 db, i),
				 0);
	assert_int_equal(cbt_run(&out, NULL, "%s audit verify %s", cbt_bin(), db), 0);
	assert_string_equal(out, "audit trail intact: 3 entries\n");
	free(out);

	assert_int_equal(cbt_run(&out, NULL, "%s audit list %s", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "3\t"));
	assert_non_null(strstr(out, "\tcli\tuser.add\t-\t-\tuser=user2 role=analyst\n"));
	assert_true(strstr(out, "user=user2") < strstr(out, "user=user0")); /* newest first */
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s audit list %s --limit 1", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "user=user2"));
	assert_null(strstr(out, "user=user1"));
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s audit list %s --case AAAAAAAAAAAAAAAAAAAAAAAAAA", cbt_bin(), db), 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s audit list %s --limit 0", cbt_bin(), db), 2);
	assert_int_equal(cbt_run(NULL, NULL, "%s audit list %s --case nope", cbt_bin(), db), 2);
	assert_int_equal(cbt_run(NULL, NULL, "%s audit check %s", cbt_bin(), db), 2);

	/* somebody edits entry 2 behind casebank's back */
	cbt_drop_audit_guard(db, "audit_no_update");
	cbt_sql(db, "UPDATE audit SET detail = 'user=mallory' WHERE id = 2", NULL);
	assert_int_equal(cbt_run(&out, NULL, "%s audit verify %s", cbt_bin(), db), 1);
	assert_non_null(strstr(out, "entry 2 was altered"));
	assert_non_null(strstr(out, "1 entries before it intact"));
	free(out);
	/* and cuts off the newest */
	db = cbt_db("audit2.db");
	init_db(db);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cbt_run(NULL, NULL, "printf '%s\\n' | %s user add %s user%d --role analyst", PW, cbt_bin(),
					 db, i),
				 0);
	cbt_drop_audit_guard(db, "audit_no_delete");
	cbt_sql(db, "DELETE FROM audit WHERE id = 3", NULL);
	assert_int_equal(cbt_run(&out, NULL, "%s audit verify %s", cbt_bin(), db), 1);
	assert_non_null(strstr(out, "DAMAGED at entry 3"));
	assert_non_null(strstr(out, "removed from the end"));
	free(out);
}

/* The command line keeps an enabled admin (it is nobody's own account here: the operator is no user), and
 * refuses the commonest passwords and ones made of the user's name, without echoing them. */
static void test_admin_kept_and_common_passwords(void **state)
{
	(void)state;
	const char *db = cbt_db("admins.db");
	char *err = NULL, *out = NULL;
	init_db(db);
	assert_int_equal(cbt_run(NULL, NULL, "printf '%s\\n' | %s user add %s root --role admin", PW, cbt_bin(), db), 0);
	assert_int_equal(cbt_run(NULL, &err, "%s user disable %s root", cbt_bin(), db), 1);
	assert_non_null(strstr(err, "last enabled admin"));
	free(err);
	assert_int_equal(cbt_run(NULL, NULL, "printf '%s\\n' | %s user add %s ada --role admin", PW, cbt_bin(), db), 0);
	assert_int_equal(cbt_run(NULL, NULL, "%s user disable %s root", cbt_bin(), db), 0);
	out = sql(db, "select name from users where disabled = 0");
	assert_string_equal(out, "ada\n");
	free(out);

	assert_int_equal(cbt_run(NULL, &err, "printf 'Password123\\n' | %s user add %s boris --role analyst", cbt_bin(), db),
			 2);
	assert_non_null(strstr(err, "common"));
	assert_null(strstr(err, "Password123"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "printf 'Boris-2024-boris\\n' | %s user add %s boris --role analyst",
				 cbt_bin(), db),
			 2);
	assert_non_null(strstr(err, "user name"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "printf 'casebank12345\\n' | %s user passwd %s ada", cbt_bin(), db), 2);
	free(err);
	out = sql(db, "select count(*) from users where name = 'boris'");
	assert_string_equal(out, "0\n");
	free(out);
}

/* An account act and its audit entry are one transaction: with the trail's head damaged, the entry cannot be
 * appended, so the act fails and nothing of it is kept (no account, no changed state). */
static void test_act_needs_its_entry(void **state)
{
	(void)state;
	const char *db = cbt_db("act.db");
	char *out = NULL, *err = NULL;
	init_db(db);
	assert_int_equal(cbt_run(NULL, NULL, "printf '%s\\n' | %s user add %s amira --role analyst", PW, cbt_bin(), db), 0);
	free(sql(db, "update meta set value = 'damaged' where key = 'audit_head'"));
	assert_int_equal(cbt_run(NULL, &err, "printf '%s\\n' | %s user add %s boris --role analyst", PW, cbt_bin(), db), 1);
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s user disable %s amira", cbt_bin(), db), 1);
	free(err);
	out = sql(db, "select name || ':' || disabled from users");
	assert_string_equal(out, "amira:0\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_from_stdin),
		cmocka_unit_test(test_add_at_terminal),
		cmocka_unit_test(test_list_disable_passwd),
		cmocka_unit_test(test_admin_kept_and_common_passwords),
		cmocka_unit_test(test_audit_verify_and_list),
		cmocka_unit_test(test_act_needs_its_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

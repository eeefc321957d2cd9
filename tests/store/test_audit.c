/*
 * test_audit.c -- tests of src/store/audit.c: the keyed hash chain verifies; every kind of tampering with
 * raw SQL (an altered, removed, reordered, renumbered, forged or cut-off entry, a damaged or missing head)
 * is found and names the right entry; appends refuse a damaged head; the old events table is migrated and
 * chained; cb_store_event writes to the trail; entries roll back with their batch; listing; a group of entries
 * appended at once lands in order, each invalid one failing alone, and refuses a damaged head like one append;
 * the command line's entries name the operating-system account; failed logins of unknown names are counted,
 * not appended; the table of audited actions.
 */
#include "cb_test.h"

#include <pwd.h>
#include <unistd.h>

#include "access/access.h"
#include "store/store.h"

#define NENTRIES 6

static int dbn;
static char path[512];

static const char *new_db(void)
{
	struct cb_err err = {0};
	snprintf(path, sizeof path, "%s", cbt_db("audit%d.db", ++dbn));
	assert_int_equal(cb_store_create(path, &err), CB_OK);
	return path;
}

static struct cb_store *open_db(unsigned flags)
{
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	assert_int_equal(cb_store_open(path, flags, &s, &err), CB_OK);
	return s;
}

/* What somebody with the file (but not the key) would do first. */
#define UNGUARD "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"

/* Runs the tampering SQL on the database directly.  On PostgreSQL the same in its words: a trigger is dropped
 * ON its table, and the column `user` is quoted (unquoted it is current_user). */
static void raw_exec(const char *sql)
{
	char pg[4096], *o = pg;
	if (!cbt_on_pg()) {
		cbt_sql(path, sql, NULL);
		return;
	}
	for (const char *p = sql; *p && o < pg + sizeof pg - 16;) {
		if (strncmp(p, "DROP TRIGGER ", 13) == 0) {
			size_t n = strcspn(p, ";");
			o += snprintf(o, (size_t)(pg + sizeof pg - o), "%.*s ON audit", (int)n, p);
			p += n;
		} else if (strncmp(p, "user", 4) == 0 && p > sql && strchr(" ,(", p[-1]) && strchr(" ,)=", p[4])) {
			o += snprintf(o, (size_t)(pg + sizeof pg - o), "\"user\"");
			p += 4;
		} else {
			*o++ = *p++;
		}
	}
	*o = 0;
	cbt_sql(path, pg, NULL);
}

static void entry(struct cb_audit_entry *e, const char *user, const char *action, uint8_t case_byte,
		  const char *fields)
{
	memset(e, 0, sizeof *e);
	snprintf(e->user, sizeof e->user, "%s", user);
	snprintf(e->from, sizeof e->from, "10.0.0.%d", case_byte);
	snprintf(e->action, sizeof e->action, "%s", action);
	if (case_byte)
		memset(e->case_id, case_byte, 16);
	snprintf(e->fields, sizeof e->fields, "%s", fields);
}

/* A database whose trail has NENTRIES entries: ids 1..NENTRIES. */
static void fill(void)
{
	struct cb_err err = {0};
	struct cb_audit_entry e;
	new_db();
	struct cb_store *s = open_db(0);
	entry(&e, "amira", "login", 0, "");
	assert_int_equal(cb_audit_append(s, &e, &err), CB_OK);
	entry(&e, "amira", "case.read", 1, "first_name,last_name");
	assert_int_equal(cb_audit_append(s, &e, &err), CB_OK);
	entry(&e, "amira", "case.update", 1, "status");
	assert_int_equal(cb_audit_append(s, &e, &err), CB_OK);
	entry(&e, "olga", "case.read", 2, "");
	assert_int_equal(cb_audit_append(s, &e, &err), CB_OK);
	assert_int_equal(cb_store_event(s, "export.identifiers", NULL, "jsonl", &err), CB_OK);
	entry(&e, "olga", "login.failed", 0, "");
	assert_int_equal(cb_audit_append(s, &e, &err), CB_OK);
	cb_store_free(&s);
}

/* Verifies the current file; returns the code and sets *bad and msg. */
static int verify(int64_t *checked, int64_t *bad, char msg[512])
{
	struct cb_err err = {0};
	struct cb_store *s = open_db(CB_OPEN_READONLY);
	int rc = cb_audit_verify(s, checked, bad, &err);
	snprintf(msg, 512, "%s", err.msg);
	cb_store_free(&s);
	return rc;
}

static void expect_bad(int64_t want_bad, const char *word)
{
	int64_t checked = -1, bad = -1;
	char msg[512];
	assert_int_equal(verify(&checked, &bad, msg), CB_ECORRUPT);
	if (bad != want_bad || !strstr(msg, word))
		fprintf(stderr, "bad %lld: %s\n", (long long)bad, msg);
	assert_int_equal(bad, want_bad);
	assert_non_null(strstr(msg, word));
	assert_true(checked < want_bad || want_bad == 0);
}

static void test_chain_verifies(void **state)
{
	(void)state;
	int64_t checked = -1, bad = -1;
	char msg[512];
	new_db();
	assert_int_equal(verify(&checked, &bad, msg), CB_OK); /* empty, with a head */
	assert_int_equal(checked, 0);
	fill();
	assert_int_equal(verify(&checked, &bad, msg), CB_OK);
	assert_int_equal(checked, NENTRIES);
	assert_int_equal(bad, 0);
	/* and again after more appends by another connection */
	struct cb_err err = {0};
	struct cb_store *s = open_db(0);
	assert_int_equal(cb_store_event(s, "erase", NULL, NULL, &err), CB_OK);
	assert_int_equal(cb_audit_verify(s, &checked, &bad, &err), CB_OK);
	assert_int_equal(checked, NENTRIES + 1);
	cb_store_free(&s);
}

static void test_append_only_triggers(void **state)
{
	(void)state;
	fill();
	assert_false(cbt_sql_ok(path, "UPDATE audit SET action = 'x' WHERE id = 2"));
	assert_false(cbt_sql_ok(path, "DELETE FROM audit WHERE id = 6"));
	if (cbt_on_pg())
		assert_false(cbt_sql_ok(path, "TRUNCATE audit"));
	int64_t checked, bad;
	char msg[512];
	assert_int_equal(verify(&checked, &bad, msg), CB_OK);
}

static void test_altered(void **state)
{
	(void)state;
	fill();
	raw_exec(UNGUARD "UPDATE audit SET action = 'case.list' WHERE id = 3");
	expect_bad(3, "altered");
	fill();
	raw_exec(UNGUARD "UPDATE audit SET fields = 'first_name' WHERE id = 4");
	expect_bad(4, "altered");
	fill();
	raw_exec(UNGUARD "UPDATE audit SET user = 'nobody' WHERE id = 1");
	expect_bad(1, "altered");
	fill();
	raw_exec(UNGUARD "UPDATE audit SET at_ms = at_ms + 3600000 WHERE id = 2");
	expect_bad(2, "altered");
	fill();
	raw_exec(UNGUARD "UPDATE audit SET case_id = NULL WHERE id = 2");
	expect_bad(2, "altered");
	fill();
	raw_exec(UNGUARD "UPDATE audit SET detail = 'csv' WHERE id = 5");
	expect_bad(5, "altered");
	fill(); /* the last one: only the head could tell, and the hash does */
	raw_exec(UNGUARD "UPDATE audit SET from_addr = '127.0.0.1' WHERE id = 6");
	expect_bad(6, "altered");
	fill(); /* a hash copied from another entry */
	raw_exec(UNGUARD "UPDATE audit SET hash = (SELECT hash FROM audit WHERE id = 2) WHERE id = 3");
	expect_bad(3, "altered");
}

static void test_removed(void **state)
{
	(void)state;
	fill();
	raw_exec(UNGUARD "DELETE FROM audit WHERE id = 3");
	expect_bad(3, "missing");
	fill();
	raw_exec(UNGUARD "DELETE FROM audit WHERE id = 1");
	expect_bad(1, "missing");
	fill(); /* removed, and the later ones renumbered to close the gap */
	raw_exec(UNGUARD "DELETE FROM audit WHERE id = 3; UPDATE audit SET id = id - 1 WHERE id > 3");
	expect_bad(3, "does not follow");
}

static void test_reordered(void **state)
{
	(void)state;
	fill(); /* entries 2 and 3 swapped, every column but the id */
	raw_exec(UNGUARD "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE id IN (2, 3);"
			 "UPDATE audit SET (at_ms, user, from_addr, action, case_id, fields, detail, prev, hash) ="
			 " (SELECT at_ms, user, from_addr, action, case_id, fields, detail, prev, hash FROM t"
			 "  WHERE t.id = 5 - audit.id) WHERE id IN (2, 3);");
	expect_bad(2, "does not follow");
	fill(); /* only the content swapped, the chain columns left in place */
	raw_exec(UNGUARD "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE id IN (4, 5);"
			 "UPDATE audit SET (at_ms, user, from_addr, action, case_id, fields, detail) ="
			 " (SELECT at_ms, user, from_addr, action, case_id, fields, detail FROM t"
			 "  WHERE t.id = 9 - audit.id) WHERE id IN (4, 5);");
	expect_bad(4, "altered");
	fill(); /* an entry moved to the end under a new id */
	raw_exec(UNGUARD "UPDATE audit SET id = 100 WHERE id = 2");
	expect_bad(2, "missing");
}

static void test_truncated(void **state)
{
	(void)state;
	fill();
	raw_exec(UNGUARD "DELETE FROM audit WHERE id >= 5");
	expect_bad(5, "removed from the end");
	fill();
	raw_exec(UNGUARD "DELETE FROM audit");
	expect_bad(1, "removed from the end");
	fill(); /* cut off, and the head rewritten to match what is left: its MAC needs the key */
	raw_exec(cbt_on_pg() ? UNGUARD "DELETE FROM audit WHERE id = 6;"
				       "UPDATE meta SET value = '5:' || encode((SELECT hash FROM audit WHERE id = 5), 'hex') ||"
				       " substr(value, 67) WHERE key = 'audit_head'"
			     : UNGUARD "DELETE FROM audit WHERE id = 6;"
				       "UPDATE meta SET value = '5:' || lower(hex((SELECT hash FROM audit WHERE id = 5))) ||"
				       " substr(value, 67) WHERE key = 'audit_head'"); /* "6:" 64 hex digits, then ":mac" */
	expect_bad(0, "head");
	fill(); /* the head removed along with the tail */
	raw_exec(UNGUARD "DELETE FROM audit WHERE id = 6; DELETE FROM meta WHERE key = 'audit_head'");
	expect_bad(0, "head is missing");
}

static void test_forged(void **state)
{
	(void)state;
	fill(); /* an entry added by SQL, chained to the real last hash: its own hash cannot be made */
	raw_exec("INSERT INTO audit(id, at_ms, user, from_addr, action, fields, prev, hash)"
		 " SELECT 7, at_ms, 'olga', 'cli', 'login', '', hash, hash FROM audit WHERE id = 6");
	expect_bad(7, "altered");
}

static void test_damaged_head_refuses_appends(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_audit_entry e;
	fill();
	raw_exec("UPDATE meta SET value = '9' || substr(value, 2) WHERE key = 'audit_head'"); /* count 6 -> 9 */
	struct cb_store *s = open_db(0);
	entry(&e, "amira", "case.read", 1, "");
	assert_int_equal(cb_audit_append(s, &e, &err), CB_ECORRUPT);
	assert_int_equal(cb_store_event(s, "erase", NULL, NULL, &err), CB_ECORRUPT);
	cb_store_free(&s);
	raw_exec("DELETE FROM meta WHERE key = 'audit_head'");
	s = open_db(0);
	assert_int_equal(cb_audit_append(s, &e, &err), CB_ECORRUPT);
	/* the migration's chaining function cannot be used to re-chain an edited trail (PostgreSQL has none) */
	if (!cbt_on_pg())
		assert_false(cbt_sql_ok(path, "SELECT cb_audit_seal()"));
	cb_store_free(&s);
	int64_t checked, bad; /* still NENTRIES intact entries: nothing was appended */
	char msg[512];
	assert_int_equal(verify(&checked, &bad, msg), CB_ECORRUPT);
	assert_int_equal(checked, NENTRIES);
}

struct seen {
	int n;
	int64_t ids[16];
	struct cb_audit_entry first, last;
};

static int collect(const struct cb_audit_entry *e, void *ctx)
{
	struct seen *s = ctx;
	if (s->n < 16)
		s->ids[s->n] = e->id;
	if (s->n == 0)
		s->first = *e;
	s->n++;
	s->last = *e;
	return 0;
}

static void test_entry_checks(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_audit_entry e;
	new_db();
	struct cb_store *s = open_db(0);
	entry(&e, "amira", "", 0, "");
	assert_int_equal(cb_audit_append(s, &e, &err), CB_EINVAL);
	entry(&e, "amira", "case.read\nforged line", 0, "");
	assert_int_equal(cb_audit_append(s, &e, &err), CB_EINVAL);
	entry(&e, "amira", "case.read", 0, "first_name\tlast_name");
	assert_int_equal(cb_audit_append(s, &e, &err), CB_EINVAL);
	entry(&e, "amira", "case.read", 0, "");
	memset(e.detail, 'd', sizeof e.detail); /* not terminated */
	assert_int_equal(cb_audit_append(s, &e, &err), CB_EINVAL);
	/* no user: the local operator when there is no address either, else nobody (a refused request) */
	struct seen sn = {0};
	entry(&e, "", "csrf.refused", 7, "");
	assert_int_equal(cb_audit_append(s, &e, &err), CB_OK);
	entry(&e, "", "erase", 0, "");
	e.from[0] = 0;
	assert_int_equal(cb_audit_append(s, &e, &err), CB_OK);
	assert_int_equal(cb_audit_list(s, NULL, 0, collect, &sn, &err), CB_OK);
	assert_int_equal(sn.n, 2);
	assert_string_equal(sn.last.user, "");
	assert_string_equal(sn.last.from, "10.0.0.7");
	assert_string_equal(sn.first.from, "cli");
	assert_memory_equal(sn.first.user, "cli:", 4);
	cb_store_free(&s);
	s = open_db(CB_OPEN_READONLY);
	entry(&e, "amira", "case.read", 0, "");
	assert_int_equal(cb_audit_append(s, &e, &err), CB_EPERM);
	cb_store_free(&s);
}

/* The local operator is the account the command runs as, from the password database: setting $USER (or
 * LOGNAME) to somebody else's name changes nothing. */
static void test_local_operator_is_the_os_account(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_audit_entry e;
	struct seen sn = {0};
	struct passwd *pw = getpwuid(geteuid());
	char want[CB_NAME_MAX + 1];
	assert_non_null(pw);
	snprintf(want, sizeof want, "cli:%s(%lu)", pw->pw_name, (unsigned long)geteuid());
	setenv("USER", "somebody", 1);
	setenv("LOGNAME", "somebody", 1);
	new_db();
	struct cb_store *s = open_db(0);
	entry(&e, "", "erase", 0, "");
	e.from[0] = 0;
	assert_int_equal(cb_audit_append(s, &e, &err), CB_OK);
	assert_int_equal(cb_store_event(s, "export.identifiers", NULL, "jsonl", &err), CB_OK);
	assert_int_equal(cb_audit_list(s, NULL, 0, collect, &sn, &err), CB_OK);
	assert_int_equal(sn.n, 2);
	assert_string_equal(sn.first.user, want);
	assert_string_equal(sn.last.user, want);
	assert_string_equal(sn.last.from, "cli");
	cb_store_free(&s);
}

/* A failed login of a name that is no account (no user, a client address) makes no entry: it is counted in
 * meta, in the transaction an entry would have had, alone or in a batch; a known account's failure stays an
 * entry, and the chain verifies around them. */
static void test_unknown_name_logins_counted(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_audit_entry e[4];
	const struct cb_audit_entry *pe[4];
	int rcs[4];
	fill();
	struct cb_store *s = open_db(0);
	entry(&e[0], "", "login.failed", 7, "");
	assert_int_equal(cb_audit_append(s, &e[0], &err), CB_OK);
	for (int i = 0; i < 4; i++) {
		entry(&e[i], i == 2 ? "olga" : "", "login.failed", (uint8_t)(20 + i), "");
		pe[i] = &e[i];
	}
	assert_int_equal(cb_audit_append_batch(s, pe, 4, rcs, &err), CB_OK);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rcs[i], CB_OK);
	entry(&e[0], "", "login.failed", 30, "");
	assert_int_equal(cb_audit_append_batch(s, pe, 1, rcs, &err), CB_OK); /* only counted: still committed */
	assert_int_equal(rcs[0], CB_OK);

	struct seen sn = {0};
	assert_int_equal(cb_audit_list(s, NULL, 0, collect, &sn, &err), CB_OK);
	assert_int_equal(sn.n, NENTRIES + 1);
	assert_string_equal(sn.first.user, "olga");
	assert_string_equal(sn.first.from, "10.0.0.22");
	assert_int_equal(cbt_sql_int(path, "SELECT value FROM meta WHERE key = '" CB_AUDIT_UNKNOWN_LOGINS "'"), 5);
	int64_t checked = 0, bad = 0;
	assert_int_equal(cb_audit_verify(s, &checked, &bad, &err), CB_OK);
	assert_int_equal(checked, NENTRIES + 1);
	cb_store_free(&s);
}

static void test_append_batch(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_audit_entry e[5];
	const struct cb_audit_entry *pe[5];
	int rcs[5];
	fill();
	for (int i = 0; i < 5; i++) {
		entry(&e[i], i % 2 ? "olga" : "amira", "case.read", (uint8_t)(10 + i), "first_name");
		pe[i] = &e[i];
	}
	e[2].action[0] = 0; /* not valid: fails alone */
	struct cb_store *s = open_db(0);
	assert_int_equal(cb_audit_append_batch(s, pe, 5, rcs, &err), CB_OK);
	assert_int_equal(rcs[0], CB_OK);
	assert_int_equal(rcs[1], CB_OK);
	assert_int_equal(rcs[2], CB_EINVAL);
	assert_int_equal(rcs[3], CB_OK);
	assert_int_equal(rcs[4], CB_OK);
	/* in the order given, right after the entries before them */
	struct seen sn = {0};
	assert_int_equal(cb_audit_list(s, NULL, 4, collect, &sn, &err), CB_OK);
	assert_int_equal(sn.n, 4);
	for (int k = 0; k < 4; k++)
		assert_int_equal(sn.ids[k], NENTRIES + 4 - k);
	uint8_t want[16];
	memset(want, 14, 16);
	assert_memory_equal(sn.first.case_id, want, 16); /* newest: the last one given */
	memset(want, 10, 16);
	assert_memory_equal(sn.last.case_id, want, 16);
	/* single appends go on after a batch, and the whole chain verifies */
	assert_int_equal(cb_audit_append(s, &e[0], &err), CB_OK);
	int64_t checked = 0, bad = 0;
	assert_int_equal(cb_audit_verify(s, &checked, &bad, &err), CB_OK);
	assert_int_equal(checked, NENTRIES + 5);
	/* a batch is its own transaction */
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	assert_int_equal(cb_audit_append_batch(s, pe, 2, rcs, &err), CB_EINVAL);
	assert_int_equal(rcs[0], CB_EINVAL);
	cb_store_rollback(s);
	cb_store_free(&s);

	/* a damaged head: nothing is appended, every entry fails */
	raw_exec("UPDATE meta SET value = '9' || substr(value, 2) WHERE key = 'audit_head'");
	s = open_db(0);
	assert_int_equal(cb_audit_append_batch(s, pe, 2, rcs, &err), CB_ECORRUPT);
	assert_int_equal(rcs[0], CB_ECORRUPT);
	assert_int_equal(rcs[1], CB_ECORRUPT);
	cb_store_free(&s);
	char msg[512];
	assert_int_equal(verify(&checked, &bad, msg), CB_ECORRUPT);
	assert_int_equal(checked, NENTRIES + 5);
	s = open_db(CB_OPEN_READONLY);
	assert_int_equal(cb_audit_append_batch(s, pe, 1, rcs, &err), CB_EPERM);
	assert_int_equal(rcs[0], CB_EPERM);
	cb_store_free(&s);
}

static int stop_at_two(const struct cb_audit_entry *e, void *ctx)
{
	return collect(e, ctx), ((struct seen *)ctx)->n == 2 ? 42 : 0;
}

static void test_list_and_events(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct seen sn = {0};
	fill();
	struct cb_store *s = open_db(CB_OPEN_READONLY);
	assert_int_equal(cb_audit_list(s, NULL, 0, collect, &sn, &err), CB_OK);
	assert_int_equal(sn.n, NENTRIES);
	assert_int_equal(sn.ids[0], NENTRIES); /* newest first */
	assert_int_equal(sn.ids[NENTRIES - 1], 1);
	assert_string_equal(sn.last.action, "login");
	assert_string_equal(sn.last.user, "amira");
	assert_true(sn.last.at_ms > 1700000000000LL); /* 0 meant now, in milliseconds */

	memset(&sn, 0, sizeof sn);
	assert_int_equal(cb_audit_list(s, NULL, 2, collect, &sn, &err), CB_OK);
	assert_int_equal(sn.n, 2);
	assert_int_equal(sn.ids[1], NENTRIES - 1);

	uint8_t c1[16];
	memset(c1, 1, sizeof c1);
	memset(&sn, 0, sizeof sn);
	assert_int_equal(cb_audit_list(s, c1, 0, collect, &sn, &err), CB_OK);
	assert_int_equal(sn.n, 2);
	assert_int_equal(sn.ids[0], 3);
	assert_string_equal(sn.last.action, "case.read");
	assert_string_equal(sn.last.fields, "first_name,last_name");
	assert_string_equal(sn.last.from, "10.0.0.1");
	assert_memory_equal(sn.last.case_id, c1, 16);

	memset(&sn, 0, sizeof sn);
	assert_int_equal(cb_audit_list(s, NULL, 0, stop_at_two, &sn, &err), 42);
	assert_int_equal(sn.n, 2);

	/* cb_store_event: the local operator, from the command line, with the detail */
	memset(&sn, 0, sizeof sn);
	assert_int_equal(cb_audit_list(s, NULL, 2, collect, &sn, &err), CB_OK);
	assert_string_equal(sn.last.action, "export.identifiers");
	assert_memory_equal(sn.last.user, "cli:", 4);
	assert_true(strlen(sn.last.user) > 4);
	assert_string_equal(sn.last.from, "cli");
	assert_string_equal(sn.last.detail, "jsonl");
	cb_store_free(&s);
}

struct count_ctx {
	const char *action;
	long long n;
};

static int count_fn(const struct cb_audit_entry *e, void *ctx)
{
	struct count_ctx *c = ctx;
	c->n += strcmp(e->action, c->action) == 0;
	return 0;
}

/* Entries of an action, as the store's own connection sees them (inside its transaction too). */
static long long count_events(struct cb_store *s, const char *action)
{
	struct cb_err err = {0};
	struct count_ctx c = {action, 0};
	assert_int_equal(cb_audit_list(s, NULL, 0, count_fn, &c, &err), CB_OK);
	return c.n;
}

static void test_bulk_rollback(void **state)
{
	(void)state;
	struct cb_err err = {0};
	int64_t checked, bad;
	fill();
	struct cb_store *s = open_db(0);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_event(s, "import", NULL, "3 rows", &err), CB_OK);
	assert_int_equal(count_events(s, "import"), 1);
	cb_store_rollback(s);
	assert_int_equal(count_events(s, "import"), 0);
	assert_int_equal(cb_audit_verify(s, &checked, &bad, &err), CB_OK); /* the head rolled back with it */
	assert_int_equal(checked, NENTRIES);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_event(s, "import", NULL, "3 rows", &err), CB_OK);
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	assert_int_equal(count_events(s, "import"), 1);
	assert_int_equal(cb_audit_verify(s, &checked, &bad, &err), CB_OK);
	assert_int_equal(checked, NENTRIES + 1);
	cb_store_free(&s);
}

/* An act: sets meta key `key`, makes a case id (as a new case's), then fails when told. */
struct act_ctx {
	const char *key;
	uint8_t id[16];
	int fail;
};

static int audited(struct cb_store *s, struct cb_audit_entry *e, struct act_ctx *a)
{
	struct cb_err err = {0};
	int rc = cb_store_act_begin(s, &err);
	if (rc != CB_OK)
		return rc;
	rc = cb_store_meta_set(s, a->key, "1", &err);
	memset(a->id, 0x5a, 16);
	memcpy(e->case_id, a->id, 16);
	if (rc == CB_OK && a->fail)
		rc = cb_err_set(&err, a->fail, "the act refused");
	return cb_store_act_end(s, rc, e, &err);
}

static bool meta_has(struct cb_store *s, const char *key)
{
	char *v = NULL;
	bool has = cb_store_meta_get(s, key, &v) == CB_OK;
	free(v);
	return has;
}

/* An act and its entry in one transaction: both kept, or neither -- when the act fails, and when the entry
 * cannot be appended (the act is rolled back).  An end without a begin changes nothing. */
static void test_act_and_entry(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_audit_entry e;
	int64_t checked, bad;
	fill();
	struct cb_store *s = open_db(0);
	struct act_ctx ok = {"test.kept", {0}, 0}, refused = {"test.refused", {0}, CB_EINVAL},
		       unrecorded = {"test.unrecorded", {0}, 0};
	entry(&e, "amira", "case.create", 0, "site");
	assert_int_equal(audited(s, &e, &ok), CB_OK);
	assert_true(meta_has(s, "test.kept"));
	struct seen got = {0};
	assert_int_equal(cb_audit_list(s, ok.id, 10, collect, &got, &err), CB_OK);
	assert_int_equal(got.n, 1);

	entry(&e, "amira", "case.update", 0, "site");
	assert_int_equal(audited(s, &e, &refused), CB_EINVAL);
	assert_false(meta_has(s, "test.refused"));
	assert_int_equal(cb_store_act_end(s, CB_OK, &e, &err), CB_EINVAL); /* no act open */
	assert_int_equal(cb_audit_verify(s, &checked, &bad, &err), CB_OK);
	assert_int_equal(checked, NENTRIES + 1);

	cb_store_free(&s);
	raw_exec(cbt_on_pg() ? "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS"
			       " $$BEGIN RAISE EXCEPTION 'refused by the test'; END$$;"
			       "CREATE TRIGGER test_refuse BEFORE INSERT ON audit FOR EACH ROW"
			       " WHEN (NEW.action = 'case.update') EXECUTE FUNCTION test_refuse()"
			     : "CREATE TRIGGER test_refuse BEFORE INSERT ON audit WHEN NEW.action = 'case.update'"
			       " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
	s = open_db(0);
	entry(&e, "amira", "case.update", 0, "site");
	assert_int_not_equal(audited(s, &e, &unrecorded), CB_OK);
	assert_false(meta_has(s, "test.unrecorded"));
	assert_int_equal(cb_audit_verify(s, &checked, &bad, &err), CB_OK);
	assert_int_equal(checked, NENTRIES + 1);
	cb_store_free(&s);
}

/* A database from before the trail (schema version 1, an events table) is migrated and chained. */
static void test_migrate_events(void **state)
{
	(void)state;
	cbt_sqlite_only("schema step 2 (a PostgreSQL database is made at the current version)");
	struct cb_err err = {0};
	int64_t checked, bad;
	new_db();
	raw_exec(UNGUARD "DROP VIEW events; DROP TABLE audit; DROP TABLE sessions; DROP TABLE glass; DROP TABLE users;"
			 "DELETE FROM meta WHERE key = 'audit_head';"
			 "CREATE TABLE events(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, action TEXT NOT NULL,"
			 " case_id BLOB, detail TEXT);"
			 "INSERT INTO events(id, at, action, case_id, detail) VALUES"
			 " (1, 1700000000, 'show.identifiers', zeroblob(16), NULL),"
			 " (4, 1700000100, 'export.identifiers', NULL, 'htcds'),"
			 " (9, 1700000200, 'stats.exact', NULL, 'by=year');"
			 "PRAGMA user_version = 1;");
	struct cb_store *s = open_db(0);
	assert_int_equal(cb_audit_verify(s, &checked, &bad, &err), CB_OK);
	assert_int_equal(checked, 3);
	assert_int_equal(count_events(s, "export.identifiers"), 1);
	assert_int_equal(count_events(s, "stats.exact"), 1);
	struct seen sn = {0};
	assert_int_equal(cb_audit_list(s, NULL, 0, collect, &sn, &err), CB_OK);
	assert_int_equal(sn.ids[0], 3); /* renumbered 1, 2, 3 in their old order */
	assert_string_equal(sn.last.action, "show.identifiers");
	assert_true(cb_audit_is(sn.last.action, CB_AUD_CASE_READ)); /* an old name still names its act */
	assert_int_equal(sn.last.at_ms, 1700000000000LL);
	assert_int_equal(cb_store_event(s, "erase", NULL, NULL, &err), CB_OK);
	assert_int_equal(cb_audit_verify(s, &checked, &bad, &err), CB_OK);
	assert_int_equal(checked, 4);
	cb_store_free(&s);
	/* the migrated entries are protected like any other */
	raw_exec(UNGUARD "UPDATE audit SET detail = 'csv' WHERE id = 2");
	expect_bad(2, "altered");
}

/* The action table (include/tbl/cb_audit.h): one name per act, each fits an entry and looks like the others,
 * no old name is a current one; cb_audit_is accepts an act's old name; cb_store_audit writes the table's
 * name with the fields given, and refuses an act that is not in the table. */
static void test_action_table(void **state)
{
	(void)state;
	struct cb_err err = {0};
	for (int a = 0; a < CB_AUD_N; a++) {
		const char *n = cb_audit_names[a];
		assert_non_null(n);
		assert_true(strlen(n) > 0 && strlen(n) < sizeof((struct cb_audit_entry *)0)->action);
		assert_int_equal(strspn(n, "abcdefghijklmnopqrstuvwxyz._"), strlen(n));
		for (int b = 0; b < CB_AUD_N; b++) {
			if (b != a)
				assert_string_not_equal(n, cb_audit_names[b]);
			if (cb_audit_old_names[b])
				assert_string_not_equal(n, cb_audit_old_names[b]);
		}
		assert_true(cb_audit_is(n, (enum cb_audit_action)a));
	}
	assert_true(cb_audit_is("user.passwd", CB_AUD_USER_PASSWORD));
	assert_true(cb_audit_is("assist.identifiers", CB_AUD_ASSISTANCE_READ));
	assert_false(cb_audit_is("case.read", CB_AUD_CASE_UPDATE));
	assert_false(cb_audit_is(NULL, CB_AUD_CASE_READ));
	new_db();
	struct cb_store *s = open_db(0);
	uint8_t id[16] = {7};
	assert_int_equal(cb_store_audit(s, CB_AUD_CASE_READ, id, "first_name", NULL, &err), CB_OK);
	assert_int_equal(cb_store_audit(s, CB_AUD_N, NULL, NULL, NULL, &err), CB_EINVAL);
	struct seen sn = {0};
	assert_int_equal(cb_audit_list(s, NULL, 1, collect, &sn, &err), CB_OK);
	assert_string_equal(sn.last.action, "case.read");
	assert_string_equal(sn.last.fields, "first_name");
	assert_memory_equal(sn.last.case_id, id, 16);
	cb_store_free(&s);
	/* docs/security.md lists every act (the tests run from the top of the source tree) */
	char *doc = cbt_read("docs/security.md", NULL);
	assert_non_null(doc);
	for (int a = 0; a < CB_AUD_N; a++) {
		char row[64];
		snprintf(row, sizeof row, "| `%s` |", cb_audit_names[a]);
		if (!strstr(doc, row))
			fail_msg("docs/security.md does not list %s", cb_audit_names[a]);
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_verifies),
		cmocka_unit_test(test_act_and_entry),
		cmocka_unit_test(test_append_only_triggers),
		cmocka_unit_test(test_altered),
		cmocka_unit_test(test_removed),
		cmocka_unit_test(test_reordered),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_forged),
		cmocka_unit_test(test_damaged_head_refuses_appends),
		cmocka_unit_test(test_entry_checks),
		cmocka_unit_test(test_append_batch),
		cmocka_unit_test(test_local_operator_is_the_os_account),
		cmocka_unit_test(test_unknown_name_logins_counted),
		cmocka_unit_test(test_list_and_events),
		cmocka_unit_test(test_bulk_rollback),
		cmocka_unit_test(test_migrate_events),
		cmocka_unit_test(test_action_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

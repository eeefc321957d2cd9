/*
 * test_tokens.c -- tests of src/store/tokens.c: a case's tokens and sealed CLK are written with it, found by
 * token, replaced when its details change and removed when they are erased; a database that had cases
 * before the index gets their tokens on its next read-write open; record links and the cases statistics
 * leave out; the counter of what makes pairs (cb_store_linkage_gen); and no name, birth date or phone
 * reaches the database file, its WAL or the key store.
 */
#include "store_helpers.h"

#include "store/tokens.h"

static int count(int64_t seq, const uint8_t id[16], const char *site, void *ctx)
{
	(void)seq;
	(void)id;
	(void)site;
	++*(int *)ctx;
	return CB_OK;
}

static int cases_with(struct cb_store *s, const char *first, enum cb_tok_kind kind)
{
	struct cb_person p;
	struct cb_blind b;
	struct cb_err err = {0};
	int n = 0;
	cb_person_fold(first, NULL, NULL, "1990-05-17", "+37369123456", &p);
	cb_store_blind(s, &p, &b);
	for (int i = 0; i < b.n; i++)
		if (b.t[i].kind == kind)
			assert_int_equal(cb_store_token_cases(s, kind, b.t[i].v, NULL, count, &n, &err), CB_OK);
	return n;
}

static void add_named(struct cb_store *s, struct cb_case *c, int i, const char *first)
{
	struct cb_err err = {0};
	make_case(c, i, true);
	set(c, "first_name", first);
	set(c, "birth_date", "1990-05-17");
	assert_int_equal(cb_store_add(s, c, NULL, &err), CB_OK);
}

static void test_write_find_erase(void **state)
{
	(void)state;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_case c, d;
	struct cb_err err = {0};
	add_named(s, &c, 1, "Quillonda");
	add_named(s, &d, 2, "Quillonda");
	assert_int_equal(cases_with(s, "QUILLONDA", CB_TOK_NAME), 2);
	assert_int_equal(cases_with(s, "x", CB_TOK_BDATE), 2);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM linkage WHERE clk IS NOT NULL"), 2);
	/* new details: the old name's tokens go */
	set(&c, "first_name", "Vexmira");
	assert_int_equal(cb_store_update(s, &c, CB_WITH_PII, &err), CB_OK);
	assert_int_equal(cases_with(s, "Quillonda", CB_TOK_NAME), 1);
	assert_int_equal(cases_with(s, "Vexmira", CB_TOK_NAME), 1);
	/* erasure: nothing in the index points at the case any more */
	long long before = cbt_sql_int(db, "SELECT count(*) FROM blind");
	assert_int_equal(cb_store_erase(s, c.case_id, false, &err), CB_OK);
	assert_int_equal(cases_with(s, "Vexmira", CB_TOK_NAME), 0);
	assert_true(cbt_sql_int(db, "SELECT count(*) FROM blind") < before);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM linkage"), 1);
	assert_int_equal(cb_store_erase(s, d.case_id, true, &err), CB_OK);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM blind"), 0);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM linkage"), 0);
	cb_case_clear(&c);
	cb_case_clear(&d);
	cb_store_free(&s);
}

static void test_backfill(void **state)
{
	(void)state;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_case c;
	struct cb_err err = {0};
	add_named(s, &c, 1, "Quillonda");
	cb_case_clear(&c);
	cb_store_free(&s);
	/* as a database from before the index: no tokens, the flag its migration sets */
	raw_exec(db, "DELETE FROM blind; DELETE FROM linkage;"
		     " INSERT INTO meta(key, value) VALUES ('blind_index_pending', '1')");
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cases_with(s, "Quillonda", CB_TOK_NAME), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM meta WHERE key = 'blind_index_pending'"), 0);
	cb_store_free(&s);
}

static int collect_other(const uint8_t other[16], const char *site, void *ctx)
{
	(void)site;
	memcpy(ctx, other, 16);
	return CB_OK;
}

static void test_links(void **state)
{
	(void)state;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_case a, b, c;
	struct cb_err err = {0};
	uint8_t other[16] = {0};
	add_named(s, &a, 1, "Quillonda");
	add_named(s, &b, 2, "Quillonda");
	add_named(s, &c, 3, "Quillonda");
	assert_int_equal(cb_store_link_set(s, a.case_id, a.case_id, true, NULL, NULL, &err), CB_EINVAL);
	assert_int_equal(cb_store_link_state(s, a.case_id, b.case_id), -1);
	assert_int_equal(cb_store_link_set(s, b.case_id, a.case_id, true, NULL, NULL, &err), CB_OK);
	assert_int_equal(cb_store_link_state(s, a.case_id, b.case_id), 1);
	assert_int_equal(cb_store_links_of(s, a.case_id, collect_other, other, &err), CB_OK);
	assert_memory_equal(other, b.case_id, 16);
	/* b is the group's second record: statistics leave it out; a chain through c too */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM link_secondary"), 1);
	assert_int_equal(cb_store_link_set(s, c.case_id, b.case_id, true, NULL, NULL, &err), CB_OK);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM link_secondary"), 2);
	assert_int_equal(cbt_sql_int(db, "SELECT min(seq) FROM link_secondary"), 2);
	/* dismissing a link undoes it */
	assert_int_equal(cb_store_link_set(s, a.case_id, b.case_id, false, "amira", "127.0.0.1", &err), CB_OK);
	assert_int_equal(cb_store_link_state(s, a.case_id, b.case_id), 0);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM link_secondary"), 1);
	/* audited on both cases */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'case.link'"), 4);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'case.link_dismiss'"), 2);
	uint8_t none[16] = {9};
	assert_int_equal(cb_store_link_set(s, a.case_id, none, true, NULL, NULL, &err), CB_ENOTFOUND);
	/* erased whole: its links go, and nothing stays left out of statistics because of it */
	assert_int_equal(cb_store_erase(s, c.case_id, true, &err), CB_OK);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM links WHERE state = 'linked'"), 0);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM link_secondary"), 0);
	cb_case_clear(&a);
	cb_case_clear(&b);
	cb_case_clear(&c);
	cb_store_free(&s);
}

/* The whole point: the index and the encodings hold nothing readable. */
static void test_no_plain_text(void **state)
{
	(void)state;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_case c;
	struct cb_err err = {0};
	make_case(&c, 1, true);
	set(&c, "first_name", "Zorkanyiva Ștefănescu");
	set(&c, "birth_date", "1987-11-29");
	set(&c, "phone", PHONE1);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	cb_case_clear(&c);
	/* the WAL is looked at before a checkpoint empties it, the file after */
	const char *needles[] = {"Zorkanyiva", "zorkanyiva", "stefanescu", "Ștefănescu", "1987-11-29", "19871129",
				 "11-29", PHONE1, "380507771234", "07771234", "Plumtreebek", "plumtreebek"};
	for (size_t i = 0; i < CB_COUNTOF(needles); i++)
		assert_nowhere(db, needles[i]);
	cb_store_free(&s);
	for (size_t i = 0; i < CB_COUNTOF(needles); i++)
		assert_nowhere(db, needles[i]);
}

/* The linkage counter (schema step 15) moves with what the pairs are made of, on SQLite: a case with details,
 * its gender, a link; not with a field the pairs do not read. */
static int64_t gen_of(struct cb_store *s)
{
	struct cb_err err = {0};
	int64_t g = -1;
	assert_int_equal(cb_store_linkage_gen(s, &g, &err), CB_OK);
	return g;
}

static void test_linkage_gen(void **state)
{
	(void)state;
	struct cb_store *s = open_new(new_db());
	struct cb_case a, c, d;
	struct cb_err err = {0};
	int64_t g = gen_of(s);
	add_named(s, &a, 1, "Quillonda");
	assert_true(gen_of(s) > g);
	/* read back without its details: an update of it leaves the tokens alone */
	assert_int_equal(cb_store_get(s, a.case_id, 0, &c, &err), CB_OK);
	g = gen_of(s);
	set(&c, "labour_sector", "agriculture");
	assert_int_equal(cb_store_update(s, &c, 0, &err), CB_OK);
	assert_int_equal(gen_of(s), g);
	set(&c, "gender", "Masculine");
	assert_int_equal(cb_store_update(s, &c, 0, &err), CB_OK);
	assert_true(gen_of(s) > g);
	add_named(s, &d, 2, "Quillonda");
	g = gen_of(s);
	assert_int_equal(cb_store_link_set(s, c.case_id, d.case_id, false, NULL, NULL, &err), CB_OK);
	assert_true(gen_of(s) > g);
	cb_case_clear(&a);
	cb_case_clear(&c);
	cb_case_clear(&d);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_find_erase),
		cmocka_unit_test(test_backfill),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_no_plain_text),
		cmocka_unit_test(test_linkage_gen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

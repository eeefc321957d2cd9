/*
 * test_notes.c -- tests of src/store/notes.c: dated case notes by author, sealed with the case key, cleared
 * with the case's details and gone with the case.
 */
#include "../store/store_helpers.h"
#include "care/notes.h"

#define NOTE1 "Met Wrexalind at the Quellmark shelter"
#define NOTE2 "Second talk, by phone"

struct got {
	int n;
	char author[2][70];
	char text[2][200];
	bool has_text[2];
};

static int collect(const struct cb_note *n, void *ctx)
{
	struct got *g = ctx;
	if (g->n < 2) {
		snprintf(g->author[g->n], sizeof g->author[0], "%s", n->author);
		g->has_text[g->n] = n->text != NULL;
		snprintf(g->text[g->n], sizeof g->text[0], "%s", n->text ? n->text : "");
		assert_true(n->at > 1700000000);
	}
	g->n++;
	return CB_OK;
}

static void test_add_list_sealed(void **state)
{
	(void)state;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_err err = {0};
	struct cb_case c;
	struct cb_user amira = {.id = 7, .name = "amira", .role = CB_ROLE_CASEWORKER};
	int64_t id1 = 0, id2 = 0;
	make_case(&c, 1, true);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(cb_note_add(s, c.case_id, NOTE1, &amira, &id1, &err), CB_OK);
	assert_int_equal(cb_note_add(s, c.case_id, NOTE2, NULL, &id2, &err), CB_OK);
	assert_true(id2 > id1);
	/* refused: empty, blank, unknown case; nothing of the text in the error */
	assert_int_equal(cb_note_add(s, c.case_id, "  \n", &amira, NULL, &err), CB_EINVAL);
	assert_string_equal(err.field, "text");
	uint8_t nobody[16] = {1};
	assert_int_equal(cb_note_add(s, nobody, NOTE1, &amira, NULL, &err), CB_ENOTFOUND);
	assert_null(strstr(err.msg, "Wrexalind"));
	/* oldest first, by author; the text only when asked for */
	struct got g = {0};
	assert_int_equal(cb_note_list(s, c.case_id, true, collect, &g, &err), CB_OK);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.author[0], "amira");
	assert_string_equal(g.author[1], "cli");
	assert_string_equal(g.text[0], NOTE1);
	assert_string_equal(g.text[1], NOTE2);
	memset(&g, 0, sizeof g);
	assert_int_equal(cb_note_list(s, c.case_id, false, collect, &g, &err), CB_OK);
	assert_int_equal(g.n, 2);
	assert_false(g.has_text[0]);
	/* sealed: never on disk in the clear; the act is in the trail */
	cb_store_free(&s);
	assert_nowhere(db, "Wrexalind");
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'note.add' AND \"user\" = 'amira'"), 1);
	/* erasing the case's details clears the texts and keeps the dated entries */
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cb_store_erase(s, c.case_id, false, &err), CB_OK);
	memset(&g, 0, sizeof g);
	assert_int_equal(cb_note_list(s, c.case_id, true, collect, &g, &err), CB_OK);
	assert_int_equal(g.n, 2);
	assert_false(g.has_text[0]);
	assert_false(g.has_text[1]);
	cb_case_clear(&c);
	cb_store_free(&s);
}

static void test_gone_with_the_case(void **state)
{
	(void)state;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_err err = {0};
	struct cb_case c;
	make_case(&c, 2, false);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(cb_note_add(s, c.case_id, NOTE1, NULL, NULL, &err), CB_OK);
	/* a case with only a note still has a key to keep */
	assert_no_problems(s);
	assert_int_equal(cb_store_erase(s, c.case_id, true, &err), CB_OK);
	cb_store_free(&s);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM case_notes"), 0);
	assert_nowhere(db, "Wrexalind");
	cb_case_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_list_sealed),
		cmocka_unit_test(test_gone_with_the_case),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_codebook.c -- tests of src/http/codebook.c through a real server on 127.0.0.1: GET /api/codebook,
 * anonymous, holds every field with its value set, the statistical dimensions, every value set of the
 * codebook, and every state machine of include/tbl/cb_states.h move for move (each pair of states is in
 * the export exactly when care/states.c allows it), so that the web pages need copy none.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

#include "care/states.h"

static int setup(void **state)
{
	(void)state;
	return server_up("codebook.db", NULL);
}

static void test_fields_and_dimensions(void **state)
{
	(void)state;
	struct resp r = http("GET", "/api/codebook", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "fields")) > 20);
	assert_true(json_array_size(json_object_get(r.json, "dimensions")) > 5);
	resp_free(&r);
}

static json_t *codebook(void)
{
	struct resp r = http("GET", "/api/codebook", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	json_t *doc = json_incref(r.json);
	resp_free(&r);
	return doc;
}

static bool has_string(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

/* Every value set, value for value and in order: those of casework records (statuses, referral reasons)
 * that are no case field among them. */
static void test_value_sets(void **state)
{
	(void)state;
	json_t *doc = codebook(), *sets = json_object_get(doc, "value_sets");
	assert_int_equal(json_array_size(sets), CB_VS__COUNT);
	for (int v = 0; v < CB_VS__COUNT; v++) {
		json_t *set = json_array_get(sets, (size_t)v), *vals = json_object_get(set, "values");
		assert_string_equal(json_string_value(json_object_get(set, "name")), cb_vsets[v].name);
		assert_int_equal(json_array_size(vals), cb_vsets[v].count);
		for (int i = 0; i < cb_vsets[v].count; i++) {
			json_t *x = json_array_get(vals, (size_t)i);
			assert_string_equal(json_string_value(json_object_get(x, "name")), cb_vsets[v].values[i].name);
			assert_string_equal(json_string_value(json_object_get(x, "label")), cb_vsets[v].values[i].label);
		}
	}
	/* the referral reasons the web page used to copy */
	json_t *reasons = json_object_get(json_array_get(sets, CB_VS_referral_reason), "values");
	assert_string_equal(json_string_value(json_object_get(json_array_get(reasons, 0), "name")),
			    "AdditionalServicesRequired");
	/* and the transfer reasons the transfer pages used to copy, labelled */
	json_t *tr = json_object_get(json_array_get(sets, CB_VS_transfer_reason), "values");
	assert_string_equal(json_string_value(json_object_get(json_array_get(tr, 0), "name")), "PersonMoved");
	assert_string_equal(json_string_value(json_object_get(json_array_get(tr, 0), "label")), "The person moved");
	json_t *rj = json_object_get(json_array_get(sets, CB_VS_transfer_reject_reason), "values");
	assert_string_equal(json_string_value(json_object_get(json_array_get(rj, 3), "name")), "IncompleteFile");
	json_decref(doc);
}

/* The state machines: each pair of states is a move in the export exactly when care/ allows it, with what
 * it needs; `next` lists the same moves by state; the initial states; the stages' case status. */
static void test_machines(void **state)
{
	(void)state;
	json_t *doc = codebook(), *machines = json_object_get(doc, "machines");
	assert_int_equal(json_array_size(machines), CB_MACHINE__COUNT);
	for (int m = 0; m < CB_MACHINE__COUNT; m++) {
		const struct cb_machine *cm = &cb_machines[m];
		const struct cb_vset *vs = &cb_vsets[cm->vset];
		json_t *jm = json_array_get(machines, (size_t)m), *next = json_object_get(jm, "next");
		assert_string_equal(json_string_value(json_object_get(jm, "id")), cm->id);
		assert_string_equal(json_string_value(json_object_get(jm, "value_set")), vs->name);
		assert_string_equal(json_string_value(json_object_get(jm, "initial")), vs->values[cm->initial].name);
		assert_int_equal(json_array_size(json_object_get(jm, "states")), vs->count);
		assert_int_equal(json_array_size(json_object_get(jm, "moves")), cm->nmoves);
		for (int from = 0; from < vs->count; from++)
			for (int to = 0; to < vs->count; to++) {
				unsigned needs = 0;
				bool allowed = cb_move_allowed((enum cb_machine_id)m, from, to, &needs);
				json_t *to_list = json_object_get(next, vs->values[from].name);
				assert_non_null(to_list);
				if (allowed != has_string(to_list, vs->values[to].name))
					fail_msg("%s: %s -> %s is %s by care/ but not so in the codebook", cm->id,
						 vs->values[from].name, vs->values[to].name, allowed ? "allowed" : "refused");
				size_t i;
				json_t *mv;
				bool found = false;
				json_array_foreach(json_object_get(jm, "moves"), i, mv) {
					if (strcmp(json_string_value(json_object_get(mv, "from")), vs->values[from].name) ||
					    strcmp(json_string_value(json_object_get(mv, "to")), vs->values[to].name))
						continue;
					found = true;
					json_t *n = json_object_get(mv, "needs");
					assert_int_equal(has_string(n, "reason"), (needs & CB_MOVE_REASON) != 0);
					assert_int_equal(has_string(n, "screened"), (needs & CB_MOVE_SCREENED) != 0);
					assert_int_equal(has_string(n, "reopen"), (needs & CB_MOVE_REOPEN) != 0);
				}
				assert_int_equal(found, allowed);
			}
	}
	/* what the web pages used to copy: the referral's steps, the workflow's first ones, reopening */
	json_t *ref = json_object_get(json_array_get(machines, CB_MACHINE_referral), "next");
	assert_int_equal(json_array_size(json_object_get(ref, "pending")), 2);
	assert_true(has_string(json_object_get(ref, "pending"), "accepted"));
	assert_true(has_string(json_object_get(ref, "pending"), "rejected"));
	assert_true(has_string(json_object_get(ref, "accepted"), "completed"));
	assert_int_equal(json_array_size(json_object_get(ref, "completed")), 0);
	json_t *stage = json_array_get(machines, CB_MACHINE_stage);
	assert_true(has_string(json_object_get(json_object_get(stage, "next"), "screening"), "assistance"));
	assert_false(has_string(json_object_get(json_object_get(stage, "next"), "screening"), "reintegration"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(stage, "case_status"), "follow_up")),
			    "FollowUp");
	assert_string_equal(json_string_value(json_object_get(json_object_get(stage, "case_status"), "closed")), "Closed");
	/* the roles of accounts, which the users page offers */
	json_t *roles = json_object_get(doc, "roles");
	assert_int_equal(json_array_size(roles), CB_ROLE__COUNT);
	for (int r = 0; r < CB_ROLE__COUNT; r++)
		assert_true(has_string(roles, cb_role_name((enum cb_role)r)));
	/* the needs, named and worded */
	json_t *needs = json_object_get(doc, "move_needs");
	assert_int_equal(json_array_size(needs), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(needs, 1), "name")), "reason");
	assert_string_equal(json_string_value(json_object_get(json_array_get(needs, 1), "text")),
			    cb_move_need_text(CB_MOVE_REASON));
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_dimensions),
		cmocka_unit_test(test_value_sets),
		cmocka_unit_test(test_machines),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}

/*
 * test_changes.c -- tests of src/store/changes.c: the "cases changed" hook sees every committed add, update,
 * change of a kept field and erasure, once per case, after the commit; nothing of a rollback; nothing when
 * a kept field is written unchanged; nothing after it is removed.  Each kind of write of casework that changes
 * what a case holds calls it too: assistance, referrals (and their partner's type), a stage, a transfer.
 */
#include "store_helpers.h"

#include "care/assist.h"
#include "care/transfer.h"

struct seen {
	int n, all;
	uint8_t last[16];
};

static void hook(void *ctx, const uint8_t *id)
{
	struct seen *w = ctx;
	if (!id) {
		w->all++;
		return;
	}
	w->n++;
	memcpy(w->last, id, 16);
}

static void test_changes(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct seen w = {0};
	struct cb_case c, d;
	struct cb_store *s = open_new(new_db());
	cb_store_on_change(s, hook, &w);

	make_case(&c, 1, true);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(w.n, 1);
	assert_memory_equal(w.last, c.case_id, 16);

	/* an update: one call, with the case's id */
	set(&c, "gender", "Masculine");
	assert_int_equal(cb_store_update(s, &c, 0, &err), CB_OK);
	assert_int_equal(w.n, 2);

	/* kept fields written as they are: no change, no call; changed: one */
	assert_int_equal(cb_store_get(s, c.case_id, 0, &d, &err), CB_OK);
	assert_int_equal(cb_store_tx_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_update_kept(s, &d, &err), CB_OK);
	assert_int_equal(cb_store_tx_end(s, CB_OK, &err), CB_OK);
	assert_int_equal(w.n, 2);
	d.case_stage = CB_case_stage_assistance;
	assert_int_equal(cb_store_tx_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_update_kept(s, &d, &err), CB_OK);
	assert_int_equal(w.n, 2); /* not before the commit */
	assert_int_equal(cb_store_tx_end(s, CB_OK, &err), CB_OK);
	assert_int_equal(w.n, 3);

	/* a bulk batch rolled back: nothing; committed: one call a case */
	struct cb_case e;
	make_case(&e, 2, false);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_add(s, &e, NULL, &err), CB_OK);
	cb_store_rollback(s);
	assert_int_equal(w.n, 3);
	make_case(&e, 3, false);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_add(s, &e, NULL, &err), CB_OK);
	assert_int_equal(w.n, 3);
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	assert_int_equal(w.n, 4);
	assert_memory_equal(w.last, e.case_id, 16);

	/* an erasure, and a failed transaction of kept fields (rolled back by its end) */
	assert_int_equal(cb_store_erase(s, c.case_id, false, &err), CB_OK);
	assert_int_equal(w.n, 5);
	assert_memory_equal(w.last, c.case_id, 16);
	d.case_stage = CB_case_stage_return;
	assert_int_equal(cb_store_tx_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_update_kept(s, &d, &err), CB_OK);
	assert_int_equal(cb_store_tx_end(s, CB_EINVAL, &err), CB_EINVAL);
	assert_int_equal(w.n, 5);

	/* removed: nothing more */
	cb_store_on_change(s, NULL, NULL);
	make_case(&e, 4, false);
	assert_int_equal(cb_store_add(s, &e, NULL, &err), CB_OK);
	assert_int_equal(w.n, 5);
	assert_int_equal(w.all, 0);
	cb_case_clear(&c);
	cb_case_clear(&d);
	cb_case_clear(&e);
	cb_store_free(&s);
}

/* Each kind of casework write calls the hook once for the case it changed, after its commit. */
static void test_care_writes(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct seen w = {0};
	struct cb_case c;
	struct cb_store *s = open_new(new_db());
	make_case(&c, 1, false);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	cb_store_on_change(s, hook, &w);
	int n = 0;
#define CHANGED()                                                                                                      \
	do {                                                                                                           \
		assert_int_equal(w.n, ++n);                                                                            \
		assert_memory_equal(w.last, c.case_id, 16);                                                            \
	} while (0)

	struct cb_partner p;
	cb_partner_init(&p);
	snprintf(p.name, sizeof p.name, "Delta");
	p.type = CB_org_type_NGO;
	p.country = cb_country_find("MD");
	p.services = UINT64_C(1) << CB_assistance_type_medical;
	assert_int_equal(cb_partner_add(s, &p, NULL, &err), CB_OK);
	assert_int_equal(w.n, 0); /* no case referred to it yet */

	struct cb_assist a;
	cb_assist_init(&a);
	memcpy(a.case_id, c.case_id, 16);
	a.type = CB_assistance_type_medical;
	a.status = CB_assistance_status_planned;
	if (cb_assist_add(s, &a, NULL, NULL, &err) != CB_OK)
		fail_msg("%s", err.msg);
	CHANGED();
	a.status = CB_assistance_status_cancelled;
	assert_int_equal(cb_assist_update(s, &a, 0, NULL, NULL, &err), CB_OK);
	CHANGED();

	struct cb_referral r;
	cb_referral_init(&r);
	memcpy(r.case_id, c.case_id, 16);
	r.org_id = p.id;
	r.reason = CB_referral_reason_AdditionalServices;
	if (cb_referral_add(s, &r, NULL, NULL, &err) != CB_OK)
		fail_msg("%s", err.msg);
	CHANGED();
	/* its partner's type is a dimension of the cases referred to it */
	p.type = CB_org_type_LocalGov;
	assert_int_equal(cb_partner_update(s, &p, NULL, &err), CB_OK);
	CHANGED();
	assert_int_equal(cb_referral_set_status(s, r.id, CB_referral_status_rejected, &err), CB_OK);
	CHANGED();
	cb_referral_clear(&r);

	if (cb_stage_move(s, c.case_id, CB_case_stage_closed, "no contact since the first interview", NULL, &err) != CB_OK)
		fail_msg("%s", err.msg);
	CHANGED();

	struct cb_transfer t;
	assert_int_equal(cb_transfer_request(s, c.case_id, "LVIV-2", "PersonMoved", NULL, &t, &err), CB_OK);
	assert_int_equal(w.n, n); /* a request moves nothing */
	assert_int_equal(cb_transfer_decide(s, t.id, true, NULL, NULL, &t, &err), CB_OK);
	CHANGED();
#undef CHANGED
	assert_int_equal(w.all, 0);
	cb_case_clear(&c);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_care_writes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

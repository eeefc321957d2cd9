/*
 * test_workflow.c -- tests of src/care/workflow.c: every step of the workflow table, allowed or refused
 * with its reason (cb_stage_check on every pair of stages), cb_stage_move storing the step, the case status
 * and an audit entry, reopening to the stage a case was closed from, follow-ups and the overdue list, and
 * the site dashboard; the retention query (cb_retention_due).
 */
#include <time.h>

#include "store/store_helpers.h"

#include "access/access.h"
#include "care/assist.h"
#include "store/store.h"

#define REASON "the person moved abroad and asked us to stop"

static struct cb_store *new_store(void)
{
	unsetenv("CASEBANK_KEY_FILE");
	return open_new(new_db());
}

static void add_case(struct cb_store *s, const char *site, bool screened, uint8_t id[16])
{
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_site], site, &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_year], "2024", &err), CB_OK);
	if (screened) {
		c.trafficking_status = CB_trafficking_status_Actual;
		c.status_decided_by = CB_decision_org_NGO;
		c.consent_assistance = CB_yes_no_yes;
	}
	if (cb_store_add(s, &c, NULL, &err) != CB_OK)
		fail_msg("%s", err.msg);
	memcpy(id, c.case_id, 16);
	cb_case_clear(&c);
}

static int32_t stage(const char *name)
{
	int32_t v;
	assert_int_equal(cb_stage_parse(name, &v, NULL), CB_OK);
	return v;
}

static void move_ok(struct cb_store *s, const uint8_t id[16], const char *to, const char *reason)
{
	struct cb_err err = {0};
	if (cb_stage_move(s, id, stage(to), reason, NULL, &err) != CB_OK)
		fail_msg("-> %s: %s", to, err.msg);
}

static void move_refused(struct cb_store *s, const uint8_t id[16], const char *to, const char *reason, int code,
			 const char *needle)
{
	struct cb_err err = {0};
	int32_t before, after;
	assert_int_equal(cb_stage_get(s, id, &before, NULL), CB_OK);
	assert_int_equal(cb_stage_move(s, id, stage(to), reason, NULL, &err), code);
	if (!strstr(err.msg, needle))
		fail_msg("refusal '%s' lacks '%s'", err.msg, needle);
	assert_int_equal(cb_stage_get(s, id, &after, NULL), CB_OK);
	assert_int_equal(before, after);
}

/* The whole table: which pairs are steps, and that every other pair is refused naming the next steps. */
static void test_table(void **state)
{
	(void)state;
	static const char *const allowed[] = {"screening>assistance", "screening>closed", "assistance>return",
					      "assistance>reintegration", "assistance>closed", "return>reintegration",
					      "return>closed", "reintegration>follow_up", "reintegration>closed",
					      "follow_up>closed"};
	struct cb_case c;
	cb_case_init(&c);
	c.trafficking_status = CB_trafficking_status_Possible;
	c.status_decided_by = CB_decision_org_Police;
	c.consent_assistance = CB_yes_no_yes;
	for (int from = 0; from < CB_case_stage__COUNT; from++) {
		for (int to = 0; to < CB_case_stage__COUNT; to++) {
			char pair[64];
			struct cb_err err = {0};
			const char *fn = cb_vsets[CB_VS_case_stage].values[from].name, *tn = cb_vsets[CB_VS_case_stage].values[to].name;
			bool ok = false;
			snprintf(pair, sizeof pair, "%s>%s", fn, tn);
			for (size_t k = 0; k < CB_COUNTOF(allowed); k++)
				ok |= strcmp(pair, allowed[k]) == 0;
			c.case_stage = from;
			int rc = cb_stage_check(&c, to, REASON, CB_NA, &err);
			if (from == CB_case_stage_closed) /* reopening: only to where it was closed from */
				ok = to == CB_case_stage_screening;
			if (ok && rc != CB_OK)
				fail_msg("%s refused: %s", pair, err.msg);
			if (!ok && rc == CB_OK)
				fail_msg("%s allowed", pair);
			if (!ok) {
				assert_int_equal(rc, CB_EINVAL);
				assert_string_equal(err.field, "case_stage");
			}
		}
	}
	struct cb_err err = {0};
	c.case_stage = CB_case_stage_reintegration;
	assert_int_equal(cb_stage_check(&c, CB_case_stage_assistance, NULL, CB_NA, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "reintegration -> assistance is not a step"));
	assert_non_null(strstr(err.msg, "follow_up, closed (with a reason)"));
	c.case_stage = CB_case_stage_follow_up;
	assert_int_equal(cb_stage_check(&c, CB_case_stage_follow_up, NULL, CB_NA, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "already at follow_up"));
	assert_int_equal(cb_stage_check(&c, CB_case_stage_closed, NULL, CB_NA, &err), CB_OK); /* the normal end */
	assert_int_equal(cb_stage_check(&c, CB_NA, REASON, CB_NA, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "only a closed case can be reopened"));
	cb_case_clear(&c);
}

static void test_screening_decision(void **state)
{
	(void)state;
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	c.case_stage = CB_case_stage_screening;
	assert_int_equal(cb_stage_check(&c, CB_case_stage_assistance, NULL, CB_NA, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "trafficking_status and status_decided_by are missing"));
	c.trafficking_status = CB_trafficking_status_Actual;
	assert_int_equal(cb_stage_check(&c, CB_case_stage_assistance, NULL, CB_NA, &err), CB_EINVAL);
	assert_string_equal(err.field, "status_decided_by");
	c.trafficking_status = CB_NA;
	c.status_decided_by = CB_decision_org_Court;
	assert_int_equal(cb_stage_check(&c, CB_case_stage_assistance, NULL, CB_NA, &err), CB_EINVAL);
	assert_string_equal(err.field, "trafficking_status");
	c.trafficking_status = CB_trafficking_status_NotAVictim;
	assert_int_equal(cb_stage_check(&c, CB_case_stage_assistance, NULL, CB_NA, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "NotAVictimOfTrafficking"));
	c.trafficking_status = CB_trafficking_status_Possible;
	assert_int_equal(cb_stage_check(&c, CB_case_stage_assistance, NULL, CB_NA, &err), CB_ECONSENT);
	assert_string_equal(err.field, "consent_assistance");
	c.consent_assistance = CB_yes_no_no;
	assert_int_equal(cb_stage_check(&c, CB_case_stage_assistance, NULL, CB_NA, &err), CB_ECONSENT);
	c.consent_assistance = CB_yes_no_yes;
	assert_int_equal(cb_stage_check(&c, CB_case_stage_assistance, NULL, CB_NA, &err), CB_OK);
	/* closing early needs a reason of 10 characters or more */
	assert_int_equal(cb_stage_check(&c, CB_case_stage_closed, NULL, CB_NA, &err), CB_EINVAL);
	assert_string_equal(err.field, "reason");
	assert_int_equal(cb_stage_check(&c, CB_case_stage_closed, "too short", CB_NA, &err), CB_EINVAL);
	assert_int_equal(cb_stage_check(&c, CB_case_stage_closed, "long enough", CB_NA, &err), CB_OK);
	cb_case_clear(&c);
	int32_t v;
	assert_int_equal(cb_stage_parse("finished", &v, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "screening, assistance, return"));
	assert_int_equal(cb_stage_parse("reopen", &v, &err), CB_OK);
	assert_int_equal(v, CB_NA);
}

struct events {
	int stage, reopen;
	char last[2048];
};

static int count_events(const struct cb_audit_entry *e, void *ctx)
{
	struct events *ev = ctx;
	if (!strcmp(e->action, "case.stage"))
		ev->stage++;
	if (!strcmp(e->action, "case.reopen"))
		ev->reopen++;
	if (!ev->last[0])
		snprintf(ev->last, sizeof ev->last, "%s", e->detail);
	return 0;
}

static void test_move_and_reopen(void **state)
{
	(void)state;
	struct cb_store *s = new_store();
	struct cb_case c;
	struct cb_err err = {0};
	struct events ev = {0};
	uint8_t id[16], raw[16];
	add_case(s, "MD-CHISINAU", true, id);
	add_case(s, "MD-CHISINAU", false, raw);
	move_refused(s, raw, "assistance", NULL, CB_EINVAL, "trafficking_status");
	move_refused(s, id, "return", NULL, CB_EINVAL, "not a step");
	move_ok(s, id, "assistance", NULL);
	move_ok(s, id, "return", NULL);
	move_refused(s, id, "assistance", NULL, CB_EINVAL, "from return a case moves to reintegration");
	move_ok(s, id, "reintegration", NULL);
	move_refused(s, id, "closed", "short", CB_EINVAL, "needs a reason");
	move_ok(s, id, "closed", REASON);
	assert_int_equal(cb_store_get(s, id, 0, &c, &err), CB_OK);
	assert_int_equal(c.case_stage, CB_case_stage_closed);
	assert_int_equal(c.status, CB_case_status_Closed);
	cb_case_clear(&c);
	/* reopening goes back to reintegration, and nowhere else */
	move_refused(s, id, "assistance", REASON, CB_EINVAL, "reopens to the stage it was closed from (reintegration)");
	move_refused(s, id, "reopen", NULL, CB_EINVAL, "reopening a closed case needs a reason");
	move_ok(s, id, "reopen", "the person came back for help");
	assert_int_equal(cb_store_get(s, id, 0, &c, &err), CB_OK);
	assert_int_equal(c.case_stage, CB_case_stage_reintegration);
	assert_int_equal(c.status, CB_case_status_Active);
	cb_case_clear(&c);
	move_ok(s, id, "follow_up", NULL);
	assert_int_equal(cb_store_get(s, id, 0, &c, &err), CB_OK);
	assert_int_equal(c.status, CB_case_status_FollowUp);
	cb_case_clear(&c);
	move_ok(s, id, "closed", NULL);
	/* every step is an audit entry without the reason's text */
	assert_int_equal(cb_audit_list(s, id, 0, count_events, &ev, &err), CB_OK);
	assert_int_equal(ev.stage, 6);
	assert_int_equal(ev.reopen, 1);
	assert_string_equal(ev.last, "from=follow_up to=closed");
	int64_t checked, bad;
	assert_int_equal(cb_audit_verify(s, &checked, &bad, &err), CB_OK);
	uint8_t none[16] = {7};
	assert_int_equal(cb_stage_move(s, none, CB_case_stage_closed, REASON, NULL, &err), CB_ENOTFOUND);
	cb_store_free(&s);
}

struct fl {
	int n;
	int32_t due[8];
};

static int collect(const struct cb_followup *f, void *ctx)
{
	struct fl *l = ctx;
	if (l->n < 8)
		l->due[l->n] = f->due_on;
	l->n++;
	assert_null(f->note); /* never without CB_WITH_PII */
	return 0;
}

static void test_followups(void **state)
{
	(void)state;
	struct cb_store *s = new_store();
	struct cb_followup f;
	struct cb_err err = {0};
	uint8_t a[16], b[16];
	int32_t today;
	assert_int_equal(cb_date_parse("2025-06-15", &today), CB_OK);
	add_case(s, "MD-CHISINAU", false, a);
	add_case(s, "MD-BALTI", false, b);
	cb_followup_init(&f);
	memcpy(f.case_id, a, 16);
	assert_int_equal(cb_followup_add(s, &f, &err), CB_EINVAL); /* no due date */
	assert_string_equal(err.field, "due_on");
	int64_t ids[3];
	const char *due[3] = {"2025-06-01", "2025-07-01", "2025-05-01"};
	for (int i = 0; i < 3; i++) {
		cb_followup_init(&f);
		memcpy(f.case_id, i == 2 ? b : a, 16);
		assert_int_equal(cb_date_parse(due[i], &f.due_on), CB_OK);
		f.note = i == 0 ? strdup("call her sister first") : NULL;
		assert_int_equal(cb_followup_add(s, &f, &err), CB_OK);
		ids[i] = f.id;
		cb_followup_clear(&f);
	}
	struct cb_followup_filter flt = {.overdue = true, .today = today};
	struct fl l = {0};
	assert_int_equal(cb_followup_list(s, &flt, 0, collect, &l, &err), CB_OK);
	assert_int_equal(l.n, 2); /* by due date: b's, then a's first */
	int32_t d0;
	assert_int_equal(cb_date_parse("2025-05-01", &d0), CB_OK);
	assert_int_equal(l.due[0], d0);
	/* a caseworker's office only */
	flt.site = "MD-CHISINAU";
	memset(&l, 0, sizeof l);
	assert_int_equal(cb_followup_list(s, &flt, 0, collect, &l, &err), CB_OK);
	assert_int_equal(l.n, 1);
	/* done is no longer overdue */
	assert_int_equal(cb_followup_done(s, ids[0], CB_NA, &err), CB_OK);
	memset(&l, 0, sizeof l);
	assert_int_equal(cb_followup_list(s, &flt, 0, collect, &l, &err), CB_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(cb_followup_done(s, 999, CB_NA, &err), CB_ENOTFOUND);
	/* without --overdue: all of them, done ones too */
	struct cb_followup_filter all = {.today = today, .case_id = a};
	memset(&l, 0, sizeof l);
	assert_int_equal(cb_followup_list(s, &all, 0, collect, &l, &err), CB_OK);
	assert_int_equal(l.n, 2);
	cb_store_free(&s);
}

static void test_dashboard(void **state)
{
	(void)state;
	struct cb_store *s = new_store();
	struct cb_dashboard d;
	struct cb_err err = {0};
	uint8_t a[16], b[16], c[16];
	int32_t today;
	assert_int_equal(cb_date_parse("2025-06-15", &today), CB_OK);
	add_case(s, "MD-CHISINAU", true, a);
	add_case(s, "MD-CHISINAU", true, b);
	add_case(s, "MD-BALTI", false, c);
	move_ok(s, a, "assistance", NULL);
	move_ok(s, b, "closed", REASON);
	struct cb_partner p;
	cb_partner_init(&p);
	snprintf(p.name, sizeof p.name, "Casa Noua");
	p.type = CB_org_type_NGO;
	p.country = cb_country_find("MD");
	p.beds = 4;
	assert_int_equal(cb_partner_add(s, &p, NULL, &err), CB_OK);
	const char *starts[] = {"2025-06-02", "2025-05-20", "2024-06-01", "2025-06-10"};
	for (int i = 0; i < 4; i++) {
		struct cb_assist x;
		cb_assist_init(&x);
		memcpy(x.case_id, i == 3 ? c : a, 16);
		x.type = i == 1 ? CB_assistance_type_legal : CB_assistance_type_accommodation;
		x.status = CB_assistance_status_ongoing;
		x.provider = x.type == CB_assistance_type_accommodation ? p.id : 0;
		assert_int_equal(cb_date_parse(starts[i], &x.start_on), CB_OK);
		assert_int_equal(cb_assist_add(s, &x, NULL, NULL, &err), CB_OK);
	}
	struct cb_followup f;
	cb_followup_init(&f);
	memcpy(f.case_id, a, 16);
	assert_int_equal(cb_date_parse("2025-06-01", &f.due_on), CB_OK);
	assert_int_equal(cb_followup_add(s, &f, &err), CB_OK);

	assert_int_equal(cb_dashboard(s, NULL, today, &d, &err), CB_OK);
	assert_int_equal(d.by_stage[CB_case_stage_assistance], 1);
	assert_int_equal(d.by_stage[CB_case_stage_closed], 1);
	assert_int_equal(d.by_stage[CB_case_stage_screening], 1);
	assert_int_equal(d.delivered[CB_DASH_MONTHS - 1][CB_assistance_type_accommodation], 2); /* June 2025 */
	assert_int_equal(d.delivered[CB_DASH_MONTHS - 2][CB_assistance_type_legal], 1);        /* May 2025 */
	long all = 0;
	for (int k = 0; k < CB_DASH_MONTHS; k++)
		for (int t = 0; t < CB_assistance_type__COUNT; t++)
			all += d.delivered[k][t];
	assert_int_equal(all, 3); /* June 2024 is more than 12 months back */
	assert_int_equal(d.overdue, 1);
	assert_int_equal(d.nshelters, 1);
	assert_int_equal(d.shelters[0].beds, 4);
	assert_int_equal(d.shelters[0].occupied, 3);
	cb_dashboard_clear(&d);
	/* one office */
	assert_int_equal(cb_dashboard(s, "MD-BALTI", today, &d, &err), CB_OK);
	assert_int_equal(d.by_stage[CB_case_stage_screening], 1);
	assert_int_equal(d.by_stage[CB_case_stage_assistance], 0);
	assert_int_equal(d.delivered[CB_DASH_MONTHS - 1][CB_assistance_type_accommodation], 1);
	assert_int_equal(d.overdue, 0);
	assert_int_equal(d.nshelters, 1);
	cb_dashboard_clear(&d);
	/* a shelter private to one office is on that office's dashboard (and on all offices'), not another's */
	cb_partner_init(&p);
	snprintf(p.name, sizeof p.name, "Balti Haven");
	snprintf(p.site, sizeof p.site, "MD-BALTI");
	p.type = CB_org_type_NGO;
	p.country = cb_country_find("MD");
	p.beds = 2;
	assert_int_equal(cb_partner_add(s, &p, NULL, &err), CB_OK);
	assert_int_equal(cb_dashboard(s, "MD-BALTI", today, &d, &err), CB_OK);
	assert_int_equal(d.nshelters, 2);
	assert_string_equal(d.shelters[0].name, "Balti Haven");
	cb_dashboard_clear(&d);
	assert_int_equal(cb_dashboard(s, "MD-CHISINAU", today, &d, &err), CB_OK);
	assert_int_equal(d.nshelters, 1);
	assert_string_equal(d.shelters[0].name, "Casa Noua");
	cb_dashboard_clear(&d);
	assert_int_equal(cb_dashboard(s, NULL, today, &d, &err), CB_OK);
	assert_int_equal(d.nshelters, 2);
	cb_dashboard_clear(&d);
	cb_store_free(&s);
}

/* Retention finds closed cases by when they were closed, and (identifiers only) those still holding some. */
static void test_retention_due(void **state)
{
	(void)state;
	struct cb_store *s = new_store();
	struct cb_err err = {0};
	uint8_t open_case[16], closed[16], (*ids)[16] = NULL;
	size_t n = 99;
	add_case(s, "MD-CHISINAU", true, open_case);
	add_case(s, "MD-CHISINAU", true, closed);
	struct cb_case c;
	assert_int_equal(cb_store_get(s, closed, CB_WITH_PII, &c, &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_first_name], "Zorilda", &err), CB_OK);
	assert_int_equal(cb_store_update(s, &c, CB_WITH_PII, &err), CB_OK);
	cb_case_clear(&c);
	move_ok(s, open_case, "assistance", NULL);
	move_ok(s, closed, "closed", REASON);
	/* closed outside the workflow: an imported case whose HTCDS status says so, with details */
	cb_case_init(&c);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_site], "MD-CHISINAU", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_year], "2024", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_first_name], "Zorilda", &err), CB_OK);
	c.status = CB_case_status_ClosedReferred;
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	cb_case_clear(&c);

	int64_t now = (int64_t)time(NULL);
	assert_int_equal(cb_retention_due(s, now - 86400, true, &ids, &n, &err), CB_OK); /* closed today: too young */
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(cb_retention_due(s, now + 86400, true, &ids, &n, &err), CB_OK);
	assert_int_equal(n, 2);
	assert_true(!memcmp(ids[0], closed, 16) || !memcmp(ids[1], closed, 16));
	assert_true(memcmp(ids[0], open_case, 16) && memcmp(ids[1], open_case, 16));
	for (size_t i = 0; i < n; i++)
		if (memcmp(ids[i], closed, 16))
			assert_int_equal(cb_store_erase(s, ids[i], false, &err), CB_OK);
	free(ids);
	/* once their details are gone, a nightly run no longer finds them; a run erasing whole cases still does */
	assert_int_equal(cb_store_erase(s, closed, false, &err), CB_OK);
	assert_int_equal(cb_retention_due(s, now + 86400, true, &ids, &n, &err), CB_OK);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(cb_retention_due(s, now + 86400, false, &ids, &n, &err), CB_OK);
	assert_int_equal(n, 2);
	free(ids);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_screening_decision),
		cmocka_unit_test(test_move_and_reopen),
		cmocka_unit_test(test_followups),
		cmocka_unit_test(test_dashboard),
		cmocka_unit_test(test_retention_due),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

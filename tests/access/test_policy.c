/*
 * test_policy.c -- tests of src/access/policy.c: the authorisation matrix of docs/api.md, every endpoint x every
 * role x a record of the caller's own office or another's.  One row an endpoint: the route is looked up the
 * way the server does (cb_http_route), so a new endpoint without a row here fails test_every_route_has_a_row.
 *
 * Cells: 0 allowed, 403 refused, 404 the record is outside the caller's scope (never confirmed to exist).
 * Columns: admin own/other, manager own/other, caseworker own/other, analyst own/other.  For the overdue
 * follow-ups and the dashboard "own/other" is the office asked for.
 */
#include "cb_test.h"

#include "access/policy.h"
#include "http/api.h"

#define OWN "MD-CHISINAU"
#define OTHER "UA-KYIV"

static const struct row {
	const char *method, *path;
	enum cb_action action;
	int expect[CB_ROLE__COUNT][2]; /* [role][own, other] */
} rows[] = {
	/*                                                         admin       manager   caseworker   analyst */
	{"GET", "/api/codebook", CB_ACT_CODEBOOK, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
	{"GET", "/api/me", CB_ACT_ME, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
	{"PATCH", "/api/me", CB_ACT_ME, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
	{"GET", "/api/strings", CB_ACT_CODEBOOK, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
	{"POST", "/api/login", CB_ACT_LOGIN, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
	{"POST", "/api/logout", CB_ACT_LOGOUT, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
	{"GET", "/api/cases", CB_ACT_CASE_LIST, {{403, 403}, {0, 0}, {0, 0}, {403, 403}}},
	{"POST", "/api/cases", CB_ACT_CASE_CREATE, {{403, 403}, {0, 0}, {0, 403}, {403, 403}}},
	{"GET", "/api/cases/ID", CB_ACT_CASE_READ, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"PATCH", "/api/cases/ID", CB_ACT_CASE_UPDATE, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"POST", "/api/cases/ID/glass", CB_ACT_GLASS, {{404, 404}, {0, 0}, {403, 404}, {404, 404}}},
	{"GET", "/api/stats", CB_ACT_STATS, {{403, 403}, {0, 0}, {403, 403}, {0, 0}}},
	{"GET", "/api/report", CB_ACT_REPORT, {{403, 403}, {0, 0}, {403, 403}, {0, 0}}},
	{"GET", "/api/audit", CB_ACT_AUDIT, {{0, 0}, {0, 0}, {403, 403}, {403, 403}}},
	{"GET", "/api/users", CB_ACT_USERS, {{0, 0}, {403, 403}, {403, 403}, {403, 403}}},
	{"POST", "/api/users", CB_ACT_USERS, {{0, 0}, {403, 403}, {403, 403}, {403, 403}}},
	{"PATCH", "/api/users/amira", CB_ACT_USERS, {{0, 0}, {403, 403}, {403, 403}, {403, 403}}},
	{"GET", "/api/partners", CB_ACT_PARTNER_LIST, {{403, 403}, {0, 0}, {0, 0}, {403, 403}}},
	{"POST", "/api/partners", CB_ACT_PARTNER_MANAGE, {{403, 403}, {0, 0}, {403, 403}, {403, 403}}},
	{"PATCH", "/api/partners/7", CB_ACT_PARTNER_MANAGE, {{403, 403}, {0, 0}, {403, 403}, {403, 403}}},
	{"GET", "/api/cases/ID/assistance", CB_ACT_ASSIST_READ, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"POST", "/api/cases/ID/assistance", CB_ACT_ASSIST_WRITE, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"PATCH", "/api/cases/ID/assistance/3", CB_ACT_ASSIST_WRITE, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"GET", "/api/cases/ID/referrals", CB_ACT_ASSIST_READ, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"POST", "/api/cases/ID/referrals", CB_ACT_ASSIST_WRITE, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"PATCH", "/api/cases/ID/referrals/3", CB_ACT_ASSIST_WRITE, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"POST", "/api/cases/ID/stage", CB_ACT_STAGE, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"GET", "/api/cases/ID/followups", CB_ACT_ASSIST_READ, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"POST", "/api/cases/ID/followups", CB_ACT_ASSIST_WRITE, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"PATCH", "/api/cases/ID/followups/3", CB_ACT_ASSIST_WRITE, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"GET", "/api/followups/overdue", CB_ACT_OVERDUE, {{403, 403}, {0, 0}, {0, 403}, {403, 403}}},
	{"GET", "/api/dashboard", CB_ACT_DASHBOARD, {{403, 403}, {0, 0}, {0, 403}, {403, 403}}},
	{"GET", "/api/cases/ID/links", CB_ACT_CASE_READ, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"GET", "/api/duplicates", CB_ACT_DUPLICATES, {{403, 403}, {0, 0}, {0, 403}, {403, 403}}},
	{"POST", "/api/links", CB_ACT_LINK, {{404, 404}, {0, 0}, {403, 404}, {404, 404}}},
	{"GET", "/api/filters", CB_ACT_FILTERS, {{403, 403}, {0, 0}, {0, 0}, {403, 403}}},
	{"POST", "/api/filters", CB_ACT_FILTERS, {{403, 403}, {0, 0}, {0, 0}, {403, 403}}},
	{"POST", "/api/filters/mine/delete", CB_ACT_FILTERS, {{403, 403}, {0, 0}, {0, 0}, {403, 403}}},
	{"POST", "/api/cases/ID/assign", CB_ACT_ASSIGN, {{404, 404}, {0, 0}, {403, 404}, {404, 404}}},
	{"POST", "/api/cases/ID/transfer", CB_ACT_TRANSFER_REQUEST, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"GET", "/api/transfers", CB_ACT_TRANSFER_LIST, {{403, 403}, {0, 0}, {0, 403}, {403, 403}}},
	/* the receiving office decides: a manager of every office here (one of one office: test_office_manager) */
	{"POST", "/api/transfers/3", CB_ACT_TRANSFER_DECIDE, {{403, 403}, {0, 0}, {403, 403}, {403, 403}}},
	{"GET", "/api/cases/ID/attachments", CB_ACT_CASE_READ, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"POST", "/api/cases/ID/attachments", CB_ACT_CASE_UPDATE, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"GET", "/api/cases/ID/attachments/3", CB_ACT_CASE_READ, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	/* OpenRosa: no session; the handlers authenticate HTTP Basic and check CB_ACT_CASE_CREATE / ASSIST_WRITE */
	{"GET", "/formList", CB_ACT_OPENROSA, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
	{"GET", "/forms/casebank_registration", CB_ACT_OPENROSA, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
	{"GET", "/forms/casebank_registration/manifest", CB_ACT_OPENROSA, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
	{"HEAD", "/submission", CB_ACT_OPENROSA, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
	{"POST", "/submission", CB_ACT_OPENROSA, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
	{"GET", "/api/review", CB_ACT_REVIEW, {{403, 403}, {0, 0}, {403, 403}, {403, 403}}},
	{"GET", "/api/review/3", CB_ACT_REVIEW, {{403, 403}, {0, 0}, {403, 403}, {403, 403}}},
	{"POST", "/api/review/3", CB_ACT_REVIEW, {{403, 403}, {0, 0}, {403, 403}, {403, 403}}},
	{"GET", "/api/cases/ID/notes", CB_ACT_ASSIST_READ, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"POST", "/api/cases/ID/notes", CB_ACT_ASSIST_WRITE, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
	{"GET", "/api/sites", CB_ACT_ME, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
	{"POST", "/api/sites", CB_ACT_USERS, {{0, 0}, {403, 403}, {403, 403}, {403, 403}}},
	{"PATCH", "/api/sites/MD-CHISINAU", CB_ACT_USERS, {{0, 0}, {403, 403}, {403, 403}, {403, 403}}},
	{"GET", "/api/home", CB_ACT_OVERDUE, {{403, 403}, {0, 0}, {0, 403}, {403, 403}}},
	{"POST", "/api/users/amira/unlock", CB_ACT_USERS, {{0, 0}, {403, 403}, {403, 403}, {403, 403}}},
	{"POST", "/api/users/amira/role", CB_ACT_USERS, {{0, 0}, {403, 403}, {403, 403}, {403, 403}}},
	{"GET", "/", CB_ACT_STATIC, {{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
};

/* Referring a person's details out without consent_share_partners: managers only (with a reason). */
static const int override_expect[CB_ROLE__COUNT][2] = {{404, 404}, {0, 0}, {403, 404}, {404, 404}};

/* Identifying details of a case: caseworkers of the office; managers only with break-the-glass. */
static const struct {
	bool glass;
	int expect[CB_ROLE__COUNT][2];
} pii_rows[] = {
	{false, {{404, 404}, {403, 403}, {0, 404}, {404, 404}}},
	{true, {{404, 404}, {0, 0}, {0, 404}, {404, 404}}},
};

static const char *status_name(int st) { return st == 0 ? "allow" : st == 403 ? "403" : st == 404 ? "404" : "?"; }

static void test_matrix(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < CB_COUNTOF(rows); i++) {
		const struct cb_route *rt = NULL;
		char arg[64];
		assert_int_equal(cb_http_route(rows[i].method, rows[i].path, &rt, arg, sizeof arg), 0);
		assert_int_equal(rt->action, rows[i].action);
		for (int role = 0; role < CB_ROLE__COUNT; role++) {
			struct cb_principal p = {.role = (enum cb_role)role,
						 .site = role == CB_ROLE_CASEWORKER ? OWN : ""};
			for (int other = 0; other < 2; other++) {
				int got = cb_authz_check(&p, rt->action, other ? OTHER : OWN);
				if (got != rows[i].expect[role][other]) {
					fprintf(stderr, "%s %s as %s (%s office): got %s, expected %s\n", rows[i].method,
						rows[i].path, cb_role_name((enum cb_role)role), other ? "another" : "own",
						status_name(got), status_name(rows[i].expect[role][other]));
					failures++;
				}
			}
		}
	}
	assert_int_equal(failures, 0);
}

static void test_identifying_details(void **state)
{
	(void)state;
	for (size_t i = 0; i < CB_COUNTOF(pii_rows); i++)
		for (int role = 0; role < CB_ROLE__COUNT; role++)
			for (int other = 0; other < 2; other++) {
				struct cb_principal p = {.role = (enum cb_role)role,
							 .site = role == CB_ROLE_CASEWORKER ? OWN : "",
							 .glass = pii_rows[i].glass};
				assert_int_equal(cb_authz_check(&p, CB_ACT_CASE_PII, other ? OTHER : OWN),
						 pii_rows[i].expect[role][other]);
			}
}

static void test_consent_override(void **state)
{
	(void)state;
	for (int role = 0; role < CB_ROLE__COUNT; role++)
		for (int other = 0; other < 2; other++) {
			struct cb_principal p = {.role = (enum cb_role)role, .site = role == CB_ROLE_CASEWORKER ? OWN : ""};
			assert_int_equal(cb_authz_check(&p, CB_ACT_REFER_OVERRIDE, other ? OTHER : OWN),
					 override_expect[role][other]);
		}
	assert_string_equal(cb_action_name(CB_ACT_REFER_OVERRIDE), "referral.override");
}

/* A manager with an office decides transfers to it only; searching is open to managers and caseworkers. */
static void test_office_manager(void **state)
{
	(void)state;
	struct cb_principal m = {.role = CB_ROLE_MANAGER, .site = OWN};
	assert_int_equal(cb_authz_check(&m, CB_ACT_TRANSFER_DECIDE, OWN), 0);
	assert_int_equal(cb_authz_check(&m, CB_ACT_TRANSFER_DECIDE, OTHER), 403);
	struct cb_principal c = {.role = CB_ROLE_CASEWORKER, .site = OWN}, a = {.role = CB_ROLE_ANALYST, .site = ""};
	assert_int_equal(cb_authz_check(&c, CB_ACT_CASE_SEARCH, NULL), 0);
	assert_int_equal(cb_authz_check(&a, CB_ACT_CASE_SEARCH, NULL), 403);
}

/* Without a session only login, the codebook and the web interface's files are allowed. */
/* Without a session only login, the codebook, the web interface's files and the OpenRosa API (which checks
 * HTTP Basic itself) are allowed. */
static void test_anonymous(void **state)
{
	(void)state;
	for (int a = 0; a < CB_ACT__COUNT; a++) {
		int got = cb_authz_check(NULL, (enum cb_action)a, OWN);
		bool open = a == CB_ACT_LOGIN || a == CB_ACT_CODEBOOK || a == CB_ACT_STATIC || a == CB_ACT_OPENROSA;
		assert_int_equal(got, open ? 0 : 401);
	}
}

/* A caseworker without an office (a broken account) sees no records; unknown roles and actions are refused. */
static void test_edges(void **state)
{
	(void)state;
	struct cb_principal p = {.role = CB_ROLE_CASEWORKER, .site = ""};
	assert_int_equal(cb_authz_check(&p, CB_ACT_CASE_READ, ""), 404);
	assert_int_equal(cb_authz_check(&p, CB_ACT_CASE_READ, NULL), 404);
	assert_int_equal(cb_authz_check(&p, CB_ACT_CASE_CREATE, ""), 403);
	p.site = NULL;
	assert_int_equal(cb_authz_check(&p, CB_ACT_CASE_READ, OWN), 404);
	p.role = (enum cb_role)99;
	assert_int_equal(cb_authz_check(&p, CB_ACT_ME, NULL), 403);
	p.role = CB_ROLE_ADMIN;
	assert_int_equal(cb_authz_check(&p, (enum cb_action)CB_ACT__COUNT, NULL), 403);
}

/* Every route of the server has a row above. */
/* The grants casework checks come from the same rows: partners are managed by managers only (not admins, who
 * keep accounts, not casework), consent is overridden by managers only, a caseworker sees her office's partner
 * entries; a disabled account is granted nothing. */
static void test_grants(void **state)
{
	(void)state;
	struct cb_user u = {0};
	const struct {
		enum cb_role role;
		bool manage, override, every;
	} want[] = {
		{CB_ROLE_ADMIN, false, false, true},
		{CB_ROLE_MANAGER, true, true, true},
		{CB_ROLE_CASEWORKER, false, false, false},
		{CB_ROLE_ANALYST, false, false, true},
	};
	for (size_t i = 0; i < CB_COUNTOF(want); i++) {
		u.role = want[i].role;
		u.disabled = false;
		cb_policy_grant(&u);
		assert_int_equal(u.may.manage_partners, want[i].manage);
		assert_int_equal(u.may.override_consent, want[i].override);
		assert_int_equal(u.may.every_office, want[i].every);
		struct cb_principal p = {.role = want[i].role};
		assert_int_equal(cb_authz_check(&p, CB_ACT_PARTNER_MANAGE, NULL) == 0, want[i].manage);
		u.disabled = true;
		cb_policy_grant(&u);
		assert_false(u.may.manage_partners || u.may.override_consent || u.may.every_office);
	}
	u.role = CB_ROLE_MANAGER;
	u.disabled = false;
	assert_true(cb_policy_may_glass(&u));
	u.role = CB_ROLE_ADMIN;
	assert_false(cb_policy_may_glass(&u));
}

static void test_every_route_has_a_row(void **state)
{
	(void)state;
	for (size_t r = 0; r < cb_nroutes; r++) {
		bool found = false;
		for (size_t i = 0; i < CB_COUNTOF(rows) && !found; i++) {
			const struct cb_route *rt = NULL;
			char arg[64];
			found = cb_http_route(rows[i].method, rows[i].path, &rt, arg, sizeof arg) == 0 &&
				rt == &cb_routes[r];
		}
		if (!found)
			fprintf(stderr, "no row for %s %s\n", cb_routes[r].method, cb_routes[r].pattern);
		assert_true(found);
	}
}

/* Routing: 404 for unknown paths, 405 for a known path with another method, the {} segment. */
static void test_routing(void **state)
{
	(void)state;
	const struct cb_route *rt = NULL;
	char arg[64];
	assert_int_equal(cb_http_route("GET", "/api/nothing", &rt, arg, sizeof arg), 404);
	assert_int_equal(cb_http_route("DELETE", "/api/cases", &rt, arg, sizeof arg), 405);
	assert_int_equal(cb_http_route("GET", "/api/cases/", &rt, arg, sizeof arg), 404);
	assert_int_equal(cb_http_route("GET", "/api/cases/A/B", &rt, arg, sizeof arg), 404);
	assert_int_equal(cb_http_route("POST", "/api/cases/ABC/glass", &rt, arg, sizeof arg), 0);
	assert_string_equal(arg, "ABC");
	assert_int_equal(cb_http_route("HEAD", "/index.html", &rt, arg, sizeof arg), 0);
	assert_int_equal(rt->action, CB_ACT_STATIC);
	assert_int_equal(cb_http_route("POST", "/index.html", &rt, arg, sizeof arg), 405);
	/* two segments reach the handler as "case/record" */
	assert_int_equal(cb_http_route("PATCH", "/api/cases/ABC/assistance/12", &rt, arg, sizeof arg), 0);
	assert_string_equal(arg, "ABC/12");
	assert_int_equal(rt->action, CB_ACT_ASSIST_WRITE);
	assert_int_equal(cb_http_route("PATCH", "/api/cases/ABC/assistance/", &rt, arg, sizeof arg), 404);
	assert_int_equal(cb_http_route("PATCH", "/api/cases/ABC/assistance/1/2", &rt, arg, sizeof arg), 404);
	assert_int_equal(cb_http_route("DELETE", "/api/cases/ABC/referrals/1", &rt, arg, sizeof arg), 405);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),   cmocka_unit_test(test_identifying_details),
		cmocka_unit_test(test_anonymous), cmocka_unit_test(test_edges),
		cmocka_unit_test(test_consent_override), cmocka_unit_test(test_grants),
		cmocka_unit_test(test_office_manager),
		cmocka_unit_test(test_every_route_has_a_row), cmocka_unit_test(test_routing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

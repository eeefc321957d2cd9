/*
 * test_table.c -- queries and renderers (src/stats/table.c, render.c): protection properties over many
 * random queries on synthetic data (nothing published in 1..threshold-1, zeros exactly the true zeros,
 * the same cell gives the same value whichever query reaches it), exact counts against brute force
 * (multi-valued cells count values, their totals count cases), percentages, errors, CSV/JSON/text output.
 */
#include <math.h>

#include <jansson.h>

#include "cb_test.h"

#include "stats/stats_int.h"
#include "stats_fixture.h"

static struct fx fx;
static struct cb_stats *st;

static int setup(void **state)
{
	(void)state;
	struct cb_ptable *pt = NULL;
	struct cb_ptable_params pp = {CB_PTABLE_DEFAULT_D, CB_PTABLE_DEFAULT_V, CB_PTABLE_DEFAULT_JS};
	fx = fx_demo(20000, 1);
	if (!fx.ix || cb_ptable_generate(&pp, &pt, NULL) != CB_OK)
		return -1;
	struct cb_index *ix = fx.ix;
	fx.ix = NULL; /* the bank owns it now */
	return cb_stats_new(ix, pt, 10, true, &st, NULL) == CB_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cb_stats_free(&st);
	fx_free(&fx);
	return 0;
}

static struct cb_table *run(const char *d0, const char *d1, const char *d2, const char *where, unsigned flags)
{
	struct cb_query q = {.dims = {d0, d1, d2}, .where = where, .flags = flags};
	struct cb_table *t = NULL;
	struct cb_err err = {0};
	if (cb_stats_query(st, &q, &t, &err) != CB_OK)
		fail_msg("query %s,%s,%s where %s: %s", d0, d1 ? d1 : "", d2 ? d2 : "", where ? where : "", err.msg);
	return t;
}

static const char *const dims[] = {"year", "site", "gender", "age_group", "majority", "citizenship",
				   "education", "exploitation_type", "labour_sector", "means_of_control",
				   "recruitment_method", "destination_country", "citizenship_region",
				   "destination_region", "trafficking_status", "recruiter_relation"};
static const char *const wheres[] = {NULL,
				     "year >= 2015",
				     "gender = Feminine",
				     "exploitation_type = SexualExploitation and year < 2019",
				     "not majority = minor or citizenship_region in (Europe, Asia)",
				     "year between 2012 and 2016 and gender != Masculine",
				     "labour_sector in (agriculture, construction, domestic_work)"};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Published and exact tables of one query agree on the protection rules. */
static void check_protection(const struct cb_table *p, const struct cb_table *e)
{
	assert_int_equal(cb_table_ncells(p), cb_table_ncells(e));
	for (size_t i = 0; i < cb_table_ncells(p); i++) {
		const struct cb_cell *a = cb_table_cell(p, i), *b = cb_table_cell(e, i);
		if (!a->suppressed && a->value > 0 && a->value < 10)
			fail_msg("cell %zu published %lld, below the threshold", i, (long long)a->value);
		if (a->suppressed && a->value != 0)
			fail_msg("cell %zu suppressed but carries %lld", i, (long long)a->value);
		bool pub_zero = !a->suppressed && a->value == 0, true_zero = b->value == 0;
		if (pub_zero != true_zero)
			fail_msg("cell %zu: published zero %d, true zero %d", i, pub_zero, true_zero);
		if (!a->suppressed && llabs(a->value - b->value) > CB_PTABLE_DEFAULT_D)
			fail_msg("cell %zu: published %lld, true %lld", i, (long long)a->value, (long long)b->value);
	}
}

static void test_random_queries(void **state)
{
	(void)state;
	uint64_t s = 0x9e3779b97f4a7c15ull;
	int nd = (int)CB_COUNTOF(dims);
	long suppressed = 0, published = 0;
	for (int k = 0; k < 150; k++) {
		int n = 1 + (int)(rnd(&s) % 3), a = (int)(rnd(&s) % (uint64_t)nd), b = (a + 1 + (int)(rnd(&s) % (uint64_t)(nd - 1))) % nd;
		int c = (int)(rnd(&s) % (uint64_t)nd);
		while (c == a || c == b)
			c = (c + 1) % nd;
		const char *w = wheres[rnd(&s) % CB_COUNTOF(wheres)];
		const char *d1 = n > 1 ? dims[b] : NULL, *d2 = n > 2 ? dims[c] : NULL;
		if (n == 3 && (a == 5 || b == 5 || c == 5 || a == 1 || b == 1 || c == 1))
			d2 = NULL; /* keep three-way tables small */
		struct cb_table *p = run(dims[a], d1, d2, w, 0), *again = run(dims[a], d1, d2, w, 0),
				*e = run(dims[a], d1, d2, w, CB_Q_EXACT);
		check_protection(p, e);
		for (size_t i = 0; i < cb_table_ncells(p); i++) {
			assert_memory_equal(cb_table_cell(p, i), cb_table_cell(again, i), sizeof(struct cb_cell) - sizeof(double));
			suppressed += cb_table_cell(p, i)->suppressed;
			published += !cb_table_cell(p, i)->suppressed && cb_table_cell(p, i)->value > 0;
		}
		cb_table_free(&p);
		cb_table_free(&again);
		cb_table_free(&e);
	}
	assert_true(suppressed > 100 && published > 100); /* the queries exercised both sides */
}

static const struct cb_cell *at(const struct cb_table *t, int a, int b, int c)
{
	int co[3] = {a, b, c};
	const struct cb_cell *x = cb_table_at(t, co);
	assert_non_null(x);
	return x;
}

static void same(const struct cb_cell *a, const struct cb_cell *b)
{
	assert_int_equal(a->suppressed, b->suppressed);
	assert_int_equal(a->value, b->value);
}

/* The same record set gives the same published value whichever query reaches it. */
static void test_consistency(void **state)
{
	(void)state;
	const char *pairs[][2] = {{"gender", "year"}, {"exploitation_type", "gender"}, {"citizenship_region", "majority"}};
	for (size_t k = 0; k < CB_COUNTOF(pairs); k++) {
		const char *d0 = pairs[k][0], *d1 = pairs[k][1];
		struct cb_table *ab = run(d0, d1, NULL, NULL, 0), *ba = run(d1, d0, NULL, NULL, 0),
				*abc = run(d0, d1, "age_group", NULL, 0), *a = run(d0, NULL, NULL, NULL, 0);
		int n0 = cb_table_nvalues(ab, 0), n1 = cb_table_nvalues(ab, 1);
		for (int i = -1; i < n0; i++)
			for (int j = -1; j < n1; j++) {
				same(at(ab, i, j, -1), at(ba, j, i, -1));
				same(at(ab, i, j, -1), at(abc, i, j, CB_CELL_TOTAL));
			}
		for (int i = -1; i < n0; i++)
			same(at(ab, i, CB_CELL_TOTAL, -1), at(a, i, -1, -1));
		/* a filter on one value of d1 reaches the column of that value */
		for (int j = 0; j < n1 && j < 6; j++) {
			char w[128];
			const char *v = cb_table_value(ab, 1, j);
			snprintf(w, sizeof w, "%s = '%s'", d1, v);
			struct cb_table *f = run(d0, NULL, NULL, w, 0);
			for (int i = -1; i < n0; i++)
				same(at(ab, i, j, -1), at(f, i, -1, -1));
			cb_table_free(&f);
		}
		cb_table_free(&ab);
		cb_table_free(&ba);
		cb_table_free(&abc);
		cb_table_free(&a);
	}
}

static bool counted(long i)
{
	return fx.cases[i].consent_statistics == CB_yes_no_yes;
}

/* Exact counts against brute force; multi-valued cells count values, totals count cases. */
static void test_exact_counts(void **state)
{
	(void)state;
	struct cb_table *t = run("exploitation_type", "gender", NULL, "year >= 2015", CB_Q_EXACT);
	int nv = cb_table_nvalues(t, 0), ng = cb_table_nvalues(t, 1);
	assert_int_equal(nv, CB_exploitation_type__COUNT + 1);
	assert_int_equal(ng, CB_gender__COUNT + 1);
	long cell[CB_exploitation_type__COUNT + 1][CB_gender__COUNT + 1] = {{0}}, vt[CB_exploitation_type__COUNT + 1] = {0},
	     gt[CB_gender__COUNT + 1] = {0}, all = 0, memberships = 0;
	for (long i = 0; i < fx.n; i++) {
		const struct cb_case *c = &fx.cases[i];
		if (!counted(i) || c->year < 2015)
			continue;
		int g = c->gender == CB_NA ? CB_gender__COUNT : c->gender;
		all++;
		gt[g]++;
		for (int v = 0; v <= CB_exploitation_type__COUNT; v++) {
			bool in = v == CB_exploitation_type__COUNT ? c->exploitation_type == 0 : (c->exploitation_type >> v) & 1;
			cell[v][g] += in;
			vt[v] += in;
			memberships += in;
		}
	}
	assert_true(memberships > all); /* some cases have several values */
	for (int v = 0; v < nv; v++) {
		for (int g = 0; g < ng; g++)
			assert_int_equal(at(t, v, g, -1)->value, cell[v][g]);
		assert_int_equal(at(t, v, CB_CELL_TOTAL, -1)->value, vt[v]);
	}
	for (int g = 0; g < ng; g++)
		assert_int_equal(at(t, CB_CELL_TOTAL, g, -1)->value, gt[g]);
	assert_int_equal(at(t, CB_CELL_TOTAL, CB_CELL_TOTAL, -1)->value, all);
	assert_string_equal(cb_table_value(t, 0, nv - 1), "not recorded");
	assert_string_equal(cb_table_value(t, 0, CB_CELL_TOTAL), "Total");
	cb_table_free(&t);

	/* declining consent removes a case from every count; the policy can be turned off */
	t = run("gender", NULL, NULL, NULL, CB_Q_EXACT);
	long consenting = 0;
	for (long i = 0; i < fx.n; i++)
		consenting += counted(i);
	assert_int_equal(at(t, CB_CELL_TOTAL, -1, -1)->value, consenting);
	cb_table_free(&t);
	cb_index_set_require_consent(cb_stats_index(st), false);
	t = run("gender", NULL, NULL, NULL, CB_Q_EXACT);
	assert_int_equal(at(t, CB_CELL_TOTAL, -1, -1)->value, fx.n);
	cb_table_free(&t);
	cb_index_set_require_consent(cb_stats_index(st), true);
}

static void test_percent(void **state)
{
	(void)state;
	struct cb_table *t = run("gender", "majority", NULL, NULL, CB_Q_PERCENT);
	const struct cb_cell *g = at(t, CB_CELL_TOTAL, CB_CELL_TOTAL, -1);
	assert_false(g->suppressed);
	assert_true(fabs(g->percent - 100.0) < 1e-9);
	int checked = 0;
	for (size_t i = 0; i < cb_table_ncells(t); i++) {
		const struct cb_cell *c = cb_table_cell(t, i);
		if (c->suppressed) {
			assert_true(isnan(c->percent));
		} else {
			assert_true(fabs(c->percent - 100.0 * (double)c->value / (double)g->value) < 1e-9);
			checked++;
		}
	}
	assert_true(checked > 5);
	cb_table_free(&t);
}

static void test_errors(void **state)
{
	(void)state;
	struct cb_table *t = NULL;
	struct cb_err err = {0};
	struct cb_query q = {.dims = {"gendr"}};
	assert_int_equal(cb_stats_query(st, &q, &t, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "unknown dimension 'gendr'"));
	assert_non_null(strstr(err.msg, "citizenship_region"));
	q = (struct cb_query){.dims = {"gender", "gender"}};
	assert_int_equal(cb_stats_query(st, &q, &t, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "twice"));
	q = (struct cb_query){.dims = {NULL}};
	assert_int_equal(cb_stats_query(st, &q, &t, &err), CB_EINVAL);
	q = (struct cb_query){.dims = {"consent_statistics"}}; /* not a dimension */
	assert_int_equal(cb_stats_query(st, &q, &t, &err), CB_EINVAL);
	q = (struct cb_query){.dims = {"gender"}, .where = "year >> 3"};
	assert_int_equal(cb_stats_query(st, &q, &t, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "column 7"));
	assert_null(t);
}

static char *render(const struct cb_table *t, enum cb_stats_format f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_int_equal(cb_table_write(t, f, m, NULL), CB_OK);
	fclose(m);
	return buf;
}

static void test_render(void **state)
{
	(void)state;
	struct cb_table *t = run("gender", "exploitation_type", NULL, "year >= 2015", CB_Q_PERCENT);
	char *csv = render(t, CB_SF_CSV), *txt = render(t, CB_SF_TABLE), *js = render(t, CB_SF_JSON);
	/* CSV: header, then one line per cell in long order */
	const char *head = "gender,exploitation_type,count,percent\nFeminine,ForcedLabour,";
	assert_int_equal(strncmp(csv, head, strlen(head)), 0);
	long lines = 0;
	for (char *p = csv; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, (long)cb_table_ncells(t) + 1);
	assert_non_null(strstr(csv, "\nTotal,Total,"));
	assert_non_null(strstr(csv, "\nnot recorded,"));
	bool any_x = false;
	for (size_t i = 0; i < cb_table_ncells(t); i++)
		any_x |= cb_table_cell(t, i)->suppressed;
	if (any_x)
		assert_non_null(strstr(csv, ",x,x\n"));
	/* text: labels, the filter, the note on multi-valued dimensions */
	assert_non_null(strstr(txt, "Sexual exploitation"));
	assert_non_null(strstr(txt, "Filter: year >= 2015"));
	assert_non_null(strstr(txt, "exploitation_type is multi-valued"));
	/* JSON: metadata and every cell */
	json_error_t je;
	json_t *root = json_loads(js, 0, &je);
	assert_non_null(root);
	assert_int_equal(json_array_size(json_object_get(root, "cells")), cb_table_ncells(t));
	assert_int_equal(json_integer_value(json_object_get(root, "threshold")), 10);
	assert_string_equal(json_string_value(json_object_get(root, "filter")), "year >= 2015");
	assert_true(json_is_true(json_object_get(root, "protected")));
	assert_non_null(json_string_value(json_object_get(root, "generated")));
	assert_non_null(strstr(json_string_value(json_object_get(root, "protection")), "cell key"));
	json_t *d1 = json_array_get(json_object_get(root, "dims"), 1);
	assert_true(json_is_true(json_object_get(d1, "multi_valued")));
	json_t *c0 = json_array_get(json_object_get(root, "cells"), 0);
	assert_string_equal(json_string_value(json_object_get(c0, "gender")), "Feminine");
	json_decref(root);
	free(csv);
	free(txt);
	free(js);
	cb_table_free(&t);

	/* three dimensions: one block per value of the third */
	t = run("gender", "majority", "trafficking_status", NULL, 0);
	txt = render(t, CB_SF_TABLE);
	assert_non_null(strstr(txt, "Trafficking status: Actual victim of trafficking\n"));
	assert_non_null(strstr(txt, "Trafficking status: Total\n"));
	free(txt);
	cb_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_queries), cmocka_unit_test(test_consistency),
		cmocka_unit_test(test_exact_counts),   cmocka_unit_test(test_percent),
		cmocka_unit_test(test_errors),         cmocka_unit_test(test_render),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * test_report_html.c -- the HTML report (src/stats/report_html.c): well-formed (every opened tag closed),
 * self-contained, accessible markup, print CSS, every factor table with a chart and notes, no count below
 * the threshold, suppressed cells as x, values escaped.
 */
#include <ctype.h>

#include "stats/report_fixture.h"

static struct cb_stats *bank;

static int setup(void **state)
{
	(void)state;
	bank = rf_bank();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cb_stats_free(&bank);
	return 0;
}

static char *render(const char *where)
{
	struct cb_report *r = rf_report(bank, where);
	struct cb_err err = {0};
	char *html = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&html, &len);
	assert_non_null(f);
	assert_int_equal(cb_report_write_html(r, f, &err), CB_OK);
	fclose(f);
	cb_report_free(&r);
	assert_int_equal(strlen(html), len);
	return html;
}

static bool is_void(const char *name, size_t n)
{
	static const char *const v[] = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"};
	for (size_t i = 0; i < CB_COUNTOF(v); i++)
		if (strlen(v[i]) == n && !strncmp(v[i], name, n))
			return true;
	return false;
}

/* Every opened element is closed, in order.  Returns NULL, or what is wrong; *seen counts the elements. */
static const char *balance(const char *html, int *seen)
{
	static char why[128];
	char stack[256][16];
	int depth = 0;
	*seen = 0;
	for (const char *p = html; (p = strchr(p, '<')) != NULL;) {
		const char *end = strchr(p, '>');
		if (!end)
			return "a tag is never ended";
		if (p[1] == '!') { /* doctype, comments */
			p = end + 1;
			continue;
		}
		bool closing = p[1] == '/';
		const char *name = p + 1 + closing;
		size_t n = 0;
		while (isalnum((unsigned char)name[n]) || name[n] == '-')
			n++;
		if (n == 0 || n >= 16)
			return "a tag without a name";
		if (closing) {
			if (depth == 0 || strlen(stack[depth - 1]) != n || strncmp(stack[depth - 1], name, n)) {
				snprintf(why, sizeof why, "</%.*s> closes <%s>", (int)n, name,
					 depth ? stack[depth - 1] : "(nothing)");
				return why;
			}
			depth--;
		} else if (end[-1] != '/' && !is_void(name, n)) {
			if (depth == 256)
				return "nested too deep";
			snprintf(stack[depth++], 16, "%.*s", (int)n, name);
			(*seen)++;
			if (n == 5 && !strncmp(name, "style", 5)) { /* skip the style sheet's text */
				if (!(end = strstr(end, "</style>")))
					return "<style> is never closed";
				end--;
			}
		}
		p = end + 1;
	}
	if (depth) {
		snprintf(why, sizeof why, "<%s> is never closed", stack[depth - 1]);
		return why;
	}
	return NULL;
}

static void test_well_formed(void **state)
{
	(void)state;
	char *html = render(NULL);
	int seen = 0;
	const char *why = balance(html, &seen);
	if (why)
		fail_msg("%s", why);
	assert_true(seen > 500);
	assert_non_null(strstr(html, "<html lang=\"en\" dir=\"ltr\">"));
	assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
	free(html);
}

/* The check itself catches what it should. */
static void test_balance_check_fails(void **state)
{
	(void)state;
	int seen = 0;
	assert_null(balance("<p><b>x</b></p><br><svg><rect/></svg>", &seen));
	assert_int_equal(seen, 3);
	const char *bad[] = {"<p><b>x</p></b>", "<section><p>x</p>", "<p>x</p></p>", "<p x"};
	for (size_t i = 0; i < CB_COUNTOF(bad); i++)
		assert_non_null(balance(bad[i], &seen));
}

static void test_self_contained_and_printable(void **state)
{
	(void)state;
	char *html = render(NULL);
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "@import"));
	assert_null(strstr(html, "url("));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "href=\"http"));
	assert_non_null(strstr(html, "@page{size:A4"));
	assert_non_null(strstr(html, "break-inside:avoid"));
	assert_non_null(strstr(html, "@media print"));
	free(html);
}

static void test_every_table_with_chart_and_note(void **state)
{
	(void)state;
	char *html = render(NULL);
	struct cb_report *r = rf_report(bank, NULL);
	char id[64];
	for (int i = 0; i < r->ntables; i++) {
		snprintf(id, sizeof id, "<section id=\"t-%s\"", r->tables[i].dim_name);
		const char *s = strstr(html, id);
		if (!s)
			fail_msg("no section for %s", r->tables[i].dim_name);
		const char *e = strstr(s, "</section>");
		assert_non_null(e);
		const char *in[] = {"<caption>", "<th scope=\"col\">", "<th scope=\"row\">", "<svg ", "role=\"img\"",
				    "<title ", "class=\"note\"", "Drawn on: 2024-05-01", "2006-2010", "All years"};
		for (size_t k = 0; k < CB_COUNTOF(in); k++) {
			const char *f = strstr(s, in[k]);
			if (!f || f > e)
				fail_msg("%s: no %s", r->tables[i].dim_name, in[k]);
		}
		const char *multi = strstr(s, "can count under several values");
		assert_int_equal(multi && multi < e, r->tables[i].multi);
	}
	assert_non_null(strstr(html, "<section id=\"caseload\""));
	/* 31 destinations: cut at CB_REPORT_MAX_ROWS with a note saying where the rest are */
	const char *d = strstr(html, "<section id=\"t-destination_country\"");
	assert_non_null(d);
	assert_non_null(strstr(d, "lists the 20 countries with the most cases; 11 more"));
	cb_report_free(&r);
	free(html);
}

/* Every number in a table cell or a chart label is 0 or at least the threshold; Iceland (3 cases) is x. */
static void test_no_small_counts(void **state)
{
	(void)state;
	char *html = render(NULL);
	const char *tags[][2] = {{"<td", "</td>"}, {"<text", "</text>"}};
	int cells = 0;
	for (size_t k = 0; k < CB_COUNTOF(tags); k++)
		for (const char *p = html; (p = strstr(p, tags[k][0])) != NULL;) {
			const char *b = strchr(p, '>') + 1, *e = strstr(b, tags[k][1]);
			assert_non_null(e);
			rf_assert_count_text(b, (size_t)(e - b), tags[k][0]);
			cells++;
			p = e;
		}
	assert_true(cells > 300);
	const char *sec = strstr(html, "<section id=\"t-citizenship\"");
	const char *ice = strstr(sec, "<th scope=\"row\">Iceland</th>");
	assert_non_null(ice);
	const char *eol = strstr(ice, "</tr>");
	const char *x = strstr(ice, "<td class=\"x\">x</td>");
	assert_true(x && x < eol);
	free(html);
}

static void test_escaped(void **state)
{
	(void)state;
	char *html = render("year >= 2012");
	assert_non_null(strstr(html, "&gt;= 2012"));
	assert_null(strstr(html, ">= 2012"));
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed),
		cmocka_unit_test(test_balance_check_fails),
		cmocka_unit_test(test_self_contained_and_printable),
		cmocka_unit_test(test_every_table_with_chart_and_note),
		cmocka_unit_test(test_no_small_counts),
		cmocka_unit_test(test_escaped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

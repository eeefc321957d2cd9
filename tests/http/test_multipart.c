/*
 * test_multipart.c -- tests of src/http/multipart.c: the parts of a submission body as ODK Collect sends it
 * (binary data with CR, LF and NUL inside, a quoted boundary, filename and Content-Type), and the bodies it
 * must refuse: no closing delimiter, a part without Content-Disposition or name, another media type, too
 * many parts, LF-only line ends.
 */
#include "cb_test.h"

#include "http/openrosa.h"

static struct cb_arena *a;

static int setup(void **state)
{
	(void)state;
	return cb_arena_new(1 << 20, &a);
}
static int teardown(void **state)
{
	(void)state;
	cb_arena_free(&a);
	return 0;
}

static int parse(const char *ct, const char *body, size_t len, struct cb_mpart *p, int *n)
{
	return cb_multipart_parse(a, ct, body, len, p, CB_MPART_MAX, n);
}

static void test_collect_body(void **state)
{
	(void)state;
	static const char body[] = "--b0UnDaRy\r\n"
				   "Content-Disposition: form-data; name=\"xml_submission_file\"; filename=\"submission.xml\"\r\n"
				   "Content-Type: text/xml\r\n\r\n"
				   "<data/>\r\n"
				   "--b0UnDaRy\r\n"
				   "Content-Disposition: form-data; name=\"submission.xml.enc\"; filename=\"submission.xml.enc\"\r\n"
				   "Content-Type: application/octet-stream\r\n\r\n"
				   "\x00\r\n\x01--b0UnDaRx\n\r\n"
				   "--b0UnDaRy--\r\n";
	struct cb_mpart p[CB_MPART_MAX];
	int n;
	assert_int_equal(parse("multipart/form-data; boundary=b0UnDaRy", body, sizeof body - 1, p, &n), CB_OK);
	assert_int_equal(n, 2);
	assert_string_equal(p[0].name, "xml_submission_file");
	assert_string_equal(p[0].filename, "submission.xml");
	assert_string_equal(p[0].ctype, "text/xml");
	assert_int_equal(p[0].len, 7);
	assert_memory_equal(p[0].data, "<data/>", 7);
	assert_int_equal(p[1].len, 15);
	assert_memory_equal(p[1].data, "\x00\r\n\x01--b0UnDaRx\n", 15);
	assert_ptr_equal(cb_multipart_get(p, n, "xml_submission_file"), &p[0]);
	assert_ptr_equal(cb_multipart_file(p, n, "submission.xml.enc"), &p[1]);
	assert_null(cb_multipart_get(p, n, "nope"));
	/* a quoted boundary with a space, and other parameters around it */
	static const char q[] = "preamble\r\n--a b\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n--a b--";
	assert_int_equal(parse("Multipart/Form-Data; charset=utf-8; boundary=\"a b\"", q, sizeof q - 1, p, &n), CB_OK);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].name, "x");
	assert_null(p[0].filename);
	assert_int_equal(p[0].len, 1);
}

static void test_refused(void **state)
{
	(void)state;
	struct cb_mpart p[CB_MPART_MAX];
	int n;
	const char *ct = "multipart/form-data; boundary=B";
	static const char *bad[] = {
		"--B\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n",                 /* never closed */
		"--B\r\nContent-Type: text/plain\r\n\r\nv\r\n--B--",                           /* no disposition */
		"--B\r\nContent-Disposition: form-data\r\n\r\nv\r\n--B--",                     /* no name */
		"--B\r\nContent-Disposition: attachment; name=x\r\n\r\nv\r\n--B--",            /* not form-data */
		"--B\nContent-Disposition: form-data; name=x\n\nv\n--B--",                     /* LF only */
		"--B\r\nContent-Disposition: form-data; name=\"x\r\n\r\nv\r\n--B--",           /* unclosed quote */
		"--B--",                                                                        /* no part */
		"",
	};
	for (size_t i = 0; i < CB_COUNTOF(bad); i++)
		assert_int_equal(parse(ct, bad[i], strlen(bad[i]), p, &n), CB_EINVAL);
	static const char ok[] = "--B\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n--B--";
	assert_int_equal(parse("text/xml", ok, sizeof ok - 1, p, &n), CB_EINVAL);
	assert_int_equal(parse("multipart/form-data", ok, sizeof ok - 1, p, &n), CB_EINVAL);
	assert_int_equal(parse(NULL, ok, sizeof ok - 1, p, &n), CB_EINVAL);
	/* more parts than room */
	char *many = NULL;
	size_t len;
	FILE *f = open_memstream(&many, &len);
	for (int i = 0; i <= CB_MPART_MAX; i++)
		fprintf(f, "--B\r\nContent-Disposition: form-data; name=p%d\r\n\r\nv\r\n", i);
	fputs("--B--", f);
	fclose(f);
	assert_int_equal(parse(ct, many, len, p, &n), CB_EINVAL);
	free(many);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collect_body),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * test_attachments.c -- tests of src/http/attachments.c (and src/store/attach.c) through a real server: a
 * caseworker uploads a photo (binary, NULs included) to a case of her office, lists it with its name and
 * reads it back (type, length, first bytes), audited; another office's caseworker does not see the case; a
 * manager lists the files without names and may not read one without breaking the glass; a type outside the
 * settings is refused; the file is sealed (its bytes and name nowhere in the database file); and erasing the
 * case's identifying details destroys it.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

#include <arpa/inet.h>

#include "store/store.h"

static int setup(void **state)
{
	(void)state;
	return server_up("attach.db", NULL);
}

/* A request with a binary body. */
static struct resp send_bin(const struct login *l, const char *path, const char *ctype, const char *body, size_t len)
{
	struct resp r = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	char head[1024];
	int hl = snprintf(head, sizeof head,
			  "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
			  "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
			  path, l->cookie, l->csrf, ctype, len);
	assert_int_equal(send(fd, head, (size_t)hl, MSG_NOSIGNAL), hl);
	assert_int_equal(send(fd, body, len, MSG_NOSIGNAL), (ssize_t)len);
	char buf[8192];
	size_t got = 0;
	ssize_t n;
	while ((n = recv(fd, buf + got, sizeof buf - got - 1, 0)) > 0)
		got += (size_t)n;
	buf[got] = 0;
	close(fd);
	char *sep = strstr(buf, "\r\n\r\n");
	assert_non_null(sep);
	*sep = 0;
	r.head = strdup(buf);
	r.body = strdup(sep + 4);
	assert_int_equal(sscanf(r.head, "HTTP/1.%*d %d", &r.status), 1);
	r.json = json_loads(r.body, 0, NULL);
	return r;
}

static void test_attachments(void **state)
{
	(void)state;
	struct login cw = login_as("cara"), mg = login_as("mona"), ot = login_as("otto");
	struct resp c = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json",
			     "{\"registered_on\": \"2025-02-03\", \"first_name\": \"Ana\", \"gender\": \"Feminine\", " REG "}", NULL);
	assert_int_equal(c.status, 201);
	char id[CB_ID_TEXT], path[128], fpath[160];
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(c.json, "case_id")));
	resp_free(&c);
	snprintf(path, sizeof path, "/api/cases/%s/attachments?name=passport-scan-Zq7.jpg", id);
	static const char photo[] = "\xff\xd8\xff\xe0JFIF\x00\x01PHOTOBYTES-Xk29\x00\xff\xd9";
	struct resp r = send_bin(&cw, path, "image/jpeg", photo, sizeof photo - 1);
	assert_int_equal(r.status, 201);
	long long aid = json_integer_value(json_object_get(r.json, "id"));
	assert_true(aid > 0);
	resp_free(&r);
	/* refused: a type not allowed, an empty file; allowed types are a setting */
	r = send_bin(&cw, path, "application/x-msdownload", "MZ", 2);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "not allowed"));
	resp_free(&r);
	/* sealed: neither the bytes nor the name are in the database file */
	assert_int_equal(cbt_db_holds(dbpath, "PHOTOBYTES-Xk29"), 0);
	assert_int_equal(cbt_db_holds(dbpath, "passport-scan-Zq7"), 0);

	snprintf(path, sizeof path, "/api/cases/%s/attachments", id);
	r = http("GET", path, cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	json_t *a0 = json_array_get(json_object_get(r.json, "attachments"), 0);
	assert_string_equal(json_string_value(json_object_get(a0, "name")), "passport-scan-Zq7.jpg");
	assert_string_equal(json_string_value(json_object_get(a0, "type")), "image/jpeg");
	assert_int_equal(json_integer_value(json_object_get(a0, "size")), sizeof photo - 1);
	resp_free(&r);
	/* a manager sees that there is a file, not its name, and may not open it without the glass */
	r = http("GET", path, mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	a0 = json_array_get(json_object_get(r.json, "attachments"), 0);
	assert_non_null(a0);
	assert_null(json_object_get(a0, "name"));
	resp_free(&r);
	snprintf(fpath, sizeof fpath, "/api/cases/%s/attachments/%lld", id, aid);
	r = http("GET", fpath, mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	/* another office: not even the case */
	r = http("GET", path, ot.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 404);
	resp_free(&r);
	/* the office reads it back, audited */
	long long reads = cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.read' AND fields = 'attachment'");
	r = http("GET", fpath, cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	char v[64];
	assert_true(header(&r, "Content-Type", v, sizeof v));
	assert_string_equal(v, "image/jpeg");
	assert_memory_equal(r.body, photo, 8); /* up to the first NUL, which the test client keeps as text */
	assert_true(header(&r, "Content-Length", v, sizeof v));
	assert_int_equal(atoi(v), sizeof photo - 1);
	resp_free(&r);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.read' AND fields = 'attachment'"),
			 reads + 1);
	snprintf(fpath, sizeof fpath, "/api/cases/%s/attachments/%lld", id, aid + 100);
	r = http("GET", fpath, cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 404);
	resp_free(&r);

	/* erasing the case's identifying details destroys its files */
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	uint8_t raw[16];
	assert_int_equal(cb_case_id_parse(id, raw), CB_OK);
	assert_int_equal(cb_store_open(dbpath, 0, &s, &err), CB_OK);
	assert_int_equal(cb_store_erase(s, raw, false, &err), CB_OK);
	cb_store_free(&s);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM attachments WHERE data IS NOT NULL OR name IS NOT NULL"), 0);
	r = http("GET", path, cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "attachments")), 0);
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attachments),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}

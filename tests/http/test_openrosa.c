/*
 * test_openrosa.c -- tests of src/http/openrosa.c (with odk_auth.c, odk_submit.c and api_review.c) through a
 * real server on 127.0.0.1 and raw sockets, as ODK Collect talks to it: the form list and its headers, HTTP
 * Basic authentication (challenge, wrong password, a role that does not collect), HEAD and POST /submission,
 * encrypted submissions built by tests/odk_client.h (OpenSSL, the client's side of the spec), the same
 * instanceID twice, tampered, truncated and mis-signed files refused with nothing stored, a form that fails
 * validation kept in the review queue and accepted there with a correction, the HTCDS form's plain
 * submissions, an offline follow-up of a case changed since (its review copy destroyed by the case's
 * erasure), and the same form sent by several clients at
 * once among others (the group commit: one case each).
 */
#define PW "correct horse battery"
#include "http/http_test.h"

#include <pthread.h>

#include "odk_client.h"

static struct login mona;
static char form_xml[1 << 20];
static char form_version[16];
static EVP_PKEY *pub;

static const char *basic(const char *user, const char *pw)
{
	static char h[256];
	char plain[128];
	snprintf(plain, sizeof plain, "%s:%s", user, pw);
	char *b = odkc_b64((const unsigned char *)plain, strlen(plain));
	snprintf(h, sizeof h, "Authorization: Basic %s\r\n", b);
	free(b);
	return h;
}

/* One request with a body of len bytes (binary), as user (NULL: no Authorization). */
static struct resp raw(const char *method, const char *path, const char *user, const char *ctype, const char *body,
		       size_t len)
{
	struct resp r = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	char head[1024];
	int hl = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s%s",
			  method, path, user ? basic(user, PW) : "", ctype ? "Content-Type: " : "", ctype ? ctype : "",
			  ctype ? "\r\n" : "");
	if (body)
		hl += snprintf(head + hl, sizeof head - (size_t)hl, "Content-Length: %zu\r\n", len);
	hl += snprintf(head + hl, sizeof head - (size_t)hl, "\r\n");
	assert_int_equal(send(fd, head, (size_t)hl, MSG_NOSIGNAL), hl);
	for (size_t o = 0; body && o < len;) {
		ssize_t n = send(fd, body + o, len - o, MSG_NOSIGNAL);
		assert_true(n > 0);
		o += (size_t)n;
	}
	size_t cap = 1 << 18, got = 0;
	char *buf = malloc(cap);
	ssize_t n;
	while ((n = recv(fd, buf + got, cap - got - 1, 0)) > 0)
		if ((got += (size_t)n) + 2 > cap)
			buf = realloc(buf, cap *= 2);
	buf[got] = 0;
	close(fd);
	char *sep = strstr(buf, "\r\n\r\n");
	assert_non_null(sep);
	*sep = 0;
	r.head = strdup(buf);
	r.body = strdup(sep + 4);
	free(buf);
	assert_int_equal(sscanf(r.head, "HTTP/1.%*d %d", &r.status), 1);
	return r;
}

static const char *mp = "multipart/form-data; boundary=" ODKC_BOUNDARY;

static long long cases(void) { return cbt_sql_int(dbpath, "SELECT count(*) FROM cases"); }
static long long pending(void) { return cbt_sql_int(dbpath, "SELECT count(*) FROM odk_review WHERE state = 'pending'"); }

static int setup(void **state)
{
	(void)state;
	if (server_up("openrosa.db", NULL))
		return -1;
	mona = login_as("mona");
	struct resp r = raw("GET", "/forms/casebank_registration", "cara", NULL, NULL, 0);
	if (r.status != 200 || strlen(r.body) >= sizeof form_xml)
		return -1;
	snprintf(form_xml, sizeof form_xml, "%s", r.body);
	const char *v = strstr(form_xml, "version=\"");
	snprintf(form_version, sizeof form_version, "%.*s", (int)strcspn(v + 9, "\""), v + 9);
	pub = odkc_pubkey(form_xml);
	resp_free(&r);
	return pub ? 0 : -1;
}

static int teardown(void **state)
{
	EVP_PKEY_free(pub);
	return server_down(state);
}

/* An instance of the registration form. */
static char *registration(const char *iid, const char *extra)
{
	char *x = NULL;
	size_t n;
	FILE *f = open_memstream(&x, &n);
	fprintf(f, "<data id=\"casebank_registration\" version=\"%s\"><consent_assistance>yes</consent_assistance>"
		   "<consent_statistics>yes</consent_statistics><consent_share_partners>no</consent_share_partners>"
		   "<registered_on>2024-03-01</registered_on><gender>Feminine</gender>"
		   "<exploitation_type>ForcedLabour SexualExploitation</exploitation_type>"
		   "<labour_sector>agriculture</labour_sector><first_name>Ana Testname</first_name>%s"
		   "<meta><instanceID>%s</instanceID></meta></data>",
		form_version, extra, iid);
	fclose(f);
	return x;
}

static struct resp submit_enc(const char *user, const char *form_id, const char *iid, const char *instance, int tamper)
{
	size_t len;
	char *body = odkc_encrypted_body(pub, form_id, form_version, iid, instance, tamper == 4 ? "photo.jpg" : NULL,
					 "JPEGDATA", tamper == 4 ? 0 : tamper, &len);
	struct resp r = raw("POST", "/submission", user, mp, body, len);
	free(body);
	return r;
}

static void test_form_list(void **state)
{
	(void)state;
	char v[256];
	struct resp r = raw("GET", "/formList", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 401);
	assert_true(header(&r, "WWW-Authenticate", v, sizeof v));
	assert_non_null(strstr(v, "Basic realm=\"casebank\""));
	assert_true(header(&r, "X-OpenRosa-Version", v, sizeof v));
	assert_string_equal(v, "1.0");
	resp_free(&r);

	r = raw("GET", "/formList", "cara", NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_true(header(&r, "X-OpenRosa-Version", v, sizeof v));
	assert_string_equal(v, "1.0");
	assert_true(header(&r, "Content-Type", v, sizeof v));
	assert_non_null(strstr(v, "text/xml"));
	assert_non_null(strstr(r.body, "<xforms xmlns=\"http://openrosa.org/xforms/xformsList\">"));
	assert_non_null(strstr(r.body, "<formID>casebank_registration</formID>"));
	assert_non_null(strstr(r.body, "<formID>casebank_followup</formID>"));
	assert_non_null(strstr(r.body, "<formID>casebank_assistance</formID>"));
	assert_non_null(strstr(r.body, "<downloadUrl>http://127.0.0.1/forms/casebank_registration</downloadUrl>"));
	assert_non_null(strstr(r.body, "<manifestUrl>http://127.0.0.1/forms/casebank_registration/manifest</manifestUrl>"));
	/* the hash is the MD5 of the form as downloaded */
	char md5[33], want[64];
	odkc_md5hex(form_xml, strlen(form_xml), md5);
	snprintf(want, sizeof want, "<hash>md5:%s</hash>", md5);
	assert_non_null(strstr(r.body, want));
	resp_free(&r);

	r = raw("GET", "/formList?formID=casebank_followup", "mona", NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "casebank_registration"));
	assert_non_null(strstr(r.body, "casebank_followup"));
	resp_free(&r);

	r = raw("GET", "/forms/casebank_registration/manifest", "cara", NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "xformsManifest"));
	resp_free(&r);
	r = raw("GET", "/forms/nosuchform", "cara", NULL, NULL, 0);
	assert_int_equal(r.status, 404);
	resp_free(&r);
	/* the form is encrypted, with the database's one key */
	assert_non_null(strstr(form_xml, "base64RsaPublicKey=\""));
}

static void test_auth(void **state)
{
	(void)state;
	char v[64];
	struct resp r = raw("HEAD", "/submission", "cara", NULL, NULL, 0);
	assert_int_equal(r.status, 204);
	assert_true(header(&r, "X-OpenRosa-Accept-Content-Length", v, sizeof v));
	assert_string_equal(v, "1048576");
	resp_free(&r);
	/* a wrong password: 401 with the challenge, and audited as a failed login */
	long long before = cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'login.failed'");
	char h[256];
	snprintf(h, sizeof h, "%s", basic("cara", "wrong password!"));
	struct resp w = http("HEAD", "/submission", NULL, NULL, NULL, NULL, h);
	assert_int_equal(w.status, 401);
	assert_true(header(&w, "WWW-Authenticate", v, sizeof v));
	resp_free(&w);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'login.failed'"), before + 1);
	/* an analyst collects no cases */
	r = raw("GET", "/formList", "anna", NULL, NULL, 0);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "<OpenRosaResponse"));
	resp_free(&r);
}

static void test_encrypted_case_and_duplicate(void **state)
{
	(void)state;
	long long n0 = cases();
	char *x = registration("uuid:reg-1", "<birth_year>1990</birth_year>");
	struct resp r = submit_enc("cara", "casebank_registration", "uuid:reg-1", x, 0);
	if (r.status != 201)
		fprintf(stderr, "%s\n", r.body);
	assert_int_equal(r.status, 201);
	assert_non_null(strstr(r.body, "nature=\"submit_success\""));
	assert_non_null(strstr(r.body, "registered"));
	resp_free(&r);
	assert_int_equal(cases(), n0 + 1);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM cases WHERE site = '" SITE "' AND gender = 'Feminine'"
					     " AND labour_sector = 'agriculture' AND birth_year = 1990"),
			 1);
	/* the name is sealed: nowhere in the database in plain */
	assert_int_equal(cbt_db_holds(dbpath, "Testname"), 0);
	/* the same instance again, freshly encrypted (a retry): success, nothing new */
	r = submit_enc("cara", "casebank_registration", "uuid:reg-1", x, 0);
	assert_int_equal(r.status, 201);
	assert_non_null(strstr(r.body, "received before"));
	resp_free(&r);
	assert_int_equal(cases(), n0 + 1);
	free(x);
}

static void test_tampered_refused(void **state)
{
	(void)state;
	long long n0 = cases(), p0 = pending();
	const char *why[] = {"", "signature" /* CFB decrypts an altered byte to garbage: the MD5 tells */, "does not decrypt", "signature"};
	for (int t = 1; t <= 3; t++) {
		char iid[32];
		snprintf(iid, sizeof iid, "uuid:tamper-%d", t);
		char *x = registration(iid, "");
		struct resp r = submit_enc("cara", "casebank_registration", iid, x, t);
		assert_int_equal(r.status, 400);
		assert_non_null(strstr(r.body, "nothing stored"));
		assert_non_null(strstr(r.body, why[t]));
		resp_free(&r);
		free(x);
		assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM odk_received WHERE instance_id LIKE 'uuid:tamper%'"), 0);
	}
	assert_int_equal(cases(), n0);
	assert_int_equal(pending(), p0);
	/* a media file, encrypted with its own IV, is part of the signature */
	char *x = registration("uuid:media-1", "");
	struct resp r = submit_enc("cara", "casebank_registration", "uuid:media-1", x, 4);
	assert_int_equal(r.status, 201);
	resp_free(&r);
	free(x);
	/* ... and kept, sealed, as the new case's attachment */
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM attachments WHERE ctype = 'image/jpeg' AND size = 8"
					     " AND data IS NOT NULL"),
			 1);
	assert_int_equal(cbt_db_holds(dbpath, "JPEGDATA"), 0);
	/* not multipart, or no xml_submission_file */
	r = raw("POST", "/submission", "cara", "text/xml", "<data/>", 7);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "xml_submission_file"));
	resp_free(&r);
	/* casebank's own form sent unencrypted */
	x = registration("uuid:plain-1", "");
	size_t len;
	char *body = odkc_plain_body(x, &len);
	r = raw("POST", "/submission", "cara", mp, body, len);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "only encrypted"));
	resp_free(&r);
	free(body);
	free(x);
	assert_int_equal(cases(), n0 + 1);
}

static void test_invalid_goes_to_review(void **state)
{
	(void)state;
	long long n0 = cases(), p0 = pending();
	/* born after the year of registration: the rule an import applies */
	char *x = registration("uuid:bad-1", "<birth_year>2030</birth_year>");
	struct resp r = submit_enc("cara", "casebank_registration", "uuid:bad-1", x, 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "birth_year"));
	assert_non_null(strstr(r.body, "review"));
	assert_null(strstr(r.body, "Testname"));
	resp_free(&r);
	assert_int_equal(cases(), n0);
	assert_int_equal(pending(), p0 + 1);
	assert_int_equal(cbt_db_holds(dbpath, "Testname"), 0);
	/* sent again: the phone is told it arrived */
	r = submit_enc("cara", "casebank_registration", "uuid:bad-1", x, 0);
	assert_int_equal(r.status, 201);
	resp_free(&r);
	assert_int_equal(pending(), p0 + 1);
	free(x);

	/* a manager sees it (coded answers; identifying ones by name only), corrects it and accepts it */
	long long id = cbt_sql_int(dbpath, "SELECT id FROM odk_review WHERE instance_id = 'uuid:bad-1'");
	char path[64];
	snprintf(path, sizeof path, "/api/review/%lld", id);
	struct resp g = http("GET", path, mona.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(g.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(g.json, "answers"), "birth_year")), "2030");
	assert_non_null(strstr(g.body, "\"identifying_answers\": [\"first_name\"]") ? g.body : strstr(g.body, "first_name"));
	assert_null(strstr(g.body, "Testname"));
	assert_string_equal(json_string_value(json_object_get(g.json, "site")), SITE);
	resp_free(&g);
	struct resp l = http("GET", "/api/review?state=pending", mona.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(l.status, 200);
	assert_true(json_array_size(json_object_get(l.json, "entries")) >= 1);
	resp_free(&l);
	struct login cw = login_as("cara");
	struct resp no = http("GET", "/api/review", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(no.status, 403);
	resp_free(&no);
	struct resp a = http("POST", path, mona.cookie, mona.csrf, "application/json",
			     "{\"action\": \"accept\", \"fields\": {\"birth_year\": 1990}}", NULL);
	if (a.status != 200)
		fprintf(stderr, "%s\n", a.body);
	assert_int_equal(a.status, 200);
	assert_non_null(json_string_value(json_object_get(a.json, "case_id")));
	resp_free(&a);
	assert_int_equal(cases(), n0 + 1);
	assert_int_equal(pending(), p0);
	a = http("POST", path, mona.cookie, mona.csrf, "application/json", "{\"action\": \"reject\"}", NULL);
	assert_int_equal(a.status, 409);
	resp_free(&a);
}

/* A rejection keeps the manager's reason sealed (it is free text and may name someone), shows it to managers,
 * and its audit entry says so without the text; a rejection whose audit entry cannot be written is not kept. */
static void test_reject_keeps_reason_sealed(void **state)
{
	(void)state;
	char *x = registration("uuid:bad-2", "<birth_year>2031</birth_year>");
	struct resp r = submit_enc("cara", "casebank_registration", "uuid:bad-2", x, 0);
	assert_int_equal(r.status, 400);
	resp_free(&r);
	free(x);
	long long id = cbt_sql_int(dbpath, "SELECT id FROM odk_review WHERE instance_id = 'uuid:bad-2'");
	char path[64];
	snprintf(path, sizeof path, "/api/review/%lld", id);
	/* the chain head altered: the append fails, so the rejection fails and the entry stays pending */
	long long heads = cbt_sql_int(dbpath, "SELECT count(*) FROM meta WHERE key = 'audit_head'");
	assert_int_equal(heads, 1);
	(void)cbt_sql_int(dbpath, "UPDATE meta SET value = 'x' || value WHERE key = 'audit_head'");
	struct resp a = http("POST", path, mona.cookie, mona.csrf, "application/json",
			     "{\"action\": \"reject\", \"reason\": \"same person as Zelda Quillfeather's file\"}", NULL);
	assert_true(a.status >= 500);
	resp_free(&a);
	(void)cbt_sql_int(dbpath, "UPDATE meta SET value = substr(value, 2) WHERE key = 'audit_head'");
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM odk_review WHERE id = %lld AND state = 'pending'", id);
	assert_int_equal(cbt_sql_int(dbpath, sql), 1);
	a = http("POST", path, mona.cookie, mona.csrf, "application/json",
		 "{\"action\": \"reject\", \"reason\": \"same person as Zelda Quillfeather's file\"}", NULL);
	if (a.status != 200)
		fprintf(stderr, "%s\n", a.body);
	assert_int_equal(a.status, 200);
	resp_free(&a);
	assert_int_equal(cbt_db_holds(dbpath, "Quillfeather"), 0);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM odk_review WHERE id = %lld AND reject_note IS NOT NULL", id);
	assert_int_equal(cbt_sql_int(dbpath, sql), 1);
	struct resp g = http("GET", path, mona.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(g.status, 200);
	assert_string_equal(json_string_value(json_object_get(g.json, "reject_reason")),
			    "same person as Zelda Quillfeather's file");
	resp_free(&g);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE action = 'odk.review_resolve' AND detail LIKE"
				  " 'review=%lld rejected; reason sealed%%'", id);
	assert_int_equal(cbt_sql_int(dbpath, sql), 1);
}

static void test_htcds_form(void **state)
{
	(void)state;
	long long n0 = cases(), p0 = pending();
	const char *ok = "<data id=\"htcds_xlsform\" version=\"vSmt4GQA3C9uBMLPEVfgND\"><start>2024-01-01T10:00:00</start>"
			 "<con_Consent>TRUE</con_Consent><prs_First_Name>Bea Htcdsname</prs_First_Name>"
			 "<prs_Gender>Masculine</prs_Gender><prs_Citizenship>MD</prs_Citizenship>"
			 "<vic_Methods_of_Control>DebtBondage FalsePromises</vic_Methods_of_Control>"
			 "<vic_TypeOfExploitation>ForcedLabour</vic_TypeOfExploitation><cas_Status>Active</cas_Status>"
			 "<__version__>vSmt4GQA3C9uBMLPEVfgND</__version__><meta><instanceID>uuid:h-1</instanceID></meta></data>";
	size_t len;
	char *body = odkc_plain_body(ok, &len);
	struct resp r = raw("POST", "/submission", "cara", mp, body, len);
	if (r.status != 201)
		fprintf(stderr, "%s\n", r.body);
	assert_int_equal(r.status, 201);
	resp_free(&r);
	free(body);
	assert_int_equal(cases(), n0 + 1);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM cases WHERE gender = 'Masculine' AND citizenship = 'MD'"
					     " AND means_of_control = 'DebtBondage;FalsePromises'"),
			 1);
	/* a value HTCDS import would reject is rejected here too, and kept for review */
	const char *bad = "<data id=\"htcds_xlsform\"><prs_Gender>Female</prs_Gender>"
			  "<meta><instanceID>uuid:h-2</instanceID></meta></data>";
	body = odkc_plain_body(bad, &len);
	r = raw("POST", "/submission", "cara", mp, body, len);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "gender"));
	resp_free(&r);
	free(body);
	assert_int_equal(cases(), n0 + 1);
	assert_int_equal(pending(), p0 + 1);
}

/* cb_store_scan: the id of the case born in 1990 */
static int born_1990(const struct cb_case *c, void *ctx)
{
	if (c->birth_year != 1990)
		return 0;
	cb_case_id_format(c->case_id, ctx);
	return 1;
}

static void test_offline_followup_conflict(void **state)
{
	(void)state;
	char idt[CB_ID_TEXT] = "";
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	/* the case registered above, read back with its version */
	assert_int_equal(cb_store_open(dbpath, CB_OPEN_READONLY, &s, &err), CB_OK);
	long long v = cbt_sql_int(dbpath, "SELECT version FROM cases WHERE birth_year = 1990 AND site = '" SITE "' LIMIT 1");
	struct cb_store_filter at = {.site = SITE, .status = CB_NA};
	assert_int_equal(cb_store_scan(s, &at, 0, born_1990, idt, &err), 1);
	cb_store_free(&s);
	char x[1024];
	snprintf(x, sizeof x, "<data id=\"casebank_followup\" version=\"1\"><case_id>%s</case_id><case_version>%lld</case_version>"
		 "<due_on>2025-01-01</due_on><note>called her</note><meta><instanceID>uuid:f-1</instanceID></meta></data>",
		 idt, v);
	struct resp r = submit_enc("cara", "casebank_followup", "uuid:f-1", x, 0);
	if (r.status != 201)
		fprintf(stderr, "%s\n", r.body);
	assert_int_equal(r.status, 201);
	resp_free(&r);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM followups"), 1);
	/* the phone saw an older version: to the review queue, nothing written over */
	snprintf(x, sizeof x, "<data id=\"casebank_followup\" version=\"1\"><case_id>%s</case_id><case_version>%lld</case_version>"
		 "<due_on>2025-02-01</due_on><meta><instanceID>uuid:f-2</instanceID></meta></data>",
		 idt, v + 5);
	r = submit_enc("cara", "casebank_followup", "uuid:f-2", x, 0);
	assert_int_equal(r.status, 202); /* held safely: Collect counts it as sent, not failed */
	assert_non_null(strstr(r.body, "changed since"));
	assert_non_null(strstr(r.body, "held for review by a manager"));
	assert_non_null(strstr(r.body, "nature=\"submit_success\""));
	resp_free(&r);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM followups"), 1);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM odk_review WHERE kind = 'conflict' AND state = 'pending'"), 1);
	/* another office's caseworker cannot write to it */
	snprintf(x, sizeof x, "<data id=\"casebank_followup\" version=\"1\"><case_id>%s</case_id><case_version>%lld</case_version>"
		 "<due_on>2025-02-01</due_on><meta><instanceID>uuid:f-3</instanceID></meta></data>",
		 idt, v);
	r = submit_enc("otto", "casebank_followup", "uuid:f-3", x, 0);
	assert_int_equal(r.status, 404);
	resp_free(&r);
	/* a follow-up whose audit entry cannot be written is not kept either (the chain head altered) */
	long long v2 = cbt_sql_int(dbpath, "SELECT version FROM cases WHERE birth_year = 1990 AND site = '" SITE "' LIMIT 1");
	snprintf(x, sizeof x, "<data id=\"casebank_followup\" version=\"1\"><case_id>%s</case_id><case_version>%lld</case_version>"
		 "<due_on>2025-03-01</due_on><meta><instanceID>uuid:f-4</instanceID></meta></data>",
		 idt, v2);
	(void)cbt_sql_int(dbpath, "UPDATE meta SET value = 'x' || value WHERE key = 'audit_head'");
	r = submit_enc("cara", "casebank_followup", "uuid:f-4", x, 0);
	assert_true(r.status >= 500);
	resp_free(&r);
	(void)cbt_sql_int(dbpath, "UPDATE meta SET value = substr(value, 2) WHERE key = 'audit_head'");
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM followups"), 1);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM odk_received WHERE instance_id = 'uuid:f-4'"), 0);
	/* erasing the case's identifying details destroys the copy waiting for review too */
	uint8_t raw[16];
	assert_int_equal(cb_case_id_parse(idt, raw), CB_OK);
	assert_int_equal(cb_store_open(dbpath, 0, &s, &err), CB_OK);
	assert_int_equal(cb_store_erase(s, raw, false, &err), CB_OK);
	cb_store_free(&s);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM odk_review WHERE kind = 'conflict' AND sealed IS NOT NULL"), 0);
}

/* Eight clients send the same form at the same moment (a phone retrying over a flaky link), and eight other
 * forms go at once: one case for the first, one each for the others, and every client told it arrived. */
struct racer {
	const char *body;
	size_t len;
	int status;
};
static void *race(void *arg)
{
	struct racer *rc = arg;
	struct resp r = raw("POST", "/submission", "cara", mp, rc->body, rc->len);
	rc->status = r.status;
	resp_free(&r);
	return NULL;
}

static void test_concurrent_duplicates(void **state)
{
	(void)state;
	long long n0 = cases();
	struct racer rs[16];
	pthread_t th[16];
	char *x = registration("uuid:race", "");
	size_t len;
	char *same = odkc_encrypted_body(pub, "casebank_registration", form_version, "uuid:race", x, NULL, NULL, 0, &len);
	free(x);
	char *others[8];
	for (int i = 0; i < 16; i++) {
		if (i < 8) {
			rs[i] = (struct racer){same, len, 0};
		} else {
			char iid[32];
			snprintf(iid, sizeof iid, "uuid:race-%d", i);
			x = registration(iid, "");
			others[i - 8] = odkc_encrypted_body(pub, "casebank_registration", form_version, iid, x, NULL, NULL, 0,
							    &rs[i].len);
			rs[i].body = others[i - 8];
			free(x);
		}
		assert_int_equal(pthread_create(&th[i], NULL, race, &rs[i]), 0);
	}
	for (int i = 0; i < 16; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(rs[i].status, 201);
	}
	assert_int_equal(cases(), n0 + 9);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM odk_received WHERE instance_id LIKE 'uuid:race%'"), 9);
	free(same);
	for (int i = 0; i < 8; i++)
		free(others[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_list),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_encrypted_case_and_duplicate),
		cmocka_unit_test(test_tampered_refused),
		cmocka_unit_test(test_invalid_goes_to_review),
		cmocka_unit_test(test_reject_keeps_reason_sealed),
		cmocka_unit_test(test_htcds_form),
		cmocka_unit_test(test_offline_followup_conflict),
		cmocka_unit_test(test_concurrent_duplicates),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

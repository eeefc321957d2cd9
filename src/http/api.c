/*
 * api.c -- the routes of docs/api.md and what every request goes through: routing, the session cookie, the
 * CSRF token, the one authorisation check, JSON documents and errors, the audit trail; and the handlers that
 * are not about cases (login, logout, me, codebook, statistics, report, audit, users).  The case handlers
 * are in api_cases.c; assistance, partners, referrals, the workflow and the dashboard in api_assist.c.
 *
 * Handlers get a struct cb_http_req and set a status and a body; they never see the socket, so tests drive
 * them through a real server and the fuzzer drives the parsers they use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "http/assets.h"
#include "http/http.h"
#include "stats/report.h"
#include "stats/stats.h"


/* ---- responses */

void cb_api_json(struct cb_http_req *r, int status, json_t *doc)
{
	r->resp = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (!r->resp) {
		cb_api_error(r, 500, "internal", "out of memory");
		return;
	}
	r->resp_len = strlen(r->resp);
	r->status = status;
	r->ctype = "application/json";
}

void cb_api_error(struct cb_http_req *r, int status, const char *code, const char *detail)
{
	free(r->resp);
	r->resp = NULL;
	json_t *doc = json_pack("{s:s, s:s}", "error", code, "detail", detail ? detail : "");
	r->resp = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	r->resp_len = r->resp ? strlen(r->resp) : 0;
	r->status = status;
	r->ctype = "application/json";
}

/* The error of a refusal by cb_authz_check. */
void cb_api_refuse(struct cb_http_req *r, int status)
{
	switch (status) {
	case 401: cb_api_error(r, 401, "login_required", "log in first"); break;
	case 404: cb_api_error(r, 404, "not_found", "no such record"); break;
	default: cb_api_error(r, 403, "forbidden", "your role may not do this"); break;
	}
}

/* A library error: the message names field and coded value only (house rule), so it may be shown. */
void cb_api_fail(struct cb_http_req *r, int rc, const struct cb_err *err)
{
	switch (rc) {
	case CB_EINVAL: cb_api_error(r, 400, "invalid", err && err->msg[0] ? err->msg : "invalid"); break;
	case CB_ENOTFOUND: cb_api_error(r, 404, "not_found", "no such record"); break;
	case CB_ECONFLICT: cb_api_error(r, 409, "conflict", "somebody changed this record first: reload it"); break;
	case CB_EEXIST: cb_api_error(r, 409, "conflict", "it exists already"); break;
	case CB_EPERM: cb_api_error(r, 403, "forbidden", err && err->msg[0] ? err->msg : "not allowed"); break;
	case CB_ECONSENT: cb_api_error(r, 409, "consent_required", err && err->msg[0] ? err->msg : "no consent"); break;
	case CB_EFULL: /* nothing was written; the operator must free space, the client may try again later */
		fprintf(stderr, "casebank serve: disk full: nothing more can be written\n");
		cb_api_error(r, 503, "unavailable", "service unavailable: the server cannot write (disk full)");
		break;
	default: cb_api_error(r, 500, "internal", "internal error"); break;
	}
}

struct cb_store *cb_api_store(struct cb_http_req *r)
{
	if (!r->store)
		r->store = cb_http_store_get(r->app);
	return r->store;
}

/* The body as a JSON object; answers 415 or 400 itself and returns NULL. */
json_t *cb_api_body(struct cb_http_req *r)
{
	json_t *obj;
	if (!cb_http_is_json(r->content_type)) {
		cb_api_error(r, 415, "unsupported_media_type", "send the body as application/json");
		return NULL;
	}
	if (cb_http_json_object(r->body, r->body_len, &obj) != CB_OK) {
		cb_api_error(r, 400, "bad_json", "the body is not a JSON object");
		return NULL;
	}
	return obj;
}

void cb_api_principal(const struct cb_http_req *r, struct cb_principal *p)
{
	p->role = r->user.role;
	p->site = r->user.site;
	p->glass = false;
}

/* The server's entries are committed by the group commit (auditq.c) on its own connection, after the act's
 * own transaction: one fsync then serves every request waiting, where an entry inside each act's transaction
 * would cost one fsync per act.  So a write is committed before its entry; if the entry then fails the
 * client gets a 5xx (cb_api_audit_failed), never a success, and the server logs it below. */
int cb_api_audit(struct cb_http_req *r, enum cb_audit_action a, const uint8_t *case_id, const char *fields)
{
	struct cb_audit_entry e = {0};
	struct cb_err err = {0};
	e.at_ms = 0; /* now, when written */
	snprintf(e.user, sizeof e.user, "%s", r->authed ? r->user.name : "");
	snprintf(e.from, sizeof e.from, "%s", r->from);
	snprintf(e.action, sizeof e.action, "%s", cb_audit_names[a]);
	if (case_id)
		memcpy(e.case_id, case_id, 16);
	snprintf(e.fields, sizeof e.fields, "%s", fields ? fields : "");
	int rc;
	if (r->app->audit) {
		if (r->store) { /* nobody needs our store handle while we wait for the commit */
			cb_http_store_put(r->app, r->store);
			r->store = NULL;
		}
		rc = cb_auditq_append(r->app->audit, &e);
	} else {
		rc = cb_audit_append(cb_api_store(r), &e, &err);
	}
	if (rc != CB_OK)
		fprintf(stderr, "casebank serve: audit trail: %s (%s not recorded)\n", cb_rc_str(rc), cb_audit_names[a]);
	return rc;
}

void cb_api_audit_failed(struct cb_http_req *r, int rc)
{
	cb_api_fail(r, rc == CB_EFULL ? rc : CB_EDB, NULL); /* 503 on a full disk, else 500 */
}

/* ---- sessions */

static const char *cookie_header(struct cb_http_req *r, const char *token, bool clear)
{
	return cb_arena_printf(r->arena, "cb_session=%s; Path=/; HttpOnly; SameSite=Strict%s%s", token,
			       r->app->tls ? "; Secure" : "", clear ? "; Max-Age=0" : "");
}

static void load_session(struct cb_http_req *r)
{
	char token[CB_TOKEN_TEXT];
	if (cb_http_cookie(r->cookie, "cb_session", token, sizeof token) != CB_OK)
		return;
	struct cb_err err = {0};
	/* with the audit writer, the check writes nothing; last_seen goes to the writer (sessions.c) */
	struct cb_auditq *aq = r->app->audit;
	if (cb_session_cache_get(r->app->sessions, token, r->now, &r->session, &r->user)) {
		r->authed = true;
	} else if ((aq ? cb_session_lookup : cb_session_check)(cb_api_store(r), token, r->now, &r->session, &r->user,
								&err) == CB_OK) {
		r->authed = true;
		cb_session_cache_put(r->app->sessions, token, r->now, &r->session, &r->user);
	} else {
		cb_session_cache_drop(r->app->sessions, token); /* ended, expired or disabled meanwhile */
	}
	uint8_t h[32];
	if (r->authed && aq && cb_session_cache_touch(r->app->sessions, token, r->now, h))
		cb_auditq_touch(aq, h, r->now);
	if (r->authed)
		memcpy(r->token, token, sizeof token);
	sodium_memzero(token, sizeof token);
}

static bool csrf_ok(const struct cb_http_req *r)
{
	size_t n = strlen(r->session.csrf);
	return r->csrf && n > 0 && strlen(r->csrf) == n && sodium_memcmp(r->csrf, r->session.csrf, n) == 0;
}

static json_t *user_json(const struct cb_user *u)
{
	return json_pack("{s:s, s:s, s:s}", "name", u->name, "role", cb_role_name(u->role), "site", u->site);
}

static int h_login(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	const char *name = json_string_value(json_object_get(body, "user"));
	const char *pw = json_string_value(json_object_get(body, "password"));
	struct cb_err err = {0};
	struct cb_user u;
	struct cb_store *s;
	if (!name || !pw) {
		cb_api_error(r, 400, "invalid", "expected {\"user\": ..., \"password\": ...}");
		goto out;
	}
	/* an address that keeps failing waits, whatever the name: no account is ever locked by others' failures */
	int64_t wait = cb_login_wait(r->app->sessions, r->from, r->now);
	if (wait > 0) {
		cb_api_error(r, 429, "too_many_attempts",
			     cb_arena_printf(r->arena, "too many failed logins from this address: try again in %lld s",
					     (long long)wait));
		goto out;
	}
	sem_wait(&r->app->pw_slots); /* before taking a store handle: waiting logins hold none */
	s = cb_api_store(r);
	int arc = cb_user_authenticate(s, name, pw, r->now, &u, &err);
	sem_post(&r->app->pw_slots);
	if (arc != CB_OK) {
		cb_login_failed(r->app->sessions, r->from, r->now);
		/* the attempted name only when it is an account: a password typed into the name field stays out.
		 * A name that is no account makes no entry but a count (audit.c), in the same group commit, so the
		 * answer takes as long either way */
		struct cb_user known;
		struct cb_err e2 = {0};
		if (cb_user_get(s, name, &known, &e2) == CB_OK) {
			r->user = known;
			r->authed = true;
		}
		int frc = cb_api_audit(r, CB_AUD_LOGIN_FAILED, NULL, NULL);
		r->authed = false;
		if (frc != CB_OK) /* an attempt the trail cannot count is not answered as if it had been */
			cb_api_audit_failed(r, frc);
		else
			cb_api_error(r, 401, "login_failed", "wrong name or password, or the account is disabled");
		goto out;
	}
	char token[CB_TOKEN_TEXT];
	struct cb_session sess;
	int rc = cb_session_new(s, u.id, r->now, token, &sess, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	r->user = u;
	r->authed = true;
	if ((rc = cb_api_audit(r, CB_AUD_LOGIN, NULL, NULL)) != CB_OK) {
		/* no session without its entry: the one just made is ended again, its token never sent */
		cb_session_end(cb_api_store(r), token);
		sodium_memzero(token, sizeof token);
		sodium_memzero(&sess, sizeof sess);
		r->authed = false;
		cb_api_audit_failed(r, rc);
		goto out;
	}
	r->set_cookie = cookie_header(r, token, false);
	sodium_memzero(token, sizeof token);
	cb_api_json(r, 200, json_pack("{s:s, s:o}", "csrf_token", sess.csrf, "user", user_json(&u)));
	sodium_memzero(&sess, sizeof sess);
out:
	json_decref(body); /* jansson's free wipes the password (io/json.c) */
	return CB_OK;
}

static int h_logout(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	cb_session_cache_drop(r->app->sessions, r->token);
	cb_session_end(cb_api_store(r), r->token);
	/* the session is already over: a failed entry cannot undo that, but is not answered as a success */
	int rc = cb_api_audit(r, CB_AUD_LOGOUT, NULL, NULL);
	r->set_cookie = cookie_header(r, "", true);
	if (rc != CB_OK) {
		cb_api_audit_failed(r, rc);
		return CB_OK;
	}
	r->status = 204;
	return CB_OK;
}

static int h_me(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	json_t *doc = user_json(&r->user);
	json_object_set_new(doc, "csrf_token", json_string(r->session.csrf));
	cb_api_json(r, 200, doc);
	return CB_OK;
}

/* ---- the codebook, built once */

static const char *const kind_names[] = {"id", "site", "date", "int", "enum", "multi", "country", "bool", "pii"};
static const struct {
	const char *name, *label, *interview;
} groups[] = {
	[CB_G_CASE] = {"case", "Case", "screening"},
	[CB_G_PERSON] = {"person", "Person", "screening"},
	[CB_G_RECRUIT] = {"recruitment", "Recruitment", "assistance"},
	[CB_G_EXPLOIT] = {"exploitation", "Exploitation", "assistance"},
	[CB_G_CONSENT] = {"consent", "Consent", "screening"},
	[CB_G_IDENTITY] = {"identity", "Identifying details", "screening"},
};

static char *codebook_text;
static size_t codebook_len;
static pthread_once_t codebook_once = PTHREAD_ONCE_INIT;

static json_t *field_json(const struct cb_field *f)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b}", "name", f->name, "label", f->label,
			      "kind", kind_names[f->kind], "group", groups[f->group].name, "multi", f->kind == CB_MULTI,
			      "pii", f->kind == CB_PII, "dimension", (f->flags & CB_F_DIM) != 0, "required",
			      (f->flags & (CB_F_REQUIRED | CB_F_REGISTER)) != 0, "derived",
			      (f->flags & (CB_F_DERIVED | CB_F_STORE)) != 0);
	if (f->kind == CB_INT) {
		json_object_set_new(o, "min", json_integer(f->lo));
		json_object_set_new(o, "max", json_integer(f->hi));
	}
	if (f->kind == CB_PII)
		json_object_set_new(o, "max_length", json_integer(f->hi));
	if (f->kind == CB_PII && (f->flags & CB_F_ISODATE))
		json_object_set_new(o, "format", json_string("date"));
	if (f->flags & (CB_F_PHONE | CB_F_EMAIL))
		json_object_set_new(o, "format", json_string(f->flags & CB_F_PHONE ? "phone" : "email"));
	if ((f->kind == CB_ENUM || f->kind == CB_MULTI) && f->vset) {
		json_t *vals = json_array();
		for (int i = 0; i < f->vset->count; i++)
			json_array_append_new(vals, json_pack("{s:s, s:s}", "name", f->vset->values[i].name, "label",
							      f->vset->values[i].label));
		json_object_set_new(o, "values", vals);
	}
	return o;
}

static void codebook_build(void)
{
	json_t *fields = json_array(), *grp = json_array(), *countries = json_array(), *dims = json_array();
	for (int i = 0; i < CB_NFIELDS; i++)
		json_array_append_new(fields, field_json(&cb_fields[i]));
	for (size_t i = 0; i < CB_COUNTOF(groups); i++)
		json_array_append_new(grp, json_pack("{s:s, s:s, s:s}", "name", groups[i].name, "label", groups[i].label,
						     "interview", groups[i].interview));
	for (int i = 0; i < cb_ncountries; i++)
		json_array_append_new(countries, json_pack("{s:s, s:s, s:s}", "code", cb_countries[i].alpha2, "name",
							   cb_countries[i].name, "region", cb_countries[i].region));
	for (int d = 0; d < CB_DIM__END; d++)
		if (cb_dim_find(cb_dim_name(d)) == d)
			json_array_append_new(dims, json_pack("{s:s, s:s, s:b}", "name", cb_dim_name(d), "label", cb_dim_label(d),
							      "released", cb_release_has_dim(d)));
	json_t *doc = json_pack("{s:o, s:o, s:o, s:o}", "fields", fields, "groups", grp, "countries", countries,
				"dimensions", dims);
	codebook_text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	codebook_len = codebook_text ? strlen(codebook_text) : 0;
	json_decref(doc);
}

static int h_codebook(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	pthread_once(&codebook_once, codebook_build);
	if (!codebook_text || !(r->resp = malloc(codebook_len + 1))) {
		cb_api_error(r, 500, "internal", "out of memory");
		return CB_OK;
	}
	memcpy(r->resp, codebook_text, codebook_len + 1);
	r->resp_len = codebook_len;
	r->status = 200;
	r->ctype = "application/json";
	return CB_OK;
}

/* ---- static files */

static int h_static(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	const char *path = strcmp(r->path, "/") ? r->path + 1 : "index.html";
	size_t n = cb_web_nassets;
	for (size_t i = 0; i < n; i++) {
		const struct cb_asset *a = &cb_web_assets[i];
		if (strcmp(a->path, path) && !(a->path[0] == '/' && !strcmp(a->path + 1, path)))
			continue;
		if (!(r->resp = malloc(a->len ? a->len : 1))) {
			cb_api_error(r, 500, "internal", "out of memory");
			return CB_OK;
		}
		memcpy(r->resp, a->data, a->len);
		r->resp_len = a->len;
		r->ctype = a->mime;
		r->status = 200;
		return CB_OK;
	}
	cb_api_error(r, 404, "not_found", "no such page");
	return CB_OK;
}

/* ---- statistics and the report */

/* Runs fn on a memory stream; the text becomes the response. */
static int stream_body(struct cb_http_req *r, const char *ctype, int (*fn)(void *ctx, FILE *f, struct cb_err *err),
		       void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	struct cb_err err = {0};
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		cb_api_error(r, 500, "internal", "out of memory");
		return CB_OK;
	}
	int rc = fn(ctx, f, &err);
	if (fclose(f) != 0 && rc == CB_OK)
		rc = CB_ENOMEM;
	if (rc != CB_OK) {
		if (buf)
			sodium_memzero(buf, len);
		free(buf);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	r->resp = buf;
	r->resp_len = len;
	r->status = 200;
	r->ctype = ctype;
	return CB_OK;
}

/* The cache of rendered statistics.  Counts are deterministic (the same releases give the same answer to the
 * same question), so a cached answer is exactly what a new query would publish until a new release is
 * loaded (stats_gen) -- or the day does, which the rendering carries (the age of the release). */
static struct cb_stats_cache_entry *cache_slot(struct cb_http_app *app, const char *key)
{
	uint32_t h = 2166136261u;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &app->cache[h % CB_STATS_CACHE];
}

static bool cache_get(struct cb_http_req *r, const char *key, const char *ctype, uint64_t *gen)
{
	struct cb_http_app *app = r->app;
	bool hit = false;
	pthread_mutex_lock(&app->cache_mu);
	*gen = app->stats_gen;
	struct cb_stats_cache_entry *e = cache_slot(app, key);
	if (e->key && !strcmp(e->key, key) && e->gen == app->stats_gen && r->now >= e->at && r->now - e->at < 60 &&
	    (r->resp = malloc(e->len + 1))) {
		memcpy(r->resp, e->body, e->len);
		r->resp_len = e->len;
		r->status = 200;
		r->ctype = ctype;
		hit = true;
	}
	pthread_mutex_unlock(&app->cache_mu);
	return hit;
}

static void cache_put(struct cb_http_req *r, const char *key, bool csv, uint64_t gen)
{
	struct cb_http_app *app = r->app;
	char *k = strdup(key), *b = r->resp_len <= CB_HTTP_BODY_MAX ? malloc(r->resp_len + 1) : NULL;
	if (!k || !b) {
		free(k);
		free(b);
		return;
	}
	memcpy(b, r->resp, r->resp_len);
	pthread_mutex_lock(&app->cache_mu);
	struct cb_stats_cache_entry *e = cache_slot(app, key);
	free(e->key);
	free(e->body);
	*e = (struct cb_stats_cache_entry){.key = k, .body = b, .len = r->resp_len, .csv = csv, .gen = gen, .at = r->now};
	pthread_mutex_unlock(&app->cache_mu);
}

/* Loads the newest releases when a release was made since (by `casebank release` or the schedule); asks the
 * store at most every two seconds.  The old bank stays in use until the new one is complete. */
static void stats_refresh(struct cb_http_req *r)
{
	struct cb_http_app *app = r->app;
	struct cb_stats *neu = NULL;
	struct cb_err err = {0};
	int64_t newest = 0;
	pthread_mutex_lock(&app->cache_mu);
	bool due = r->now - app->stats_checked >= 2 || r->now < app->stats_checked;
	if (due)
		app->stats_checked = r->now;
	pthread_mutex_unlock(&app->cache_mu);
	if (!due || cb_store_release_newest(cb_api_store(r), &newest, &err) != CB_OK)
		return;
	pthread_rwlock_rdlock(&app->stats_mu);
	bool stale = cb_stats_is_release(app->stats) && newest != cb_stats_newest(app->stats);
	pthread_rwlock_unlock(&app->stats_mu);
	if (!stale || cb_stats_open(cb_api_store(r), &neu, &err) != CB_OK)
		return;
	pthread_rwlock_wrlock(&app->stats_mu);
	struct cb_stats *old = app->stats;
	app->stats = neu;
	pthread_rwlock_unlock(&app->stats_mu);
	cb_stats_free(&old);
	pthread_mutex_lock(&app->cache_mu);
	app->stats_gen++;
	pthread_mutex_unlock(&app->cache_mu);
}

/* A statistics query that failed.  Without a release the bank says so and how to make one; cb_api_fail would
 * answer "no such record", which an analyst cannot act on. */
static void stats_fail(struct cb_http_req *r, int rc, const struct cb_err *err)
{
	if (rc == CB_ENOTFOUND)
		cb_api_error(r, 404, "no_release", err->msg[0] ? err->msg : "no statistical release yet");
	else
		cb_api_fail(r, rc, err);
}

struct stats_job {
	struct cb_table *t;
	enum cb_stats_format fmt;
};

static int write_table(void *ctx, FILE *f, struct cb_err *err)
{
	struct stats_job *j = ctx;
	return cb_table_write(j->t, j->fmt, f, err);
}

static int h_stats(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_query q = {0};
	struct stats_job job = {.fmt = CB_SF_JSON};
	const char *by = cb_http_query_get(&r->query, "by");
	const char *fmt = cb_http_query_get(&r->query, "format");
	const char *pct = cb_http_query_get(&r->query, "percent");
	struct cb_err err = {0};
	if (!by || !*by) {
		cb_api_error(r, 400, "invalid", "by: name one to three dimensions, such as by=year,gender");
		return CB_OK;
	}
	char *dims = cb_arena_strndup(r->arena, by, strlen(by));
	int nd = 0;
	for (char *save = NULL, *d = dims ? strtok_r(dims, ",", &save) : NULL; d; d = strtok_r(NULL, ",", &save)) {
		if (nd == CB_STATS_MAX_DIMS) {
			cb_api_error(r, 400, "invalid", "by: at most three dimensions");
			return CB_OK;
		}
		q.dims[nd++] = d;
	}
	if (fmt && !strcmp(fmt, "csv"))
		job.fmt = CB_SF_CSV;
	else if (fmt && strcmp(fmt, "json")) {
		cb_api_error(r, 400, "invalid", "format: expected json or csv");
		return CB_OK;
	}
	if (pct && !strcmp(pct, "1"))
		q.flags |= CB_Q_PERCENT;
	else if (pct && strcmp(pct, "0")) {
		cb_api_error(r, 400, "invalid", "percent: expected 1 or 0");
		return CB_OK;
	}
	q.where = cb_http_query_get(&r->query, "where");
	const char *ctype = job.fmt == CB_SF_CSV ? "text/csv; charset=utf-8" : "application/json";
	const char *key = cb_arena_printf(r->arena, "%s\x1f%s\x1f%u\x1f%d", by, q.where ? q.where : "", q.flags,
					  (int)job.fmt);
	uint64_t gen;
	stats_refresh(r);
	if (!key || cache_get(r, key, ctype, &gen))
		return CB_OK;
	/* never CB_Q_EXACT: unprotected counts are for the command line only */
	pthread_rwlock_rdlock(&r->app->stats_mu);
	int rc = cb_stats_query(r->app->stats, &q, &job.t, &err);
	pthread_rwlock_unlock(&r->app->stats_mu);
	if (rc != CB_OK) {
		stats_fail(r, rc, &err);
		return CB_OK;
	}
	stream_body(r, ctype, write_table, &job);
	cb_table_free(&job.t);
	if (r->status == 200)
		cache_put(r, key, job.fmt == CB_SF_CSV, gen);
	return CB_OK;
}

static int write_report_html(void *ctx, FILE *f, struct cb_err *err) { return cb_report_write_html(ctx, f, err); }

/* The workbook is written by path (libxlsxwriter); a private temporary file holds it for a moment.  It
 * holds protected statistics only, never identifying details. */
static int write_report_xlsx(void *ctx, FILE *f, struct cb_err *err)
{
	char path[] = "/tmp/casebank-report-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return cb_err_set(err, CB_EIO, "cannot create a temporary file");
	close(fd);
	int rc = cb_report_write_xlsx(ctx, path, err);
	char *data = NULL;
	size_t n = 0;
	if (rc == CB_OK)
		rc = cb_file_read(path, 64u << 20, &data, &n, err);
	unlink(path);
	if (rc == CB_OK && fwrite(data, 1, n, f) != n)
		rc = cb_err_set(err, CB_EIO, "cannot write the workbook");
	free(data);
	return rc;
}

static int h_report(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	const char *fmt = cb_http_query_get(&r->query, "format");
	struct cb_report_opts o = {.where = cb_http_query_get(&r->query, "where")};
	struct cb_report *rep = NULL;
	struct cb_err err = {0};
	bool xlsx = fmt && !strcmp(fmt, "xlsx");
	if (fmt && !xlsx && strcmp(fmt, "html")) {
		cb_api_error(r, 400, "invalid", "format: expected html or xlsx");
		return CB_OK;
	}
	stats_refresh(r);
	pthread_rwlock_rdlock(&r->app->stats_mu);
	int rc = cb_report_build(r->app->stats, &o, &rep, &err);
	pthread_rwlock_unlock(&r->app->stats_mu);
	if (rc != CB_OK) {
		stats_fail(r, rc, &err);
		return CB_OK;
	}
	if ((rc = cb_api_audit(r, CB_AUD_REPORT, NULL, xlsx ? "xlsx" : "html")) != CB_OK) {
		cb_report_free(&rep); /* a report the trail cannot record is not sent */
		cb_api_audit_failed(r, rc);
		return CB_OK;
	}
	if (xlsx) {
		stream_body(r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_report_xlsx, rep);
		r->disposition = "attachment; filename=\"casebank-report.xlsx\"";
	} else {
		stream_body(r, "text/html; charset=utf-8", write_report_html, rep);
	}
	cb_report_free(&rep);
	return CB_OK;
}

/* ---- the audit trail */

static int audit_entry(const struct cb_audit_entry *e, void *ctx)
{
	char at[64], id[CB_ID_TEXT];
	time_t sec = (time_t)(e->at_ms / 1000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	snprintf(at, sizeof at, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(e->at_ms % 1000));
	json_t *fields = json_array();
	char buf[sizeof e->fields];
	snprintf(buf, sizeof buf, "%s", e->fields);
	for (char *save = NULL, *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save))
		json_array_append_new(fields, json_string(f));
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->id, "at", at, "user", e->user, "from",
			      e->from, "action", e->action);
	if (!cb_case_id_is_zero(e->case_id)) {
		cb_case_id_format(e->case_id, id);
		json_object_set_new(o, "case_id", json_string(id));
	}
	json_object_set_new(o, "fields", fields);
	return json_array_append_new(ctx, o) ? CB_ENOMEM : CB_OK;
}

static int h_audit(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	uint8_t id[16];
	long limit = 100;
	const char *cid = cb_http_query_get(&r->query, "case_id");
	const char *lim = cb_http_query_get(&r->query, "limit");
	struct cb_err err = {0};
	if (cid && cb_case_id_parse(cid, id) != CB_OK) {
		cb_api_error(r, 400, "invalid", "case_id: expected a case id of 26 characters");
		return CB_OK;
	}
	if (lim && cb_http_parse_long(lim, 1, 1000, &limit) != CB_OK) {
		cb_api_error(r, 400, "invalid", "limit: expected a number from 1 to 1000");
		return CB_OK;
	}
	json_t *entries = json_array();
	int rc = cb_audit_list(cb_api_store(r), cid ? id : NULL, (int)limit, audit_entry, entries, &err);
	if (rc != CB_OK) {
		json_decref(entries);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_json(r, 200, json_pack("{s:o}", "entries", entries));
	return CB_OK;
}

/* ---- users (admins) */

static int user_entry(const struct cb_user *u, void *ctx)
{
	json_t *o = user_json(u);
	json_object_set_new(o, "disabled", json_boolean(u->disabled));
	json_object_set_new(o, "locked", json_boolean(u->locked_until > (int64_t)time(NULL)));
	return json_array_append_new(ctx, o) ? CB_ENOMEM : CB_OK;
}

static int h_users_list(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_err err = {0};
	json_t *users = json_array();
	int rc = cb_user_list(cb_api_store(r), user_entry, users, &err);
	if (rc != CB_OK) {
		json_decref(users);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_json(r, 200, json_pack("{s:o}", "users", users));
	return CB_OK;
}

static int h_users_add(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *role = json_string_value(json_object_get(body, "role"));
	const char *site = json_string_value(json_object_get(body, "site"));
	const char *pw = json_string_value(json_object_get(body, "password"));
	enum cb_role rl;
	struct cb_user u;
	struct cb_err err = {0};
	if (!name || !role || !pw || cb_role_parse(role, &rl) != CB_OK) {
		cb_api_error(r, 400, "invalid", "expected name, role (admin, manager, caseworker, analyst), password");
		goto out;
	}
	sem_wait(&r->app->pw_slots);
	int rc = cb_user_add(cb_api_store(r), name, rl, site ? site : "", pw, &u, &err);
	sem_post(&r->app->pw_slots);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	if ((rc = cb_api_audit(r, CB_AUD_USER_ADD, NULL, NULL)) != CB_OK) {
		cb_api_audit_failed(r, rc); /* the account exists: see cb_api_audit for why the entry comes after */
		goto out;
	}
	json_t *doc = user_json(&u);
	json_object_set_new(doc, "disabled", json_false());
	cb_api_json(r, 201, doc);
out:
	json_decref(body);
	return CB_OK;
}

static int h_users_patch(struct cb_http_req *r, const char *arg)
{
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	struct cb_user u;
	struct cb_err err = {0};
	struct cb_store *s = cb_api_store(r);
	json_t *dis = json_object_get(body, "disabled");
	const char *pw = json_string_value(json_object_get(body, "password"));
	int rc = cb_user_get(s, arg, &u, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	if ((dis && !json_is_boolean(dis)) || (!dis && !pw)) {
		cb_api_error(r, 400, "invalid", "expected {\"disabled\": true|false} or {\"password\": \"...\"}");
		goto out;
	}
	if (dis && (rc = cb_user_set_disabled(s, u.id, json_is_true(dis), &r->user, &err)) != CB_OK)
		goto fail;
	if (pw) {
		sem_wait(&r->app->pw_slots);
		rc = cb_user_set_password(s, u.id, pw, &err);
		sem_post(&r->app->pw_slots);
		if (rc != CB_OK)
			goto fail;
	}
	cb_session_cache_drop_user(r->app->sessions, u.id);
	enum cb_audit_action act = !dis ? CB_AUD_USER_PASSWORD : json_is_true(dis) ? CB_AUD_USER_DISABLE : CB_AUD_USER_ENABLE;
	if ((rc = cb_api_audit(r, act, NULL, NULL)) != CB_OK) {
		cb_api_audit_failed(r, rc);
		goto out;
	}
	s = cb_api_store(r); /* cb_api_audit gave the handle back to the pool while it waited */
	if ((rc = cb_user_get(s, arg, &u, &err)) != CB_OK)
		goto fail;
	cb_api_json(r, 200, json_pack("{s:s, s:s, s:s, s:b}", "name", u.name, "role", cb_role_name(u.role), "site",
				      u.site, "disabled", u.disabled));
	goto out;
fail:
	cb_api_fail(r, rc, &err);
out:
	json_decref(body);
	return CB_OK;
}

/* ---- routing */

const struct cb_route cb_routes[] = {
	{"POST", "/api/login", CB_ACT_LOGIN, h_login},
	{"POST", "/api/logout", CB_ACT_LOGOUT, h_logout},
	{"GET", "/api/me", CB_ACT_ME, h_me},
	{"GET", "/api/codebook", CB_ACT_CODEBOOK, h_codebook},
	{"GET", "/api/cases", CB_ACT_CASE_LIST, cb_api_cases_list},
	{"POST", "/api/cases", CB_ACT_CASE_CREATE, cb_api_case_create},
	{"GET", "/api/cases/{}", CB_ACT_CASE_READ, cb_api_case_read},
	{"PATCH", "/api/cases/{}", CB_ACT_CASE_UPDATE, cb_api_case_update},
	{"POST", "/api/cases/{}/glass", CB_ACT_GLASS, cb_api_case_glass},
	{"GET", "/api/stats", CB_ACT_STATS, h_stats},
	{"GET", "/api/report", CB_ACT_REPORT, h_report},
	{"GET", "/api/audit", CB_ACT_AUDIT, h_audit},
	{"GET", "/api/users", CB_ACT_USERS, h_users_list},
	{"POST", "/api/users", CB_ACT_USERS, h_users_add},
	{"PATCH", "/api/users/{}", CB_ACT_USERS, h_users_patch},
	{"GET", "/api/partners", CB_ACT_PARTNER_LIST, cb_api_partners_list},
	{"POST", "/api/partners", CB_ACT_PARTNER_MANAGE, cb_api_partner_add},
	{"PATCH", "/api/partners/{}", CB_ACT_PARTNER_MANAGE, cb_api_partner_update},
	{"GET", "/api/cases/{}/assistance", CB_ACT_ASSIST_READ, cb_api_assist_list},
	{"POST", "/api/cases/{}/assistance", CB_ACT_ASSIST_WRITE, cb_api_assist_add},
	{"PATCH", "/api/cases/{}/assistance/{}", CB_ACT_ASSIST_WRITE, cb_api_assist_update},
	{"GET", "/api/cases/{}/referrals", CB_ACT_ASSIST_READ, cb_api_referrals_list},
	{"POST", "/api/cases/{}/referrals", CB_ACT_ASSIST_WRITE, cb_api_referral_add},
	{"PATCH", "/api/cases/{}/referrals/{}", CB_ACT_ASSIST_WRITE, cb_api_referral_update},
	{"POST", "/api/cases/{}/stage", CB_ACT_STAGE, cb_api_stage},
	{"GET", "/api/cases/{}/followups", CB_ACT_ASSIST_READ, cb_api_followups_list},
	{"POST", "/api/cases/{}/followups", CB_ACT_ASSIST_WRITE, cb_api_followup_add},
	{"PATCH", "/api/cases/{}/followups/{}", CB_ACT_ASSIST_WRITE, cb_api_followup_update},
	{"GET", "/api/followups/overdue", CB_ACT_OVERDUE, cb_api_overdue},
	{"GET", "/api/dashboard", CB_ACT_DASHBOARD, cb_api_dashboard},
	{"GET", "/api/cases/{}/notes", CB_ACT_ASSIST_READ, cb_api_notes_list},
	{"POST", "/api/cases/{}/notes", CB_ACT_ASSIST_WRITE, cb_api_note_add},
	{"GET", "/api/sites", CB_ACT_ME, cb_api_sites_list},
	{"POST", "/api/sites", CB_ACT_USERS, cb_api_site_add},
	{"PATCH", "/api/sites/{}", CB_ACT_USERS, cb_api_site_update},
	{"GET", "/api/home", CB_ACT_OVERDUE, cb_api_home},
	{"GET", "/api/workflow", CB_ACT_CODEBOOK, cb_api_workflow},
	{"POST", "/api/users/{}/unlock", CB_ACT_USERS, cb_api_user_unlock},
	{"POST", "/api/users/{}/role", CB_ACT_USERS, cb_api_user_role},
	{"GET", "*", CB_ACT_STATIC, h_static},
};
const size_t cb_nroutes = CB_COUNTOF(cb_routes);

/* Does path match pattern?  Each "{}" matches one non-empty segment; they are copied into arg, joined by
 * '/' when there are two (case id and record id). */
static bool match(const char *pattern, const char *path, char *arg, size_t n)
{
	if (!strcmp(pattern, "*"))
		return strncmp(path, "/api/", 5) && strcmp(path, "/api");
	size_t o = 0;
	arg[0] = 0;
	while (*pattern) {
		if (pattern[0] == '{' && pattern[1] == '}') {
			size_t len = strcspn(path, "/");
			if (len == 0 || o + len + 1 >= n)
				return false;
			if (o)
				arg[o++] = '/';
			memcpy(arg + o, path, len);
			arg[o += len] = 0;
			path += len;
			pattern += 2;
		} else if (*pattern++ != *path++) {
			return false;
		}
	}
	return *path == 0;
}

int cb_http_route(const char *method, const char *path, const struct cb_route **route, char *arg, size_t n)
{
	bool path_known = false;
	const char *m = strcmp(method, "HEAD") ? method : "GET";
	for (size_t i = 0; i < cb_nroutes; i++) {
		char tmp[128];
		if (!match(cb_routes[i].pattern, path, tmp, sizeof tmp))
			continue;
		path_known = true;
		if (strcmp(cb_routes[i].method, m))
			continue;
		snprintf(arg, n, "%s", strstr(cb_routes[i].pattern, "{}") ? tmp : "");
		*route = &cb_routes[i];
		return 0;
	}
	return path_known ? 405 : 404;
}

void cb_api_handle(struct cb_http_req *r)
{
	const struct cb_route *rt;
	char arg[128];
	int st = cb_http_route(r->method, r->path, &rt, arg, sizeof arg);
	if (st == 405) {
		cb_api_error(r, 405, "method_not_allowed", "this path does not take that method");
		return;
	}
	if (st) {
		cb_api_error(r, 404, "not_found", "no such path");
		return;
	}
	struct cb_principal p;
	if (cb_authz_check(NULL, rt->action, NULL) != 0) { /* not anonymous: a session is needed */
		load_session(r);
		if (!r->authed) {
			cb_api_refuse(r, 401);
			return;
		}
		/* every state-changing request carries the session's CSRF token */
		if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD") && !csrf_ok(r)) {
			cb_api_error(r, 403, "csrf", "send the session's token in X-CSRF-Token");
			return;
		}
		cb_api_principal(r, &p);
		/* record actions are decided by the handler, which knows the record's office */
		if (!cb_action_is_record(rt->action) && (st = cb_authz_check(&p, rt->action, NULL)) != 0) {
			cb_api_refuse(r, st);
			return;
		}
	}
	rt->handler(r, arg);
}

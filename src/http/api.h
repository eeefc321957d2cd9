/*
 * api.h -- what a handler of the HTTP API sees: the request (struct cb_http_req), the route table that
 * include/tbl/cb_routes.h generates, one prototype per route, and the helpers every resource file uses.
 *
 * A handler gets a struct cb_http_req and sets a status and a body; it never sees the socket.  It asks the
 * layers below (store, casework, access policy) and only maps their answers to statuses: a refusal of the
 * policy to 401/403/404 (cb_api_refuse), a library error to its status (cb_api_fail).  Every act it audits
 * goes through cb_api_audit, whose failure fails the request.
 */
#ifndef CB_HTTP_API_H
#define CB_HTTP_API_H

#include <stdio.h>

#include "http/http.h"

/* ---- one request (server.c fills it in, a handler answers in it) */
struct cb_http_req {
	struct cb_http_app *app;
	struct cb_arena *arena;
	/* in */
	const char *method, *path;
	struct cb_http_query query;
	const char *body;
	size_t body_len;
	const char *cookie, *csrf, *content_type; /* headers, NULL when absent */
	const char *authorization, *host;         /* headers of the OpenRosa API, NULL when absent */
	const char *accept_lang;                  /* Accept-Language, NULL when absent */
	char from[64];                            /* client address */
	int64_t now;                              /* unix seconds */
	/* state */
	const char *lang; /* the language of the answer (cb_api_lang_choose): a catalogue's code */
	struct cb_store *store; /* borrowed from the pool on first use, returned by the server */
	bool authed;
	struct cb_user user;
	struct cb_session session;
	char token[CB_TOKEN_TEXT];
	/* out */
	int status;
	const char *ctype;
	char *resp; /* malloc'd; the server hands it to the connection and wipes it when sent */
	size_t resp_len;
	const char *set_cookie;  /* arena text, or NULL */
	const char *disposition; /* Content-Disposition, or NULL */
	const char *hdr[6][2];   /* more response headers (OpenRosa): name and value, arena or static text */
	int nhdr;
};

/* ---- router.c: the route table of include/tbl/cb_routes.h */
struct cb_route {
	const char *method;
	const char *pattern; /* "{}" stands for one path segment (two of them reach the handler as "a/b") */
	enum cb_action action;
	int (*handler)(struct cb_http_req *r, const char *arg);
};
extern const struct cb_route cb_routes[];
extern const size_t cb_nroutes;
/* Finds the route of a request: 0 with *route set (arg: the "{}" segment, copied into arg, or ""), 404 when
 * no path matches, 405 when the path matches with another method. */
int cb_http_route(const char *method, const char *path, const struct cb_route **route, char *arg, size_t n);
/* Answers one request (r->status, r->resp ...): the route, the session, the CSRF token, the role, then the
 * handler.  Never fails: errors become error documents. */
void cb_api_handle(struct cb_http_req *r);

/* The handlers, one per row of cb_routes.h, in the resource's file; arg is the route's "{}" segment(s). */
#define CB_ROUTE(method, pattern, action, handler) int cb_api_##handler(struct cb_http_req *r, const char *arg);
#include "tbl/cb_routes.h"
#undef CB_ROUTE

/* ---- reply.c: answers */
void cb_api_json(struct cb_http_req *r, int status, json_t *doc); /* takes the reference */
/* Sets an error document {"error": code, "detail": detail} with a status. */
void cb_api_error(struct cb_http_req *r, int status, const char *code, const char *detail);
void cb_api_refuse(struct cb_http_req *r, int status);                     /* a policy refusal: 401, 403, 404 */
void cb_api_fail(struct cb_http_req *r, int rc, const struct cb_err *err); /* a library error */
/* 400 invalid with detail; returns -1, for `return cb_api_bad(...)` in the readers of input.c. */
int cb_api_bad(struct cb_http_req *r, const char *detail);
/* A copy of n bytes of text (the codebook, a web file) as the 200 answer. */
void cb_api_text(struct cb_http_req *r, const char *ctype, const void *data, size_t n);
/* Runs fn on a memory stream; its text becomes the 200 answer, its failure the error (the text wiped). */
void cb_api_stream(struct cb_http_req *r, const char *ctype, int (*fn)(void *ctx, FILE *f, struct cb_err *err),
		   void *ctx);
/* Members of answers: a date (null when CB_NA), a coded value's name (null when out of range), a text. */
json_t *cb_api_date_json(int32_t day);
json_t *cb_api_value_json(enum cb_vset_id vs, int32_t v);
json_t *cb_api_text_json(const char *t);

/* ---- request.c: the request's store handle, its caller, the policy's answers, the audit trail */
struct cb_store *cb_api_store(struct cb_http_req *r); /* borrowed from the pool on first use */
void cb_api_principal(const struct cb_http_req *r, struct cb_principal *p);
/* The policy's answer for act on a record at site (NULL: no record), the refusal answered: 0 when allowed,
 * else the status answered. */
int cb_api_check(struct cb_http_req *r, enum cb_action act, const char *site);
/* May the caller see the identifying details of case id at site (her office's; a manager's open grant)? */
bool cb_api_may_see_pii(struct cb_http_req *r, const uint8_t id[16], const char *site);
/* Appends the entry of a read (what changes nothing) to the audit trail, through the group commit when there
 * is one, and returns its result, which every caller must check: a read whose entry failed is not answered
 * (cb_api_audit_failed).  The request's store handle is given back while it waits. */
__attribute__((warn_unused_result)) int cb_api_audit(struct cb_http_req *r, enum cb_audit_action a,
						     const uint8_t *case_id, const char *fields);
/* Answers for an audit entry that could not be written (rc from cb_api_audit): 503 "unavailable" on a full
 * disk, else 500; nothing else is sent. */
void cb_api_audit_failed(struct cb_http_req *r, int rc);
/* A write and its entry in one transaction: cb_api_begin, then the layer's call, whose result goes to
 * cb_api_end with the entry (a, case_id, fields); it commits both, or rolls both back, and returns the call's
 * result, else the entry's: answer a failure with cb_api_fail.  Every begin that succeeded needs its end, and
 * nothing between them may give the store handle back (cb_api_audit).  case_id is read at the end (a new
 * case's id, made by the call). */
int cb_api_begin(struct cb_http_req *r, struct cb_err *err);
int cb_api_end(struct cb_http_req *r, int rc, enum cb_audit_action a, const uint8_t *case_id, const char *fields,
	       struct cb_err *err);
/* cb_api_end with a detail (how, never values: store/audit.h). */
int cb_api_end_detail(struct cb_http_req *r, int rc, enum cb_audit_action a, const uint8_t *case_id,
		      const char *fields, const char *detail, struct cb_err *err);
/* A second entry of one act, appended inside the act opened by cb_api_begin (its commit keeps it). */
int cb_api_append(struct cb_http_req *r, enum cb_audit_action a, const uint8_t *case_id, const char *fields,
		  struct cb_err *err);
/* The entry of the request's caller, for a write that appends it itself (the ODK group commit). */
void cb_api_entry(const struct cb_http_req *r, struct cb_audit_entry *e, enum cb_audit_action a,
		  const uint8_t *case_id, const char *fields);
/* Audits a read a, then answers status with doc (taken); a read the trail cannot record is not answered. */
void cb_api_audited(struct cb_http_req *r, int status, enum cb_audit_action a, const uint8_t *case_id,
		    const char *fields, json_t *doc);

/* ---- input.c: the JSON body and its members.  Each reader answers 400 itself and returns -1 when the
 * member is wrong; 0 when it is fine or absent (then the output is left as it was, unless said). */
json_t *cb_api_body(struct cb_http_req *r); /* the JSON object body, or NULL after answering 415/400 */
int cb_api_get_date(struct cb_http_req *r, json_t *body, const char *key, int32_t *day); /* null: CB_NA */
int cb_api_get_value(struct cb_http_req *r, json_t *body, const char *key, enum cb_vset_id vs, int32_t *v);
int cb_api_get_text(struct cb_http_req *r, json_t *body, const char *key, size_t max, const char **out); /* NULL */
int cb_api_get_id(struct cb_http_req *r, json_t *body, const char *key, int64_t *id); /* null: 0 */
int cb_api_get_list(struct cb_http_req *r, json_t *body, const char *key, const char **out); /* "a,b"; NULL */
/* "a, b, c": the names of a value set, for errors (in the arena). */
const char *cb_api_vset_names(struct cb_http_req *r, enum cb_vset_id vs);
/* The names among `known` (NULL-terminated) that the body holds, comma-separated: what the trail records. */
const char *cb_api_touched(struct cb_http_req *r, json_t *body, const char *const *known);
/* The case of a route ("CASE_ID", or "CASE_ID/RECORD_ID" when sub is not NULL), authorised for act: 0, or
 * -1 when answered (404 for a malformed id, an unknown case or one outside the caller's scope). */
int cb_api_open_case(struct cb_http_req *r, const char *arg, enum cb_action act, uint8_t id[16], char site[17],
		     int64_t *sub);

/* ---- shared between resources */
/* sites.c: 0 when site (NULL or "": none) is an enabled office of the list, else -1 after answering 400. */
int cb_api_site_ok(struct cb_http_req *r, const char *site);
/* partners.c: a partner the caller may name (known and in her scope), else 404 answered and -1. */
struct cb_partner;
int cb_api_need_partner(struct cb_http_req *r, int64_t id, struct cb_partner *p);
/* users.c: an account as {"name", "role", "site"}. */
json_t *cb_api_user_json(const struct cb_user *u);
/* dashboard.c: the office a request asks about (?site=; a caseworker's own by default; NULL: every
 * office), authorised for act: 0, or -1 when answered. */
int cb_api_office(struct cb_http_req *r, enum cb_action act, const char **site);
/* stats.c: loads the newest releases when one was made since; answers a failed statistics query. */
void cb_api_stats_refresh(struct cb_http_req *r);
/* languages.c: the answer's language, from ?lang=, else Accept-Language, else English, made the thread's
 * (util/i18n.h); GET /api/me's "lang", the language the user chose ("" for none). */
void cb_api_lang_choose(struct cb_http_req *r);
void cb_api_me_lang_add(struct cb_http_req *r, int64_t user_id, json_t *user);
void cb_api_stats_fail(struct cb_http_req *r, int rc, const struct cb_err *err);

#endif

/*
 * request.c -- what a handler asks about its request: the store handle it borrows from the pool, who the
 * caller is, what the access policy answers for her (mapped to a status by reply.c), and the audit entry of
 * what she did.
 */
#include <stdio.h>
#include <string.h>

#include "http/api.h"

struct cb_store *cb_api_store(struct cb_http_req *r)
{
	if (!r->store)
		r->store = cb_http_store_get(r->app);
	return r->store;
}

void cb_api_principal(const struct cb_http_req *r, struct cb_principal *p)
{
	p->role = r->user.role;
	p->site = r->user.site;
	p->glass = false;
}

int cb_api_check(struct cb_http_req *r, enum cb_action act, const char *site)
{
	struct cb_principal p;
	cb_api_principal(r, &p);
	int st = cb_authz_check(&p, act, site);
	if (st)
		cb_api_refuse(r, st);
	return st;
}

bool cb_api_may_see_pii(struct cb_http_req *r, const uint8_t id[16], const char *site)
{
	struct cb_principal p;
	cb_api_principal(r, &p);
	if (r->user.role == CB_ROLE_MANAGER) /* only a manager's grant counts: the policy says what it opens */
		p.glass = cb_glass_active(cb_api_store(r), r->user.id, id, r->now);
	return cb_authz_check(&p, CB_ACT_CASE_PII, site) == 0;
}

/* An entry of the request's caller. */
static void entry(const struct cb_http_req *r, struct cb_audit_entry *e, enum cb_audit_action a,
		  const uint8_t *case_id, const char *fields)
{
	memset(e, 0, sizeof *e); /* at_ms 0: now, when written */
	snprintf(e->user, sizeof e->user, "%s", r->authed ? r->user.name : "");
	snprintf(e->from, sizeof e->from, "%s", r->from);
	snprintf(e->action, sizeof e->action, "%s", cb_audit_names[a]);
	if (case_id)
		memcpy(e->case_id, case_id, 16);
	snprintf(e->fields, sizeof e->fields, "%s", fields ? fields : "");
}

/* What changes nothing (a read, a report) has no transaction of its own to hold its entry: the group commit
 * (auditq.c) appends it on its own connection, one fsync serving every request waiting. */
int cb_api_audit(struct cb_http_req *r, enum cb_audit_action a, const uint8_t *case_id, const char *fields)
{
	struct cb_audit_entry e;
	struct cb_err err = {0};
	entry(r, &e, a, case_id, fields);
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

/* A write's entry goes into the write's own transaction (store/audit.h): the act and its entry are committed
 * together or not at all, so no act is ever kept unrecorded. */
int cb_api_begin(struct cb_http_req *r, struct cb_err *err) { return cb_store_act_begin(cb_api_store(r), err); }

void cb_api_entry(const struct cb_http_req *r, struct cb_audit_entry *e, enum cb_audit_action a,
		  const uint8_t *case_id, const char *fields)
{
	entry(r, e, a, case_id, fields);
}

int cb_api_append(struct cb_http_req *r, enum cb_audit_action a, const uint8_t *case_id, const char *fields,
		  struct cb_err *err)
{
	struct cb_audit_entry e;
	entry(r, &e, a, case_id, fields);
	return cb_audit_append(cb_api_store(r), &e, err);
}

int cb_api_end(struct cb_http_req *r, int rc, enum cb_audit_action a, const uint8_t *case_id, const char *fields,
	       struct cb_err *err)
{
	return cb_api_end_detail(r, rc, a, case_id, fields, NULL, err);
}

int cb_api_end_detail(struct cb_http_req *r, int rc, enum cb_audit_action a, const uint8_t *case_id,
		      const char *fields, const char *detail, struct cb_err *err)
{
	struct cb_audit_entry e;
	entry(r, &e, a, case_id, fields);
	snprintf(e.detail, sizeof e.detail, "%s", detail ? detail : "");
	int act = rc;
	rc = cb_store_act_end(cb_api_store(r), rc, &e, err);
	if (act == CB_OK && rc != CB_OK)
		fprintf(stderr, "casebank serve: audit trail: %s (%s not recorded, nor kept)\n", cb_rc_str(rc),
			cb_audit_names[a]);
	return rc;
}

void cb_api_audit_failed(struct cb_http_req *r, int rc)
{
	/* 503 on a full disk or an unreachable database server, else 500 */
	cb_api_fail(r, rc == CB_EFULL || rc == CB_EUNAVAIL ? rc : CB_EDB, NULL);
}

void cb_api_audited(struct cb_http_req *r, int status, enum cb_audit_action a, const uint8_t *case_id,
		    const char *fields, json_t *doc)
{
	int rc = cb_api_audit(r, a, case_id, fields);
	if (rc != CB_OK) {
		json_decref(doc);
		cb_api_audit_failed(r, rc);
		return;
	}
	cb_api_json(r, status, doc);
}

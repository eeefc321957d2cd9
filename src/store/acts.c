/*
 * acts.c -- audit entries for the acts of every layer (store.h, audit.h): by their cb_audit.h name, for the
 * local operator or a user of the server, appended inside the act's own transaction when one is open.  The
 * trail itself (chain, verify, list) is audit.c.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

/* One audit entry (audit.c); user and from NULL: the local operator ("cli:<login>", from "cli"). */
static int event(struct cb_store *s, const char *user, const char *from, const char *action,
		 const uint8_t *case_id, const char *fields, const char *detail, struct cb_err *err)
{
	struct cb_audit_entry *e = calloc(1, sizeof *e);
	int rc;
	if (!e)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	if (user)
		snprintf(e->user, sizeof e->user, "%s", user);
	if (from)
		snprintf(e->from, sizeof e->from, "%s", from);
	snprintf(e->action, sizeof e->action, "%s", action);
	if (case_id)
		memcpy(e->case_id, case_id, 16);
	if (fields)
		snprintf(e->fields, sizeof e->fields, "%s", fields);
	rc = cb_audit_append_detail(s, e, detail, err);
	free(e);
	return rc;
}

int cb_store_event(struct cb_store *s, const char *action, const uint8_t *case_id, const char *detail,
		   struct cb_err *err)
{
	return event(s, NULL, NULL, action, case_id, NULL, detail, err);
}

int cb_store_audit(struct cb_store *s, enum cb_audit_action a, const uint8_t *case_id, const char *fields,
		   const char *detail, struct cb_err *err)
{
	if ((unsigned)a >= CB_AUD_N)
		return cb_err_set(err, CB_EINVAL, "unknown audit action");
	return event(s, NULL, NULL, cb_audit_names[a], case_id, fields, detail, err);
}

int cb_store_audit_by(struct cb_store *s, const struct cb_user *by, enum cb_audit_action a, const uint8_t *case_id,
		      const char *detail, struct cb_err *err)
{
	if ((unsigned)a >= CB_AUD_N)
		return cb_err_set(err, CB_EINVAL, "unknown audit action");
	return event(s, by ? by->name : NULL, by ? "server" : NULL, cb_audit_names[a], case_id, NULL, detail, err);
}

int cb_store_event_as(struct cb_store *s, const char *user, const char *from, const char *action,
		      const uint8_t *case_id, const char *detail, struct cb_err *err)
{
	return event(s, user, from, action, case_id, NULL, detail, err);
}

/* The act and its entry in one transaction: between begin and end the store's calls see s->audited and join
 * it (cb_store_tx_begin), so a failed append rolls the act back and a failed act leaves no entry.  Inside a
 * bulk batch both simply join the batch's. */
int cb_store_act_begin(struct cb_store *s, struct cb_err *err)
{
	if (s->audited)
		return cb_err_set(err, CB_EINVAL, "an act is open already");
	int rc = cb_store_tx_begin(s, err);
	if (rc == CB_OK)
		s->audited = true;
	return rc;
}

int cb_store_act_end(struct cb_store *s, int rc, const struct cb_audit_entry *e, struct cb_err *err)
{
	if (!s->audited)
		return rc != CB_OK ? rc : cb_err_set(err, CB_EINVAL, "no act is open");
	if (rc == CB_OK)
		rc = cb_audit_append(s, e, err);
	s->audited = false;
	return cb_store_tx_end(s, rc, err);
}

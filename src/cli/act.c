/*
 * act.c -- a command's act and its audit entry in one transaction (store/audit.h), as the server records the
 * same act: under its one name from include/tbl/cb_audit.h, by the local operator, committed with the act or
 * not at all, so that no act is kept unrecorded whichever door it came through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/audit.h"

int cb_cli_act_end(struct cb_store *s, int rc, enum cb_audit_action a, const uint8_t *case_id, const char *fields,
		   const char *detail, struct cb_err *err)
{
	struct cb_audit_entry *e = calloc(1, sizeof *e);
	if (!e) {
		cb_store_act_end(s, CB_ENOMEM, NULL, err);
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	}
	snprintf(e->action, sizeof e->action, "%s", cb_audit_names[a]);
	if (case_id)
		memcpy(e->case_id, case_id, 16);
	if (fields)
		snprintf(e->fields, sizeof e->fields, "%s", fields);
	if (detail)
		snprintf(e->detail, sizeof e->detail, "%s", detail);
	rc = cb_store_act_end(s, rc, e, err);
	free(e);
	return rc;
}

/*
 * audit_names.c -- the names of audited acts, generated from include/tbl/cb_audit.h (audit.h): one name per act
 * whatever the door, and the old names older versions wrote, which the append-only trail keeps.
 */
#include <string.h>

#include "store/audit.h"

const char *const cb_audit_names[CB_AUD_N] = {
#define CB_AUDIT(id, name, old, what) [CB_AUD_##id] = name,
#include "tbl/cb_audit.h"
#undef CB_AUDIT
};

const char *const cb_audit_old_names[CB_AUD_N] = {
#define CB_AUDIT(id, name, old, what) [CB_AUD_##id] = old,
#include "tbl/cb_audit.h"
#undef CB_AUDIT
};

bool cb_audit_is(const char *action, enum cb_audit_action a)
{
	if (!action || (unsigned)a >= CB_AUD_N)
		return false;
	return strcmp(action, cb_audit_names[a]) == 0 ||
	       (cb_audit_old_names[a] && strcmp(action, cb_audit_old_names[a]) == 0);
}

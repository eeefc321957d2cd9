/*
 * assist.c -- the rules of assistance records (care/assist.h): what a record may hold, which provider a caller
 * may name, a shelter's capacity on a placement, and the case sets a change moves; and the helpers partners.c
 * and workflow.c share (assist_impl.h).  The rows are the store's (store/care_rows.h, assist_rows.c).
 *
 * Every change that touches more than one row is one transaction (cb_store_tx_begin .. cb_store_tx_end).
 */
#include <stdlib.h>
#include <string.h>

#include "care/assist_impl.h"
#include "care/states.h"

/* ---- shared helpers (assist_impl.h) */

/* "a, b, c": the value names of a set, for error messages. */
static const char *allowed(enum cb_vset_id vs, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < cb_vsets[vs].count && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", cb_vsets[vs].values[i].name);
	return buf;
}

int cb_ax_check_value(enum cb_vset_id vs, int32_t v, const char *what, struct cb_err *err)
{
	char ab[600];
	if (v >= 0 && v < cb_vsets[vs].count)
		return CB_OK;
	return cb_err_field(err, CB_EINVAL, what, "%s: expected one of %s", what, allowed(vs, ab, sizeof ab));
}

int cb_ax_check_text(const char *text, const char *what, struct cb_err *err)
{
	if (text && strlen(text) > CB_NOTE_MAX)
		return cb_err_field(err, CB_EINVAL, what, "%s: longer than %d bytes", what, CB_NOTE_MAX);
	return CB_OK;
}

int cb_ax_refresh(struct cb_store *s, const uint8_t case_id[16], struct cb_err *err)
{
	struct cb_case c;
	int rc = cb_store_get(s, case_id, 0, &c, err);
	if (rc == CB_OK && (rc = cb_store_care_sets(s, case_id, &c.assistance_type, &c.referral_partner_type, err)) == CB_OK)
		rc = cb_store_update_kept(s, &c, err);
	cb_case_clear(&c);
	return rc;
}

/* ---- assistance records */

/* HTCDS spl_Type of each assistance type (docs/assistance.md explains the choices). */
static const char *const spl_types[] = {
	[CB_assistance_type_accommodation] = "SocialCare",
	[CB_assistance_type_medical] = "Health",
	[CB_assistance_type_psychosocial] = "Health",
	[CB_assistance_type_legal] = "Legal",
	[CB_assistance_type_information_counselling] = "RightsBasedTraining",
	[CB_assistance_type_education] = "Education",
	[CB_assistance_type_vocational_training] = "Livelihood",
	[CB_assistance_type_employment] = "Livelihood",
	[CB_assistance_type_financial] = "Financial",
	[CB_assistance_type_return_travel] = "SocialCare",
	[CB_assistance_type_family_tracing] = "SocialCare",
	[CB_assistance_type_documents] = "Legal",
	[CB_assistance_type_interpretation] = "SocialCare",
	[CB_assistance_type_other] = "SocialCare",
};
_Static_assert(CB_COUNTOF(spl_types) == CB_assistance_type__COUNT, "one spl_Type per assistance type");

const char *cb_assist_spl_type(int32_t type)
{
	return type >= 0 && type < CB_assistance_type__COUNT ? spl_types[type] : "";
}

static int check_assist(struct cb_assist *a, struct cb_err *err)
{
	char d1[11], d2[11];
	int rc;
	if (a->status == CB_NA)
		a->status = cb_machines[CB_MACHINE_assistance].initial;
	if ((rc = cb_ax_check_value(CB_VS_assistance_type, a->type, "type", err)) != CB_OK ||
	    (rc = cb_ax_check_value(CB_VS_assistance_status, a->status, "status", err)) != CB_OK ||
	    (rc = cb_ax_check_text(a->notes, "notes", err)) != CB_OK)
		return rc;
	if (a->provider < 0)
		return cb_err_field(err, CB_EINVAL, "provider", "provider: expected a partner id, or none for the own office");
	if (a->start_on != CB_NA && a->end_on != CB_NA && a->end_on < a->start_on) {
		cb_date_format(a->start_on, d1);
		cb_date_format(a->end_on, d2);
		return cb_err_field(err, CB_EINVAL, "end_on", "end_on: %s is before start_on %s", d2, d1);
	}
	return CB_OK;
}

/* A provider the caller may name: a known partner in by's office scope (cb_partner_get_for), else CB_ENOTFOUND
 * with one message for both, so an entry of another office reads as missing. */
static int check_provider(struct cb_store *s, int64_t id, const struct cb_user *by, struct cb_err *err)
{
	struct cb_partner p;
	int rc = cb_partner_get_for(s, id, by, &p, err);
	if (rc == CB_ENOTFOUND)
		return cb_err_field(err, CB_ENOTFOUND, "provider", "provider: no partner organisation %lld", (long long)id);
	return rc;
}

/* Whether record a occupies a bed on `day` (as cb_shelter_occupancy counts). */
static bool occupies(const struct cb_assist *a, int32_t day)
{
	int32_t from = a->start_on != CB_NA ? a->start_on : a->planned_on;
	return a->type == CB_assistance_type_accommodation &&
	       (a->status == CB_assistance_status_planned || a->status == CB_assistance_status_ongoing) &&
	       (from == CB_NA || from <= day) && (a->end_on == CB_NA || a->end_on >= day);
}

/* The capacity report for a stored record a (after its write, inside the transaction). */
static int capacity(struct cb_store *s, const struct cb_assist *a, struct cb_capacity *cap, struct cb_err *err)
{
	struct cb_partner p;
	int rc;
	memset(cap, 0, sizeof *cap);
	cap->day = a->start_on != CB_NA ? a->start_on : a->planned_on != CB_NA ? a->planned_on : cb_date_today();
	if (!a->provider || a->type != CB_assistance_type_accommodation)
		return CB_OK;
	if ((rc = cb_partner_get(s, a->provider, &p, err)) == CB_ENOTFOUND)
		return cb_err_field(err, CB_ENOTFOUND, "provider", "provider: no partner organisation %lld",
				    (long long)a->provider);
	if (rc != CB_OK || p.beds == CB_NA)
		return rc;
	cap->shelter = true;
	cap->beds = p.beds;
	if ((rc = cb_shelter_occupancy(s, a->provider, cap->day, &cap->occupied, err)) != CB_OK)
		return rc;
	cap->over = occupies(a, cap->day) && cap->occupied > p.beds;
	return CB_OK;
}

int cb_assist_add(struct cb_store *s, struct cb_assist *a, const struct cb_user *by, struct cb_capacity *cap,
		  struct cb_err *err)
{
	struct cb_capacity tmp;
	int rc;
	if ((rc = check_assist(a, err)) != CB_OK || (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_case_exists(s, a->case_id, err)) != CB_OK ||
	    (a->provider && (rc = check_provider(s, a->provider, by, err)) != CB_OK) ||
	    (rc = cb_assist_row_add(s, a, err)) != CB_OK || (rc = cb_ax_refresh(s, a->case_id, err)) != CB_OK ||
	    (rc = capacity(s, a, cap ? cap : &tmp, err)) != CB_OK)
		goto out;
out:
	rc = cb_store_tx_end(s, rc, err);
	if (rc != CB_OK)
		a->id = 0;
	return rc;
}

/* A status change must be a move of the assistance machine (cb_states.h). */
static int check_move(const struct cb_assist *old, int32_t to, struct cb_err *err)
{
	char next[256];
	if (old->status == to || cb_move_allowed(CB_MACHINE_assistance, old->status, to, NULL))
		return CB_OK;
	return cb_err_field(err, CB_EINVAL, "status", "status: a %s record cannot become %s; it may become %s",
			    cb_vsets[CB_VS_assistance_status].values[old->status].name,
			    cb_vsets[CB_VS_assistance_status].values[to].name,
			    cb_move_targets(CB_MACHINE_assistance, old->status, false, next, sizeof next));
}

int cb_assist_update(struct cb_store *s, const struct cb_assist *in, unsigned flags, const struct cb_user *by,
		     struct cb_capacity *cap, struct cb_err *err)
{
	struct cb_assist a = *in, old;
	struct cb_capacity tmp;
	int rc;
	cb_assist_init(&old);
	if ((rc = check_assist(&a, err)) != CB_OK || (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	/* the stored provider stays, whoever set it; a new one must be in the caller's scope */
	if ((rc = cb_assist_get(s, in->id, 0, &old, err)) != CB_OK || (rc = check_move(&old, a.status, err)) != CB_OK ||
	    (a.provider && a.provider != old.provider && (rc = check_provider(s, a.provider, by, err)) != CB_OK))
		goto out;
	memcpy(a.case_id, old.case_id, 16);
	if ((rc = cb_assist_row_update(s, &a, (flags & CB_WITH_PII) != 0, err)) != CB_OK ||
	    (rc = cb_ax_refresh(s, a.case_id, err)) != CB_OK || (rc = capacity(s, &a, cap ? cap : &tmp, err)) != CB_OK)
		goto out;
out:
	cb_assist_clear(&old);
	return cb_store_tx_end(s, rc, err);
}

/*
 * sites.c -- the managed list of offices (store/sites.h): add, disable, list, check, and adopting the
 * offices already in use.  Kept apart from users.c and records.c, which only ask cb_site_check.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/audit.h"
#include "store/schema.h"
#include "store/sites.h"
#include "store/store_impl.h"

/* The change, in the audit trail with the act (detail: the office's code, never identifying). */
static int event(struct cb_store *s, const struct cb_user *by, enum cb_audit_action a, const char *code,
		 struct cb_err *err)
{
	return cb_store_event_as(s, by ? by->name : NULL, by ? "server" : NULL, cb_audit_names[a], NULL, code, err);
}

int cb_site_add(struct cb_store *s, const char *code, const char *name, const char *country, const struct cb_user *by,
		struct cb_err *err)
{
	struct cb_case probe;
	struct cb_stmt *st = NULL;
	char cc[3] = "";
	int rc;
	cb_case_init(&probe);
	/* the code is checked as the case field it will fill */
	if ((rc = cb_case_set_text(&probe, &cb_fields[CB_FLD_site], code ? code : "", err)) != CB_OK)
		goto out;
	if (!code || !code[0]) {
		rc = cb_err_field(err, CB_EINVAL, "code", "code: an office needs a code (2 to 16 of A-Z, 0-9 and -)");
		goto out;
	}
	if (!name || !name[0] || strlen(name) > CB_SITE_NAME_MAX || strchr(name, '\n')) {
		rc = cb_err_field(err, CB_EINVAL, "name", "name: an office needs a name of 1 to %d characters on one line",
				  CB_SITE_NAME_MAX);
		goto out;
	}
	if (country && country[0]) {
		int32_t k = cb_country_find(country);
		if (k == CB_NA) {
			char vb[64];
			rc = cb_err_field(err, CB_EINVAL, "country", "country: '%s' is not an ISO 3166-1 country code",
					  cb_err_value(country, vb));
			goto out;
		}
		memcpy(cc, cb_countries[k].alpha2, 3);
	}
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		goto out;
	if ((rc = cb_store_prep(s->db, "prepare", 0,
				"INSERT INTO sites(code, name, country, created_at) VALUES (?1, ?2, ?3, ?4)"
				" ON CONFLICT(code) DO NOTHING",
				&st, err)) == CB_OK) {
		cb_db_bind_text(st, 1, code, -1, false);
		cb_db_bind_text(st, 2, name, -1, false);
		cb_db_bind_text(st, 3, cc, -1, false);
		cb_db_bind_int64(st, 4, (int64_t)time(NULL));
		if (cb_store_step_done(st) != CB_OK)
			rc = cb_store_db_err(s->db, err, "sites");
		else if (cb_db_changes(s->db) == 0)
			rc = cb_err_field(err, CB_EEXIST, "code", "code: the office %s exists already", code);
		else
			rc = event(s, by, CB_AUD_SITE_ADD, code, err);
	}
	cb_db_finalize(&st);
	rc = cb_store_tx_end(s, rc, err);
out:
	cb_case_clear(&probe);
	return rc;
}

int cb_site_set_disabled(struct cb_store *s, const char *code, bool disabled, const struct cb_user *by,
			 struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_tx_begin(s, err);
	if (rc != CB_OK)
		return rc;
	if ((rc = cb_store_prep(s->db, "prepare", 0, "UPDATE sites SET disabled = ?1 WHERE code = ?2", &st, err)) ==
	    CB_OK) {
		cb_db_bind_int64(st, 1, disabled);
		cb_db_bind_text(st, 2, code ? code : "", -1, false);
		if (cb_store_step_done(st) != CB_OK)
			rc = cb_store_db_err(s->db, err, "sites");
		else if (cb_db_changes(s->db) == 0)
			rc = cb_err_field(err, CB_ENOTFOUND, "code", "code: no office %s in the list (casebank site list)",
					  code && strlen(code) <= 16 ? code : "of that code");
		else
			rc = event(s, by, disabled ? CB_AUD_SITE_DISABLE : CB_AUD_SITE_ENABLE, code, err);
	}
	cb_db_finalize(&st);
	return cb_store_tx_end(s, rc, err);
}

int cb_site_list(struct cb_store *s, int (*fn)(const struct cb_site *site, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, "SELECT code, name, country, disabled FROM sites ORDER BY code", &st,
			       err);
	if (rc != CB_OK)
		return rc;
	int r;
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		struct cb_site site = {.disabled = (int)cb_db_column_int64(st, 3) != 0};
		snprintf(site.code, sizeof site.code, "%s", cb_db_column_text(st, 0));
		snprintf(site.name, sizeof site.name, "%s", cb_db_column_text(st, 1));
		snprintf(site.country, sizeof site.country, "%s", cb_db_column_text(st, 2));
		if ((rc = fn(&site, ctx)) != CB_OK)
			goto out;
	}
	if (r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "sites");
out:
	cb_db_finalize(&st);
	return rc;
}

int cb_site_check(struct cb_store *s, const char *code, const char *field, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT (SELECT disabled FROM sites WHERE code = ?1), EXISTS(SELECT 1 FROM sites)", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_text(st, 1, code ? code : "", -1, false);
	if (cb_db_step(st) != CB_DB_ROW) {
		rc = cb_store_db_err(s->db, err, "sites");
	} else if (!(int)cb_db_column_int64(st, 1)) {
		rc = CB_OK; /* no list yet */
	} else if (cb_db_column_type(st, 0) == CB_DB_NULL) {
		char vb[64];
		rc = cb_err_field(err, CB_EINVAL, field, "%s: '%s' is not an office of the list; choose one of the list "
				  "(an administrator adds offices)", field, cb_err_value(code ? code : "", vb));
	} else if ((int)cb_db_column_int64(st, 0)) {
		rc = cb_err_field(err, CB_EINVAL, field, "%s: the office %s is disabled; choose another", field, code);
	}
	cb_db_finalize(&st);
	return rc;
}

int cb_site_adopt(struct cb_store *s, long *added, struct cb_err *err)
{
	int rc = cb_schema_adopt_sites(s->db, err);
	if (added)
		*added = rc == CB_OK ? (long)cb_db_changes(s->db) : 0;
	return rc;
}

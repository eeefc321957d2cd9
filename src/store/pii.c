/*
 * pii.c -- a case's identifying details in an open store: packed (name\0value\0 pairs after a format byte),
 * sealed with the case key (associated data: the case id) and the packed text wiped; the case keys
 * themselves (read, or made and stored for an update); and free text about a case kept outside its record
 * (the sealed columns of sealed.c).  Split from records.c, which calls these for add, get and update.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store/schema.h"
#include "store/store_impl.h"
#include "store/tokens.h"

/* ---- identifying details */

int cb_store_grow(uint8_t **buf, size_t *cap, size_t need, bool secret)
{
	if (*cap >= need)
		return CB_OK;
	size_t n = *cap ? *cap : 1024;
	while (n < need)
		n *= 2;
	uint8_t *b = malloc(n);
	if (!b)
		return CB_ENOMEM;
	if (*buf && secret)
		sodium_memzero(*buf, *cap);
	free(*buf);
	*buf = b;
	*cap = n;
	return CB_OK;
}

/* Packs c's identifying details into pack.  Keyed by field name: stable across codebook reordering. */
static int pack_pii(struct cb_buf *pack, const struct cb_case *c)
{
	const uint8_t format = PII_FORMAT;
	cb_buf_reset(pack);
	int rc = cb_buf_append(pack, &format, 1);
	for (int i = 0; i < CB_NFIELDS && rc == CB_OK; i++) {
		const struct cb_field *f = &cb_fields[i];
		const char *v;
		if (f->kind != CB_PII)
			continue;
		memcpy(&v, cb_case_cmember(c, f), sizeof v);
		if (!v)
			continue;
		rc = cb_buf_append(pack, f->name, strlen(f->name) + 1);
		if (rc == CB_OK)
			rc = cb_buf_append(pack, v, strlen(v) + 1);
	}
	return rc;
}

/* Packs c's details (through `pack`, wiped after) and seals them with key into *sealed (grown as needed);
 * *n gets the sealed size. */
int cb_store_seal_into(const uint8_t key[CB_KEY_BYTES], const struct cb_case *c, struct cb_buf *pack,
		     uint8_t **sealed, size_t *cap, size_t *n, struct cb_err *err)
{
	int rc = pack_pii(pack, c);
	if (rc == CB_OK)
		rc = cb_store_grow(sealed, cap, pack->len + CB_SEAL_OVERHEAD, false);
	if (rc == CB_OK) {
		cb_seal(key, c->case_id, 16, pack->data, pack->len, *sealed);
		*n = pack->len + CB_SEAL_OVERHEAD;
	}
	cb_buf_reset(pack); /* wipes */
	return rc == CB_OK ? CB_OK : cb_err_set(err, CB_ENOMEM, "out of memory");
}

/* Packs and seals c's details with the key in s->casekey into s->sealed; *n gets the sealed size. */
int cb_store_seal_pii(struct cb_store *s, const struct cb_case *c, size_t *n, struct cb_err *err)
{
	return cb_store_seal_into(s->casekey, c, &s->pack, &s->sealed, &s->sealed_cap, n, err);
}

/* The case key of id (stored in slot seq, the case's cases.seq) into s->casekey.  CB_ENOTFOUND if there
 * is none (erased; or a stale key of another case in the slot), CB_ECORRUPT if it fails authentication. */
int cb_store_load_key(struct cb_store *s, int64_t seq, const uint8_t id[16], struct cb_err *err)
{
	char idt[CB_ID_TEXT];
	int rc;
	if ((rc = cb_keywriter_drain(s, false, err)) != CB_OK) /* the key may be on its way */
		return rc;
	CB_ASSERT(cb_keywriter_idle(s));
	cb_db_bind_int64(s->key_get, 1, seq);
	cb_db_bind_blob(s->key_get, 2, id, 16, false);
	int r = cb_db_step(s->key_get);
	if (r == CB_DB_DONE) {
		rc = CB_ENOTFOUND;
	} else if (r != CB_DB_ROW) {
		rc = cb_store_db_err(s->kdb, err, "case keys");
	} else if (cb_db_column_bytes(s->key_get, 0) != CB_WRAPPED_KEY_BYTES ||
		   cb_key_unwrap_with(s->sec->kek, id, cb_db_column_blob(s->key_get, 0), s->casekey) != CB_OK) {
		cb_case_id_format(id, idt);
		rc = cb_err_field(err, CB_ECORRUPT, "pii", "case %s: its case key fails authentication", idt);
	} else {
		rc = CB_OK;
	}
	cb_db_reset(s->key_get);
	return rc;
}

/* Opens a sealed blob into c's identifying details.  CB_ENOTFOUND when the case key is gone (erased). */
int cb_store_open_pii(struct cb_store *s, int64_t seq, const uint8_t id[16], const void *blob, size_t n,
		    struct cb_case *c, struct cb_err *err)
{
	char idt[CB_ID_TEXT];
	int rc = cb_store_load_key(s, seq, id, err);
	size_t len = n >= CB_SEAL_OVERHEAD ? n - CB_SEAL_OVERHEAD : 0;
	if (rc != CB_OK)
		return rc;
	cb_case_id_format(id, idt);
	if (cb_store_grow(&s->plain, &s->plain_cap, len + 1, true) != CB_OK) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	if (n < CB_SEAL_OVERHEAD + 1 || cb_unseal(s->casekey, id, 16, blob, n, s->plain) != CB_OK) {
		rc = cb_err_field(err, CB_ECORRUPT, "pii", "case %s: its identifying details fail authentication", idt);
		goto out;
	}
	if (s->plain[0] != PII_FORMAT || s->plain[len - 1] != 0) {
		rc = cb_err_field(err, CB_ECORRUPT, "pii", "case %s: identifying details in an unknown format", idt);
		goto out;
	}
	for (size_t p = 1; p < len;) {
		const char *name = (const char *)s->plain + p;
		p += strlen(name) + 1;
		if (p >= len) {
			rc = cb_err_field(err, CB_ECORRUPT, "pii", "case %s: identifying details are truncated", idt);
			goto out;
		}
		const char *value = (const char *)s->plain + p;
		p += strlen(value) + 1;
		const struct cb_field *f = cb_field_find(name);
		if (!f || f->kind != CB_PII)
			continue; /* a detail this codebook no longer knows: kept sealed, not shown */
		struct cb_err e = {0};
		if (cb_case_set_text(c, f, value, &e) != CB_OK) {
			/* e may quote the value: never pass it on */
			rc = cb_err_field(err, CB_ECORRUPT, f->name, "case %s: stored %s is not valid", idt, f->name);
			goto out;
		}
	}
	rc = CB_OK;
out:
	sodium_memzero(s->plain, len + 1 < s->plain_cap ? len + 1 : s->plain_cap);
	sodium_memzero(s->casekey, CB_KEY_BYTES);
	return rc;
}

/* ---- free text of a case outside its record (assistance notes, referral details: assist.h) */


int cb_store_seal_text(struct cb_store *s, const uint8_t id[16], const uint8_t *ad, size_t adlen, const char *text,
		       uint8_t **out, size_t *n, struct cb_err *err)
{
	size_t len = strlen(text);
	int64_t version, seq;
	int rc;
	*out = NULL;
	if ((rc = cb_store_stored_version(s, id, &version, NULL, &seq, err)) != CB_OK ||
	    (rc = cb_store_key_for_update(s, seq, id, err)) != CB_OK)
		return rc;
	if (!(*out = malloc(len + CB_SEAL_OVERHEAD))) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
	} else {
		cb_seal(s->casekey, ad, adlen, text, len, *out);
		*n = len + CB_SEAL_OVERHEAD;
	}
	sodium_memzero(s->casekey, CB_KEY_BYTES);
	return rc;
}

int cb_store_open_text(struct cb_store *s, const uint8_t id[16], const uint8_t *ad, size_t adlen, const void *blob,
		       size_t n, char **text, struct cb_err *err)
{
	char idt[CB_ID_TEXT];
	int64_t version, seq;
	int rc;
	*text = NULL;
	if ((rc = cb_store_stored_version(s, id, &version, NULL, &seq, err)) != CB_OK || (rc = cb_store_load_key(s, seq, id, err)) != CB_OK)
		return rc;
	if (n < CB_SEAL_OVERHEAD || !(*text = malloc(n - CB_SEAL_OVERHEAD + 1))) {
		rc = n < CB_SEAL_OVERHEAD ? CB_ECORRUPT : CB_ENOMEM;
	} else if (cb_unseal(s->casekey, ad, adlen, blob, n, (uint8_t *)*text) != CB_OK) {
		rc = CB_ECORRUPT;
	} else {
		(*text)[n - CB_SEAL_OVERHEAD] = 0;
		if (strlen(*text) != n - CB_SEAL_OVERHEAD)
			rc = CB_ECORRUPT;
	}
	sodium_memzero(s->casekey, CB_KEY_BYTES);
	if (rc != CB_OK) {
		if (*text) {
			sodium_memzero(*text, n - CB_SEAL_OVERHEAD + 1);
			free(*text);
			*text = NULL;
		}
		cb_case_id_format(id, idt);
		rc = rc == CB_ENOMEM ? cb_err_set(err, rc, "out of memory")
				     : cb_err_set(err, rc, "case %s: a sealed note fails authentication", idt);
	}
	return rc;
}

/* Puts the key for id into s->casekey: the stored one if there is one (the old blob stays readable
 * until the new one commits), else a new one, stored now (committed before the case, outside a batch). */
int cb_store_key_for_update(struct cb_store *s, int64_t seq, const uint8_t id[16], struct cb_err *err)
{
	uint8_t wrapped[CB_WRAPPED_KEY_BYTES];
	char idt[CB_ID_TEXT];
	int rc;
	if (cb_store_pending_has(s, seq, id)) { /* an erased case's old key is never used again: destroyed first */
		cb_case_id_format(id, idt);
		if (s->bulk)
			return cb_err_set(err, CB_EINVAL, "case %s was erased in this batch: commit it first", idt);
		if ((rc = cb_store_finish_erasures(s, false, NULL, err)) != CB_OK)
			return rc;
	}
	rc = cb_store_load_key(s, seq, id, err);
	if (rc != CB_ENOTFOUND)
		return rc;
	cb_case_key_new(s->casekey);
	cb_key_wrap_with(s->sec->kek, id, s->casekey, wrapped);
	CB_ASSERT(cb_keywriter_idle(s)); /* load_key drained it */
	cb_db_bind_int64(s->key_ins, 1, seq);
	cb_db_bind_blob(s->key_ins, 2, id, 16, false);
	cb_db_bind_blob(s->key_ins, 3, wrapped, sizeof wrapped, false);
	if (cb_store_step_done(s->key_ins) != CB_OK) {
		sodium_memzero(s->casekey, CB_KEY_BYTES);
		return cb_store_db_err(s->kdb, err, "case keys");
	}
	return CB_OK;
}


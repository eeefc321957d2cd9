/*
 * openrosa.c -- the OpenRosa API (docs/api.md, "OpenRosa"): the form list, the forms and their (empty)
 * manifests, and submissions.  Every answer carries X-OpenRosa-Version: 1.0; errors and receipts are
 * <OpenRosaResponse> documents, which ODK Collect shows to the person sending.
 *
 * An encrypted submission is a manifest (the xml_submission_file part) and encrypted files: it is decrypted
 * here, in memory, exactly by the ODK encryption specification (crypto/odk.h), and its signature checked,
 * before anything is stored; a file that is missing, truncated or altered refuses the whole submission with
 * 400 and stores nothing.  casebank's own forms are accepted only encrypted; the HTCDS toolkit's form
 * (htcds_xlsform) is not encrypted by its authors and is accepted as it comes (over TLS, please).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "http/openrosa.h"
#include "store/odk.h"

struct cb_odk_state {
	struct cb_odk_group *group;
	struct cb_odk_key *rsa;
	uint8_t *review; /* secret memory */
	struct {
		struct cb_buf xml;
		char version[16], md5[33];
	} form[CB_XFORM__COUNT];
};

void cb_odk_state_free(struct cb_odk_state **st)
{
	if (!st || !*st)
		return;
	cb_odk_group_free(&(*st)->group);
	cb_odk_key_free(&(*st)->rsa);
	cb_secret_free((*st)->review);
	for (int i = 0; i < CB_XFORM__COUNT; i++)
		cb_buf_free(&(*st)->form[i].xml);
	free(*st);
	*st = NULL;
}

const struct cb_odk_key *cb_odk_state_rsa(const struct cb_odk_state *st) { return st->rsa; }
const uint8_t *cb_odk_state_review_key(const struct cb_odk_state *st) { return st->review; }
struct cb_odk_group *cb_odk_state_group(const struct cb_odk_state *st) { return st->group; }

static void or_base(struct cb_http_req *r)
{
	for (int i = 0; i < r->nhdr; i++)
		if (!strcmp(r->hdr[i][0], "X-OpenRosa-Version"))
			return;
	r->hdr[r->nhdr][0] = "X-OpenRosa-Version";
	r->hdr[r->nhdr++][1] = "1.0";
	r->hdr[r->nhdr][0] = "X-OpenRosa-Accept-Content-Length";
	r->hdr[r->nhdr++][1] = "1048576"; /* CB_HTTP_BODY_MAX */
}

static void xml_text(struct cb_buf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': cb_buf_append(b, "&lt;", 4); break;
		case '>': cb_buf_append(b, "&gt;", 4); break;
		case '&': cb_buf_append(b, "&amp;", 5); break;
		case '"': cb_buf_append(b, "&quot;", 6); break;
		default: cb_buf_append(b, s, 1);
		}
}

/* Hands a cb_buf to the response (the server frees it). */
static void answer_buf(struct cb_http_req *r, int status, struct cb_buf *b)
{
	or_base(r);
	free(r->resp);
	r->resp = b->data;
	r->resp_len = b->len;
	r->status = b->data ? status : 500;
	r->ctype = "text/xml; charset=utf-8";
	*b = (struct cb_buf){0};
}

void cb_or_respond(struct cb_http_req *r, int status, const char *nature, const char *text)
{
	struct cb_buf b = {0};
	cb_buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			  "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\">\n<message nature=\"%s\">",
		      nature);
	xml_text(&b, text);
	cb_buf_printf(&b, "</message>\n</OpenRosaResponse>\n");
	answer_buf(r, status, &b);
}

struct cb_odk_state *cb_or_state(struct cb_http_req *r)
{
	struct cb_http_app *app = r->app;
	struct cb_err err = {0};
	pthread_mutex_lock(&app->odk_mu);
	if (!app->odk) {
		struct cb_odk_state *st = calloc(1, sizeof *st);
		char *pub = NULL;
		int rc = st ? cb_store_odk_keys(cb_api_store(r), &st->rsa, &st->review, &err) : CB_ENOMEM;
		if (rc == CB_OK)
			rc = cb_odk_key_public_b64(st->rsa, &pub);
		if (rc == CB_OK)
			rc = cb_odk_group_new(&st->group);
		for (int k = 0; rc == CB_OK && k < CB_XFORM__COUNT; k++)
			if ((rc = cb_xform_write((enum cb_xform_kind)k, pub, &st->form[k].xml, st->form[k].version)) == CB_OK)
				cb_odk_md5_hex(st->form[k].xml.data, st->form[k].xml.len, st->form[k].md5);
		free(pub);
		if (rc == CB_OK)
			app->odk = st;
		else {
			fprintf(stderr, "casebank serve: ODK keys: %s\n", err.msg[0] ? err.msg : cb_rc_str(rc));
			cb_odk_state_free(&st);
		}
	}
	struct cb_odk_state *st = app->odk;
	pthread_mutex_unlock(&app->odk_mu);
	if (!st)
		cb_or_respond(r, 500, "error", "the server cannot read its ODK key");
	return st;
}

/* Authenticated, and a role that submits cases (caseworkers for their office, managers). */
static bool may_collect(struct cb_http_req *r)
{
	if (!cb_odk_authenticate(r))
		return false;
	struct cb_principal p;
	cb_api_principal(r, &p);
	if (cb_authz_check(&p, CB_ACT_CASE_CREATE, r->user.role == CB_ROLE_CASEWORKER ? r->user.site : NULL)) {
		cb_or_respond(r, 403, "error", "your role does not collect cases (caseworkers and managers do)");
		return false;
	}
	return true;
}

/* The address clients reach us at, from the Host header (checked: it goes into URLs we hand out). */
static const char *base_url(struct cb_http_req *r)
{
	const char *h = r->host;
	size_t n = h ? strlen(h) : 0;
	if (!n || n > 255 || strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != n)
		h = "localhost";
	return cb_arena_printf(r->arena, "%s://%s", r->app->tls ? "https" : "http", h);
}

int cb_api_or_form_list(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_odk_state *st;
	if (!may_collect(r) || !(st = cb_or_state(r)))
		return CB_OK;
	const char *only = cb_http_query_get(&r->query, "formID");
	const char *base = base_url(r);
	struct cb_buf b = {0};
	cb_buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xforms xmlns=\"http://openrosa.org/xforms/xformsList\">\n");
	for (int k = 0; k < CB_XFORM__COUNT; k++) {
		const char *id = cb_xform_id((enum cb_xform_kind)k);
		if (only && strcmp(only, id))
			continue;
		cb_buf_printf(&b, "<xform>\n<formID>%s</formID>\n<name>", id);
		xml_text(&b, cb_xform_title((enum cb_xform_kind)k));
		cb_buf_printf(&b, "</name>\n<version>%s</version>\n<hash>md5:%s</hash>\n<downloadUrl>", st->form[k].version,
			      st->form[k].md5);
		xml_text(&b, base);
		cb_buf_printf(&b, "/forms/%s</downloadUrl>\n<manifestUrl>", id);
		xml_text(&b, base);
		cb_buf_printf(&b, "/forms/%s/manifest</manifestUrl>\n</xform>\n", id);
	}
	cb_buf_printf(&b, "</xforms>\n");
	answer_buf(r, 200, &b);
	return CB_OK;
}

static int form_of(struct cb_http_req *r, const char *id, enum cb_xform_kind *k)
{
	if (cb_xform_by_id(id, k) != CB_OK) {
		cb_or_respond(r, 404, "error", "no such form");
		return CB_ENOTFOUND;
	}
	return CB_OK;
}

int cb_api_or_form(struct cb_http_req *r, const char *arg)
{
	struct cb_odk_state *st;
	enum cb_xform_kind k;
	if (!may_collect(r) || form_of(r, arg, &k) || !(st = cb_or_state(r)))
		return CB_OK;
	struct cb_buf b = {0};
	cb_buf_append(&b, st->form[k].xml.data, st->form[k].xml.len);
	answer_buf(r, 200, &b);
	return CB_OK;
}

int cb_api_or_manifest(struct cb_http_req *r, const char *arg)
{
	enum cb_xform_kind k;
	if (!may_collect(r) || form_of(r, arg, &k))
		return CB_OK;
	struct cb_buf b = {0};
	cb_buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			  "<manifest xmlns=\"http://openrosa.org/xforms/xformsManifest\"/>\n");
	answer_buf(r, 200, &b);
	return CB_OK;
}

int cb_api_or_submission_head(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	if (!may_collect(r))
		return CB_OK;
	or_base(r);
	r->status = 204;
	r->resp = NULL;
	r->resp_len = 0;
	return CB_OK;
}

/* Decrypts an encrypted submission into *xml (malloc'd, wiped by the caller) and checks its signature. */
static int decrypt(struct cb_http_req *r, const struct cb_odk_state *st, const struct cb_xform_instance *m,
		   const struct cb_mpart *parts, int nparts, char **xml, size_t *xml_len, struct cb_odk_media *media,
		   int *nmedia, const char **why)
{
	uint8_t key[CB_ODK_AES_BYTES], iv[16];
	struct cb_buf src = {0};
	uint8_t *plain = NULL;
	size_t pn;
	int rc = CB_ECORRUPT;
	*xml = NULL;
	*why = "the encrypted key does not open with this server's key (a form from another server?)";
	if (cb_odk_unwrap(st->rsa, m->enc_key, key) != CB_OK)
		goto out;
	cb_buf_printf(&src, "%s\n", m->form_id);
	if (m->version && m->version[0])
		cb_buf_printf(&src, "%s\n", m->version);
	cb_buf_printf(&src, "%s\n%s\n", m->enc_key, m->instance_id);
	for (int i = 0; i <= m->nmedia; i++) {
		const char *name = i < m->nmedia ? m->media[i] : m->enc_xml;
		size_t nl = strlen(name);
		const struct cb_mpart *p = cb_multipart_file(parts, nparts, name);
		*why = cb_arena_printf(r->arena, "file %.80s is missing", name);
		if (!p || nl < 5 || strcmp(name + nl - 4, ".enc"))
			goto out;
		cb_odk_iv(m->instance_id, key, i, iv);
		*why = cb_arena_printf(r->arena, "file %.80s does not decrypt (truncated or altered)", name);
		if (cb_odk_decrypt_file(key, iv, p->data, p->len, &plain, &pn) != CB_OK)
			goto out;
		char md5[33];
		cb_odk_md5_hex(plain, pn, md5);
		cb_buf_printf(&src, "%.*s::%s\n", (int)(nl - 4), name, md5);
		if (i < m->nmedia) { /* kept in memory for the case's attachments (the caller wipes them) */
			if (*nmedia >= CB_MPART_MAX || !(media[*nmedia].name = cb_arena_strndup(r->arena, name, nl - 4))) {
				*why = "too many files";
				goto out;
			}
			media[*nmedia].data = plain;
			media[*nmedia].len = pn;
			media[(*nmedia)++].owned = true;
			plain = NULL;
		}
	}
	*why = "the signature does not match the files (altered or incomplete)";
	if (!src.data || cb_odk_signature_check(st->rsa, m->signature, src.data, src.len) != CB_OK)
		goto out;
	*xml = (char *)plain;
	*xml_len = pn;
	plain = NULL;
	rc = CB_OK;
out:
	if (plain) {
		sodium_memzero(plain, pn);
		free(plain);
	}
	sodium_memzero(key, sizeof key);
	cb_buf_free(&src);
	return rc;
}

int cb_api_or_submission(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_odk_state *st;
	struct cb_mpart parts[CB_MPART_MAX];
	int nparts;
	struct cb_xform_instance *m = NULL, *in = NULL;
	struct cb_err err = {0};
	char *xml = NULL;
	size_t xml_len = 0;
	enum cb_xform_kind k;
	struct cb_odk_media media[CB_MPART_MAX];
	int nmedia = 0;
	if (!may_collect(r) || !(st = cb_or_state(r)))
		return CB_OK;
	const struct cb_mpart *x;
	if (cb_multipart_parse(r->arena, r->content_type, r->body, r->body_len, parts, CB_MPART_MAX, &nparts) != CB_OK ||
	    !(x = cb_multipart_get(parts, nparts, "xml_submission_file"))) {
		cb_or_respond(r, 400, "error",
			      "expected a multipart/form-data body with the submission in a part named xml_submission_file");
		goto out;
	}
	if (cb_xform_instance_parse((const char *)x->data, x->len, &m, &err) != CB_OK) {
		cb_or_respond(r, 400, "error", err.msg);
		goto out;
	}
	bool seen = false;
	if (cb_store_odk_seen(cb_api_store(r), m->instance_id, &seen, &err) == CB_OK && seen) {
		cb_or_respond(r, 201, "submit_success", "this form was received before: nothing more to do");
		goto out;
	}
	bool ours = cb_xform_by_id(m->form_id, &k) == CB_OK;
	if (!ours && strcmp(m->form_id, CB_XFORM_HTCDS_ID)) {
		cb_or_respond(r, 404, "error", cb_arena_printf(r->arena, "no such form on this server: %.60s", m->form_id));
		goto out;
	}
	if (ours != m->encrypted) {
		cb_or_respond(r, 400, "error",
			      ours ? "casebank's forms are accepted only encrypted: download the form again"
				   : "the HTCDS form is expected as published, not encrypted");
		goto out;
	}
	if (m->encrypted) {
		const char *why;
		if (decrypt(r, st, m, parts, nparts, &xml, &xml_len, media, &nmedia, &why) != CB_OK) {
			cb_or_respond(r, 400, "error", cb_arena_printf(r->arena, "submission refused, nothing stored: %s", why));
			goto out;
		}
		if (cb_xform_instance_parse(xml, xml_len, &in, &err) != CB_OK) {
			cb_or_respond(r, 400, "error", err.msg);
			goto out;
		}
		if (strcmp(in->form_id, m->form_id) || strcmp(in->instance_id, m->instance_id)) {
			cb_or_respond(r, 400, "error", "the encrypted submission does not match its manifest");
			goto out;
		}
		cb_odk_submit(r, in, xml, xml_len, media, nmedia);
	} else {
		for (int i = 0; i < nparts && nmedia < CB_MPART_MAX; i++)
			if (&parts[i] != x && parts[i].filename)
				media[nmedia++] = (struct cb_odk_media){parts[i].filename, (uint8_t *)parts[i].data, parts[i].len, false};
		cb_odk_submit(r, m, (const char *)x->data, x->len, media, nmedia);
	}
out:
	for (int i = 0; i < nmedia; i++)
		if (media[i].owned) {
			sodium_memzero(media[i].data, media[i].len);
			free(media[i].data);
		}
	cb_xform_instance_free(&m);
	cb_xform_instance_free(&in);
	if (xml) {
		sodium_memzero(xml, xml_len);
		free(xml);
	}
	return CB_OK;
}

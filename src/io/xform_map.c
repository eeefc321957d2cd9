/*
 * xform_map.c -- reading a submitted XForms instance (or an encrypted submission's manifest) with libxml2,
 * and mapping the registration form and the HTCDS toolkit's form onto a case (see xform.h).
 *
 * The parser is told never to load a DTD, substitute entities or touch the network, and a document that
 * declares a DTD at all is refused: a submission never needs one, and entity tricks (billion laughs, XXE)
 * all start there.  Leaves are taken by their local name; the instance of every form here is flat, apart
 * from <meta>.  libxml2's allocations go through wiping functions, since the text it holds can be a name.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sodium.h>

#include "io/io.h"
#include "io/xform.h"

#define MAX_LEAVES 512

/* ---- libxml2 memory that is wiped when freed (it parses identifying details) */

static void wipe_free(void *p)
{
	if (p) {
		sodium_memzero(p, malloc_usable_size(p));
		free(p);
	}
}
static void *wipe_realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	size_t old = malloc_usable_size(p);
	void *q = malloc(n ? n : 1);
	if (!q)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	wipe_free(p);
	return q;
}
static char *wipe_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_setup(void)
{
	xmlMemSetup(wipe_free, malloc, wipe_realloc, wipe_strdup);
	xmlInitParser();
}

/* ---- the instance */

static char *dup_text(const xmlChar *s)
{
	return strdup(s ? (const char *)s : "");
}

void cb_xform_instance_free(struct cb_xform_instance **in)
{
	if (!in || !*in)
		return;
	struct cb_xform_instance *x = *in;
	for (int i = 0; i < x->n; i++) {
		free(x->f[i].name);
		cb_text_free(&x->f[i].value);
	}
	for (int i = 0; i < x->nmedia; i++)
		free(x->media[i]);
	free(x->media);
	free(x->f);
	free(x->form_id);
	free(x->version);
	free(x->instance_id);
	free(x->enc_key);
	free(x->enc_xml);
	free(x->signature);
	free(x);
	*in = NULL;
}

const char *cb_xform_get(const struct cb_xform_instance *in, const char *name)
{
	for (int i = 0; i < in->n; i++)
		if (!strcmp(in->f[i].name, name))
			return in->f[i].value;
	return NULL;
}

static bool has_element_child(const xmlNode *n)
{
	for (const xmlNode *c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return true;
	return false;
}

static int walk(struct cb_xform_instance *x, const xmlNode *n, int depth, struct cb_err *err)
{
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)c->name;
		if (depth > 3)
			return cb_err_set(err, CB_EINVAL, "submission: elements nested too deep");
		if (x->encrypted && !strcmp(name, "media")) {
			for (const xmlNode *f = c->children; f; f = f->next)
				if (f->type == XML_ELEMENT_NODE && !strcmp((const char *)f->name, "file")) {
					char **m = realloc(x->media, sizeof *m * (size_t)(x->nmedia + 1));
					if (!m)
						return cb_err_set(err, CB_ENOMEM, "out of memory");
					x->media = m;
					xmlChar *t = xmlNodeGetContent(f);
					m[x->nmedia++] = dup_text(t);
					xmlFree(t);
				}
			continue;
		}
		if (has_element_child(c)) {
			int rc = walk(x, c, depth + 1, err);
			if (rc != CB_OK)
				return rc;
			continue;
		}
		if (x->n >= MAX_LEAVES)
			return cb_err_set(err, CB_EINVAL, "submission: more than %d fields", MAX_LEAVES);
		for (int i = 0; i < x->n; i++)
			if (!strcmp(x->f[i].name, name))
				return cb_err_field(err, CB_EINVAL, name, "submission: field %.60s appears twice", name);
		struct cb_xform_field *f = realloc(x->f, sizeof *f * (size_t)(x->n + 1));
		if (!f)
			return cb_err_set(err, CB_ENOMEM, "out of memory");
		x->f = f;
		xmlChar *t = xmlNodeGetContent(c);
		f[x->n].name = strdup(name);
		f[x->n].value = dup_text(t);
		xmlFree(t);
		if (!f[x->n].name || !f[x->n].value) {
			free(f[x->n].name);
			cb_text_free(&f[x->n].value);
			return cb_err_set(err, CB_ENOMEM, "out of memory");
		}
		x->n++;
	}
	return CB_OK;
}

static char *attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = v ? strdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

static char *take(struct cb_xform_instance *x, const char *name)
{
	for (int i = 0; i < x->n; i++)
		if (!strcmp(x->f[i].name, name)) { /* taken out: the fields are the form's questions only */
			char *v = x->f[i].value;
			free(x->f[i].name);
			x->f[i] = x->f[--x->n];
			return v;
		}
	return NULL;
}

int cb_xform_instance_parse(const char *xml, size_t len, struct cb_xform_instance **out, struct cb_err *err)
{
	pthread_once(&xml_once, xml_setup);
	int rc = CB_OK;
	*out = NULL;
	struct cb_xform_instance *x = calloc(1, sizeof *x);
	xmlDoc *doc = NULL;
	if (!x)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	if (len > INT32_MAX) {
		rc = cb_err_set(err, CB_EINVAL, "submission: too large");
		goto out;
	}
	doc = xmlReadMemory(xml, (int)len, "submission.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!doc) {
		rc = cb_err_set(err, CB_EINVAL, "submission: not well-formed XML");
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		rc = cb_err_set(err, CB_EINVAL, "submission: a document type declaration is not allowed");
		goto out;
	}
	xmlNode *root = xmlDocGetRootElement(doc);
	if (!root) {
		rc = cb_err_set(err, CB_EINVAL, "submission: no root element");
		goto out;
	}
	x->form_id = attr(root, "id");
	x->version = attr(root, "version");
	char *enc = attr(root, "encrypted");
	x->encrypted = enc && !strcmp(enc, "yes");
	free(enc);
	if (!x->form_id || !x->form_id[0]) {
		rc = cb_err_set(err, CB_EINVAL, "submission: the root element has no form id (attribute id)");
		goto out;
	}
	if ((rc = walk(x, root, 0, err)) != CB_OK)
		goto out;
	x->instance_id = take(x, "instanceID");
	if (!x->instance_id || !x->instance_id[0] || strlen(x->instance_id) > 100) {
		rc = cb_err_field(err, CB_EINVAL, "instanceID", "submission: meta/instanceID is missing or too long");
		goto out;
	}
	if (x->encrypted) {
		x->enc_key = take(x, "base64EncryptedKey");
		x->enc_xml = take(x, "encryptedXmlFile");
		x->signature = take(x, "base64EncryptedElementSignature");
		if (!x->enc_key || !x->enc_xml || !x->signature) {
			rc = cb_err_set(err, CB_EINVAL, "submission: an encrypted submission needs base64EncryptedKey, "
							"encryptedXmlFile and base64EncryptedElementSignature");
			goto out;
		}
	}
out:
	xmlFreeDoc(doc);
	if (rc != CB_OK)
		cb_xform_instance_free(&x);
	*out = x;
	return rc;
}

/* ---- onto a case */

/* The HTCDS toolkit's form names some fields otherwise than HTCDS 2.0's CSV columns. */
static const struct {
	const char *form, *column;
} htcds_alias[] = {
	{"prs_First_Name", "prs_FirstName"},
	{"prs_Second_Name", "prs_SecondName"},
	{"vic_Methods_of_Control", "vic_MethodsOfControl"},
};
/* Questions of that form with no place in the codebook (casebank keeps no salutation, title, second phone,
 * split postal address, free-text locations or incoming-referral details on the case: referrals are records
 * of their own), and its bookkeeping.  They are dropped, like the columns an HTCDS import does not know would
 * be refused: the form is published and cannot be changed, so refusing every submission would help nobody.
 * vic_ForcedLabourIndustry uses ISIC sections, which are not casebank's labour sectors. */
static const char *const htcds_dropped[] = {
	"start", "end", "__version__", "con_Consent", "prs_Salutation", "prs_Title", "prs_HomePhone",
	"prs_MailingCity", "prs_MailingCountry", "prs_MailingState", "prs_MailingPostalCode",
	"vic_LocationOfRecruitment", "vic_LocationOfExploitation", "vic_ForcedLabourIndustry",
	"cas_ReferringOrganisation", "cas_IncomingReferralDate", "cas_ReferringPrimaryCaseWorker",
	"cas_ReasonForIncomingReferral", "cas_IncomingReferralDetails",
};

static const struct cb_field *htcds_field(const char *name, bool *dropped)
{
	*dropped = false;
	for (size_t i = 0; i < CB_COUNTOF(htcds_dropped); i++)
		if (!strcmp(name, htcds_dropped[i]))
			return *dropped = true, NULL;
	for (size_t i = 0; i < CB_COUNTOF(htcds_alias); i++)
		if (!strcmp(name, htcds_alias[i].form))
			name = htcds_alias[i].column;
	const struct cb_field *f = cb_field_by_htcds(name);
	return f && !strcmp(f->htcds, name) ? f : NULL;
}

const struct cb_field *cb_xform_field(const struct cb_xform_instance *in, const char *name)
{
	bool dropped;
	if (!strcmp(in->form_id, CB_XFORM_HTCDS_ID))
		return htcds_field(name, &dropped);
	const struct cb_field *f = cb_field_find(name);
	return f && !strcmp(f->name, name) ? f : NULL;
}

int cb_xform_to_case(const struct cb_xform_instance *in, const json_t *fixes, struct cb_case *c, struct cb_err *err)
{
	bool htcds = !strcmp(in->form_id, CB_XFORM_HTCDS_ID);
	enum cb_xform_kind k;
	char vb[64];
	if (!htcds && (cb_xform_by_id(in->form_id, &k) != CB_OK || k != CB_XFORM_REGISTRATION))
		return cb_err_set(err, CB_EINVAL, "form %s does not register cases", cb_err_value(in->form_id, vb));
	for (int i = 0; i < in->n; i++) {
		const char *name = in->f[i].name, *value = in->f[i].value;
		bool dropped = false;
		const struct cb_field *f = htcds ? htcds_field(name, &dropped) : cb_field_find(name);
		if (dropped)
			continue;
		/* a registration's cas_Status stands for its workflow stage (codebook/status.c), as in an import */
		if (!f || (!htcds && strcmp(f->name, name)) || f->kind == CB_ID ||
		    ((f->flags & (CB_F_DERIVED | CB_F_STORE)) && f->id != CB_FLD_status))
			return cb_err_field(err, CB_EINVAL, name, "field %s: not a field of form %s", cb_err_value(name, vb),
					    in->form_id);
		if (!value[0] || (fixes && json_object_get(fixes, f->name)))
			continue;
		int rc;
		if (f->kind == CB_MULTI) {
			/* XForms separates the choices of a select by spaces, the codebook's text by ';' */
			char *t = strdup(value);
			if (!t)
				return cb_err_set(err, CB_ENOMEM, "out of memory");
			for (char *p = t; *p; p++)
				if (*p == ' ')
					*p = ';';
			rc = cb_case_set_text(c, f, t, err);
			free(t);
		} else if (htcds && f->kind == CB_BOOL) {
			rc = cb_case_set_text(c, f, !strcmp(value, "TRUE") ? "yes" : !strcmp(value, "FALSE") ? "no" : value, err);
		} else {
			rc = cb_case_set_text(c, f, value, err);
		}
		if (rc != CB_OK)
			return rc;
	}
	return fixes ? cb_case_from_json(c, fixes, CB_JSON_PII | CB_JSON_PATCH, err) : CB_OK;
}

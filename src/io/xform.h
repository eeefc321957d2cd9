/*
 * xform.h -- casebank's ODK forms (ODK XForms 1.0), generated from the codebook, and the mapping of their
 * submissions (and of the HTCDS toolkit's own form, htcds_xlsform) back onto the codebook.
 *
 * Three forms: registration (a new case: consent first, then every coded field and identifying detail the
 * codebook has, derived and store-kept fields left out), followup and assistance (about an existing case,
 * named by its id and by the case version the phone saw, so that an offline edit of a case changed since is
 * noticed instead of overwriting).  All three are encrypted: <submission base64RsaPublicKey=...>.
 */
#ifndef CB_IO_XFORM_H
#define CB_IO_XFORM_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "codebook/codebook.h"

enum cb_xform_kind { CB_XFORM_REGISTRATION, CB_XFORM_FOLLOWUP, CB_XFORM_ASSISTANCE, CB_XFORM__COUNT };
#define CB_XFORM_HTCDS_ID "htcds_xlsform"

const char *cb_xform_name(enum cb_xform_kind k);    /* "registration" */
const char *cb_xform_id(enum cb_xform_kind k);      /* "casebank_registration": the form id */
const char *cb_xform_title(enum cb_xform_kind k);
int cb_xform_parse_name(const char *name, enum cb_xform_kind *k); /* "registration" -> k; CB_EINVAL */
int cb_xform_by_id(const char *form_id, enum cb_xform_kind *k);   /* form id -> k; CB_ENOTFOUND */

/* Writes the form into out (NUL-terminated); *version is its version (a number that changes with the codebook
 * and the key, as ODK clients compare versions to decide whether to download again). */
int cb_xform_write(enum cb_xform_kind k, const char *pubkey_b64, struct cb_buf *out, char version[16]);

/* ---- submissions (xform_map.c) */
/* A submission's instance: the root's form id and version, and its leaf elements as name -> text. */
struct cb_xform_field {
	char *name, *value; /* value may be an identifying detail: wiped when freed */
};
struct cb_xform_instance {
	char *form_id, *version, *instance_id;
	bool encrypted; /* the root says encrypted="yes": a submission manifest */
	/* manifest only */
	char *enc_key, *enc_xml, *signature;
	char **media; /* encrypted media file names, in order */
	int nmedia;
	struct cb_xform_field *f;
	int n;
};
/* Parses a submission instance or manifest (libxml2, no DTD, no entities, no network).  CB_EINVAL with a
 * message for anything else. */
int cb_xform_instance_parse(const char *xml, size_t len, struct cb_xform_instance **out, struct cb_err *err);
const char *cb_xform_get(const struct cb_xform_instance *in, const char *name); /* NULL when absent */
void cb_xform_instance_free(struct cb_xform_instance **in);

/* The registration form's (or htcds_xlsform's) instance as a new case, by the rules of an import: every value
 * through cb_case_set_text, unknown fields refused.  Errors name the field and coded values only.  fixes
 * (NULL for none): a JSON object of case fields (io.h case JSON) that replace what the instance says: a
 * manager's corrections of a review entry. */
int cb_xform_to_case(const struct cb_xform_instance *in, const json_t *fixes, struct cb_case *c, struct cb_err *err);
/* The codebook field an instance's element stands for (registration or HTCDS names), or NULL. */
const struct cb_field *cb_xform_field(const struct cb_xform_instance *in, const char *name);

#endif

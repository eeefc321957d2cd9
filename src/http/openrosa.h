/*
 * openrosa.h -- casebank as an OpenRosa server for ODK Collect, KoboCollect and Enketo (docs/api.md,
 * "OpenRosa"; docs/field.md for set-up):
 *   multipart.c      multipart/form-data bodies (a pure parser, fuzzed)
 *   odk_auth.c       HTTP Basic authentication as casebank users, with the server's login throttle
 *   odk_group.c      the group commit of new cases from submissions
 *   openrosa.c       GET /formList, the forms, their manifests, HEAD/POST /submission
 *   odk_submit.c     a submission (decrypted in memory) becomes a case, follow-up, assistance record or
 *                    stage change in one transaction, or goes to the review queue
 *   review.c         the review queue's JSON API for managers
 */
#ifndef CB_HTTP_OPENROSA_H
#define CB_HTTP_OPENROSA_H

#include "http/api.h"
#include "io/xform.h"
#include "store/odk.h"

/* ---- multipart.c */
#define CB_MPART_MAX 32
struct cb_mpart {
	const char *name, *filename, *ctype; /* in the arena; filename, ctype NULL when absent */
	const uint8_t *data;                 /* points into the body */
	size_t len;
};
/* Splits a multipart/form-data body (content_type carries the boundary).  CB_EINVAL for anything malformed
 * or more than max parts; CB_ENOMEM when the arena is full. */
int cb_multipart_parse(struct cb_arena *a, const char *content_type, const char *body, size_t len,
		       struct cb_mpart *parts, int max, int *n);
const struct cb_mpart *cb_multipart_get(const struct cb_mpart *parts, int n, const char *name);
const struct cb_mpart *cb_multipart_file(const struct cb_mpart *parts, int n, const char *filename);

/* ---- odk_auth.c */
/* Decodes "Basic base64(user:password)" into the arena.  CB_EINVAL when it is not that. */
int cb_basic_parse(struct cb_arena *a, const char *header, const char **user, const char **password);
/* Authenticates the request's Authorization header as a casebank user (r->user, r->authed): true when it
 * did; otherwise the answer (401 with a challenge, 429 while the address is slowed down) is set.  A wrong
 * password counts against the address like a failed login, and is audited as one. */
bool cb_odk_authenticate(struct cb_http_req *r);

/* ---- openrosa.c (its route handlers, cb_api_or_*, are declared by api.h from include/tbl/cb_routes.h) */
/* An OpenRosa XML answer: <OpenRosaResponse><message nature="...">text</message></OpenRosaResponse>. */
void cb_or_respond(struct cb_http_req *r, int status, const char *nature, const char *text);
/* The server's ODK keys, loaded (or made) on first use; NULL after answering 500. */
struct cb_odk_state;
struct cb_odk_state *cb_or_state(struct cb_http_req *r);
void cb_odk_state_free(struct cb_odk_state **st);
const struct cb_odk_key *cb_odk_state_rsa(const struct cb_odk_state *st);
const uint8_t *cb_odk_state_review_key(const struct cb_odk_state *st);

/* ---- odk_group.c: the group commit of new cases (see there) */
struct cb_odk_group;
int cb_odk_group_new(struct cb_odk_group **out);
void cb_odk_group_free(struct cb_odk_group **g);
/* Writes job (its case prepared, its instance id) in the next group; returns once that is committed or
 * failed (job->rc). */
void cb_odk_group_write(struct cb_http_req *r, struct cb_odk_group *g, struct cb_odk_new_case *job);
struct cb_odk_group *cb_odk_state_group(const struct cb_odk_state *st);

/* ---- odk_submit.c: a plain instance (decrypted, or the HTCDS form's) into the store; answers r */
/* Files sent with a form (decrypted, or as they came with the HTCDS form): attached to the new case. */
struct cb_odk_media {
	const char *name;
	uint8_t *data;
	size_t len;
	bool owned; /* decrypted into memory of its own: wiped and freed by the caller */
};
void cb_odk_submit(struct cb_http_req *r, const struct cb_xform_instance *in, const char *xml, size_t len,
		   const struct cb_odk_media *media, int nmedia);
/* The follow-up (and stage move) or assistance record of an instance, stored inside the caller's act
 * (cb_api_begin: its audit entry commits with it) with its instance id (mark), or with the review entry
 * review_id marked accepted (its instance id is recorded already).  *fields: the field names its audit entry
 * lists. */
int cb_odk_apply(struct cb_store *s, const struct cb_user *by, enum cb_xform_kind k, const struct cb_xform_instance *in,
		 const uint8_t id[16], bool mark, int64_t review_id, int64_t now, const char **fields, struct cb_err *err);

#endif

/*
 * cmd_odk.c -- `casebank xform DB [--form registration|followup|assistance] > form.xml`: the ODK form,
 * generated from the codebook, encrypted with the database's ODK key (made on first use; docs/field.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "io/xform.h"
#include "store/odk.h"
#include "util/i18n.h"

int cb_cmd_xform(int argc, char **argv)
{
	enum { O_FORM };
	static const struct option opts[] = {{"form", required_argument, NULL, O_FORM}, {0}};
	const char *v[1] = {0};
	int first = cb_cli_parse(argc, argv, opts, v, 1), ex;
	if ((ex = cb_cli_args(argc, first, 1, "xform DB [--form registration|followup|assistance]")))
		return ex;
	enum cb_xform_kind k = CB_XFORM_REGISTRATION;
	if (v[O_FORM] && cb_xform_parse_name(v[O_FORM], &k) != CB_OK) {
		fprintf(stderr, _("casebank: --form: '%s' is not one of registration, followup, assistance\n"), v[O_FORM]);
		return CB_EXIT_USAGE;
	}
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	struct cb_odk_key *rsa = NULL;
	uint8_t *review = NULL;
	char *pub = NULL, version[16];
	struct cb_buf form = {0};
	int rc = cb_cli_open(argv[first], 0, &s);
	if (rc != CB_OK)
		goto out;
	if ((rc = cb_store_odk_keys(s, &rsa, &review, &err)) != CB_OK) {
		cb_cli_error("xform", &err);
		goto out;
	}
	if ((rc = cb_odk_key_public_b64(rsa, &pub)) != CB_OK || (rc = cb_xform_write(k, pub, &form, version)) != CB_OK) {
		cb_err_set(&err, rc, "cannot write the form");
		cb_cli_error("xform", &err);
		goto out;
	}
	if (fwrite(form.data, 1, form.len, stdout) != form.len || fflush(stdout) != 0) {
		rc = cb_err_set(&err, CB_EIO, "cannot write to standard output");
		cb_cli_error("xform", &err);
	}
out:
	cb_buf_free(&form);
	free(pub);
	cb_secret_free(review);
	cb_odk_key_free(&rsa);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

/*
 * cmd_case.c -- the commands that work on single cases and on the database as a whole:
 * init, add, update, show, list, erase, check.
 *
 * Case JSON on stdin is limited to 1 MiB; identifying details are printed only by `show --with-identifiers`,
 * which is recorded as an event.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "io/io.h"
#include "access/access.h"
#include "care/assist.h"
#include "store/store.h"
#include "util/i18n.h"

#define STDIN_MAX (1u << 20)

/* Reads stdin (at most STDIN_MAX bytes) into a new NUL-terminated buffer. */
static int read_stdin(struct cb_buf *b, struct cb_err *err)
{
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
		if (b->len + n > STDIN_MAX)
			return cb_err_set(err, CB_EINVAL, "input larger than %u bytes", STDIN_MAX);
		if (cb_buf_append(b, chunk, n) != CB_OK)
			return cb_err_set(err, CB_ENOMEM, "out of memory");
	}
	if (cb_buf_append(b, "", 0) != CB_OK)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	return CB_OK;
}

/* The shape shared by update, show and erase: options, then DB and CASE_ID.  Returns the index of DB in
 * argv and fills id, or a negative exit status after printing why. */
static int db_and_id(int argc, char **argv, const struct option *opts, const char **v, int nv, const char *usage,
		     uint8_t id[16])
{
	int first = cb_cli_parse(argc, argv, opts, v, nv), ex;
	if ((ex = cb_cli_args(argc, first, 2, usage)))
		return -ex;
	if (cb_cli_case_id(argv[first + 1], id) != CB_OK)
		return -CB_EXIT_USAGE;
	return first;
}

int cb_cmd_init(int argc, char **argv)
{
	int first = cb_cli_plain(argc, argv, 1, "init DB");
	if (first < 0)
		return -first;
	struct cb_err err = {0};
	const char *db = argv[first];
	int rc = cb_store_create(db, &err);
	if (rc != CB_OK) {
		cb_cli_error(db, &err);
		return cb_cli_exit(rc);
	}
	char key[4096], shown[1024];
	printf("created %s\nkey file %s: keep it safe and back it up apart from the database\n",
	       cb_db_shown(db, shown, sizeof shown), cb_store_keyfile(db, key, sizeof key));
	return CB_EXIT_OK;
}

int cb_cmd_add(int argc, char **argv)
{
	int first = cb_cli_plain(argc, argv, 1, "add DB < case.json");
	if (first < 0)
		return -first;
	struct cb_store *s = NULL;
	struct cb_buf in = {0};
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	int rc = read_stdin(&in, &err);
	if (rc == CB_OK)
		rc = cb_case_from_json_text(&c, in.data, in.len, 0, &err);
	if (rc != CB_OK) {
		cb_cli_error("stdin", &err);
		goto out;
	}
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_store_add(s, &c, NULL, &err)) != CB_OK) {
		cb_cli_error("add", &err);
		goto out;
	}
	char id[CB_ID_TEXT];
	cb_case_id_format(c.case_id, id);
	printf("%s\n", id);
	cb_cli_warn_duplicates(s, c.case_id); /* a warning: the case is registered either way */
out:
	cb_case_clear(&c);
	cb_buf_free(&in);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

int cb_cmd_update(int argc, char **argv)
{
	static const struct option opts[] = {{0}};
	uint8_t id[16];
	int first = db_and_id(argc, argv, opts, NULL, 0, "update DB CASE_ID < patch.json", id);
	if (first < 0)
		return -first;
	struct cb_store *s = NULL;
	struct cb_buf in = {0};
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	int rc = read_stdin(&in, &err);
	if (rc != CB_OK) {
		cb_cli_error("stdin", &err);
		goto out;
	}
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	/* The patch applies to the whole stored case, identifying details included; a "version" in the patch
	 * makes the update conditional on nobody having changed the case since. */
	if ((rc = cb_store_get(s, id, CB_WITH_PII, &c, &err)) != CB_OK) {
		cb_cli_error(argv[first + 1], &err);
		goto out;
	}
	if ((rc = cb_case_from_json_text(&c, in.data, in.len, CB_JSON_PATCH, &err)) != CB_OK) {
		cb_cli_error("stdin", &err);
		goto out;
	}
	memcpy(c.case_id, id, sizeof id); /* the id in the path wins over one in the patch */
	if ((rc = cb_store_update(s, &c, CB_WITH_PII, &err)) != CB_OK) {
		cb_cli_error(argv[first + 1], &err);
		goto out;
	}
	printf("%s version %lld\n", argv[first + 1], (long long)c.version);
out:
	cb_case_clear(&c);
	cb_buf_free(&in);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

int cb_cmd_show(int argc, char **argv)
{
	enum { O_PII };
	static const struct option opts[] = {{"with-identifiers", no_argument, NULL, O_PII}, {0}};
	const char *v[1] = {0};
	uint8_t id[16];
	int first = db_and_id(argc, argv, opts, v, 1, "show DB CASE_ID [--with-identifiers]", id);
	if (first < 0)
		return -first;
	struct cb_store *s = NULL;
	struct cb_case c;
	struct cb_err err = {0};
	json_t *j = NULL;
	char *text = NULL;
	cb_case_init(&c);
	int rc = cb_cli_open(argv[first], 0, &s);
	if (rc != CB_OK)
		goto out;
	if ((rc = cb_store_get(s, id, v[O_PII] ? CB_WITH_PII : 0, &c, &err)) != CB_OK) {
		cb_cli_error(argv[first + 1], &err);
		goto out;
	}
	/* as over HTTP: the entry names the identifying details shown, and nothing is shown without it */
	char shown[512];
	cb_case_pii_names(&c, shown, sizeof shown);
	if (v[O_PII] && (rc = cb_store_audit(s, CB_AUD_CASE_READ, id, shown, NULL, &err)) != CB_OK) {
		cb_cli_error("show", &err);
		goto out;
	}
	j = cb_case_to_json(&c, v[O_PII] ? CB_JSON_PII : 0);
	text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	if (!text) {
		rc = CB_ENOMEM;
		goto out;
	}
	printf("%s\n", text);
out:
	if (text) {
		cb_wipe(text, strlen(text));
		free(text);
	}
	json_decref(j);
	cb_case_clear(&c);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

struct list_ctx {
	long n;
};

static int list_one(const struct cb_case *c, void *ctx)
{
	char id[CB_ID_TEXT], date[64], status[64];
	cb_case_id_format(c->case_id, id);
	cb_case_format(c, &cb_fields[CB_FLD_registered_on], date, sizeof date);
	cb_case_format(c, &cb_fields[CB_FLD_status], status, sizeof status);
	printf("%s  %-16s  %-10s  %d  %s\n", id, c->site, date[0] ? date : "-", c->year, status[0] ? status : "-");
	((struct list_ctx *)ctx)->n++;
	return 0;
}

int cb_cmd_list(int argc, char **argv)
{
	enum { O_SITE, O_STATUS };
	static const struct option opts[] = {{"site", required_argument, NULL, O_SITE},
					     {"status", required_argument, NULL, O_STATUS}, {0}};
	const char *v[2] = {0};
	int first = cb_cli_parse(argc, argv, opts, v, 2), ex;
	if ((ex = cb_cli_args(argc, first, 1, "list DB [--site S] [--status X]")))
		return ex;
	struct cb_store_filter f = {.site = v[O_SITE], .status = CB_NA};
	struct cb_err err = {0};
	if (v[O_STATUS]) {
		const struct cb_field *sf = &cb_fields[CB_FLD_status];
		f.status = cb_value_find(sf->vset, v[O_STATUS]);
		if (f.status == CB_NA) {
			char allowed[512], vb[64];
			fprintf(stderr, _("casebank: --status: '%s' is not one of %s\n"), cb_err_value(v[O_STATUS], vb),
				cb_field_allowed(sf, allowed, sizeof allowed));
			return CB_EXIT_USAGE;
		}
	}
	struct cb_store *s = NULL;
	struct list_ctx ctx = {0};
	int rc = cb_cli_open(argv[first], CB_OPEN_READONLY, &s);
	if (rc != CB_OK)
		goto out;
	printf("%-26s  %-16s  %-10s  %-4s  %s\n", "case_id", "site", "registered", "year", "status");
	if ((rc = cb_store_scan(s, &f, 0, list_one, &ctx, &err)) != CB_OK)
		cb_cli_error("list", &err);
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

/* erase DB --closed-before DATE: the retention run.  Cases are erased a thousand to a transaction, each
 * audited (see cb_store_erase_many), so an interrupted run has erased whole cases only, the next open
 * destroys the keys it had not yet, and the next run picks up the rest. */
static int erase_closed(struct cb_store *s, const char *date, bool all, bool dry_run)
{
	struct cb_err err = {0};
	uint8_t(*ids)[16] = NULL;
	size_t n = 0, done = 0;
	int32_t day;
	int rc;
	if (cb_date_parse(date, &day) != CB_OK) {
		fprintf(stderr, _("casebank: --closed-before: %s: expected a date YYYY-MM-DD\n"), date);
		return CB_EINVAL;
	}
	if ((rc = cb_retention_due(s, (int64_t)day * 86400, !all, &ids, &n, &err)) != CB_OK) {
		cb_cli_error("erase", &err);
		goto out;
	}
	if (!dry_run && (rc = cb_store_erase_many(s, (const uint8_t(*)[16])ids, n, all, &done, &err)) != CB_OK)
		cb_cli_error("erase", &err);
	printf("%zu case%s closed before %s: %s\n", dry_run ? n : done, (dry_run ? n : done) == 1 ? "" : "s", date,
	       dry_run  ? (all ? "would be erased" : "identifying details would be destroyed")
	       : all    ? "erased"
			: "identifying details destroyed; coded records kept");
out:
	free(ids);
	return rc;
}

int cb_cmd_erase(int argc, char **argv)
{
	enum { O_ALL, O_CLOSED, O_DRY };
	static const struct option opts[] = {{"all", no_argument, NULL, O_ALL},
					     {"closed-before", required_argument, NULL, O_CLOSED},
					     {"dry-run", no_argument, NULL, O_DRY},
					     {0}};
	static const char usage[] = "erase DB CASE_ID [--all] | erase DB --closed-before DATE [--all] [--dry-run]";
	const char *v[3] = {0};
	uint8_t id[16];
	int first = cb_cli_parse(argc, argv, opts, v, 3), ex;
	if ((ex = cb_cli_args(argc, first, v[O_CLOSED] ? 1 : 2, usage)))
		return ex;
	if (!v[O_CLOSED] && (v[O_DRY] || cb_case_id_parse(argv[first + 1], id) != CB_OK)) {
		if (v[O_DRY])
			fprintf(stderr, _("casebank: --dry-run goes with --closed-before\n"));
		else
			fprintf(stderr, _("casebank: %s: not a case id (26 characters A-Z and 2-7)\n"), argv[first + 1]);
		return CB_EXIT_USAGE;
	}
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int rc = cb_cli_open(argv[first], v[O_DRY] ? CB_OPEN_READONLY : 0, &s);
	if (rc != CB_OK)
		goto out;
	long finished = cb_store_erasures_finished(s);
	if (finished)
		printf("%ld erasure%s an interrupted run had begun: finished (their keys are destroyed now)\n", finished,
		       finished == 1 ? "" : "s");
	if (v[O_CLOSED]) {
		rc = erase_closed(s, v[O_CLOSED], v[O_ALL] != NULL, v[O_DRY] != NULL);
		goto out;
	}
	if ((rc = cb_store_erase(s, id, v[O_ALL] != NULL, &err)) != CB_OK) {
		cb_cli_error(argv[first + 1], &err);
		goto out;
	}
	printf("%s: %s\n", argv[first + 1],
	       v[O_ALL] ? "case erased" : "identifying details destroyed; coded record kept");
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

int cb_cmd_check(int argc, char **argv)
{
	int first = cb_cli_plain(argc, argv, 1, "check DB");
	if (first < 0)
		return -first;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	long problems = 0;
	int rc = cb_cli_open(argv[first], CB_OPEN_READONLY, &s);
	if (rc != CB_OK)
		goto out;
	if ((rc = cb_store_check(s, stdout, &problems, &err)) != CB_OK) {
		cb_cli_error("check", &err);
		goto out;
	}
	/* the audit trail is part of the database's integrity: a damaged chain is a problem like a bad row */
	int64_t entries = 0, bad = 0;
	if ((rc = cb_audit_verify(s, &entries, &bad, &err)) == CB_ECORRUPT) {
		printf("audit trail: DAMAGED at entry %lld: %s\n", (long long)bad, err.msg);
		problems++;
	} else if (rc != CB_OK) {
		cb_cli_error("check", &err);
		goto out;
	}
	rc = CB_OK;
	if (problems) {
		fprintf(stderr, _("casebank: check: problems found: %ld\n"), problems);
		rc = CB_ECORRUPT;
	} else {
		printf("ok: %ld cases, %lld audit entries; database, codebook and audit trail checks passed\n",
		       cb_store_count(s), (long long)entries);
	}
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

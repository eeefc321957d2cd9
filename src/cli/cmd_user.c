/*
 * cmd_user.c -- `casebank user` (accounts for the server) and `casebank audit` (verify and list the
 * tamper-evident audit trail).  Thin shells over access/access.h.
 *
 * Passwords never come from the command line (other users can read it in the process list): from a prompt
 * with echo off, typed twice, when stdin is a terminal; otherwise one line of stdin.  The buffer is locked
 * memory, wiped after use.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "access/access.h"
#include "store/store.h"
#include "util/i18n.h"

#define PW_BUF 1030 /* the longest password (1024 bytes), a line end, a NUL, and one byte to notice more */

static const char user_usage[] = "user add DB NAME --role admin|manager|caseworker|analyst [--site CODE]\n"
				 "       casebank user list DB\n"
				 "       casebank user disable|enable|passwd DB NAME";
static const char audit_usage[] = "audit verify DB\n       casebank audit list DB [--case ID] [--limit N]";

/* One line into buf (without its line end); CB_EINVAL if longer than the buffer allows. */
static int read_line(FILE *f, char *buf, size_t cap)
{
	if (!fgets(buf, (int)cap, f))
		return CB_EINVAL;
	size_t n = strlen(buf);
	bool complete = n > 0 && buf[n - 1] == '\n';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	if (!complete && n == cap - 1)
		return CB_EINVAL;
	return CB_OK;
}

static int prompt(const char *text, char *buf, size_t cap)
{
	struct termios old, quiet;
	bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
	fprintf(stderr, "%s", text);
	fflush(stderr);
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	int rc = read_line(stdin, buf, cap);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	return rc;
}

/* The new password into *out (secret memory the caller frees with cb_secret_free). */
static int read_password(const char *name, char **out)
{
	char *a = cb_secret_alloc(PW_BUF), *b = cb_secret_alloc(PW_BUF), text[128];
	int rc = CB_ENOMEM;
	*out = NULL;
	if (!a || !b)
		goto out;
	if (isatty(STDIN_FILENO)) {
		snprintf(text, sizeof text, "new password for %s: ", name);
		if ((rc = prompt(text, a, PW_BUF)) != CB_OK || (rc = prompt("again: ", b, PW_BUF)) != CB_OK)
			goto out;
		if (strcmp(a, b) != 0) {
			fprintf(stderr, _("casebank: the two passwords differ\n"));
			rc = CB_EINVAL;
			goto out;
		}
	} else if ((rc = read_line(stdin, a, PW_BUF)) != CB_OK) {
		fprintf(stderr, _("casebank: expected the password as one line on stdin\n"));
		goto out;
	}
	*out = a;
	a = NULL;
	rc = CB_OK;
out:
	if (rc == CB_ENOMEM)
		fprintf(stderr, _("casebank: out of memory\n"));
	cb_secret_free(a);
	cb_secret_free(b);
	return rc;
}

static int print_user(const struct cb_user *u, void *ctx)
{
	(void)ctx;
	printf("%s\t%s\t%s\t%s\n", u->name, cb_role_name(u->role), u->site[0] ? u->site : "-",
	       u->disabled ? "disabled" : "enabled");
	return 0;
}

/* Ends the act opened with cb_store_act_begin, with its entry (the user's name is staff, not a case detail). */
static int record(struct cb_store *s, int rc, enum cb_audit_action a, const struct cb_user *u, struct cb_err *err)
{
	char detail[160] = "";
	if (rc == CB_OK)
		snprintf(detail, sizeof detail, "user=%s role=%s%s%s", u->name, cb_role_name(u->role), u->site[0] ? " site=" : "",
			 u->site);
	return cb_cli_act_end(s, rc, a, NULL, NULL, detail[0] ? detail : NULL, err);
}

enum act { ADD, LIST, DISABLE, ENABLE, PASSWD };

/* One sub-command of `user`: only add takes options (cb_cli_parse refuses them elsewhere). */
static int user_run(int argc, char **argv, enum act act)
{
	enum { O_ROLE, O_SITE, O_N };
	static const struct option add_opts[] = {{"role", required_argument, NULL, O_ROLE},
						 {"site", required_argument, NULL, O_SITE},
						 {0}},
				   none[] = {{0}};
	const char *v[O_N] = {0};
	int first = cb_cli_parse(argc, argv, act == ADD ? add_opts : none, v, O_N), ex;
	if ((ex = cb_cli_args(argc, first, act == LIST ? 1 : 2, user_usage)))
		return ex;
	if (act == ADD && !v[O_ROLE]) {
		fprintf(stderr, _("usage: casebank %s\n"), user_usage);
		return CB_EXIT_USAGE;
	}
	bool add = act == ADD, list = act == LIST, dis = act == DISABLE, pw = act == PASSWD;
	const char *db = argv[first], *name = list ? NULL : argv[first + 1];
	enum cb_role role = CB_ROLE_ANALYST;
	if (add && cb_role_parse(v[O_ROLE], &role) != CB_OK) {
		fprintf(stderr, _("casebank: --role: expected admin, manager, caseworker or analyst\n"));
		return CB_EXIT_USAGE;
	}

	struct cb_store *s = NULL;
	struct cb_err err = {0};
	struct cb_user u;
	char *password = NULL;
	int rc;
	if ((rc = cb_cli_open(db, list ? CB_OPEN_READONLY : 0, &s)) != CB_OK)
		return cb_cli_exit(rc);
	if (list) {
		rc = cb_user_list(s, print_user, NULL, &err);
	} else if (add) {
		if ((rc = read_password(name, &password)) == CB_OK && (rc = cb_store_act_begin(s, &err)) == CB_OK &&
		    (rc = record(s, cb_user_add(s, name, role, v[O_SITE], password, &u, &err), CB_AUD_USER_ADD, &u,
				 &err)) == CB_OK)
			printf("added %s (%s)\n", u.name, cb_role_name(u.role));
	} else if ((rc = cb_user_get(s, name, &u, &err)) == CB_OK) {
		if (pw) {
			if ((rc = read_password(u.name, &password)) == CB_OK && (rc = cb_store_act_begin(s, &err)) == CB_OK)
				rc = record(s, cb_user_set_password(s, u.id, password, &err), CB_AUD_USER_PASSWORD, &u, &err);
		} else if ((rc = cb_store_act_begin(s, &err)) == CB_OK) {
			rc = record(s, cb_user_set_disabled(s, u.id, dis, NULL, &err), dis ? CB_AUD_USER_DISABLE : CB_AUD_USER_ENABLE,
				    &u, &err);
		}
	}
	if (rc != CB_OK && err.msg[0])
		cb_cli_error(name ? name : db, &err);
	cb_secret_free(password);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int user_add(int argc, char **argv) { return user_run(argc, argv, ADD); }
static int user_list(int argc, char **argv) { return user_run(argc, argv, LIST); }
static int user_disable(int argc, char **argv) { return user_run(argc, argv, DISABLE); }
static int user_enable(int argc, char **argv) { return user_run(argc, argv, ENABLE); }
static int user_passwd(int argc, char **argv) { return user_run(argc, argv, PASSWD); }

int cb_cmd_user(int argc, char **argv)
{
	static const struct cb_cli_sub subs[] = {{"add", user_add},	    {"list", user_list},
						 {"disable", user_disable}, {"enable", user_enable},
						 {"passwd", user_passwd}};
	return cb_cli_subs(argc, argv, subs, CB_COUNTOF(subs), user_usage);
}

/* ---- audit */

/* Text for a terminal: control characters shown as '?', so a stored value cannot move the cursor. */
static void put_clean(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		putchar(*p < 0x20 || *p == 0x7f ? '?' : *p);
}

static int print_entry(const struct cb_audit_entry *e, void *ctx)
{
	(void)ctx;
	char when[40], id[CB_ID_TEXT] = "-";
	time_t t = (time_t)(e->at_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + n, sizeof when - n, ".%03dZ", (int)(e->at_ms % 1000));
	if (!cb_case_id_is_zero(e->case_id))
		cb_case_id_format(e->case_id, id);
	printf("%lld\t%s\t", (long long)e->id, when);
	const char *cols[] = {e->user, e->from[0] ? e->from : "-", e->action, id, e->fields[0] ? e->fields : "-",
			      e->detail[0] ? e->detail : "-"};
	for (size_t i = 0; i < CB_COUNTOF(cols); i++) {
		put_clean(cols[i]);
		putchar(i + 1 < CB_COUNTOF(cols) ? '\t' : '\n');
	}
	return 0;
}

/* `audit verify` (no options) or `audit list` (--case, --limit). */
static int audit_run(int argc, char **argv, bool verify)
{
	enum { O_CASE, O_LIMIT, O_N };
	static const struct option list_opts[] = {{"case", required_argument, NULL, O_CASE},
						  {"limit", required_argument, NULL, O_LIMIT},
						  {0}},
				   none[] = {{0}};
	const char *v[O_N] = {0};
	int first = cb_cli_parse(argc, argv, verify ? none : list_opts, v, O_N), ex;
	if ((ex = cb_cli_args(argc, first, 1, audit_usage)))
		return ex;
	uint8_t case_id[16];
	long limit = 0;
	char *end = NULL;
	if (v[O_CASE] && cb_case_id_parse(v[O_CASE], case_id) != CB_OK) {
		fprintf(stderr, _("casebank: --case: not a case id (26 characters A-Z and 2-7)\n"));
		return CB_EXIT_USAGE;
	}
	if (v[O_LIMIT] && ((limit = strtol(v[O_LIMIT], &end, 10)) < 1 || limit > 1000000000 || *end)) {
		fprintf(stderr, _("casebank: --limit: expected a number from 1\n"));
		return CB_EXIT_USAGE;
	}

	const char *db = argv[first];
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int rc;
	/* read-only: checking the trail must not change the file that is the evidence */
	if ((rc = cb_cli_open(db, CB_OPEN_READONLY, &s)) != CB_OK)
		return cb_cli_exit(rc);
	if (verify) {
		int64_t checked = 0, bad = 0;
		rc = cb_audit_verify(s, &checked, &bad, &err);
		if (rc == CB_OK)
			printf("audit trail intact: %lld entries\n", (long long)checked);
		else if (rc == CB_ECORRUPT)
			printf("audit trail DAMAGED at entry %lld: %s (%lld entries before it intact)\n", (long long)bad,
			       err.msg, (long long)checked);
		else
			cb_cli_error(db, &err);
	} else if ((rc = cb_audit_list(s, v[O_CASE] ? case_id : NULL, (int)limit, print_entry, NULL, &err)) != CB_OK) {
		cb_cli_error(db, &err);
	}
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int audit_verify(int argc, char **argv) { return audit_run(argc, argv, true); }
static int audit_list(int argc, char **argv) { return audit_run(argc, argv, false); }

int cb_cmd_audit(int argc, char **argv)
{
	static const struct cb_cli_sub subs[] = {{"verify", audit_verify}, {"list", audit_list}};
	return cb_cli_subs(argc, argv, subs, CB_COUNTOF(subs), audit_usage);
}

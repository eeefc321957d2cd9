/*
 * test_users.c -- tests of src/access/users.c: accounts (Argon2id hashes, validation, the password rules,
 * failures counted but locking nobody out, an admin always left, no user enumeration by answer or timing,
 * re-hashing weak hashes), sessions (idle and absolute expiry, logout, disabling, CSRF tokens, tokens never
 * stored in plain) and break-the-glass grants.
 */
#include "store/store_helpers.h"

#include <sodium.h>
#include <time.h>

#include "access/access.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_impl.h"

#define PW "correct horse battery"
#define T0 1800000000LL /* a fixed "now" */

static const char *cur_db;

static struct cb_store *open_users(void)
{
	cur_db = new_db();
	return open_new(cur_db);
}

static const char *db_path(void)
{
	return cur_db;
}

/* A single text from SQL on the store's own connection. */
static char *sql_text(struct cb_store *s, const char *sql)
{
	struct cb_stmt *st = NULL;
	char *v = NULL;
	assert_int_equal(cb_db_prepare(s->db, sql, &st, NULL), CB_OK);
	if (cb_db_step(st) == CB_DB_ROW && cb_db_column_text(st, 0))
		v = strdup(cb_db_column_text(st, 0));
	cb_db_finalize(&st);
	return v;
}

static long long sql_int(struct cb_store *s, const char *sql)
{
	char *t = sql_text(s, sql);
	long long v = t ? atoll(t) : -1;
	free(t);
	return v;
}

static struct cb_user add(struct cb_store *s, const char *name, enum cb_role role, const char *site)
{
	struct cb_err err = {0};
	struct cb_user u;
	assert_int_equal(cb_user_add(s, name, role, site, PW, &u, &err), CB_OK);
	return u;
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_roles(void **state)
{
	(void)state;
	enum cb_role r;
	for (int i = 0; i < CB_ROLE__COUNT; i++) {
		assert_int_equal(cb_role_parse(cb_role_name((enum cb_role)i), &r), CB_OK);
		assert_int_equal(r, i);
	}
	assert_string_equal(cb_role_name(CB_ROLE_CASEWORKER), "caseworker");
	assert_int_equal(cb_role_parse("root", &r), CB_EINVAL);
	assert_int_equal(cb_role_parse("Admin", &r), CB_EINVAL);
	assert_int_equal(cb_role_parse(NULL, &r), CB_EINVAL);
}

static void test_add_and_hash(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0};
	struct cb_user u;

	/* validation */
	assert_int_equal(cb_user_add(s, "amira", CB_ROLE_CASEWORKER, NULL, PW, &u, &err), CB_EINVAL);
	assert_string_equal(err.field, "site");
	assert_int_equal(cb_user_add(s, "amira", CB_ROLE_CASEWORKER, "md chisinau", PW, &u, &err), CB_EINVAL);
	assert_int_equal(cb_user_add(s, "olga", CB_ROLE_MANAGER, "KYIV-1", PW, &u, &err), CB_EINVAL);
	assert_int_equal(cb_user_add(s, "a b", CB_ROLE_ADMIN, NULL, PW, &u, &err), CB_EINVAL);
	assert_string_equal(err.field, "name");
	assert_int_equal(cb_user_add(s, "", CB_ROLE_ADMIN, NULL, PW, &u, &err), CB_EINVAL);
	char long_name[CB_NAME_MAX + 2];
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[CB_NAME_MAX + 1] = 0;
	assert_int_equal(cb_user_add(s, long_name, CB_ROLE_ADMIN, NULL, PW, &u, &err), CB_EINVAL);
	long_name[CB_NAME_MAX] = 0;
	assert_int_equal(cb_user_add(s, long_name, CB_ROLE_ADMIN, NULL, PW, &u, &err), CB_OK);
	assert_int_equal(cb_user_add(s, "olga", CB_ROLE_MANAGER, NULL, "short", &u, &err), CB_EINVAL);
	assert_string_equal(err.field, "password");
	assert_int_equal(cb_user_add(s, "olga", CB_ROLE_MANAGER, NULL, PW, &u, &err), CB_OK);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM users"), 2);

	u = add(s, "amira", CB_ROLE_CASEWORKER, "MD-CHISINAU");
	assert_true(u.id > 0);
	assert_string_equal(u.name, "amira");
	assert_int_equal(u.role, CB_ROLE_CASEWORKER);
	assert_string_equal(u.site, "MD-CHISINAU");
	assert_false(u.disabled);
	/* one account per name, whatever the case */
	assert_int_equal(cb_user_add(s, "Amira", CB_ROLE_ANALYST, NULL, PW, NULL, &err), CB_EEXIST);

	/* Argon2id with at least the OWASP parameters; never the password itself */
	char *h = sql_text(s, "SELECT pwhash FROM users WHERE name = 'amira'");
	assert_non_null(h);
	assert_non_null(strstr(h, "$argon2id$v=19$m=65536,t=2,p=1$"));
	assert_null(strstr(h, PW));
	free(h);
	char *h2 = sql_text(s, "SELECT count(DISTINCT pwhash) FROM users");
	assert_string_equal(h2, "3"); /* the same password, three different salts */
	free(h2);

	struct cb_user g;
	assert_int_equal(cb_user_get(s, "amira", &g, &err), CB_OK);
	assert_int_equal(g.id, u.id);
	assert_int_equal(cb_user_get_id(s, u.id, &g, &err), CB_OK);
	assert_string_equal(g.site, "MD-CHISINAU");
	assert_int_equal(cb_user_get(s, "nobody", &g, &err), CB_ENOTFOUND);
	assert_int_equal(cb_user_get_id(s, 999, &g, &err), CB_ENOTFOUND);
	cb_store_free(&s);
	assert_false(cbt_db_holds(db_path(), PW));
}

static int collect(const struct cb_user *u, void *ctx)
{
	struct cb_buf *b = ctx;
	return cb_buf_printf(b, "%s:%s:%s;", u->name, cb_role_name(u->role), u->site);
}

static void test_list(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0};
	struct cb_buf b = {0};
	add(s, "zoe", CB_ROLE_ANALYST, NULL);
	add(s, "amira", CB_ROLE_CASEWORKER, "MD-CHISINAU");
	assert_int_equal(cb_user_list(s, collect, &b, &err), CB_OK);
	assert_string_equal(b.data, "amira:caseworker:MD-CHISINAU;zoe:analyst:;");
	cb_buf_free(&b);
	cb_store_free(&s);
}

static void test_authenticate(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0}, wrong = {0};
	struct cb_user u, a = add(s, "amira", CB_ROLE_CASEWORKER, "MD-CHISINAU");

	assert_int_equal(cb_user_authenticate(s, "amira", PW, T0, &u, &err), CB_OK);
	assert_int_equal(u.id, a.id);
	assert_int_equal(u.role, CB_ROLE_CASEWORKER);
	assert_int_equal(cb_user_authenticate(s, "amira", PW "x", T0, &u, &wrong), CB_EPERM);
	assert_int_equal(cb_user_authenticate(s, "amira", "", T0, &u, &err), CB_EPERM);
	assert_int_equal(cb_user_authenticate(s, "amira", NULL, T0, &u, &err), CB_EPERM);
	/* the message says nothing about which part was wrong */
	assert_null(strstr(wrong.msg, "amira"));
	assert_non_null(strstr(wrong.msg, "login failed"));
	/* the stored name's case does not matter, as for uniqueness */
	assert_int_equal(cb_user_authenticate(s, "AMIRA", PW, T0, &u, &err), CB_OK);
	assert_int_equal(u.id, a.id);
	cb_store_free(&s);
}

/* Failures are counted, but no number of them locks the account: whoever knows a name could otherwise lock
 * its owner out (the server slows down the failing address instead). */
static void test_failures_lock_nobody_out(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0};
	struct cb_user u, a = add(s, "amira", CB_ROLE_CASEWORKER, "MD-CHISINAU");

	for (int i = 0; i < 4; i++)
		assert_int_equal(cb_user_authenticate(s, "amira", "wrong password", T0 + i, &u, &err), CB_EPERM);
	assert_int_equal(sql_int(s, "SELECT failures FROM users"), 4);
	assert_int_equal(cb_user_authenticate(s, "amira", PW, T0 + 5, &u, &err), CB_OK);
	assert_int_equal(sql_int(s, "SELECT failures FROM users"), 0);
	for (int i = 0; i < 50; i++)
		assert_int_equal(cb_user_authenticate(s, "amira", "wrong password", T0 + 100, &u, &err), CB_EPERM);
	assert_int_equal(sql_int(s, "SELECT failures FROM users"), 50);
	assert_int_equal(cb_user_get_id(s, a.id, &u, &err), CB_OK);
	assert_int_equal(u.locked_until, 0);
	assert_int_equal(cb_user_authenticate(s, "amira", PW, T0 + 101, &u, &err), CB_OK);
	assert_int_equal(sql_int(s, "SELECT failures FROM users"), 0);
	cb_store_free(&s);
}

/* Beyond its length, a password must not be one of the commonest (john-data's list), with or without digits
 * and punctuation around it, nor made of the user's name or "casebank", whatever the case; the refusal
 * names the field and never repeats the password.  The same rule for a new password. */
static void test_password_rules(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0};
	struct cb_user u;
	static const char *const refused[] = {
		"1234567890", "qwertyuiop", "Password123", "P@ssw0rd-2024!", "#Dragon 1987#", "Sunshine!!!!",
		"Dr4gon-1987", "amira2024!!", "AMIRA-amira-1", "CaseBank2025", "casebank-amira", "  Case.Bank  99 ",
		"C4seb4nk!2025",
	};
	for (size_t i = 0; i < CB_COUNTOF(refused); i++) {
		cb_err_clear(&err);
		if (cb_user_add(s, "amira", CB_ROLE_ANALYST, NULL, refused[i], &u, &err) != CB_EINVAL)
			fail_msg("'%s' was accepted", refused[i]);
		assert_string_equal(err.field, "password");
		assert_null(strstr(err.msg, refused[i]));
	}
	assert_int_equal(cb_user_add(s, "amira", CB_ROLE_ANALYST, NULL, "Password123", &u, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "common"));
	assert_int_equal(cb_user_add(s, "amira", CB_ROLE_ANALYST, NULL, "Amira.Amira.1", &u, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "user name"));
	assert_int_equal(sql_int(s, "SELECT count(*) FROM users"), 0);
	/* words of its own, even with the name among them, are fine */
	assert_int_equal(cb_user_add(s, "amira", CB_ROLE_ANALYST, NULL, "amira walks the red dog", &u, &err), CB_OK);
	assert_int_equal(cb_user_set_password(s, u.id, "Amira!2025amira", &err), CB_EINVAL);
	assert_int_equal(cb_user_set_password(s, u.id, "letmein12345", &err), CB_EINVAL);
	assert_int_equal(cb_user_set_password(s, u.id, PW, &err), CB_OK);
	cb_store_free(&s);
}

/* Nobody disables her own account, and the last enabled admin is not disabled by anybody, the local operator
 * included: the accounts always keep an admin. */
static void test_admins_keep_an_admin(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0};
	struct cb_user u, root = add(s, "root", CB_ROLE_ADMIN, NULL), mona = add(s, "mona", CB_ROLE_MANAGER, NULL);
	assert_int_equal(cb_user_set_disabled(s, root.id, true, &root, &err), CB_EPERM);
	assert_non_null(strstr(err.msg, "own account"));
	assert_int_equal(cb_user_set_disabled(s, root.id, true, NULL, &err), CB_EPERM);
	assert_non_null(strstr(err.msg, "last enabled admin"));
	assert_int_equal(cb_user_get_id(s, root.id, &u, &err), CB_OK);
	assert_false(u.disabled);
	struct cb_user ada = add(s, "ada", CB_ROLE_ADMIN, NULL);
	assert_int_equal(cb_user_set_disabled(s, root.id, true, &root, &err), CB_EPERM); /* still herself */
	assert_int_equal(cb_user_set_disabled(s, root.id, true, &ada, &err), CB_OK);
	assert_int_equal(cb_user_set_disabled(s, ada.id, true, NULL, &err), CB_EPERM); /* now the last one */
	assert_int_equal(cb_user_set_disabled(s, mona.id, true, &ada, &err), CB_OK);
	assert_int_equal(cb_user_set_disabled(s, root.id, false, &ada, &err), CB_OK);
	assert_int_equal(cb_user_set_disabled(s, ada.id, true, &root, &err), CB_OK);
	cb_store_free(&s);
}

static void test_no_enumeration(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err e_wrong = {0}, e_unknown = {0}, e_invalid = {0}, e_disabled = {0};
	struct cb_user u, d = add(s, "dora", CB_ROLE_ANALYST, NULL);
	add(s, "amira", CB_ROLE_CASEWORKER, "MD-CHISINAU");
	assert_int_equal(cb_user_set_disabled(s, d.id, true, NULL, &e_disabled), CB_OK);

	double t0 = seconds();
	assert_int_equal(cb_user_authenticate(s, "amira", "wrong password", T0, &u, &e_wrong), CB_EPERM);
	double t1 = seconds();
	assert_int_equal(cb_user_authenticate(s, "nobody", "wrong password", T0, &u, &e_unknown), CB_EPERM);
	double t2 = seconds();
	assert_int_equal(cb_user_authenticate(s, "no body!", "wrong password", T0, &u, &e_invalid), CB_EPERM);
	double t3 = seconds();
	assert_int_equal(cb_user_authenticate(s, "dora", PW, T0, &u, &e_disabled), CB_EPERM);
	double t4 = seconds();
	assert_string_equal(e_unknown.msg, e_wrong.msg);
	assert_string_equal(e_invalid.msg, e_wrong.msg);
	assert_string_equal(e_disabled.msg, e_wrong.msg);
	/* a skipped hash would take well under a millisecond; Argon2id with 64 MiB takes tens */
	double known = t1 - t0;
	printf("wrong %.1f ms, unknown %.1f ms, invalid %.1f ms, disabled %.1f ms\n", known * 1e3, (t2 - t1) * 1e3,
	       (t3 - t2) * 1e3, (t4 - t3) * 1e3);
	assert_true(known > 0.005);
	assert_true(t2 - t1 > known / 3);
	assert_true(t3 - t2 > known / 3);
	assert_true(t4 - t3 > known / 3);
	/* failures against unknown names touch no account, but write as much as a failure count does */
	assert_int_equal(sql_int(s, "SELECT sum(failures) FROM users"), 1);
	assert_int_equal(sql_int(s, "SELECT value FROM meta WHERE key = 'login.refused_without_check'"), 3);
	cb_store_free(&s);
}

static void test_rehash(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0};
	struct cb_user u;
	add(s, "amira", CB_ROLE_CASEWORKER, "MD-CHISINAU");
	char weak[crypto_pwhash_STRBYTES], sql[512];
	assert_int_equal(crypto_pwhash_str(weak, PW, strlen(PW), 1, 8192), 0);
	snprintf(sql, sizeof sql, "UPDATE users SET pwhash = '%s'", weak);
	assert_int_equal(cb_db_exec(s->db, sql), CB_OK);
	assert_int_equal(cb_user_authenticate(s, "amira", "wrong password", T0, &u, &err), CB_EPERM);
	char *h = sql_text(s, "SELECT pwhash FROM users");
	assert_string_equal(h, weak); /* a failed login changes no hash */
	free(h);
	assert_int_equal(cb_user_authenticate(s, "amira", PW, T0, &u, &err), CB_OK);
	h = sql_text(s, "SELECT pwhash FROM users");
	assert_non_null(strstr(h, "$m=65536,t=2,p=1$"));
	assert_int_equal(crypto_pwhash_str_verify(h, PW, strlen(PW)), 0);
	free(h);
	assert_int_equal(cb_user_authenticate(s, "amira", PW, T0, &u, &err), CB_OK);
	cb_store_free(&s);
}

static void test_set_password(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0};
	struct cb_user u, a = add(s, "amira", CB_ROLE_CASEWORKER, "MD-CHISINAU");
	char token[CB_TOKEN_TEXT];
	assert_int_equal(cb_session_new(s, a.id, T0, token, NULL, &err), CB_OK);
	assert_int_equal(cb_user_set_password(s, a.id, "tiny", &err), CB_EINVAL);
	assert_int_equal(cb_user_set_password(s, 999, "a new passphrase", &err), CB_ENOTFOUND);
	assert_int_equal(cb_user_set_password(s, a.id, "a new passphrase", &err), CB_OK);
	assert_int_equal(cb_user_authenticate(s, "amira", PW, T0, &u, &err), CB_EPERM);
	assert_int_equal(cb_user_authenticate(s, "amira", "a new passphrase", T0, &u, &err), CB_OK);
	/* a new password ends the sessions opened with the old one */
	assert_int_equal(cb_session_check(s, token, T0 + 1, NULL, NULL, &err), CB_ENOTFOUND);
	cb_store_free(&s);
}

static void test_sessions(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0};
	struct cb_user u, a = add(s, "amira", CB_ROLE_CASEWORKER, "MD-CHISINAU");
	struct cb_session ses1, ses2, chk;
	char t1[CB_TOKEN_TEXT], t2[CB_TOKEN_TEXT];

	assert_int_equal(cb_session_new(s, 999, T0, t1, &ses1, &err), CB_ENOTFOUND);
	assert_int_equal(cb_session_new(s, a.id, T0, t1, &ses1, &err), CB_OK);
	assert_int_equal(cb_session_new(s, a.id, T0, t2, &ses2, &err), CB_OK);
	assert_int_equal(strlen(t1), 43);
	assert_int_equal(strlen(ses1.csrf), 43);
	assert_int_equal(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	assert_string_not_equal(t1, t2);
	assert_string_not_equal(ses1.csrf, ses2.csrf);
	assert_string_not_equal(ses1.csrf, t1);
	assert_int_equal(ses1.user_id, a.id);
	assert_int_equal(ses1.created, T0);

	assert_int_equal(cb_session_check(s, t1, T0 + 60, &chk, &u, &err), CB_OK);
	assert_int_equal(chk.user_id, a.id);
	assert_string_equal(chk.csrf, ses1.csrf);
	assert_int_equal(chk.last_seen, T0 + 60);
	assert_string_equal(u.name, "amira");
	assert_string_equal(u.site, "MD-CHISINAU");

	/* not a token, or a token one character off */
	assert_int_equal(cb_session_check(s, "", T0, &chk, &u, &err), CB_ENOTFOUND);
	assert_int_equal(cb_session_check(s, NULL, T0, &chk, &u, &err), CB_ENOTFOUND);
	char bad[CB_TOKEN_TEXT];
	memcpy(bad, t1, sizeof bad);
	bad[0] = bad[0] == 'A' ? 'B' : 'A';
	assert_int_equal(cb_session_check(s, bad, T0 + 60, &chk, &u, &err), CB_ENOTFOUND);

	/* only the hash of a token is stored: not the token text, anywhere in the files */
	uint8_t h[32];
	crypto_generichash(h, sizeof h, (const uint8_t *)t1, 43, NULL, 0);
	char sql[200], hex[65];
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(sql, sizeof sql, cbt_on_pg() ? "SELECT count(*) FROM sessions WHERE token_hash = '\\x%s'"
					      : "SELECT count(*) FROM sessions WHERE token_hash = x'%s'", hex);
	assert_int_equal(sql_int(s, sql), 1);
	assert_false(cbt_db_holds(db_path(), t1));
	assert_false(cbt_db_holds(db_path(), t2));
	/* (and the store itself can still find it) */
	assert_int_equal(cb_session_check(s, t2, T0 + 60, &chk, &u, &err), CB_OK);

	/* idle: each check moves last_seen; 30 minutes without one end the session */
	assert_int_equal(cb_session_check(s, t1, T0 + 60 + 29 * 60, &chk, &u, &err), CB_OK);
	assert_int_equal(cb_session_check(s, t1, T0 + 60 + 58 * 60, &chk, &u, &err), CB_OK);
	assert_int_equal(cb_session_check(s, t1, T0 + 60 + 88 * 60, &chk, &u, &err), CB_ENOTFOUND);
	/* and it stays ended, even at a time that would have been fine */
	assert_int_equal(cb_session_check(s, t1, T0 + 60 + 58 * 60, &chk, &u, &err), CB_ENOTFOUND);

	/* absolute: 8 hours after login, however busy */
	char t3[CB_TOKEN_TEXT];
	assert_int_equal(cb_session_new(s, a.id, T0, t3, NULL, &err), CB_OK);
	int64_t t;
	for (t = T0 + 20 * 60; t < T0 + 8 * 3600; t += 20 * 60)
		assert_int_equal(cb_session_check(s, t3, t, &chk, &u, &err), CB_OK);
	assert_int_equal(cb_session_check(s, t3, T0 + 8 * 3600 - 1, &chk, &u, &err), CB_OK);
	assert_int_equal(cb_session_check(s, t3, T0 + 8 * 3600, &chk, &u, &err), CB_ENOTFOUND);

	/* logout */
	char t4[CB_TOKEN_TEXT];
	assert_int_equal(cb_session_new(s, a.id, T0, t4, NULL, &err), CB_OK);
	assert_int_equal(cb_session_end(s, t4), CB_OK);
	assert_int_equal(cb_session_check(s, t4, T0 + 1, &chk, &u, &err), CB_ENOTFOUND);
	assert_int_equal(cb_session_end(s, t4), CB_ENOTFOUND);
	assert_int_equal(cb_session_end(s, "nonsense"), CB_ENOTFOUND);
	cb_store_free(&s);
}

static void test_disable_ends_sessions(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0};
	struct cb_user u, a = add(s, "amira", CB_ROLE_CASEWORKER, "MD-CHISINAU");
	struct cb_user b = add(s, "boris", CB_ROLE_ANALYST, NULL);
	char t1[CB_TOKEN_TEXT], t2[CB_TOKEN_TEXT], tb[CB_TOKEN_TEXT];
	assert_int_equal(cb_session_new(s, a.id, T0, t1, NULL, &err), CB_OK);
	assert_int_equal(cb_session_new(s, a.id, T0, t2, NULL, &err), CB_OK);
	assert_int_equal(cb_session_new(s, b.id, T0, tb, NULL, &err), CB_OK);

	assert_int_equal(cb_user_set_disabled(s, a.id, true, NULL, &err), CB_OK);
	assert_int_equal(cb_session_check(s, t1, T0 + 1, NULL, &u, &err), CB_ENOTFOUND);
	assert_int_equal(cb_session_check(s, t2, T0 + 1, NULL, &u, &err), CB_ENOTFOUND);
	assert_int_equal(cb_session_check(s, tb, T0 + 1, NULL, &u, &err), CB_OK); /* others keep theirs */
	assert_int_equal(cb_session_new(s, a.id, T0, t1, NULL, &err), CB_EPERM);
	assert_int_equal(cb_user_authenticate(s, "amira", PW, T0, &u, &err), CB_EPERM);
	assert_int_equal(cb_user_get_id(s, a.id, &u, &err), CB_OK);
	assert_true(u.disabled);
	assert_int_equal(cb_user_set_disabled(s, 999, true, NULL, &err), CB_ENOTFOUND);

	/* enabled again: a new login works, the old sessions stay ended */
	assert_int_equal(cb_user_set_disabled(s, a.id, false, NULL, &err), CB_OK);
	assert_int_equal(cb_user_authenticate(s, "amira", PW, T0, &u, &err), CB_OK);
	assert_int_equal(cb_session_check(s, t2, T0 + 2, NULL, &u, &err), CB_ENOTFOUND);

	/* cb_session_end_user ends every session of one user */
	assert_int_equal(cb_session_new(s, a.id, T0, t1, NULL, &err), CB_OK);
	assert_int_equal(cb_session_new(s, a.id, T0, t2, NULL, &err), CB_OK);
	assert_int_equal(cb_session_end_user(s, a.id), CB_OK);
	assert_int_equal(cb_session_check(s, t1, T0 + 1, NULL, &u, &err), CB_ENOTFOUND);
	assert_int_equal(cb_session_check(s, t2, T0 + 1, NULL, &u, &err), CB_ENOTFOUND);
	assert_int_equal(cb_session_check(s, tb, T0 + 1, NULL, &u, &err), CB_OK);

	/* a session of a user disabled behind the store's back (raw SQL) is refused too */
	assert_int_equal(cb_db_exec(s->db, "UPDATE users SET disabled = 1 WHERE name = 'boris'"), CB_OK);
	assert_int_equal(cb_session_check(s, tb, T0 + 2, NULL, &u, &err), CB_ENOTFOUND);
	cb_store_free(&s);
}

/* The server's way: a lookup writes nothing; last_seen moves by cb_session_touch_many, forward only. */
static void test_session_lookup_and_touch(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0};
	struct cb_user u, a = add(s, "amira", CB_ROLE_CASEWORKER, "MD-CHISINAU");
	struct cb_session chk;
	char t1[CB_TOKEN_TEXT], t2[CB_TOKEN_TEXT];
	assert_int_equal(cb_session_new(s, a.id, T0, t1, NULL, &err), CB_OK);
	assert_int_equal(cb_session_new(s, a.id, T0, t2, NULL, &err), CB_OK);

	assert_int_equal(cb_session_lookup(s, t1, T0 + 600, &chk, &u, &err), CB_OK);
	assert_int_equal(u.id, a.id);
	assert_int_equal(chk.last_seen, T0); /* not moved */
	assert_int_equal(cb_session_lookup(s, t1, T0 + 30 * 60, &chk, &u, &err), CB_ENOTFOUND); /* idle */
	assert_int_equal(cb_session_lookup(s, t1, T0 + 600, &chk, &u, &err), CB_OK); /* and not deleted */
	assert_int_equal(cb_session_lookup(s, "nonsense", T0, &chk, &u, &err), CB_ENOTFOUND);

	struct cb_session_touch t[2];
	crypto_generichash(t[0].token_hash, 32, (const uint8_t *)t1, strlen(t1), NULL, 0);
	t[0].seen = T0 + 20 * 60;
	crypto_generichash(t[1].token_hash, 32, (const uint8_t *)t2, strlen(t2), NULL, 0);
	t[1].seen = T0 + 10 * 60;
	assert_int_equal(cb_session_touch_many(s, t, 2, &err), CB_OK);
	assert_int_equal(cb_session_lookup(s, t1, T0 + 45 * 60, &chk, &u, &err), CB_OK);
	assert_int_equal(chk.last_seen, T0 + 20 * 60);
	assert_int_equal(cb_session_lookup(s, t2, T0 + 45 * 60, &chk, &u, &err), CB_ENOTFOUND);
	/* never backwards */
	t[0].seen = T0 + 60;
	assert_int_equal(cb_session_touch_many(s, t, 1, &err), CB_OK);
	assert_int_equal(cb_session_lookup(s, t1, T0 + 45 * 60, &chk, &u, &err), CB_OK);
	assert_int_equal(chk.last_seen, T0 + 20 * 60);
	/* an ended session stays ended, and a disabled user's sessions are refused */
	assert_int_equal(cb_session_end(s, t2), CB_OK);
	t[1].seen = T0 + 40 * 60;
	assert_int_equal(cb_session_touch_many(s, &t[1], 1, &err), CB_OK);
	assert_int_equal(cb_session_lookup(s, t2, T0 + 41 * 60, &chk, &u, &err), CB_ENOTFOUND);
	assert_int_equal(cb_db_exec(s->db, "UPDATE users SET disabled = 1 WHERE name = 'amira'"), CB_OK);
	assert_int_equal(cb_session_lookup(s, t1, T0 + 21 * 60, &chk, &u, &err), CB_ENOTFOUND);
	cb_store_free(&s);
}

static void add_case(struct cb_store *s, uint8_t id[16])
{
	struct cb_err err = {0};
	struct cb_case c;
	cb_case_init(&c);
	assert_int_equal(cb_case_set_text(&c, cb_field_find("site"), "KYIV-1", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, cb_field_find("registered_on"), "2024-03-18", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, cb_field_find("first_name"), "Zorkanyiva", &err), CB_OK);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	memcpy(id, c.case_id, 16);
	cb_case_clear(&c);
}

struct glass_seen {
	int n;
	char user[CB_NAME_MAX + 1], detail[2048];
	uint8_t case_id[16];
};

static int glass_entry(const struct cb_audit_entry *e, void *ctx)
{
	struct glass_seen *g = ctx;
	if (strcmp(e->action, "glass") == 0) {
		g->n++;
		snprintf(g->user, sizeof g->user, "%s", e->user);
		snprintf(g->detail, sizeof g->detail, "%s", e->detail);
		memcpy(g->case_id, e->case_id, 16);
	}
	return 0;
}

static void test_glass(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0};
	struct cb_user m = add(s, "olga", CB_ROLE_MANAGER, NULL), m2 = add(s, "petro", CB_ROLE_MANAGER, NULL);
	struct cb_user cw = add(s, "amira", CB_ROLE_CASEWORKER, "KYIV-1");
	uint8_t c1[16], c2[16], none[16] = {1, 2, 3};
	add_case(s, c1);
	add_case(s, c2);
	const char *reason = "court order 2024/117";

	/* the reason: 10..500 characters of text */
	assert_int_equal(cb_glass_open(s, m.id, c1, "too short", T0, &err), CB_EINVAL);
	assert_string_equal(err.field, "reason");
	assert_int_equal(cb_glass_open(s, m.id, c1, "   padded   ", T0, &err), CB_EINVAL);
	assert_int_equal(cb_glass_open(s, m.id, c1, NULL, T0, &err), CB_EINVAL);
	assert_int_equal(cb_glass_open(s, m.id, c1, "line one\nline two", T0, &err), CB_EINVAL);
	assert_int_equal(cb_glass_open(s, m.id, c1, "bad \xff utf-8 here", T0, &err), CB_EINVAL);
	char longr[520];
	memset(longr, 'r', 501);
	longr[501] = 0;
	assert_int_equal(cb_glass_open(s, m.id, c1, longr, T0, &err), CB_EINVAL);
	/* 10 characters, more bytes: counted as characters */
	assert_int_equal(cb_glass_open(s, cw.id, c1, "Überprüfun", T0, &err), CB_EPERM);
	/* only managers, only existing cases */
	assert_int_equal(cb_glass_open(s, cw.id, c1, reason, T0, &err), CB_EPERM);
	assert_int_equal(cb_glass_open(s, 999, c1, reason, T0, &err), CB_EPERM);
	assert_int_equal(cb_glass_open(s, m.id, none, reason, T0, &err), CB_ENOTFOUND);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM glass"), 0);
	assert_false(cb_glass_active(s, m.id, c1, T0));

	longr[500] = 0;
	assert_int_equal(cb_glass_open(s, m2.id, c2, longr, T0, &err), CB_OK);
	assert_int_equal(cb_glass_open(s, m.id, c1, reason, T0, &err), CB_OK);
	assert_true(cb_glass_active(s, m.id, c1, T0));
	assert_true(cb_glass_active(s, m.id, c1, T0 + 3599));
	assert_false(cb_glass_active(s, m.id, c1, T0 + 3600)); /* 60 minutes */
	assert_false(cb_glass_active(s, m.id, c1, T0 - 1));
	assert_false(cb_glass_active(s, m.id, c2, T0));  /* one case */
	assert_false(cb_glass_active(s, m2.id, c1, T0)); /* one manager */
	assert_false(cb_glass_active(s, cw.id, c1, T0));
	char *stored = sql_text(s, "SELECT reason FROM glass WHERE user_id = (SELECT id FROM users WHERE name = 'olga')");
	assert_string_equal(stored, reason);
	free(stored);

	/* audited with who, which case and why, in the same transaction */
	struct glass_seen g = {0};
	assert_int_equal(cb_audit_list(s, c1, 0, glass_entry, &g, &err), CB_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.user, "olga");
	assert_string_equal(g.detail, reason);
	assert_memory_equal(g.case_id, c1, 16);
	int64_t checked = 0, bad = -1;
	assert_int_equal(cb_audit_verify(s, &checked, &bad, &err), CB_OK);
	assert_int_equal(checked, 2);

	/* a disabled manager's grant stops working */
	assert_int_equal(cb_user_set_disabled(s, m.id, true, NULL, &err), CB_OK);
	assert_false(cb_glass_active(s, m.id, c1, T0 + 1));
	assert_int_equal(cb_glass_open(s, m.id, c1, reason, T0, &err), CB_EPERM);
	cb_store_free(&s);
}

static void test_readonly(void **state)
{
	(void)state;
	struct cb_store *s = open_users();
	struct cb_err err = {0};
	struct cb_user u;
	add(s, "amira", CB_ROLE_CASEWORKER, "MD-CHISINAU");
	cb_store_free(&s);
	assert_int_equal(cb_store_open(db_path(), CB_OPEN_READONLY, &s, &err), CB_OK);
	assert_int_equal(cb_user_get(s, "amira", &u, &err), CB_OK);
	assert_int_equal(cb_user_add(s, "boris", CB_ROLE_ANALYST, NULL, PW, &u, &err), CB_EPERM);
	/* a login must be able to count failures: refused outright on a read-only store */
	assert_int_equal(cb_user_authenticate(s, "amira", PW, T0, &u, &err), CB_EPERM);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_add_and_hash),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_authenticate),
		cmocka_unit_test(test_failures_lock_nobody_out),
		cmocka_unit_test(test_password_rules),
		cmocka_unit_test(test_admins_keep_an_admin),
		cmocka_unit_test(test_no_enumeration),
		cmocka_unit_test(test_rehash),
		cmocka_unit_test(test_set_password),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_disable_ends_sessions),
		cmocka_unit_test(test_session_lookup_and_touch),
		cmocka_unit_test(test_glass),
		cmocka_unit_test(test_readonly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

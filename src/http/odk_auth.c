/*
 * odk_auth.c -- who is posting: ODK Collect, KoboCollect and Enketo authenticate with HTTP Basic (as with
 * ODK Central; use TLS, `serve --tls-cert`), as casebank users with their casebank passwords.
 *
 * A password check costs an Argon2id (64 MiB): once per connection would cap a phone's batch of submissions
 * at a few a second.  A good pair (name, password) is therefore remembered for CACHE_SECONDS by a keyed
 * hash of both (key random per process; the password itself is never kept), and the account is read again
 * on every request, so that a disabled account or a changed role takes effect at once.  A wrong pair is
 * checked every time, counts against the client address exactly like a failed login (the same throttle,
 * the same audit entry), and is answered 401 with the Basic challenge.
 *
 * HTTP Digest is not offered: it needs the server to hold an MD5 of each password (HA1), a password
 * equivalent, where casebank keeps only Argon2id hashes.
 */
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "http/openrosa.h"

#define CACHE_SECONDS 300
#define CACHE_SLOTS 64

static struct {
	pthread_mutex_t mu;
	uint8_t key[crypto_generichash_KEYBYTES];
	bool keyed;
	struct slot {
		uint8_t h[32];
		int64_t user_id, until;
	} slot[CACHE_SLOTS];
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void pair_hash(const char *user, const char *pw, uint8_t h[32])
{
	crypto_generichash_state st;
	pthread_mutex_lock(&cache.mu);
	if (!cache.keyed) {
		randombytes_buf(cache.key, sizeof cache.key);
		cache.keyed = true;
	}
	crypto_generichash_init(&st, cache.key, sizeof cache.key, 32);
	pthread_mutex_unlock(&cache.mu);
	crypto_generichash_update(&st, (const uint8_t *)user, strlen(user) + 1);
	crypto_generichash_update(&st, (const uint8_t *)pw, strlen(pw));
	crypto_generichash_final(&st, h, 32);
	sodium_memzero(&st, sizeof st);
}

static int64_t cache_get(const uint8_t h[32], int64_t now)
{
	int64_t id = 0;
	pthread_mutex_lock(&cache.mu);
	struct slot *s = &cache.slot[h[0] % CACHE_SLOTS];
	if (s->until > now && !sodium_memcmp(s->h, h, 32))
		id = s->user_id;
	pthread_mutex_unlock(&cache.mu);
	return id;
}

static void cache_put(const uint8_t h[32], int64_t user_id, int64_t now)
{
	pthread_mutex_lock(&cache.mu);
	struct slot *s = &cache.slot[h[0] % CACHE_SLOTS];
	memcpy(s->h, h, 32);
	s->user_id = user_id;
	s->until = now + CACHE_SECONDS;
	pthread_mutex_unlock(&cache.mu);
}

int cb_basic_parse(struct cb_arena *a, const char *header, const char **user, const char **password)
{
	if (!header || strncasecmp(header, "Basic ", 6))
		return CB_EINVAL;
	const char *b64 = header + 6;
	b64 += strspn(b64, " ");
	size_t len = strlen(b64), n;
	char *plain = cb_arena_alloc(a, len + 1);
	if (!plain)
		return CB_ENOMEM;
	const char *end;
	if (sodium_base642bin((unsigned char *)plain, len, b64, len, NULL, &n, &end, sodium_base64_VARIANT_ORIGINAL) ||
	    *end || memchr(plain, 0, n))
		return CB_EINVAL;
	plain[n] = 0;
	char *colon = strchr(plain, ':');
	if (!colon || colon == plain)
		return CB_EINVAL;
	*colon = 0;
	*user = plain;
	*password = colon + 1;
	return CB_OK;
}

static void challenge(struct cb_http_req *r, const char *text)
{
	cb_or_respond(r, 401, "error", text);
	r->hdr[r->nhdr][0] = "WWW-Authenticate";
	r->hdr[r->nhdr++][1] = "Basic realm=\"casebank\", charset=\"UTF-8\"";
}

bool cb_odk_authenticate(struct cb_http_req *r)
{
	const char *name, *pw;
	struct cb_err err = {0};
	uint8_t h[32];
	if (cb_basic_parse(r->arena, r->authorization, &name, &pw) != CB_OK) {
		challenge(r, "log in with your casebank name and password");
		return false;
	}
	char why[96];
	if (cb_login_refused(cb_api_store(r), r->from, r->now, why, sizeof why)) {
		cb_or_respond(r, 429, "error", why);
		return false;
	}
	pair_hash(name, pw, h);
	int64_t id = cache_get(h, r->now);
	struct cb_user u;
	if (id && cb_user_get_id(cb_api_store(r), id, &u, &err) == CB_OK && !u.disabled && !strcmp(u.name, name)) {
		r->user = u;
		r->authed = true;
		return true;
	}
	sem_wait(&r->app->pw_slots);
	int arc = cb_user_authenticate(cb_api_store(r), name, pw, r->now, &u, &err);
	sem_post(&r->app->pw_slots);
	if (arc == CB_OK) {
		cache_put(h, u.id, r->now);
		r->user = u;
		r->authed = true;
		return true;
	}
	if (cb_login_failed(cb_api_store(r), r->from, r->now, &err) != CB_OK) /* still answered and audited */
		fprintf(stderr, "casebank serve: failed logins not counted: %s\n", err.msg);
	struct cb_user known;
	if (cb_user_get(cb_api_store(r), name, &known, &err) == CB_OK) { /* as h_login: a name, only when an account */
		r->user = known;
		r->authed = true;
	}
	int frc = cb_api_audit(r, CB_AUD_LOGIN_FAILED, NULL, NULL);
	r->authed = false;
	if (frc != CB_OK)
		cb_api_audit_failed(r, frc);
	else
		challenge(r, "wrong name or password, or the account is disabled");
	return false;
}

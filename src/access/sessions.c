/*
 * sessions.c -- a short-lived cache of checked sessions, so that a busy client does not take the database's
 * write lock on every request: cb_session_check refreshes last_seen in a write transaction, and with several
 * worker threads those transactions queue behind each other.  A session checked less than
 * CB_SESSION_CACHE_SECONDS ago is taken from here; logout and disabling a user through the server drop their
 * entries at once, a change made from the command line is seen within those seconds.
 *
 * The server checks with cb_session_lookup, which writes nothing, and records last_seen apart: when the
 * stored last_seen of a session in use is CB_SESSION_TOUCH_SECONDS old, cb_session_cache_touch hands its
 * token hash to the audit writer, which moves last_seen in a batch of its own.  So no request waits for the
 * database's write lock to be let in; the idle timeout (30 minutes) runs from a last_seen at most that
 * much older than the true one, so a session may end that much early, never late.
 *
 * Entries are keyed by a BLAKE2b hash of the token (the hash the store keeps), so the tokens themselves are
 * not kept; a slot per hash (direct-mapped), a newer session simply replaces an older one in its slot.  The
 * hash is computed before the lock is taken.
 *
 * Failed logins are slowed down here too, by client address rather than by account: a lock by account name
 * lets anybody who knows a name lock its owner out, a delay for an address slows down only whoever fails
 * from it.  An address (an IPv6 one by its /64, which one machine usually holds whole) may fail
 * CB_LOGIN_FREE_FAILURES times freely; each failure after that must wait twice as long as the last, 1 s,
 * 2 s, 4 s ... up to CB_LOGIN_MAX_DELAY, before its next login is even checked.  A success does not clear
 * the count (an insider could otherwise launder guesses with her own password); CB_LOGIN_FORGET seconds
 * without a failure do.  The counts are in the database (store/login_rows.c), not in this cache: every
 * server of one database, and a restarted one, counts the same failures.
 */
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <sodium.h>

#include <pthread.h>

#include "access/access.h"

#define SLOTS 1024

struct slot {
	bool used, refreshing;
	uint8_t key[32];
	int64_t checked;
	struct cb_session sess;
	struct cb_user user;
};

struct cb_session_cache {
	pthread_mutex_t mu;
	struct slot *slots;
};

int cb_session_cache_new(struct cb_session_cache **out)
{
	struct cb_session_cache *c = calloc(1, sizeof *c);
	if (!c || !(c->slots = calloc(SLOTS, sizeof *c->slots))) {
		free(c);
		return CB_ENOMEM;
	}
	pthread_mutex_init(&c->mu, NULL);
	*out = c;
	return CB_OK;
}

void cb_session_cache_free(struct cb_session_cache **cp)
{
	struct cb_session_cache *c = *cp;
	if (!c)
		return;
	sodium_memzero(c->slots, SLOTS * sizeof *c->slots);
	free(c->slots);
	pthread_mutex_destroy(&c->mu);
	free(c);
	*cp = NULL;
}

static void key_of(const char *token, uint8_t key[32])
{
	crypto_generichash(key, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

static struct slot *slot_of(struct cb_session_cache *c, const uint8_t key[32])
{
	uint32_t i;
	memcpy(&i, key, sizeof i);
	return &c->slots[i % SLOTS];
}

bool cb_session_cache_get(struct cb_session_cache *c, const char *token, int64_t now, struct cb_session *sess,
			  struct cb_user *user)
{
	uint8_t key[32];
	bool hit = false;
	key_of(token, key);
	pthread_mutex_lock(&c->mu);
	struct slot *s = slot_of(c, key);
	if (s->used && sodium_memcmp(s->key, key, 32) == 0 && now >= s->checked) {
		int64_t age = now - s->checked;
		/* due for a check: one caller checks, the others go on with the entry meanwhile (for at most as
		 * long again), so that a busy client's requests do not all queue on the write lock at once */
		hit = age < CB_SESSION_CACHE_SECONDS ||
		      (age < 2 * CB_SESSION_CACHE_SECONDS && s->refreshing);
		if (!hit && age < 2 * CB_SESSION_CACHE_SECONDS)
			s->refreshing = true;
		if (hit) {
			*sess = s->sess;
			*user = s->user;
		}
	}
	pthread_mutex_unlock(&c->mu);
	return hit;
}

void cb_session_cache_put(struct cb_session_cache *c, const char *token, int64_t now, const struct cb_session *sess,
			  const struct cb_user *user)
{
	uint8_t key[32];
	key_of(token, key);
	pthread_mutex_lock(&c->mu);
	struct slot *s = slot_of(c, key);
	memcpy(s->key, key, 32);
	s->checked = now;
	s->sess = *sess;
	s->user = *user;
	s->used = true;
	s->refreshing = false;
	pthread_mutex_unlock(&c->mu);
}

void cb_session_cache_drop(struct cb_session_cache *c, const char *token)
{
	uint8_t key[32];
	key_of(token, key);
	pthread_mutex_lock(&c->mu);
	struct slot *s = slot_of(c, key);
	if (s->used && sodium_memcmp(s->key, key, 32) == 0)
		sodium_memzero(s, sizeof *s);
	pthread_mutex_unlock(&c->mu);
}

bool cb_session_cache_touch(struct cb_session_cache *c, const char *token, int64_t now, uint8_t token_hash[32])
{
	uint8_t key[32];
	bool due = false;
	key_of(token, key);
	pthread_mutex_lock(&c->mu);
	struct slot *s = slot_of(c, key);
	if (s->used && sodium_memcmp(s->key, key, 32) == 0 && now - s->sess.last_seen >= CB_SESSION_TOUCH_SECONDS) {
		s->sess.last_seen = now; /* as it will be stored: one caller queues the write */
		memcpy(token_hash, key, 32);
		due = true;
	}
	pthread_mutex_unlock(&c->mu);
	return due;
}

void cb_session_cache_drop_user(struct cb_session_cache *c, int64_t user_id)
{
	pthread_mutex_lock(&c->mu);
	for (int i = 0; i < SLOTS; i++)
		if (c->slots[i].used && c->slots[i].user.id == user_id)
			sodium_memzero(&c->slots[i], sizeof c->slots[i]);
	pthread_mutex_unlock(&c->mu);
}

/* ---- failed logins by address */

/* The key of a client address text: IPv4 mapped into IPv6, IPv6 cut to its /64; anything else (no address
 * known) hashed, so that it still gets a count of its own. */
static void addr_key(const char *from, uint8_t key[16])
{
	struct in_addr a4;
	memset(key, 0, 16);
	if (inet_pton(AF_INET, from, &a4) == 1) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &a4, 4);
	} else if (inet_pton(AF_INET6, from, key) == 1) {
		memset(key + 8, 0, 8);
	} else {
		crypto_generichash(key, 16, (const unsigned char *)from, strlen(from), NULL, 0);
	}
}

/* The delay an address earns with n failures. */
static int64_t delay_of(int n)
{
	if (n <= CB_LOGIN_FREE_FAILURES)
		return 0;
	int shift = n - CB_LOGIN_FREE_FAILURES - 1;
	if (shift >= 20)
		return CB_LOGIN_MAX_DELAY;
	int64_t d = (int64_t)1 << shift;
	return d < CB_LOGIN_MAX_DELAY ? d : CB_LOGIN_MAX_DELAY;
}

int64_t cb_login_wait(struct cb_store *s, const char *from, int64_t now)
{
	uint8_t key[16];
	int fails;
	int64_t last;
	addr_key(from, key);
	/* a database that cannot answer lets the attempt through: checking the password needs it all the same */
	if (cb_login_row_get(s, key, now, CB_LOGIN_FORGET, &fails, &last, NULL) != CB_OK || last + delay_of(fails) <= now)
		return 0;
	return last + delay_of(fails) - now;
}

const char *cb_login_refused(struct cb_store *s, const char *from, int64_t now, char *msg, size_t n)
{
	int64_t wait = cb_login_wait(s, from, now);
	if (wait <= 0)
		return NULL;
	snprintf(msg, n, "too many failed logins from this address: try again in %lld s", (long long)wait);
	return msg;
}

int cb_login_failed(struct cb_store *s, const char *from, int64_t now, struct cb_err *err)
{
	uint8_t key[16];
	addr_key(from, key);
	return cb_login_row_failed(s, key, now, CB_LOGIN_FORGET, err);
}

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
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "http/http.h"

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

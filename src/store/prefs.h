/*
 * prefs.h -- a user's own settings, kept apart from the account (src/access/): today the language she reads
 * the web interface, its labels and reports in (util/i18n.h).  Settings are hers to change; the account's
 * role, office and password are an admin's.
 */
#ifndef CB_STORE_PREFS_H
#define CB_STORE_PREFS_H

#include <stdint.h>

#include "util/cb.h"
#include "util/i18n.h"

struct cb_store;

/* The language a user chose ("" if none: her browser's preference decides). */
int cb_user_lang_get(struct cb_store *s, int64_t user_id, char lang[CB_LANG_MAX], struct cb_err *err);
/* Sets it ("" or NULL forgets the choice).  CB_EINVAL for a language without a catalogue. */
int cb_user_lang_set(struct cb_store *s, int64_t user_id, const char *lang, struct cb_err *err);

#endif

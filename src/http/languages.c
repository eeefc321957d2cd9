/*
 * languages.c -- the languages of the API (docs/api.md, "Languages"): which language an answer is in, the
 * web interface's strings in a language, and the language a user chose.
 *
 * An answer's language is the one asked for with ?lang=LL, else the best of the request's Accept-Language,
 * else English.  The web page sends its user's chosen language as Accept-Language on every call (and as
 * ?lang= on download links), so the server needs no look-up per request; the choice itself is stored with
 * the user (store/prefs.h) so that it follows her from one browser to another.  Codes in the API never
 * change with the language: only labels and messages for people do.
 */
#include <string.h>

#include "http/api.h"
#include "store/prefs.h"
#include "util/i18n.h"

void cb_api_lang_choose(struct cb_http_req *r)
{
	const char *asked = cb_http_query_get(&r->query, "lang");
	const char *lang = asked && *asked ? cb_lang_find(asked) : NULL;
	if (!lang)
		lang = cb_lang_accept(r->accept_lang);
	r->lang = lang ? lang : "en";
	cb_lang_use(r->lang);
}

static int add_string(const char *msgid, const char *msgstr, void *arg)
{
	return json_object_set_new(arg, msgid, json_string(msgstr));
}

/* GET /api/strings[?lang=LL] (public reference text, like the codebook): {lang, dir, name, languages: [{code, name, dir}], strings: {English: text}}.
 * The web page keeps its English strings (web/strings.js) and replaces each by its translation here; a
 * string without one stays English. */
int cb_api_strings(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	json_t *langs = json_array(), *strings = json_object();
	for (int i = 0; i < cb_lang_count(); i++) {
		const char *c = cb_lang_code(i);
		json_array_append_new(langs, json_pack("{s:s, s:s, s:s}", "code", c, "name", cb_lang_name(c), "dir",
						       cb_lang_rtl(c) ? "rtl" : "ltr"));
	}
	if (strcmp(r->lang, "en"))
		cb_tr_each(r->lang, "web", add_string, strings);
	cb_api_json(r, 200, json_pack("{s:s, s:s, s:s, s:o, s:o}", "lang", r->lang, "dir",
				      cb_lang_rtl(r->lang) ? "rtl" : "ltr", "name", cb_lang_name(r->lang), "languages",
				      langs, "strings", strings));
	return CB_OK;
}

/* The "lang" of GET /api/me and of the login's user: the language she chose, "" for none (her browser's
 * then decides). */
void cb_api_me_lang_add(struct cb_http_req *r, int64_t user_id, json_t *user)
{
	char lang[CB_LANG_MAX] = "";
	struct cb_err err = {0};
	if (cb_user_lang_get(cb_api_store(r), user_id, lang, &err) != CB_OK)
		lang[0] = 0; /* a setting that cannot be read is no reason to refuse the page */
	json_object_set_new(user, "lang", json_string(lang));
}

/* PATCH /api/me {"lang": "fr"} (or "" to forget the choice): 204.  Her own settings only. */
int cb_api_me_update(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_err err = {0};
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	json_t *v = json_object_get(body, "lang");
	if (!json_is_string(v)) {
		cb_api_error(r, 400, "invalid", "Choose a language.");
	} else {
		int rc = cb_user_lang_set(cb_api_store(r), r->user.id, json_string_value(v), &err);
		if (rc != CB_OK)
			cb_api_fail(r, rc, &err);
		else
			r->status = 204;
	}
	json_decref(body);
	return CB_OK;
}

/*
 * store_helpers.h -- what the tests of src/store/ share: fresh databases, a valid case with planted
 * identifying details, and SQL run on a database directly (not through the store).
 */
#ifndef CB_STORE_HELPERS_H
#define CB_STORE_HELPERS_H

#include "cb_test.h"
#include "store/store.h"

/* Distinctive identifying details: none of these byte strings may ever reach a file. */
#define NAME1 "Zorkanyiva"
#define NAME2 "Plumtreebek"
#define PHONE1 "+380507771234"
#define STORY1 "Taken across the Quellmark border at night"

/* A fresh database (cbt_db: a path whose files the test creates, or an empty PostgreSQL database). */
static inline const char *new_db(void)
{
	static int dbn;
	return cbt_db("db%d.sqlite", ++dbn);
}

static inline void set(struct cb_case *c, const char *field, const char *text)
{
	struct cb_err err = {0};
	const struct cb_field *f = cb_field_find(field);
	assert_non_null(f);
	assert_int_equal(cb_case_set_text(c, f, text, &err), CB_OK);
}

/* A valid case; i varies it a little; with pii, carries the planted details. */
static inline void make_case(struct cb_case *c, int i, bool pii)
{
	char buf[64];
	const struct cb_vset *et = cb_fields[CB_FLD_exploitation_type].vset;
	cb_case_init(c);
	set(c, "site", i % 2 ? "KYIV-1" : "LVIV-2");
	snprintf(buf, sizeof buf, "20%02d-03-%02d", 10 + i % 12, 1 + i % 28);
	set(c, "registered_on", buf);
	set(c, "status", i % 3 ? "Active" : "Closed");
	set(c, "gender", i % 2 ? "Feminine" : "Masculine");
	snprintf(buf, sizeof buf, "%d", 1970 + i % 30);
	set(c, "birth_year", buf);
	set(c, "citizenship", i % 2 ? "UA" : "MD");
	snprintf(buf, sizeof buf, "%s;%s", et->values[0].name, et->values[1 + i % (et->count - 1)].name);
	set(c, "exploitation_type", buf);
	set(c, "consent_statistics", "yes");
	if (pii) {
		set(c, "first_name", NAME1);
		set(c, "last_name", NAME2);
		set(c, "phone", PHONE1);
		set(c, "narrative", STORY1);
	}
}

static inline struct cb_store *open_new(const char *db)
{
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	return s;
}

/* Stores make_case(i) (no identifying details) through s; its id in id. */
static inline void add_made_case(struct cb_store *s, int i, uint8_t id[16])
{
	struct cb_case c;
	struct cb_err err = {0};
	make_case(&c, i, false);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	memcpy(id, c.case_id, 16);
	cb_case_clear(&c);
}

static inline void raw_exec(const char *db, const char *sql)
{
	cbt_sql(db, sql, NULL);
}

static inline const char *with(const char *db, const char *suffix)
{
	return cbt_path("%s%s", strrchr(db, '/') + 1, suffix);
}

/* Nothing of the database holds needle (a planted identifying detail): no file, no row on a server. */
static inline void assert_nowhere(const char *db, const char *needle)
{
	if (cbt_db_holds(db, needle))
		fail_msg("%s found in %s", needle, db);
}

/* `check` finds nothing wrong with the store. */
static inline void assert_no_problems(struct cb_store *s)
{
	struct cb_err err = {0};
	long problems = -1;
	assert_int_equal(cb_store_check(s, stderr, &problems, &err), CB_OK);
	assert_int_equal(problems, 0);
}

#endif

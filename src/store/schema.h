/*
 * schema.h -- the SQL schema of a casebank database and its migrations (internal to src/store/).
 *
 * store.c opens the files; schema.c knows what tables they hold, how to bring an older file up to date, and
 * which column each codebook field gets.  Kept apart so that a schema change touches one short file.
 */
#ifndef CB_SCHEMA_H
#define CB_SCHEMA_H

#include <stdbool.h>

#include "codebook/codebook.h"
#include "store/db.h"

/* True if field f has its own column in the cases table (every coded field; not the id, not PII). */
bool cb_schema_is_column(const struct cb_field *f);

/* Brings the cases database to the current schema: versioned migrations (PRAGMA user_version), then one
 * column for every codebook field that lacks one.  Read-only: checks only, CB_EDB if an upgrade is due. */
int cb_schema_migrate(struct cb_db *db, bool readonly, struct cb_err *err);
/* The same for the case-key store DB.casekeys; db_path is the cases database (read by step 2). */
int cb_schema_migrate_keys(struct cb_db *kdb, const char *db_path, bool readonly, struct cb_err *err);

/* The type word of f's column in the cases table ("INTEGER" or "TEXT"), shared by both servers' schemas. */
const char *cb_schema_column_type(const struct cb_field *f);
/* The schema version a current database is at: the number of migration steps. */
int cb_schema_version(void);

struct cb_db;
/* PostgreSQL (schema_pg.c): creates the schema in an empty database, else checks its version and adds a
 * column for every codebook field that lacks one, in one transaction under an advisory lock.  Read-only:
 * checks only, CB_EDB if anything is due. */
int cb_schema_pg_migrate(struct cb_db *db, bool readonly, struct cb_err *err);

/* Runs SQL without results; CB_EDB with SQLite's message (never carries values: callers bind those). */
int cb_schema_exec(struct cb_db *db, const char *sql, struct cb_err *err);
/* Adds the offices in use (cases, users, partners) that the sites list lacks (store/sites.h). */
int cb_schema_adopt_sites(struct cb_db *db, struct cb_err *err);

#endif

/*
 * schema.c -- tables of the cases database and of the case-key store, and how older files are upgraded.
 *
 * Two mechanisms, both run on every read-write open inside one transaction:
 *   1. Versioned migrations: main_steps[] / key_steps[] hold one SQL script per schema version; a file at
 *      PRAGMA user_version v runs steps v..N-1 and is then at N.  Append a step, never edit an old one.
 *   2. Ensure columns: every coded field of cb_fields[] gets a column named after it (TEXT for ENUM, MULTI,
 *      COUNTRY, DATE and SITE, holding the text of cb_case_format; INTEGER for INT and BOOL).  A field added
 *      to include/tbl/cb_fields.h is added to existing databases here, with ALTER TABLE ADD COLUMN, so a new
 *      field needs no migration step.  Identifying details (PII) never get a column: they are sealed into
 *      the one `pii` blob per case.
 *
 * Column names come from our own codebook table, never from outside input, so they may be pasted into SQL;
 * values are always bound.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/schema.h"
#include "store/store_impl.h"

/* cases: one row per case, in registration order (seq).  record_key is the secret 0..255 drawn at creation
 * for cell-key perturbation of statistics; it never leaves the database in case output.  created_at and
 * updated_at are seconds since 1970 (UTC). */
#define LINKAGE_GEN_BUMP "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'linkage_gen';"

static const char *const main_steps[] = {
	/* 1 */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE cases("
	" seq INTEGER PRIMARY KEY,"
	" case_id BLOB NOT NULL UNIQUE CHECK(length(case_id) = 16),"
	" version INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" record_key INTEGER NOT NULL CHECK(record_key BETWEEN 0 AND 255),"
	" fingerprint BLOB,"
	" pii BLOB);"
	/* partial: cases typed in by hand have no fingerprint and cost the index nothing */
	"CREATE UNIQUE INDEX cases_fingerprint ON cases(fingerprint) WHERE fingerprint IS NOT NULL;"
	"CREATE TABLE events(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, action TEXT NOT NULL, case_id BLOB,"
	" detail TEXT);",
	/* 2: accounts, sessions, break-the-glass grants and the audit trail (access.h; users.c, audit.c).
	 * users.name is unique regardless of case, so "Amira" and "amira" cannot be two accounts.  sessions keep
	 * only a hash of the token.  audit replaces events: the old rows are copied in order and then chained
	 * with the master key by cb_audit_seal(), a function store.c registers on the connection, inside this
	 * same transaction (so no database at this version exists with an unchained trail).  `events` stays as
	 * a view for readers of the old table.  The triggers make accidental updates and deletes fail; they do
	 * not stop somebody with the file, which is what the chain is for. */
	"CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	" role TEXT NOT NULL CHECK(role IN ('admin', 'manager', 'caseworker', 'analyst')),"
	" site TEXT NOT NULL DEFAULT '', pwhash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
	" failures INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL);"
	"CREATE TABLE sessions(token_hash BLOB PRIMARY KEY CHECK(length(token_hash) = 32),"
	" user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, csrf TEXT NOT NULL,"
	" created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE TABLE glass(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
	" case_id BLOB NOT NULL CHECK(length(case_id) = 16), reason TEXT NOT NULL, opened_at INTEGER NOT NULL,"
	" until_at INTEGER NOT NULL);"
	"CREATE INDEX glass_user_case ON glass(user_id, case_id, until_at);"
	"CREATE TABLE audit(id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, user TEXT NOT NULL,"
	" from_addr TEXT NOT NULL, action TEXT NOT NULL,"
	" case_id BLOB CHECK(case_id IS NULL OR length(case_id) = 16), fields TEXT NOT NULL DEFAULT '',"
	" detail TEXT, prev BLOB, hash BLOB);"
	"CREATE INDEX audit_case ON audit(case_id) WHERE case_id IS NOT NULL;"
	"INSERT INTO audit(id, at_ms, user, from_addr, action, case_id, detail)"
	" SELECT row_number() OVER (ORDER BY id), at * 1000, 'cli', 'cli', action, case_id, detail FROM events;"
	"DROP TABLE events;"
	"CREATE VIEW events AS SELECT id, at_ms / 1000 AS at, action, case_id, detail, user, from_addr FROM audit;"
	"SELECT cb_audit_seal();"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN OLD.hash IS NOT NULL"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
	/* 3: assistance, partners, referrals, follow-ups and workflow steps (care/assist.h; assist.c,
	 * partners.c).  Coded values by name, dates as YYYY-MM-DD, like the cases table.  Free text about a
	 * person (notes, details, reasons of steps) is a blob sealed with the case key.  Child rows go with their
	 * case (erase --all); a partner that records point to cannot be deleted.  IF NOT EXISTS, so that a file
	 * whose user_version was set back (tests of older steps) still migrates. */
	"CREATE TABLE IF NOT EXISTS partners(id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, country TEXT NOT NULL,"
	" city TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', services TEXT NOT NULL DEFAULT '',"
	" served TEXT NOT NULL DEFAULT '', beds INTEGER CHECK(beds IS NULL OR beds >= 0),"
	" site TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS assistance(id INTEGER PRIMARY KEY,"
	" case_id BLOB NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE, type TEXT NOT NULL,"
	" provider_id INTEGER REFERENCES partners(id), planned_on TEXT, start_on TEXT, end_on TEXT,"
	" status TEXT NOT NULL, notes BLOB, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS assistance_case ON assistance(case_id);"
	"CREATE INDEX IF NOT EXISTS assistance_provider ON assistance(provider_id, type) WHERE provider_id IS NOT NULL;"
	"CREATE TABLE IF NOT EXISTS referrals(id INTEGER PRIMARY KEY,"
	" case_id BLOB NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE,"
	" direction TEXT NOT NULL CHECK(direction IN ('in', 'out')), org_id INTEGER NOT NULL REFERENCES partners(id),"
	" reason TEXT NOT NULL, details BLOB, status TEXT NOT NULL, shares_details INTEGER NOT NULL,"
	" override_reason TEXT, referred_on TEXT NOT NULL, status_on TEXT NOT NULL, created_at INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS referrals_case ON referrals(case_id);"
	"CREATE TABLE IF NOT EXISTS followups(id INTEGER PRIMARY KEY,"
	" case_id BLOB NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE, due_on TEXT NOT NULL, done_on TEXT,"
	" note BLOB, created_at INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS followups_case ON followups(case_id);"
	"CREATE INDEX IF NOT EXISTS followups_open ON followups(due_on) WHERE done_on IS NULL;"
	"CREATE TABLE IF NOT EXISTS stages(id INTEGER PRIMARY KEY, case_id BLOB NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE,"
	" at INTEGER NOT NULL, from_stage TEXT, to_stage TEXT NOT NULL, reason BLOB);"
	"CREATE INDEX IF NOT EXISTS stages_case ON stages(case_id);",
	/* 4: import fingerprints leave their unique index (one random b-tree insert per imported case) for
	 * batches: blobs of 16-byte fingerprints written by one transaction, with the seq range of their cases
	 * (fingerprints.c).  The fingerprints stored so far become the first batches (cb_fp_migrate, called by
	 * migrate).  AUTOINCREMENT: a batch id is never used twice, so "the batches after id N" means what it
	 * says. */
	"CREATE TABLE IF NOT EXISTS fingerprint_batches(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, fps BLOB NOT NULL);"
	"DROP INDEX IF EXISTS cases_fingerprint;",
	/* 5: statistical releases (releases.c): the privacy ledger.  Every measurement of a registration year is
	 * one row, with the rho it spent and the synthetic caseload drawn from it; a year's spending is the sum
	 * of its rows, so the rows may never go: the triggers keep a spent budget from being handed back. */
	"CREATE TABLE IF NOT EXISTS releases(id INTEGER PRIMARY KEY AUTOINCREMENT, year INTEGER NOT NULL,"
	" made_at INTEGER NOT NULL, rho REAL NOT NULL CHECK(rho > 0), cases INTEGER NOT NULL, digest BLOB,"
	" actor TEXT NOT NULL DEFAULT '', data BLOB NOT NULL);"
	"CREATE INDEX IF NOT EXISTS releases_year ON releases(year, id);"
	"CREATE TRIGGER IF NOT EXISTS releases_no_update BEFORE UPDATE ON releases"
	" BEGIN SELECT RAISE(ABORT, 'the release ledger is append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS releases_no_delete BEFORE DELETE ON releases"
	" BEGIN SELECT RAISE(ABORT, 'the release ledger is append-only'); END;",
	/* 6: finding people (store/tokens.h): the blind index (keyed, truncated tokens; WITHOUT ROWID, one b-tree
	 * looked up by token), each case's token list and sealed CLK, record links and the cases statistics
	 * leave out because they are a linked person's second record; assignment and transfer between offices
	 * (store/transfer.h).  A database with cases gets their tokens on its next read-write open, which has
	 * the key (cb_tokens_backfill): the flag says so. */
	"CREATE TABLE IF NOT EXISTS blind(kind INTEGER NOT NULL, tok INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" PRIMARY KEY(kind, tok, seq)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS linkage(seq INTEGER PRIMARY KEY, toks BLOB NOT NULL, clk BLOB);"
	"CREATE TABLE IF NOT EXISTS links(a BLOB NOT NULL, b BLOB NOT NULL,"
	" state TEXT NOT NULL CHECK(state IN ('linked', 'dismissed')), by_user TEXT NOT NULL, at INTEGER NOT NULL,"
	" PRIMARY KEY(a, b)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS link_secondary(seq INTEGER PRIMARY KEY);"
	"CREATE TABLE IF NOT EXISTS transfers(id INTEGER PRIMARY KEY,"
	" case_id BLOB NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE, from_site TEXT NOT NULL,"
	" to_site TEXT NOT NULL, reason TEXT NOT NULL, state TEXT NOT NULL"
	" CHECK(state IN ('requested', 'accepted', 'rejected')), requested_by TEXT NOT NULL,"
	" requested_at INTEGER NOT NULL, decided_by TEXT, decided_at INTEGER, decision_reason TEXT);"
	"CREATE INDEX IF NOT EXISTS transfers_case ON transfers(case_id);"
	"CREATE INDEX IF NOT EXISTS transfers_open ON transfers(to_site) WHERE state = 'requested';"
	"CREATE TABLE IF NOT EXISTS assignments(case_id BLOB PRIMARY KEY REFERENCES cases(case_id) ON DELETE CASCADE,"
	" user TEXT NOT NULL COLLATE NOCASE, at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS assignments_user ON assignments(user);"
	"CREATE TABLE IF NOT EXISTS saved_filters(user TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL,"
	" query TEXT NOT NULL, PRIMARY KEY(user, name)) WITHOUT ROWID;"
	"INSERT OR REPLACE INTO meta(key, value) SELECT 'blind_index_pending', '1'"
	" WHERE EXISTS (SELECT 1 FROM cases WHERE pii IS NOT NULL);",
	/* 7: a user's own settings (prefs.c): the language she chose, dropped with her account. */
	"CREATE TABLE IF NOT EXISTS user_prefs(user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
	" lang TEXT NOT NULL);",
	/* 8: the ODK server (store/odk.c): instance ids received, so that a client's retry stores nothing new;
	 * and the review queue, each entry's instance sealed whole under the review key (its reason names
	 * fields and coded values only). */
	"CREATE TABLE IF NOT EXISTS odk_received(instance_id TEXT PRIMARY KEY, form_id TEXT NOT NULL,"
	" outcome TEXT NOT NULL, case_id BLOB, at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS odk_review(id INTEGER PRIMARY KEY, instance_id TEXT NOT NULL,"
	" form_id TEXT NOT NULL, user TEXT NOT NULL, site TEXT NOT NULL, reason TEXT NOT NULL, kind TEXT NOT NULL,"
	" case_id BLOB, seen_version INTEGER, case_version INTEGER, received_at INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending', 'accepted', 'rejected')),"
	" resolved_by TEXT, resolved_at INTEGER, sealed BLOB);"
	"CREATE INDEX IF NOT EXISTS odk_review_state ON odk_review(state, id);",
	/* 9: a case's files (store/attach.c): file and name sealed with the case key (registered in sealed.c, so
	 * that erasure clears them); type, size, date and uploader coded */
	"CREATE TABLE IF NOT EXISTS attachments(id INTEGER PRIMARY KEY,"
	" case_id BLOB NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE, name BLOB, ctype TEXT NOT NULL,"
	" size INTEGER NOT NULL, data BLOB, created_at INTEGER NOT NULL, by_user TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX IF NOT EXISTS attachments_case ON attachments(case_id);",
	/* 10: a rejected ODK submission's reason, free text from a manager: sealed under the review key */
	"ALTER TABLE odk_review ADD COLUMN reject_note BLOB;",
	/* 11: the workflow stage becomes the one source of truth; cas_Status follows it (stage_is_truth below,
	 * run once the coded columns exist: steps run before them on a new file). */
	"SELECT 1;",
	/* 12: the managed list of offices (sites.c).  Offices already in use join it once the coded columns
	 * exist (cb_schema_adopt_sites, from migrate). */
	"CREATE TABLE IF NOT EXISTS sites(code TEXT PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL DEFAULT '',"
	" disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);",
	/* 13: dated case notes by author (notes.c): the text is sealed with the case key, like the narrative, and
	 * goes with the case. */
	"CREATE TABLE IF NOT EXISTS case_notes(id INTEGER PRIMARY KEY,"
	" case_id BLOB NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE, at INTEGER NOT NULL,"
	" author TEXT NOT NULL, body BLOB);"
	"CREATE INDEX IF NOT EXISTS case_notes_case ON case_notes(case_id, id);",
	/* 14: failed logins by client address (login_rows.c), so that every server of a database counts them */
	"CREATE TABLE IF NOT EXISTS login_failures(addr BLOB PRIMARY KEY CHECK(length(addr) = 16),"
	" fails INTEGER NOT NULL, last_at INTEGER NOT NULL);",
	/* 15: meta linkage_gen counts the changes that can change the possible duplicates (care/linkage.h): a
	 * case's tokens and CLK, a link decided, a case's office, gender or citizenship, a case deleted.  The
	 * server keeps the list of pairs until it moves (http/home.c).  Triggers, so that no writer (bulk load,
	 * import, another process) can forget it.  The WHEN names columns added after the steps on a new file:
	 * SQLite resolves them when the trigger runs. */
	"INSERT OR IGNORE INTO meta(key, value) VALUES ('linkage_gen', '0');"
	"CREATE TRIGGER IF NOT EXISTS linkage_gen_ins AFTER INSERT ON linkage BEGIN " LINKAGE_GEN_BUMP " END;"
	"CREATE TRIGGER IF NOT EXISTS linkage_gen_upd AFTER UPDATE ON linkage BEGIN " LINKAGE_GEN_BUMP " END;"
	"CREATE TRIGGER IF NOT EXISTS linkage_gen_del AFTER DELETE ON linkage BEGIN " LINKAGE_GEN_BUMP " END;"
	"CREATE TRIGGER IF NOT EXISTS linkage_gen_links_ins AFTER INSERT ON links BEGIN " LINKAGE_GEN_BUMP " END;"
	"CREATE TRIGGER IF NOT EXISTS linkage_gen_links_upd AFTER UPDATE ON links BEGIN " LINKAGE_GEN_BUMP " END;"
	"CREATE TRIGGER IF NOT EXISTS linkage_gen_links_del AFTER DELETE ON links BEGIN " LINKAGE_GEN_BUMP " END;"
	"CREATE TRIGGER IF NOT EXISTS linkage_gen_case_del AFTER DELETE ON cases BEGIN " LINKAGE_GEN_BUMP " END;"
	"CREATE TRIGGER IF NOT EXISTS linkage_gen_case_upd AFTER UPDATE ON cases WHEN OLD.site IS NOT NEW.site"
	" OR OLD.gender IS NOT NEW.gender OR OLD.citizenship IS NOT NEW.citizenship BEGIN " LINKAGE_GEN_BUMP " END;",
};
#define FINGERPRINT_STEP 4
#define REJECT_NOTE_STEP 10 /* an ALTER TABLE: skipped when the column is there (a test re-running old steps) */
#define STAGE_TRUTH_STEP 11
#define SITES_STEP 12

/* Step 11: before it, case status and workflow stage were edited apart and disagreed (demo: 15,000 cases
 * Closed, 18,000 in Screening).  A status a person set says more than a stage nobody moved: a Closed case is
 * closed (a workflow step records the stage it was closed from, so it can reopen there), a FollowUp case still
 * before follow-up moves to it; then every status is set from its stage (codebook/status.c's rule). */
static const char stage_is_truth[] =
	"INSERT INTO stages(case_id, at, from_stage, to_stage)"
	" SELECT case_id, updated_at, coalesce(case_stage, 'screening'), 'closed' FROM cases"
	" WHERE status IN ('Closed', 'ClosedReferred') AND coalesce(case_stage, '') <> 'closed';"
	"UPDATE cases SET case_stage = 'closed'"
	" WHERE status IN ('Closed', 'ClosedReferred') AND coalesce(case_stage, '') <> 'closed';"
	"INSERT INTO stages(case_id, at, from_stage, to_stage)"
	" SELECT case_id, updated_at, coalesce(case_stage, 'screening'), 'follow_up' FROM cases"
	" WHERE status = 'FollowUp' AND coalesce(case_stage, 'screening') NOT IN ('follow_up', 'closed');"
	"UPDATE cases SET case_stage = 'follow_up'"
	" WHERE status = 'FollowUp' AND coalesce(case_stage, 'screening') NOT IN ('follow_up', 'closed');"
	"UPDATE cases SET case_stage = 'screening' WHERE case_stage IS NULL;"
	"UPDATE cases SET status = CASE case_stage WHEN 'closed' THEN iif(status = 'ClosedReferred', status, 'Closed')"
	" WHEN 'follow_up' THEN 'FollowUp' ELSE 'Active' END;";

/* Cases stored before the workflow existed get a stage when its column is added: closed if their status says
 * so, else screening.  (The assistance and referral sets stay empty: those cases have no such records.) */
static const char backfill_case_stage[] =
	"UPDATE cases SET case_stage = iif(status IN ('Closed', 'ClosedReferred'), 'closed', 'screening')";

/* casekeys: one wrapped key (crypto.h: nonce, key, tag) per case that has identifying details. */
static const char *const key_steps[] = {
	/* 1 */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE casekeys(case_id BLOB PRIMARY KEY CHECK(length(case_id) = 16),"
	" wrapped BLOB NOT NULL CHECK(length(wrapped) = 72)) WITHOUT ROWID;",
	/* 2: keyed by the case's seq (cases.seq), so that adding cases appends to the key store instead of
	 * rewriting pages all over a tree of random ids.  case_id stays, to tell a key from a stale one left in
	 * the same slot by a crash (the key store commits first), and as the wrapping's associated data.  The
	 * cases database is attached as cases_db for this step (cb_schema_migrate_keys); keys of no case are
	 * unused and go. */
	"CREATE TABLE casekeys_by_seq(seq INTEGER PRIMARY KEY, case_id BLOB NOT NULL CHECK(length(case_id) = 16),"
	" wrapped BLOB NOT NULL CHECK(length(wrapped) = 72));"
	"INSERT INTO casekeys_by_seq(seq, case_id, wrapped) SELECT c.seq, k.case_id, k.wrapped"
	" FROM casekeys k JOIN cases_db.cases c ON c.case_id = k.case_id ORDER BY c.seq;"
	"DROP TABLE casekeys;"
	"ALTER TABLE casekeys_by_seq RENAME TO casekeys;",
};

_Static_assert(72 == 24 + 32 + 16, "casekeys.wrapped is CB_WRAPPED_KEY_BYTES");

bool cb_schema_is_column(const struct cb_field *f)
{
	return f->kind != CB_ID && f->kind != CB_PII;
}

const char *cb_schema_column_type(const struct cb_field *f)
{
	return f->kind == CB_INT || f->kind == CB_BOOL ? "INTEGER" : "TEXT";
}

int cb_schema_version(void)
{
	return (int)CB_COUNTOF(main_steps);
}

int cb_schema_exec(struct cb_db *db, const char *sql, struct cb_err *err)
{
	int rc = cb_db_exec(db, sql);
	if (rc != CB_OK) /* a full disk is told apart: the server answers it with 503, the operator frees space */
		cb_err_set(err, rc, "database: %s%s", rc == CB_EFULL ? "disk full: " : "", cb_db_errmsg(db));
	return rc;
}

static int user_version(struct cb_db *db, int *v, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = CB_EDB;
	if (cb_db_prepare(db, "PRAGMA user_version", &st, NULL) != CB_OK ||
	    cb_db_step(st) != CB_DB_ROW) {
		cb_err_set(err, CB_EDB, "database: cannot read the schema version: %s", cb_db_errmsg(db));
		goto out;
	}
	*v = (int)cb_db_column_int64(st, 0);
	rc = CB_OK;
out:
	cb_db_finalize(&st);
	return rc;
}

/* Fields without a column in `table`: marks missing[i] for cb_fields[i]; returns how many. */
static int missing_columns(struct cb_db *db, bool missing[CB_NFIELDS], int *count, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	bool have[CB_NFIELDS] = {false};
	int rc;
	*count = 0;
	if (cb_db_prepare(db, "PRAGMA table_info(cases)", &st, NULL) != CB_OK)
		return cb_err_set(err, CB_EDB, "database: %s", cb_db_errmsg(db));
	while ((rc = cb_db_step(st)) == CB_DB_ROW) {
		const char *name = (const char *)cb_db_column_text(st, 1);
		const struct cb_field *f = name ? cb_field_find(name) : NULL;
		if (f)
			have[f->id] = true;
	}
	cb_db_finalize(&st);
	if (rc != CB_DB_DONE)
		return cb_err_set(err, CB_EDB, "database: %s", cb_db_errmsg(db));
	for (int i = 0; i < CB_NFIELDS; i++) {
		missing[i] = cb_schema_is_column(&cb_fields[i]) && !have[i];
		*count += missing[i];
	}
	return CB_OK;
}

/* Whether table has column col. */
static bool has_column(struct cb_db *db, const char *table, const char *col)
{
	struct cb_stmt *st = NULL;
	char sql[96];
	bool found = false;
	snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
	if (cb_db_prepare(db, sql, &st, NULL) != CB_OK)
		return false;
	while (!found && cb_db_step(st) == CB_DB_ROW) {
		const char *name = (const char *)cb_db_column_text(st, 1);
		found = name && !strcmp(name, col);
	}
	cb_db_finalize(&st);
	return found;
}

static int migrate(struct cb_db *db, const char *const *steps, int nsteps, bool columns, bool readonly,
		   struct cb_err *err)
{
	int rc, v = 0, from, nmissing = 0;
	bool missing[CB_NFIELDS];
	char sql[256];

	if ((rc = user_version(db, &v, err)) != CB_OK)
		return rc;
	if (v > nsteps)
		return cb_err_set(err, CB_EDB, "database: schema version %d is newer than this casebank (%d); upgrade casebank",
				  v, nsteps);
	if (readonly) {
		if (v == nsteps && columns && (rc = missing_columns(db, missing, &nmissing, err)) != CB_OK)
			return rc;
		if (v < nsteps || nmissing > 0)
			return cb_err_set(err, CB_EDB, "database: the schema needs an upgrade; open it read-write once");
		return CB_OK;
	}
	if ((rc = cb_schema_exec(db, "BEGIN IMMEDIATE", err)) != CB_OK)
		return rc;
	from = v;
	for (; v < nsteps; v++) {
		if (columns && v + 1 == REJECT_NOTE_STEP && has_column(db, "odk_review", "reject_note"))
			continue;
		if ((rc = cb_schema_exec(db, steps[v], err)) != CB_OK)
			goto fail;
		if (columns && v + 1 == FINGERPRINT_STEP && (rc = cb_fp_migrate(db, err)) != CB_OK)
			goto fail;
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", nsteps);
	if ((rc = cb_schema_exec(db, sql, err)) != CB_OK)
		goto fail;
	if (columns) {
		if ((rc = missing_columns(db, missing, &nmissing, err)) != CB_OK)
			goto fail;
		for (int i = 0; i < CB_NFIELDS && nmissing > 0; i++) {
			if (!missing[i])
				continue;
			snprintf(sql, sizeof sql, "ALTER TABLE cases ADD COLUMN \"%s\" %s", cb_fields[i].name,
				 cb_schema_column_type(&cb_fields[i]));
			if ((rc = cb_schema_exec(db, sql, err)) != CB_OK)
				goto fail;
		}
		if (missing[CB_FLD_case_stage] && (rc = cb_schema_exec(db, backfill_case_stage, err)) != CB_OK)
			goto fail;
		if (from > 0 && from < STAGE_TRUTH_STEP && (rc = cb_schema_exec(db, stage_is_truth, err)) != CB_OK)
			goto fail;
		if (from > 0 && from < SITES_STEP && (rc = cb_schema_adopt_sites(db, err)) != CB_OK)
			goto fail;
	}
	if ((rc = cb_schema_exec(db, "COMMIT", err)) != CB_OK)
		goto fail;
	return CB_OK;
fail:
	cb_db_exec(db, "ROLLBACK");
	return rc;
}

int cb_schema_adopt_sites(struct cb_db *db, struct cb_err *err)
{
	/* One statement for SQLite and PostgreSQL: the time is bound (no strftime/now()), and "two capital
	 * letters and a dash" is spelt with upper/lower (no GLOB): the country of a code like MD-CHISINAU. */
	struct cb_stmt *st = NULL;
	int rc = cb_db_prepare(db,
			       "INSERT INTO sites(code, name, country, created_at)"
			       " SELECT site, site, CASE WHEN substr(site, 3, 1) = '-'"
			       " AND upper(substr(site, 1, 1)) = substr(site, 1, 1) AND lower(substr(site, 1, 1)) <> substr(site, 1, 1)"
			       " AND upper(substr(site, 2, 1)) = substr(site, 2, 1) AND lower(substr(site, 2, 1)) <> substr(site, 2, 1)"
			       " THEN substr(site, 1, 2) ELSE '' END, ?1 FROM"
			       " (SELECT site FROM cases UNION SELECT site FROM users UNION SELECT site FROM partners) AS used"
			       " WHERE site IS NOT NULL AND site <> '' AND site NOT IN (SELECT code FROM sites) ORDER BY site",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, (int64_t)time(NULL));
	rc = cb_db_step(st);
	if (rc == CB_DB_DONE) {
		rc = CB_OK;
	} else {
		rc = rc < 0 ? rc : CB_EDB;
		cb_err_set(err, rc, "database: %s%s", rc == CB_EFULL ? "disk full: " : "", cb_db_errmsg(db));
	}
	cb_db_finalize(&st);
	return rc;
}

int cb_schema_migrate(struct cb_db *db, bool readonly, struct cb_err *err)
{
	if (!cb_db_sqlite(db)) /* PostgreSQL: one script at the current version (schema_pg.c) */
		return cb_schema_pg_migrate(db, readonly, err);
	return migrate(db, main_steps, (int)CB_COUNTOF(main_steps), true, readonly, err);
}

int cb_schema_migrate_keys(struct cb_db *kdb, const char *db_path, bool readonly, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc, v = 0;
	bool attached = false;
	if (!cb_db_sqlite(kdb)) /* PostgreSQL: casekeys is a table of the one schema */
		return CB_OK;
	if ((rc = user_version(kdb, &v, err)) != CB_OK)
		return rc;
	/* Step 2 reads the cases.  Attached before migrate's BEGIN IMMEDIATE, which then holds the write lock of
	 * both files: no case whose key is committed can still be on its way. */
	if (!readonly && v < 2) {
		if (cb_db_prepare(kdb, "ATTACH DATABASE ?1 AS cases_db", &st, NULL) != CB_OK)
			return cb_err_set(err, CB_EDB, "database: %s", cb_db_errmsg(kdb));
		cb_db_bind_text(st, 1, db_path, -1, false);
		int r = cb_db_step(st);
		cb_db_finalize(&st);
		if (r != CB_DB_DONE)
			return cb_err_set(err, CB_EDB, "database: cannot attach the cases: %s", cb_db_errmsg(kdb));
		attached = true;
	}
	rc = migrate(kdb, key_steps, (int)CB_COUNTOF(key_steps), false, readonly, err);
	if (attached)
		cb_db_exec(kdb, "DETACH DATABASE cases_db");
	return rc;
}

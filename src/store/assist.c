/*
 * assist.c -- assistance records, follow-ups, the case workflow and the site dashboard (store/assist.h).
 */
#include <string.h>

#include "store/assist.h"
#include "store/store_impl.h"

bool cb_assist_has_notes(struct cb_store *s, const uint8_t id[16])
{
	static const char sql[] = "SELECT EXISTS(SELECT 1 FROM assistance WHERE case_id = ?1 AND notes IS NOT NULL)"
				  " OR EXISTS(SELECT 1 FROM referrals WHERE case_id = ?1 AND details IS NOT NULL)"
				  " OR EXISTS(SELECT 1 FROM followups WHERE case_id = ?1 AND note IS NOT NULL)"
				  " OR EXISTS(SELECT 1 FROM stages WHERE case_id = ?1 AND reason IS NOT NULL)";
	sqlite3_stmt *st = NULL;
	bool yes = true; /* when in doubt, keep the key */
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			yes = sqlite3_column_int(st, 0) != 0;
	}
	sqlite3_finalize(st);
	return yes;
}

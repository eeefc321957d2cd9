/*
 * copy.h -- `casebank copy SRC DST`: one database copied whole between SQLite and PostgreSQL (either way).
 */
#ifndef CB_STORE_COPY_H
#define CB_STORE_COPY_H

#include <stdio.h>

#include "util/cb.h"

/* Copies every table of SRC (a SQLite file or a PostgreSQL URI) into DST, which must not exist yet (a SQLite
 * file) or hold no casebank schema (a PostgreSQL database): rows as they are, sealed details and wrapped case
 * keys as bytes (nothing is opened), the audit trail with its hashes and chain head.  Both sides use one
 * master key: $CASEBANK_KEY_FILE, or for a SQLite DST without it, a copy of SRC's key file beside DST.
 * At the end the row count of every table is compared and DST's audit chain verified: CB_ECORRUPT (and a
 * message naming the table) when they differ.  `log` (may be NULL) gets one line per table. */
int cb_store_copy(const char *src, const char *dst, FILE *log, struct cb_err *err);

#endif

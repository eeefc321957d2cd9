/*
 * fuzz_csv.c -- arbitrary bytes through the CSV reader: every row of every input, with delimiter detection,
 * a fixed delimiter and JSON lines mode.  The reader must never crash, overrun or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "io/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const uint8_t *data, size_t size, char delim)
{
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return;
	struct cb_csv *r;
	if (cb_csv_new(&r, f, delim) == CB_OK) {
		struct cb_csv_row row;
		struct cb_err err = {0};
		size_t sum = 0;
		while (cb_csv_next(r, &row, &err) == 1) {
			for (int i = 0; i < row.nfields; i++)
				sum += strlen(row.fields[i]);
			if (row.rawlen)
				sum += (unsigned char)row.raw[row.rawlen - 1];
		}
		(void)sum;
		cb_csv_free(&r);
	}
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0; /* fmemopen refuses an empty buffer */
	run(data, size, 0);
	run(data, size, ',');
	run(data, size, CB_CSV_LINES);
	return 0;
}

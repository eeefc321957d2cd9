/*
 * report.c -- GET /api/report: the standard report of the knowledge bank as a web page or a workbook, from
 * the releases, as `casebank report` makes it.  Every report made is audited; one the trail cannot record is
 * not sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/api.h"
#include "stats/report.h"
#include "stats/stats.h"

static int write_report_html(void *ctx, FILE *f, struct cb_err *err) { return cb_report_write_html(ctx, f, err); }
static int write_report_csv(void *ctx, FILE *f, struct cb_err *err) { return cb_report_write_csv_file(ctx, f, err); }

/* The workbook is written by path (libxlsxwriter); a private temporary file holds it for a moment.  It
 * holds protected statistics only, never identifying details. */
static int write_report_xlsx(void *ctx, FILE *f, struct cb_err *err)
{
	char path[] = "/tmp/casebank-report-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return cb_err_set(err, CB_EIO, "cannot create a temporary file");
	close(fd);
	int rc = cb_report_write_xlsx(ctx, path, err);
	char *data = NULL;
	size_t n = 0;
	if (rc == CB_OK)
		rc = cb_file_read(path, 64u << 20, &data, &n, err);
	unlink(path);
	if (rc == CB_OK && fwrite(data, 1, n, f) != n)
		rc = cb_err_set(err, CB_EIO, "cannot write the workbook");
	free(data);
	return rc;
}

int cb_api_report(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	const char *fmt = cb_http_query_get(&r->query, "format");
	struct cb_report_opts o = {.where = cb_http_query_get(&r->query, "where")};
	struct cb_report *rep = NULL;
	struct cb_err err = {0};
	bool xlsx = fmt && !strcmp(fmt, "xlsx"), csv = fmt && !strcmp(fmt, "csv");
	if (fmt && !xlsx && !csv && strcmp(fmt, "html")) {
		cb_api_error(r, 400, "invalid", "format: expected html, csv or xlsx");
		return CB_OK;
	}
	cb_api_stats_refresh(r);
	pthread_rwlock_rdlock(&r->app->stats_mu);
	int rc = cb_report_build(r->app->stats, &o, &rep, &err);
	pthread_rwlock_unlock(&r->app->stats_mu);
	if (rc != CB_OK) {
		cb_api_stats_fail(r, rc, &err);
		return CB_OK;
	}
	if ((rc = cb_api_audit(r, CB_AUD_REPORT, NULL, xlsx ? "xlsx" : csv ? "csv" : "html")) != CB_OK) {
		cb_report_free(&rep); /* a report the trail cannot record is not sent */
		cb_api_audit_failed(r, rc);
		return CB_OK;
	}
	if (xlsx) {
		cb_api_stream(r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_report_xlsx, rep);
		r->disposition = "attachment; filename=\"casebank-report.xlsx\"";
	} else if (csv) { /* every table in one file, codes and labels side by side */
		cb_api_stream(r, "text/csv; charset=utf-8", write_report_csv, rep);
		r->disposition = "attachment; filename=\"casebank-report.csv\"";
	} else {
		cb_api_stream(r, "text/html; charset=utf-8", write_report_html, rep);
	}
	cb_report_free(&rep);
	return CB_OK;
}

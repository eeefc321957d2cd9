/*
 * find.h -- what the case resource (cases.c) borrows from find.c: the search behind GET /api/cases, the
 * list's extra columns, and the duplicate warning of POST /api/cases.
 */
#ifndef CB_HTTP_FIND_H
#define CB_HTTP_FIND_H

#include "http/api.h"

/* Whether GET /api/cases asks for a search (name, birth_date or phone given). */
bool cb_api_is_search(struct cb_http_req *r);
/* Answers the search. */
int cb_api_cases_search(struct cb_http_req *r);
/* Adds gender, age, stage, assigned_to to a list row's object, and the name when the caller may see it
 * (then counts it in *named). */
void cb_api_list_extra(struct cb_http_req *r, const struct cb_store_list_row *row, json_t *o, long *named);
/* Audits a page that showed `named` names (nothing when none); non-zero: answer with cb_api_audit_failed. */
int cb_api_list_named(struct cb_http_req *r, long named);
/* Adds "possible_duplicates": [{"case_id", "site"}] to a new case's reply when it may be a person already
 * registered. */
void cb_api_add_duplicates(struct cb_http_req *r, const uint8_t id[16], json_t *doc);

#endif

/*
 * where.c -- the --where expression of `casebank stats`: parsing into a small tree bound to the index's
 * dimensions, and evaluation into a bitmap column by column (one pass per comparison, then word-wise
 * and/or/not), which is what makes filtered tables cheap.
 *
 *   expr  := term ('or' term)*          term := factor ('and' factor)*
 *   factor:= 'not' factor | '(' expr ')' | FIELD cmp
 *   cmp   := ('=' | '==' | '!=' | '<>') VALUE | ['not'] 'in' '(' VALUE (',' VALUE)* ')'
 *          | ('<' | '<=' | '>' | '>=') NUMBER | 'between' NUMBER 'and' NUMBER      (year only)
 *
 * Keywords are case-insensitive, values may be quoted with ' or ".  For a multi-valued field `=` means
 * "has this value" and `in` "has one of these".  The value "not recorded" matches a missing value.
 * Errors give the 1-based column of the offending token and list what would have been valid.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stats/stats_int.h"
#include "util/i18n.h"

#define MAX_DEPTH 64
#define MAX_NODES 4096

enum node_kind { N_LEAF, N_AND, N_OR, N_NOT };

struct node {
	enum node_kind kind;
	int a, b; /* children (node indexes) */
	/* leaf */
	int dim;
	bool range;       /* year comparison: codes lo..hi */
	uint32_t lo, hi;  /* range of codes */
	uint32_t *codes;  /* IN: single-valued codes (region dims: region codes) */
	int ncodes;
	uint64_t mask;    /* IN on a multi-valued dim: value bits */
	bool na;          /* IN also matches "not recorded" */
};

struct cb_where {
	struct node *nodes;
	int nnodes, cap;
	int root;
	char *text; /* normalised */
};

enum tok_kind { T_END, T_WORD, T_STR, T_LP, T_RP, T_COMMA, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_BAD };

struct tok {
	enum tok_kind kind;
	const char *p; /* start in the text (for T_STR: after the quote) */
	size_t len;
	int col;       /* 1-based */
};

struct parser {
	const char *text;
	size_t pos;
	struct tok t; /* current token */
	const struct cb_index *ix;
	struct cb_where *w;
	struct cb_err *err;
	int depth;
	struct cb_buf norm;
};

static bool is_word_char(int c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '+' || c == '.' || c == '/' || (c & 0x80);
}

static int next(struct parser *ps)
{
	const char *s = ps->text;
	size_t i = ps->pos;
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	struct tok *t = &ps->t;
	t->col = (int)i + 1;
	t->p = s + i;
	t->len = 1;
	char c = s[i];
	if (!c) {
		t->kind = T_END;
		t->len = 0;
	} else if (c == '(') {
		t->kind = T_LP;
	} else if (c == ')') {
		t->kind = T_RP;
	} else if (c == ',') {
		t->kind = T_COMMA;
	} else if (c == '=') {
		t->kind = T_EQ;
		t->len = s[i + 1] == '=' ? 2 : 1;
	} else if (c == '!' && s[i + 1] == '=') {
		t->kind = T_NE;
		t->len = 2;
	} else if (c == '<') {
		t->kind = s[i + 1] == '=' ? T_LE : s[i + 1] == '>' ? T_NE : T_LT;
		t->len = t->kind == T_LT ? 1 : 2;
	} else if (c == '>') {
		t->kind = s[i + 1] == '=' ? T_GE : T_GT;
		t->len = t->kind == T_GE ? 2 : 1;
	} else if (c == '\'' || c == '"') {
		size_t j = i + 1;
		while (s[j] && s[j] != c)
			j++;
		if (!s[j]) {
			ps->pos = i;
			return cb_err_set(ps->err, CB_EINVAL, "column %d: unterminated quoted value", t->col);
		}
		t->kind = T_STR;
		t->p = s + i + 1;
		t->len = j - i - 1;
		ps->pos = j + 1;
		return CB_OK;
	} else if (is_word_char((unsigned char)c)) {
		size_t j = i;
		while (is_word_char((unsigned char)s[j]))
			j++;
		t->kind = T_WORD;
		t->len = j - i;
	} else {
		char vb[64], one[2] = {c, 0};
		return cb_err_set(ps->err, CB_EINVAL, "column %d: unexpected character '%s'", t->col,
				  cb_err_value(one, vb));
	}
	ps->pos = i + t->len;
	return CB_OK;
}

static bool is_kw(const struct tok *t, const char *kw)
{
	return t->kind == T_WORD && strlen(kw) == t->len && strncasecmp(t->p, kw, t->len) == 0;
}

static const char *tok_text(const struct tok *t, char buf[64])
{
	char tmp[64];
	size_t n = t->len < sizeof tmp - 1 ? t->len : sizeof tmp - 1;
	if (t->kind == T_END)
		return "end of text";
	memcpy(tmp, t->p, n);
	tmp[n] = 0;
	return cb_err_value(tmp, buf);
}

static int expected(struct parser *ps, const char *what)
{
	char vb[64];
	return cb_err_set(ps->err, CB_EINVAL, "column %d: expected %s, found '%s'", ps->t.col, _(what),
			  tok_text(&ps->t, vb));
}

static int new_node(struct parser *ps, enum node_kind kind, int *out)
{
	struct cb_where *w = ps->w;
	if (w->nnodes >= MAX_NODES)
		return cb_err_set(ps->err, CB_EINVAL, "column %d: expression too long", ps->t.col);
	if (w->nnodes == w->cap) {
		int cap = w->cap ? w->cap * 2 : 16;
		struct node *n = realloc(w->nodes, (size_t)cap * sizeof *n);
		if (!n)
			return cb_err_set(ps->err, CB_ENOMEM, "out of memory");
		w->nodes = n;
		w->cap = cap;
	}
	memset(&w->nodes[w->nnodes], 0, sizeof w->nodes[0]);
	w->nodes[w->nnodes].kind = kind;
	*out = w->nnodes++;
	return CB_OK;
}

static bool is_not_recorded(const char *v)
{
	return strcasecmp(v, "not recorded") == 0 || strcasecmp(v, "not_recorded") == 0;
}

/* Lists the valid values of a dimension into buf. */
static const char *allowed_values(const struct parser *ps, int dim, char *buf, size_t n)
{
	int f = cb_dim_field(dim);
	size_t o = 0;
	buf[0] = 0;
	if (dim == CB_DIM_CITIZENSHIP_REGION || dim == CB_DIM_DESTINATION_REGION) {
		for (int i = 0; i < cb_nregions && o < n; i++)
			o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", cb_regions[i]);
	} else if (cb_fields[f].kind == CB_COUNTRY) {
		snprintf(buf, n, "an ISO 3166-1 alpha-2 or alpha-3 country code");
		return buf;
	} else if (cb_fields[f].kind == CB_INT) {
		snprintf(buf, n, "a whole number from %d to %d", (int)cb_fields[f].lo, (int)cb_fields[f].hi);
		return buf;
	} else if (cb_fields[f].kind == CB_SITE) {
		for (uint32_t i = 0; i < ps->ix->nsites && o < n; i++)
			o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", ps->ix->sites[i]);
	} else {
		cb_field_allowed(&cb_fields[f], buf, n);
		o = strlen(buf);
	}
	if (o < n)
		snprintf(buf + o, n - o, "%s\"not recorded\"", o ? ", " : "");
	return buf;
}

/* Reads one VALUE token for dim: fills *code (single: column code; region: region code), or *bit (multi),
 * or *na for "not recorded". */
static int value(struct parser *ps, int dim, uint32_t *code, int *bit, bool *na)
{
	char v[128], vb[64], allowed[400];
	const struct tok *t = &ps->t;
	int f = cb_dim_field(dim);
	const struct cb_field *fl = &cb_fields[f];
	if (t->kind != T_WORD && t->kind != T_STR)
		return expected(ps, N_("a value"));
	if (t->len >= sizeof v || memchr(t->p, 0, t->len))
		return cb_err_field(ps->err, CB_EINVAL, cb_dim_name(dim), "column %d: value too long for %s",
				    t->col, cb_dim_name(dim));
	memcpy(v, t->p, t->len);
	v[t->len] = 0;
	*na = false;
	*bit = -1;
	*code = 0;
	if (is_not_recorded(v)) {
		*na = true;
		goto ok;
	}
	if (dim == CB_DIM_CITIZENSHIP_REGION || dim == CB_DIM_DESTINATION_REGION) {
		for (int i = 0; i < cb_nregions; i++)
			if (strcasecmp(v, cb_regions[i]) == 0) {
				*code = (uint32_t)i + 1;
				goto ok;
			}
	} else if (fl->kind == CB_COUNTRY) {
		int32_t c = cb_country_find(v);
		if (c != CB_NA) {
			*code = (uint32_t)c + 1;
			goto ok;
		}
	} else if (fl->kind == CB_INT) {
		char *end;
		long y = strtol(v, &end, 10);
		if (*v && !*end && y >= fl->lo && y <= fl->hi) {
			*code = (uint32_t)(y - fl->lo) + 1;
			goto ok;
		}
	} else if (fl->kind == CB_SITE) {
		int id = cb_index_site_find(ps->ix, v, strlen(v));
		if (id >= 0) {
			*code = (uint32_t)id + 1;
			goto ok;
		}
	} else if (fl->vset) {
		int32_t i = cb_value_find(fl->vset, v);
		if (i != CB_NA) {
			if (fl->kind == CB_MULTI)
				*bit = (int)i;
			else
				*code = (uint32_t)i + 1;
			goto ok;
		}
	}
	return cb_err_field(ps->err, CB_EINVAL, cb_dim_name(dim), "column %d: '%s' is not a value of %s; valid: %s",
			    t->col, cb_err_value(v, vb), cb_dim_name(dim), allowed_values(ps, dim, allowed, sizeof allowed));
ok:;
	const char *q = fl->kind == CB_INT && !*na && dim < CB_NFIELDS ? "" : "\"";
	cb_buf_printf(&ps->norm, "%s%s%s%s", ps->norm.len && ps->norm.data[ps->norm.len - 1] != '(' ? " " : "", q, v, q);
	return next(ps);
}

static int add_code(struct parser *ps, struct node *nd, uint32_t code)
{
	uint32_t *c = realloc(nd->codes, (size_t)(nd->ncodes + 1) * sizeof *c);
	if (!c)
		return cb_err_set(ps->err, CB_ENOMEM, "out of memory");
	c[nd->ncodes++] = code;
	nd->codes = c;
	return CB_OK;
}

/* Adds one value to an IN leaf. */
static int leaf_value(struct parser *ps, int leaf)
{
	uint32_t code;
	int bit;
	bool na;
	int rc = value(ps, ps->w->nodes[leaf].dim, &code, &bit, &na);
	if (rc)
		return rc;
	struct node *nd = &ps->w->nodes[leaf];
	if (na)
		nd->na = true;
	else if (bit >= 0)
		nd->mask |= 1ull << bit;
	else
		return add_code(ps, nd, code);
	return CB_OK;
}

static int year_number(struct parser *ps, int dim, uint32_t *code)
{
	int bit;
	bool na;
	int col = ps->t.col;
	int rc = value(ps, dim, code, &bit, &na);
	if (rc == CB_OK && na)
		rc = cb_err_set(ps->err, CB_EINVAL, "column %d: a comparison needs a number", col);
	return rc;
}

static int wrap_not(struct parser *ps, int *node)
{
	int n;
	int rc = new_node(ps, N_NOT, &n);
	if (rc == CB_OK) {
		ps->w->nodes[n].a = *node;
		*node = n;
	}
	return rc;
}

static int comparison(struct parser *ps, int *out)
{
	char name[64], vb[64], dims[1024];
	struct tok ft = ps->t;
	if (ft.kind != T_WORD)
		return expected(ps, N_("a field name"));
	size_t n = ft.len < sizeof name - 1 ? ft.len : sizeof name - 1;
	memcpy(name, ft.p, n);
	name[n] = 0;
	int dim = ft.len < sizeof name ? cb_dim_find(name) : -1;
	if (dim < 0)
		return cb_err_set(ps->err, CB_EINVAL, "column %d: unknown field '%s'; valid fields: %s", ft.col,
				  cb_err_value(name, vb), cb_dim_list(dims, sizeof dims));
	int leaf, rc;
	if ((rc = new_node(ps, N_LEAF, &leaf)))
		return rc;
	ps->w->nodes[leaf].dim = dim;
	*out = leaf;
	cb_buf_printf(&ps->norm, "%s", name);
	if ((rc = next(ps)))
		return rc;
	const struct cb_field *fl = &cb_fields[cb_dim_field(dim)];
	bool numeric = fl->kind == CB_INT && dim < CB_NFIELDS;
	enum tok_kind k = ps->t.kind;
	bool negate = false;
	if (k == T_EQ || k == T_NE) {
		negate = k == T_NE;
		cb_buf_printf(&ps->norm, " %s", negate ? "!=" : "=");
		if ((rc = next(ps)) || (rc = leaf_value(ps, leaf)))
			return rc;
	} else if (is_kw(&ps->t, "in") || is_kw(&ps->t, "not")) {
		if (is_kw(&ps->t, "not")) {
			negate = true;
			if ((rc = next(ps)))
				return rc;
			if (!is_kw(&ps->t, "in"))
				return expected(ps, N_("'in'"));
		}
		cb_buf_printf(&ps->norm, " %sin (", negate ? "not " : "");
		if ((rc = next(ps)))
			return rc;
		if (ps->t.kind != T_LP)
			return expected(ps, N_("'('"));
		if ((rc = next(ps)))
			return rc;
		for (;;) {
			if ((rc = leaf_value(ps, leaf)))
				return rc;
			if (ps->t.kind == T_RP)
				break;
			if (ps->t.kind != T_COMMA)
				return expected(ps, N_("',' or ')'"));
			cb_buf_printf(&ps->norm, ",");
			if ((rc = next(ps)))
				return rc;
		}
		cb_buf_printf(&ps->norm, ")");
		if ((rc = next(ps)))
			return rc;
	} else if (k == T_LT || k == T_LE || k == T_GT || k == T_GE || is_kw(&ps->t, "between")) {
		if (!numeric)
			return cb_err_field(ps->err, CB_EINVAL, name,
					    "column %d: %s is not a number; use =, != or in (...)", ps->t.col, name);
		struct node *nd = &ps->w->nodes[leaf];
		uint32_t a, b, top = (uint32_t)(fl->hi - fl->lo) + 1;
		static const char *const opname[] = {[T_LT] = "<", [T_LE] = "<=", [T_GT] = ">", [T_GE] = ">="};
		bool between = is_kw(&ps->t, "between");
		cb_buf_printf(&ps->norm, " %s", between ? "between" : opname[k]);
		if ((rc = next(ps)) || (rc = year_number(ps, dim, &a)))
			return rc;
		nd = &ps->w->nodes[leaf];
		nd->range = true;
		if (between) {
			if (!is_kw(&ps->t, "and"))
				return expected(ps, N_("'and'"));
			cb_buf_printf(&ps->norm, " and");
			if ((rc = next(ps)) || (rc = year_number(ps, dim, &b)))
				return rc;
			nd = &ps->w->nodes[leaf];
			nd->lo = a < b ? a : b;
			nd->hi = a < b ? b : a;
		} else {
			nd->lo = k == T_LT || k == T_LE ? 1 : k == T_GT ? a + 1 : a;
			nd->hi = k == T_GT || k == T_GE ? top : k == T_LT ? a - 1 : a;
		}
	} else {
		return expected(ps, numeric ? "=, !=, in, <, <=, >, >= or between" : "=, != or in");
	}
	if (negate)
		return wrap_not(ps, out);
	return CB_OK;
}

static int expr(struct parser *ps, int *out);

static int factor(struct parser *ps, int *out)
{
	int rc;
	if (++ps->depth > MAX_DEPTH)
		return cb_err_set(ps->err, CB_EINVAL, "column %d: expression nested too deeply", ps->t.col);
	if (is_kw(&ps->t, "not")) {
		cb_buf_printf(&ps->norm, "not ");
		if ((rc = next(ps)) || (rc = factor(ps, out)) || (rc = wrap_not(ps, out)))
			return rc;
	} else if (ps->t.kind == T_LP) {
		cb_buf_printf(&ps->norm, "(");
		if ((rc = next(ps)) || (rc = expr(ps, out)))
			return rc;
		if (ps->t.kind != T_RP)
			return expected(ps, N_("')'"));
		cb_buf_printf(&ps->norm, ")");
		if ((rc = next(ps)))
			return rc;
	} else if ((rc = comparison(ps, out))) {
		return rc;
	}
	ps->depth--;
	return CB_OK;
}

static int binary(struct parser *ps, int *out, const char *kw, enum node_kind kind)
{
	int rc = kind == N_OR ? binary(ps, out, "and", N_AND) : factor(ps, out);
	while (rc == CB_OK && is_kw(&ps->t, kw)) {
		int n, rhs;
		cb_buf_printf(&ps->norm, " %s ", kw);
		if ((rc = next(ps)) || (rc = (kind == N_OR ? binary(ps, &rhs, "and", N_AND) : factor(ps, &rhs))) ||
		    (rc = new_node(ps, kind, &n)))
			break;
		ps->w->nodes[n].a = *out;
		ps->w->nodes[n].b = rhs;
		*out = n;
	}
	return rc;
}

static int expr(struct parser *ps, int *out)
{
	return binary(ps, out, "or", N_OR);
}

int cb_where_parse(const struct cb_index *ix, const char *text, struct cb_where **out, struct cb_err *err)
{
	struct parser ps = {.text = text, .ix = ix, .err = err};
	int rc = CB_OK;
	*out = NULL;
	if (!text)
		return CB_OK;
	size_t i = 0;
	while (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')
		i++;
	if (!text[i])
		return CB_OK;
	ps.w = calloc(1, sizeof *ps.w);
	if (!ps.w)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	if ((rc = next(&ps)) || (rc = expr(&ps, &ps.w->root)))
		goto out;
	if (ps.t.kind != T_END) {
		rc = expected(&ps, "'and', 'or' or the end");
		goto out;
	}
	if (cb_buf_append(&ps.norm, "", 0) != CB_OK) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	ps.w->text = ps.norm.data;
	ps.norm.data = NULL;
	*out = ps.w;
	ps.w = NULL;
out:
	cb_buf_free(&ps.norm);
	cb_where_free(&ps.w);
	return rc;
}

void cb_where_free(struct cb_where **pw)
{
	struct cb_where *w = *pw;
	if (!w)
		return;
	for (int i = 0; i < w->nnodes; i++)
		free(w->nodes[i].codes);
	free(w->nodes);
	free(w->text);
	free(w);
	*pw = NULL;
}

const char *cb_where_text(const struct cb_where *w, char *buf, size_t n)
{
	snprintf(buf, n, "%s", w && w->text ? w->text : "");
	return buf;
}

/* ---- evaluation */

static void eval_single(const struct node *nd, const struct cb_index *ix, uint64_t *bits, uint8_t *acc)
{
	int f = cb_dim_field(nd->dim);
	const struct cb_icol *c = &ix->col[f];
	bool region = nd->dim >= CB_NFIELDS;
	uint32_t nc = c->ncodes;
	memset(acc, 0, nc);
	for (uint32_t code = 0; code < nc; code++) {
		uint32_t v = region ? cb_region_of_code(code) : code;
		if (nd->range) {
			acc[code] = v >= nd->lo && v <= nd->hi && v > 0;
		} else if (v == 0) {
			acc[code] = nd->na;
		} else {
			for (int k = 0; k < nd->ncodes; k++)
				acc[code] |= nd->codes[k] == v;
		}
	}
	uint32_t n = ix->n;
	for (uint32_t base = 0; base < n; base += 64) {
		uint32_t m = n - base < 64 ? n - base : 64;
		uint64_t w = 0;
		if (c->width == 1) {
			/* look up 64 bytes, then pack each 8 flag bytes into 8 bits with one multiplication */
			const uint8_t *p = (const uint8_t *)c->data + base;
			uint8_t b[64] = {0};
			for (uint32_t j = 0; j < m; j++)
				b[j] = acc[p[j]];
			for (int k = 0; k < 8; k++) {
				uint64_t x;
				memcpy(&x, b + 8 * k, 8);
				w |= ((x * 0x0102040810204080ull) >> 56) << (8 * k);
			}
		} else if (c->width == 2) {
			const uint16_t *p = (const uint16_t *)c->data + base;
			for (uint32_t j = 0; j < m; j++)
				w |= (uint64_t)(p[j] < nc && acc[p[j]]) << j;
		} else {
			for (uint32_t j = 0; j < m; j++) {
				uint32_t v = cb_icol_get(c, base + j);
				w |= (uint64_t)(v < nc && acc[v]) << j;
			}
		}
		bits[base / 64] = w;
	}
}

#define MULTI_LOOP(T)                                                                                    \
	do {                                                                                             \
		const T *p = (const T *)c->data;                                                         \
		for (uint32_t base = 0; base < n; base += 64) {                                          \
			uint32_t m = n - base < 64 ? n - base : 64;                                      \
			uint64_t w = 0;                                                                  \
			for (uint32_t j = 0; j < m; j++) {                                               \
				T v = p[base + j];                                                       \
				w |= (uint64_t)(((v & (T)mask) != 0) | (na & (v == 0))) << j;            \
			}                                                                                \
			bits[base / 64] = w;                                                             \
		}                                                                                        \
	} while (0)

static void eval_multi(const struct node *nd, const struct cb_index *ix, uint64_t *bits)
{
	const struct cb_icol *c = &ix->col[cb_dim_field(nd->dim)];
	uint32_t n = ix->n;
	uint64_t mask = nd->mask;
	int na = nd->na;
	/* one loop per width, so that the compiler can vectorise it */
	if (c->width == 1)
		MULTI_LOOP(uint8_t);
	else if (c->width == 2)
		MULTI_LOOP(uint16_t);
	else
		MULTI_LOOP(uint32_t);
}

static int eval(const struct cb_where *w, int i, const struct cb_index *ix, uint64_t *bits, uint8_t *acc,
		struct cb_err *err)
{
	const struct node *nd = &w->nodes[i];
	size_t nw = ((size_t)ix->n + 63) / 64;
	int rc = CB_OK;
	if (nd->kind == N_LEAF) {
		if (ix->col[cb_dim_field(nd->dim)].multi)
			eval_multi(nd, ix, bits);
		else
			eval_single(nd, ix, bits, acc);
		return CB_OK;
	}
	if ((rc = eval(w, nd->a, ix, bits, acc, err)))
		return rc;
	if (nd->kind == N_NOT) {
		for (size_t k = 0; k < nw; k++)
			bits[k] = ~bits[k];
		if (ix->n % 64)
			bits[nw - 1] &= (1ull << (ix->n % 64)) - 1;
		return CB_OK;
	}
	uint64_t *tmp = malloc((nw ? nw : 1) * sizeof *tmp);
	if (!tmp)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	if ((rc = eval(w, nd->b, ix, tmp, acc, err)) == CB_OK) {
		if (nd->kind == N_AND)
			for (size_t k = 0; k < nw; k++)
				bits[k] &= tmp[k];
		else
			for (size_t k = 0; k < nw; k++)
				bits[k] |= tmp[k];
	}
	free(tmp);
	return rc;
}

int cb_where_eval(const struct cb_where *w, const struct cb_index *ix, uint64_t *bits, struct cb_err *err)
{
	uint32_t maxc = 1;
	for (int f = 0; f < CB_NFIELDS; f++)
		if (ix->col[f].used && !ix->col[f].multi && ix->col[f].ncodes > maxc)
			maxc = ix->col[f].ncodes;
	uint8_t *acc = malloc(maxc);
	if (!acc)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	int rc = eval(w, w->root, ix, bits, acc, err);
	free(acc);
	return rc;
}

void cb_where_fields(const struct cb_where *w, bool used[CB_NFIELDS])
{
	for (int i = 0; w && i < w->nnodes; i++)
		if (w->nodes[i].kind == N_LEAF)
			used[cb_dim_field(w->nodes[i].dim)] = true;
}

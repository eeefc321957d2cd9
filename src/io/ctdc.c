/*
 * ctdc.c -- the CTDC victim dataset CSV (Counter Trafficking Data Collaborative): the 2021 k-anonymised
 * layout (read and written), older comma/-99 releases and the 2024-25 synthetic layout (read).
 *
 * Which casebank field a column holds comes from the codebook: cb_fields[].ctdc names a single-valued
 * column (gender, ageBroad) or the prefix of the 0/1 flag columns of a multi-valued field
 * (meansOfControl + the value's CTDC token DebtBondage).  What lives here is only what the codebook cannot
 * say: the 2021 column order, the columns derived from others (isSexAndLabour, *Concatenated,
 * RecruiterRelationship, *NotSpecified), the columns casebank has no field for, and the spellings of the
 * synthetic releases.  The lossy choices are listed in docs/formats.md.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/io.h"

/* The 2021 layout after the notice column (63 columns). */
static const char *const layout[] = {
	"yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus", "majorityStatusAtExploit",
	"majorityEntry", "citizenship", "meansOfControlDebtBondage", "meansOfControlTakesEarnings",
	"meansOfControlRestrictsFinancialAccess", "meansOfControlThreats", "meansOfControlPsychologicalAbuse",
	"meansOfControlPhysicalAbuse", "meansOfControlSexualAbuse", "meansOfControlFalsePromises",
	"meansOfControlPsychoactiveSubstances", "meansOfControlRestrictsMovement",
	"meansOfControlRestrictsMedicalCare", "meansOfControlExcessiveWorkingHours", "meansOfControlUsesChildren",
	"meansOfControlThreatOfLawEnforcement", "meansOfControlWithholdsNecessities",
	"meansOfControlWithholdsDocuments", "meansOfControlOther", "meansOfControlNotSpecified",
	"meansOfControlConcatenated", "isForcedLabour", "isSexualExploit", "isOtherExploit", "isSexAndLabour",
	"isForcedMarriage", "isForcedMilitary", "isOrganRemoval", "isSlaveryAndPractices",
	"typeOfExploitConcatenated", "typeOfLabourAgriculture", "typeOfLabourAquafarming", "typeOfLabourBegging",
	"typeOfLabourConstruction", "typeOfLabourDomesticWork", "typeOfLabourHospitality",
	"typeOfLabourIllicitActivities", "typeOfLabourManufacturing", "typeOfLabourMiningOrDrilling",
	"typeOfLabourPeddling", "typeOfLabourTransportation", "typeOfLabourOther", "typeOfLabourNotSpecified",
	"typeOfLabourConcatenated", "typeOfSexProstitution", "typeOfSexPornography",
	"typeOfSexRemoteInteractiveServices", "typeOfSexPrivateSexualServices", "typeOfSexConcatenated",
	"isAbduction", "RecruiterRelationship", "CountryOfExploitation", "recruiterRelationIntimatePartner",
	"recruiterRelationFriend", "recruiterRelationFamily", "recruiterRelationOther", "recruiterRelationUnknown",
};
#define NLAYOUT ((int)CB_COUNTOF(layout))

static const char notice[] = "Exported from casebank: coded fields only, no identifying details. Use only as "
			     "agreed with the organisation that holds the cases.";

/* Synthetic-release columns that merge several 2021 columns: read as the first member. */
static const struct {
	const char *synth, *as;
} merged[] = {
	{"meansDebtBondageEarnings", "meansOfControlDebtBondage"},
	{"meansThreats", "meansOfControlThreats"},
	{"meansAbusePsyPhySex", "meansOfControlPsychologicalAbuse"},
	{"meansFalsePromises", "meansOfControlFalsePromises"},
	{"meansDrugsAlcohol", "meansOfControlPsychoactiveSubstances"},
	{"meansDenyBasicNeeds", "meansOfControlWithholdsNecessities"},
	{"meansExcessiveWorkHours", "meansOfControlExcessiveWorkingHours"},
	{"meansWithholdDocs", "meansOfControlWithholdsDocuments"},
};

/* Gender spellings of the synthetic releases, as the 2021 labels. */
static const struct {
	const char *in, *as;
} spelling[] = {
	{"Woman", "Female"},
	{"Man", "Male"},
	{"Trans/Transgender/NonConforming", "Transgender/NonConforming"},
	{"Transgender", "Transgender/NonConforming"},
	{"Trans", "Transgender/NonConforming"},
	{"NonConforming", "Transgender/NonConforming"},
};

/* RecruiterRelationship labels, by the recruiterRelation flag suffix (the CTDC token). */
static const struct {
	const char *token, *label;
} relation_label[] = {
	{"IntimatePartner", "Intimate Partner"},
	{"Friend", "Friend/Acquaintance"},
	{"Family", "Family/Relative"},
	{"Other", "Other"},
	{"Unknown", "Not Specified"},
};
static const char relation_prefix[] = "recruiterRelation";

enum col_kind {
	COL_UNKNOWN,
	COL_VALUE,     /* a single-valued field */
	COL_FLAG,      /* one value of a multi-valued (or, for recruiter relations, single-valued) field */
	COL_NOTSPEC,   /* <prefix>NotSpecified: no casebank value */
	COL_CONCAT,    /* labels of the flags: written, ignored on import */
	COL_SEXLABOUR, /* isSexAndLabour: derived */
	COL_RELATION,  /* RecruiterRelationship labels: used when no relation flag is present */
	COL_MONTHS,    /* synthetic traffickMonths bands */
	COL_NOFIELD,   /* majorityStatusAtExploit, majorityEntry: no casebank field */
};

struct col {
	enum col_kind kind;
	int field; /* field id, or -1 */
	int value; /* value index for COL_FLAG */
	bool synth;
};

static const struct cb_field *field_with_ctdc(const char *ctdc)
{
	for (int i = 0; i < CB_NFIELDS; i++)
		if (strcmp(cb_fields[i].ctdc, ctdc) == 0)
			return &cb_fields[i];
	return NULL;
}

static void resolve(const char *name, struct col *k)
{
	*k = (struct col){COL_UNKNOWN, -1, -1, false};
	for (size_t i = 0; i < CB_COUNTOF(merged); i++)
		if (strcasecmp(name, merged[i].synth) == 0) {
			name = merged[i].as;
			k->synth = true;
		}
	for (int i = 0; i < CB_NFIELDS; i++) { /* a single-valued column ("CountryofExploitation" in 2017) */
		const struct cb_field *f = &cb_fields[i];
		if (f->ctdc[0] && f->kind != CB_MULTI && strcasecmp(name, f->ctdc) == 0) {
			k->kind = COL_VALUE;
			k->field = f->id;
			return;
		}
	}
	for (int i = 0; i < CB_NFIELDS; i++) { /* a flag column: prefix + value token */
		const struct cb_field *f = &cb_fields[i];
		size_t n = strlen(f->ctdc);
		if (!n || (f->kind != CB_MULTI && f->kind != CB_ENUM) || strncmp(name, f->ctdc, n) != 0)
			continue;
		const char *rest = name + n;
		k->field = f->id;
		if (strcmp(rest, "NotSpecified") == 0) {
			k->kind = COL_NOTSPEC;
			return;
		}
		if (strcmp(rest, "Concatenated") == 0) {
			k->kind = COL_CONCAT;
			return;
		}
		for (int v = 0; v < f->vset->count; v++)
			if (f->vset->values[v].ctdc[0] && strcmp(rest, f->vset->values[v].ctdc) == 0) {
				k->kind = COL_FLAG;
				k->value = v;
				return;
			}
		k->field = -1;
	}
	size_t len = strlen(name);
	if (len > 12 && strcmp(name + len - 12, "Concatenated") == 0)
		k->kind = COL_CONCAT; /* typeOfExploitConcatenated: its field is the column before it */
	else if (strcmp(name, "isSexAndLabour") == 0)
		k->kind = COL_SEXLABOUR;
	else if (strcmp(name, "RecruiterRelationship") == 0) {
		const struct cb_field *f = field_with_ctdc(relation_prefix);
		k->kind = f ? COL_RELATION : COL_UNKNOWN;
		k->field = f ? (int)f->id : -1;
	} else if (strcmp(name, "traffickMonths") == 0) {
		const struct cb_field *f = cb_field_find("exploitation_months");
		k->kind = f ? COL_MONTHS : COL_UNKNOWN;
		k->field = f ? (int)f->id : -1;
		k->synth = true;
	} else if (strcmp(name, "majorityStatusAtExploit") == 0 || strcmp(name, "majorityEntry") == 0)
		k->kind = COL_NOFIELD;
}

/* ---- reading */

struct ctdc_priv {
	struct col *cols;
};

static int ctdc_open(struct cb_reader_ctx *ctx, const struct cb_csv_row *header, struct cb_err *err)
{
	struct cb_buf unknown = {0};
	char vb[64];
	int rc = CB_OK, known = 0;
	struct ctdc_priv *p = calloc(1, sizeof *p);
	ctx->priv = p;
	ctx->format = CB_FMT_CTDC;
	ctx->ncols = header->nfields;
	ctx->col_field = malloc(sizeof *ctx->col_field * (size_t)header->nfields);
	if (p)
		p->cols = calloc((size_t)header->nfields, sizeof *p->cols);
	if (!p || !p->cols || !ctx->col_field)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	for (int i = 0; i < header->nfields; i++) {
		struct col *k = &p->cols[i];
		resolve(header->fields[i], k);
		if (k->synth)
			ctx->format = CB_FMT_CTDC_SYNTH;
		ctx->col_field[i] = k->kind == COL_VALUE ? k->field : k->kind == COL_UNKNOWN ? CB_COL_IGNORE : CB_COL_CODED;
		if (k->kind != COL_UNKNOWN)
			known++;
		else if (i > 0) /* the first column of the 2021 layout is a free-text notice */
			cb_buf_printf(&unknown, "%s'%s'", unknown.len ? ", " : "", cb_err_value(header->fields[i], vb));
	}
	if (unknown.len)
		rc = cb_err_set(err, CB_EINVAL, "line %ld: unknown CTDC column%s %s", header->line,
				strchr(unknown.data, ',') ? "s" : "", unknown.data);
	else if (!known)
		rc = cb_err_set(err, CB_EINVAL, "line %ld: not a CTDC header (no yearOfRegistration, gender, ... column)",
				header->line);
	if (rc != CB_OK && err)
		err->line = header->line;
	cb_buf_free(&unknown);
	return rc;
}

static void ctdc_close(struct cb_reader_ctx *ctx)
{
	struct ctdc_priv *p = ctx->priv;
	if (p)
		free(p->cols);
	free(p);
	ctx->priv = NULL;
	free(ctx->col_field);
	ctx->col_field = NULL;
}

/* Copies s without surrounding blanks into buf; "" for the missing-value markers. */
static const char *cell(const char *s, char *buf, size_t n)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (strcmp(buf, "-99") == 0 || strcasecmp(buf, "NULL") == 0)
		buf[0] = 0;
	return buf;
}

/* The CTDC labels of a field, for error messages. */
static const char *allowed_tokens(const struct cb_field *f, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	for (int v = 0; v < f->vset->count; v++) {
		const char *t = f->vset->values[v].ctdc;
		bool dup = false;
		for (int u = 0; u < v && !dup; u++)
			dup = strcmp(f->vset->values[u].ctdc, t) == 0;
		if (!t[0] || dup || o + strlen(t) + 3 >= n)
			continue;
		o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ", " : "", t);
	}
	return buf;
}

/* A value by its CTDC label.  When several values share a label (gender Transgender/NonConforming) the one
 * whose name is in the label wins, else the first.  casebank value names are accepted too. */
static int32_t token_find(const struct cb_field *f, const char *text)
{
	int32_t hit = CB_NA;
	for (size_t i = 0; i < CB_COUNTOF(spelling); i++)
		if (strcasecmp(text, spelling[i].in) == 0)
			text = spelling[i].as;
	while (text[0] == '0' && isdigit((unsigned char)text[1])) /* ageBroad 09--17 */
		text++;
	for (int v = 0; v < f->vset->count; v++) {
		const char *t = f->vset->values[v].ctdc;
		if (!t[0] || strcasecmp(t, text) != 0)
			continue;
		if (strstr(t, f->vset->values[v].name))
			return v;
		if (hit == CB_NA)
			hit = v;
	}
	return hit != CB_NA ? hit : cb_value_find(f->vset, text);
}

static int set_value(struct cb_case *c, const struct cb_field *f, const char *col, const char *text,
		     struct cb_err *err)
{
	char vb[64], ab[400];
	int32_t *m = cb_case_member(c, f);
	int rc;
	switch (f->kind) {
	case CB_ENUM:
		if ((*m = token_find(f, text)) == CB_NA)
			return cb_err_field(err, CB_EINVAL, col, "%s: '%s' is not one of %s", col, cb_err_value(text, vb),
					    allowed_tokens(f, ab, sizeof ab));
		return CB_OK;
	case CB_COUNTRY:
		if (strcasecmp(text, "00") == 0 || strcasecmp(text, "ZZ") == 0)
			return CB_OK; /* unknown country */
		if ((*m = cb_country_find(text)) == CB_NA)
			return cb_err_field(err, CB_EINVAL, col, "%s: '%s' is not an ISO 3166-1 country code", col,
					    cb_err_value(text, vb));
		return CB_OK;
	default:
		if ((rc = cb_case_set_text(c, f, text, err)) != CB_OK && err)
			snprintf(err->field, sizeof err->field, "%s", col);
		return rc;
	}
}

/* The first value (in value-set order) of the RecruiterRelationship labels. */
static int set_relation(struct cb_case *c, const struct cb_field *f, const char *col, const char *text,
			struct cb_err *err)
{
	char vb[64];
	int32_t best = CB_NA;
	while (*text) {
		const char *end = strchr(text, ';');
		size_t n = end ? (size_t)(end - text) : strlen(text);
		char seg[64], item[64];
		size_t sn = n < sizeof seg - 1 ? n : sizeof seg - 1;
		memcpy(seg, text, sn);
		seg[sn] = 0;
		cell(seg, item, sizeof item);
		if (item[0]) {
			int32_t v = CB_NA;
			for (size_t i = 0; i < CB_COUNTOF(relation_label) && v == CB_NA; i++)
				if (strcasecmp(item, relation_label[i].label) == 0)
					v = token_find(f, relation_label[i].token);
			if (v == CB_NA)
				v = token_find(f, item);
			if (v == CB_NA)
				return cb_err_field(err, CB_EINVAL, col,
						    "%s: '%s' is not one of Intimate Partner, Friend/Acquaintance, "
						    "Family/Relative, Other, Not Specified",
						    col, cb_err_value(item, vb));
			if (best == CB_NA || v < best)
				best = v;
		}
		text = end ? end + 1 : text + n;
	}
	*(int32_t *)cb_case_member(c, f) = best;
	return CB_OK;
}

static int ctdc_row(struct cb_reader_ctx *ctx, const struct cb_csv_row *row, struct cb_case *c, struct cb_err *err)
{
	struct ctdc_priv *p = ctx->priv;
	uint64_t flags[CB_NFIELDS] = {0};
	int relation_col = -1, rc;
	char buf[256], vb[64];

	if (row->nfields != ctx->ncols)
		return cb_err_set(err, CB_EINVAL, "%d fields, but the header has %d", row->nfields, ctx->ncols);
	for (int i = 0; i < row->nfields; i++) {
		const struct col *k = &p->cols[i];
		const char *v = cell(row->fields[i], buf, sizeof buf);
		if (k->kind == COL_UNKNOWN || !v[0])
			continue;
		switch (k->kind) {
		case COL_VALUE:
			if ((rc = set_value(c, &cb_fields[k->field], cb_fields[k->field].ctdc, v, err)) != CB_OK)
				return rc;
			break;
		case COL_FLAG:
			if (strcmp(v, "1") == 0)
				flags[k->field] |= UINT64_C(1) << k->value;
			else if (strcmp(v, "0") != 0)
				return cb_err_field(err, CB_EINVAL, cb_fields[k->field].ctdc,
						    "%s%s: '%s' is not a flag (0, 1 or empty)", cb_fields[k->field].ctdc,
						    cb_fields[k->field].vset->values[k->value].ctdc, cb_err_value(v, vb));
			break;
		case COL_RELATION:
			relation_col = i;
			break;
		case COL_MONTHS: {
			const struct cb_field *f = &cb_fields[k->field];
			long n = 0;
			int d = 0;
			for (; isdigit((unsigned char)v[d]) && n <= f->hi; d++)
				n = n * 10 + (v[d] - '0');
			if (!d || n > f->hi)
				return cb_err_field(err, CB_EINVAL, "traffickMonths",
						    "traffickMonths: '%s' is not a band such as 13--24 (1-2 yrs)",
						    cb_err_value(v, vb));
			*(int32_t *)cb_case_member(c, f) = (int32_t)n; /* the band's lower bound */
			break;
		}
		default: /* derived, concatenated, not specified, no casebank field */
			break;
		}
	}
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (!flags[i])
			continue;
		if (f->kind == CB_MULTI)
			*(uint64_t *)cb_case_member(c, f) = flags[i];
		else /* one relation in casebank: the first flagged, in value-set order */
			*(int32_t *)cb_case_member(c, f) = __builtin_ctzll(flags[i]);
	}
	if (relation_col >= 0) {
		const struct cb_field *f = &cb_fields[p->cols[relation_col].field];
		if (!cb_case_has(c, f) &&
		    (rc = set_relation(c, f, "RecruiterRelationship", row->fields[relation_col], err)) != CB_OK)
			return rc;
	}
	return CB_OK;
}

/* ---- writing the 2021 layout */

static struct col out_cols[CB_COUNTOF(layout)];
static struct col forced_labour, sexual_exploit;
static bool out_ready;

static void out_init(void)
{
	if (out_ready)
		return;
	for (int i = 0; i < NLAYOUT; i++) {
		resolve(layout[i], &out_cols[i]);
		if (out_cols[i].kind == COL_CONCAT && out_cols[i].field < 0 && i > 0)
			out_cols[i].field = out_cols[i - 1].field;
	}
	resolve("isForcedLabour", &forced_labour);
	resolve("isSexualExploit", &sexual_exploit);
	out_ready = true;
}

/* A multi-valued field as CTDC can say it: only the values that have a flag column.  A set of other values
 * (ChildLabour alone) is written as missing, so that reading the file back gives what it says. */
static uint64_t ctdc_set(const struct cb_case *c, const struct cb_field *f)
{
	uint64_t set = *(const uint64_t *)cb_case_cmember(c, f), mask = 0;
	for (int v = 0; v < f->vset->count; v++)
		if (f->vset->values[v].ctdc[0])
			mask |= UINT64_C(1) << v;
	return set & mask;
}

static bool present(const struct cb_case *c, const struct cb_field *f)
{
	return f->kind == CB_MULTI ? ctdc_set(c, f) != 0 : cb_case_has(c, f);
}

static bool has_flag(const struct cb_case *c, const struct col *k)
{
	const struct cb_field *f = &cb_fields[k->field];
	if (f->kind == CB_MULTI)
		return (*(const uint64_t *)cb_case_cmember(c, f) >> k->value) & 1;
	return *(const int32_t *)cb_case_cmember(c, f) == k->value;
}

static void ctdc_write_header(FILE *f, unsigned flags)
{
	(void)flags;
	cb_csv_put(f, notice, ';');
	for (int i = 0; i < NLAYOUT; i++) {
		fputc(';', f);
		cb_csv_put(f, layout[i], ';');
	}
	fputc('\n', f);
}

/* The text of one 2021 column for case c. */
static void column_text(const struct cb_case *c, const struct col *k, struct cb_buf *b)
{
	const struct cb_field *f = k->field >= 0 ? &cb_fields[k->field] : NULL;
	cb_buf_reset(b);
	if (k->kind == COL_SEXLABOUR) {
		if (present(c, &cb_fields[forced_labour.field]))
			cb_buf_printf(b, "%d", has_flag(c, &forced_labour) && has_flag(c, &sexual_exploit));
		return;
	}
	if (!f || !present(c, f))
		return; /* missing: empty */
	const int32_t v = f->kind == CB_MULTI ? 0 : *(const int32_t *)cb_case_cmember(c, f);
	switch (k->kind) {
	case COL_VALUE:
		if (f->kind == CB_ENUM)
			cb_buf_printf(b, "%s", f->vset->values[v].ctdc);
		else if (f->kind == CB_COUNTRY)
			cb_buf_printf(b, "%s", cb_countries[v].alpha2);
		else
			cb_buf_printf(b, "%d", (int)v);
		break;
	case COL_FLAG: cb_buf_printf(b, "%d", has_flag(c, k)); break;
	case COL_NOTSPEC: cb_buf_printf(b, "0"); break;
	case COL_CONCAT:
		for (int i = 0; i < f->vset->count; i++) {
			struct col one = {COL_FLAG, k->field, i, false};
			if (f->vset->values[i].ctdc[0] && has_flag(c, &one))
				cb_buf_printf(b, "%s%s", b->len ? "; " : "", f->vset->values[i].label);
		}
		break;
	case COL_RELATION:
		for (size_t i = 0; i < CB_COUNTOF(relation_label); i++)
			if (strcmp(relation_label[i].token, f->vset->values[v].ctdc) == 0)
				cb_buf_printf(b, "%s", relation_label[i].label);
		break;
	default: break;
	}
}

static void ctdc_write_case(FILE *f, const struct cb_case *c, unsigned flags)
{
	struct cb_buf b = {0};
	(void)flags; /* CTDC has no identifying details */
	out_init();
	for (int i = 0; i < NLAYOUT; i++) {
		column_text(c, &out_cols[i], &b);
		fputc(';', f);
		cb_csv_put(f, b.data ? b.data : "", ';');
	}
	fputc('\n', f);
	cb_buf_free(&b);
}

const struct cb_format cb_format_ctdc = {
	.name = "ctdc",
	.delim = ';',
	.open_header = ctdc_open,
	.row_to_case = ctdc_row,
	.close = ctdc_close,
	.write_header = ctdc_write_header,
	.write_case = ctdc_write_case,
};

/* The 2024-25 synthetic releases: read with the same column resolution; not written. */
const struct cb_format cb_format_ctdc_synth = {
	.name = "ctdc-synthetic",
	.delim = ',',
	.open_header = ctdc_open,
	.row_to_case = ctdc_row,
	.close = ctdc_close,
	.write_header = NULL,
	.write_case = NULL,
};

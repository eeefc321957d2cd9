/*
 * demo.c -- synthetic demo data: `casebank demo DB --cases N --seed S`.
 *
 * Cases whose distributions resemble the published CTDC figures (docs/demo.md): offices in countries of
 * origin register returnees, offices in countries of destination register arrivals; caseload grows over the
 * years and labour exploitation gains on sexual exploitation.  Every case gets fake identifying details
 * (names from the citizenship's region, narrative from templates that match its coded facts) so that
 * encryption is exercised.  Distributions are weight tables indexed by value-set order.
 *
 * Everything comes from one random stream (demo_rng.c), the same on every machine.  Identifying details
 * come from a second stream seeded by one draw of the first, so the coded fields of a
 * case are the same with and without them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/demo_names.h"
#include "io/io.h"
#include "store/sites.h"

#define PICK(r, w) cb_demo_pick(r, w, (int)CB_COUNTOF(w))
/* For a table chosen at run time among tables of one value set. */
#define VPICK(r, set, w) cb_demo_pick(r, w, CB_##set##__COUNT)
/* A weight table over a whole value set, checked against the set's size at compile time. */
#define VTAB(name, set, ...)                                                                                \
	static const uint16_t name[] = {__VA_ARGS__};                                                       \
	_Static_assert(CB_COUNTOF(name) == CB_##set##__COUNT, #name " must have one weight per " #set " value")
#define BIT(i) (UINT64_C(1) << (i))

/* ---- countries: alpha-2, naming region, calling code */

#define DEMO_COUNTRIES(X)                                                                                   \
	X(US, ENG, "1") X(MX, ESP, "52") X(GT, ESP, "502") X(HN, ESP, "504") X(SV, ESP, "503")               \
	X(CN, CHN, "86") X(PH, FIL, "63") X(NG, NIG, "234") X(GH, NIG, "233") X(UA, UKR, "380")               \
	X(BY, RUS, "375") X(RU, RUS, "7") X(UZ, CAS, "998") X(TJ, CAS, "992") X(KG, CAS, "996")              \
	X(MD, ROM, "373") X(RO, ROM, "40") X(TH, THA, "66") X(LA, THA, "856") X(IN, SAS, "91")              \
	X(BD, SAS, "880") X(VN, VNM, "84") X(ID, IDN, "62") X(MY, IDN, "60") X(MM, MMR, "95")              \
	X(KH, KHM, "855") X(NP, NEP, "977") X(UG, EAF, "256") X(KE, EAF, "254") X(PL, ENG, "48")            \
	X(DE, ENG, "49") X(CZ, ENG, "420") X(TR, ENG, "90") X(IT, ENG, "39") X(AE, ENG, "971")              \
	X(IL, ENG, "972") X(SA, ENG, "966") X(KW, ENG, "965") X(HK, CHN, "852") X(QA, ENG, "974")           \
	X(JP, ENG, "81") X(SG, ENG, "65") X(TW, CHN, "886") X(LY, ENG, "218") X(ES, ESP, "34")              \
	X(ML, ENG, "223") X(LB, ENG, "961") X(GB, ENG, "44") X(OM, ENG, "968") X(CA, ENG, "1")              \
	X(CY, ENG, "357") X(PT, ENG, "351") X(FR, ENG, "33")

#define X(cc, region, dial) C_##cc,
enum demo_cc { DEMO_COUNTRIES(X) C__COUNT };
#undef X
#define X(cc, region, dial) {#cc, R_##region, dial},
static const struct {
	const char *code;
	enum demo_region_id region;
	const char *dial;
} demo_cc[C__COUNT] = {DEMO_COUNTRIES(X)};
#undef X

/* ---- offices.  An origin office registers returnees (partners: destinations); a destination office
 * registers arrivals (partners: citizenships).  The office's own country among its partners is internal
 * trafficking. */

#define FIRST_YEAR 2002
#define LAST_YEAR 2025
#define NYEARS (LAST_YEAR - FIRST_YEAR + 1)

struct demo_partner {
	uint8_t cc, w;
};
struct demo_site {
	const char *code, *city;
	uint8_t cc;
	bool origin;
	uint8_t weight;   /* share of the caseload among open offices */
	uint16_t opened;  /* first year with cases */
	uint8_t labour;   /* % labour exploitation in 2014; +2 points a year after, -2 before */
	uint8_t hotline;  /* % of cases from the hotline */
	uint8_t sector;   /* the labour sector this office sees most */
	struct demo_partner partner[13]; /* ends at w == 0 */
};

#define P(cc, w) {C_##cc, w}
#define SECTOR(s) CB_labour_sector_##s
static const struct demo_site demo_sites[] = {
	{"US-NEWYORK", "New York", C_US, false, 12, 2002, 18, 25, SECTOR(hospitality),
	 {P(US, 45), P(MX, 14), P(CN, 7), P(PH, 5), P(GT, 5), P(HN, 5), P(SV, 4), P(NG, 3), P(UA, 3), P(TH, 3), P(IN, 3), P(VN, 3)}},
	{"US-HOUSTON", "Houston", C_US, false, 11, 2002, 25, 20, SECTOR(construction),
	 {P(US, 40), P(MX, 30), P(HN, 8), P(GT, 8), P(SV, 6), P(VN, 3), P(IN, 3), P(NG, 2)}},
	{"US-LOSANGELES", "Los Angeles", C_US, false, 10, 2003, 25, 20, SECTOR(manufacturing),
	 {P(US, 40), P(MX, 20), P(PH, 10), P(TH, 8), P(CN, 7), P(GT, 5), P(VN, 4), P(ID, 3), P(KH, 3)}},
	{"US-CHICAGO", "Chicago", C_US, false, 7, 2005, 15, 30, SECTOR(hospitality),
	 {P(US, 62), P(MX, 15), P(UA, 5), P(NG, 5), P(PH, 5), P(IN, 4), P(MD, 4)}},
	{"RU-MOSCOW", "Moscow", C_RU, false, 2, 2006, 70, 10, SECTOR(construction),
	 {P(UZ, 30), P(TJ, 20), P(KG, 15), P(UA, 12), P(RU, 10), P(MD, 8), P(BY, 5)}},
	{"TH-BANGKOK", "Bangkok", C_TH, false, 3, 2004, 60, 10, SECTOR(aquafarming),
	 {P(MM, 35), P(KH, 30), P(LA, 20), P(TH, 10), P(VN, 5)}},
	{"MY-KUALALUMPUR", "Kuala Lumpur", C_MY, false, 3, 2008, 65, 10, SECTOR(manufacturing),
	 {P(ID, 35), P(MM, 20), P(BD, 15), P(NP, 10), P(PH, 8), P(KH, 7), P(VN, 5)}},
	{"AE-DUBAI", "Dubai", C_AE, false, 2, 2011, 60, 15, SECTOR(domestic_work),
	 {P(PH, 25), P(IN, 20), P(NP, 15), P(BD, 10), P(ID, 10), P(UG, 10), P(KE, 10)}},
	{"UA-KYIV", "Kyiv", C_UA, true, 6, 2002, 55, 25, SECTOR(construction),
	 {P(RU, 22), P(PL, 16), P(UA, 14), P(DE, 8), P(CZ, 8), P(TR, 7), P(IT, 6), P(AE, 5), P(IL, 5), P(US, 3), P(ES, 3), P(PT, 3)}},
	{"UA-ODESA", "Odesa", C_UA, true, 2, 2004, 45, 15, SECTOR(aquafarming),
	 {P(TR, 20), P(RU, 18), P(UA, 15), P(PL, 10), P(AE, 8), P(IL, 8), P(CY, 6), P(DE, 6), P(IT, 5), P(US, 4)}},
	{"MD-CHISINAU", "Chisinau", C_MD, true, 3, 2002, 45, 20, SECTOR(agriculture),
	 {P(RU, 25), P(TR, 15), P(MD, 10), P(IT, 10), P(AE, 8), P(CY, 6), P(DE, 6), P(IL, 5), P(UA, 5), P(PT, 5), P(RO, 5)}},
	{"RO-BUCHAREST", "Bucharest", C_RO, true, 1, 2007, 40, 10, SECTOR(begging),
	 {P(RO, 30), P(IT, 18), P(ES, 15), P(DE, 12), P(GB, 12), P(FR, 8), P(CY, 5)}},
	{"PH-MANILA", "Manila", C_PH, true, 5, 2003, 50, 10, SECTOR(domestic_work),
	 {P(PH, 30), P(SA, 18), P(AE, 12), P(MY, 10), P(KW, 8), P(US, 8), P(HK, 5), P(QA, 4), P(JP, 5)}},
	{"ID-JAKARTA", "Jakarta", C_ID, true, 4, 2005, 65, 5, SECTOR(domestic_work),
	 {P(MY, 40), P(ID, 20), P(SA, 15), P(HK, 5), P(TW, 5), P(SG, 5), P(JP, 5), P(AE, 5)}},
	{"KH-PHNOMPENH", "Phnom Penh", C_KH, true, 3, 2004, 55, 5, SECTOR(aquafarming),
	 {P(TH, 50), P(KH, 20), P(MY, 12), P(CN, 10), P(ID, 5), P(VN, 3)}},
	{"NP-KATHMANDU", "Kathmandu", C_NP, true, 2, 2008, 50, 10, SECTOR(domestic_work),
	 {P(IN, 40), P(NP, 20), P(MY, 15), P(AE, 8), P(SA, 8), P(QA, 6), P(KW, 3)}},
	{"NG-LAGOS", "Lagos", C_NG, true, 2, 2009, 20, 5, SECTOR(domestic_work),
	 {P(NG, 30), P(IT, 15), P(LY, 12), P(ES, 8), P(GH, 8), P(RU, 6), P(ML, 6), P(SA, 5), P(LB, 5), P(GB, 5)}},
	{"BD-DHAKA", "Dhaka", C_BD, true, 2, 2010, 60, 5, SECTOR(construction),
	 {P(IN, 30), P(MY, 20), P(SA, 15), P(BD, 15), P(AE, 10), P(OM, 5), P(QA, 5)}},
	{"MM-YANGON", "Yangon", C_MM, true, 2, 2012, 55, 5, SECTOR(aquafarming),
	 {P(TH, 40), P(CN, 30), P(MY, 15), P(MM, 15)}},
	{"MX-MEXICOCITY", "Mexico City", C_MX, true, 2, 2010, 30, 20, SECTOR(agriculture),
	 {P(MX, 55), P(US, 40), P(CA, 5)}},
	{"UG-KAMPALA", "Kampala", C_UG, true, 1, 2013, 55, 10, SECTOR(domestic_work),
	 {P(SA, 30), P(AE, 25), P(UG, 20), P(KE, 10), P(QA, 10), P(OM, 5)}},
};
#undef P

/* Caseload by year of registration, 2002-2025: growth to a 2016-2019 peak, a dip in 2020. */
static const uint16_t year_w[NYEARS] = {10, 14, 18, 22, 26, 30, 36, 40, 45, 50, 56, 62,
					70, 80, 95, 105, 110, 115, 70, 75, 80, 85, 80, 70};

/* Country indexes and 1 January of each year, resolved once. */
static int32_t cc_index[C__COUNT];
static int32_t jan1[NYEARS + 1];
static pthread_once_t resolved = PTHREAD_ONCE_INIT;

static void resolve(void)
{
	char buf[16];
	for (int i = 0; i < C__COUNT; i++)
		cc_index[i] = cb_country_find(demo_cc[i].code);
	for (int y = 0; y <= NYEARS; y++) {
		snprintf(buf, sizeof buf, "%04d-01-01", FIRST_YEAR + y);
		cb_date_parse(buf, &jan1[y]);
	}
}

/* ---- coded fields */

enum demo_kind { K_SEXUAL, K_LABOUR, K_BOTH, K_OTHER };

VTAB(gender_sexual, gender, 920, 60, 10, 2, 5, 3);
VTAB(gender_labour, gender, 420, 570, 0, 0, 2, 8);
VTAB(gender_both, gender, 800, 190, 0, 0, 0, 10);
VTAB(gender_other, gender, 850, 140, 0, 0, 0, 10);
static const uint16_t *const gender_w[] = {gender_sexual, gender_labour, gender_both, gender_other};

VTAB(age_sexual, age_group, 10, 170, 180, 170, 140, 100, 140, 60, 30);
VTAB(age_labour, age_group, 20, 70, 80, 110, 130, 130, 250, 140, 70);
static const int32_t age_lo[] = {0, 9, 18, 21, 24, 27, 30, 39, 48}, age_hi[] = {8, 17, 20, 23, 26, 29, 38, 47, 70};

/* Other exploitation: ForcedMarriage, Servitude, ForcedBegging, OrganRemoval, Other (demo_other_phrase). */
static const int32_t other_type[] = {CB_exploitation_type_ForcedMarriage, CB_exploitation_type_Servitude,
				     CB_exploitation_type_ForcedBegging, CB_exploitation_type_OrganRemoval,
				     CB_exploitation_type_Other};
static const uint16_t other_w[] = {40, 15, 15, 5, 25};

VTAB(sector_female, labour_sector, 12, 2, 4, 2, 30, 15, 4, 16, 1, 5, 1, 8);
VTAB(sector_male, labour_sector, 20, 10, 3, 28, 3, 6, 5, 13, 5, 3, 4, 5);
VTAB(sex_before2015, sexual_exploitation_type, 82, 8, 2, 8);
VTAB(sex_since2015, sexual_exploitation_type, 72, 9, 12, 7);
VTAB(means_sexual, means_of_control, 20, 5, 8, 10, 12, 15, 12, 12, 4, 3, 3, 18, 7, 6, 8, 14, 1, 3);
VTAB(means_labour, means_of_control, 12, 8, 4, 18, 20, 8, 1, 18, 6, 5, 8, 10, 1, 20, 18, 12, 0, 3);
static const uint16_t nmeans_w[] = {0, 30, 30, 22, 12, 6};

VTAB(job_sexual, promised_job, 0, 1, 3, 1, 4, 30, 1, 2, 0, 10, 2, 0, 0, 0, 15, 25, 1, 4, 0, 1, 0, 6);
VTAB(job_labour, promised_job, 1, 0, 1, 1, 2, 10, 8, 6, 8, 15, 10, 5, 0, 10, 10, 6, 0, 8, 2, 2, 4, 5);
VTAB(recruit_w, recruitment_method, 6, 2, 5, 12, 8, 1, 5, 12, 30, 10, 4);
VTAB(relation_w, recruiter_relation, 12, 35, 15, 30, 8);
VTAB(rsex_w, recruiter_sex, 25, 50, 20, 5);
VTAB(education_w, education, 0, 20, 25, 30, 10, 5, 8, 2, 0);
VTAB(marital_w, marital_status, 50, 25, 3, 12, 8, 2);
VTAB(occupation_adult, occupation, 0, 0, 2, 2, 3, 15, 10, 6, 5, 25, 30, 2, 5);
VTAB(occupation_minor, occupation, 0, 0, 0, 0, 0, 5, 5, 0, 0, 10, 20, 60, 0);
VTAB(employed_w, yes_no_unknown, 35, 55, 10);
VTAB(experience_w, work_experience, 30, 55, 15);
VTAB(tstatus_w, trafficking_status, 37, 60, 3);
VTAB(decided_w, decision_org, 30, 35, 10, 20, 5);
VTAB(status_old, case_status, 3, 7, 75, 15);
VTAB(status_new, case_status, 35, 30, 25, 10);
VTAB(identified_w, identified_by, 30, 25, 12, 5, 15, 5, 8);
static const uint16_t children_w[] = {45, 25, 17, 8, 3, 2};
static const int32_t months_lo[] = {0, 2, 7, 13, 25, 61}, months_hi[] = {1, 6, 12, 24, 60, 180};
static const uint16_t months_w[] = {15, 30, 22, 18, 12, 3};

static int pick_site(struct cb_demo_rng *r, int year)
{
	uint16_t w[CB_COUNTOF(demo_sites)];
	for (size_t i = 0; i < CB_COUNTOF(demo_sites); i++)
		w[i] = demo_sites[i].opened <= year ? demo_sites[i].weight : 0;
	return PICK(r, w);
}

static int pick_partner(struct cb_demo_rng *r, const struct demo_site *site)
{
	uint16_t w[CB_COUNTOF(site->partner)];
	int n = 0;
	for (; n < (int)CB_COUNTOF(site->partner) && site->partner[n].w; n++)
		w[n] = site->partner[n].w;
	return site->partner[cb_demo_pick(r, w, n)].cc;
}

/* Up to n distinct values drawn from a weight table, as a set. */
static uint64_t pick_set(struct cb_demo_rng *r, const uint16_t *w, int nw, int n)
{
	uint64_t set = 0;
	for (int i = 0; i < n * 3 && __builtin_popcountll(set) < n; i++)
		set |= BIT(cb_demo_pick(r, w, nw));
	return set;
}

static int32_t either(struct cb_demo_rng *r, unsigned missing_permille, int32_t value)
{
	return cb_demo_chance(r, missing_permille) ? CB_NA : value;
}

static enum demo_kind pick_kind(struct cb_demo_rng *r, const struct demo_site *site, int year)
{
	int labour = site->labour + 2 * (year - 2014);
	labour = labour < 5 ? 5 : labour > 90 ? 90 : labour;
	uint32_t x = cb_demo_below(r, 1000);
	if (x < 40)
		return K_OTHER;
	if (x < 95)
		return K_BOTH;
	return cb_demo_below(r, 100) < (uint32_t)labour ? K_LABOUR : K_SEXUAL;
}

/* What the person was made to do; the kind was drawn first because gender and age depend on it. */
static void exploitation(struct cb_demo_rng *r, struct cb_case *c, const struct demo_site *site, enum demo_kind k)
{
	bool sexual = k == K_SEXUAL || k == K_BOTH, labour = k == K_LABOUR || k == K_BOTH;
	if (sexual)
		c->exploitation_type |= BIT(CB_exploitation_type_SexualExploitation);
	if (labour)
		c->exploitation_type |= BIT(CB_exploitation_type_ForcedLabour);
	if (k == K_OTHER)
		c->exploitation_type |= BIT(other_type[PICK(r, other_w)]);
	if (labour && c->age_at_registration != CB_NA && c->age_at_registration < 18 && cb_demo_chance(r, 500))
		c->exploitation_type |= BIT(CB_exploitation_type_ChildLabour);
	if (labour && !cb_demo_chance(r, 150)) {
		const uint16_t *w = c->gender == CB_gender_Feminine ? sector_female : sector_male;
		int s = cb_demo_chance(r, 300) ? site->sector : VPICK(r, labour_sector, w);
		c->labour_sector = BIT(s) | (cb_demo_chance(r, 100) ? BIT(VPICK(r, labour_sector, w)) : 0);
	}
	if (c->exploitation_type & BIT(CB_exploitation_type_ForcedBegging))
		c->labour_sector |= BIT(CB_labour_sector_begging);
	if (sexual && !cb_demo_chance(r, 200)) {
		const uint16_t *w = c->year >= 2015 ? sex_since2015 : sex_before2015;
		c->sexual_exploitation_type =
			pick_set(r, w, CB_sexual_exploitation_type__COUNT, cb_demo_chance(r, 100) ? 2 : 1);
	}
	if (!cb_demo_chance(r, 400))
		c->means_of_control = pick_set(r, sexual ? means_sexual : means_labour, CB_means_of_control__COUNT,
					       PICK(r, nmeans_w));
	if (!cb_demo_chance(r, 350)) {
		int m = PICK(r, months_w);
		c->exploitation_months = cb_demo_between(r, months_lo[m], months_hi[m]);
	}
}

static void recruitment(struct cb_demo_rng *r, struct cb_case *c, bool sexual)
{
	if (!cb_demo_chance(r, 300)) {
		int m = PICK(r, recruit_w);
		bool online = m == CB_recruitment_method_SocialNetworks || m == CB_recruitment_method_OnlineAd;
		if (online && c->year < 2008)
			m = CB_recruitment_method_NewspaperAd; /* before social media */
		c->recruitment_method = BIT(m) | (cb_demo_chance(r, 120) ? BIT(PICK(r, recruit_w)) : 0);
	}
	bool abducted = c->recruitment_method & BIT(CB_recruitment_method_abduction);
	if (!cb_demo_chance(r, 350)) {
		c->recruiter_relation = PICK(r, relation_w);
		if (c->recruitment_method & BIT(CB_recruitment_method_Family) && cb_demo_chance(r, 700))
			c->recruiter_relation = CB_recruiter_relation_family;
		else if (sexual && cb_demo_chance(r, 100))
			c->recruiter_relation = CB_recruiter_relation_intimate_partner;
	}
	c->recruiter_sex = either(r, 450, PICK(r, rsex_w));
	if (!abducted && !cb_demo_chance(r, 400))
		c->intended_country = c->destination_country;
	if (!abducted && !cb_demo_chance(r, 350)) {
		int s = __builtin_ffsll((long long)c->labour_sector) - 1; /* often the very sector promised */
		c->promised_job = s >= 0 && cb_demo_chance(r, 600) ? CB_promised_job_agriculture + s
							   : VPICK(r, promised_job, sexual ? job_sexual : job_labour);
	}
}

static void person(struct cb_demo_rng *r, struct cb_case *c, enum demo_kind k)
{
	c->gender = either(r, 2, VPICK(r, gender, gender_w[k]));
	uint32_t a = cb_demo_below(r, 1000);
	int band = VPICK(r, age_group, k == K_SEXUAL || k == K_BOTH ? age_sexual : age_labour);
	if (a >= 80) { /* 92% of ages known */
		c->age_at_registration = cb_demo_between(r, age_lo[band], age_hi[band]);
		/* Birthdays fall all over the year: one after the day of registration is still to come, so the
		 * person was born a year earlier.  Drawn from a generator forked off r, so r's stream -- the rest of
		 * the case -- stays what it was; pii() places the birth date on the matching side of that day. */
		struct cb_demo_rng fork;
		cb_demo_rng_seed(&fork, r->s[1] ^ r->s[2] ^ UINT64_C(0x6269727468646179));
		int32_t doy = c->registered_on - jan1[c->year - FIRST_YEAR];
		int32_t days = jan1[c->year - FIRST_YEAR + 1] - jan1[c->year - FIRST_YEAR];
		bool to_come = (int32_t)cb_demo_below(&fork, (uint32_t)days) > doy;
		c->birth_year = c->year - c->age_at_registration - (to_come ? 1 : 0);
	} else if (a >= 40) { /* only the band was recorded */
		c->age_group = band;
		c->majority = band <= CB_age_group_a9_17 ? CB_majority_minor : CB_majority_adult;
	}
	bool minor = band <= CB_age_group_a9_17, child = band == CB_age_group_a0_8;
	c->education = child ? CB_NA : either(r, 450, minor ? cb_demo_between(r, CB_education_Primary, CB_education_LowerSec)
							  : PICK(r, education_w));
	c->marital_status = either(r, 400, minor ? CB_marital_status_Single : PICK(r, marital_w));
	c->children = either(r, 500, minor ? (cb_demo_chance(r, 30) ? 1 : 0) : PICK(r, children_w));
	c->occupation_home =
		child ? CB_NA : either(r, 300, VPICK(r, occupation, minor ? occupation_minor : occupation_adult));
	c->employed_at_recruitment = either(r, 250, c->occupation_home == CB_occupation_unemployed
							    ? CB_yes_no_unknown_no : PICK(r, employed_w));
	c->work_experience = child ? CB_NA : either(r, 400, PICK(r, experience_w));
}

static void registration(struct cb_demo_rng *r, struct cb_case *c, const struct demo_site *site)
{
	c->data_source = cb_demo_chance(r, site->hotline * 10u) ? CB_data_source_hotline : CB_data_source_case_management;
	if (c->data_source == CB_data_source_hotline && cb_demo_chance(r, 800))
		c->identified_by = CB_identified_by_hotline;
	else
		c->identified_by = either(r, 200, PICK(r, identified_w));
	if (c->identified_by == CB_identified_by_labour_inspection && !(c->labour_sector))
		c->identified_by = CB_identified_by_police;
	c->trafficking_status = either(r, 20, PICK(r, tstatus_w));
	c->status_decided_by = c->trafficking_status == CB_NA ? CB_NA : either(r, 550, PICK(r, decided_w));
	c->status = VPICK(r, case_status, c->year >= 2021 ? status_new : status_old);
	c->consent_assistance = cb_demo_chance(r, 930) ? CB_yes_no_yes : CB_yes_no_no;
	c->consent_statistics = cb_demo_chance(r, 950) ? CB_yes_no_yes : CB_yes_no_no;
	c->consent_share_partners = cb_demo_chance(r, 700) ? CB_yes_no_yes : CB_yes_no_no;
}

/* ---- identifying details */

/* What a narrative template's %-tokens stand for. */
struct words {
	const char *name, *obj, *poss, *recruiter, *home, *job, *dest, *office, *sector, *months, *street, *town;
	int num;
};

struct text {
	char buf[2048];
	size_t len;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (n > sizeof t->buf - 1 - t->len)
		n = sizeof t->buf - 1 - t->len;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = 0;
}

/* Appends tpl with its tokens replaced, as a sentence: capitalised, a space before it. */
static void say(struct text *t, const char *tpl, const struct words *w)
{
	if (t->len)
		put(t, " ", 1);
	size_t start = t->len;
	char num[16];
	for (const char *p = tpl; *p; p++) {
		const char *v = NULL;
		if (*p == '%' && p[1]) {
			switch (*++p) {
			case 'N': v = w->name; break;
			case 'o': v = w->obj; break;
			case 'p': v = w->poss; break;
			case 'R': v = w->recruiter; break;
			case 'H': v = w->home; break;
			case 'J': v = w->job; break;
			case 'D': v = w->dest; break;
			case 'O': v = w->office; break;
			case 'L': v = w->sector; break;
			case 'M': v = w->months; break;
			case 's': v = w->street; break;
			case 't': v = w->town; break;
			case 'd': snprintf(num, sizeof num, "%d", w->num); v = num; break;
			}
		}
		if (v)
			put(t, v, strlen(v));
		else
			put(t, p, 1);
	}
	if (t->buf[start] >= 'a' && t->buf[start] <= 'z')
		t->buf[start] = (char)(t->buf[start] - 'a' + 'A');
}

static const char *one(struct cb_demo_rng *r, struct demo_list l) { return l.s[cb_demo_below(r, (uint32_t)l.n)]; }

static int set_pii(char **dst, const char *s)
{
	*dst = strdup(s);
	return *dst ? CB_OK : CB_ENOMEM;
}

/* A set bit of a non-empty set, at random. */
static int any_bit(struct cb_demo_rng *r, uint64_t set)
{
	int k = (int)cb_demo_below(r, (uint32_t)__builtin_popcountll(set));
	while (k--)
		set &= set - 1;
	return __builtin_ctzll(set);
}

static void narrative(struct cb_demo_rng *r, const struct cb_case *c, enum demo_kind k, struct words *w,
		      struct text *t)
{
	if (c->recruitment_method)
		say(t, demo_recruit_phrase[__builtin_ctzll(c->recruitment_method)], w);
	else
		say(t, "%N travelled from %H to %D looking for %J.", w);
	if (k == K_SEXUAL || k == K_BOTH)
		say(t, c->sexual_exploitation_type ? demo_sex_phrase[__builtin_ctzll(c->sexual_exploitation_type)]
						   : "There %N was sexually exploited.", w);
	if (k == K_LABOUR || k == K_BOTH)
		say(t, k == K_BOTH ? "%N was also made to %L%M."
			: c->promised_job != CB_NA ? "Instead %N was made to %L%M." : "There %N was made to %L%M.", w);
	if (k == K_OTHER)
		for (size_t i = 0; i < CB_COUNTOF(other_type); i++)
			if (c->exploitation_type & BIT(other_type[i]))
				say(t, demo_other_phrase[i], w);
	if (c->means_of_control && k != K_BOTH)
		say(t, demo_control_phrase[any_bit(r, c->means_of_control)], w);
	if (c->identified_by != CB_NA)
		say(t, demo_exit_phrase[c->identified_by], w);
}

/* A birth date in c->birth_year that makes the age exact on registered_on: on or before that day of the year
 * when birth_year says the birthday has come (see person()), after it otherwise; uniform within that part, so
 * that over all cases birthdays spread evenly over the year. */
static int birth_date(struct cb_demo_rng *r, struct cb_case *c, char buf[static 32])
{
	char on[11];
	int32_t lo, hi;
	cb_date_format(c->registered_on, on);
	bool come = c->year - c->birth_year == c->age_at_registration;
	snprintf(buf, 32, "%04d-%.5s", (int)c->birth_year, on + 5);
	if (cb_date_parse(buf, &hi) != CB_OK) { /* 29 February in a common year */
		snprintf(buf, 32, "%04d-02-28", (int)c->birth_year);
		cb_date_parse(buf, &hi);
	}
	snprintf(buf, 32, "%04d-01-01", (int)c->birth_year);
	cb_date_parse(buf, &lo);
	if (!come) {
		lo = hi + 1;
		snprintf(buf, 32, "%04d-12-31", (int)c->birth_year);
		cb_date_parse(buf, &hi);
	}
	if (hi < lo)
		hi = lo;
	cb_date_format(lo + (int32_t)cb_demo_below(r, (uint32_t)(hi - lo + 1)), buf);
	return set_pii(&c->birth_date, buf);
}

/* Fake identifying details that fit the coded facts: names from the citizenship's region, a birth date
 * in birth_year that makes the age exact on registered_on, contact details, a narrative. */
static int pii(struct cb_demo_rng *r, struct cb_case *c, const struct demo_site *site, int cit, int dest,
	       enum demo_kind k)
{
	const struct demo_region *reg = &demo_regions[demo_cc[cit >= 0 ? cit : site->cc].region];
	bool female = c->gender == CB_gender_Feminine || c->gender == CB_gender_TransgenderFeminine ||
		      ((c->gender == CB_NA || c->gender >= CB_gender_NonConforming) && cb_demo_chance(r, 500));
	bool male = c->gender == CB_gender_Masculine || c->gender == CB_gender_TransgenderMasculine;
	const char *first = one(r, female ? reg->female : reg->male), *last = one(r, reg->last);
	struct text t = {.len = 0};
	char buf[128], dest_name[96], months[32] = "", office[64];
	int rc;

	if ((rc = set_pii(&c->first_name, first)) || (!cb_demo_chance(r, 50) && (rc = set_pii(&c->last_name, last))))
		return rc;
	/* Half the people carry a second surname (a mother's, a married name), as in many of the regions' naming
	 * customs; the duplicates' "missing part" error drops one.  Drawn from a generator forked off r, so r's
	 * stream -- everything else about the case -- stays what it was. */
	struct cb_demo_rng fork;
	cb_demo_rng_seed(&fork, r->s[0] ^ r->s[3] ^ UINT64_C(0x7375726e616d6532));
	if (c->last_name && cb_demo_chance(&fork, 500)) {
		const char *second = one(&fork, reg->last);
		if (strcmp(second, last)) {
			snprintf(buf, sizeof buf, "%s %s", last, second);
			cb_text_free(&c->last_name);
			if ((rc = set_pii(&c->last_name, buf)))
				return rc;
		}
	}
	if (cb_demo_chance(r, 100)) { /* a nickname, sometimes a second full name */
		const struct demo_list *names = female ? &reg->female : &reg->male;
		size_t o = (size_t)snprintf(buf, sizeof buf, "%s", one(r, *names));
		if (cb_demo_chance(r, 300))
			snprintf(buf + o, sizeof buf - o, "; %s %s", one(r, *names), one(r, reg->last));
		if ((rc = set_pii(&c->aliases, buf)))
			return rc;
	}
	if (c->birth_year != CB_NA && cb_demo_chance(r, 850) && (rc = birth_date(r, c, buf)))
		return rc;
	const char *dial = demo_cc[cit >= 0 ? cit : site->cc].dial;
	if (cb_demo_chance(r, 900)) {
		if (strcmp(dial, "1") == 0) /* 555-01xx: numbers reserved for fiction */
			snprintf(buf, sizeof buf, "+1%03u55501%02u", 200 + cb_demo_below(r, 800), cb_demo_below(r, 100));
		else
			snprintf(buf, sizeof buf, "+%s%u%08u", dial, 1 + cb_demo_below(r, 9), cb_demo_below(r, 100000000));
		if ((rc = set_pii(&c->phone, buf)))
			return rc;
	}
	if (cb_demo_chance(r, 350)) {
		size_t o = 0;
		for (const char *p = first; *p && o < 40; p++)
			if (*p != ' ')
				buf[o++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		buf[o++] = '.';
		for (const char *p = last; *p && o < 80; p++)
			if (*p != ' ')
				buf[o++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		snprintf(buf + o, sizeof buf - o, "%02u@example.%s", cb_demo_below(r, 100), cb_demo_chance(r, 500) ? "org" : "net");
		if ((rc = set_pii(&c->email, buf)))
			return rc;
	}
	struct words w = {.name = first, .obj = female ? "her" : male ? "him" : "them",
			  .poss = female ? "her" : male ? "his" : "their", .town = one(r, reg->town),
			  .street = one(r, reg->last), .num = cb_demo_between(r, 1, 120)};
	if (cb_demo_chance(r, 700)) {
		say(&t, reg->addr, &w);
		if ((rc = set_pii(&c->address, t.buf)))
			return rc;
		t.len = 0;
	}
	if (cb_demo_chance(r, 600)) {
		snprintf(buf, sizeof buf, "%c%c%07u", 'A' + cb_demo_below(r, 26), 'A' + cb_demo_below(r, 26),
			 cb_demo_below(r, 10000000));
		if ((rc = set_pii(&c->id_document_number, buf)))
			return rc;
	}
	if (cb_demo_chance(r, 100))
		return CB_OK; /* no narrative recorded */

	static const char *const rel[] = {"a partner", "a friend", "a relative", NULL, NULL};
	static const char *const rsex[] = {"a woman", "a man", "a couple", "someone"};
	w.recruiter = c->recruiter_relation != CB_NA && rel[c->recruiter_relation] ? rel[c->recruiter_relation]
		      : c->recruiter_sex != CB_NA ? rsex[c->recruiter_sex] : "someone";
	w.home = w.town;
	w.job = c->promised_job != CB_NA ? demo_job_phrase[c->promised_job] : "work";
	if (dest >= 0) {
		const char *name = cb_countries[cc_index[dest]].name;
		bool the = strncmp(name, "United ", 7) == 0 || strcmp(name, "Philippines") == 0 ||
			   strcmp(name, "Russian Federation") == 0;
		snprintf(dest_name, sizeof dest_name, "%s%s%s", dest == cit ? "another part of " : "",
			 the ? "the " : "", name);
	}
	w.dest = dest < 0 ? "another country" : dest_name;
	w.sector = c->labour_sector ? demo_sector_phrase[__builtin_ctzll(c->labour_sector)] : "work without pay";
	if (c->exploitation_months != CB_NA && c->exploitation_months >= 2)
		snprintf(months, sizeof months, c->exploitation_months < 24 ? " for %d months" : " for about %d years",
			 c->exploitation_months < 24 ? c->exploitation_months : c->exploitation_months / 12);
	w.months = months;
	snprintf(office, sizeof office, "the office in %s", site->city);
	w.office = office;
	narrative(r, c, k, &w, &t);
	return set_pii(&c->narrative, t.buf);
}

/* ---- one case, many cases */

/* c must be initialised (cb_case_init): whatever it held is cleared, so one case can be reused. */
int cb_demo_case(struct cb_demo_rng *r, struct cb_case *c, bool with_pii)
{
	pthread_once(&resolved, resolve);
	cb_case_clear(c);
	uint64_t pii_seed = cb_demo_next(r);
	int year = FIRST_YEAR + PICK(r, year_w);
	const struct demo_site *site = &demo_sites[pick_site(r, year)];
	snprintf(c->site, sizeof c->site, "%s", site->code);
	c->year = year;
	int32_t days_in_year = jan1[year - FIRST_YEAR + 1] - jan1[year - FIRST_YEAR];
	c->registered_on = jan1[year - FIRST_YEAR] + (int32_t)cb_demo_below(r, (uint32_t)days_in_year);

	/* Where from and where to: the office's country is one end, a partner the other. */
	int partner = pick_partner(r, site), cit = site->origin ? site->cc : partner;
	int dest = site->origin ? partner : site->cc;
	if (cb_demo_chance(r, 30))
		cit = -1;
	if (cb_demo_chance(r, 20))
		dest = -1;
	c->citizenship = cit >= 0 ? cc_index[cit] : CB_NA;
	c->destination_country = dest >= 0 ? cc_index[dest] : CB_NA;

	enum demo_kind k = pick_kind(r, site, year);
	person(r, c, k);
	exploitation(r, c, site, k);
	recruitment(r, c, k == K_SEXUAL || k == K_BOTH);
	registration(r, c, site);
	cb_case_derive(c);
	if (!with_pii)
		return CB_OK;
	struct cb_demo_rng pr;
	cb_demo_rng_seed(&pr, pii_seed);
	int rc = pii(&pr, c, site, cit, dest, k);
	if (rc != CB_OK)
		cb_case_clear(c);
	return rc;
}

#define BATCH 5000 /* cases per transaction: few fsyncs, and a crash loses at most one batch */

int cb_demo_generate(struct cb_store *s, long n, uint64_t seed, bool progress, struct cb_err *err)
{
	struct cb_demo_rng r;
	struct cb_case c;
	bool in_tx = false;
	int rc = CB_OK;

	if (n < 0)
		return cb_err_field(err, CB_EINVAL, "cases", "number of cases: expected 0 or more, got %ld", n);
	if ((rc = cb_store_load_begin(s, NULL, err)) != CB_OK)
		return rc;
	cb_demo_rng_seed(&r, seed);
	cb_case_init(&c);
	for (long i = 0; i < n; i++) {
		if (!in_tx) {
			if ((rc = cb_store_begin(s, err)) != CB_OK)
				goto out;
			in_tx = true;
		}
		if ((rc = cb_demo_case(&r, &c, true)) != CB_OK) {
			cb_err_set(err, rc, "demo case %ld: %s", i + 1, cb_rc_str(rc));
			goto out;
		}
		do { /* the id comes from the seed too, so the same seed gives the same export */
			uint64_t a = cb_demo_next(&r), b = cb_demo_next(&r);
			for (int j = 0; j < 8; j++) { /* byte by byte: the same on every byte order */
				c.case_id[j] = (uint8_t)(a >> (8 * j));
				c.case_id[8 + j] = (uint8_t)(b >> (8 * j));
			}
		} while (cb_case_id_is_zero(c.case_id));
		if ((rc = cb_store_add(s, &c, NULL, err)) != CB_OK) {
			if (rc == CB_EEXIST)
				cb_err_set(err, rc, "demo case %ld: its id is already stored: this database already "
					   "holds demo data from seed %llu; use another --seed",
					   i + 1, (unsigned long long)seed);
			goto out;
		}
		if ((i + 1) % BATCH == 0 || i + 1 == n) {
			in_tx = false;
			if ((rc = cb_store_commit(s, err)) != CB_OK)
				goto out;
			if (progress)
				cb_progress("demo", i + 1, n);
		}
	}
out:
	if (in_tx)
		cb_store_rollback(s);
	cb_store_load_end(s);
	cb_case_clear(&c);
	/* the demo's offices join the managed list (store/sites.h), as a migrated database's do */
	if (rc == CB_OK)
		rc = cb_site_adopt(s, NULL, err);
	return rc;
}

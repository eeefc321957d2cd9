/*
 * demo_names.h -- the word lists behind the synthetic demo data (demo.c): common first names and surnames
 * by region, towns, and the phrases the fake narratives are assembled from.
 *
 * Kept apart from demo.c so that the generator stays readable.  The people's names are in demo_people.h; the
 * other lists are short.  Combined at random they describe nobody.  Included by demo.c only.
 */
#ifndef CB_DEMO_NAMES_H
#define CB_DEMO_NAMES_H

/* A list of strings and its length. */
#define DEMO_LIST(...) {(const char *const[]){__VA_ARGS__}, sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *)}
struct demo_list {
	const char *const *s;
	int n;
};

/* One naming region: how people from there are called and where they live.  `addr` is a template for
 * demo.c's expander: %d house number, %s street (a surname), %t town. */
struct demo_region {
	struct demo_list female, male, last, town;
	const char *addr;
};

#include "io/demo_people.h"

/* A region's women's, men's and family names from demo_people.h. */
#define DEMO_ARRAY(a) {a, (int)(sizeof a / sizeof *a)}
#define DEMO_PEOPLE(r) DEMO_ARRAY(r##_female), DEMO_ARRAY(r##_male), DEMO_ARRAY(r##_last)

enum demo_region_id {
	R_ENG, R_ESP, R_UKR, R_RUS, R_CAS, R_ROM, R_FIL, R_IDN, R_KHM, R_THA,
	R_MMR, R_VNM, R_CHN, R_NEP, R_SAS, R_NIG, R_EAF, R__COUNT
};

static const struct demo_region demo_regions[R__COUNT] = {
	[R_ENG] = {
		DEMO_PEOPLE(eng),
		DEMO_LIST("Springfield", "Riverside", "Fairview", "Greenville", "Madison", "Franklin", "Clinton"),
		"%d %s Street, %t"},
	[R_ESP] = {
		DEMO_PEOPLE(esp),
		DEMO_LIST("San Miguel", "Santa Cruz", "San Pedro", "La Esperanza", "Villa Nueva", "El Progreso"),
		"Calle %s %d, %t"},
	[R_UKR] = {
		DEMO_PEOPLE(ukr),
		DEMO_LIST("Zhytomyr", "Vinnytsia", "Chernihiv", "Poltava", "Sumy", "Uman", "Berdychiv", "Kovel"),
		"vul. %s %d, %t"},
	[R_RUS] = {
		DEMO_PEOPLE(rus),
		DEMO_LIST("Tver", "Kursk", "Orel", "Kaluga", "Tambov", "Ryazan", "Penza"),
		"ul. %s %d, %t"},
	[R_CAS] = {
		DEMO_PEOPLE(cas),
		DEMO_LIST("Andijan", "Fergana", "Namangan", "Khujand", "Kulob", "Osh", "Jalal-Abad"),
		"%s ko'chasi %d, %t"},
	[R_ROM] = {
		DEMO_PEOPLE(rom),
		DEMO_LIST("Balti", "Cahul", "Soroca", "Orhei", "Ungheni", "Hincesti", "Edinet", "Comrat"),
		"str. %s %d, %t"},
	[R_FIL] = {
		DEMO_PEOPLE(fil),
		DEMO_LIST("Tarlac", "Iloilo", "Cebu City", "Davao City", "Batangas", "Pampanga", "Leyte",
			  "Zamboanga"),
		"%d %s St., %t"},
	[R_IDN] = {
		DEMO_PEOPLE(idn),
		DEMO_LIST("Indramayu", "Cirebon", "Lombok Timur", "Cilacap", "Kendal", "Blitar", "Sukabumi"),
		"Jl. %s No. %d, %t"},
	[R_KHM] = {
		DEMO_PEOPLE(khm),
		DEMO_LIST("Battambang", "Kampong Cham", "Prey Veng", "Svay Rieng", "Takeo", "Siem Reap", "Kampot"),
		"Village %d, %s Commune, %t"},
	[R_THA] = {
		DEMO_PEOPLE(tha),
		DEMO_LIST("Udon Thani", "Khon Kaen", "Nong Khai", "Chiang Rai", "Savannakhet", "Champasak"),
		"%d Moo 3, %s Road, %t"},
	[R_MMR] = {
		DEMO_PEOPLE(mmr),
		DEMO_LIST("Mawlamyine", "Pathein", "Hpa-an", "Dawei", "Magway", "Bago", "Myeik"),
		"No. %d, %s Street, %t"},
	[R_VNM] = {
		DEMO_PEOPLE(vnm),
		DEMO_LIST("Nghe An", "Ha Tinh", "Thanh Hoa", "Quang Binh", "Hai Phong", "Can Tho"),
		"%d %s Street, %t"},
	[R_CHN] = {
		DEMO_PEOPLE(chn),
		DEMO_LIST("Fuzhou", "Wenzhou", "Changle", "Nanning", "Kunming", "Shenyang"),
		"No. %d %s Road, %t"},
	[R_NEP] = {
		DEMO_PEOPLE(nep),
		DEMO_LIST("Sindhupalchok", "Makwanpur", "Nuwakot", "Dhading", "Sunsari", "Kailali", "Jhapa"),
		"Ward %d, %s Tole, %t"},
	[R_SAS] = {
		DEMO_PEOPLE(sas),
		DEMO_LIST("Satkhira", "Jessore", "Khulna", "Murshidabad", "Nadia", "Jharkhand", "Sylhet"),
		"House %d, %s Para, %t"},
	[R_NIG] = {
		DEMO_PEOPLE(nig),
		DEMO_LIST("Benin City", "Ekpoma", "Uromi", "Onitsha", "Kumasi", "Techiman", "Auchi"),
		"%d %s Street, %t"},
	[R_EAF] = {
		DEMO_PEOPLE(eaf),
		DEMO_LIST("Kisumu", "Nakuru", "Eldoret", "Jinja", "Mbale", "Masaka", "Gulu"),
		"Plot %d, %s Road, %t"},
};

/* Phrases for the promised job, in the order of the promised_job value set (ISCO groups, then sectors). */
static const char *const demo_job_phrase[] = {
	"a job as a security guard", "a job managing a small shop", "a job as a teacher",
	"a job as a nursing assistant", "an office job", "a job as a waitress", "a job on a farm",
	"a job in a sewing workshop", "a job as a machine operator", "a job as a cleaner",
	/* labour sectors */
	"seasonal farm work", "a job on a fishing boat", "street work", "a job on a building site",
	"a job as a housekeeper", "a job in a hotel", "easy money", "a factory job", "a job in a mine",
	"a job selling goods in a market", "a job as a driver", "well-paid work",
};

/* What the person was made to do, in the order of the labour_sector value set. */
static const char *const demo_sector_phrase[] = {
	"work on a farm", "work on a fishing boat", "beg in the streets", "work on a building site",
	"work as a live-in domestic worker", "work in a hotel kitchen", "sell drugs", "work in a garment factory",
	"work in a mine", "sell goods in the street", "drive a delivery van", "work without pay",
};

/* Sexual exploitation, in the order of the sexual_exploitation_type value set. */
static const char *const demo_sex_phrase[] = {
	"On arrival %p passport was taken and %N was forced into prostitution.",
	"There %N was forced to appear in pornographic videos.",
	"There %N was made to perform for paying viewers online.",
	"There %N was held in a private flat and sold to clients.",
};

/* How the person was recruited, in the order of the recruitment_method value set. */
static const char *const demo_recruit_phrase[] = {
	"%R approached %N at a market stall in %H and offered %J in %D.",
	"%R approached %N outside school in %H and offered %J in %D.",
	"%N was offered %J in %D by %R met at work in %H.",
	"%N was contacted on social media by %R, who promised %J in %D.",
	"%N answered an online advertisement promising %J in %D.",
	"%N saw a television advert for %J in %D.",
	"%N answered a newspaper advertisement for %J in %D.",
	"%R arranged for %N to take %J in %D.",
	"%N heard about %J in %D from %R.",
	"%N was offered %J in %D by %R.",
	"%N was abducted by %R in %H and taken to %D.",
};

/* One sentence per means of control, in the order of the means_of_control value set. */
static const char *const demo_control_phrase[] = {
	"The traffickers threatened %o with violence.", "%N was told the police would arrest %o.",
	"The traffickers threatened %p family.", "%N was told to repay a debt that kept growing.",
	"The promised wages were never paid.", "%N was beaten.", "%N was sexually abused.",
	"All of %p earnings were taken.", "%N had no access to money.", "%N was refused medical care.",
	"Food and sleep were withheld.", "%N was insulted and humiliated every day.", "%N was given drugs.",
	"Working days lasted up to sixteen hours.", "%p documents were taken away.", "%N was not allowed to leave.",
	"%p children were used to control %o.", "The traffickers also used other means of control.",
};

/* How the person reached the office, in the order of the identified_by value set. */
static const char *const demo_exit_phrase[] = {
	"%N was identified during a police operation and referred to %O.",
	"An outreach worker met %N and referred %o to %O.",
	"%N escaped and came to %O for help.",
	"%N called the hotline and was referred to %O.",
	"%N came to %O after a consular office gave %o the address.",
	"A labour inspection found %N and referred %o to %O.",
	"%N was referred to %O.",
};

/* Other kinds of exploitation. */
static const char *const demo_other_phrase[] = {
	"%N was married against %p will to a stranger.",
	"%N was kept as a servant in a private household.",
	"%N was forced to beg for a gang.",
	"%N was pressured to sell a kidney.",
	"%N was exploited in other ways.",
};

#endif

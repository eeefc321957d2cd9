/*
 * assist_fixture.h -- what the tests of the casework commands share (tests/cli/test_cmd_partner.c,
 * test_cmd_assist.c, test_cmd_workflow.c): one database with four cases (the first with every consent and the
 * screening decision, the second without consent to share, two at another office), casebank run with
 * arguments, and the steps a later file builds on (the partners, the shelter placements, a referral out).
 * Header-only; each including file has its own database, on either backend (cbt_db).
 */
#ifndef CB_ASSIST_FIXTURE_H
#define CB_ASSIST_FIXTURE_H

#include "cb_test.h"

#define NOTE "Tavrelka says the landlord kept her passport"

static char db[512];
static char ids[4][32];

/* Runs casebank with the given arguments; fails the test unless it exits 0.  Returns stdout. */
static inline char *run_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *run_ok(const char *fmt, ...)
{
	char *out = NULL, *err = NULL, cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int rc = cbt_run(&out, &err, "%s %s", cbt_bin(), cmd);
	if (rc != 0)
		fail_msg("casebank %s: exit %d: %s", cmd, rc, err ? err : "");
	free(err);
	return out;
}

/* One database for the file: four cases, one with consents, one without. */
static inline int cases_up(void)
{
	char *out = NULL;
	if (!cbt_on_pg()) /* the key file beside the database; on pg, the one cbt_db names */
		unsetenv("CASEBANK_KEY_FILE");
	snprintf(db, sizeof db, "%s", cbt_db("cli.db"));
	if (cbt_run(NULL, NULL, "%s init '%s'", cbt_bin(), db) != 0)
		return -1;
	static const char *const cases[] = {
		"{\"site\":\"MD-CHISINAU\",\"registered_on\":\"2024-03-01\",\"trafficking_status\":\"ActualVictimOfTrafficking\","
		"\"status_decided_by\":\"NGO\",\"consent_assistance\":true,\"consent_share_partners\":true,\"consent_statistics\":true}",
		"{\"site\":\"MD-CHISINAU\",\"registered_on\":\"2024-03-02\",\"consent_share_partners\":false,\"consent_statistics\":true}",
		"{\"site\":\"MD-BALTI\",\"registered_on\":\"2024-03-03\",\"consent_statistics\":true}",
		"{\"site\":\"MD-BALTI\",\"registered_on\":\"2024-03-04\",\"consent_statistics\":true}",
	};
	for (int i = 0; i < 4; i++) {
		if (cbt_run(&out, NULL, "echo '%s' | %s add '%s'", cases[i], cbt_bin(), db) != 0)
			return -1;
		snprintf(ids[i], sizeof ids[i], "%.26s", out);
		free(out);
	}
	return 0;
}

/* Partner 1, a shelter of one bed (Casa Mariei), and partner 2, a health service. */
static inline void partners_up(void)
{
	free(run_ok("partner add '%s' --name 'Casa Mariei' --type NGO --country MD --services accommodation,psychosocial"
		    " --beds 1 --serves MD,UA", db));
	free(run_ok("partner add '%s' --name 'Clinica Sf. Pantelimon' --type HealthServiceOrganisation --country RO", db));
}

/* Two placements at the shelter (the first case's ongoing, the second case's completed). */
static inline void placements_up(void)
{
	free(run_ok("assist add '%s' %s --type accommodation --provider 1 --status ongoing --start 2024-03-05", db, ids[0]));
	free(run_ok("assist add '%s' %s --type accommodation --provider 1 --status ongoing --start 2024-03-06", db, ids[1]));
	free(run_ok("assist set '%s' 2 --status completed --end 2024-03-20", db));
}

/* The first case referred out to the health service, its details shared (it has the consent). */
static inline void referral_up(void) { free(run_ok("refer '%s' %s --to 2 --reason AdditionalServicesRequired", db, ids[0])); }

#endif

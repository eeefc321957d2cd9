/*
 * cli.h -- the command-line shell: one function per `casebank <command>`, each a thin layer that parses
 * arguments, calls the library and maps its return code to an exit status (see man/casebank.1).
 */
#ifndef CB_CLI_H
#define CB_CLI_H

#include "codebook/codebook.h"
#include "store/audit.h"
#include "util/cb.h"

/* Exit statuses (the man page lists them). */
enum cb_exit {
	CB_EXIT_OK = 0,
	CB_EXIT_ERROR = 1,    /* runtime failure: database, key, file system */
	CB_EXIT_USAGE = 2,    /* bad command line or invalid input; nothing was changed; import: nothing imported */
	CB_EXIT_PARTIAL = 3,  /* import: some rows were rejected */
	CB_EXIT_CONSENT = 4,  /* refused: the person has not consented */
	CB_EXIT_NOTFOUND = 5, /* no such case */
};

/* Prints "casebank: <what>: <why>" to stderr. */
void cb_cli_error(const char *what, const struct cb_err *err);
/* Maps a library return code to an exit status. */
int cb_cli_exit(int rc);

/* Parses --options with getopt_long; each option's `val` indexes optvals, which receives its argument (or
 * "1" for a flag).  Returns the index of the first positional argument, or -1 after printing an error. */
struct option;
int cb_cli_parse(int argc, char **argv, const struct option *longopts, const char **optvals, int nopts);
/* Checks that exactly n positional arguments follow `first`; prints the usage line and returns
 * CB_EXIT_USAGE otherwise. */
int cb_cli_args(int argc, int first, int n, const char *usage);
/* Both for a command without options: the index of its first positional argument (n of them follow), or,
 * after printing what is wrong, minus the exit status. */
int cb_cli_plain(int argc, char **argv, int n, const char *usage);
/* For a command with sub-commands (user add|list|...): each is its own function, run with argv from the
 * sub-command's name on (its options parsed by cb_cli_parse); an unknown or missing name prints the usage. */
struct cb_cli_sub {
	const char *name;
	int (*run)(int argc, char **argv);
};
int cb_cli_subs(int argc, char **argv, const struct cb_cli_sub *subs, size_t n, const char *usage);
/* Opens a database, printing the error. */
struct cb_store;
int cb_cli_open(const char *db, unsigned flags, struct cb_store **s);
/* Ends an act begun with cb_store_act_begin (act.c): rc is the act's result; its audit entry a (case_id,
 * fields, detail: each may be NULL) is committed with it, or neither is.  The act's result, else the entry's. */
int cb_cli_act_end(struct cb_store *s, int rc, enum cb_audit_action a, const uint8_t *case_id, const char *fields,
		   const char *detail, struct cb_err *err);

/* args.c: readers of arguments, each printing what is wrong (naming opt) and returning CB_EINVAL; an absent
 * (NULL) optional argument leaves CB_NA and is CB_OK. */
int cb_cli_case_id(const char *text, uint8_t id[16]);
int cb_cli_int64(const char *opt, const char *text, int64_t *out); /* a positive whole number */
int cb_cli_date(const char *opt, const char *text, int32_t *day);
int cb_cli_value(const char *opt, enum cb_vset_id vs, const char *text, int32_t *v);
/* A free text from an option ("-": stdin, at most CB_NOTE_MAX bytes); *out malloc'd, NULL without arg. */
int cb_cli_text_read(const char *opt, const char *arg, char **out);
void cb_cli_text_free(char **t); /* wipes, frees, NULLs */
/* Output: a coded value's name ("-" out of range), a date ("-" for CB_NA), a note on its own line (if any). */
const char *cb_cli_name(enum cb_vset_id vs, int32_t v);
const char *cb_cli_day(int32_t day, char buf[11]);
void cb_cli_note(const char *label, const char *text);

int cb_cmd_init(int argc, char **argv);
int cb_cmd_demo(int argc, char **argv);
int cb_cmd_add(int argc, char **argv);
int cb_cmd_update(int argc, char **argv);
int cb_cmd_show(int argc, char **argv);
int cb_cmd_list(int argc, char **argv);
int cb_cmd_erase(int argc, char **argv);
int cb_cmd_import(int argc, char **argv);
int cb_cmd_export(int argc, char **argv);
int cb_cmd_copy(int argc, char **argv);
int cb_cmd_check(int argc, char **argv);
int cb_cmd_stats(int argc, char **argv);  /* cmd_stats.c */
int cb_cmd_ptable(int argc, char **argv); /* cmd_stats.c */
int cb_cmd_release(int argc, char **argv); /* cmd_stats.c */
int cb_cmd_report(int argc, char **argv); /* cmd_report.c */
int cb_cmd_serve(int argc, char **argv);  /* cmd_serve.c */
int cb_cmd_xform(int argc, char **argv);  /* cmd_odk.c */
int cb_cmd_user(int argc, char **argv);   /* cmd_user.c */
int cb_cmd_audit(int argc, char **argv);  /* cmd_user.c */
int cb_cmd_site(int argc, char **argv);   /* cmd_site.c */
int cb_cmd_partner(int argc, char **argv);   /* cmd_partner.c */
int cb_cmd_assist(int argc, char **argv);    /* cmd_assist.c */
int cb_cmd_refer(int argc, char **argv);     /* cmd_assist.c */
int cb_cmd_stage(int argc, char **argv);     /* cmd_workflow.c */
int cb_cmd_followup(int argc, char **argv);  /* cmd_workflow.c */
int cb_cmd_dashboard(int argc, char **argv); /* cmd_workflow.c */
int cb_cmd_search(int argc, char **argv);     /* cmd_find.c */
int cb_cmd_duplicates(int argc, char **argv); /* cmd_find.c */
int cb_cmd_link(int argc, char **argv);       /* cmd_find.c */
int cb_cmd_dismiss(int argc, char **argv);    /* cmd_find.c */
int cb_cmd_assign(int argc, char **argv);     /* cmd_transfer.c */
int cb_cmd_assigned(int argc, char **argv);   /* cmd_transfer.c */
int cb_cmd_transfer(int argc, char **argv);   /* cmd_transfer.c */
/* Prints "possible duplicate: office S case ID" to stderr for each case that may be the same person as the
 * one just registered (cmd_find.c). */
int cb_cli_warn_duplicates(struct cb_store *s, const uint8_t id[16]);
/* The same for the newest case (an import of one row). */
int cb_cli_warn_newest(struct cb_store *s);

#endif

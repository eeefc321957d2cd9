/*
 * cb_release.h -- what a statistical release measures: the released dimensions and the model that joins them.
 *
 * One row a released field.  A release of one registration year measures, with discrete Gaussian noise,
 * each field's one-way table and its table with its parent(s) (and, for a country field, its regions), then
 * fits a graphical model to the noisy tables and draws a synthetic caseload from it (src/stats/synth.c;
 * docs/statistics.md says why).  Every statistic an analyst sees is counted over that synthetic caseload.
 * Rows are in model order: a parent comes before its children, the first row is the root.  A multi-valued
 * field is nobody's parent.
 *
 *   CB_RELEASE(field, parent, parent2, w1, w2)
 *
 * field     a CB_F_DIM field of cb_fields.h (ENUM, COUNTRY or MULTI)
 * parent    the field it is measured jointly with, or none for the root
 * parent2   a second such field (a three-way table), or none: for a field that depends on two others
 *           together, such as the type of exploitation on sex and age (girls, women and men differ)
 * w1, w2    shares of the year's privacy budget for the one-way table and for the table with the parent.
 *           One-way tables get twice an edge's share: they are what officials ask for most, and at equal
 *           shares a release would be less accurate than measuring the 13 tables directly.
 *
 * Adding a released field is one row here.  Fields that are not released cannot be asked for in
 * statistics (a data manager with the key uses --exact).  majority is derived from age_group, and the
 * regions from the countries, after sampling: post-processing costs no privacy.
 */

/*         field                parent               parent2   w1  w2 */
CB_RELEASE(gender,              none,                none,      2,  0)
CB_RELEASE(age_group,           gender,              none,      2,  1)
CB_RELEASE(exploitation_type,   gender,              age_group, 2,  1)
CB_RELEASE(education,           age_group,           none,      2,  1)
CB_RELEASE(marital_status,      age_group,           none,      2,  1)
CB_RELEASE(occupation_home,     age_group,           none,      2,  1)
CB_RELEASE(citizenship,         gender,              none,      2,  1)
CB_RELEASE(destination_country, citizenship,         gender,     2,  1)
CB_RELEASE(intended_country,    destination_country, none,      2,  1)
CB_RELEASE(promised_job,        gender,              age_group, 2,  1)
CB_RELEASE(recruiter_relation,  gender,              none,      2,  1)
CB_RELEASE(recruiter_sex,       recruiter_relation,  none,      2,  1)
CB_RELEASE(recruitment_method,  recruiter_relation,  gender,    2,  1)

/*
 * cb_fields.h -- every field of a case: the codebook's single source of truth.
 *
 * One row a field.  From this table casebank derives the C struct (struct cb_case), the SQL columns, the
 * JSON keys, the HTCDS and CTDC column mappings, validation and the statistics dimensions.  Adding a field
 * is one row here (and, if it needs new values, one value set in cb_values.h); the store adds the column to
 * existing databases on open.
 *
 *   CB_FIELD(name, KIND, value_set, lo, hi, GROUP, flags, "htcds column", "ctdc column", "English label")
 *
 * KIND      ID       128-bit random case id, printed as 26 base32 characters
 *           SITE     office code [A-Z0-9-]{2,16}
 *           DATE     calendar date, YYYY-MM-DD
 *           INT      whole number in [lo, hi]
 *           ENUM     one value of value_set
 *           MULTI    a set of values of value_set
 *           COUNTRY  ISO 3166-1 alpha-2 (alpha-3 accepted on input)
 *           BOOL     yes/no (JSON true/false)
 *           PII      identifying detail: free text, encrypted, never coded, never in statistics
 * GROUP     where the field sits in the interview: CASE, PERSON, RECRUIT, EXPLOIT, CONSENT, IDENTITY
 * flags     CB_F_DIM      a statistics dimension
 *           CB_F_DERIVED  computed from other fields when they are present (cb_case_derive)
 *           CB_F_REQUIRED a case is invalid without it
 *           CB_F_ISODATE  a PII field that must still look like a date
 *           CB_F_PHONE, CB_F_EMAIL  a PII field that must look like a phone number, an email address
 *           CB_F_REGISTER a person registering a case must fill it in (old records imported may lack it)
 *           CB_F_STORE    kept by the store (src/care/assist.h): the workflow stage, the status that follows it
 *                         (codebook/status.c), and the sets computed from a
 *                         case's assistance records and referrals.  Read-only in case input: a new case starts at
 *                         the first stage with empty sets, and an update never changes them.
 * htcds     the HTCDS 2.0 field, or an x_ extension column where HTCDS has none
 * ctdc      the CTDC column for single-valued fields, the flag-column prefix for MULTI fields, "" if none
 */

/*       name                      kind     value_set                 lo    hi   group     flags                          htcds                                    ctdc                     label */
CB_FIELD(case_id,                  ID,      none,                      0,    0, CASE,     0,                             "x_case_id",                             "",                      "Case id")
CB_FIELD(site,                     SITE,    none,                      0,    0, CASE,     CB_F_DIM | CB_F_REQUIRED,      "x_site",                                "",                      "Office")
CB_FIELD(registered_on,            DATE,    none,                      0,    0, CASE,     CB_F_REGISTER,                              "x_registered_on",                       "",                      "Registered on")
CB_FIELD(year,                     INT,     none,                   1990, 2100, CASE,     CB_F_DIM | CB_F_DERIVED | CB_F_REQUIRED, "x_year",                  "yearOfRegistration",    "Year of registration")
CB_FIELD(status,                   ENUM,    case_status,               0,    0, CASE,     CB_F_STORE,                    "cas_Status",                            "",                      "Case status")
CB_FIELD(trafficking_status,       ENUM,    trafficking_status,        0,    0, CASE,     CB_F_DIM,                      "vic_TraffickingStatus",                 "",                      "Trafficking status")
CB_FIELD(status_decided_by,        ENUM,    decision_org,              0,    0, CASE,     0,                             "vic_TraffickingStatusDecisionMakingOrg", "",                     "Status decided by")
CB_FIELD(data_source,              ENUM,    data_source,               0,    0, CASE,     0,                             "x_data_source",                         "Datasource",            "Data source")
CB_FIELD(identified_by,            ENUM,    identified_by,             0,    0, CASE,     CB_F_DIM,                      "x_identified_by",                       "",                      "Identified by")
CB_FIELD(case_stage,               ENUM,    case_stage,                0,    0, CASE,     CB_F_DIM | CB_F_STORE,         "x_case_stage",                          "",                      "Workflow stage")
CB_FIELD(assistance_type,          MULTI,   assistance_type,           0,    0, CASE,     CB_F_DIM | CB_F_DERIVED | CB_F_STORE, "x_assistance_type",            "",                      "Assistance received")
CB_FIELD(referral_partner_type,    MULTI,   org_type,                  0,    0, CASE,     CB_F_DIM | CB_F_DERIVED | CB_F_STORE, "x_referral_partner_type",      "",                      "Referred to (partner type)")
CB_FIELD(gender,                   ENUM,    gender,                    0,    0, PERSON,   CB_F_DIM | CB_F_REGISTER,                       "prs_Gender",                            "gender",                "Gender")
CB_FIELD(birth_year,               INT,     none,                   1900, 2100, PERSON,   0,                             "x_birth_year",                          "",                      "Year of birth")
CB_FIELD(age_at_registration,      INT,     none,                      0,  120, PERSON,   CB_F_DERIVED,                  "x_age_at_registration",                 "",                      "Age at registration")
CB_FIELD(age_group,                ENUM,    age_group,                 0,    0, PERSON,   CB_F_DIM | CB_F_DERIVED,       "x_age_group",                           "ageBroad",              "Age group")
CB_FIELD(majority,                 ENUM,    majority,                  0,    0, PERSON,   CB_F_DIM | CB_F_DERIVED,       "x_majority",                            "majorityStatus",        "Minor or adult")
CB_FIELD(citizenship,              COUNTRY, none,                      0,    0, PERSON,   CB_F_DIM | CB_F_REGISTER,                       "prs_Citizenship",                       "citizenship",           "Citizenship")
CB_FIELD(education,                ENUM,    education,                 0,    0, PERSON,   CB_F_DIM,                      "prs_HighestLevelOfEducation",           "",                      "Education")
CB_FIELD(marital_status,           ENUM,    marital_status,            0,    0, PERSON,   CB_F_DIM,                      "prs_MaritalStatus",                     "",                      "Marital status")
CB_FIELD(children,                 INT,     none,                      0,   30, PERSON,   0,                             "prs_NumberOfChildren",                  "",                      "Number of children")
CB_FIELD(occupation_home,          ENUM,    occupation,                0,    0, PERSON,   CB_F_DIM,                      "x_occupation_home",                     "",                      "Occupation at home")
CB_FIELD(employed_at_recruitment,  ENUM,    yes_no_unknown,            0,    0, PERSON,   CB_F_DIM,                      "x_employed_at_recruitment",             "",                      "Employed when recruited")
CB_FIELD(work_experience,          ENUM,    work_experience,           0,    0, PERSON,   CB_F_DIM,                      "x_work_experience",                     "",                      "Work experience")
CB_FIELD(recruitment_method,       MULTI,   recruitment_method,        0,    0, RECRUIT,  CB_F_DIM,                      "vic_MethodOfRecruitment",               "is",                    "Recruitment method")
CB_FIELD(recruiter_sex,            ENUM,    recruiter_sex,             0,    0, RECRUIT,  CB_F_DIM,                      "x_recruiter_sex",                       "",                      "Sex of the recruiter")
CB_FIELD(recruiter_relation,       ENUM,    recruiter_relation,        0,    0, RECRUIT,  CB_F_DIM,                      "x_recruiter_relation",                  "recruiterRelation",     "Relation to the recruiter")
CB_FIELD(intended_country,         COUNTRY, none,                      0,    0, RECRUIT,  CB_F_DIM,                      "x_intended_country",                    "",                      "Country agreed to work in")
CB_FIELD(promised_job,             ENUM,    promised_job,              0,    0, RECRUIT,  CB_F_DIM,                      "x_promised_job",                        "",                      "Job promised")
CB_FIELD(exploitation_type,        MULTI,   exploitation_type,         0,    0, EXPLOIT,  CB_F_DIM | CB_F_REGISTER,                       "vic_TypeOfExploitation",                "is",                    "Type of exploitation")
CB_FIELD(labour_sector,            MULTI,   labour_sector,             0,    0, EXPLOIT,  CB_F_DIM,                      "x_labour_sector",                       "typeOfLabour",          "Labour sector")
CB_FIELD(sexual_exploitation_type, MULTI,   sexual_exploitation_type,  0,    0, EXPLOIT,  0,                             "vic_TypeOfSexExploitation",             "typeOfSex",             "Type of sexual exploitation")
CB_FIELD(means_of_control,         MULTI,   means_of_control,          0,    0, EXPLOIT,  CB_F_DIM,                      "vic_MethodsOfControl",                  "meansOfControl",        "Means of control")
CB_FIELD(destination_country,      COUNTRY, none,                      0,    0, EXPLOIT,  CB_F_DIM,                      "x_destination_country",                 "CountryOfExploitation", "Country of exploitation")
CB_FIELD(exploitation_months,      INT,     none,                      0,  600, EXPLOIT,  0,                             "x_exploitation_months",                 "",                      "Months exploited")
CB_FIELD(consent_assistance,       BOOL,    yes_no,                    0,    0, CONSENT,  0,                             "x_consent_assistance",                  "",                      "Consents to assistance")
CB_FIELD(consent_statistics,       BOOL,    yes_no,                    0,    0, CONSENT,  CB_F_REGISTER,                              "x_consent_statistics",                  "",                      "Consents to use in statistics")
CB_FIELD(consent_share_partners,   BOOL,    yes_no,                    0,    0, CONSENT,  0,                             "x_consent_share_partners",              "",                      "Consents to sharing with partners")
CB_FIELD(first_name,               PII,     none,                      0,  200, IDENTITY, 0,                             "prs_FirstName",                         "",                      "First name")
CB_FIELD(last_name,                PII,     none,                      0,  200, IDENTITY, 0,                             "prs_SecondName",                        "",                      "Last name")
CB_FIELD(aliases,                  PII,     none,                      0,  500, IDENTITY, 0,                             "x_aliases",                             "",                      "Aliases")
CB_FIELD(birth_date,               PII,     none,                      0,   10, IDENTITY, CB_F_ISODATE,                  "prs_Birthdate",                         "",                      "Date of birth")
CB_FIELD(phone,                    PII,     none,                      0,   40, IDENTITY, CB_F_PHONE,                              "prs_MobilePhone",                       "",                      "Phone")
CB_FIELD(email,                    PII,     none,                      0,  254, IDENTITY, CB_F_EMAIL,                              "prs_Email",                             "",                      "Email")
CB_FIELD(address,                  PII,     none,                      0,  500, IDENTITY, 0,                             "prs_MailingStreet",                     "",                      "Address")
CB_FIELD(id_document_number,       PII,     none,                      0,   64, IDENTITY, 0,                             "prs_IdentityNumber",                    "",                      "Identity document number")
CB_FIELD(narrative,                PII,     none,                      0, 65536, IDENTITY, 0,                            "x_narrative",                           "",                      "Interview narrative")

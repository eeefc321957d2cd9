/*
 * cb_values.h -- every value set of the codebook: value names, English labels and CTDC spellings.
 *
 * This file and cb_fields.h are the single source of truth for coded data.  Each value set is an X-macro
 * list; codebook.c turns it into lookup tables and the enum constants CB_<set>_<ident>.  Row format:
 *
 *     V(set, ident, "value name", "English label", "CTDC token")
 *
 * - "value name" is the public contract: CLI, JSON, HTCDS CSV and statistics all use it.  It is the HTCDS
 *   value name where HTCDS defines the field (../shared/reference/htcds/).
 * - "CTDC token" is how the CTDC victim dataset spells the value: a label for single-valued columns
 *   (gender "Female"), or the flag-column suffix for multi-valued ones (meansOfControl"DebtBondage").
 *   "" means CTDC has no such value.
 *
 * Values are stored by name, never by position, so inserting a row anywhere is safe.  A multi-valued set
 * holds at most 64 values (they are stored as a 64-bit set in memory).
 *
 * Adding a value: one row.  Adding a value set: one list here and one S(name) in CB_VALUE_SETS below.
 */

#define CB_VALUES_case_status(V) \
	V(case_status, Active,          "Active",          "Active",                    "") \
	V(case_status, FollowUp,        "FollowUp",        "Follow-up",                 "") \
	V(case_status, Closed,          "Closed",          "Closed",                    "") \
	V(case_status, ClosedReferred,  "ClosedReferred",  "Closed (referred)",         "")

#define CB_VALUES_trafficking_status(V) \
	V(trafficking_status, Possible, "PossibleVictimOfTrafficking", "Possible victim of trafficking", "") \
	V(trafficking_status, Actual,   "ActualVictimOfTrafficking",   "Actual victim of trafficking",   "") \
	V(trafficking_status, NotAVictim, "NotAVictimOfTrafficking",   "Not a victim of trafficking",    "")

#define CB_VALUES_decision_org(V) \
	V(decision_org, Police,      "Police",                            "Police",                       "") \
	V(decision_org, NGO,         "NGO",                               "NGO",                          "") \
	V(decision_org, Court,       "CourtOrProsecution",                "Court or prosecution",         "") \
	V(decision_org, NonPoliceGov, "NonPoliceGovernmentalOrganization", "Non-police government body",  "") \
	V(decision_org, Other,       "Other",                             "Other",                        "")

#define CB_VALUES_data_source(V) \
	V(data_source, case_management, "case_management", "Case management", "Case Management") \
	V(data_source, hotline,         "hotline",         "Hotline",         "Hotline")

#define CB_VALUES_identified_by(V) \
	V(identified_by, police,            "police",            "Police",               "") \
	V(identified_by, ngo,               "ngo",               "NGO",                  "") \
	V(identified_by, self,              "self",              "Self-identified",      "") \
	V(identified_by, hotline,           "hotline",           "Hotline",              "") \
	V(identified_by, agency_office,     "agency_office",     "Agency office",        "") \
	V(identified_by, labour_inspection, "labour_inspection", "Labour inspection",    "") \
	V(identified_by, other,             "other",             "Other",                "")

/* CTDC has one "Transgender/NonConforming" label for three HTCDS values; import maps it to NonConforming. */
#define CB_VALUES_gender(V) \
	V(gender, Feminine,             "Feminine",             "Feminine",              "Female") \
	V(gender, Masculine,            "Masculine",            "Masculine",             "Male") \
	V(gender, TransgenderFeminine,  "TransgenderFeminine",  "Transgender feminine",  "Transgender/NonConforming") \
	V(gender, TransgenderMasculine, "TransgenderMasculine", "Transgender masculine", "Transgender/NonConforming") \
	V(gender, NonConforming,        "NonConforming",        "Non-conforming",        "Transgender/NonConforming") \
	V(gender, NonSpecifiedUnknown,  "NonSpecifiedUnknown",  "Not specified/unknown", "Unknown")

/* CTDC's nine age bands; the band of an age is computed in codebook.c from these lower bounds. */
#define CB_VALUES_age_group(V) \
	V(age_group, a0_8,   "0--8",   "0-8",   "0--8") \
	V(age_group, a9_17,  "9--17",  "9-17",  "9--17") \
	V(age_group, a18_20, "18--20", "18-20", "18--20") \
	V(age_group, a21_23, "21--23", "21-23", "21--23") \
	V(age_group, a24_26, "24--26", "24-26", "24--26") \
	V(age_group, a27_29, "27--29", "27-29", "27--29") \
	V(age_group, a30_38, "30--38", "30-38", "30--38") \
	V(age_group, a39_47, "39--47", "39-47", "39--47") \
	V(age_group, a48p,   "48+",    "48+",   "48+")

#define CB_VALUES_majority(V) \
	V(majority, minor,   "minor",   "Minor",   "Minor") \
	V(majority, adult,   "adult",   "Adult",   "Adult") \
	V(majority, unknown, "unknown", "Unknown", "Unknown")

#define CB_VALUES_education(V) \
	V(education, Early,        "EarlyChildhoodEducation",           "Early childhood education",           "") \
	V(education, Primary,      "PrimaryEducation",                  "Primary education",                   "") \
	V(education, LowerSec,     "LowerSecondaryEducation",           "Lower secondary education",           "") \
	V(education, UpperSec,     "UpperSecondaryEducation",           "Upper secondary education",           "") \
	V(education, PostSec,      "PostSecondaryNonTertiaryEducation", "Post-secondary non-tertiary",         "") \
	V(education, ShortTert,    "ShortCycleTertiaryEducation",       "Short-cycle tertiary education",      "") \
	V(education, Bachelors,    "BachelorsOrEquivalentLevel",        "Bachelor's or equivalent",            "") \
	V(education, Masters,      "MastersOrEquivalentLevel",          "Master's or equivalent",              "") \
	V(education, Doctoral,     "DoctoralOrEquivalentLevel",         "Doctoral or equivalent",              "")

#define CB_VALUES_marital_status(V) \
	V(marital_status, Single,      "Single",                "Single",                 "") \
	V(marital_status, Married,     "Married",               "Married",                "") \
	V(marital_status, Widowed,     "Widowed",               "Widowed",                "") \
	V(marital_status, Divorced,    "Divorced",              "Divorced",               "") \
	V(marital_status, Separated,   "Separated",             "Separated",              "") \
	V(marital_status, Partnership, "RegisteredPartnership", "Registered partnership", "")

/* ISCO-08 major groups, by their one-digit code, plus three states outside the labour force. */
#define CB_VALUES_occupation(V) \
	CB_VALUES_occupation_isco(V, occupation) \
	V(occupation, unemployed, "unemployed", "Unemployed", "") \
	V(occupation, student,    "student",    "Student",    "") \
	V(occupation, unknown,    "unknown",    "Unknown",    "")

#define CB_VALUES_yes_no_unknown(V) \
	V(yes_no_unknown, yes,     "yes",     "Yes",     "") \
	V(yes_no_unknown, no,      "no",      "No",      "") \
	V(yes_no_unknown, unknown, "unknown", "Unknown", "")

#define CB_VALUES_work_experience(V) \
	V(work_experience, none,    "none",    "None",    "") \
	V(work_experience, some,    "some",    "Some",    "") \
	V(work_experience, unknown, "unknown", "Unknown", "")

/* HTCDS vic_MethodOfRecruitment plus abduction (CTDC isAbduction). */
#define CB_VALUES_recruitment_method(V) \
	V(recruitment_method, PlaceOfBusiness, "AtAPlaceOfBusiness",           "At a place of business",          "") \
	V(recruitment_method, Educational,     "AtAnEducationalInstitution",   "At an educational institution",   "") \
	V(recruitment_method, AtWork,          "AtWork",                       "At work",                         "") \
	V(recruitment_method, SocialNetworks,  "ThroughOnlineSocialNetworks",  "Through online social networks",  "") \
	V(recruitment_method, OnlineAd,        "ThroughAnOnlineAdvertisement", "Through an online advertisement", "") \
	V(recruitment_method, TelevisionAd,    "ThroughATelevisionAdvert",     "Through a television advert",     "") \
	V(recruitment_method, NewspaperAd,     "ThroughANewspaperAdvert",      "Through a newspaper advert",      "") \
	V(recruitment_method, Family,          "ThroughFamilyOrFamilyEvents",  "Through family or family events", "") \
	V(recruitment_method, Friends,         "ThroughFriendsOrSocialEvents", "Through friends or social events", "") \
	V(recruitment_method, Other,           "Other",                        "Other",                           "") \
	V(recruitment_method, abduction,       "abduction",                    "Abduction",                       "Abduction")

#define CB_VALUES_recruiter_sex(V) \
	V(recruiter_sex, female,  "female",  "Female",             "") \
	V(recruiter_sex, male,    "male",    "Male",               "") \
	V(recruiter_sex, both,    "both",    "Female and male",    "") \
	V(recruiter_sex, unknown, "unknown", "Unknown",            "")

/* CTDC token is the flag-column suffix (recruiterRelation...); RecruiterRelationship labels live in ctdc.c. */
#define CB_VALUES_recruiter_relation(V) \
	V(recruiter_relation, intimate_partner, "intimate_partner", "Intimate partner",    "IntimatePartner") \
	V(recruiter_relation, friend,           "friend",           "Friend/acquaintance", "Friend") \
	V(recruiter_relation, family,           "family",           "Family/relative",     "Family") \
	V(recruiter_relation, other,            "other",            "Other",               "Other") \
	V(recruiter_relation, unknown,          "unknown",          "Unknown",             "Unknown")

/* The job promised: an ISCO-08 major group or one of the labour sectors. */
#define CB_VALUES_promised_job(V) \
	CB_VALUES_occupation_isco(V, promised_job) \
	CB_VALUES_labour_sectors(V, promised_job)

#define CB_VALUES_occupation_isco(V, set) \
	V(set, isco0, "0", "Armed forces occupations",                        "") \
	V(set, isco1, "1", "Managers",                                        "") \
	V(set, isco2, "2", "Professionals",                                   "") \
	V(set, isco3, "3", "Technicians and associate professionals",         "") \
	V(set, isco4, "4", "Clerical support workers",                        "") \
	V(set, isco5, "5", "Service and sales workers",                       "") \
	V(set, isco6, "6", "Skilled agricultural, forestry, fishery workers", "") \
	V(set, isco7, "7", "Craft and related trades workers",                "") \
	V(set, isco8, "8", "Plant and machine operators and assemblers",      "") \
	V(set, isco9, "9", "Elementary occupations",                          "")

/* CTDC's labour list; the token is the typeOfLabour... flag suffix. */
#define CB_VALUES_labour_sectors(V, set) \
	V(set, agriculture,        "agriculture",        "Agriculture/farms/animal husbandry",       "Agriculture") \
	V(set, aquafarming,        "aquafarming",        "Aquafarming/fishing",                      "Aquafarming") \
	V(set, begging,            "begging",            "Begging",                                  "Begging") \
	V(set, construction,       "construction",       "Construction",                             "Construction") \
	V(set, domestic_work,      "domestic_work",      "Domestic work",                            "DomesticWork") \
	V(set, hospitality,        "hospitality",        "Hospitality/restaurant/food service/hotel", "Hospitality") \
	V(set, illicit_activities, "illicit_activities", "Illicit activities",                       "IllicitActivities") \
	V(set, manufacturing,      "manufacturing",      "Manufacturing/factory work",               "Manufacturing") \
	V(set, mining,             "mining",             "Mining, quarrying, oil/gas extraction",    "MiningOrDrilling") \
	V(set, peddling,           "peddling",           "Peddling/informal street commerce",        "Peddling") \
	V(set, transportation,     "transportation",     "Transportation",                           "Transportation") \
	V(set, other,              "other",              "Other",                                    "Other")

#define CB_VALUES_labour_sector(V) CB_VALUES_labour_sectors(V, labour_sector)

/* HTCDS vic_TypeOfExploitation; the token is the CTDC is... flag suffix where one exists. */
#define CB_VALUES_exploitation_type(V) \
	V(exploitation_type, ForcedLabour,       "ForcedLabour",                   "Forced labour",                 "ForcedLabour") \
	V(exploitation_type, SexualExploitation, "SexualExploitation",             "Sexual exploitation",           "SexualExploit") \
	V(exploitation_type, ChildLabour,        "ChildLabour",                    "Child labour",                  "") \
	V(exploitation_type, ForcedMarriage,     "ForcedMarriage",                 "Forced marriage",               "ForcedMarriage") \
	V(exploitation_type, Servitude,          "Servitude",                      "Slavery and similar practices", "SlaveryAndPractices") \
	V(exploitation_type, ForcedMilitary,     "ForcedMilitaryByNonStateActors", "Forced military service",       "ForcedMilitary") \
	V(exploitation_type, OrganRemoval,       "OrganRemoval",                   "Organ removal",                 "OrganRemoval") \
	V(exploitation_type, ForcedBegging,      "ForcedBegging",                  "Forced begging",                "") \
	V(exploitation_type, ForcedAdoption,     "ForcedAdoption",                 "Forced adoption",               "") \
	V(exploitation_type, Surrogacy,          "Surrogacy",                      "Surrogacy",                     "") \
	V(exploitation_type, Other,              "Other",                          "Other",                         "OtherExploit")

#define CB_VALUES_sexual_exploitation_type(V) \
	V(sexual_exploitation_type, Prostitution,  "Prostitution",              "Prostitution",                "Prostitution") \
	V(sexual_exploitation_type, Pornography,   "Pornography",               "Pornography",                 "Pornography") \
	V(sexual_exploitation_type, Remote,        "RemoteInteractiveServices", "Remote interactive services", "RemoteInteractiveServices") \
	V(sexual_exploitation_type, Private,       "PrivateSexualServices",     "Private sexual services",     "PrivateSexualServices")

/* HTCDS vic_MethodsOfControl, plus two CTDC values HTCDS lacks (RestrictsMovement, UsesChildren). */
#define CB_VALUES_means_of_control(V) \
	V(means_of_control, PhysicalThreats,       "PhysicalThreats",          "Threats",                           "Threats") \
	V(means_of_control, ThreatsLawEnforcement, "ThreatsLawEnforcement",    "Threat of law enforcement",         "ThreatOfLawEnforcement") \
	V(means_of_control, ThreatensFamily,       "ThreatensChildrenFamily",  "Threatens children or family",      "") \
	V(means_of_control, DebtBondage,           "DebtBondage",              "Debt bondage",                      "DebtBondage") \
	V(means_of_control, FalsePromises,         "FalsePromises",            "False promises",                    "FalsePromises") \
	V(means_of_control, PhysicalAbuse,         "PhysicalAbuse",            "Physical abuse",                    "PhysicalAbuse") \
	V(means_of_control, SexualAbuse,           "SexualAbuse",              "Sexual abuse",                      "SexualAbuse") \
	V(means_of_control, TakesEarnings,         "TakesEarnings",            "Takes earnings",                    "TakesEarnings") \
	V(means_of_control, RestrictsFinancial,    "RestrictsFinancialAccess", "Restricts financial access",        "RestrictsFinancialAccess") \
	V(means_of_control, RestrictsMedical,      "RestrictsMedicalCare",     "Restricts medical care",            "RestrictsMedicalCare") \
	V(means_of_control, WithholdsNecessities,  "WithholdsNecessities",     "Withholds necessities",             "WithholdsNecessities") \
	V(means_of_control, PsychologicalAbuse,    "PsychologicalAbuse",       "Psychological abuse",               "PsychologicalAbuse") \
	V(means_of_control, Psychoactive,          "PsychoactiveSubstance",    "Psychoactive substances",           "PsychoactiveSubstances") \
	V(means_of_control, ExcessiveHours,        "ExcessiveWorkingHours",    "Excessive working hours",           "ExcessiveWorkingHours") \
	V(means_of_control, WithholdsDocuments,    "WithholdsDocuments",       "Withholds documents",               "WithholdsDocuments") \
	V(means_of_control, RestrictsMovement,     "RestrictsMovement",        "Restricts movement",                "RestrictsMovement") \
	V(means_of_control, UsesChildren,          "UsesChildren",             "Uses children",                     "UsesChildren") \
	V(means_of_control, Other,                 "Other",                    "Other",                             "Other")

#define CB_VALUES_yes_no(V) \
	V(yes_no, no,  "no",  "No",  "0") \
	V(yes_no, yes, "yes", "Yes", "1")

/* The workflow stage of a case (docs/assistance.md): the store moves it, one allowed step at a time. */
#define CB_VALUES_case_stage(V) \
	V(case_stage, screening,     "screening",     "Screening",      "") \
	V(case_stage, assistance,    "assistance",    "Assistance",     "") \
	V(case_stage, return,        "return",        "Return",         "") \
	V(case_stage, reintegration, "reintegration", "Reintegration",  "") \
	V(case_stage, follow_up,     "follow_up",     "Follow-up",      "") \
	V(case_stage, closed,        "closed",        "Closed",         "")

/* Kinds of assistance a person receives; each maps to an HTCDS spl_Type (src/care/assist.c, docs/assistance.md). */
#define CB_VALUES_assistance_type(V) \
	V(assistance_type, accommodation,           "accommodation",           "Accommodation (shelter)",          "") \
	V(assistance_type, medical,                 "medical",                 "Medical",                          "") \
	V(assistance_type, psychosocial,            "psychosocial",            "Psychosocial",                     "") \
	V(assistance_type, legal,                   "legal",                   "Legal",                            "") \
	V(assistance_type, information_counselling, "information_counselling", "Information and counselling",      "") \
	V(assistance_type, education,               "education",               "Education",                        "") \
	V(assistance_type, vocational_training,     "vocational_training",     "Vocational training",              "") \
	V(assistance_type, employment,              "employment",              "Employment",                       "") \
	V(assistance_type, financial,               "financial",               "Financial (reintegration grant)",  "") \
	V(assistance_type, return_travel,           "return_travel",           "Return travel",                    "") \
	V(assistance_type, family_tracing,          "family_tracing",          "Family tracing",                   "") \
	V(assistance_type, documents,               "documents",               "Documents",                        "") \
	V(assistance_type, interpretation,          "interpretation",          "Interpretation",                   "") \
	V(assistance_type, other,                   "other",                   "Other",                            "")

/* HTCDS org_Type: the kind of a partner organisation. */
#define CB_VALUES_org_type(V) \
	V(org_type, NGO,           "NGO",                           "NGO",                             "") \
	V(org_type, LawEnforcement, "LawEnforcement",               "Law enforcement",                 "") \
	V(org_type, Health,        "HealthServiceOrganisation",     "Health service organisation",     "") \
	V(org_type, CentralGov,    "CentralGovernmentOrganisation", "Central government organisation", "") \
	V(org_type, LocalGov,      "LocalGovernmentOrganisation",   "Local government organisation",   "") \
	V(org_type, Immigration,   "ImmigrationService",            "Immigration service",             "") \
	V(org_type, Legal,         "LegalService",                  "Legal service",                   "") \
	V(org_type, Business,      "CorporateBusiness",             "Corporate business",              "") \
	V(org_type, School,        "SchoolOrCollege",               "School or college",               "")

/* Not case fields: the coded columns of assistance records and referrals (src/care/assist.h). */
#define CB_VALUES_assistance_status(V) \
	V(assistance_status, planned,   "planned",   "Planned",   "") \
	V(assistance_status, ongoing,   "ongoing",   "Ongoing",   "") \
	V(assistance_status, completed, "completed", "Completed", "") \
	V(assistance_status, cancelled, "cancelled", "Cancelled", "")

#define CB_VALUES_referral_status(V) \
	V(referral_status, pending,   "pending",   "Pending",   "") \
	V(referral_status, accepted,  "accepted",  "Accepted",  "") \
	V(referral_status, rejected,  "rejected",  "Rejected",  "") \
	V(referral_status, completed, "completed", "Completed", "")

/* HTCDS cas_ReasonForOutgoingReferral and cas_ReasonForIncomingReferral (the same three values). */
#define CB_VALUES_referral_reason(V) \
	V(referral_reason, AdditionalServices, "AdditionalServicesRequired",  "Additional services required",        "") \
	V(referral_reason, Migration,          "MigrationOrChangeOfLocation", "Migration or change of location",     "") \
	V(referral_reason, Other,              "Other",                       "Other",                               "")

/* Why a case moves to another office, and why a receiving office refuses it (src/care/transfer.c). */
#define CB_VALUES_transfer_reason(V) \
	V(transfer_reason, PersonMoved,       "PersonMoved",       "The person moved",                 "") \
	V(transfer_reason, ServicesElsewhere, "ServicesElsewhere", "Services are offered elsewhere",   "") \
	V(transfer_reason, OfficeCapacity,    "OfficeCapacity",    "This office has no capacity",      "") \
	V(transfer_reason, Safety,            "Safety",            "Safety of the person",             "") \
	V(transfer_reason, Other,             "Other",             "Other",                            "")

#define CB_VALUES_transfer_reject_reason(V) \
	V(transfer_reject_reason, NoCapacity,          "NoCapacity",          "No capacity",                  "") \
	V(transfer_reject_reason, OutsideArea,         "OutsideArea",         "Outside our area",             "") \
	V(transfer_reject_reason, ServicesUnavailable, "ServicesUnavailable", "Services unavailable",         "") \
	V(transfer_reject_reason, IncompleteFile,      "IncompleteFile",      "Incomplete file",              "") \
	V(transfer_reject_reason, Other,               "Other",               "Other",                        "")

/* Every value set, in the order of the cb_vset_id enum. */
#define CB_VALUE_SETS(S) \
	S(case_status) S(trafficking_status) S(decision_org) S(data_source) S(identified_by) S(gender) \
	S(age_group) S(majority) S(education) S(marital_status) S(occupation) S(yes_no_unknown) \
	S(work_experience) S(recruitment_method) S(recruiter_sex) S(recruiter_relation) S(promised_job) \
	S(labour_sector) S(exploitation_type) S(sexual_exploitation_type) S(means_of_control) S(yes_no) \
	S(case_stage) S(assistance_type) S(org_type) S(assistance_status) S(referral_status) S(referral_reason) \
	S(transfer_reason) S(transfer_reject_reason)

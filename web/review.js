/*
 * review.js -- the manager's review queue of forms sent from phones (ODK Collect, KoboCollect, Enketo) that
 * casebank could not store as they came (docs/api.md, "Review queue"):
 *   #/review        the entries, pending first, with why each was held;
 *   #/review/ID     one entry: for a form that failed validation, its coded answers in the case form to fix
 *                   and accept; for an offline edit of a case changed since, what the phone sent beside the
 *                   case as it is now, to accept as sent; or reject, with a reason.
 * Identifying answers stay sealed on the server: the page only names which were answered.
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el, t = CB.t;
	// This view's strings (translations in strings.js win: only missing keys are filled in here).
	var STR = {
		nav_review: "Review queue",
		review_title: "Forms to review",
		review_intro: "Forms sent from phones that casebank could not store as they came. Nothing is lost: each stays here, sealed, until you accept or reject it.",
		review_state: "Show",
		review_pending: "Waiting for review",
		review_accepted: "Accepted",
		review_rejected: "Rejected",
		review_none: "No forms here.",
		review_col_received: "Received",
		review_col_form: "Form",
		review_col_office: "Office",
		review_col_user: "Sent by",
		review_col_why: "Why it is here",
		review_col_state: "State",
		review_open: "Review",
		review_kind_invalid: "Did not pass the checks",
		review_kind_conflict: "The case changed after the phone saw it",
		review_entry_title: "Form {0} to review",
		review_sent_by: "Sent by {0} for office {1}, received {2}.",
		review_why: "Why it is here",
		review_compare: "What the phone sent and the case now",
		review_col_field: "Question",
		review_col_phone: "From the phone",
		review_col_now: "In casebank now",
		review_versions: "The phone saw version {0} of case {1}; it is now at version {2}.",
		review_differs: "differs",
		review_identifying: "Identifying answers given (kept sealed, stored as sent): {0}",
		review_fix_title: "Fix and accept",
		review_fix_note: "Correct what the checks refused, then accept: the case is created with these answers.",
		review_accept: "Accept",
		review_accept_as_sent: "Accept as sent",
		review_accept_note: "Accepting stores the form as the phone sent it, beside the changes made since.",
		review_reject_title: "Reject",
		review_reject_reason: "Reason for rejecting",
		review_reject_help: "Say why (at least 5 characters); the form is then destroyed.",
		review_reject: "Reject",
		review_reason_short: "Give a reason of at least 5 characters.",
		review_accepted_flash: "Accepted.",
		review_accepted_case: "Accepted: case {0}.",
		review_rejected_flash: "Rejected; the form is destroyed.",
		review_resolved: "This entry was {0} by {1}.",
		review_back: "Back to the queue"
	};
	Object.keys(STR).forEach(function (k) { if (window.CB_STRINGS[k] === undefined) window.CB_STRINGS[k] = STR[k]; });

	var state = "pending"; // the list's filter, kept in memory
	// The follow-up and assistance forms' own questions (not codebook fields), as the forms word them.
	var QUESTIONS = { case_id: "Case id", case_version: "Case version seen on the phone", due_on: "Follow-up due on",
		done_on: "Follow-up done on", note: "Note", stage: "Move the case to stage", type: "Assistance",
		provider: "Partner id", planned_on: "Planned on", start_on: "Started on", end_on: "Ended on", status: "Status",
		notes: "Notes" };
	var FORMS = { casebank_registration: "registration", casebank_followup: "follow-up", casebank_assistance: "assistance",
		htcds_xlsform: "HTCDS survey" };

	function when(unix) {
		if (!unix) return t("none");
		return new Date(unix * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC";
	}
	function kindText(k) { return t(k === "conflict" ? "review_kind_conflict" : "review_kind_invalid"); }
	function formText(id) { return FORMS[id] ? FORMS[id] + " (" + id + ")" : id; }
	function entryLink(e) {
		return el("a", { href: "#/review/" + e.id, "aria-label": t("review_open") + " " + e.id }, t("review_open") + " #" + e.id);
	}

	/* ---- the list ---- */
	function listView() {
		var sel = el("select#review-state", { name: "state" }, ["pending", "accepted", "rejected"].map(function (s) {
			return el("option", { value: s, selected: s === state }, t("review_" + s));
		}));
		var results = el("div#review-results", { "aria-live": "polite" });
		sel.addEventListener("change", function () { state = sel.value; load(results); });
		CB.render(t("review_title"), [el("p.note", t("review_intro")),
			el("div.card.no-print", el("div.field", el("label", { for: "review-state" }, t("review_state")), sel)), results]);
		load(results);
	}

	function load(results) {
		CB.clear(results).appendChild(el("p.note", t("loading")));
		CB.api("GET", "/api/review?state=" + encodeURIComponent(state)).then(function (r) {
			var list = r.entries || [];
			CB.clear(results);
			if (!list.length) { results.appendChild(el("p#review-none", t("review_none"))); return; }
			var cols = ["review_col_received", "review_col_form", "review_col_office", "review_col_user", "review_col_why", "review_col_state"];
			var table = el("table#review-table",
				el("caption", t("review_" + state) + " (" + list.length + ")"),
				el("thead", el("tr", el("th", { scope: "col" }, "#"), cols.map(function (k) { return el("th", { scope: "col" }, t(k)); }))),
				el("tbody", list.map(function (e) {
					return el("tr", { "data-id": e.id },
						el("th", { scope: "row", "data-label": "#" }, entryLink(e)),
						el("td", { "data-label": t("review_col_received") }, when(e.received_at)),
						el("td", { "data-label": t("review_col_form") }, formText(e.form_id)),
						el("td", { "data-label": t("review_col_office") }, e.site || t("none")),
						el("td", { "data-label": t("review_col_user") }, e.user),
						el("td", { "data-label": t("review_col_why") }, el("div", el("strong", kindText(e.kind)), el("br"), e.reason)),
						el("td", { "data-label": t("review_col_state") }, t("review_" + e.state)));
				})));
			results.appendChild(el("div.scroll", { role: "region", "aria-label": t("review_title"), tabindex: "0" }, table));
		}, function (e) { CB.clear(results); CB.showError(e); });
	}

	/* ---- one entry ---- */

	// A form's answer as the case JSON the codebook field takes ("yes" -> true, "a b" -> ["a", "b"], "7" -> 7).
	function asCaseValue(f, v) {
		if (v === null || v === undefined || v === "") return null;
		if (Array.isArray(v)) return v;
		var s = String(v).trim();
		switch (f.kind) {
		case "bool": return /^(yes|true|1)$/i.test(s) ? true : /^(no|false|0)$/i.test(s) ? false : s;
		case "multi": return s.split(/\s+/);
		case "int": return /^-?\d+$/.test(s) ? Number(s) : s;
		default: return s;
		}
	}

	function showValue(cb, name, v) {
		var f = cb.byName[name];
		if (v === null || v === undefined || v === "") return t("none");
		return f ? CB.valueText(cb, f, asCaseValue(f, v)) : String(v);
	}

	// The two versions side by side.  A registration's answers are case fields, each beside the case's value
	// now; a follow-up's or assistance's are the form's own questions, listed first, then the case as it is.
	function compareTable(cb, e) {
		var answers = e.answers || {}, now = e.case_now || {};
		var sameFields = e.form_id === "casebank_registration" || e.form_id === "htcds_xlsform";
		var rows = Object.keys(answers).map(function (n) {
			var own = !sameFields && QUESTIONS[n];
			return { name: n, label: own ? QUESTIONS[n] : cb.byName[n] ? cb.byName[n].label : QUESTIONS[n] || n,
				phone: own ? String(answers[n]) : showValue(cb, n, answers[n]),
				now: own ? (n === "case_id" ? e.case_id || t("none") : t("none")) : n in now ? showValue(cb, n, now[n]) : t("none"),
				both: !own && n in now };
		});
		Object.keys(now).forEach(function (n) {
			if (!cb.byName[n] || (sameFields && n in answers)) return;
			rows.push({ name: n, label: cb.byName[n].label, phone: t("none"), now: showValue(cb, n, now[n]), both: false });
		});
		return el("div.scroll", { role: "region", "aria-labelledby": "review-compare-h", tabindex: "0" },
			el("table#review-compare",
				el("caption.visually-hidden", t("review_compare")),
				el("thead", el("tr", el("th", { scope: "col" }, t("review_col_field")), el("th", { scope: "col" }, t("review_col_phone")),
					el("th", { scope: "col" }, t("review_col_now")))),
				el("tbody", rows.map(function (r) {
					var differs = r.both && r.phone !== r.now;
					return el("tr" + (differs ? ".differs" : ""), { "data-field": r.name },
						el("th", { scope: "row", "data-label": t("review_col_field") }, r.label,
							differs ? el("span.badge", t("review_differs")) : null),
						el("td", { "data-label": t("review_col_phone") }, r.phone),
						el("td", { "data-label": t("review_col_now") }, r.now));
				}))));
	}

	function rejectForm(e) {
		var reason = el("textarea#review-reason", { name: "reason", minlength: "5", maxlength: "500", required: true,
			"aria-describedby": "review-reason-help review-reason-err", autocomplete: "off" });
		var err = el("p.error#review-reason-err", { "aria-live": "polite" });
		var form = el("form.card#review-reject-form", { novalidate: true },
			el("h2", t("review_reject_title")),
			el("div.field.wide", el("label", { for: "review-reason" }, t("review_reject_reason")), reason,
				el("p.note#review-reason-help", t("review_reject_help")), err),
			el("button.danger#review-reject", { type: "submit" }, t("review_reject")));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			var r = reason.value.trim();
			if (r.length < 5) { err.textContent = t("review_reason_short"); reason.setAttribute("aria-invalid", "true"); reason.focus(); return; }
			resolve(e, { action: "reject", reason: r }, t("review_rejected_flash"));
		});
		return form;
	}

	function resolve(e, body, okText, onError) {
		CB.api("POST", "/api/review/" + encodeURIComponent(e.id), body).then(function (r) {
			CB.flash(r && r.case_id ? t("review_accepted_case", r.case_id) : okText, "ok");
			CB.go("#/review");
		}, onError || CB.showError);
	}

	function entryView(id) {
		Promise.all([CB.loadCodebook(), CB.api("GET", "/api/review/" + encodeURIComponent(id))]).then(function (r) {
			var cb = r[0], e = r[1];
			var blocks = [
				el("p.actions.no-print", el("a#review-back", { href: "#/review" }, t("review_back"))),
				el("p#review-meta", t("review_sent_by", e.user, e.site || t("none"), when(e.received_at)) + " " + formText(e.form_id) + "."),
				el("section.card#review-why", el("h2", t("review_why")), el("p", el("strong", kindText(e.kind))), el("p", e.reason))
			];
			if (e.identifying_answers && e.identifying_answers.length) {
				blocks.push(el("p.note#review-identifying", t("review_identifying", e.identifying_answers.map(function (n) {
					return cb.byName[n] ? cb.byName[n].label : QUESTIONS[n] || n;
				}).join(", "))));
			}
			if (e.state !== "pending") {
				blocks.push(el("p#review-resolved", t("review_resolved", t("review_" + e.state).toLowerCase(), e.resolved_by || t("none"))));
				blocks.push(el("section.card", el("h2#review-compare-h", t("review_compare")), compareTable(cb, e)));
				CB.render(t("review_entry_title", e.id), blocks);
				return;
			}
			if (e.kind === "conflict" || e.form_id !== "casebank_registration" && e.form_id !== "htcds_xlsform") {
				var accept = el("button.primary#review-accept", { type: "button" }, t("review_accept_as_sent"));
				accept.addEventListener("click", function () { resolve(e, { action: "accept" }, t("review_accepted_flash")); });
				blocks.push(el("section.card#review-side", el("h2#review-compare-h", t("review_compare")),
					e.case_id ? el("p#review-versions", t("review_versions", e.seen_version, e.case_id, e.case_version)) : null,
					compareTable(cb, e), el("p.note", t("review_accept_note")), el("div.actions", accept)));
			} else {
				// a new case that failed the checks: its coded answers in the case form, to correct
				var kase = {};
				Object.keys(e.answers || {}).forEach(function (n) {
					if (cb.byName[n]) kase[n] = asCaseValue(cb.byName[n], e.answers[n]);
				});
				var cf = CB.caseForm(cb, { kase: kase, identity: false });
				var save = cf.form.querySelector("#save");
				save.id = "review-accept";
				save.textContent = t("review_accept");
				cf.form.addEventListener("submit", function (ev) {
					ev.preventDefault();
					var v = cf.values(), fields = {};
					Object.keys(v).forEach(function (n) { if (v[n] !== null || n in kase) fields[n] = v[n]; });
					resolve(e, { action: "accept", fields: fields }, t("review_accepted_flash"), function (err) {
						if (err.status === 400) cf.serverError(err); else CB.showError(err);
					});
				});
				blocks.push(el("section.card#review-fix", el("h2", t("review_fix_title")), el("p.note", t("review_fix_note")), cf.form));
			}
			blocks.push(rejectForm(e));
			CB.render(t("review_entry_title", e.id), blocks);
		}, function (err) {
			CB.render(t("forbidden_title"), el("p", CB.errorText(err)));
		});
	}

	CB.routes.push(
		{ re: /^#\/review$/, roles: ["manager"], view: listView },
		{ re: /^#\/review\/(\d+)$/, roles: ["manager"], view: entryView });
})();

/*
 * home.js -- a caseworker's or manager's work in one place (GET /api/home): follow-ups overdue and due this
 * week (of open cases), referrals waiting for a partner's answer, transfers waiting for an answer (incoming
 * to decide, outgoing still open) and possible duplicates of the office's cases (ids, offices, score only).
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el, t = CB.t;

	function caseLink(id) { return el("a.case-id", { href: "#/cases/" + encodeURIComponent(id) }, id.slice(0, 8) + "…"); }

	// the other case of a pair: a link only when it is the caller's own office's (else just its id)
	function caseLinkOr(id, site) {
		return CB.me.role === "manager" || CB.me.site === site ? caseLink(id) : el("span.case-id", id.slice(0, 8) + "…");
	}

	function stageText(v) {
		var f = CB.codebook && CB.codebook.byName.case_stage;
		return f ? CB.valueText(CB.codebook, f, v) : v || t("none");
	}

	// One section: a heading with its count, a table of items (or what to say when there are none).
	function section(id, title, items, empty, cols) {
		// a table narrow enough not to scroll (it stacks on phones): the section is its landmark
		var body = items.length ? el("div",
			el("table.stack#" + id + "-table",
				el("thead", el("tr", cols.map(function (c) { return el("th", { scope: "col" }, c[0]); }))),
				el("tbody", items.map(function (it) {
					return el("tr", cols.map(function (c, i) {
						var v = c[1](it);
						return i === 0 ? el("th", { scope: "row", "data-label": c[0] }, v) : el("td", { "data-label": c[0] }, v);
					}));
				})))) : el("p.note", empty);
		return el("section.card.home-section#" + id, { "aria-labelledby": id + "-h" },
			el("h2#" + id + "-h", title, " ", el("span.count", { "aria-label": t("home_count", items.length) }, String(items.length))),
			body);
	}

	function homeView() {
		Promise.all([CB.loadCodebook(), CB.api("GET", "/api/home")]).then(function (r) {
			var h = r[1];
			var caseCol = [t("col_case_id"), function (it) { return caseLink(it.case_id); }];
			var officeCol = [t("col_site"), function (it) { return it.site; }];
			var stageCol = [t("col_stage"), function (it) { return stageText(it.stage); }];
			CB.render(t("home_title"), [
				el("p.note", CB.me.site ? t("home_intro_site", CB.me.site) : t("home_intro_all")),
				section("home-overdue", t("home_overdue"), h.followups_overdue || [], t("home_none_overdue"),
					[caseCol, [t("col_due"), function (it) { return el("strong.overdue", it.on); }], officeCol, stageCol]),
				section("home-due", t("home_due", h.due_days || 7), h.followups_due || [], t("home_none_due"),
					[caseCol, [t("col_due"), function (it) { return it.on; }], officeCol, stageCol]),
				section("home-referrals", t("home_referrals"), h.referrals_awaiting || [], t("home_none_referrals"),
					[caseCol, [t("home_referred_on"), function (it) { return it.on; }],
						[t("home_partner"), function (it) { return it.partner || t("none"); }], officeCol]),
				section("home-transfers", t("home_transfers"), h.transfers || [], t("home_none_transfers"),
					[caseCol, [t("home_direction"), function (it) {
						return it.direction === "incoming" ? t("home_incoming", it.from) : t("home_outgoing", it.to);
					}], officeCol]),
				section("home-duplicates", t("home_duplicates"), h.duplicates || [], t("home_none_duplicates"),
					[caseCol, officeCol, [t("home_other_case"), function (it) { return caseLinkOr(it.other_id, it.other_site); }],
						[t("home_other_site"), function (it) { return it.other_site; }],
						[t("home_score"), function (it) { return it.score.toFixed(2); }]])]);
		}, function (e) { CB.render(t("home_title"), el("p.error", CB.errorText(e))); });
	}

	CB.routes.push({ re: /^#\/home$/, roles: ["manager", "caseworker"], view: homeView });
})();

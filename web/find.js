/*
 * find.js -- finding people and who holds a case: the find form (name, birth date, phone) above the case
 * list, the list's table (name for whoever may see it, age, sex, stage, caseworker; sortable columns),
 * saved filters, the case page's caseworker-and-office section (assign, transfer, links), and the
 * transfers view (#/transfers).  cases.js calls CB.caseTable, CB.findForm, CB.filtersBox and
 * CB.holdingSection.  Search texts are kept in memory only: never in the URL, storage or a saved filter.
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el, t = CB.t;
	var SORTABLE = { col_site: "site", col_status: "status", col_stage: "stage", col_age: "age",
		col_gender: "gender", col_assigned: "assigned", col_registered: "registered" };
	// The reasons' codes and labels come from the codebook (value sets transfer_reason and
	// transfer_reject_reason), in the reader's language: this file copies none.
	function reasonOptions(set) {
		var vs = (CB.codebook && CB.codebook.valueSet[set]) || [];
		return vs.map(function (v) { return el("option", { value: v.name }, v.label); });
	}

	function caseLink(id) { return el("a.case-id", { href: "#/cases/" + encodeURIComponent(id) }, id); }

	function valueLabel(field, v) {
		var f = CB.codebook && CB.codebook.byName[field];
		return v === null || v === undefined ? t("none") : f ? CB.valueText(CB.codebook, f, v) : v;
	}

	/* The case table of a list page or a search.  opts: sort (the list's order), onSort(key) when the
	 * columns sort on the server, search (true: the score and what matched). */
	CB.caseTable = function (r, pages, opts) {
		var named = r.cases.some(function (c) { return c.name !== undefined; });
		var cols = ["col_case_id"].concat(named ? ["col_name"] : [], ["col_age", "col_gender", "col_stage",
			"col_assigned", "col_site", opts.search ? "col_match" : "col_registered", "col_status"]);
		function head(k) {
			var key = SORTABLE[k];
			if (!opts.onSort || !key) return el("th", { scope: "col" }, t(k));
			var on = opts.sort && opts.sort.by === key;
			var btn = el("button.link.sort", { type: "button", "data-sort": key, "aria-label": t("sort_by", t(k)) }, t(k),
				on ? (opts.sort.desc ? " ▼" : " ▲") : "");
			btn.addEventListener("click", function () { opts.onSort(key); });
			return el("th", { scope: "col", "aria-sort": on ? (opts.sort.desc ? "descending" : "ascending") : "none" }, btn);
		}
		return el("table#case-table",
			el("caption", t("page_of", r.page, pages, r.total)),
			el("thead", el("tr", cols.map(head))),
			el("tbody", r.cases.map(function (c) {
				var cells = {
					col_case_id: el("th", { scope: "row", "data-label": t("col_case_id") }, caseLink(c.case_id)),
					col_name: el("td.sensitive", { "data-label": t("col_name") }, c.name || t("none")),
					col_age: el("td.num", { "data-label": t("col_age") }, c.age === null || c.age === undefined ? t("none") : c.age),
					col_gender: el("td", { "data-label": t("col_gender") }, valueLabel("gender", c.gender)),
					col_stage: el("td", { "data-label": t("col_stage") }, valueLabel("case_stage", c.stage)),
					col_assigned: el("td", { "data-label": t("col_assigned") }, c.assigned_to || t("none")),
					col_site: el("td", { "data-label": t("col_site") }, c.site),
					col_match: el("td", { "data-label": t("col_match") }, (c.matched || "") + " (" + Number(c.score || 0).toFixed(2) + ")"),
					col_registered: el("td", { "data-label": t("col_registered") }, c.registered_on || t("none")),
					col_status: el("td", { "data-label": t("col_status") }, valueLabel("status", c.status))
				};
				return el("tr", cols.map(function (k) { return cells[k]; }));
			})));
	};

	/* The find form: onFind(query) with {name, birth_date, phone}; onClear() back to the list. */
	CB.findForm = function (onFind, onClear) {
		var name = el("input#find-name", { type: "search", name: "name", autocomplete: "off", spellcheck: "false" });
		var birth = el("input#find-birth", { type: "text", name: "birth_date", placeholder: "YYYY-MM-DD",
			autocomplete: "off", inputmode: "numeric" });
		var phone = el("input#find-phone", { type: "tel", name: "phone", autocomplete: "off" });
		var form = el("form.card.no-print#find-form", { role: "search", "aria-label": t("find_legend"), novalidate: true },
			el("h2", t("find_legend")),
			el("div.row",
				el("div.field", el("label", { for: "find-name" }, t("find_name")), name),
				el("div.field", el("label", { for: "find-birth" }, t("find_birth_date")), birth),
				el("div.field", el("label", { for: "find-phone" }, t("find_phone")), phone),
				el("div.field", el("button.primary#find-submit", { type: "submit" }, t("find_submit")),
					el("button#find-clear", { type: "button", onclick: function () {
						name.value = birth.value = phone.value = "";
						onClear();
					} }, t("find_clear")))));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			var q = { name: name.value.trim(), birth_date: birth.value.trim(), phone: phone.value.trim() };
			if (q.name || q.birth_date || q.phone) onFind(q);
		});
		return form;
	};

	/* Saved filters of the list: pick one (apply(query)), or save the current one (current() gives it). */
	CB.filtersBox = function (current, apply) {
		var sel = el("select#filter-pick", { name: "filter" }, el("option", { value: "" }, t("choose")));
		var nm = el("input#filter-name", { name: "filter_name", autocomplete: "off", maxlength: "64", pattern: "[A-Za-z0-9_-]+" });
		var box = el("div.card.no-print#filters",
			el("div.row",
				el("div.field", el("label", { for: "filter-pick" }, t("filters_saved")), sel),
				el("div.field", el("label", { for: "filter-name" }, t("filter_name")), nm),
				el("div.field", el("button#filter-save", { type: "button", onclick: function () {
					var n = nm.value.trim();
					if (!/^[A-Za-z0-9_-]{1,64}$/.test(n)) { nm.setAttribute("aria-invalid", "true"); nm.focus(); return; }
					nm.removeAttribute("aria-invalid");
					CB.api("POST", "/api/filters", { name: n, query: current() }).then(function () {
						nm.value = "";
						load(n);
					}, CB.showError);
				} }, t("filter_save")))));
		var saved = {};
		function load(pick) {
			CB.api("GET", "/api/filters").then(function (r) {
				while (sel.options.length > 1) sel.remove(1);
				(r.filters || []).forEach(function (f) {
					saved[f.name] = f.query;
					sel.appendChild(el("option", { value: f.name, selected: f.name === pick }, f.name));
				});
			}, CB.showError);
		}
		sel.addEventListener("change", function () { if (sel.value) apply(saved[sel.value]); });
		load();
		return box;
	};

	/* ---- the case page: caseworker, office, transfer, links ---- */
	CB.holdingSection = function (id, k, box) {
		CB.api("GET", "/api/cases/" + encodeURIComponent(id) + "/links").then(function (h) {
			var parts = [el("h2", t("holding_title")),
				el("p#assigned-to", t("assigned_to", h.assigned_to || t("none")))];
			if (CB.me.role === "manager") {
				var user = el("input#assign-user", { name: "user", autocomplete: "off", value: h.assigned_to || "" });
				parts.push(el("form#assign-form", { novalidate: true, onsubmit: function (ev) {
					ev.preventDefault();
					CB.api("POST", "/api/cases/" + encodeURIComponent(id) + "/assign", { user: user.value.trim() || null })
						.then(function () { CB.holdingSection(id, k, box); }, CB.showError);
				} }, el("div.row", el("div.field", el("label", { for: "assign-user" }, t("assign_user")), user),
					el("div.field", el("button#assign-submit", { type: "submit" }, t("assign_submit"))))));
			}
			if (h.transfer) {
				parts.push(el("p.note#transfer-pending", t("transfer_pending", h.transfer.id, h.transfer.to)));
			} else if (CB.me.role === "manager" || CB.me.site === k.site) {
				var to = el("input#transfer-to", { name: "to", autocomplete: "off", autocapitalize: "characters" });
				var why = el("select#transfer-reason", { name: "reason" }, reasonOptions("transfer_reason"));
				parts.push(el("form#transfer-form", { novalidate: true, onsubmit: function (ev) {
					ev.preventDefault();
					CB.api("POST", "/api/cases/" + encodeURIComponent(id) + "/transfer",
						{ to: to.value.trim().toUpperCase(), reason: why.value })
						.then(function () { CB.holdingSection(id, k, box); }, CB.showError);
				} }, el("div.row", el("div.field", el("label", { for: "transfer-to" }, t("transfer_to")), to),
					el("div.field", el("label", { for: "transfer-reason" }, t("transfer_reason")), why),
					el("div.field", el("button#transfer-submit", { type: "submit" }, t("transfer_submit"))))));
			}
			if (h.links && h.links.length)
				parts.push(el("p#links", t("linked_to"), " ", h.links.map(function (l, i) {
					return [i ? ", " : "", caseLink(l.case_id), " (" + l.site + ")"];
				})));
			CB.add(CB.clear(box), el("section.card.no-print", parts));
		}, function () { CB.clear(box); });
	};

	/* ---- #/transfers ---- */
	function transferRows(list, incoming, reload) {
		if (!list.length) return el("p", t("no_cases"));
		return el("div.scroll", { role: "region", tabindex: "0", "aria-label": t("transfers_title") },
			el("table" + (incoming ? "#transfers-in" : "#transfers-out"),
				el("thead", el("tr", ["col_case_id", "col_from", "col_to", "col_reason", "col_status", ""].map(function (k) {
					return el("th", { scope: "col" }, k ? t(k) : "");
				}))),
				el("tbody", list.map(function (x) {
					var act = null;
					if (incoming && CB.me.role === "manager" && x.state === "requested") {
						var why = el("select", { "aria-label": t("reject_reason"), "data-transfer": x.id },
							reasonOptions("transfer_reject_reason"));
						var decide = function (d) {
							CB.api("POST", "/api/transfers/" + x.id, d === "accept" ? { decision: d } : { decision: d, reason: why.value })
								.then(reload, CB.showError);
						};
						act = [el("button.primary.accept", { type: "button", "data-transfer": x.id, onclick: function () { decide("accept"); } }, t("accept")),
							" ", why, " ", el("button.reject", { type: "button", "data-transfer": x.id, onclick: function () { decide("reject"); } }, t("reject"))];
					}
					return el("tr", el("th", { scope: "row" }, x.state === "accepted" && !incoming ? x.case_id : caseLink(x.case_id)),
						el("td", x.from), el("td", x.to), el("td", x.reason + (x.decision_reason ? " / " + x.decision_reason : "")),
						el("td", x.state), el("td", act));
				}))));
	}

	function transfersView() {
		Promise.all([CB.api("GET", "/api/transfers"), CB.loadCodebook()]).then(function (got) {
			var r = got[0];
			CB.render(t("transfers_title"), [
				el("section.card", el("h2", t("transfers_incoming")), transferRows(r.incoming || [], true, transfersView)),
				el("section.card", el("h2", t("transfers_outgoing")), transferRows(r.outgoing || [], false, transfersView))]);
		}, CB.showError);
	}

	CB.routes.push({ re: /^#\/transfers$/, roles: ["manager", "caseworker"], view: transfersView });
})();

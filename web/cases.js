/*
 * cases.js -- the caseworker's and manager's views: the case list ("my cases" first; search by case id and
 * status, find by name, birth date or phone, sorting and saved filters: find.js), the case view (with
 * break-the-glass for managers and the case's audit trail), and registration (with the duplicate warning)
 * and edit.  The search is kept in memory, never in the URL.
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el, t = CB.t;
	// the last list query, for coming back to the list; mine: "my cases" (null: not decided yet, then the
	// default: mine when the user has cases assigned); find: a search by name, birth date, phone (in memory only)
	var search = { q: "", status: "", site: "", page: 1, sort: null, mine: null, find: null };
	var PER_PAGE = 50;


	/* ---- list ---- */
	function listView() {
		CB.loadCodebook().then(function (cb) {
			var statusField = cb.byName.status;
			var q = el("input#search-q", { type: "search", name: "q", value: search.q, autocomplete: "off",
				autocapitalize: "characters", spellcheck: "false" });
			var st = el("select#search-status", { name: "status" }, el("option", { value: "" }, t("search_any")),
				(statusField ? statusField.values : []).map(function (v) {
					return el("option", { value: v.name, selected: v.name === search.status }, v.label);
				}));
			var site = CB.me.role === "manager" ? el("input#search-site", { name: "site", value: search.site,
				autocapitalize: "characters", autocomplete: "off" }) : null;
			var results = el("div#results", { "aria-live": "polite" });
			var mine = el("input#search-mine", { type: "checkbox", name: "mine", checked: search.mine !== false });
			var form = el("form.card.no-print#search-form", { role: "search", "aria-label": t("search_q"), novalidate: true },
				el("div.row",
					el("div.field", el("label", { for: "search-q" }, t("search_q")), q),
					el("div.field", el("label", { for: "search-status" }, t("search_status")), st),
					site ? el("div.field", el("label", { for: "search-site" }, t("search_site")), site) : null,
					el("div.field.check", mine, el("label", { for: "search-mine" }, t("mine"))),
					el("div.field", el("button.primary", { type: "submit" }, t("search_submit")))));
			form.addEventListener("submit", function (ev) {
				ev.preventDefault();
				search = { q: q.value.trim().toUpperCase(), status: st.value, site: site ? site.value.trim().toUpperCase() : "",
					page: 1, sort: search.sort, mine: mine.checked, find: null };
				load(results);
			});
			var find = CB.findForm(function (query) {
				search.find = query;
				search.page = 1;
				load(results);
			}, function () { search.find = null; load(results); });
			// a saved filter holds the list's parameters only, never a search text
			var filters = CB.filtersBox(function () { return listQuery(true).join("&"); }, function (query) {
				var p = {};
				query.split("&").forEach(function (kv) { var i = kv.indexOf("="); p[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); });
				search = { q: p.q || "", status: p.status || "", site: p.site || "", page: 1, find: null, mine: p.mine === "1",
					sort: p.sort ? { by: p.sort, desc: p.order === "desc" } : null };
				q.value = search.q;
				st.value = search.status;
				if (site) site.value = search.site;
				mine.checked = search.mine;
				load(results);
			});
			CB.render(t("cases_title"), [
				el("p.actions", el("a.button#new-case", { href: "#/cases/new" }, t("nav_new_case")),
					" ", el("a.button#nav-transfers", { href: "#/transfers" }, t("nav_transfers"))),
				find, form, filters, results]);
			load(results);
		}, CB.showError);
	}

	// The list's parameters (saved filters keep these, and only these).
	function listQuery(forFilter) {
		var p = forFilter ? [] : ["page=" + search.page, "per_page=" + PER_PAGE];
		if (search.q) p.push("q=" + encodeURIComponent(search.q));
		if (search.status) p.push("status=" + encodeURIComponent(search.status));
		if (search.site) p.push("site=" + encodeURIComponent(search.site));
		if (search.mine) p.push("mine=1");
		if (search.sort) p.push("sort=" + search.sort.by, "order=" + (search.sort.desc ? "desc" : "asc"));
		return p;
	}

	function load(results) {
		var p = listQuery(false), f = search.find;
		if (f) {
			p = [];
			["name", "birth_date", "phone"].forEach(function (k) { if (f[k]) p.push(k + "=" + encodeURIComponent(f[k])); });
			if (search.site) p.push("site=" + encodeURIComponent(search.site));
		} else if (search.mine === null) {
			p.push("mine=1"); // "my cases" first; all cases when none are assigned
		}
		CB.clear(results).appendChild(el("p.note", t("loading")));
		CB.api("GET", "/api/cases?" + p.join("&")).then(function (r) {
			if (!f && search.mine === null) {
				search.mine = r.total > 0;
				var box = document.getElementById("search-mine");
				if (box) box.checked = search.mine;
				if (!search.mine) { load(results); CB.flash(t("mine_empty")); return; }
			}
			CB.clear(results);
			if (!r.cases.length) { results.appendChild(el("p#no-cases", t("no_cases"))); return; }
			var pages = Math.max(1, Math.ceil(r.total / (r.per_page || PER_PAGE)));
			var table = CB.caseTable(r, pages, { search: !!f, sort: search.sort, onSort: f ? null : function (key) {
				var desc = search.sort && search.sort.by === key ? !search.sort.desc : false;
				search.sort = { by: key, desc: desc };
				search.page = 1;
				load(results);
			} });
			var prev = el("button", { type: "button", disabled: r.page <= 1 }, t("previous"));
			var next = el("button", { type: "button", disabled: r.page >= pages }, t("next"));
			prev.addEventListener("click", function () { search.page--; load(results); });
			next.addEventListener("click", function () { search.page++; load(results); });
			CB.add(results, [el("div.scroll", { role: "region", "aria-label": t("cases_title"), tabindex: "0" }, table),
				el("div.pager", prev, next)]);
		}, function (e) { CB.clear(results); CB.showError(e); });
	}

	/* ---- view ---- */
	function hasIdentity(cb, k) {
		return cb.fields.some(function (f) { return f.pii && k[f.name] !== undefined && k[f.name] !== null; });
	}

	var caseTab = {}; // case id -> the tab last shown, so that a redraw (a stage moved) keeps it

	// The summary header: who (name, for those allowed), age, sex, office, stage, caseworker, and alerts.
	function summary(cb, k, mayIdentity) {
		var f = cb.byName;
		function val(name) { return f[name] ? CB.valueText(cb, f[name], k[name]) : t("none"); }
		var name = [k.first_name, k.last_name].filter(function (x) { return x; }).join(" ");
		var age = k.age_at_registration !== null && k.age_at_registration !== undefined
			? t("age_at_reg", k.age_at_registration) : k.age_group ? val("age_group") : t("none");
		var site = (CB.sites || []).filter(function (x) { return x.code === k.site; })[0];
		var worker = k.caseworker || k.assigned_to || "";
		var alerts = [];
		if (k.majority === "minor") alerts.push(t("alert_minor"));
		if (k.consent_assistance === false || k.consent_assistance === "no") alerts.push(t("alert_no_consent"));
		if (k.case_stage === "closed") alerts.push(t("alert_closed"));
		var alertBox = el("ul.alerts#case-alerts", { "aria-label": t("case_alerts") },
			alerts.map(function (a) { return el("li", a); }));
		var items = [
			mayIdentity ? ["sum_name", name || t("none"), "sum-name"] : ["sum_name", t("identity_withheld"), "sum-name"],
			["sum_age", age, "sum-age"],
			["sum_sex", val("gender"), "sum-sex"],
			["sum_office", site && site.name !== site.code ? site.name + " (" + k.site + ")" : k.site || t("none"), "sum-office"],
			["sum_stage", val("case_stage"), "sum-stage"],
			["sum_worker", worker || t("unassigned"), "sum-worker"]
		];
		var box = el("section.summary#case-summary", { "aria-label": t("case_summary") },
			el("dl.sum", items.map(function (x) {
				return el("div", el("dt", t(x[0])), el("dd" + (x[0] === "sum_name" && mayIdentity ? ".sensitive" : ""), { id: x[2] }, x[1]));
			})), alertBox);
		return { node: box, alerts: alertBox };
	}

	function caseView(id) {
		Promise.all([CB.loadCodebook(), CB.api("GET", "/api/cases/" + encodeURIComponent(id))]).then(function (r) {
			var cb = r[0], k = r[1];
			var mayIdentity = CB.me.role === "caseworker" || hasIdentity(cb, k) || !!CB.glass[id];
			var bySection = { screening: [], assistance: [], identity: [] };
			cb.groups.forEach(function (g) {
				var fs = cb.fields.filter(function (f) { return f.group === g.name; });
				var sec = CB.sectionOf(g);
				if (!fs.length || (sec === "identity" && !mayIdentity)) return;
				bySection[sec].push(el("h3", g.label), el("dl.kv", fs.map(function (f) {
					return [el("dt", f.label, f.pii ? el("span.badge", t("sensitive_badge")) : null),
						el("dd" + (f.pii ? ".sensitive" : ""), { "data-field": f.name }, CB.valueText(cb, f, k[f.name]))];
				})));
			});
			var sum = summary(cb, k, mayIdentity);
			var actions = el("p.actions.no-print",
				el("a.button.primary#edit-case", { href: "#/cases/" + encodeURIComponent(id) + "/edit" }, t("edit")));
			var identity = mayIdentity ? el("section.card.sensitive-section#identity",
				el("h2", t("interview_identity"), el("span.badge", t("sensitive_badge"))),
				CB.glass[id] ? el("p.note", t("glass_until", CB.glass[id])) : null,
				el("p.note", t("sensitive_note")), bySection.identity)
				: CB.me.role === "manager" ? glassForm(id) : el("p.note", t("identity_hidden"));
			var assist = el("div#case-assist"); // stage, assistance, referrals, follow-ups: assist.js
			var notes = el("div#case-notes");   // dated notes: notes.js
			var holding = el("div#case-holding"); // caseworker, transfer, links: find.js
			var attach = el("div#case-attach"); // documents and photos: attach.js
			var hist = el("div#history-box");
			var tabs = [
				{ id: "interview", title: t("tab_interview"), panel: [
					el("section.card", el("h2", t("interview_screening")), bySection.screening),
					el("section.card", el("h2", t("interview_assistance")), bySection.assistance)] },
				{ id: "identity", title: t("tab_identity"), panel: identity },
				{ id: "help", title: t("tab_help"), panel: assist },
				{ id: "notes", title: t("tab_notes"), panel: notes }];
			if (mayIdentity) tabs.push({ id: "files", title: t("tab_files"), panel: attach });
			if (CB.me.role === "manager") tabs.push({ id: "history", title: t("tab_history"), panel: hist });
			var widget = CB.tabs(t("case_sections"), tabs, caseTab[id] || "interview", function (tab) {
				caseTab[id] = tab;
				if (tab === "history" && !hist.firstChild) history(id, hist);
			});
			// the title names the case by the start of its id; the whole id stays in the summary
			CB.render(t("case_title", shortId(k.case_id || id)), [
				el("p.case-ref", t("case_ref"), " ", el("span.case-id#case-full-id", k.case_id || id)),
				sum.node, actions, holding, widget]); // who holds the case, above its parts
			if (CB.holdingSection) CB.holdingSection(id, k, holding);
			if (CB.assistSections) CB.assistSections(id, k, assist);
			if (CB.notesSection) CB.notesSection(id, notes);
			if (CB.attachmentsSection && mayIdentity) CB.attachmentsSection(id, k, attach);
			if (caseTab[id] === "history") history(id, hist);
			overdueAlert(id, sum.alerts, k);
		}, function (e) {
			CB.render(t("forbidden_title"), el("p", CB.errorText(e)));
		});
	}

	function shortId(id) { return id.length > 8 ? id.slice(0, 8) + "…" : id; }

	// An overdue follow-up of an open case is an alert of the summary.
	function overdueAlert(id, box, k) {
		if (k.case_stage === "closed") return;
		CB.api("GET", "/api/cases/" + encodeURIComponent(id) + "/followups").then(function (r) {
			var n = (r.followups || []).filter(function (f) { return f.overdue; }).length;
			if (n) box.appendChild(el("li.overdue", t("alert_overdue", n)));
		}, function () { /* the section itself shows the error */ });
	}

	function glassForm(id) {
		var reason = el("textarea#glass-reason", { name: "reason", minlength: "10", maxlength: "500",
			"aria-describedby": "glass-err glass-text", autocomplete: "off" });
		var err = el("p.error#glass-err", { role: "alert" });
		var form = el("form.card.no-print#glass-form", { novalidate: true },
			el("h2", t("glass_title")),
			el("p#glass-text", t("glass_text")),
			el("div.field", el("label", { for: "glass-reason" }, t("glass_reason")), reason),
			err,
			el("button.primary", { type: "submit" }, t("glass_submit")));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			var r = reason.value.trim();
			if (r.length < 10 || r.length > 500) {
				err.textContent = t("v_reason");
				reason.setAttribute("aria-invalid", "true");
				reason.focus();
				return;
			}
			CB.api("POST", "/api/cases/" + encodeURIComponent(id) + "/glass", { reason: r }).then(function (g) {
				CB.glass[id] = g && g.until || "";
				caseView(id);
			}, function (e) { err.textContent = CB.errorText(e); reason.focus(); });
		});
		return form;
	}

	function history(id, box) {
		CB.api("GET", "/api/audit?case_id=" + encodeURIComponent(id) + "&limit=100").then(function (r) {
			var rows = r.entries || [];
			CB.add(CB.clear(box), [el("h2", { tabindex: "-1" }, t("history_title")),
				rows.length ? el("div.scroll", { role: "region", "aria-label": t("history_title"), tabindex: "0" },
					el("table", el("thead", el("tr", ["col_at", "col_user", "col_action", "col_fields"].map(function (k) {
						return el("th", { scope: "col" }, t(k));
					}))), el("tbody", rows.map(function (a) {
						return el("tr", el("td", CB.localTime(a.at)), el("td", a.user), el("td", a.action), el("td", (a.fields || []).join(", ")));
					})))) : el("p", t("no_history"))]);
			box.firstChild.focus();
		}, CB.showError);
	}

	/* ---- register and edit ---- */
	function newView() {
		CB.loadCodebook().then(function (cb) {
			var locked = CB.me.role === "caseworker";
			var F = CB.caseForm(cb, { identity: true, siteLocked: locked, site: CB.me.site, cancel: "#/cases" });
			// A case is registered today unless told otherwise (the year of registration derives from it).
			var d = new Date(), pad = function (n) { return (n < 10 ? "0" : "") + n; };
			if (F.controls.registered_on) F.controls.registered_on.set(d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()));
			F.settle();
			CB.guard(function () { return F.dirty(); });
			F.form.addEventListener("submit", function (ev) {
				ev.preventDefault();
				if (!F.validate()) return;
				var v = F.values(), body = {};
				Object.keys(v).forEach(function (n) { if (v[n] !== null) body[n] = v[n]; });
				var btn = F.form.querySelector("#save");
				btn.disabled = true;
				CB.api("POST", "/api/cases", body).then(function (k) {
					F.settle();
					// the other office's case by id and office only
					CB.flash([t("created", k.case_id)].concat((k.possible_duplicates || []).map(function (d) {
						return t("possible_duplicate", d.site, d.case_id);
					})).join(" "), (k.possible_duplicates || []).length ? "error" : "ok");
					CB.go("#/cases/" + encodeURIComponent(k.case_id));
				}, function (e) {
					btn.disabled = false;
					F.serverError(e);
				});
			});
			CB.render(t("new_case_title"), F.form);
		}, CB.showError);
	}

	function same(a, b) {
		function norm(x) {
			if (x === undefined) return null;
			return Array.isArray(x) ? x.slice().sort() : x;
		}
		return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
	}

	function editView(id) {
		Promise.all([CB.loadCodebook(), CB.api("GET", "/api/cases/" + encodeURIComponent(id))]).then(function (r) {
			var cb = r[0], k = r[1];
			var identity = CB.me.role === "caseworker" || hasIdentity(cb, k) || !!CB.glass[id];
			var F = CB.caseForm(cb, { kase: k, identity: identity, siteLocked: CB.me.role === "caseworker",
				cancel: "#/cases/" + encodeURIComponent(id) });
			var original = F.values(); // what the form was filled from: the base of a merge
			var version = k.version;
			F.settle();
			CB.guard(function () { return F.dirty(); });
			function save() {
				var v = F.values(), body = {};
				Object.keys(v).forEach(function (n) { if (!same(v[n], original[n])) body[n] = v[n]; });
				if (!Object.keys(body).length) { CB.flash(t("nothing_changed")); return; }
				body.version = version;
				var btn = F.form.querySelector("#save");
				btn.disabled = true;
				CB.api("PATCH", "/api/cases/" + encodeURIComponent(id), body).then(function () {
					F.settle();
					CB.flash(t("saved"));
					CB.go("#/cases/" + encodeURIComponent(id));
				}, function (e) {
					btn.disabled = false;
					if (e.status !== 409) { F.serverError(e); return; }
					// an edit clash: what was typed stays; what changed meanwhile is shown beside it to merge
					CB.api("GET", "/api/cases/" + encodeURIComponent(id)).then(function (now) {
						F.alert(CB.mergeBox(cb, F, original, now, function () {
							original = {};
							Object.keys(F.controls).forEach(function (n) { original[n] = now[n] === undefined ? null : now[n]; });
							version = now.version;
							save();
						}));
					}, F.serverError);
				});
			}
			F.form.addEventListener("submit", function (ev) {
				ev.preventDefault();
				if (F.validate()) save();
			});
			CB.render(t("edit_case_title", shortId(k.case_id || id)), F.form);
		}, function (e) {
			CB.render(t("forbidden_title"), el("p", CB.errorText(e)));
		});
	}

	var staff = ["manager", "caseworker"];
	CB.routes.push(
		{ re: /^#\/cases$/, roles: staff, view: listView },
		{ re: /^#\/cases\/new$/, roles: staff, view: newView },
		{ re: /^#\/cases\/([A-Za-z0-9]+)$/, roles: staff, view: caseView },
		{ re: /^#\/cases\/([A-Za-z0-9]+)\/edit$/, roles: staff, view: editView });
})();

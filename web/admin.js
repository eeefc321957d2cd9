/*
 * admin.js -- the administrator's pages besides the accounts (users.js): the list of offices (GET, POST and
 * PATCH /api/sites), the audit viewer (GET /api/audit: who did what to which case, break-the-glass reasons,
 * in the reader's local time), and the form that changes an account's role and office.
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el, t = CB.t;
	var ROLES = ["caseworker", "manager", "analyst", "admin"];

	function field(id, text, input, hint) {
		return el("div.field", el("label", { for: id }, text), input, hint ? el("p.note", { id: id + "-hint" }, hint) : null);
	}

	// A menu of the enabled offices (the managed list), for every office field of the admin pages.
	CB.siteSelect = function (id, value) {
		return el("select", { id: id, name: id }, el("option", { value: "" }, t("site_none")),
			(CB.sites || []).filter(function (x) { return !x.disabled; }).map(function (x) {
				return el("option", { value: x.code, selected: x.code === value }, x.code + (x.name !== x.code ? " – " + x.name : ""));
			}));
	};

	/* ---- offices ---- */
	function sitesView() {
		CB.loadSites().then(function (sites) {
			var list = sites.length ? el("div.scroll", { role: "region", "aria-label": t("sites_title"), tabindex: "0" },
				el("table#sites-table.stack",
					el("thead", el("tr", ["site_code", "site_name", "site_country", "user_state", "user_actions"].map(function (k) {
						return el("th", { scope: "col" }, t(k));
					}))),
					el("tbody", sites.map(function (x) {
						return el("tr", { "data-site": x.code }, el("th", { scope: "row", "data-label": t("site_code") }, x.code),
							el("td", { "data-label": t("site_name") }, x.name),
							el("td", { "data-label": t("site_country") }, x.country || t("none")),
							el("td", { "data-label": t("user_state") }, x.disabled ? t("site_disabled") : t("site_enabled")),
							el("td", { "data-label": t("user_actions") }, el("button", { type: "button", "data-toggle": x.code,
								onclick: function () {
									CB.api("PATCH", "/api/sites/" + encodeURIComponent(x.code), { disabled: !x.disabled }).then(function () {
										CB.flash(t(x.disabled ? "site_was_enabled" : "site_was_disabled", x.code));
										sitesView();
									}, CB.showError);
								} }, t(x.disabled ? "site_enable" : "site_disable", x.code))));
					})))) : el("p", t("sites_none"));
			CB.render(t("sites_title"), [el("p.note", t("sites_intro")), list, siteForm()]);
		});
	}

	function siteForm() {
		var code = el("input#site-code", { autocomplete: "off", autocapitalize: "characters", spellcheck: "false",
			maxlength: "16", "aria-describedby": "site-code-hint" });
		var name = el("input#site-name", { autocomplete: "off", maxlength: "120" });
		var country = el("select#site-country", el("option", { value: "" }, t("choose")));
		CB.loadCodebook().then(function (cb) {
			cb.countries.slice().sort(function (a, b) { return a.name.localeCompare(b.name); }).forEach(function (c) {
				country.appendChild(el("option", { value: c.code }, c.name + " (" + c.code + ")"));
			});
		});
		var err = el("p.error#site-error", { role: "alert" });
		var form = el("form.card#site-form", { novalidate: true }, el("h2", t("site_add")),
			el("div.row", field("site-code", t("site_code"), code, t("site_code_hint")), field("site-name", t("site_name"), name),
				field("site-country", t("site_country"), country)),
			err, el("button.primary", { type: "submit" }, t("site_add")));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			err.textContent = "";
			var c = code.value.trim().toUpperCase();
			if (!/^[A-Z0-9-]{2,16}$/.test(c)) { err.textContent = t("v_site", t("site_code")); code.focus(); return; }
			if (!name.value.trim()) { err.textContent = t("v_required", t("site_name")); name.focus(); return; }
			CB.api("POST", "/api/sites", { code: c, name: name.value.trim(), country: country.value }).then(function () {
				CB.flash(t("site_added", c));
				sitesView();
			}, function (e) { err.textContent = CB.errorText(e); code.focus(); });
		});
		return form;
	}

	/* ---- an account's role and office ---- */
	CB.roleForm = function (users, done) {
		if (!users.length) return null;
		var who = el("select#role-user", users.map(function (u) { return el("option", { value: u.name }, u.name); }));
		var role = el("select#role-role", ((CB.codebook && CB.codebook.roles) || ROLES).map(function (r) { return el("option", { value: r }, CB.roleName(r)); }));
		var site = CB.siteSelect("role-site", "");
		function fill() {
			var u = users.filter(function (x) { return x.name === who.value; })[0];
			if (!u) return;
			role.value = u.role;
			site.value = u.site || "";
		}
		who.addEventListener("change", fill);
		fill();
		var err = el("p.error#role-error", { role: "alert" });
		var form = el("form.card#role-form", { novalidate: true }, el("h2", t("role_change")),
			el("div.row", field("role-user", t("user_name"), who), field("role-role", t("user_role"), role),
				field("role-site", t("user_site"), site, t("role_site_hint"))),
			err, el("button.primary", { type: "submit" }, t("save")));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			err.textContent = "";
			if (role.value === "caseworker" && !site.value) { err.textContent = t("v_required", t("user_site")); site.focus(); return; }
			CB.api("POST", "/api/users/" + encodeURIComponent(who.value) + "/role",
				{ role: role.value, site: role.value === "caseworker" ? site.value : "" }).then(function () {
				CB.flash(t("role_changed", who.value));
				done();
			}, function (e) { err.textContent = CB.errorText(e); role.focus(); });
		});
		return form;
	};

	/* ---- the audit trail ---- */
	var afilter = { case_id: "", user: "", action: "" };
	function auditView() {
		var cid = el("input#audit-case", { value: afilter.case_id, autocomplete: "off", autocapitalize: "characters",
			spellcheck: "false" });
		var user = el("input#audit-user", { value: afilter.user, autocomplete: "off", autocapitalize: "none" });
		var action = el("input#audit-action", { value: afilter.action, autocomplete: "off", autocapitalize: "none",
			"aria-describedby": "audit-action-hint" });
		var results = el("div#audit-results", { "aria-live": "polite" });
		var form = el("form.card#audit-form", { role: "search", novalidate: true },
			el("div.row", field("audit-case", t("audit_case"), cid), field("audit-user", t("audit_user"), user),
				field("audit-action", t("audit_action"), action, t("audit_action_hint")),
				el("div.field", el("button.primary", { type: "submit" }, t("search_submit")))));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			afilter = { case_id: cid.value.trim().toUpperCase(), user: user.value.trim(), action: action.value.trim() };
			load(results);
		});
		CB.render(t("audit_title"), [el("p.note", t("audit_intro")), form, results]);
		load(results);
	}

	function load(results) {
		var q = "/api/audit?limit=1000" + (afilter.case_id ? "&case_id=" + encodeURIComponent(afilter.case_id) : "");
		CB.clear(results).appendChild(el("p.note", t("loading")));
		CB.api("GET", q).then(function (r) {
			var rows = (r.entries || []).filter(function (a) {
				return (!afilter.user || a.user.toLowerCase().indexOf(afilter.user.toLowerCase()) >= 0) &&
					(!afilter.action || a.action.indexOf(afilter.action) === 0);
			}).slice(0, 200);
			CB.clear(results);
			if (!rows.length) { results.appendChild(el("p#no-audit", t("audit_none"))); return; }
			results.appendChild(el("div.scroll", { role: "region", "aria-label": t("audit_title"), tabindex: "0" },
				el("table#audit-table.stack",
					el("caption", t("audit_caption", rows.length)),
					el("thead", el("tr", ["col_at", "col_user", "col_action", "col_case_id", "audit_detail"].map(function (k) {
						return el("th", { scope: "col" }, t(k));
					}))),
					el("tbody", rows.map(function (a) {
						var glass = a.action === "glass";
						return el("tr", { "data-action": a.action },
							el("td", { "data-label": t("col_at") }, el("time", { datetime: a.at }, CB.localTime(a.at))),
							el("td", { "data-label": t("col_user") }, a.user),
							el("td", { "data-label": t("col_action") }, glass ? el("strong", a.action) : a.action),
							el("td", { "data-label": t("col_case_id") }, a.case_id ? el("span.case-id", a.case_id) : t("none")),
							el("td", { "data-label": t("audit_detail") }, [(a.fields || []).join(", "),
								a.detail ? el("span" + (glass ? ".glass-reason" : ""), (a.fields && a.fields.length ? " · " : "") +
									(glass ? t("audit_reason", a.detail) : a.detail)) : null]));
					})))));
		}, function (e) { CB.clear(results); CB.showError(e); });
	}

	CB.routes.push({ re: /^#\/sites$/, roles: ["admin"], view: sitesView },
		{ re: /^#\/audit$/, roles: ["admin"], view: auditView });
})();

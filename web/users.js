/*
 * users.js -- the administrator's view: the list of users, adding one, disabling or enabling, and setting a
 * new password (GET/POST /api/users, PATCH /api/users/{name}).
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el, t = CB.t;

	function field(id, key, input, hint) {
		return el("div.field", el("label", { for: id }, t(key)), input,
			hint ? el("p.note", { id: id + "-hint" }, hint) : null);
	}

	function usersView() {
		Promise.all([CB.api("GET", "/api/users"), CB.loadCodebook()]).then(function (all) {
			var r = all[0];
			var users = Array.isArray(r) ? r : r.users || [];
			var list = users.length ? el("div.scroll", { role: "region", "aria-label": t("users_title"), tabindex: "0" },
				el("table#users-table",
					el("thead", el("tr", ["user_name", "user_role", "user_site", "user_state", "user_actions"].map(function (k) {
						return el("th", { scope: "col" }, t(k));
					}))),
					el("tbody", users.map(function (u) {
						var self = CB.me && u.name === CB.me.name;
						return el("tr", { "data-user": u.name }, el("th", { scope: "row" }, u.name), el("td", CB.roleName(u.role)),
							el("td", u.site || t("none")),
							el("td.user-state", u.disabled ? t("user_disabled") : u.locked ? el("strong", t("user_locked")) : t("user_active")),
							el("td", self && !u.disabled
								// the server refuses it; say so here instead of offering it
								? el("span.note", { id: "self-note" }, t("user_self_disable"))
								: el("button", { type: "button", "data-user": u.name,
									onclick: function () { patch(u.name, { disabled: !u.disabled }, t("user_updated", u.name)); } },
									u.disabled ? t("user_enable", u.name) : t("user_disable", u.name)),
							u.locked ? el("button.unlock", { type: "button", "data-unlock": u.name, onclick: function () {
								CB.api("POST", "/api/users/" + encodeURIComponent(u.name) + "/unlock", {}).then(function () {
									CB.flash(t("user_unlocked", u.name));
									usersView();
								}, CB.showError);
							} }, t("user_unlock", u.name)) : null));
					})))) : el("p", t("no_users"));
			CB.loadSites().then(function () {
				CB.render(t("users_title"), [list, addForm(), CB.roleForm ? CB.roleForm(users, usersView) : null,
					passwordForm(users)]);
			});
		}, function (e) { CB.render(t("users_title"), el("p", CB.errorText(e))); });
	}

	function patch(name, body, done) {
		CB.api("PATCH", "/api/users/" + encodeURIComponent(name), body).then(function () {
			CB.flash(done);
			usersView();
		}, CB.showError);
	}

	function addForm() {
		var name = el("input#user-name", { autocomplete: "off", autocapitalize: "none", spellcheck: "false" });
		// the roles from the codebook; a new account is a caseworker's unless the admin says otherwise
		var role = el("select#user-role", (CB.codebook.roles || []).map(function (r) {
			return el("option", { value: r, selected: r === "caseworker" }, CB.roleName(r));
		}));
		var site = CB.siteSelect ? CB.siteSelect("user-site", "") : el("input#user-site", { autocomplete: "off", autocapitalize: "characters" });
		site.setAttribute("aria-describedby", "user-site-hint");
		var pass = el("input#user-password", { type: "password", autocomplete: "new-password" });
		var err = el("p.error#user-error", { role: "alert" });
		var form = el("form.card#user-form", { novalidate: true }, el("h2", t("users_add")),
			el("div.row", field("user-name", "user_name", name), field("user-role", "user_role", role),
				field("user-site", "user_site", site, t("user_site_hint")), field("user-password", "user_password", pass)),
			err, el("button.primary", { type: "submit" }, t("users_add")));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			err.textContent = "";
			var miss = !name.value.trim() ? [name, "user_name"] : !pass.value ? [pass, "user_password"] : null;
			if (miss) { err.textContent = t("v_required", t(miss[1])); miss[0].focus(); return; }
			var body = { name: name.value.trim(), role: role.value, password: pass.value };
			if (site.value.trim()) body.site = site.value.trim().toUpperCase();
			CB.api("POST", "/api/users", body).then(function () {
				CB.flash(t("user_created", body.name));
				usersView();
			}, function (e) { pass.value = ""; err.textContent = CB.errorText(e); });
		});
		return form;
	}

	function passwordForm(users) {
		if (!users.length) return null;
		var who = el("select#pw-user", users.map(function (u) { return el("option", { value: u.name }, u.name); }));
		var pass = el("input#pw-new", { type: "password", autocomplete: "new-password" });
		var err = el("p.error#pw-error", { role: "alert" });
		var form = el("form.card#pw-form", { novalidate: true }, el("h2", t("user_set_password", "")),
			el("div.row", field("pw-user", "user_name", who), field("pw-new", "user_password", pass)),
			err, el("button.primary", { type: "submit" }, t("save")));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			if (!pass.value) { err.textContent = t("v_required", t("user_password")); pass.focus(); return; }
			CB.api("PATCH", "/api/users/" + encodeURIComponent(who.value), { password: pass.value }).then(function () {
				pass.value = "";
				CB.flash(t("user_password_set", who.value));
			}, function (e) { pass.value = ""; err.textContent = CB.errorText(e); });
		});
		return form;
	}

	CB.routes.push({ re: /^#\/users$/, roles: ["admin"], view: usersView });
})();

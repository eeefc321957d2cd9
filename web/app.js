/*
 * app.js -- the core of the web interface: a fetch wrapper (session cookie, X-CSRF-Token, JSON errors), a
 * small hash router, DOM helpers and the login view.  The other views live in cases.js, assist.js, stats.js
 * and users.js and register themselves in CB.routes.
 *
 * Safety: the signed-in user and the CSRF token live in memory only.  Nothing identifying is ever written
 * to localStorage, sessionStorage, cookies or a URL; forms are sent with fetch, never as a GET.  No inline
 * script or style and no eval (the server's CSP is default-src 'self').
 */
"use strict";
(function () {
	var S = window.CB_STRINGS;
	var CB = window.CB = {
		me: null,       // {name, role, site, csrf}
		codebook: null, // GET /api/codebook, fetched once
		routes: [],     // [{re, roles, view}]
		glass: {}       // case id -> "until" of a break-the-glass granted in this page
	};

	/* ---- strings ---- */
	CB.t = function (key) {
		var s = S[key];
		if (s === undefined) s = key;
		var args = arguments;
		return s.replace(/\{(\d)\}/g, function (m, i) {
			var v = args[+i + 1];
			return v === undefined ? m : String(v);
		});
	};

	/* ---- DOM ---- */
	// el("p.note#x", {attr: value, onclick: fn}, child, "text", [children]) -- attributes are set with
	// setAttribute (never innerHTML), so text from the server can never become markup.
	CB.el = function (spec, attrs) {
		var m = /^([a-z0-9]+)((?:[.#][\w-]+)*)$/i.exec(spec);
		var node = document.createElement(m[1]);
		(m[2].match(/[.#][\w-]+/g) || []).forEach(function (p) {
			if (p[0] === ".") node.classList.add(p.slice(1)); else node.id = p.slice(1);
		});
		var first = 2;
		if (attrs && typeof attrs === "object" && !Array.isArray(attrs) && !(attrs instanceof Node)) {
			Object.keys(attrs).forEach(function (k) {
				var v = attrs[k];
				if (v === undefined || v === null || v === false) return;
				if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
				else if (k === "value") node.value = v;
				else if (k === "checked" || k === "selected") node[k] = !!v;
				else node.setAttribute(k, v === true ? "" : v);
			});
		} else {
			first = 1;
		}
		for (var i = first; i < arguments.length; i++) CB.add(node, arguments[i]);
		return node;
	};
	CB.add = function (node, c) {
		if (c === undefined || c === null || c === false) return node;
		if (Array.isArray(c)) c.forEach(function (x) { CB.add(node, x); });
		else node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
		return node;
	};
	CB.clear = function (node) {
		while (node.firstChild) node.removeChild(node.firstChild);
		return node;
	};
	// A time the server gives in UTC (ISO 8601), in the reader's own time zone and way of writing dates.
	CB.localTime = function (iso) {
		var d = new Date(iso);
		return isNaN(d.getTime()) ? String(iso || "") : d.toLocaleString(document.documentElement.lang || undefined,
			{ year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
	};

	var uid = 0;
	CB.uid = function (p) { return (p || "f") + "-" + (++uid); };

	// Shows a message in the live region at the top (kind: "ok" | "error").  A message belongs to the action
	// that caused it: the next action (any request that changes something) or page replaces it, except the
	// one page an action leads to (a save that opens the case shows "Case saved." there, once).
	var carried = false;
	CB.flash = function (text, kind) {
		var f = CB.clear(document.getElementById("flash"));
		carried = !!text;
		if (text) CB.add(f, CB.el("p.flash." + (kind || "ok"), text));
	};

	// Unsaved changes: a view with a form registers dirty() (true while it holds typed changes); leaving it
	// (another page, reload, closing the tab) asks first.  CB.leaving() says whether to go on.
	var dirty = null;
	CB.guard = function (fn) { dirty = fn; };
	CB.leaving = function () {
		if (!dirty || !dirty()) { dirty = null; return true; }
		if (!window.confirm(CB.t("unsaved_leave"))) return false;
		dirty = null;
		return true;
	};
	window.addEventListener("beforeunload", function (ev) {
		if (dirty && dirty()) { ev.preventDefault(); ev.returnValue = ""; }
	});

	// Puts a view's content in <main>, sets the title and moves focus to the heading (for screen readers
	// and keyboard users, as a page load would).
	CB.render = function (title, content) {
		var main = CB.clear(document.getElementById("main"));
		var h = CB.el("h1", { tabindex: "-1" }, title);
		CB.add(main, [h, content]);
		document.title = title + " – " + S.app_name;
		h.focus();
		return main;
	};

	/* ---- API ---- */
	function ApiError(status, code, detail) {
		this.status = status;
		this.code = code;
		this.detail = detail;
		this.message = detail || code;
	}
	CB.ApiError = ApiError;

	// Resolves to the parsed JSON body (or null for 204); rejects with an ApiError.  A 401 on any call but
	// login sends the person to the login page.  The answer to a GET asked for by a page the person has left
	// since is dropped (the promise never settles): the views draw what they read, and a slow answer drew
	// the old page over the one now shown.
	CB.api = function (method, path, body) {
		var asked = shown;
		if (method === "GET") {
			return call(method, path, body).then(function (r) {
				return asked === shown ? r : new Promise(function () {});
			}, function (e) {
				if (asked === shown) throw e;
				return new Promise(function () {});
			});
		}
		return call(method, path, body);
	};
	function call(method, path, body) {
		var headers = { "Accept": "application/json" };
		var init = { method: method, headers: headers, credentials: "same-origin", cache: "no-store",
			redirect: "error" };
		if (method !== "GET" && method !== "HEAD" && CB.me && CB.me.csrf) headers["X-CSRF-Token"] = CB.me.csrf;
		if (window.CB_I18N.lang) headers["Accept-Language"] = window.CB_I18N.lang; // labels and messages (i18n.js)
		if (method !== "GET" && method !== "HEAD" && path !== "/api/logout") CB.flash(""); // a new action: the last one's message goes
		if (body !== undefined) {
			headers["Content-Type"] = "application/json";
			init.body = JSON.stringify(body);
		}
		return fetch(path, init).then(function (r) {
			if (r.status === 204) return null;
			return r.text().then(function (text) {
				var data = null;
				try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
				if (r.ok) return data;
				var err = new ApiError(r.status, data && data.error || "http_" + r.status, data && data.detail || "");
				if (data && data.field) err.field = data.field;
				if (r.status === 401 && err.code === "login_required" && path !== "/api/login" && path !== "/api/me") {
					CB.me = null;
					CB.flash(CB.t("session_ended"), "error");
					CB.go("#/login");
				}
				throw err;
			});
		}, function () {
			throw new ApiError(0, "network", CB.t("err_network"));
		});
	}

	// The text to show a person for an error.
	CB.errorText = function (e) {
		if (!(e instanceof ApiError)) return CB.t("err_generic", String(e && e.message || e));
		switch (e.code) {
		case "network": return CB.t("err_network");
		case "forbidden": return CB.t("err_forbidden");
		case "not_found": return CB.t("err_not_found");
		case "csrf": return CB.t("err_csrf");
		case "internal": return CB.t("err_internal");
		case "login_failed": return CB.t("login_failed");
		}
		return e.detail || CB.t("err_generic", e.status);
	};
	CB.showError = function (e) {
		if (e && e.code === "login_required") return;
		CB.flash(CB.errorText(e), "error");
	};

	CB.loadCodebook = function () {
		var sites = CB.me ? CB.loadSites() : Promise.resolve(null);
		if (CB.codebook) return sites.then(function () { return CB.codebook; });
		return Promise.all([CB.api("GET", "/api/codebook"), sites]).then(function (r) {
			var cb = CB.codebook = r[0];
			cb.byName = {};
			cb.fields.forEach(function (f) { cb.byName[f.name] = f; });
			// every value set and state machine, by name: menus are built from these, never from copies
			cb.valueSet = {};
			(cb.value_sets || []).forEach(function (v) { cb.valueSet[v.name] = v.values; });
			cb.machine = {};
			(cb.machines || []).forEach(function (m) { cb.machine[m.id] = m; });
			return cb;
		});
	};
	// The managed list of offices (GET /api/sites), read again whenever a view needs it: an administrator
	// may have changed it.
	CB.sites = null;
	CB.loadSites = function () {
		return CB.api("GET", "/api/sites").then(function (r) { return (CB.sites = r.sites || []); },
			function () { return (CB.sites = []); });
	};

	/* ---- router ---- */
	CB.go = function (hash) {
		if (location.hash === hash) route(); else location.hash = hash;
	};
	CB.home = function () {
		var r = CB.me && CB.me.role;
		return r === "admin" ? "#/users" : r === "analyst" ? "#/stats" : r ? "#/home" : "#/login";
	};
	CB.roleName = function (role) { return CB.t("role_" + role); };

	var NAV = [
		{ hash: "#/home", key: "nav_home", roles: ["manager", "caseworker"] },
		{ hash: "#/cases", key: "nav_cases", roles: ["manager", "caseworker"] },
		{ hash: "#/cases/new", key: "nav_new_case", roles: ["manager", "caseworker"] },
		{ hash: "#/dashboard", key: "nav_dashboard", roles: ["manager", "caseworker"] },
		{ hash: "#/partners", key: "nav_partners", roles: ["manager", "caseworker"] },
		{ hash: "#/transfers", key: "nav_transfers", roles: ["manager", "caseworker"] },
		{ hash: "#/stats", key: "nav_stats", roles: ["manager", "analyst"] },
		{ hash: "#/report", key: "nav_report", roles: ["manager", "analyst"] },
		{ hash: "#/review", key: "nav_review", roles: ["manager"] },
		{ hash: "#/users", key: "nav_users", roles: ["admin"] },
		{ hash: "#/sites", key: "nav_sites", roles: ["admin"] },
		{ hash: "#/audit", key: "nav_audit", roles: ["admin"] }
	];

	function drawNav() {
		var nav = CB.clear(document.getElementById("nav"));
		var who = CB.clear(document.getElementById("who"));
		if (!CB.me) return;
		var ul = CB.el("ul");
		NAV.forEach(function (n) {
			if (n.roles.indexOf(CB.me.role) < 0) return;
			var here = location.hash === n.hash;
			ul.appendChild(CB.el("li", CB.el("a", { href: n.hash, "aria-current": here ? "page" : null }, CB.t(n.key))));
		});
		ul.appendChild(CB.el("li", CB.el("button.link#logout", { type: "button", onclick: logout }, CB.t("nav_logout"))));
		nav.appendChild(ul);
		who.textContent = CB.me.site ? CB.t("signed_in_as", CB.me.name, CB.roleName(CB.me.role), CB.me.site)
			: CB.t("signed_in_as_nosite", CB.me.name, CB.roleName(CB.me.role));
	}

	var here = null; // the hash shown, to go back to when leaving is called off
	var shown = 0; // counts the pages drawn: which one a request was made for (CB.api)
	function route() {
		var hash = location.hash || "#/";
		if (here !== null && hash !== here && !CB.leaving()) {
			history.replaceState(null, "", here); // stay, with the typed changes
			return;
		}
		dirty = null;
		here = hash;
		shown++;
		if (carried) carried = false; else CB.flash("");
		if (!CB.me && hash !== "#/login") { location.replace("#/login"); return; }
		if (hash === "#/" || hash === "#") { location.replace(CB.home()); return; }
		drawNav();
		for (var i = 0; i < CB.routes.length; i++) {
			var r = CB.routes[i], m = r.re.exec(hash);
			if (!m) continue;
			if (r.roles && (!CB.me || r.roles.indexOf(CB.me.role) < 0)) {
				CB.render(CB.t("forbidden_title"), CB.el("p", CB.t("err_forbidden")));
				return;
			}
			r.view.apply(null, m.slice(1).map(decodeURIComponent));
			return;
		}
		CB.render(CB.t("not_found_title"), CB.el("p", CB.el("a", { href: CB.home() }, CB.t("nav_cases"))));
	}
	CB.route = route;

	/* ---- login and logout ---- */
	function setMe(user, csrf) {
		CB.me = { name: user.name, role: user.role, site: user.site || "", csrf: csrf, lang: user.lang || "" };
	}

	/* ---- language (i18n.js): the user's choice, else the browser's; a switch redraws the page ---- */
	var I18N = window.CB_I18N;
	function useLanguage(lang) {
		if (I18N.lang && lang === I18N.lang) return Promise.resolve();
		return I18N.load(lang).then(function () {
			CB.codebook = null; // its labels are in the old language
			document.getElementById("skip").textContent = CB.t("skip");
			I18N.menu(function (code) { return CB.me ? CB.api("PATCH", "/api/me", { lang: code }) : null; });
		});
	}
	I18N.onchange = function () {
		CB.codebook = null;
		if (CB.me) CB.me.lang = I18N.lang;
		document.getElementById("skip").textContent = CB.t("skip");
		route();
		var sel = document.getElementById("lang-select");
		if (sel) sel.focus();
	};

	function loginView() {
		if (CB.me) { location.replace(CB.home()); return; }
		drawNav();
		var user = CB.el("input#login-user", { name: "user", autocomplete: "username", required: true,
			autocapitalize: "none", spellcheck: "false" });
		var pass = CB.el("input#login-password", { name: "password", type: "password",
			autocomplete: "current-password", required: true });
		var err = CB.el("p.error#login-error", { role: "alert" });
		var form = CB.el("form.card.narrow#login-form", { novalidate: true },
			CB.el("div.field", CB.el("label", { for: "login-user" }, CB.t("login_user")), user),
			CB.el("div.field", CB.el("label", { for: "login-password" }, CB.t("login_password")), pass),
			err,
			CB.el("button.primary", { type: "submit" }, CB.t("login_submit")));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			err.textContent = "";
			if (!user.value || !pass.value) {
				err.textContent = CB.t("v_required", !user.value ? CB.t("login_user") : CB.t("login_password"));
				(!user.value ? user : pass).focus();
				return;
			}
			var btn = form.querySelector("button");
			btn.disabled = true;
			CB.api("POST", "/api/login", { user: user.value, password: pass.value }).then(function (r) {
				pass.value = "";
				setMe(r.user, r.csrf_token);
				CB.flash("");
				// her own language, if she chose one (another browser may have shown another)
				useLanguage(CB.me.lang || I18N.lang).then(function () { location.replace(CB.home()); });
			}, function (e) {
				btn.disabled = false;
				pass.value = "";
				err.textContent = CB.errorText(e);
				pass.focus();
			});
		});
		CB.render(CB.t("login_title"), form);
		user.focus();
	}

	function logout() {
		CB.api("POST", "/api/logout").then(null, function () { /* signed out either way */ }).then(function () {
			// Drop everything this page held (identifying details may still sit in the DOM or in memory).
			CB.me = null;
			CB.glass = {};
			CB.clear(document.getElementById("main"));
			CB.flash(CB.t("signed_out"));
			location.replace("#/login");
		});
	}

	CB.routes.push({ re: /^#\/login$/, view: loginView });

	function start() {
		var skip = document.getElementById("skip");
		skip.textContent = CB.t("skip");
		skip.addEventListener("click", function (ev) {
			ev.preventDefault(); // the hash belongs to the router
			document.getElementById("main").focus();
		});
		document.getElementById("brand").textContent = S.app_name;
		document.documentElement.lang = S.lang;
		CB.api("GET", "/api/me").then(function (me) {
			setMe(me, me.csrf_token);
		}, function () { CB.me = null; }).then(function () {
			return useLanguage(CB.me && CB.me.lang || "");
		}).then(function () {
			window.addEventListener("hashchange", route);
			CB.flash("");
			route();
		});
	}
	document.addEventListener("DOMContentLoaded", start);
})();

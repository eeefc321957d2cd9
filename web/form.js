/*
 * form.js -- case forms generated from the codebook (GET /api/codebook): one control per field, grouped as
 * the screening interview, the assistance interview and the identifying details; client-side checks
 * before sending, and the server's 400 detail shown next to the field it names.
 *
 * Identifying-detail controls are marked .sensitive and have autocomplete off, so the browser keeps no copy.
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el, t = CB.t;

	// Fields a person fills in: derived fields are computed by the server, the case id is assigned by it.
	function editable(f) { return !f.derived && f.kind !== "id"; }

	function maxLength(f) { return f.max_length || 0; }

	function sectionOf(group) {
		if (group.name === "identity") return "identity";
		return group.interview === "assistance" ? "assistance" : "screening";
	}

	function countryOptions(cb) {
		var list = cb.countries.slice().sort(function (a, b) { return a.name.localeCompare(b.name); });
		return list.map(function (c) { return el("option", { value: c.code }, c.name + " (" + c.code + ")"); });
	}

	// One control for field f.  Returns {f, node, focus, get(), set(v)}; get() gives the JSON value or null.
	function control(cb, f, opts) {
		var id = "fld-" + f.name, errId = "err-" + f.name;
		var err = el("p.error", { id: errId, "aria-live": "polite" });
		var label = el("label", { for: id }, f.label, f.pii ? el("span.badge", t("sensitive_badge")) : null);
		var c = { f: f, err: err };
		var input;
		switch (f.kind) {
		case "multi":
			var boxes = f.values.map(function (v) {
				return el("input", { type: "checkbox", name: f.name, value: v.name });
			});
			c.node = el("fieldset.field.wide", { id: id, "aria-describedby": errId },
				el("legend", f.label),
				el("div.checks", boxes.map(function (b, i) { return el("label", b, f.values[i].label); })),
				err);
			c.focusable = boxes[0];
			c.get = function () {
				var v = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
				return v.length ? v : null;
			};
			c.set = function (v) { boxes.forEach(function (b) { b.checked = !!v && v.indexOf(b.value) >= 0; }); };
			c.invalid = function (on) { c.node.setAttribute("aria-invalid", on ? "true" : "false"); };
			return c;
		case "enum":
		case "country":
		case "bool":
			input = el("select", { id: id, name: f.name },
				el("option", { value: "" }, t("choose")),
				f.kind === "country" ? countryOptions(cb)
					: f.kind === "bool" ? [el("option", { value: "true" }, t("yes")), el("option", { value: "false" }, t("no"))]
					: f.values.map(function (v) { return el("option", { value: v.name }, v.label); }));
			c.get = function () {
				if (input.value === "") return null;
				return f.kind === "bool" ? input.value === "true" : input.value;
			};
			c.set = function (v) { input.value = v === null || v === undefined ? "" : String(v); };
			break;
		case "int":
			input = el("input", { id: id, name: f.name, type: "number", inputmode: "numeric", step: "1",
				min: f.min, max: f.max });
			c.get = function () { return input.value.trim() === "" ? null : Number(input.value); };
			c.set = function (v) { input.value = v === null || v === undefined ? "" : String(v); };
			break;
		case "date":
			input = el("input", { id: id, name: f.name, type: "date" });
			break;
		case "pii":
			var long = maxLength(f) > 300;
			// the codebook's format: a date picker, a phone or an email keyboard
			var type = long ? null : f.format === "date" ? "date" : f.format === "phone" ? "tel"
				: f.format === "email" ? "email" : "text";
			input = el(long ? "textarea" : "input", { id: id, name: f.name, autocomplete: "off",
				spellcheck: "false", maxlength: maxLength(f) || null, type: type,
				inputmode: f.format === "phone" ? "tel" : null });
			break;
		case "site":
			// the managed list of offices (GET /api/sites); a caseworker's own office is fixed
			if (!opts.siteLocked && CB.sites && CB.sites.length) {
				input = el("select", { id: id, name: f.name }, el("option", { value: "" }, t("choose")),
					CB.sites.filter(function (x) { return !x.disabled; }).map(function (x) {
						return el("option", { value: x.code }, x.name === x.code ? x.code : x.name + " (" + x.code + ")");
					}));
				c.get = function () { return input.value === "" ? null : input.value; };
				c.set = function (v) {
					v = v === null || v === undefined ? "" : String(v);
					// an office no longer on the list (disabled) stays shown, to be changed
					if (v && !input.querySelector("option[value='" + v.replace(/[^A-Z0-9-]/g, "") + "']"))
						input.appendChild(el("option", { value: v }, v));
					input.value = v;
				};
				break;
			}
			input = el("input", { id: id, name: f.name, type: "text", autocomplete: "off", autocapitalize: "characters" });
			break;
		default: // anything new: free text
			input = el("input", { id: id, name: f.name, type: "text", autocomplete: "off",
				autocapitalize: f.kind === "site" ? "characters" : null });
		}
		if (!c.get) {
			c.get = function () { var v = input.value.trim(); return v === "" ? null : v; };
			c.set = function (v) { input.value = v === null || v === undefined ? "" : String(v); };
		}
		if (f.required && !f.derived) input.setAttribute("aria-required", "true");
		input.setAttribute("aria-describedby", errId);
		c.input = c.focusable = input;
		c.invalid = function (on) { input.setAttribute("aria-invalid", on ? "true" : "false"); };
		var wide = f.kind === "pii" && maxLength(f) > 300;
		c.node = el("div.field" + (f.pii ? ".sensitive" : "") + (wide ? ".wide" : ""), label, input, err);
		if (opts.siteLocked && f.kind === "site") input.readOnly = true;
		return c;
	}

	// Client-side check of one control; returns the message or "".
	function check(c) {
		var f = c.f, v = c.get();
		if (v === null) return f.required && !f.derived ? t("v_required", f.label) : "";
		if (f.kind === "int") {
			if (!Number.isInteger(v)) return t("v_int", f.label);
			if (f.min !== undefined && f.max !== undefined && (v < f.min || v > f.max))
				return t("v_range", f.label, f.min, f.max);
		}
		if ((f.kind === "date" || f.format === "date") && !/^\d{4}-\d{2}-\d{2}$/.test(v)) return t("v_date", f.label);
		// the server's rules (codebook/rules.c), checked here first so that the person hears at once
		if (f.format === "phone" && !CB.isPhone(v)) return t("v_phone", f.label);
		if (f.format === "email" && !CB.isEmail(v)) return t("v_email", f.label);
		if (f.kind === "site" && !/^[A-Z0-9-]{2,16}$/.test(v)) return t("v_site", f.label);
		if (f.kind === "pii" && maxLength(f) && v.length > maxLength(f)) return t("v_too_long", f.label, maxLength(f));
		return "";
	}

	CB.isPhone = function (v) {
		var digits = (v.match(/[0-9]/g) || []).length;
		return /^\+?[0-9 .\/()-]+$/.test(v) && digits >= 5 && digits <= 20;
	};
	CB.isEmail = function (v) { return /^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+$/.test(v) && !/@\./.test(v); };

	// The field a server error names: its "field" member, else the longest field name in the detail.
	CB.errorField = function (e, names) {
		if (e.field && names.indexOf(e.field) >= 0) return e.field;
		var best = null;
		names.forEach(function (n) {
			var re = new RegExp("(^|[^a-z_])" + n + "($|[^a-z_])");
			if (re.test(e.detail || "") && (!best || n.length > best.length)) best = n;
		});
		return best;
	};

	/*
	 * CB.caseForm(cb, {kase, identity, siteLocked, site}) builds the form.  Returns
	 *   {form, top (the alert area), values() -> {name: value}, validate() -> bool, serverError(e) -> bool,
	 *    controls}.
	 */
	CB.caseForm = function (cb, opts) {
		var controls = {};
		var sections = { screening: [], assistance: [], identity: [] };
		cb.groups.forEach(function (g) {
			var fs = cb.fields.filter(function (f) { return f.group === g.name && editable(f); });
			if (!fs.length) return;
			var sec = sectionOf(g);
			if (sec === "identity" && !opts.identity) return;
			var cs = fs.map(function (f) { return (controls[f.name] = control(cb, f, opts)); });
			var grid = el("div.grid", cs.map(function (c) { return c.node; }));
			// the identifying details are one group under their own heading: no second title
			sections[sec].push(sec === "identity" ? grid : el("fieldset", el("legend", g.label), grid));
		});
		var top = el("div#form-top", { tabindex: "-1" });
		var form = el("form#case-form", { novalidate: true, autocomplete: "off" }, top,
			el("section", { "aria-labelledby": "sec-screening" },
				el("h2#sec-screening", t("interview_screening")), sections.screening),
			el("section", { "aria-labelledby": "sec-assistance" },
				el("h2#sec-assistance", t("interview_assistance")), sections.assistance),
			sections.identity.length ? el("section.card.sensitive-section", { "aria-labelledby": "sec-identity" },
				el("h2#sec-identity", t("interview_identity"), el("span.badge", t("sensitive_badge"))),
				el("p.note", t("sensitive_note")), sections.identity) : null,
			el("div.actions", el("button.primary#save", { type: "submit" }, t("save")),
				opts.cancel ? el("a.button", { href: opts.cancel }, t("cancel")) : null));
		var names = Object.keys(controls);
		var snapshot = null;
		if (opts.kase) names.forEach(function (n) { controls[n].set(opts.kase[n]); });
		if (opts.site && controls.site && !controls.site.get()) controls.site.set(opts.site);

		function clearErrors() {
			CB.clear(top);
			names.forEach(function (n) { controls[n].err.textContent = ""; controls[n].invalid(false); });
		}
		function mark(c, msg) {
			c.err.textContent = msg;
			c.invalid(true);
		}
		function summary(msg) {
			CB.add(CB.clear(top), el("div.alert", { role: "alert" }, el("p", msg)));
		}
		return {
			form: form, top: top, controls: controls,
			values: function () {
				var v = {};
				names.forEach(function (n) { v[n] = controls[n].get(); });
				return v;
			},
			validate: function () {
				clearErrors();
				var first = null, missing = [];
				names.forEach(function (n) {
					var msg = check(controls[n]);
					if (msg) { mark(controls[n], msg); first = first || controls[n]; }
					if (msg && controls[n].get() === null) missing.push(controls[n].f.label);
				});
				// what is missing, all of it at once (a case with only the office is refused naming the rest)
				if (first) { summary(missing.length ? t("v_missing", missing.join(", ")) : t("err_form")); first.focusable.focus(); }
				return !first;
			},
			// true while the form holds changes not saved (CB.guard)
			dirty: function () {
				var now = JSON.stringify(this.values());
				return snapshot !== null && now !== snapshot;
			},
			// the values now count as saved (after loading, after a save)
			settle: function () { snapshot = JSON.stringify(this.values()); },
			// A 400 from the server: the detail goes next to the field it names (and in the summary).
			serverError: function (e) {
				clearErrors();
				var n = CB.errorField(e, names);
				var msg = CB.errorText(e);
				summary(n ? t("field_error_at", controls[n].f.label, msg) : msg);
				if (n) { mark(controls[n], msg); controls[n].focusable.focus(); } else top.focus();
			},
			alert: function (node) { CB.add(CB.clear(top), node); top.focus(); },
			clearErrors: clearErrors
		};
	};

	// The text of a stored value, for reading (case view).
	CB.valueText = function (cb, f, v) {
		if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) return t("none");
		function label(x) {
			var hit = (f.values || []).filter(function (y) { return y.name === x; })[0];
			return hit ? hit.label : x;
		}
		if (f.kind === "bool") return v ? t("yes") : t("no");
		if (f.kind === "country") {
			var c = cb.countries.filter(function (y) { return y.code === v; })[0];
			return c ? c.name : v;
		}
		if (Array.isArray(v)) return v.map(label).join(", ");
		return f.kind === "enum" ? label(v) : String(v);
	};
	CB.sectionOf = sectionOf;
})();

/*
 * assist.js -- the help a person receives, in the web interface: on the case view the workflow stage (with
 * the rule shown when a step is refused), the assistance records, referrals to partners (the consent refusal
 * shown plainly, and a manager's override with a reason) and follow-ups; the partner directory page and the
 * office dashboard.  The API is docs/api.md, "Assistance, partners, referrals, workflow, follow-ups,
 * dashboard".
 *
 * Notes, details and reasons may describe the person: they come from the server only to whoever may see
 * identifying details, are shown in .sensitive boxes and never kept outside the page.
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el, t = CB.t;
	/* Statuses, referral reasons and where a record may go next come from the codebook (GET /api/codebook:
	 * value_sets and machines, the server's include/tbl/cb_states.h): this file copies none of them. */
	function setNames(set) {
		return ((CB.codebook && CB.codebook.valueSet[set]) || []).map(function (v) { return v.name; });
	}
	function next(machine, from) {
		var m = CB.codebook && CB.codebook.machine[machine];
		return (m && m.next[from]) || [];
	}
	/* The statuses an assistance record may have from `now` on: itself and where it may go, in the set's order. */
	function assistStatuses(now) {
		var to = next("assistance", now);
		return setNames("assistance_status").filter(function (s) { return s === now || to.indexOf(s) >= 0; });
	}

	/* ---- helpers ---- */
	function values(name) {
		var f = CB.codebook && CB.codebook.byName[name];
		return f && f.values ? f.values : [];
	}
	function label(name, v) {
		var hit = values(name).filter(function (x) { return x.name === v; })[0];
		return hit ? hit.label : v === null || v === undefined ? t("none") : v;
	}
	function typeLabel(v) { return label("assistance_type", v); }
	function orgTypeLabel(v) { return label("referral_partner_type", v); }
	function stageLabel(v) { return label("case_stage", v || "screening"); }
	function field(id, text, input, hint) {
		if (hint) input.setAttribute("aria-describedby", id + "-hint");
		return el("div.field", el("label", { for: id }, text), input, hint ? el("p.note", { id: id + "-hint" }, hint) : null);
	}
	function select(id, options, selected) {
		return el("select", { id: id, name: id }, options.map(function (o) {
			return el("option", { value: o[0], selected: o[0] === selected }, o[1]);
		}));
	}
	function dateInput(id) { return el("input", { id: id, name: id, type: "date" }); }
	function orNull(s) { s = s.trim(); return s === "" ? null : s; }
	function text(v) { return v === null || v === undefined || v === "" ? t("none") : String(v); }
	function caseUrl(id, what, rec) {
		return "/api/cases/" + encodeURIComponent(id) + "/" + what + (rec ? "/" + rec : "");
	}
	function table(id, caption, heads, rows) {
		return el("div.scroll", { role: "region", "aria-label": caption, tabindex: "0" },
			el("table", { id: id }, el("caption", caption),
				el("thead", el("tr", heads.map(function (h) { return el("th", { scope: "col" }, h); }))),
				el("tbody", rows)));
	}
	function partnerName(p) {
		return p.beds === null || p.beds === undefined ? p.name : t("partner_with_beds", p.name, p.occupied || 0, p.beds);
	}
	function partners() {
		return CB.api("GET", "/api/partners").then(function (r) { return r.partners || []; });
	}

	/* ---- the case view's sections (cases.js calls this once the case is drawn) ---- */
	CB.assistSections = function (id, k, box) {
		Promise.all([CB.loadCodebook(), partners()]).then(function (r) {
			var ps = r[1];
			var assist = el("div#assist-box"), refer = el("div#refer-box"), fu = el("div#followup-box");
			CB.add(box, [stageCard(id, k), el("section.card#assist-section", el("h2", t("assist_title")), assist,
				assistForm(id, ps, function () { loadAssist(id, assist); })),
				el("section.card#refer-section", el("h2", t("refer_title")), refer,
					referForm(id, ps, function () { loadReferrals(id, refer); })),
				el("section.card#followup-section", el("h2", t("followup_title")), fu,
					followupForm(id, function () { loadFollowups(id, fu); }))]);
			loadAssist(id, assist);
			loadReferrals(id, refer);
			loadFollowups(id, fu);
		}, CB.showError);
	};

	/* ---- the workflow stage ---- */
	function stageCard(id, k) {
		var now = k.case_stage || "screening";
		// only the moves the workflow allows from here (cb_states.h, the codebook's machines)
		var machine = CB.codebook && CB.codebook.machine && CB.codebook.machine.stage;
		var moves = machine ? machine.moves.filter(function (m) { return m.from === now; }) : [];
		var needs = {};
		var options = [["", t("choose")]].concat(moves.map(function (m) {
			var reopen = m.needs.indexOf("reopen") >= 0, key = reopen ? "reopen" : m.to;
			needs[key] = reopen || m.needs.indexOf("reason") >= 0;
			return [key, reopen ? t("stage_reopen") : stageLabel(m.to)];
		}));
		var to = select("stage-to", options);
		var reason = el("textarea#stage-reason", { name: "reason", autocomplete: "off", maxlength: "2000" });
		var reasonField = field("stage-reason", t("stage_reason"), reason, t("stage_reason_hint"));
		reasonField.hidden = true;
		to.addEventListener("change", function () { reasonField.hidden = !needs[to.value]; });
		if (!moves.length) {
			return el("section.card#stage-section", el("h2", t("stage_title")),
				el("p", t("stage_now"), " ", el("strong#stage-current", stageLabel(now))), el("p.note", t("stage_final")));
		}
		var err = el("div.alert#stage-error", { role: "alert", hidden: true });
		var form = el("form#stage-form", { novalidate: true },
			el("div.row", field("stage-to", t("stage_to"), to), reasonField),
			err, el("button.primary#stage-save", { type: "submit" }, t("stage_move")));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			err.hidden = true;
			if (!to.value) { CB.add(CB.clear(err), el("p", t("v_required", t("stage_to")))); err.hidden = false; to.focus(); return; }
			var body = { stage: to.value };
			if (reason.value.trim()) body.reason = reason.value.trim();
			CB.api("POST", caseUrl(id, "stage"), body).then(function (r) {
				CB.flash(t("stage_moved", stageLabel(r.stage)));
				CB.route(); // the case view again, with its new stage and version
			}, function (e) {
				CB.add(CB.clear(err), [el("strong", e.code === "consent_required" ? t("consent_missing")
					: e.code === "refused" ? t("stage_refused") : t("err_form")), el("p", CB.errorText(e))]);
				err.hidden = false;
				to.focus();
			});
		});
		return el("section.card#stage-section", el("h2", t("stage_title")),
			el("p", t("stage_now"), " ", el("strong#stage-current", stageLabel(now))), form);
	}

	/* ---- assistance ---- */
	function loadAssist(id, box) {
		CB.api("GET", caseUrl(id, "assistance")).then(function (r) {
			var list = r.assistance || [];
			var notes = list.some(function (a) { return "notes" in a; });
			if (!list.length) { CB.add(CB.clear(box), el("p#no-assist", t("assist_none"))); return; }
			var heads = [t("col_type"), t("col_provider"), t("col_planned"), t("col_start"), t("col_end"), t("col_state")];
			if (notes) heads.push(t("col_notes"));
			heads.push(t("col_change"));
			CB.add(CB.clear(box), table("assist-table", t("assist_title"), heads, list.map(function (a) {
				var st = select("as-status-" + a.id, assistStatuses(a.status).map(function (s) { return [s, t("as_" + s)]; }), a.status);
				st.setAttribute("aria-label", t("as_status_of", typeLabel(a.type), a.id));
				var btn = el("button", { type: "button" }, t("update"));
				btn.addEventListener("click", function () {
					CB.api("PATCH", caseUrl(id, "assistance", a.id), { status: st.value }).then(function (x) {
						CB.flash(x.warning ? t("capacity_warning", x.warning.detail) : t("assist_updated"), x.warning ? "error" : "ok");
						loadAssist(id, box);
					}, CB.showError);
				});
				return el("tr", el("th", { scope: "row" }, typeLabel(a.type)),
					el("td", a.provider ? text(a.provider_name || a.provider) : t("own_office")),
					el("td", text(a.planned_on)), el("td", text(a.start_on)), el("td", text(a.end_on)),
					el("td", t("as_" + a.status)),
					notes ? el("td.sensitive", text(a.notes)) : null,
					el("td", el("div.row", st, btn)));
			})));
		}, function (e) { CB.add(CB.clear(box), el("p.error", CB.errorText(e))); });
	}

	function assistForm(id, ps, reload) {
		var type = select("as-type", [["", t("choose")]].concat(values("assistance_type").map(function (v) { return [v.name, v.label]; })));
		var provider = select("as-provider", [["", t("own_office")]].concat(ps.map(function (p) { return [String(p.id), partnerName(p)]; })));
		var planned = dateInput("as-planned"), start = dateInput("as-start"), end = dateInput("as-end");
		var initial = CB.codebook.machine.assistance.initial;
		var status = select("as-status", setNames("assistance_status").map(function (s) { return [s, t("as_" + s)]; }), initial);
		var notes = el("textarea#as-notes", { name: "notes", autocomplete: "off", spellcheck: "false" });
		var err = el("p.error#assist-error", { role: "alert" });
		var warn = el("div.alert.warning#assist-warning", { role: "alert", hidden: true });
		var form = el("form#assist-form", { novalidate: true }, el("h3", t("assist_add")),
			el("div.grid", field("as-type", t("col_type"), type), field("as-provider", t("col_provider"), provider),
				field("as-planned", t("col_planned"), planned), field("as-start", t("col_start"), start),
				field("as-end", t("col_end"), end), field("as-status", t("col_state"), status)),
			el("div.field.sensitive", el("label", { for: "as-notes" }, t("col_notes"), el("span.badge", t("sensitive_badge"))), notes),
			err, warn, el("button.primary#as-save", { type: "submit" }, t("assist_add")));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			err.textContent = "";
			warn.hidden = true;
			if (!type.value) { err.textContent = t("v_required", t("col_type")); type.focus(); return; }
			var body = { type: type.value, status: status.value, provider: provider.value ? Number(provider.value) : null,
				planned_on: planned.value || null, start_on: start.value || null, end_on: end.value || null };
			if (notes.value.trim()) body.notes = notes.value.trim();
			CB.api("POST", caseUrl(id, "assistance"), body).then(function (r) {
				notes.value = "";
				type.value = "";
				if (r.warning) {
					CB.add(CB.clear(warn), [el("strong", t("capacity_title")), el("p", t("capacity_warning", r.warning.detail))]);
					warn.hidden = false;
				}
				CB.flash(t("assist_added", typeLabel(r.type)));
				reload();
			}, function (e) { err.textContent = CB.errorText(e); type.focus(); });
		});
		return form;
	}

	/* ---- referrals ---- */
	function loadReferrals(id, box) {
		CB.api("GET", caseUrl(id, "referrals")).then(function (r) {
			var list = r.referrals || [];
			var pii = list.some(function (x) { return "details" in x; });
			if (!list.length) { CB.add(CB.clear(box), el("p#no-referrals", t("refer_none"))); return; }
			var heads = [t("col_partner"), t("col_direction"), t("col_reason"), t("col_state"), t("col_referred"), t("col_shared")];
			if (pii) heads.push(t("col_details"));
			heads.push(t("col_change"));
			CB.add(CB.clear(box), table("refer-table", t("refer_title"), heads, list.map(function (x) {
				var shared = x.shares_details ? t("yes") : t("no");
				if (x.consent_overridden) shared += " " + t("consent_overridden");
				return el("tr", el("th", { scope: "row" }, text(x.org_name || x.org)),
					el("td", t("dir_" + x.direction)), el("td", t("reason_" + x.reason)), el("td", t("rs_" + x.status)),
					el("td", text(x.referred_on)), el("td", shared),
					pii ? el("td.sensitive", text(x.details), x.override_reason ? el("p.note", t("override_was", x.override_reason)) : null) : null,
					el("td", next("referral", x.status).map(function (s) {
						return el("button", { type: "button", "aria-label": t("rs_do_of", t("rs_do_" + s), text(x.org_name)),
							onclick: function () {
								CB.api("PATCH", caseUrl(id, "referrals", x.id), { status: s }).then(function () {
									CB.flash(t("refer_updated", t("rs_" + s)));
									loadReferrals(id, box);
								}, CB.showError);
							} }, t("rs_do_" + s));
					})));
			})));
		}, function (e) { CB.add(CB.clear(box), el("p.error", CB.errorText(e))); });
	}

	function referForm(id, ps, reload) {
		var dir = select("ref-dir", [["out", t("refer_dir_out")], ["in", t("refer_dir_in")]]);
		var to = select("ref-to", [["", t("choose")]].concat(ps.map(function (p) { return [String(p.id), p.name + " (" + orgTypeLabel(p.type) + ")"]; })));
		var reason = select("ref-reason", setNames("referral_reason").map(function (r) { return [r, t("reason_" + r)]; }));
		var share = el("input#ref-share", { type: "checkbox", name: "share", checked: true });
		var details = el("textarea#ref-details", { name: "details", autocomplete: "off", spellcheck: "false" });
		var manager = CB.me.role === "manager";
		var override = manager ? el("textarea#ref-override", { name: "override_reason", maxlength: "500", autocomplete: "off" }) : null;
		var err = el("div.alert#ref-error", { role: "alert", hidden: true });
		/* sharing, and so consent and its override, concern referrals out only: an incoming referral is the
		 * partner's sharing, under the consent they obtained */
		var outOnly = el("div#ref-out-only",
			el("div.field.checks", el("label", { for: "ref-share" }, share, t("refer_share"))),
			el("p.note#ref-share-hint", t("refer_share_hint")),
			manager ? field("ref-override", t("refer_override"), override, t("refer_override_hint")) : null);
		var save = el("button.primary#ref-save", { type: "submit" }, t("refer_add"));
		var form = el("form#refer-form", { novalidate: true }, el("h3", t("refer_new")),
			el("div.row", field("ref-dir", t("refer_dir"), dir), field("ref-to", t("col_partner"), to),
				field("ref-reason", t("col_reason"), reason)),
			outOnly,
			el("div.field.sensitive", el("label", { for: "ref-details" }, t("col_details"), el("span.badge", t("sensitive_badge"))), details),
			err, save);
		share.setAttribute("aria-describedby", "ref-share-hint");
		dir.addEventListener("change", function () {
			var incoming = dir.value === "in";
			outOnly.hidden = incoming;
			save.textContent = incoming ? t("refer_add_in") : t("refer_add");
			err.hidden = true;
		});
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			err.hidden = true;
			if (!to.value) { showErr(t("v_required", t("col_partner"))); to.focus(); return; }
			var incoming = dir.value === "in";
			var body = { to: Number(to.value), reason: reason.value, direction: dir.value };
			if (!incoming) body.share_details = share.checked;
			if (details.value.trim()) body.details = details.value.trim();
			if (!incoming && override && override.value.trim()) body.override_reason = override.value.trim();
			CB.api("POST", caseUrl(id, "referrals"), body).then(function (r) {
				details.value = "";
				if (override) override.value = "";
				CB.flash(r.consent_overridden ? t("refer_added_override") : incoming ? t("refer_added_in") : t("refer_added"));
				reload();
			}, function (e) {
				if (e.code === "consent_required") {
					showErr(t("consent_missing"), CB.errorText(e), manager ? t("consent_manager_hint") : t("consent_worker_hint"));
					(override || share).focus();
				} else {
					showErr(CB.errorText(e));
					to.focus();
				}
			});
		});
		function showErr(title, detail, hint) {
			CB.add(CB.clear(err), [el("strong", title), detail ? el("p#ref-error-detail", detail) : null, hint ? el("p", hint) : null]);
			err.hidden = false;
		}
		return form;
	}

	/* ---- follow-ups ---- */
	function loadFollowups(id, box) {
		CB.api("GET", caseUrl(id, "followups")).then(function (r) {
			var list = r.followups || [];
			var notes = list.some(function (f) { return "note" in f; });
			if (!list.length) { CB.add(CB.clear(box), el("p#no-followups", t("followup_none"))); return; }
			var heads = [t("col_due"), t("col_done"), t("col_state")];
			if (notes) heads.push(t("col_note"));
			heads.push(t("col_change"));
			CB.add(CB.clear(box), table("followup-table", t("followup_title"), heads, list.map(function (f) {
				return el("tr", el("th", { scope: "row" }, text(f.due_on)), el("td", text(f.done_on)),
					el("td", f.done_on ? t("fu_done") : f.overdue ? el("strong.overdue", t("fu_overdue")) : t("fu_open")),
					notes ? el("td.sensitive", text(f.note)) : null,
					el("td", f.done_on ? null : el("button", { type: "button", "aria-label": t("fu_mark_of", f.due_on),
						onclick: function () {
							CB.api("PATCH", caseUrl(id, "followups", f.id), {}).then(function () {
								CB.flash(t("fu_marked"));
								loadFollowups(id, box);
							}, CB.showError);
						} }, t("fu_mark"))));
			})));
		}, function (e) { CB.add(CB.clear(box), el("p.error", CB.errorText(e))); });
	}

	function followupForm(id, reload) {
		var due = dateInput("fu-due");
		var note = el("textarea#fu-note", { name: "note", autocomplete: "off", spellcheck: "false" });
		var err = el("p.error#followup-error", { role: "alert" });
		var form = el("form#followup-form", { novalidate: true }, el("h3", t("followup_add")),
			field("fu-due", t("col_due"), due),
			el("div.field.sensitive", el("label", { for: "fu-note" }, t("col_note"), el("span.badge", t("sensitive_badge"))), note),
			err, el("button.primary#fu-save", { type: "submit" }, t("followup_add")));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			err.textContent = "";
			if (!due.value) { err.textContent = t("v_required", t("col_due")); due.focus(); return; }
			var body = { due_on: due.value };
			if (note.value.trim()) body.note = note.value.trim();
			CB.api("POST", caseUrl(id, "followups"), body).then(function () {
				note.value = "";
				due.value = "";
				CB.flash(t("followup_added"));
				reload();
			}, function (e) { err.textContent = CB.errorText(e); due.focus(); });
		});
		return form;
	}

	/* ---- the partner directory ---- */
	var psearch = { service: "", country: "" };
	var partnerEdit = null; /* set by the managers' form: fills it with a partner to change */
	function partnersView() {
		CB.loadCodebook().then(function (cb) {
			var service = select("ps-service", [["", t("search_any")]].concat(values("assistance_type").map(function (v) { return [v.name, v.label]; })), psearch.service);
			var country = select("ps-country", [["", t("search_any")]].concat(countries(cb)), psearch.country);
			var results = el("div#partner-results", { "aria-live": "polite" });
			var form = el("form.card#partner-search", { role: "search", novalidate: true },
				el("div.row", field("ps-service", t("partner_service"), service), field("ps-country", t("partner_country"), country),
					el("div.field", el("button.primary", { type: "submit" }, t("search_submit")))));
			form.addEventListener("submit", function (ev) {
				ev.preventDefault();
				psearch = { service: service.value, country: country.value };
				loadPartners(results);
			});
			partnerEdit = null;
			CB.render(t("partners_title"), [form, results, CB.me.role === "manager" ? partnerForm(cb, results) : null]);
			loadPartners(results);
		}, CB.showError);
	}

	function countries(cb) {
		return cb.countries.slice().sort(function (a, b) { return a.name.localeCompare(b.name); }).map(function (c) {
			return [c.code, c.name + " (" + c.code + ")"];
		});
	}

	function loadPartners(results) {
		var q = [];
		if (psearch.service) q.push("service=" + encodeURIComponent(psearch.service));
		if (psearch.country) q.push("country=" + encodeURIComponent(psearch.country));
		CB.api("GET", "/api/partners" + (q.length ? "?" + q.join("&") : "")).then(function (r) {
			var list = r.partners || [];
			if (!list.length) { CB.add(CB.clear(results), el("p#no-partners", t("partners_none"))); return; }
			var heads = [t("partner_name"), t("partner_type"), t("partner_country"), t("partner_city"), t("partner_phone"),
				t("partner_services"), t("partner_serves"), t("partner_beds")];
			if (partnerEdit) heads.push(t("col_change"));
			CB.add(CB.clear(results), table("partner-table", t("partners_found", list.length), heads,
				list.map(function (p) {
					return el("tr", el("th", { scope: "row" }, p.name), el("td", orgTypeLabel(p.type)), el("td", p.country),
						el("td", text(p.city)), el("td", text(p.phone)), el("td", p.services.map(typeLabel).join(", ") || t("none")),
						el("td", p.serves.join(", ") || t("none")),
						el("td.num", p.beds === null ? t("none") : t("beds_of", p.occupied || 0, p.beds)),
						partnerEdit ? el("td", el("button", { type: "button", "aria-label": t("partner_edit_of", p.name),
							onclick: function () { partnerEdit(p); } }, t("partner_edit"))) : null);
				})));
		}, function (e) { CB.add(CB.clear(results), el("p.error", CB.errorText(e))); });
	}

	function partnerForm(cb, results) {
		var name = el("input#pa-name", { autocomplete: "off", maxlength: "200" });
		var type = select("pa-type", [["", t("choose")]].concat(values("referral_partner_type").map(function (v) { return [v.name, v.label]; })));
		var country = select("pa-country", [["", t("choose")]].concat(countries(cb)));
		var city = el("input#pa-city", { autocomplete: "off", maxlength: "100" });
		var phone = el("input#pa-phone", { type: "tel", autocomplete: "off", maxlength: "40" });
		var serves = el("input#pa-serves", { autocomplete: "off", autocapitalize: "characters" });
		var beds = el("input#pa-beds", { type: "number", min: "0", max: "100000", step: "1", inputmode: "numeric" });
		var boxes = values("assistance_type").map(function (v) { return el("input", { type: "checkbox", name: "services", value: v.name }); });
		var err = el("p.error#partner-error", { role: "alert" });
		var editId = null;
		var heading = el("h2#pa-heading", t("partner_add")), save = el("button.primary#pa-save", { type: "submit" }, t("partner_add"));
		var cancel = el("button#pa-cancel", { type: "button", hidden: true, onclick: reset }, t("partner_cancel"));
		var form = el("form.card#partner-form", { novalidate: true }, heading,
			el("div.grid", field("pa-name", t("partner_name"), name), field("pa-type", t("partner_type"), type),
				field("pa-country", t("partner_country"), country), field("pa-city", t("partner_city"), city),
				field("pa-phone", t("partner_phone"), phone), field("pa-serves", t("partner_serves"), serves, t("partner_serves_hint")),
				field("pa-beds", t("partner_beds"), beds, t("partner_beds_hint"))),
			el("fieldset#pa-services", el("legend", t("partner_services")),
				el("div.checks", boxes.map(function (b, i) { return el("label", b, values("assistance_type")[i].label); }))),
			err, save, cancel);
		function reset() {
			editId = null;
			heading.textContent = save.textContent = t("partner_add");
			cancel.hidden = true;
			err.textContent = "";
			name.value = city.value = phone.value = serves.value = beds.value = type.value = country.value = "";
			boxes.forEach(function (b) { b.checked = false; });
		}
		partnerEdit = function (p) {
			reset();
			editId = p.id;
			name.value = p.name;
			type.value = p.type;
			country.value = p.country;
			city.value = p.city || "";
			phone.value = p.phone || "";
			serves.value = (p.serves || []).join(",");
			beds.value = p.beds === null || p.beds === undefined ? "" : String(p.beds);
			boxes.forEach(function (b) { b.checked = p.services.indexOf(b.value) >= 0; });
			heading.textContent = t("partner_edit_title", p.name);
			save.textContent = t("partner_save");
			cancel.hidden = false;
			form.scrollIntoView();
			name.focus();
		};
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			err.textContent = "";
			var miss = !name.value.trim() ? [name, "partner_name"] : !type.value ? [type, "partner_type"]
				: !country.value ? [country, "partner_country"] : null;
			if (miss) { err.textContent = t("v_required", t(miss[1])); miss[0].focus(); return; }
			var body = { name: name.value.trim(), type: type.value, country: country.value,
				services: boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }) };
			/* a change sends every field, null for one emptied, so that emptying it clears it */
			var city1 = orNull(city.value), phone1 = orNull(phone.value), serves1 = orNull(serves.value), beds1 = orNull(beds.value);
			if (city1 || editId) body.city = city1;
			if (phone1 || editId) body.phone = phone1;
			if (serves1 || editId) body.serves = serves1 ? serves1.toUpperCase() : [];
			if (beds1 || editId) body.beds = beds1 === null ? null : Number(beds1);
			var done = editId ? t("partner_saved", body.name) : t("partner_added", body.name);
			CB.api(editId ? "PATCH" : "POST", "/api/partners" + (editId ? "/" + editId : ""), body).then(function () {
				CB.flash(done);
				reset();
				loadPartners(results);
			}, function (e) { err.textContent = CB.errorText(e); name.focus(); });
		});
		return form;
	}

	/* ---- the dashboard ---- */
	var dashSite = "";
	function dashboardView() {
		CB.loadCodebook().then(function () {
			var out = el("div#dash", { "aria-live": "polite" });
			var form = null;
			if (CB.me.role === "manager") {
				var site = el("input#dash-site", { value: dashSite, autocomplete: "off", autocapitalize: "characters" });
				form = el("form.card.no-print#dash-form", { novalidate: true },
					el("div.row", field("dash-site", t("dash_site"), site, t("dash_site_hint")),
						el("div.field", el("button.primary", { type: "submit" }, t("dash_show")))));
				form.addEventListener("submit", function (ev) {
					ev.preventDefault();
					dashSite = site.value.trim().toUpperCase();
					loadDashboard(out);
				});
			}
			CB.render(t("dash_title"), [el("p.note", t("dash_note")), form, out]);
			loadDashboard(out);
		}, CB.showError);
	}

	function loadDashboard(out) {
		var q = dashSite && CB.me.role === "manager" ? "?site=" + encodeURIComponent(dashSite) : "";
		CB.add(CB.clear(out), el("p.note", t("loading")));
		Promise.all([CB.api("GET", "/api/dashboard" + q), CB.api("GET", "/api/followups/overdue" + q)]).then(function (r) {
			var d = r[0], overdue = r[1].followups || [];
			var stages = values("case_stage");
			CB.add(CB.clear(out), [
				el("p#dash-scope", d.site ? t("dash_of", d.site) : t("dash_all")),
				el("section.card#dash-stages-section", el("h2", t("dash_stages")),
					table("dash-stages", t("dash_stages_caption", d.open, d.closed), [t("col_stage"), t("col_cases")],
						stages.map(function (s) {
							return el("tr", el("th", { scope: "row" }, s.label), el("td.num", d.by_stage[s.name] || 0));
						}))),
				el("section.card#dash-delivered-section", el("h2", t("dash_delivered")),
					d.delivered.length ? table("dash-delivered", t("dash_delivered_caption"),
						[t("col_type")].concat(d.months, [t("stats_total")]), d.delivered.map(function (row) {
							return el("tr", el("th", { scope: "row" }, typeLabel(row.type)),
								row.counts.map(function (n) { return el("td.num", n); }), el("td.num.total", row.total));
						})) : el("p", t("dash_no_delivered"))),
				el("section.card#dash-overdue-section", el("h2", t("dash_overdue", d.overdue)),
					overdue.length ? table("dash-overdue", t("dash_overdue_caption"), [t("col_case_id"), t("col_site"), t("col_due")],
						overdue.slice(0, 200).map(function (f) {
							return el("tr", el("th", { scope: "row" }, el("a.case-id", { href: "#/cases/" + encodeURIComponent(f.case_id) }, f.case_id)),
								el("td", f.site), el("td", f.due_on));
						})) : el("p", t("dash_no_overdue"))),
				el("section.card#dash-shelters-section", el("h2", t("dash_shelters")),
					d.shelters.length ? table("dash-shelters", t("dash_shelters_caption"), [t("partner_name"), t("partner_beds"), t("col_occupied"), t("col_state")],
						d.shelters.map(function (s) {
							return el("tr", el("th", { scope: "row" }, s.name), el("td.num", s.beds), el("td.num", s.occupied),
								el("td", s.over ? el("strong.overdue", t("shelter_over")) : t("shelter_ok")));
						})) : el("p", t("dash_no_shelters")))]);
		}, function (e) { CB.add(CB.clear(out), el("p.error", CB.errorText(e))); });
	}

	var staff = ["manager", "caseworker"];
	CB.routes.push({ re: /^#\/partners$/, roles: staff, view: partnersView },
		{ re: /^#\/dashboard$/, roles: staff, view: dashboardView });
})();

/*
 * notes.js -- dated case notes by author on the case page (GET/POST /api/cases/{id}/notes).  The text is an
 * identifying detail: shown only to whom the server sends it, in a field marked sensitive, never kept in the
 * page after sign-out.
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el, t = CB.t;

	function url(id) { return "/api/cases/" + encodeURIComponent(id) + "/notes"; }

	CB.notesSection = function (id, box) {
		var list = el("div#notes-list", { "aria-live": "polite" });
		var text = el("textarea#note-text", { name: "text", autocomplete: "off", spellcheck: "false", maxlength: "65536",
			"aria-describedby": "note-error" });
		var err = el("p.error#note-error", { role: "alert" });
		var form = el("form#note-form", { novalidate: true },
			el("div.field.sensitive", el("label", { for: "note-text" }, t("note_new"), el("span.badge", t("sensitive_badge"))), text),
			err, el("button.primary#note-save", { type: "submit" }, t("note_add")));
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			err.textContent = "";
			if (!text.value.trim()) { err.textContent = t("v_required", t("note_new")); text.focus(); return; }
			CB.api("POST", url(id), { text: text.value }).then(function () {
				text.value = "";
				CB.flash(t("note_added"));
				load(id, list);
			}, function (e) { err.textContent = CB.errorText(e); text.focus(); });
		});
		CB.add(CB.clear(box), el("section.card#notes-section", el("h2", t("notes_title")), list, form));
		load(id, list);
	};

	function load(id, list) {
		CB.api("GET", url(id)).then(function (r) {
			var notes = r.notes || [];
			CB.clear(list);
			if (r.sealed && notes.length) list.appendChild(el("p.note", t("notes_sealed")));
			if (!notes.length) { list.appendChild(el("p#no-notes", t("notes_none"))); return; }
			list.appendChild(el("ol.notes", notes.slice().reverse().map(function (n) {
				return el("li.note-item", { "data-note": n.id },
					el("p.note-meta", el("time", { datetime: n.at }, CB.localTime(n.at)), " · ", n.author),
					"text" in n ? el("p.note-text.sensitive", n.text) : el("p.note", t("note_sealed_one")));
			})));
		}, function (e) { CB.add(CB.clear(list), el("p.error", CB.errorText(e))); });
	}
})();

/*
 * attach.js -- photos and documents of a case, on the case page (cases.js calls CB.attachmentsSection):
 * the list, a download link for each, and an upload form, for whoever may read the case's identifying
 * details (a file about a person is one: the server seals it under the case key and decides who gets it).
 *   GET  /api/cases/{id}/attachments          {"attachments": [{id, type, size, created_at, by, name?}]}
 *                                              (and the limits, max_bytes and types, when the server says them)
 *   POST /api/cases/{id}/attachments?name=F   the file's bytes as the body, its type as Content-Type; a file
 *                                              over the limits is 400 naming them (docs/api.md, "Attachments")
 *   GET  /api/cases/{id}/attachments/{aid}    the file, as a download
 * A server without these answers 404 and the section stays away.  Files go straight from the file picker
 * to the server: nothing is kept in the page or the browser's storage.
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el, t = CB.t;
	var STR = {
		attach_title: "Documents and photos",
		attach_none: "No documents or photos yet.",
		attach_col_name: "File",
		attach_col_type: "Type",
		attach_col_size: "Size",
		attach_col_added: "Added",
		attach_col_by: "By",
		attach_unnamed: "(name sealed)",
		attach_file: "Add a document or photo",
		attach_help: "Photos, PDF, audio or video. The file is encrypted with the case's key.",
		attach_help_limits: "Up to {0}; {1}. The file is encrypted with the case's key.",
		attach_upload: "Upload",
		attach_choose: "Choose a file first.",
		attach_too_big: "{0} is larger than {1}.",
		attach_bad_type: "{0} is not a type casebank takes ({1}).",
		attach_done: "{0} added.",
		attach_download: "Download {0}"
	};
	Object.keys(STR).forEach(function (k) { if (window.CB_STRINGS[k] === undefined) window.CB_STRINGS[k] = STR[k]; });

	function size(n) {
		if (n < 1024) return n + " B";
		if (n < 1024 * 1024) return (n / 1024).toFixed(0) + " KB";
		return (n / 1024 / 1024).toFixed(1) + " MB";
	}
	function when(unix) { return unix ? new Date(unix * 1000).toISOString().slice(0, 10) : t("none"); }
	function base(id) { return "/api/cases/" + encodeURIComponent(id) + "/attachments"; }

	function table(id, list) {
		if (!list.length) return el("p#attach-none", t("attach_none"));
		return el("div.scroll", { role: "region", "aria-labelledby": "attach-h", tabindex: "0" },
			el("table#attach-table",
				el("caption.visually-hidden", t("attach_title")),
				el("thead", el("tr", ["attach_col_name", "attach_col_type", "attach_col_size", "attach_col_added", "attach_col_by"]
					.map(function (k) { return el("th", { scope: "col" }, t(k)); }))),
				el("tbody", list.map(function (a) {
					return el("tr", { "data-id": a.id },
						el("th", { scope: "row", "data-label": t("attach_col_name") }, a.name
							? el("a.attach-link", { href: base(id) + "/" + encodeURIComponent(a.id), download: a.name,
								"aria-label": t("attach_download", a.name) }, a.name) : t("attach_unnamed")),
						el("td", { "data-label": t("attach_col_type") }, a.type || t("none")),
						el("td.num", { "data-label": t("attach_col_size") }, size(a.size || 0)),
						el("td", { "data-label": t("attach_col_added") }, when(a.created_at)),
						el("td", { "data-label": t("attach_col_by") }, a.by || t("none")));
				}))));
	}

	function uploadForm(id, info, reload) {
		var types = info.types || [];
		var file = el("input#attach-file", { type: "file", name: "file", accept: types.join(","),
			"aria-describedby": "attach-help attach-err" });
		var err = el("p.error#attach-err", { "aria-live": "polite" });
		var button = el("button.primary#attach-upload", { type: "submit" }, t("attach_upload"));
		var form = el("form.no-print#attach-form", { novalidate: true },
			el("div.field.wide", el("label", { for: "attach-file" }, t("attach_file")), file,
				el("p.note#attach-help", info.max_bytes && types.length ? t("attach_help_limits", size(info.max_bytes), types.join(", "))
					: t("attach_help")), err),
			button);
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			err.textContent = "";
			file.removeAttribute("aria-invalid");
			var f = file.files && file.files[0];
			var problem = !f ? t("attach_choose")
				: info.max_bytes && f.size > info.max_bytes ? t("attach_too_big", f.name, size(info.max_bytes))
				: types.length && types.indexOf(f.type) < 0 ? t("attach_bad_type", f.name, types.join(", ")) : "";
			if (problem) { err.textContent = problem; file.setAttribute("aria-invalid", "true"); file.focus(); return; }
			button.disabled = true;
			// the bytes as they are (CB.api speaks JSON); same session and CSRF token
			fetch(base(id) + "?name=" + encodeURIComponent(f.name), { method: "POST", body: f, credentials: "same-origin",
				cache: "no-store", headers: { "Content-Type": f.type || "application/octet-stream", "X-CSRF-Token": CB.me.csrf,
					"Accept": "application/json" } }).then(function (r) {
				return r.text().then(function (text) {
					var data = null;
					try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
					if (!r.ok) throw new CB.ApiError(r.status, data && data.error || "http_" + r.status, data && data.detail || "");
					CB.flash(t("attach_done", f.name), "ok");
					reload();
				});
			}).catch(function (e) {
				err.textContent = CB.errorText(e);
				file.setAttribute("aria-invalid", "true");
			}).then(function () { button.disabled = false; });
		});
		return form;
	}

	// Fills box (on the case page of case id) with its attachments, when the server has them for this person.
	CB.attachmentsSection = function (id, k, box) {
		function load() {
			CB.api("GET", base(id)).then(function (info) {
				if (!info || !Array.isArray(info.attachments)) return;
				CB.add(CB.clear(box), el("section.card#case-attachments",
					el("h2#attach-h", t("attach_title"), el("span.badge", t("sensitive_badge"))),
					table(id, info.attachments), uploadForm(id, info, load)));
			}, function () { CB.clear(box); }); // none for this person, or a server without attachments
		}
		load();
	};
})();

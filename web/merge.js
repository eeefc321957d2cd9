/*
 * merge.js -- an edit clash (409: someone saved the case after it was opened) without lost work: what was
 * typed stays in the form; the fields changed meanwhile are shown beside it, field by field, and the person
 * picks which value to keep, then saves the merge against the current version.
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el, t = CB.t;

	function same(a, b) {
		function norm(x) {
			if (x === undefined) return null;
			return Array.isArray(x) ? x.slice().sort() : x;
		}
		return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
	}

	// CB.mergeBox(cb, F (CB.caseForm), base (values the form was filled from), now (the case as saved now),
	// save()) -> the alert to show at the top of the form.
	CB.mergeBox = function (cb, F, base, now, save) {
		var mine = F.values(), rows = [], theirsOnly = [];
		Object.keys(F.controls).forEach(function (n) {
			var theirs = now[n] === undefined ? null : now[n];
			if (same(base[n], theirs)) return; // not changed meanwhile
			if (same(base[n], mine[n]) || same(mine[n], theirs)) {
				theirsOnly.push(n); // nothing typed here (or the same): the saved value comes into the form
				return;
			}
			rows.push(n);
		});
		theirsOnly.forEach(function (n) { F.controls[n].set(now[n] === undefined ? null : now[n]); });
		var f = cb.byName;
		function text(n, v) { return CB.valueText(cb, f[n], v); }
		var table = rows.length ? el("div.scroll", { role: "region", "aria-label": t("merge_title"), tabindex: "0" },
			el("table#merge-table.stack",
				el("caption", t("merge_caption")),
				el("thead", el("tr", el("th", { scope: "col" }, t("merge_field")), el("th", { scope: "col" }, t("merge_yours")),
					el("th", { scope: "col" }, t("merge_theirs")))),
				el("tbody", rows.map(function (n) {
					var name = "merge-" + n;
					return el("tr", { "data-field": n }, el("th", { scope: "row", "data-label": t("merge_field") }, f[n].label),
						el("td", { "data-label": t("merge_yours") }, el("label.choice",
							el("input", { type: "radio", name: name, value: "mine", checked: true,
								"aria-label": t("merge_keep_yours", f[n].label) }), text(n, mine[n]))),
						el("td", { "data-label": t("merge_theirs") }, el("label.choice",
							el("input", { type: "radio", name: name, value: "theirs",
								"aria-label": t("merge_keep_theirs", f[n].label) }), text(n, now[n]))));
				})))) : null;
		var box = el("div.alert.warning#conflict", { role: "alert" },
			el("h2", t("conflict_title")),
			el("p", t(rows.length ? "merge_text" : "merge_text_clean", now.version)),
			theirsOnly.length ? el("p#merge-taken", t("merge_taken", theirsOnly.map(function (n) { return f[n].label; }).join(", "))) : null,
			table,
			el("div.actions",
				el("button.primary#merge-save", { type: "button", onclick: function () {
					rows.forEach(function (n) {
						var pick = box.querySelector("input[name='merge-" + n + "']:checked");
						F.controls[n].set(pick && pick.value === "theirs" ? now[n] : mine[n]);
					});
					CB.clear(F.top);
					save();
				} }, t("merge_save")),
				el("button#conflict-reload", { type: "button", onclick: function () {
					F.settle(); // leaving what was typed, on purpose
					CB.route();
				} }, t("conflict_reload"))));
		return box;
	};
})();

/*
 * stats.js -- the analyst's (and manager's) views: the table builder (up to three dimensions, filters, the
 * protected table from GET /api/stats, a bar chart, CSV/XLSX downloads) and the standard report's
 * downloads.  Tables are only ever the server's protected counts: estimates from the releases, whose note
 * ("protection") names the releases, their age and budget (an exact-bank table's suppressed cells arrive as "x").
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el, t = CB.t;
	var SVG = "http://www.w3.org/2000/svg";
	var TOTAL = "Total";
	var last = null; // the last query, to keep the form filled when coming back

	function quote(v) { return '"' + String(v).replace(/"/g, "") + '"'; }

	// The values a filter on dimension d can take, or null for free text.
	function valuesOf(cb, d) {
		var f = cb.byName[d];
		if (f && f.values && f.values.length) return f.values.map(function (v) { return { name: v.name, label: v.label }; });
		if (f && f.kind === "country") return cb.countries.map(function (c) { return { name: c.code, label: c.name }; })
			.sort(function (a, b) { return a.label.localeCompare(b.label); });
		if (/_region$/.test(d)) {
			var seen = {};
			cb.countries.forEach(function (c) { if (c.region) seen[c.region] = true; });
			return Object.keys(seen).sort().map(function (r) { return { name: r, label: r }; });
		}
		return null;
	}

	function filterRow(cb, i, dims, saved) {
		var id = "filter-" + i, vid = "filter-value-" + i;
		var dimSel = el("select", { id: id }, el("option", { value: "" }, t("stats_any")),
			dims.map(function (d) { return el("option", { value: d.name, selected: saved && saved.dim === d.name }, d.label); }));
		var holder = el("div.field", el("label", { for: vid }, t("stats_filter_value", i)));
		var value = null;
		function draw() {
			if (value) holder.removeChild(value);
			var vals = dimSel.value ? valuesOf(cb, dimSel.value) : null;
			value = vals ? el("select", { id: vid }, vals.map(function (v) {
				return el("option", { value: v.name, selected: saved && saved.value === v.name }, v.label);
			})) : el("input", { id: vid, type: "text", disabled: !dimSel.value, value: saved && saved.value || "" });
			holder.appendChild(value);
		}
		dimSel.addEventListener("change", function () { saved = null; draw(); });
		draw();
		return {
			node: el("div.row", el("div.field", el("label", { for: id }, t("stats_filter_n", i)), dimSel), holder),
			get: function () { return dimSel.value && value.value ? { dim: dimSel.value, value: value.value } : null; }
		};
	}

	function statsView() {
		CB.loadCodebook().then(function (cb) {
			var dims = cb.dimensions.filter(function (d) { return d.released; }); // tables come from the releases
			var saved = last || { by: ["year"], from: "", to: "", filters: [], percent: false };
			var dimSels = [1, 2, 3].map(function (i) {
				return el("select", { id: "dim-" + i, name: "dim" + i },
					el("option", { value: "" }, t("stats_dim_none")),
					dims.map(function (d) { return el("option", { value: d.name, selected: saved.by[i - 1] === d.name }, d.label); }));
			});
			var from = el("input#year-from", { type: "number", inputmode: "numeric", min: "1990", max: "2100", value: saved.from });
			var to = el("input#year-to", { type: "number", inputmode: "numeric", min: "1990", max: "2100", value: saved.to });
			var filters = [1, 2, 3].map(function (i) { return filterRow(cb, i, dims, saved.filters[i - 1]); });
			var percent = el("input#percent", { type: "checkbox", checked: saved.percent });
			var err = el("p.error#stats-error", { role: "alert" });
			var out = el("div#stats-out");
			var form = el("form.card.no-print#stats-form", { novalidate: true },
				el("fieldset", el("legend", t("stats_dims")), el("div.row", dimSels.map(function (s, i) {
					return el("div.field", el("label", { for: s.id }, t("stats_dim_n", i + 1)), s);
				}))),
				el("fieldset", el("legend", t("stats_filters")),
					el("div.row", el("div.field", el("label", { for: "year-from" }, t("stats_year_from")), from),
						el("div.field", el("label", { for: "year-to" }, t("stats_year_to")), to)),
					filters.map(function (f) { return f.node; })),
				el("div.field", el("label", percent, " ", t("stats_percent"))),
				err,
				el("button.primary#show-table", { type: "submit" }, t("stats_submit")));
			form.addEventListener("submit", function (ev) {
				ev.preventDefault();
				err.textContent = "";
				var by = dimSels.map(function (s) { return s.value; }).filter(Boolean);
				if (!by.length) { err.textContent = t("stats_need_dim"); dimSels[0].focus(); return; }
				if (by.some(function (d, i) { return by.indexOf(d) !== i; })) { err.textContent = t("stats_dup_dim"); return; }
				last = { by: by, from: from.value, to: to.value, percent: percent.checked,
					filters: filters.map(function (f) { return f.get(); }) };
				var where = [];
				if (from.value) where.push("year >= " + parseInt(from.value, 10));
				if (to.value) where.push("year <= " + parseInt(to.value, 10));
				last.filters.forEach(function (f) { if (f) where.push(f.dim + " = " + quote(f.value)); });
				run(cb, by, where.join(" and "), percent.checked, out, err);
			});
			CB.render(t("stats_title"), [form, out]);
		}, CB.showError);
	}

	function query(by, where, percent, format) {
		var q = "by=" + encodeURIComponent(by.join(","));
		if (where) q += "&where=" + encodeURIComponent(where);
		if (percent) q += "&percent=1";
		return "/api/stats?" + q + "&format=" + format;
	}

	function run(cb, by, where, percent, out, err) {
		CB.clear(out).appendChild(el("p.note", t("loading")));
		CB.api("GET", query(by, where, percent, "json")).then(function (j) {
			CB.clear(out);
			var label = j.dims.map(function (d) { return d.label; }).join(t("stats_by_join"));
			CB.add(out, [
				el("h2#table-title", { tabindex: "-1" }, t("stats_caption", label)),
				el("p.note", j.filter ? t("stats_filter_used", j.filter) : t("stats_no_filter")),
				table(j, label),
				j.estimates ? null : el("p.note#x-note", t("stats_x_note", j.threshold)), // estimates are never suppressed
				j.protection ? el("p.note", j.protection) : null,
				chart(j),
				el("p.actions.no-print",
					el("a.button#dl-csv", { href: query(by, where, percent, "csv"), download: "casebank-table.csv" }, t("stats_download_csv")),
					el("button#dl-xlsx", { type: "button", onclick: function () { xlsx(query(by, where, percent, "csv"), label); } },
						t("stats_download_xlsx")))
			]);
			out.querySelector("h2").focus();
		}, function (e) {
			CB.clear(out);
			err.textContent = CB.errorText(e);
		});
	}

	// The XLSX download is the server's CSV (the same protected numbers) turned into a workbook here.  Its
	// leading "# " comment lines (what the estimates come from) are notes, one cell each, not CSV rows.
	function xlsx(csvUrl, label) {
		fetch(csvUrl, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
			if (!r.ok) throw new CB.ApiError(r.status, "http_" + r.status, "");
			return r.text();
		}).then(function (text) {
			var notes = [];
			while (text.charAt(0) === "#") {
				var nl = text.indexOf("\n");
				notes.push([text.slice(0, nl < 0 ? text.length : nl).replace(/^#\s*/, "")]);
				text = nl < 0 ? "" : text.slice(nl + 1);
			}
			var url = URL.createObjectURL(CB.xlsx(notes.concat(CB.parseCsv(text)), label));
			var a = el("a", { href: url, download: "casebank-table.xlsx" });
			document.body.appendChild(a);
			a.click();
			document.body.removeChild(a);
			setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
		}).then(null, CB.showError);
	}

	/* ---- the table ---- */
	function valueList(d) { return d.values.map(function (v) { return v.name; }).concat([TOTAL]); }
	function valueLabel(d, name) {
		if (name === TOTAL) return t("stats_total");
		var v = d.values.filter(function (x) { return x.name === name; })[0];
		return v ? v.label : name;
	}
	function index(j) {
		var m = {};
		j.cells.forEach(function (c) { m[j.dims.map(function (d) { return c[d.name]; }).join("\u0001")] = c; });
		return m;
	}
	function empty(c) { return !c || (!c.suppressed && c.count === 0); }
	function cellNode(c, isTotal) {
		var cls = "td.num" + (isTotal ? ".total" : "");
		if (!c) return el(cls, "");
		if (c.suppressed) return el(cls + ".x", el("abbr", { title: t("stats_suppressed_label"), "aria-label": t("stats_suppressed_label") }, t("stats_suppressed")));
		var text = String(c.count);
		if (c.percent !== undefined && c.percent !== null) text += " (" + c.percent + " %)";
		return el(cls, text);
	}

	function table(j, label) {
		var m = index(j), dims = j.dims;
		var colDim = dims.length > 1 ? dims[dims.length - 1] : null;
		var rowDims = colDim ? dims.slice(0, -1) : dims;
		// every combination of the row dimensions' values
		var rows = [[]];
		rowDims.forEach(function (d) {
			var next = [];
			rows.forEach(function (r) { valueList(d).forEach(function (v) { next.push(r.concat([v])); }); });
			rows = next;
		});
		var cols = colDim ? valueList(colDim) : [null];
		function cell(r, c) { return m[(c === null ? r : r.concat([c])).join("\u0001")]; }
		var isTotalRow = function (r) { return r.every(function (v) { return v === TOTAL; }); };
		cols = cols.filter(function (c) { return c === TOTAL || rows.some(function (r) { return !empty(cell(r, c)); }); });
		rows = rows.filter(function (r) { return isTotalRow(r) || cols.some(function (c) { return !empty(cell(r, c)); }); });
		var head = el("tr", rowDims.map(function (d) { return el("th", { scope: "col" }, d.label); }),
			cols.map(function (c) {
				return el("th.num" + (c === TOTAL ? ".total" : ""), { scope: "col" }, c === null ? t("stats_count") : valueLabel(colDim, c));
			}));
		var body = rows.map(function (r) {
			var total = r.indexOf(TOTAL) >= 0;
			return el("tr" + (total ? ".total" : ""),
				r.map(function (v, i) { return el(i === r.length - 1 ? "th" : "td", i === r.length - 1 ? { scope: "row" } : null, valueLabel(rowDims[i], v)); }),
				cols.map(function (c) { return cellNode(cell(r, c), total || c === TOTAL); }));
		});
		return el("div.scroll", { role: "region", "aria-labelledby": "table-title", tabindex: "0" },
			el("table#stats-table", el("caption", t("stats_caption", label), " ", el("span.note", t("stats_zero_rows"))),
				el("thead", head), el("tbody", body)));
	}

	/* ---- the chart: the first dimension's counts (its margin when there are more) ---- */
	function chart(j) {
		var m = index(j), d = j.dims[0];
		var rest = j.dims.slice(1).map(function () { return TOTAL; });
		var bars = d.values.map(function (v) {
			return { label: v.label, c: m[[v.name].concat(rest).join("\u0001")] };
		}).filter(function (b) { return !empty(b.c); });
		if (!bars.length) return null;
		var max = Math.max.apply(null, bars.map(function (b) { return b.c.suppressed ? 0 : b.c.count; }).concat([1]));
		var W = 480, LW = 170, H = 24, N = 50;
		var svg = document.createElementNS(SVG, "svg");
		function s(tag, attrs, text) {
			var n = document.createElementNS(SVG, tag);
			Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
			if (text !== undefined) n.textContent = text;
			return n;
		}
		svg.setAttribute("viewBox", "0 0 " + W + " " + (bars.length * H + 4));
		svg.setAttribute("role", "img");
		svg.setAttribute("aria-label", t("stats_chart", d.label));
		bars.forEach(function (b, i) {
			var y = i * H + 2, w = b.c.suppressed ? 0 : Math.max(1, (W - LW - N) * b.c.count / max);
			var lbl = b.label.length > 22 ? b.label.slice(0, 21) + "…" : b.label;
			svg.appendChild(s("text", { x: LW - 6, y: y + 17, "text-anchor": "end" }, lbl));
			if (b.c.suppressed) {
				svg.appendChild(s("rect", { x: LW, y: y + 2, width: 20, height: H - 6, "class": "bar-x" }));
				svg.appendChild(s("text", { x: LW + 26, y: y + 17 }, t("stats_suppressed")));
			} else {
				svg.appendChild(s("rect", { x: LW, y: y + 2, width: w.toFixed(1), height: H - 6, "class": "bar" }));
				svg.appendChild(s("text", { x: (LW + w + 6).toFixed(1), y: y + 17 }, String(b.c.count)));
			}
		});
		return el("figure.chart#stats-chart", svg, el("figcaption.note", t("stats_chart", d.label), ".",
			j.estimates ? null : " " + t("stats_chart_note")));
	}

	/* ---- the standard report ---- */
	function reportView() {
		var where = el("input#report-where", { type: "text", autocomplete: "off", spellcheck: "false" });
		var links = el("p.actions");
		function draw() {
			var w = where.value.trim() ? "&where=" + encodeURIComponent(where.value.trim()) : "";
			CB.add(CB.clear(links), [
				el("a.button.primary#report-html", { href: "/api/report?format=html" + w, target: "_blank", rel: "noopener" }, t("report_html")),
				el("a.button#report-csv", { href: "/api/report?format=csv" + w, download: "casebank-report.csv" }, t("report_csv")),
				el("a.button#report-xlsx", { href: "/api/report?format=xlsx" + w, download: "casebank-report.xlsx" }, t("report_xlsx"))]);
		}
		where.addEventListener("input", draw);
		draw();
		CB.render(t("report_title"), [el("p", t("report_text")),
			el("div.field", el("label", { for: "report-where" }, t("report_where")), where), links]);
	}

	var readers = ["manager", "analyst"];
	CB.routes.push({ re: /^#\/stats$/, roles: readers, view: statsView },
		{ re: /^#\/report$/, roles: readers, view: reportView });
})();

/*
 * stats.js -- the analyst's (and manager's) views: the table builder (up to three dimensions, filters, the
 * protected table from GET /api/stats, a bar chart, CSV/XLSX downloads of the table as shown) and the
 * standard report (a filter builder that writes the expression, checked as it is built; the report as HTML,
 * CSV or XLSX).  Tables are only ever the server's protected counts: estimates from the releases, whose note
 * ("protection") names the releases, their age and budget (an exact-bank table's suppressed cells arrive as
 * "x").  Labels come from the server in the page's language (i18n.js); codes never show.
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
		if (/_region$/.test(d)) return (cb.regions || []).slice().sort(function (a, b) { return a.label.localeCompare(b.label); });
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
			var shown = table(j, label);
			// what the downloads carry besides the table: its title and the notes shown under it
			var notes = [t("stats_caption", label), j.filter ? t("stats_filter_used", j.filter) : t("stats_no_filter")]
				.concat(j.estimates ? [] : [t("stats_x_note", j.threshold)], j.protection ? [j.protection] : []);
			CB.add(out, [
				el("h2#table-title", { tabindex: "-1" }, t("stats_caption", label)),
				el("p.note", j.filter ? t("stats_filter_used", j.filter) : t("stats_no_filter")),
				shown.node,
				j.estimates ? null : el("p.note#x-note", t("stats_x_note", j.threshold)), // estimates are never suppressed
				j.protection ? el("p.note", j.protection) : null,
				chart(j),
				el("p.actions.no-print",
					el("button#dl-csv", { type: "button", onclick: function () {
						save(new Blob(["\ufeff" + toCsv(sheet(shown.grid, notes))], { type: "text/csv;charset=utf-8" }), "casebank-table.csv");
					} }, t("stats_download_csv")),
					el("button#dl-xlsx", { type: "button", onclick: function () {
						save(CB.xlsx(sheet(shown.grid, notes), sheetName(label)), "casebank-table.xlsx");
					} }, t("stats_download_xlsx")))
			]);
			out.querySelector("h2").focus();
		}, function (e) {
			CB.clear(out);
			err.textContent = CB.errorText(e);
		});
	}

	/* ---- downloads: the table as it is shown (wide, labels), then its title and notes ---- */
	function sheet(grid, notes) {
		return grid.concat([[]], notes.map(function (n) { return [n]; }));
	}
	// A cell a spreadsheet would run as a formula gets a ' in front (as the server's CSV does, docs/formats.md).
	function guard(v) {
		v = String(v);
		return /^[=+\-@\t\r]/.test(v) && !/^-?\d+(\.\d+)?$/.test(v) ? "'" + v : v;
	}
	function toCsv(rows) {
		return rows.map(function (r) {
			return r.map(function (v) {
				v = guard(v);
				return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
			}).join(",");
		}).join("\r\n") + "\r\n";
	}
	function sheetName(label) { return label.replace(/[\[\]:*?\/\\]/g, " ").slice(0, 31); }
	function save(blob, name) {
		var url = URL.createObjectURL(blob);
		var a = el("a", { href: url, download: name });
		document.body.appendChild(a);
		a.click();
		document.body.removeChild(a);
		setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
	}
	CB.saveBlob = save;

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
	// A cell as the downloads write it: the count (a number), "x" when suppressed, "12 (3.4 %)" with a share.
	function cellText(c) {
		if (!c) return "";
		if (c.suppressed) return t("stats_suppressed");
		return c.percent !== undefined && c.percent !== null ? c.count + " (" + c.percent + " %)" : String(c.count);
	}
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
		var headText = rowDims.map(function (d) { return d.label; }).concat(cols.map(function (c) {
			return c === null ? t("stats_count") : valueLabel(colDim, c);
		}));
		var head = el("tr", headText.map(function (h, i) {
			var c = i - rowDims.length;
			return el(c < 0 ? "th" : "th.num" + (cols[c] === TOTAL ? ".total" : ""), { scope: "col" }, h);
		}));
		var grid = [headText];
		var body = rows.map(function (r) {
			var total = r.indexOf(TOTAL) >= 0;
			grid.push(r.map(function (v, i) { return valueLabel(rowDims[i], v); }).concat(cols.map(function (c) { return cellText(cell(r, c)); })));
			return el("tr" + (total ? ".total" : ""),
				r.map(function (v, i) { return el(i === r.length - 1 ? "th" : "td", i === r.length - 1 ? { scope: "row" } : null, valueLabel(rowDims[i], v)); }),
				cols.map(function (c) { return cellNode(cell(r, c), total || c === TOTAL); }));
		});
		return { grid: grid, node: el("div.scroll", { role: "region", "aria-labelledby": "table-title", tabindex: "0" },
			el("table#stats-table", el("caption", t("stats_caption", label), " ", el("span.note", t("stats_zero_rows"))),
				el("thead", head), el("tbody", body))) };
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
		svg.setAttribute("direction", "ltr"); // the drawing's coordinates; each label is still read in its own script
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

	/* ---- the standard report: a filter builder that writes the expression, checked as it is built ---- */
	var NUM_OPS = ["=", "!=", ">=", "<=", ">", "<"];
	var CAT_OPS = ["=", "!="];
	function opLabel(op) {
		return { "=": t("op_is"), "!=": t("op_is_not"), ">=": t("op_from"), "<=": t("op_to"), ">": t("op_after"),
			"<": t("op_before") }[op];
	}

	// One condition: field, operator and value from menus (a number for numeric fields).
	function conditionRow(cb, dims, i, onchange, onremove) {
		var fid = "cond-field-" + i, oid = "cond-op-" + i, vid = "cond-value-" + i;
		var field = el("select", { id: fid }, el("option", { value: "" }, t("choose")),
			dims.map(function (d) { return el("option", { value: d.name }, d.label); }));
		var op = el("select", { id: oid });
		var valueHolder = el("div.field", el("label", { for: vid }, t("report_cond_value")));
		var value = null;
		function numeric() { var f = cb.byName[field.value]; return f && f.kind === "int"; }
		function draw() {
			CB.clear(op);
			(numeric() ? NUM_OPS : CAT_OPS).forEach(function (o) { op.appendChild(el("option", { value: o }, opLabel(o))); });
			if (value) valueHolder.removeChild(value);
			var vals = field.value ? valuesOf(cb, field.value) : null;
			var f = cb.byName[field.value];
			value = vals ? el("select", { id: vid }, vals.map(function (v) { return el("option", { value: v.name }, v.label); }))
				: el("input", { id: vid, type: "number", inputmode: "numeric", min: f && f.min, max: f && f.max,
					disabled: !field.value });
			value.addEventListener("input", onchange);
			value.addEventListener("change", onchange);
			valueHolder.appendChild(value);
			op.disabled = !field.value;
		}
		field.addEventListener("change", function () { draw(); onchange(); });
		op.addEventListener("change", onchange);
		draw();
		var node = el("div.row.condition",
			el("div.field", el("label", { for: fid }, t("report_cond_field", i)), field),
			el("div.field", el("label", { for: oid }, t("report_cond_op")), op),
			valueHolder,
			el("div.field.remove", el("button.link", { type: "button", onclick: onremove }, t("report_cond_remove", i))));
		return {
			node: node,
			// the condition in the expression language (docs/statistics.md), or "" while incomplete
			text: function () {
				if (!field.value || !value.value) return "";
				var v = numeric() ? String(parseInt(value.value, 10)) : '"' + String(value.value).replace(/["\\]/g, "") + '"';
				return numeric() && isNaN(parseInt(value.value, 10)) ? "" : field.value + " " + op.value + " " + v;
			}
		};
	}

	function reportView() {
		CB.loadCodebook().then(function (cb) {
			var dims = cb.dimensions.filter(function (d) { return d.released; });
			var conds = [], seq = 0;
			var list = el("div#conditions");
			var where = el("input#report-where", { type: "text", autocomplete: "off", spellcheck: "false", dir: "ltr",
				"aria-describedby": "report-where-hint" });
			var status = el("p#report-check", { role: "status", "aria-live": "polite" });
			var err = el("p.error#report-error", { role: "alert" });
			var links = el("p.actions#report-actions");
			var checked = null, pending = 0;
			function url(fmt) {
				var w = where.value.trim();
				return "/api/report?format=" + fmt + (w ? "&where=" + encodeURIComponent(w) : "") + window.CB_I18N.param();
			}
			// The buttons stay in place (a click must not land on a button just replaced); what changes is
			// whether they may be used: only for the text the server checked.
			var html = el("a.button.primary#report-html", { target: "_blank", rel: "noopener" }, t("report_html"));
			var csvBtn = el("button#report-csv", { type: "button", onclick: function () { download("csv"); } }, t("report_csv"));
			var xlsxBtn = el("button#report-xlsx", { type: "button", onclick: function () { download("xlsx"); } }, t("report_xlsx"));
			CB.add(links, [html, csvBtn, xlsxBtn]);
			function draw() {
				var ok = checked === where.value.trim();
				if (ok) {
					html.setAttribute("href", url("html"));
					html.removeAttribute("aria-disabled");
				} else {
					html.removeAttribute("href"); // a link without href is not followed
					html.setAttribute("aria-disabled", "true");
				}
				csvBtn.disabled = xlsxBtn.disabled = !ok;
			}
			// The expression is checked by the server's own parser (a one-dimension table with it), so its
			// message -- in words, in the page's language -- shows here, never on a page of raw JSON.
			function check() {
				var w = where.value.trim(), mine = ++pending;
				checked = null;
				err.textContent = "";
				status.textContent = w ? t("report_checking") : "";
				draw();
				CB.api("GET", "/api/stats?by=year&format=json" + (w ? "&where=" + encodeURIComponent(w) : "")).then(function () {
					if (mine !== pending) return;
					checked = w;
					status.textContent = w ? t("report_filter_ok") : t("stats_no_filter");
					draw();
				}, function (e) {
					if (mine !== pending) return;
					status.textContent = "";
					err.textContent = t("report_filter_bad", CB.errorText(e));
					draw();
				});
			}
			var timer = null;
			function later() { // nothing is offered until the new text is checked
				clearTimeout(timer);
				pending++;
				checked = null;
				status.textContent = "";
				draw();
				timer = setTimeout(check, 250);
			}
			function fromBuilder() {
				var w = conds.map(function (c) { return c.text(); }).filter(Boolean).join(" and ");
				if (w === where.value) return; // the same filter: already checked
				where.value = w;
				later();
			}
			function add() {
				var c = conditionRow(cb, dims, ++seq, fromBuilder, function () {
					list.removeChild(c.node);
					conds.splice(conds.indexOf(c), 1);
					fromBuilder();
					addBtn.focus();
				});
				conds.push(c);
				list.appendChild(c.node);
				return c;
			}
			function download(fmt) {
				err.textContent = "";
				fetch(url(fmt), { credentials: "same-origin", cache: "no-store",
					headers: { "Accept-Language": window.CB_I18N.lang || "en" } }).then(function (r) {
					if (r.ok) return r.blob();
					return r.json().then(function (j) { throw new CB.ApiError(r.status, j.error, j.detail); },
						function () { throw new CB.ApiError(r.status, "http_" + r.status, ""); });
				}).then(function (b) { save(b, "casebank-report." + fmt); }, function (e) { err.textContent = CB.errorText(e); });
			}
			var addBtn = el("button#add-condition", { type: "button", onclick: function () { add().node.querySelector("select").focus(); } },
				t("report_cond_add"));
			where.addEventListener("input", later);
			add();
			check();
			CB.render(t("report_title"), [el("p", t("report_text")),
				el("form.card#report-form", { novalidate: true, onsubmit: function (ev) { ev.preventDefault(); check(); } },
					el("fieldset", el("legend", t("report_filter_legend")), list, addBtn),
					el("div.field", el("label", { for: "report-where" }, t("report_where")), where,
						el("p.hint#report-where-hint", t("report_where_hint"), " ",
							el("code", { dir: "ltr" }, 'year >= 2020 and gender = "Feminine"'))),
					status, err),
				links]);
		}, CB.showError);
	}

	var readers = ["manager", "analyst"];
	CB.routes.push({ re: /^#\/stats$/, roles: readers, view: statsView },
		{ re: /^#\/report$/, roles: readers, view: reportView });
})();

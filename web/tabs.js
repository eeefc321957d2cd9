/*
 * tabs.js -- accessible tabs (WAI-ARIA tabs pattern: a tablist of buttons, one panel shown, arrow keys,
 * Home and End move between tabs).  The case page uses them so that a case is a few screens, not one long
 * column.
 */
"use strict";
(function () {
	var CB = window.CB, el = CB.el;

	// CB.tabs(label, [{id, title, panel (a node)}], selectedId, onselect(id)) -> the widget's node.
	CB.tabs = function (label, tabs, selected, onselect) {
		if (!tabs.some(function (x) { return x.id === selected; })) selected = tabs[0].id;
		var buttons = [];
		var list = el("div.tablist", { role: "tablist", "aria-label": label });
		var panels = tabs.map(function (x, i) {
			var on = x.id === selected;
			var b = el("button.tab", { type: "button", role: "tab", id: "tab-" + x.id, "aria-controls": "panel-" + x.id,
				"aria-selected": on ? "true" : "false", tabindex: on ? "0" : "-1" }, x.title);
			b.addEventListener("click", function () { show(i, false); });
			b.addEventListener("keydown", function (ev) {
				var k = ev.key, n = tabs.length, to = -1;
				if (k === "ArrowRight" || k === "ArrowLeft") {
					var step = (k === "ArrowRight") !== (document.documentElement.dir === "rtl") ? 1 : -1;
					to = (i + step + n) % n;
				} else if (k === "Home") to = 0;
				else if (k === "End") to = n - 1;
				if (to >= 0) { ev.preventDefault(); show(to, true); }
			});
			buttons.push(b);
			list.appendChild(b);
			return el("div.tabpanel", { role: "tabpanel", id: "panel-" + x.id, "aria-labelledby": "tab-" + x.id,
				tabindex: "0", hidden: !on }, x.panel);
		});
		function show(i, focus) {
			buttons.forEach(function (b, j) {
				b.setAttribute("aria-selected", i === j ? "true" : "false");
				b.setAttribute("tabindex", i === j ? "0" : "-1");
				panels[j].hidden = i !== j;
			});
			if (focus) buttons[i].focus();
			if (onselect) onselect(tabs[i].id);
		}
		return el("div.tabs", list, panels);
	};
})();

/*
 * i18n.js -- the web interface's language: the strings of web/strings.js (English, the keys CB.t() takes)
 * replaced by their translations from GET /api/strings, the page's lang and dir (Arabic reads right to left),
 * and the language menu in the header.
 *
 * One catalogue a language lives on the server (po/LL.po, msgctxt "web": the English text is the msgid), so
 * a translation is kept in one place for the command line, the codebook, the reports and these pages.  The
 * language is the one the user chose (GET /api/me's "lang", stored with her account), else her browser's
 * (the server reads Accept-Language).  Every API call then asks for it (Accept-Language), so that labels and
 * messages from the server come in the same language; download links carry it as ?lang=.  The choice is
 * kept in memory and on the server only: nothing is written to the browser's storage.
 */
"use strict";
(function () {
	var S = window.CB_STRINGS;
	var EN = {};
	Object.keys(S).forEach(function (k) { EN[k] = S[k]; });

	var I = window.CB_I18N = {
		lang: "",        // the language shown ("" until the server said which)
		dir: "ltr",
		languages: [],   // [{code, name, dir}] from the server
		onchange: null   // called after a switch (app.js redraws the page)
	};

	// Replaces every string by its translation (or its English), and marks up the document.
	function apply(doc) {
		var tr = doc.strings || {};
		Object.keys(EN).forEach(function (k) {
			var t = tr[EN[k]];
			S[k] = typeof t === "string" && t ? t : EN[k];
		});
		S.lang = doc.lang;
		I.lang = doc.lang;
		I.dir = doc.dir === "rtl" ? "rtl" : "ltr";
		I.languages = doc.languages || [];
		document.documentElement.lang = doc.lang;
		document.documentElement.dir = I.dir;
	}

	// Loads a language (a code, or "" for the browser's preference) and applies it.
	I.load = function (lang) {
		var url = "/api/strings" + (lang ? "?lang=" + encodeURIComponent(lang) : "");
		return fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
			.then(function (r) { return r.ok ? r.json() : Promise.reject(new Error("strings " + r.status)); })
			.then(apply, function () { /* the page stays in English */ });
	};

	// The query parameter a download link carries ("&lang=fr"), so the file is in the page's language.
	I.param = function (sep) { return I.lang ? (sep || "&") + "lang=" + encodeURIComponent(I.lang) : ""; };

	// The language menu: a labelled <select> in the header.  save(code) stores the choice (signed in).
	I.menu = function (save) {
		var holder = document.getElementById("lang");
		if (!holder) return;
		while (holder.firstChild) holder.removeChild(holder.firstChild);
		if (I.languages.length < 2) return;
		var id = "lang-select";
		var label = document.createElement("label");
		label.setAttribute("for", id);
		label.className = "visually-hidden";
		label.textContent = S.language_label || EN.language_label;
		var sel = document.createElement("select");
		sel.id = id;
		I.languages.forEach(function (l) {
			var o = document.createElement("option");
			o.value = l.code;
			o.textContent = l.name;
			o.lang = l.code; // each name is read in its own language
			o.dir = l.dir;
			if (l.code === I.lang) o.selected = true;
			sel.appendChild(o);
		});
		sel.addEventListener("change", function () {
			var code = sel.value;
			Promise.resolve(save ? save(code) : null).then(function () { return I.load(code); }).then(function () {
				if (I.onchange) I.onchange();
			});
		});
		holder.appendChild(label);
		holder.appendChild(sel);
	};
})();

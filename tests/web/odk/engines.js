/*
 * engines.js -- the ODK form engines the browser tests fill forms in, as a phone or a browser would:
 *   ODK Web Forms (@getodk/web-forms, the Vue component) on the XForm as served, and
 *   Enketo (enketo-core) on the HTML and model that enketo-transformer makes of the XForm here in Node
 *   (its XSLT through libxslt), which is what an Enketo server does before a phone gets the form.
 * Both are bundled once with esbuild and served to Chromium from memory under https://engines.test/, so the
 * tests need no server of their own.  Each engine's page exposes a small window.cb* object (odk/*-entry.js).
 */
"use strict";
const path = require("node:path");
const esbuild = require("esbuild");
const { transform } = require("enketo-transformer");

// https: a secure context, which Web Forms needs for crypto.randomUUID (the instanceID); served by route()
const ORIGIN = "https://engines.test";
let bundles = null;

async function build() {
	if (bundles) return bundles;
	bundles = {};
	for (const e of ["enketo", "webforms"]) {
		const r = await esbuild.build({
			entryPoints: [path.join(__dirname, e + "-entry.js")], bundle: true, format: "esm", write: false,
			logLevel: "error", loader: { ".png": "dataurl", ".svg": "dataurl", ".woff": "dataurl", ".woff2": "dataurl",
				".ttf": "dataurl" } });
		bundles[e] = r.outputFiles[0].contents;
	}
	return bundles;
}

// Enketo's own stylesheet is Sass; these few rules give what the tests and a person looking at the
// screenshots need: non-relevant questions hidden, one question per block, labels above their inputs.
const ENKETO_CSS = `body{font:16px sans-serif;margin:0;padding:8px}.or-branch.disabled{display:none}
.question{display:block;margin:0 0 14px;border-bottom:1px solid #ddd;padding-bottom:8px}
.question-label{display:block;font-weight:bold}.option-wrapper label{display:block}
.or-constraint-msg,.or-required-msg{display:none;color:#b00}.invalid-constraint .or-constraint-msg,
.invalid-required .or-required-msg{display:block}.or-hint{display:block;color:#555}
input[type=text],input[type=number],input[type=date],textarea{width:100%;box-sizing:border-box}`;

function pageHtml(engine) {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${engine}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
${engine === "enketo" ? `<style>${ENKETO_CSS}</style>` : ""}</head>
<body><main id="host"></main><script type="module" src="/${engine}.js"></script></body></html>`;
}

// A page of the given engine ("enketo" or "webforms"), ready when its window.cb* object is there.
async function enginePage(context, engine) {
	const b = await build();
	const page = await context.newPage();
	await page.route(ORIGIN + "/**", (route) => {
		const url = new URL(route.request().url());
		if (url.pathname === "/") return route.fulfill({ contentType: "text/html", body: pageHtml(engine) });
		if (url.pathname === "/" + engine + ".js") return route.fulfill({ contentType: "text/javascript", body: Buffer.from(b[engine]) });
		return route.fulfill({ status: 404, body: "" });
	});
	await page.goto(ORIGIN + "/");
	await page.waitForFunction((e) => !!window[e === "enketo" ? "cbEnketo" : "cbWebForms"], engine);
	return page;
}

// enketo-transformer in Node: the XForm as Enketo's HTML form and XML model.
async function enketoTransform(xform) {
	const r = await transform({ xform });
	return { form: r.form, model: r.model };
}

module.exports = { build, enginePage, enketoTransform };

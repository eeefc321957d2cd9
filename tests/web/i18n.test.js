/*
 * i18n.test.js -- browser tests of the languages and of the statistics pages (web/i18n.js, web/stats.js):
 * Debian's headless Chromium, driven by playwright-core, against the real server (`casebank serve`) on
 * 127.0.0.1 with a fresh demo database of its own.
 *
 *   - the report page: "Download CSV" gives the report (it answered 400), a filter built from menus, and a
 *     wrong filter explained in words on the page (never a tab of raw JSON);
 *   - messages name fields by their label and say what to do, in the user's language;
 *   - a table downloads as shown: wide, with labels, not codes;
 *   - Arabic: dir="rtl", translated labels, the choice kept with the user; the browser's language by default;
 *   - axe-core finds no violation on the report and table pages, in English and Arabic;
 *   - screenshots of those pages at 1280 px and 390 px, in English and Arabic, in build/test-logs/web/.
 *
 *   node --test tests/web/        (CASEBANK_BIN names the binary; ./casebank by default)
 */
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { start, DESKTOP, PHONE, PASSWORD } = require("./harness.js");

let h;

before(async () => {
	h = await start({ name: "web-i18n", cases: 1500, release: true, context: { locale: "en-GB" },
		users: [["admin1", "admin"], ["analyst1", "analyst"], ["analyst2", "analyst"], ["worker1", "caseworker", 0]] });
});

after(async () => {
	if (!h) return;
	await h.stop();
	assert.deepEqual(h.problems, []);
});

// axe-core on the page (WCAG 2.1 AA rules): fails with what it found.
async function axe(page, what) {
	assert.deepEqual(await h.axe(page), [], what + ": axe-core violations");
}

/* ---- defect 2: the report page ---- */

test("the report page builds a filter from menus, downloads CSV, and explains a wrong filter in words", async () => {
	const page = await h.login("analyst1");
	await page.goto(h.base + "/#/report");
	await page.waitForSelector("#cond-field-1");
	// the builder writes the expression: field, comparison and value from menus
	await page.selectOption("#cond-field-1", "gender");
	await page.selectOption("#cond-op-1", "=");
	await page.selectOption("#cond-value-1", "Feminine");
	await page.click("#add-condition");
	await page.selectOption("#cond-field-2", "year");
	await page.selectOption("#cond-op-2", ">=");
	await page.fill("#cond-value-2", "2018");
	await page.waitForFunction(() => document.querySelector("#report-where").value === 'gender = "Feminine" and year >= 2018');
	await page.waitForSelector("#report-csv:not([disabled])");
	assert.match(await page.textContent("#report-check"), /The filter is valid/);
	// CSV: the report's every table, codes beside labels (it answered 400 "expected html or xlsx")
	const csv = await h.download(page, "#report-csv");
	assert.equal(csv.name, "casebank-report.csv");
	const text = csv.bytes.toString("utf8");
	assert.match(text, /^table,factor,value,label,year_group,count\r?\n/);
	assert.match(text, /\nSex,gender,Feminine,Feminine,/);
	assert.doesNotMatch(text, /\nSex,gender,Masculine,Masculine,[^,]*,[1-9]/); // the filter: women only
	const xlsx = await h.download(page, "#report-xlsx");
	assert.equal(xlsx.bytes.subarray(0, 2).toString(), "PK");
	assert.match(await page.getAttribute("#report-html", "href"), /format=html&where=gender%20%3D%20%22Feminine%22/);
	// a filter typed by hand with a mistake: the server's message in words, on the page; no download offered
	await page.fill("#report-where", "gender = Martian");
	await page.waitForSelector("#report-error:not(:empty)");
	const err = await page.textContent("#report-error");
	assert.match(err, /The filter cannot be used: .*'Martian' is not a value of gender/);
	assert.doesNotMatch(err, /[{}]|"error"/); // not raw JSON
	assert.equal(await page.getAttribute("#report-csv", "disabled"), "");
	assert.equal(await page.getAttribute("#report-html", "href"), null); // nothing to open
	assert.equal(await page.getAttribute("#report-html", "aria-disabled"), "true");
	assert.equal(page.context().pages().length, 1); // no tab was opened
	await page.context().close();
});

/* ---- defect 7: messages name the field by its label and say what to do ---- */

test("messages name fields by their label and say what to do, in the user's language", async () => {
	const page = await h.login("worker1");
	// what the pages show for the server's refusals (CB.errorText of the answer)
	const say = (method, p, body) => page.evaluate(([m, u, b]) =>
		window.CB.api(m, u, b).then(() => "accepted", (e) => window.CB.errorText(e)), [method, p, body]);
	// every field registering needs, at once (the codebook's CB_F_REGISTER)
	assert.equal(await say("POST", "/api/cases", { site: h.site }),
		"Registered on, Gender, Citizenship, Type of exploitation, Consents to use in statistics are required");
	const date = await say("POST", "/api/cases", { site: h.site, registered_on: "2021-03-04", birth_date: "31/05/1990" });
	assert.match(date, /^Date of birth must be a date like 1990-05-31/);
	assert.doesNotMatch(date, /birth_date|YYYY|31\/05/);
	await page.context().close();
	const admin = await h.login("admin1");
	const adminSay = (body) => admin.evaluate((b) =>
		window.CB.api("POST", "/api/users", b).then(() => "accepted", (e) => window.CB.errorText(e)), body);
	const office = await adminSay({ name: "newworker", role: "caseworker", password: PASSWORD });
	assert.match(office, /^Office is required for a caseworker/);
	assert.doesNotMatch(office, /--site|site:/);
	const short = await adminSay({ name: "newanalyst", role: "analyst", password: "12345" });
	assert.match(short, /The password must have 10 to 1024 characters/);
	assert.doesNotMatch(short, /bytes|password:/);
	// the same in French, once she chose it
	await admin.selectOption("#lang-select", "fr");
	await admin.waitForFunction(() => document.documentElement.lang === "fr");
	assert.match(await adminSay({ name: "newanalyst", role: "analyst", password: "12345" }),
		/Le mot de passe doit comporter de 10 à 1024 caractères/);
	await admin.selectOption("#lang-select", "en");
	await admin.waitForFunction(() => document.documentElement.lang === "en");
	await admin.context().close();
});

/* ---- defect 13: a table downloads as shown ---- */

test("a table downloads in the layout shown, with labels, not codes", async () => {
	const page = await h.login("analyst1");
	await page.goto(h.base + "/#/stats");
	await page.waitForSelector("#dim-1");
	await page.selectOption("#dim-1", "gender");
	await page.selectOption("#dim-2", "majority");
	await page.click("#show-table");
	await page.waitForSelector("#stats-table");
	const shown = await page.$$eval("#stats-table tr", (rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent)));
	const csv = await h.download(page, "#dl-csv");
	assert.equal(csv.name, "casebank-table.csv");
	const lines = csv.bytes.toString("utf8").replace(/^\ufeff/, "").split(/\r\n/);
	// wide: the header row is the screen's, a column a value of the second dimension
	assert.equal(lines[0], shown[0].join(","));
	assert.match(lines[0], /^Gender,Minor,Adult,.*Total$/);
	assert.equal(lines[1], shown[1].join(","));
	assert.equal(lines.length >= shown.length, true);
	const all = lines.join("\n");
	assert.match(all, /Not specified\/unknown/); // labels...
	assert.doesNotMatch(all, /NonSpecifiedUnknown|,minor,|,adult,/); // ...never codes
	assert.match(all, /Estimates from the differentially private releases/); // the notes under the table
	const xlsx = await h.download(page, "#dl-xlsx");
	const sheet = xlsx.bytes.toString("utf8");
	assert.match(sheet, /<t>Gender<\/t><\/is><\/c><c r="B1" t="inlineStr"><is><t>Minor<\/t>/);
	assert.doesNotMatch(sheet, /NonSpecifiedUnknown/);
	await page.context().close();
});

/* ---- Arabic, right to left; the browser's language by default ---- */

test("Arabic: the page reads right to left, labels are translated, and the choice stays with the user", async () => {
	const page = await h.login("analyst2");
	assert.equal(await page.getAttribute("html", "dir"), "ltr");
	await page.selectOption("#lang-select", "ar");
	await page.waitForFunction(() => document.documentElement.dir === "rtl");
	assert.equal(await page.getAttribute("html", "lang"), "ar");
	assert.match(await page.textContent("#nav"), /الجداول/); // Tables
	assert.match(await page.textContent("#nav"), /تسجيل الخروج/); // Sign out
	await page.goto(h.base + "/#/stats");
	await page.waitForSelector("#dim-1 option[value=gender]", { state: "attached" });
	assert.equal(await page.textContent("#dim-1 option[value=gender]"), "النوع الاجتماعي"); // Gender, from the codebook
	await page.selectOption("#dim-1", "gender");
	await page.click("#show-table");
	await page.waitForSelector("#stats-table");
	assert.equal(await page.textContent("#stats-table thead th"), "النوع الاجتماعي");
	assert.match(await page.textContent("#stats-table tbody"), /أنثى/); // Feminine
	// the table's first column sits on the right in a right-to-left page
	const [first, last] = await page.$$eval("#stats-table thead th", (th) => [th[0].getBoundingClientRect().x,
		th[th.length - 1].getBoundingClientRect().x]);
	assert.ok(first > last, "first column right of the last: " + first + " " + last);
	// kept with the user: another browser, whose own language is Spanish, shows her Arabic after sign-in
	await page.context().close();
	const again = await h.login("analyst2", { locale: "es-ES" });
	await again.waitForFunction(() => document.documentElement.lang === "ar");
	assert.equal(await again.getAttribute("html", "dir"), "rtl");
	await again.selectOption("#lang-select", "en");
	await again.waitForFunction(() => document.documentElement.lang === "en");
	await again.context().close();
	// before anyone signs in, the browser's language decides
	const fr = await h.newPage({ locale: "fr-FR" });
	await fr.goto(h.base + "/");
	await fr.waitForSelector("#login-form");
	assert.equal(await fr.textContent("h1"), "Se connecter");
	assert.equal(await fr.getAttribute("html", "lang"), "fr");
	await fr.context().close();
});

/* ---- accessibility and screenshots of the statistics pages, in English and Arabic ---- */

test("axe-core finds no violation on the report and table pages, in English and in Arabic; screenshots", async () => {
	for (const lang of ["en", "ar"]) {
		for (const vp of [DESKTOP, PHONE]) {
			const page = await h.login("analyst1", vp);
			const tag = lang + "-" + vp.width;
			if (lang !== "en") {
				await page.selectOption("#lang-select", lang);
				await page.waitForFunction((l) => document.documentElement.lang === l, lang);
			}
			await page.goto(h.base + "/#/report");
			await page.waitForSelector("#cond-field-1");
			await page.selectOption("#cond-field-1", "gender");
			await page.waitForSelector("#report-csv:not([disabled])");
			await h.shot(page, "report-" + tag);
			if (vp === DESKTOP) await axe(page, "report page, " + lang);
			await page.goto(h.base + "/#/stats");
			await page.waitForSelector("#dim-1");
			await page.selectOption("#dim-1", "gender");
			await page.selectOption("#dim-2", "age_group");
			await page.click("#show-table");
			await page.waitForSelector("#stats-table");
			await page.evaluate(() => document.querySelector("#table-title").scrollIntoView());
			await h.shot(page, "table-" + tag);
			if (vp === DESKTOP) await axe(page, "table page, " + lang);
			if (lang !== "en") {
				await page.selectOption("#lang-select", "en");
				await page.waitForFunction(() => document.documentElement.lang === "en");
			}
			await page.context().close();
		}
	}
});

/* ---- right to left on a phone: stacked tables hide their column names where they stand ---- */

test("Arabic at 390 px: the case list's hidden column names stay inside the page; nothing scrolls sideways", async () => {
	const page = await h.login("worker1", PHONE);
	await page.selectOption("#lang-select", "ar");
	await page.waitForFunction(() => document.documentElement.dir === "rtl");
	await page.goto(h.base + "/#/cases");
	await page.waitForSelector("#case-table tbody tr");
	const at = await page.$eval("#case-table thead", (t) => {
		const r = t.getBoundingClientRect();
		return { left: r.left, right: r.right, width: innerWidth, scroll: document.scrollingElement.scrollWidth,
			client: document.scrollingElement.clientWidth, names: t.textContent.length };
	});
	assert.ok(at.left >= 0 && at.right <= at.width, "the column names inside the viewport: " + JSON.stringify(at));
	assert.ok(at.scroll <= at.client, "no sideways scrolling: " + JSON.stringify(at));
	assert.ok(at.names > 0, "the column names are still there for screen readers");
	await h.shot(page, "cases-ar-390");
	await page.selectOption("#lang-select", "en");
	await page.waitForFunction(() => document.documentElement.lang === "en");
	await page.context().close();
});

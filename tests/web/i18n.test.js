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
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const net = require("node:net");
const path = require("node:path");
const { chromium } = require("playwright-core");

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.resolve(ROOT, process.env.CASEBANK_BIN || "casebank");
const SHOTS = path.join(ROOT, "build", "test-logs", "web");
const AXE = require.resolve("axe-core/axe.min.js");
const PASSWORD = "correct horse battery staple";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync"];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let dir, db, server, serverLog = "", base, browser, site;
const problems = []; // CSP violations and script errors seen on any page

function cli(args, input) {
	return execFileSync(BIN, args, { input: input || "", encoding: "utf8", cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
}

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on("error", reject);
		s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
	});
}

before(async () => {
	fs.mkdirSync(SHOTS, { recursive: true });
	dir = fs.mkdtempSync(path.join(os.tmpdir(), "casebank-i18n-"));
	db = path.join(dir, "i18n.db");
	cli(["init", db]);
	cli(["demo", db, "--cases", "1500", "--seed", "11"]);
	cli(["release", db]);
	site = cli(["list", db]).split("\n")[1].trim().split(/\s+/)[1];
	cli(["user", "add", db, "admin1", "--role", "admin"], PASSWORD + "\n");
	cli(["user", "add", db, "analyst1", "--role", "analyst"], PASSWORD + "\n");
	cli(["user", "add", db, "analyst2", "--role", "analyst"], PASSWORD + "\n");
	cli(["user", "add", db, "worker1", "--role", "caseworker", "--site", site], PASSWORD + "\n");
	const port = await freePort();
	base = "http://127.0.0.1:" + port;
	server = spawn(BIN, ["serve", db, "--listen", "127.0.0.1:" + port], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
	server.stdout.on("data", (d) => { serverLog += d; });
	server.stderr.on("data", (d) => { serverLog += d; });
	for (let i = 0; ; i++) {
		try { if ((await fetch(base + "/")).status === 200) break; } catch (e) { /* not up yet */ }
		if (server.exitCode !== null || i > 100) throw new Error("server did not start: " + serverLog);
		await new Promise((r) => setTimeout(r, 100));
	}
	browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

after(async () => {
	if (browser) await browser.close();
	if (server && server.exitCode === null) {
		server.kill("SIGTERM");
		await new Promise((r) => { server.once("exit", r); setTimeout(r, 3000); });
	}
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
	assert.deepEqual(problems, []);
});

// opts: viewport, locale (the browser's language, sent as Accept-Language), bypassCSP (to inject axe-core)
async function newPage(opts) {
	opts = opts || {};
	const ctx = await browser.newContext({ viewport: opts.viewport || DESKTOP, acceptDownloads: true,
		locale: opts.locale || "en-GB", bypassCSP: !!opts.bypassCSP });
	const page = await ctx.newPage();
	page.on("console", (m) => {
		if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
	});
	page.on("pageerror", (e) => problems.push("page error: " + e.message));
	return page;
}

async function login(name, opts) {
	const page = await newPage(opts);
	await page.goto(base + "/");
	await page.fill("#login-user", name);
	await page.fill("#login-password", PASSWORD);
	await page.click("#login-form button[type=submit]");
	await page.waitForSelector("#logout");
	return page;
}

async function shot(page, name) {
	await page.screenshot({ path: path.join(SHOTS, name + ".png"), fullPage: page.viewportSize().width > PHONE.width });
}

// Runs axe-core on the page (WCAG 2.1 AA rules) and fails with what it found.
async function axe(page, what) {
	await page.addScriptTag({ path: AXE });
	const found = await page.evaluate(() => window.axe.run(document, {
		runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }
	}).then((r) => r.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", "))));
	assert.deepEqual(found, [], what + ": axe-core violations");
}

async function download(page, click) {
	const [dl] = await Promise.all([page.waitForEvent("download"), page.click(click)]);
	return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) };
}

/* ---- defect 2: the report page ---- */

test("the report page builds a filter from menus, downloads CSV, and explains a wrong filter in words", async () => {
	const page = await login("analyst1");
	await page.goto(base + "/#/report");
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
	const csv = await download(page, "#report-csv");
	assert.equal(csv.name, "casebank-report.csv");
	const text = csv.bytes.toString("utf8");
	assert.match(text, /^table,factor,value,label,year_group,count\r?\n/);
	assert.match(text, /\nSex,gender,Feminine,Feminine,/);
	assert.doesNotMatch(text, /\nSex,gender,Masculine,Masculine,[^,]*,[1-9]/); // the filter: women only
	const xlsx = await download(page, "#report-xlsx");
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
	const page = await login("worker1");
	// what the pages show for the server's refusals (CB.errorText of the answer)
	const say = (method, p, body) => page.evaluate(([m, u, b]) =>
		window.CB.api(m, u, b).then(() => "accepted", (e) => window.CB.errorText(e)), [method, p, body]);
	// every field registering needs, at once (the codebook's CB_F_REGISTER)
	assert.equal(await say("POST", "/api/cases", { site: site }),
		"Registered on, Gender, Citizenship, Type of exploitation, Consents to use in statistics are required");
	const date = await say("POST", "/api/cases", { site: site, registered_on: "2021-03-04", birth_date: "31/05/1990" });
	assert.match(date, /^Date of birth must be a date like 1990-05-31/);
	assert.doesNotMatch(date, /birth_date|YYYY|31\/05/);
	await page.context().close();
	const admin = await login("admin1");
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
	const page = await login("analyst1");
	await page.goto(base + "/#/stats");
	await page.waitForSelector("#dim-1");
	await page.selectOption("#dim-1", "gender");
	await page.selectOption("#dim-2", "majority");
	await page.click("#show-table");
	await page.waitForSelector("#stats-table");
	const shown = await page.$$eval("#stats-table tr", (rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent)));
	const csv = await download(page, "#dl-csv");
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
	const xlsx = await download(page, "#dl-xlsx");
	const sheet = xlsx.bytes.toString("utf8");
	assert.match(sheet, /<t>Gender<\/t><\/is><\/c><c r="B1" t="inlineStr"><is><t>Minor<\/t>/);
	assert.doesNotMatch(sheet, /NonSpecifiedUnknown/);
	await page.context().close();
});

/* ---- Arabic, right to left; the browser's language by default ---- */

test("Arabic: the page reads right to left, labels are translated, and the choice stays with the user", async () => {
	const page = await login("analyst2");
	assert.equal(await page.getAttribute("html", "dir"), "ltr");
	await page.selectOption("#lang-select", "ar");
	await page.waitForFunction(() => document.documentElement.dir === "rtl");
	assert.equal(await page.getAttribute("html", "lang"), "ar");
	assert.match(await page.textContent("#nav"), /الجداول/); // Tables
	assert.match(await page.textContent("#nav"), /تسجيل الخروج/); // Sign out
	await page.goto(base + "/#/stats");
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
	const again = await login("analyst2", { locale: "es-ES" });
	await again.waitForFunction(() => document.documentElement.lang === "ar");
	assert.equal(await again.getAttribute("html", "dir"), "rtl");
	await again.selectOption("#lang-select", "en");
	await again.waitForFunction(() => document.documentElement.lang === "en");
	await again.context().close();
	// before anyone signs in, the browser's language decides
	const fr = await newPage({ locale: "fr-FR" });
	await fr.goto(base + "/");
	await fr.waitForSelector("#login-form");
	assert.equal(await fr.textContent("h1"), "Se connecter");
	assert.equal(await fr.getAttribute("html", "lang"), "fr");
	await fr.context().close();
});

/* ---- accessibility and screenshots of the statistics pages, in English and Arabic ---- */

test("axe-core finds no violation on the report and table pages, in English and in Arabic; screenshots", async () => {
	for (const lang of ["en", "ar"]) {
		for (const vp of [DESKTOP, PHONE]) {
			const page = await login("analyst1", { viewport: vp, bypassCSP: true });
			const tag = lang + "-" + vp.width;
			if (lang !== "en") {
				await page.selectOption("#lang-select", lang);
				await page.waitForFunction((l) => document.documentElement.lang === l, lang);
			}
			await page.goto(base + "/#/report");
			await page.waitForSelector("#cond-field-1");
			await page.selectOption("#cond-field-1", "gender");
			await page.waitForSelector("#report-csv:not([disabled])");
			await shot(page, "report-" + tag);
			if (vp === DESKTOP) await axe(page, "report page, " + lang);
			await page.goto(base + "/#/stats");
			await page.waitForSelector("#dim-1");
			await page.selectOption("#dim-1", "gender");
			await page.selectOption("#dim-2", "age_group");
			await page.click("#show-table");
			await page.waitForSelector("#stats-table");
			await page.evaluate(() => document.querySelector("#table-title").scrollIntoView());
			await shot(page, "table-" + tag);
			if (vp === DESKTOP) await axe(page, "table page, " + lang);
			if (lang !== "en") {
				await page.selectOption("#lang-select", "en");
				await page.waitForFunction(() => document.documentElement.lang === "en");
			}
			await page.context().close();
		}
	}
});

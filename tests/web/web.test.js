/*
 * web.test.js -- browser tests of the web interface: Debian's headless Chromium, driven by playwright-core,
 * against the real server (`casebank serve`) on 127.0.0.1 with an ephemeral port and a fresh demo database.
 * Screenshots go to build/test-logs/web/ at desktop width and at 360 px.
 *
 *   node --test tests/web/        (CASEBANK_BIN names the binary; ./casebank by default)
 */
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { start, DESKTOP, PASSWORD } = require("./harness.js");

const PHONE = { width: 360, height: 740 }; // the narrowest phones these pages are drawn for

let h;

before(async () => {
	// statistics come from the differentially private releases: one per year of registration
	h = await start({ name: "web", cases: 2000, seed: 7, release: true, users: [["admin1", "admin"],
		["manager1", "manager"], ["analyst1", "analyst"], ["worker1", "caseworker", 0]] });
});

after(async () => { if (h) await h.stop(); });

// Registers a case through the form and returns its id; more(page), if given, fills further fields.
async function register(page, first, more) {
	await page.goto(h.base + "/#/cases/new");
	await page.waitForSelector("#case-form");
	await page.selectOption("#fld-gender", "Feminine");
	await page.fill("#fld-birth_year", "1994");
	await page.selectOption("#fld-citizenship", "MD");
	await page.check("#fld-exploitation_type input[value=SexualExploitation]");
	await page.selectOption("#fld-consent_statistics", "true");
	await page.fill("#fld-first_name", first);
	await page.fill("#fld-last_name", "Testescu");
	if (more) await more(page);
	await page.click("#save");
	await page.waitForURL(/#\/cases\/[A-Z0-9]{26}$/);
	await page.waitForSelector("#case-summary");
	return page.url().split("/").pop();
}

// The case page shows one part at a time (tabs.js): opens one.
async function openTab(page, tab) {
	await page.waitForSelector("#tab-" + tab);
	await page.click("#tab-" + tab);
	await page.waitForSelector("#panel-" + tab + ":not([hidden])");
}

test("the workbook made from the server's CSV takes off the ' put before would-be formulas, by the server's rule", async () => {
	const page = await h.newPage();
	await page.goto(h.base + "/");
	await page.waitForSelector("#login-form");
	const cells = await page.evaluate(() => CB.parseCsv("'=x,'-3,\"'@y\",''+z,'abc,-1.5\n"));
	assert.deepEqual(cells, [["=x", "'-3", "@y", "'+z", "'abc", "-1.5"]]);
	await page.context().close();
});

test("the login page is labelled, keyboard usable and refuses a wrong password", async () => {
	const page = await h.newPage();
	await page.goto(h.base + "/");
	await page.waitForSelector("#login-form");
	// every input has a label
	const unlabelled = await page.$$eval("input", (els) => els.filter((e) => !e.labels || !e.labels.length).length);
	assert.equal(unlabelled, 0);
	await h.shot(page, "login-desktop");
	await page.setViewportSize(PHONE);
	await h.shot(page, "login-360");
	// keyboard only
	await page.focus("#login-user");
	await page.keyboard.type("worker1");
	await page.keyboard.press("Tab");
	await page.keyboard.type("not the password");
	await page.keyboard.press("Enter");
	await page.waitForSelector("#login-error:not(:empty)");
	assert.match(await page.textContent("#login-error"), /Wrong user name or password/);
	assert.equal(await page.$("#logout"), null);
	await page.context().close();
});

test("each role signs in and lands on its own page", async () => {
	const homes = { worker1: ["#/home", "#home-overdue"], manager1: ["#/home", "#home-overdue"],
		analyst1: ["#/stats", "#stats-form"], admin1: ["#/users", "#users-table"] };
	for (const [name, [hash, sel]] of Object.entries(homes)) {
		const page = await h.login(name);
		await page.waitForSelector(sel);
		assert.equal(new URL(page.url()).hash, hash, name);
		assert.match(await page.textContent("#who"), new RegExp(name));
		await h.shot(page, "home-" + name + "-desktop");
		await page.setViewportSize(PHONE);
		await h.shot(page, "home-" + name + "-360");
		// no horizontal scrolling of the page itself at 360 px (wide tables scroll in their own box)
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert.ok(overflow <= 1, name + " page is " + overflow + " px too wide at 360 px");
		await page.click("#logout");
		await page.waitForSelector("#login-form");
		await page.context().close();
	}
});

let caseId;

test("a caseworker registers a case, with client and server validation", async () => {
	const page = await h.login("worker1");
	await page.goto(h.base + "/#/cases/new");
	await page.waitForSelector("#case-form");
	// grouped as the two interviews, identifying details marked
	assert.match(await page.textContent("#sec-screening"), /Screening interview/);
	assert.match(await page.textContent("#sec-assistance"), /Assistance interview/);
	assert.ok(await page.$(".sensitive-section #fld-first_name"));
	assert.equal(await page.getAttribute("#fld-first_name", "autocomplete"), "off");
	assert.equal(await page.inputValue("#fld-site"), h.site);
	const unlabelled = await page.$$eval("#case-form input, #case-form select, #case-form textarea",
		(els) => els.filter((e) => !e.labels || !e.labels.length).length);
	assert.equal(unlabelled, 0);
	await h.shot(page, "register-desktop");
	// client side: out of range
	await page.fill("#fld-birth_year", "1800");
	await page.click("#save");
	await page.waitForSelector("#err-birth_year:not(:empty)");
	assert.match(await page.textContent("#err-birth_year"), /between 1900 and 2100/);
	assert.equal(await page.getAttribute("#fld-birth_year", "aria-invalid"), "true");
	assert.match(page.url(), /#\/cases\/new$/);
	// server side: a registration date in the future (the client does not check it); the detail sits by the field
	await page.fill("#fld-birth_year", "1994");
	await page.selectOption("#fld-gender", "Feminine");
	await page.selectOption("#fld-citizenship", "MD");
	await page.check("#fld-exploitation_type input[value=SexualExploitation]");
	await page.selectOption("#fld-consent_statistics", "true");
	const today = await page.inputValue("#fld-registered_on");
	await page.fill("#fld-registered_on", "2099-01-02");
	await page.click("#save");
	await page.waitForSelector("#err-registered_on:not(:empty)");
	const detail = await page.textContent("#err-registered_on");
	assert.match(detail, /future/);
	await page.setViewportSize(PHONE);
	await page.evaluate(() => document.querySelector("#fld-registered_on").scrollIntoView({ block: "center" }));
	await h.shot(page, "register-error-360");
	await page.setViewportSize(DESKTOP);
	await page.fill("#fld-registered_on", today);
	caseId = await register(page, "Ileana");
	await openTab(page, "identity");
	await page.waitForSelector("#identity");
	assert.match(await page.textContent("#identity"), /Ileana/);
	await h.shot(page, "case-view-desktop");
	await page.setViewportSize(PHONE);
	await h.shot(page, "case-view-360");
	// nothing identifying in storage or the URL
	const storage = await page.evaluate(() => localStorage.length + sessionStorage.length);
	assert.equal(storage, 0);
	assert.doesNotMatch(page.url(), /Ileana|Testescu/);
	await page.context().close();
});

test("a caseworker finds the case by id and status", async () => {
	assert.ok(caseId, "needs the registered case");
	const page = await h.login("worker1");
	await page.click("nav a[href='#/cases']");
	await page.waitForSelector("#search-q");
	await page.fill("#search-q", caseId.slice(0, 8).toLowerCase());
	await page.selectOption("#search-status", "Active");
	await page.click("#search-form button[type=submit]");
	await page.waitForSelector(`#case-table a[href="#/cases/${caseId}"]`);
	const rows = await page.$$eval("#case-table tbody tr", (r) => r.length);
	assert.ok(rows >= 1);
	await page.selectOption("#search-status", "Closed");
	await page.click("#search-form button[type=submit]");
	await page.waitForFunction((id) => !document.querySelector(`#case-table a[href="#/cases/${id}"]`) &&
		!document.querySelector("#results .note"), caseId);
	await page.context().close();
});

test("a caseworker edits the case", async () => {
	const page = await h.login("worker1");
	await page.goto(h.base + "/#/cases/" + caseId + "/edit");
	await page.waitForSelector("#case-form");
	assert.equal(await page.inputValue("#fld-first_name"), "Ileana");
	await page.selectOption("#fld-identified_by", { index: 2 });
	const label = await page.$eval("#fld-identified_by", (s) => s.options[s.selectedIndex].textContent);
	await page.click("#save");
	await page.waitForURL(new RegExp("#/cases/" + caseId + "$"));
	await page.waitForSelector("dd[data-field=identified_by]");
	assert.equal(await page.textContent("dd[data-field=identified_by]"), label);
	await page.context().close();
});

test("a stale edit is refused and can be reloaded", async () => {
	const a = await h.login("worker1"), b = await h.login("worker1");
	for (const p of [a, b]) {
		await p.goto(h.base + "/#/cases/" + caseId + "/edit");
		await p.waitForSelector("#case-form");
	}
	await a.selectOption("#fld-citizenship", "UA");
	await a.click("#save");
	await a.waitForURL(new RegExp("#/cases/" + caseId + "$"));
	await b.fill("#fld-children", "2");
	await b.click("#save");
	await b.waitForSelector("#conflict");
	assert.match(await b.textContent("#conflict"), /saved this case/);
	await h.shot(b, "stale-edit-desktop");
	await b.setViewportSize(PHONE);
	await h.shot(b, "stale-edit-360");
	await b.click("#conflict-reload");
	await b.waitForFunction(() => !document.querySelector("#conflict"));
	assert.equal(await b.inputValue("#fld-citizenship"), "UA");
	await b.fill("#fld-children", "2");
	await b.click("#save");
	await b.waitForURL(new RegExp("#/cases/" + caseId + "$"));
	await b.waitForSelector("dd[data-field=children]");
	assert.equal(await b.textContent("dd[data-field=children]"), "2");
	await a.context().close();
	await b.context().close();
});

test("an analyst builds a protected table with a chart and downloads it", async () => {
	const page = await h.login("analyst1");
	await page.selectOption("#dim-1", "gender");
	await page.selectOption("#dim-2", "majority");
	await page.fill("#year-from", "2015");
	await page.click("#show-table");
	await page.waitForSelector("#stats-table");
	const head = await page.$$eval("#stats-table thead th", (t) => t.map((x) => x.textContent));
	assert.equal(head[0], "Gender");
	assert.ok(head.includes("Total"));
	assert.match(await page.textContent("#stats-out"), /year >= 2015/);
	// estimates from the releases of the years selected: nothing suppressed, and the rows add up to the total
	assert.match(await page.textContent("#stats-out"), /Estimates from the differentially private releases of 2015-2025/);
	assert.equal((await page.$$("#stats-table td.x")).length, 0);
	assert.equal(await page.$("#x-note"), null);
	const totals = await page.$$eval("#stats-table tbody tr", (rows) =>
		rows.map((r) => ({ total: r.classList.contains("total"), n: Number(r.lastElementChild.textContent) })));
	const grand = totals.filter((r) => r.total);
	assert.equal(grand.length, 1);
	assert.ok(grand[0].n > 500);
	assert.equal(totals.filter((r) => !r.total).reduce((a, r) => a + r.n, 0), grand[0].n);
	assert.ok(await page.$("#stats-chart svg rect.bar"));
	await h.shot(page, "table-desktop");
	// CSV and XLSX: the table as shown (wide, labels), then its notes (tests/web/i18n.test.js checks more)
	const csv = (await h.download(page, "#dl-csv")).bytes.toString("utf8");
	assert.match(csv, /^\ufeff?Gender,Minor,Adult,/);
	assert.match(csv, /^"?Estimates from the differentially private releases of 2015-2025/m);
	// XLSX: a zip with the workbook; the note is one cell, the table's header its own row
	const { bytes } = await h.download(page, "#dl-xlsx");
	assert.equal(bytes.subarray(0, 2).toString(), "PK");
	assert.ok(bytes.includes(Buffer.from("xl/worksheets/sheet1.xml")));
	const sheet = bytes.toString("utf8");
	assert.match(sheet, /<t>Estimates from the differentially private releases of 2015-2025[^<]*per person\.[^<]*<\/t>/);
	assert.match(sheet, /<t>Gender<\/t><\/is><\/c><c r="B1" t="inlineStr"><is><t>Minor<\/t>/);
	await page.setViewportSize(PHONE);
	await page.evaluate(() => document.querySelector("#table-title").scrollIntoView());
	await h.shot(page, "table-360");
	// the menus offer the released fields only (the API refuses the others: tests/http/test_api.c)
	await page.setViewportSize(DESKTOP);
	const offered = async (sel) => page.$$eval(sel + " option", (os) => os.map((o) => o.value));
	for (const sel of ["#dim-1", "#filter-1"]) {
		const names = await offered(sel);
		assert.ok(names.includes("gender") && names.includes("citizenship_region"), sel + ": " + names);
		assert.ok(!names.includes("site") && !names.includes("labour_sector"), sel + ": " + names);
	}
	await page.goto(h.base + "/#/report");
	await page.waitForSelector("#report-csv:not([disabled])"); /* downloads: tests/web/i18n.test.js */
	await page.context().close();
});

test("an analyst cannot open a case", async () => {
	const page = await h.login("analyst1");
	await page.goto(h.base + "/#/cases/" + caseId);
	await page.waitForSelector("h1");
	assert.match(await page.textContent("h1"), /Not available/);
	assert.doesNotMatch(await page.textContent("main"), /Ileana|Testescu/);
	assert.equal(await page.$("#identity"), null);
	// nor through the API directly
	const status = await page.evaluate((id) => fetch("/api/cases/" + id).then((r) => r.status), caseId);
	assert.ok(status === 403 || status === 404, "API answered " + status);
	await page.context().close();
});

test("a manager sees identifying details only after breaking the glass", async () => {
	const page = await h.login("manager1");
	await page.goto(h.base + "/#/cases/" + caseId);
	await openTab(page, "identity");
	await page.waitForSelector("#glass-form");
	assert.doesNotMatch(await page.textContent("main"), /Ileana/);
	await page.fill("#glass-reason", "short");
	await page.click("#glass-form button[type=submit]");
	await page.waitForSelector("#glass-err:not(:empty)");
	await page.fill("#glass-reason", "court order 2024/117 for the trial");
	await page.click("#glass-form button[type=submit]");
	await page.waitForSelector("#identity");
	assert.match(await page.textContent("#identity"), /Ileana/);
	await h.shot(page, "glass-desktop");
	await page.context().close();
});

test("an administrator adds and disables a user", async () => {
	const page = await h.login("admin1");
	await page.waitForSelector("#users-table");
	await page.fill("#user-name", "worker2");
	await page.selectOption("#user-role", "caseworker");
	await page.selectOption("#user-site", h.site);
	await page.fill("#user-password", PASSWORD);
	await page.click("#user-form button[type=submit]");
	await page.waitForSelector("#users-table th:text-is('worker2')");
	await page.click("button[data-user=worker2]");
	await page.waitForFunction(() => /Disabled/.test(
		[...document.querySelectorAll("#users-table tr")].find((r) => /worker2/.test(r.textContent)).textContent));
	await h.shot(page, "users-desktop");
	await page.context().close();
	// the disabled account cannot sign in
	const p2 = await h.newPage();
	await p2.goto(h.base + "/");
	await p2.fill("#login-user", "worker2");
	await p2.fill("#login-password", PASSWORD);
	await p2.click("#login-form button[type=submit]");
	await p2.waitForSelector("#login-error:not(:empty)");
	await p2.context().close();
});

/* ---- assistance, partners, referrals, workflow, dashboard (web/assist.js) ---- */

const SHELTER = "Casa Speranta Web";
let consentCase, noConsentCase;

function consent(yes) {
	return (page) => page.selectOption("#fld-consent_share_partners", yes ? "true" : "false");
}

// The value of the option whose text starts with `text` in a select.
async function optionValue(page, sel, text) {
	return page.$eval(sel, (s, x) => [...s.options].find((o) => o.textContent.startsWith(x)).value, text);
}

test("a manager adds a shelter to the partner directory and finds it by service", async () => {
	const page = await h.login("manager1");
	await page.click("nav a[href='#/partners']");
	await page.waitForSelector("#partner-form");
	const unlabelled = await page.$$eval("main input:not([type=checkbox]), main select, main textarea",
		(els) => els.filter((e) => !e.labels || !e.labels.length).length);
	assert.equal(unlabelled, 0);
	await page.click("#pa-save"); // nothing filled in: told what is missing
	await page.waitForSelector("#partner-error:not(:empty)");
	await page.fill("#pa-name", SHELTER);
	await page.selectOption("#pa-type", "NGO");
	await page.selectOption("#pa-country", "MD");
	await page.fill("#pa-city", "Chisinau");
	await page.fill("#pa-serves", "MD, RO");
	await page.fill("#pa-beds", "1");
	await page.check("#pa-services input[value=accommodation]");
	await page.check("#pa-services input[value=legal]");
	await page.click("#pa-save");
	await page.waitForSelector("#partner-table th:text-is('" + SHELTER + "')");
	await page.selectOption("#ps-service", "legal");
	await page.selectOption("#ps-country", "RO");
	await page.click("#partner-search button[type=submit]");
	await page.waitForSelector("#partner-table th:text-is('" + SHELTER + "')");
	await h.shot(page, "partners-desktop");
	await page.selectOption("#ps-service", "medical");
	await page.click("#partner-search button[type=submit]");
	await page.waitForSelector("#no-partners");
	await page.setViewportSize(PHONE);
	await h.shot(page, "partners-360");
	await page.context().close();
	// caseworkers search but do not add
	const w = await h.login("worker1");
	await w.goto(h.base + "/#/partners");
	await w.waitForSelector("#partner-table th:text-is('" + SHELTER + "')");
	assert.equal(await w.$("#partner-form"), null);
	assert.equal(await w.$("#partner-table button"), null); // nor change
	await w.context().close();
});

test("a manager changes a partner: the form is filled in, and the directory shows the change", async () => {
	const page = await h.login("manager1");
	await page.click("nav a[href='#/partners']");
	await page.waitForSelector("#partner-form");
	await page.fill("#pa-name", "Refugiul Nord");
	await page.selectOption("#pa-type", "NGO");
	await page.selectOption("#pa-country", "MD");
	await page.fill("#pa-city", "Balti");
	await page.fill("#pa-beds", "5");
	await page.check("#pa-services input[value=accommodation]");
	await page.click("#pa-save");
	await page.waitForSelector("#partner-table th:text-is('Refugiul Nord')");
	await page.click("#partner-table button[aria-label='Edit Refugiul Nord']");
	assert.equal(await page.inputValue("#pa-beds"), "5");
	assert.equal(await page.inputValue("#pa-city"), "Balti");
	assert.ok(await page.isChecked("#pa-services input[value=accommodation]"));
	assert.match(await page.textContent("#pa-heading"), /Change Refugiul Nord/);
	assert.ok(await page.isVisible("#pa-cancel"));
	await page.fill("#pa-beds", "12");
	await page.fill("#pa-city", "");
	await page.check("#pa-services input[value=medical]");
	await page.click("#pa-save");
	await page.waitForFunction(() => /changed/.test(document.body.textContent));
	await page.selectOption("#ps-service", "medical");
	await page.click("#partner-search button[type=submit]");
	await page.waitForSelector("#partner-table th:text-is('Refugiul Nord')");
	const row = await page.textContent("#partner-table tr:has(th:text-is('Refugiul Nord'))");
	assert.match(row, /0 of 12/);
	assert.doesNotMatch(row, /Balti/); // emptied, so cleared
	assert.match(await page.textContent("#pa-heading"), /Add a partner/); // the form is back to adding
	assert.ok(await page.isHidden("#pa-cancel"));
	await h.shot(page, "partner-edit-desktop");
	await page.context().close();
});

test("a caseworker registers a service on a case, and is warned when the shelter is full", async () => {
	const page = await h.login("worker1");
	consentCase = await register(page, "Dorina", consent(true));
	await openTab(page, "help");
	await page.waitForSelector("#assist-form");
	assert.match(await page.textContent("#stage-current"), /Screening/);
	await page.selectOption("#as-type", "accommodation");
	await page.selectOption("#as-provider", await optionValue(page, "#as-provider", SHELTER));
	await page.fill("#as-start", "2025-03-01");
	await page.selectOption("#as-status", "ongoing");
	await page.fill("#as-notes", "Dorina arrived with her son");
	await page.click("#as-save");
	await page.waitForSelector("#assist-table th:text-is('Accommodation (shelter)')");
	assert.match(await page.textContent("#assist-table"), new RegExp(SHELTER));
	assert.match(await page.textContent("#assist-table"), /Dorina arrived/); // the office's caseworker sees notes
	assert.ok(await page.$("#assist-warning[hidden]"));
	// a second placement on the same day: one bed, two people -- stored, with a warning
	await page.selectOption("#as-type", "accommodation");
	await page.selectOption("#as-provider", await optionValue(page, "#as-provider", SHELTER));
	await page.fill("#as-start", "2025-03-01");
	await page.selectOption("#as-status", "ongoing");
	await page.click("#as-save");
	await page.waitForSelector("#assist-warning:not([hidden])");
	assert.match(await page.textContent("#assist-warning"), /over capacity/);
	await page.waitForFunction(() => document.querySelectorAll("#assist-table tbody tr").length === 2);
	await page.evaluate(() => document.querySelector("#assist-section").scrollIntoView());
	await h.shot(page, "assistance-desktop");
	await page.setViewportSize(PHONE);
	await page.evaluate(() => document.querySelector("#assist-warning").scrollIntoView({ block: "center" }));
	await h.shot(page, "assistance-360");
	await page.context().close();
});

test("a caseworker refers a case with consent to a partner, who accepts", async () => {
	const page = await h.login("worker1");
	await page.goto(h.base + "/#/cases/" + consentCase);
	await openTab(page, "help");
	await page.waitForSelector("#refer-form");
	assert.ok(await page.isChecked("#ref-share"));
	assert.equal(await page.$("#ref-override"), null); // overriding consent is for managers
	await page.selectOption("#ref-to", await optionValue(page, "#ref-to", SHELTER));
	await page.selectOption("#ref-reason", "AdditionalServicesRequired");
	await page.fill("#ref-details", "Needs a lawyer for the hearing");
	await page.click("#ref-save");
	await page.waitForSelector("#refer-table th:text-is('" + SHELTER + "')");
	assert.match(await page.textContent("#refer-table"), /Pending/);
	assert.ok(await page.$("#ref-error[hidden]"));
	await page.click("#refer-table button:text-is('Accepted')");
	await page.waitForFunction(() => /Accepted/.test(document.querySelector("#refer-table tbody td:nth-child(4)").textContent));
	await page.evaluate(() => document.querySelector("#refer-section").scrollIntoView());
	await h.shot(page, "referral-desktop");
	await page.context().close();
});

test("a referral sharing details without consent is refused naming consent_share_partners; a manager overrides", async () => {
	const page = await h.login("worker1");
	noConsentCase = await register(page, "Marcela", consent(false));
	await openTab(page, "help");
	await page.waitForSelector("#refer-form");
	await page.selectOption("#ref-to", await optionValue(page, "#ref-to", SHELTER));
	await page.click("#ref-save");
	await page.waitForSelector("#ref-error:not([hidden])");
	const text = await page.textContent("#ref-error");
	assert.match(text, /not consented/);
	assert.match(text, /consent_share_partners/);
	assert.equal(await page.$("#refer-table"), null); // nothing stored
	await page.evaluate(() => document.querySelector("#ref-error").scrollIntoView({ block: "center" }));
	await h.shot(page, "referral-refused-desktop");
	await page.setViewportSize(PHONE);
	await page.evaluate(() => document.querySelector("#ref-error").scrollIntoView({ block: "center" }));
	await h.shot(page, "referral-refused-360");
	await page.setViewportSize(DESKTOP);
	// without the details it may go
	await page.uncheck("#ref-share");
	await page.click("#ref-save");
	await page.waitForSelector("#refer-table");
	assert.match(await page.textContent("#refer-table"), /No/);
	// a partner referring the person to us: their sharing, not ours, so no consent question
	await page.selectOption("#ref-dir", "in");
	assert.ok(await page.isHidden("#ref-share"));
	assert.equal(await page.textContent("#ref-save"), "Record the referral from the partner");
	await page.selectOption("#ref-to", await optionValue(page, "#ref-to", SHELTER));
	await page.click("#ref-save");
	await page.waitForFunction(() => document.querySelectorAll("#refer-table tbody tr").length === 2);
	const dirs = await page.$$eval("#refer-table tbody tr td:nth-child(2)", (tds) => tds.map((td) => td.textContent).sort());
	assert.deepEqual(dirs, ["In", "Out"]);
	await page.evaluate(() => document.querySelector("#refer-section").scrollIntoView());
	await h.shot(page, "referral-in-desktop");
	// the workflow offers only its next steps, and explains a refused one
	assert.equal(await page.$("#stage-to option[value=reintegration]"), null);
	await page.selectOption("#stage-to", "assistance");
	await page.click("#stage-save");
	await page.waitForSelector("#stage-error:not([hidden])");
	assert.match(await page.textContent("#stage-error"), /screening decision/);
	await page.evaluate(() => document.querySelector("#stage-section").scrollIntoView());
	await h.shot(page, "stage-refused-desktop");
	// a follow-up already due
	await page.fill("#fu-due", "2024-01-15");
	await page.click("#fu-save");
	await page.waitForSelector("#followup-table strong.overdue");
	await page.context().close();

	const m = await h.login("manager1");
	await m.goto(h.base + "/#/cases/" + noConsentCase);
	await openTab(m, "help");
	await m.waitForSelector("#ref-override");
	await m.selectOption("#ref-to", await optionValue(m, "#ref-to", SHELTER));
	await m.fill("#ref-override", "court hearing tomorrow, lawyer needs the file");
	await m.click("#ref-save");
	await m.waitForFunction(() => /consent overridden/.test((document.querySelector("#refer-table") || {}).textContent || ""));
	await m.context().close();
});

test("the dashboard shows stages, assistance, overdue follow-ups and shelters", async () => {
	const page = await h.login("worker1");
	await page.click("nav a[href='#/dashboard']");
	await page.waitForSelector("#dash-shelters");
	assert.match(await page.textContent("#dash-scope"), new RegExp(h.site));
	assert.match(await page.textContent("#dash-shelters"), new RegExp(SHELTER));
	assert.match(await page.textContent("#dash-shelters"), /Over capacity/);
	assert.ok(await page.$("#dash-stages"));
	assert.match(await page.textContent("#dash-overdue"), new RegExp(noConsentCase));
	await h.shot(page, "dashboard-desktop");
	await page.setViewportSize(PHONE);
	await h.shot(page, "dashboard-360");
	await page.context().close();
	const m = await h.login("manager1");
	await m.goto(h.base + "/#/dashboard");
	await m.waitForSelector("#dash-stages");
	assert.match(await m.textContent("#dash-scope"), /All offices/);
	await m.context().close();
});

test("no page broke the content security policy or threw", () => {
	assert.deepEqual(h.problems, []);
});

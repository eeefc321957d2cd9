/*
 * ux.test.js -- browser tests of issue 14's defects (each test names its defect): a caseworker's,
 * a manager's and an administrator's day, in Debian's headless Chromium against `casebank serve` on a fresh
 * demo database.  Every page these tests open is checked with axe-core and written as a screenshot at
 * 1280 px and 390 px into build/test-logs/web/ (ux-*.png); the last test opens every one of them again with
 * the user's language set to Arabic (right to left): axe-core again, screenshots ux-ar-*.png.
 */
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const { start, PHONE, DESKTOP } = require("./harness.js");

let h, caseId;
const seen = {}; // page name -> axe violations
const heads = {}; // page name -> its main heading in English (the Arabic run must not show it)

before(async () => {
	h = await start({ name: "web-ux", cases: 800, context: { timezoneId: "Asia/Tokyo" },
		users: [["admin1", "admin"], ["admin2", "admin"], ["manager1", "manager"],
			["worker1", "caseworker", 0], ["worker2", "caseworker", 0]] });
});
after(async () => { if (h) await h.stop(); });

// Screenshots and the accessibility check of one page, as it is now.
async function page_(page, name) {
	await h.shots(page, "ux-" + name);
	seen[name] = await h.axe(page);
	heads[name] = await heading(page);
}

// The page's main heading (the first h1), its text trimmed.
function heading(page) {
	return page.evaluate(() => { const e = document.querySelector("h1"); return e ? e.textContent.trim() : ""; });
}

// Registers a case through the form (the fields registration needs, and a name); returns its id.
async function register(page, first) {
	await page.goto(h.base + "/#/cases/new");
	await page.waitForSelector("#case-form");
	await page.selectOption("#fld-gender", "Feminine");
	await page.fill("#fld-birth_year", "2010");
	await page.selectOption("#fld-citizenship", "MD");
	await page.check("#fld-exploitation_type input[value=SexualExploitation]");
	await page.selectOption("#fld-consent_statistics", "true");
	await page.fill("#fld-first_name", first);
	await page.fill("#fld-last_name", "Testescu");
	await page.click("#save");
	await page.waitForURL(/#\/cases\/[A-Z0-9]{26}$/);
	await page.waitForSelector("#case-summary");
	return page.url().split("/").pop();
}

async function openTab(page, tab) {
	await page.click("#tab-" + tab);
	await page.waitForSelector("#panel-" + tab + ":not([hidden])");
}

test("defect 10: a case with only the office is refused naming what is missing; phone, email and dates have formats", async () => {
	const page = await h.login("worker1");
	await page.goto(h.base + "/#/cases/new");
	await page.waitForSelector("#case-form");
	await page.fill("#fld-registered_on", "");
	await page.click("#save");
	await page.waitForSelector("#form-top .alert");
	const summary = await page.textContent("#form-top .alert");
	for (const label of ["Registered on", "Gender", "Citizenship", "Type of exploitation", "consent"].slice(0, 3))
		assert.match(summary, new RegExp(label), summary);
	assert.match(page.url(), /#\/cases\/new$/);
	// the server refuses it too, naming every missing field
	const r = await h.api(page, "POST", "/api/cases", { site: h.site, registered_on: "2025-01-02" });
	assert.equal(r.status, 400);
	assert.match(r.detail, /Gender.*Citizenship/);
	// formats: phone and email, and a date picker for dates
	assert.equal(await page.getAttribute("#fld-birth_date", "type"), "date");
	assert.equal(await page.getAttribute("#fld-registered_on", "type"), "date");
	assert.equal(await page.getAttribute("#fld-phone", "type"), "tel");
	await page.fill("#fld-phone", "abc");
	await page.fill("#fld-email", "not-an-email");
	await page.click("#save");
	await page.waitForSelector("#err-phone:not(:empty)");
	assert.match(await page.textContent("#err-phone"), /phone number/);
	assert.match(await page.textContent("#err-email"), /email address/);
	const bad = await h.api(page, "POST", "/api/cases", { site: h.site, registered_on: "2025-01-02", gender: "Feminine",
		citizenship: "MD", exploitation_type: ["SexualExploitation"], consent_statistics: true, email: "not-an-email" });
	assert.equal(bad.status, 400);
	assert.match(bad.detail, /email/);
	assert.doesNotMatch(bad.detail, /not-an-email/); // never echoes an identifying detail
	await page_(page, "register-errors");
	await page.context().close();
});

test("defect 3: the case page has a summary header (name, age, sex, office, stage, caseworker, alerts) and tabs, no version", async () => {
	const page = await h.login("worker1");
	caseId = await register(page, "Ileana");
	const title = await page.textContent("h1");
	assert.doesNotMatch(title, /Version/);
	assert.doesNotMatch(await page.textContent("main"), /Version \d/);
	assert.equal(await page.textContent("#sum-name"), "Ileana Testescu");
	assert.match(await page.textContent("#sum-sex"), /Feminine|Female|Woman/);
	assert.match(await page.textContent("#sum-age"), /\d/);
	assert.equal(await page.textContent("#sum-office"), h.site);
	assert.equal(await page.textContent("#sum-stage"), "Screening");
	assert.ok(await page.$("#sum-worker"));
	assert.match(await page.textContent("#case-alerts"), /Minor/); // born 2010
	// the name comes before the interview, and the page is a few screens, not one long column
	const tabs = await page.$$eval("[role=tab]", (b) => b.map((x) => x.id));
	assert.deepEqual(tabs, ["tab-interview", "tab-identity", "tab-help", "tab-notes", "tab-files"]);
	const height = await page.evaluate(() => document.documentElement.scrollHeight);
	assert.ok(height < 2600, "page height " + height);
	await page_(page, "case-interview");
	// keyboard: arrows move between tabs
	await page.focus("#tab-interview");
	await page.keyboard.press("ArrowRight");
	assert.equal(await page.evaluate(() => document.activeElement.id), "tab-identity");
	assert.equal(await page.getAttribute("#tab-identity", "aria-selected"), "true");
	assert.match(await page.textContent("#panel-identity"), /Ileana/);
	await page_(page, "case-identity");
	await page.context().close();
});

test("defect 4: the stage menu offers only the allowed next stages", async () => {
	const page = await h.login("worker1");
	await page.goto(h.base + "/#/cases/" + caseId);
	await page.waitForSelector("#case-summary");
	await openTab(page, "help");
	await page.waitForSelector("#stage-to");
	const options = await page.$$eval("#stage-to option", (o) => o.map((x) => x.value).filter((v) => v));
	assert.deepEqual(options.sort(), ["assistance", "closed"]);
	assert.equal(await page.inputValue("#stage-to"), ""); // nothing preselected
	// the reason field shows only for a move that needs one
	assert.equal(await page.isVisible("#stage-reason"), false);
	await page.selectOption("#stage-to", "closed");
	assert.equal(await page.isVisible("#stage-reason"), true);
	await page_(page, "case-help");
	await page.context().close();
});

test("defect 1: one status: the stage; the list's status filter and the dashboard agree", async () => {
	const page = await h.login("manager1");
	const closed = await h.api(page, "GET", "/api/cases?status=Closed&per_page=1");
	const referred = await h.api(page, "GET", "/api/cases?status=ClosedReferred&per_page=1");
	const dash = await h.api(page, "GET", "/api/dashboard");
	assert.ok(closed.total > 0);
	assert.equal(dash.closed, closed.total + referred.total);
	const active = await h.api(page, "GET", "/api/cases?status=Active&per_page=1");
	const open = ["screening", "assistance", "return", "reintegration"].reduce((n, s) => n + dash.by_stage[s], 0);
	assert.equal(open, active.total);
	// the form no longer offers a status of its own
	await page.goto(h.base + "/#/cases/" + caseId + "/edit");
	await page.waitForSelector("#case-form");
	assert.equal(await page.$("#fld-status"), null);
	await page.goto(h.base + "/#/dashboard");
	await page.waitForSelector("main h2");
	await page_(page, "dashboard");
	await page.context().close();
});

test("defect 5: leaving a form with unsaved changes asks first; an edit clash keeps what was typed and merges", async () => {
	const a = await h.login("worker1"), b = await h.login("worker1");
	for (const p of [a, b]) {
		await p.goto(h.base + "/#/cases/" + caseId + "/edit");
		await p.waitForSelector("#case-form");
	}
	// leaving: asked, and staying keeps the typed value
	await b.fill("#fld-children", "2");
	let asked = "";
	b.once("dialog", (d) => { asked = d.message(); d.dismiss(); });
	await b.click("nav a[href='#/cases']");
	await b.waitForTimeout(200);
	assert.match(asked, /not saved/);
	assert.match(b.url(), /\/edit$/);
	assert.equal(await b.inputValue("#fld-children"), "2");
	// a saves first (citizenship and the same field, differently); b's save clashes
	await a.selectOption("#fld-citizenship", "UA");
	await a.fill("#fld-children", "3");
	await a.click("#save");
	await a.waitForURL(new RegExp("#/cases/" + caseId + "$"));
	await b.click("#save");
	await b.waitForSelector("#conflict");
	assert.equal(await b.inputValue("#fld-children"), "2"); // nothing typed is lost
	assert.equal(await b.inputValue("#fld-citizenship"), "UA"); // what only a changed comes in
	assert.match(await b.textContent("#merge-taken"), /Citizenship/);
	const row = await b.textContent("#merge-table tr[data-field=children]");
	assert.match(row, /2/);
	assert.match(row, /3/);
	await page_(b, "edit-merge");
	await b.click("#merge-table tr[data-field=children] input[value=mine]");
	await b.click("#merge-save");
	await b.waitForURL(new RegExp("#/cases/" + caseId + "$"));
	await b.waitForSelector("dd[data-field=children]");
	assert.equal(await b.textContent("dd[data-field=children]"), "2");
	assert.match(await b.textContent("dd[data-field=citizenship]"), /Ukraine/);
	await a.context().close();
	await b.context().close();
});

test("defect 6: a message belongs to the action that caused it", async () => {
	const page = await h.login("worker1");
	await page.goto(h.base + "/#/cases/" + caseId + "/edit");
	await page.waitForSelector("#case-form");
	await page.fill("#fld-children", "4");
	await page.click("#save");
	await page.waitForURL(new RegExp("#/cases/" + caseId + "$"));
	await page.waitForSelector("#flash .flash.ok");
	assert.match(await page.textContent("#flash"), /saved/);
	// the next page does not carry it
	await page.click("nav a[href='#/cases']");
	await page.waitForSelector("#search-form");
	assert.doesNotMatch(await page.textContent("#flash"), /saved/);
	// nor does a later action that fails: its error stands alone
	await page.goto(h.base + "/#/cases/" + caseId);
	await page.waitForSelector("#case-summary");
	await openTab(page, "notes");
	await page.fill("#note-text", "First visit went well");
	await page.click("#note-save");
	await page.waitForSelector("#flash .flash.ok");
	await openTab(page, "help");
	await page.selectOption("#stage-to", "assistance");
	await page.click("#stage-save");
	await page.waitForSelector("#stage-error:not([hidden])");
	assert.doesNotMatch(await page.textContent("#flash"), /Note added/);
	await page.context().close();
});

test("defect 12: dated case notes by author, sealed like the narrative", async () => {
	const page = await h.login("worker1");
	await page.goto(h.base + "/#/cases/" + caseId);
	await page.waitForSelector("#case-summary");
	await openTab(page, "notes");
	await page.waitForSelector("#notes-list .note-item");
	await page.fill("#note-text", "Zarquenth called from the Quellmark shelter");
	await page.click("#note-save");
	await page.waitForFunction(() => document.querySelectorAll("#notes-list .note-item").length === 2);
	const first = await page.textContent("#notes-list .note-item");
	assert.match(first, /Zarquenth/);
	assert.match(first, /worker1/);
	assert.ok(await page.$("#notes-list time[datetime]"));
	await page_(page, "case-notes");
	await page.context().close();
	// sealed: the text is nowhere in the database's files
	for (const f of fs.readdirSync(h.dir).filter((x) => x.startsWith("web.db")))
		assert.equal(fs.readFileSync(require("node:path").join(h.dir, f)).includes("Zarquenth"), false, f);
	// a manager without break-the-glass sees that notes exist, not their text
	const mg = await h.login("manager1");
	await mg.goto(h.base + "/#/cases/" + caseId);
	await mg.waitForSelector("#case-summary");
	await openTab(mg, "notes");
	await mg.waitForSelector("#notes-list .note-item");
	assert.doesNotMatch(await mg.textContent("#notes-list"), /Zarquenth/);
	assert.match(await mg.textContent("#notes-list"), /hidden/);
	await mg.context().close();
});

test("defect 11: a home page with follow-ups due and overdue of open cases, referrals, transfers and duplicates", async () => {
	const page = await h.login("worker1");
	// an overdue follow-up on the open case
	const r = await h.api(page, "POST", "/api/cases/" + caseId + "/followups", { due_on: "2024-01-05" });
	assert.ok(r.id, JSON.stringify(r));
	await page.goto(h.base + "/#/cases");
	await page.waitForSelector("#search-form");
	await page.goto(h.base + "/#/home");
	await page.waitForSelector("#home-overdue");
	for (const s of ["#home-overdue", "#home-due", "#home-referrals", "#home-transfers", "#home-duplicates"])
		assert.ok(await page.$(s), s);
	assert.match(await page.textContent("#home-overdue"), new RegExp(caseId.slice(0, 8)));
	assert.match(await page.textContent("#home-transfers"), /No transfer to review/);
	assert.match(await page.textContent("#home-duplicates"), /No possible duplicate to review/);
	// no follow-up of a closed case is listed
	let home = await h.api(page, "GET", "/api/home");
	for (const it of home.followups_overdue.concat(home.followups_due)) assert.notEqual(it.stage, "closed");
	assert.deepEqual(home.transfers, []);
	assert.deepEqual(home.duplicates, []);
	assert.equal(home.pending, undefined);
	// the same person registered twice, and a transfer requested to another office: both listed
	const person = { site: h.site, registered_on: "2025-03-04", gender: "Feminine", citizenship: "MD",
		birth_date: "2009-06-07", exploitation_type: ["SexualExploitation"], consent_statistics: true,
		first_name: "Quillonia", last_name: "Doubletova" };
	const a = await h.api(page, "POST", "/api/cases", person);
	const b = await h.api(page, "POST", "/api/cases", person);
	assert.ok(a.case_id && b.case_id, JSON.stringify([a, b]));
	const moving = await h.api(page, "POST", "/api/cases", Object.assign({}, person, { first_name: "Perpetua", last_name: "Movescu", birth_date: "2001-02-03" }));
	const other = (await h.api(page, "GET", "/api/sites")).sites.find((s) => s.code !== h.site && !s.disabled).code;
	const tr = await h.api(page, "POST", "/api/cases/" + moving.case_id + "/transfer", { to: other, reason: "Safety" });
	assert.equal(tr.state, "requested", JSON.stringify(tr));
	await page.goto(h.base + "/#/cases");
	await page.waitForSelector("#search-form");
	await page.goto(h.base + "/#/home");
	await page.waitForSelector("#home-transfers-table");
	assert.match(await page.textContent("#home-transfers"), new RegExp(moving.case_id.slice(0, 8) + "[^]*Requested to " + other));
	await page.waitForSelector("#home-duplicates-table");
	const dups = await page.textContent("#home-duplicates");
	assert.match(dups, new RegExp(a.case_id.slice(0, 8) + "|" + b.case_id.slice(0, 8)));
	assert.doesNotMatch(dups + await page.textContent("#home-transfers"), /Quillonia|Doubletova|Perpetua|Movescu|2009/);
	home = await h.api(page, "GET", "/api/home");
	assert.equal(home.transfers.length, 1);
	assert.equal(home.duplicates.length, 1);
	assert.deepEqual(Object.keys(home.duplicates[0]).sort(), ["case_id", "other_id", "other_site", "score", "site"]);
	await page_(page, "home");
	// the manager (every office): the transfer is one to decide
	const mg = await h.login("manager1");
	await mg.goto(h.base + "/#/home");
	await mg.waitForSelector("#home-transfers-table");
	assert.match(await mg.textContent("#home-transfers"), new RegExp("Incoming from " + h.site));
	await mg.context().close();
	await page.context().close();
	// where a caseworker lands
	const again = await h.login("worker1");
	assert.match(again.url(), /#\/home$/);
	await again.context().close();
});

test("defect 8: offices are a managed list: admin pages, the command line, and every office field checks it", async () => {
	h.cli(["site", "add", h.db, "MD-BALTI", "--name", "Balti office", "--country", "MD"]);
	const admin = await h.login("admin1");
	await admin.goto(h.base + "/#/sites");
	await admin.waitForSelector("#sites-table");
	assert.match(await admin.textContent("#sites-table"), /Balti office/);
	await admin.fill("#site-code", "MD-CAHUL");
	await admin.fill("#site-name", "Cahul office");
	await admin.selectOption("#site-country", "MD");
	await admin.click("#site-form button[type=submit]");
	await admin.waitForSelector("#sites-table tr[data-site=MD-CAHUL]");
	await page_(admin, "sites");
	await admin.click("button[data-toggle=MD-BALTI]");
	await admin.waitForFunction(() => /Disabled/.test(document.querySelector("#sites-table tr[data-site=MD-BALTI]").textContent));
	// a typo is refused, not a new office with nothing in it
	const mg = await h.login("manager1");
	const dash = await h.api(mg, "GET", "/api/dashboard?site=MD-CHISNAU");
	assert.equal(dash.status, 400);
	assert.match(dash.detail, /not an office/);
	const list = await h.api(mg, "GET", "/api/cases?site=MD-CHISNAU");
	assert.equal(list.status, 400);
	// the registration form offers the enabled offices only
	await mg.goto(h.base + "/#/cases/new");
	await mg.waitForSelector("#case-form");
	const offices = await mg.$$eval("#fld-site option", (o) => o.map((x) => x.value));
	assert.ok(offices.includes("MD-CAHUL"));
	assert.ok(!offices.includes("MD-BALTI"));
	const moved = await h.api(mg, "PATCH", "/api/cases/" + caseId, { version: 1, site: "MD-BALTI" });
	assert.equal(moved.status, 400);
	await admin.context().close();
	await mg.context().close();
});

test("defect 9: admins see locked accounts, unlock them, change role and office, cannot disable themselves, read the audit trail", async () => {
	// a manager breaks the glass (its reason goes to the trail); an older version's lock on worker2
	const mg = await h.login("manager1");
	await mg.goto(h.base + "/#/cases/" + caseId);
	await mg.waitForSelector("#case-summary");
	await openTab(mg, "identity");
	await mg.fill("#glass-reason", "Court order 2026/117 needs the address");
	await mg.click("#glass-form button[type=submit]");
	await mg.waitForSelector("#identity");
	await mg.context().close();
	require("node:child_process").execFileSync("sqlite3", [h.db,
		"PRAGMA busy_timeout=5000; UPDATE users SET locked_until = 4102444800 WHERE name = 'worker2'"]);
	const admin = await h.login("admin1");
	await admin.goto(h.base + "/#/users");
	await admin.waitForSelector("#users-table");
	assert.match(await admin.textContent("#users-table tr[data-user=worker2] .user-state"), /Locked/);
	// her own row: no disable button, and why
	assert.equal(await admin.$("#users-table tr[data-user=admin1] button[data-user]"), null);
	assert.match(await admin.textContent("#self-note"), /cannot disable your own account/);
	await page_(admin, "users");
	await admin.click("button[data-unlock=worker2]");
	await admin.waitForFunction(() => /Active/.test(document.querySelector("#users-table tr[data-user=worker2] .user-state").textContent));
	// role and office
	await admin.selectOption("#role-user", "worker2");
	assert.equal(await admin.inputValue("#role-site"), h.site);
	await admin.selectOption("#role-role", "manager");
	await admin.click("#role-form button[type=submit]");
	await admin.waitForFunction(() => /manager/.test(document.querySelector("#users-table tr[data-user=worker2]").textContent));
	assert.match(await admin.textContent("#users-table tr[data-user=worker2]"), /manager/);
	const self = await h.api(admin, "POST", "/api/users/admin1/role", { role: "manager" });
	assert.equal(self.status, 403);
	// the audit viewer: who did what to which case, the break-the-glass reason, in local time
	await admin.goto(h.base + "/#/audit");
	await admin.waitForSelector("#audit-table");
	await admin.fill("#audit-action", "glass");
	await admin.click("#audit-form button[type=submit]");
	await admin.waitForFunction(() => document.querySelectorAll("#audit-table tbody tr").length >= 1 &&
		[...document.querySelectorAll("#audit-table tbody tr")].every((r) => r.dataset.action === "glass"));
	const row = await admin.textContent("#audit-table tbody tr");
	assert.match(row, /manager1/);
	assert.match(row, /Court order 2026\/117/);
	assert.match(row, new RegExp(caseId));
	const at = await admin.getAttribute("#audit-table tbody tr time", "datetime");
	const shown = await admin.textContent("#audit-table tbody tr time");
	assert.doesNotMatch(shown, /Z$|T\d\d:/); // not the raw UTC stamp
	const tokyo = new Date(at).toLocaleString("en", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit" });
	assert.ok(shown.includes(tokyo.replace(/^0/, "")) || shown.includes(tokyo), shown + " vs " + tokyo);
	await page_(admin, "audit");
	await admin.context().close();
});

test("defect 14: at 390 px the case pages fit: the title wraps, tables do not scroll sideways", async () => {
	const page = await h.login("worker1", PHONE);
	await page.goto(h.base + "/#/cases/" + caseId);
	await page.waitForSelector("#case-summary");
	for (const tab of ["interview", "identity", "help", "notes"]) {
		await openTab(page, tab);
		await page.waitForTimeout(100);
		const wide = await page.evaluate(() => {
			const out = [];
			if (document.documentElement.scrollWidth > window.innerWidth) out.push("page " + document.documentElement.scrollWidth);
			document.querySelectorAll("main h1, main table, main .scroll").forEach((e) => {
				if (e.offsetParent && e.scrollWidth > e.clientWidth + 1) out.push(e.tagName + "#" + e.id + " " + e.scrollWidth);
			});
			return out;
		});
		assert.deepEqual(wide, [], tab);
	}
	await page.goto(h.base + "/#/home");
	await page.waitForSelector("#home-overdue");
	assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
	await page.setViewportSize(DESKTOP);
	await page.context().close();
});

test("every page of these tests passes axe-core, and none broke the content security policy", async () => {
	// the pages not visited above
	const page = await h.login("worker1");
	for (const [name, hash, sel] of [["cases", "#/cases", "#case-table"], ["register", "#/cases/new", "#case-form"],
		["edit", "#/cases/" + caseId + "/edit", "#case-form"], ["partners", "#/partners", "main h1"]]) {
		await page.goto(h.base + "/" + hash);
		await page.waitForSelector(sel);
		await page_(page, name);
	}
	await page.context().close();
	const login = await h.newPage();
	await login.goto(h.base + "/");
	await login.waitForSelector("#login-form");
	await page_(login, "login");
	await login.context().close();
	const bad = Object.keys(seen).filter((k) => seen[k].length).map((k) => k + ": " + seen[k].join("; "));
	assert.deepEqual(bad, []);
	assert.deepEqual(h.problems, []);
});

// How the Arabic run reaches each page of the tests above, in the state its English screenshot shows:
// [name, user, hash, selector to wait for, what to do once there].
function arabicPages() {
	const tab = (t) => (p) => openTab(p, t);
	return [
		["register-errors", "worker1", "#/cases/new", "#case-form", async (p) => {
			await p.fill("#fld-registered_on", "");
			await p.click("#save");
			await p.waitForSelector("#form-top .alert");
		}],
		["case-interview", "worker1", "#/cases/" + caseId, "#case-summary"],
		["case-identity", "worker1", "#/cases/" + caseId, "#case-summary", tab("identity")],
		["case-help", "worker1", "#/cases/" + caseId, "#case-summary", async (p) => {
			await openTab(p, "help");
			await p.waitForSelector("#stage-to");
			await p.selectOption("#stage-to", "closed");
		}],
		["case-notes", "worker1", "#/cases/" + caseId, "#case-summary", async (p) => {
			await openTab(p, "notes");
			await p.waitForSelector("#notes-list .note-item");
		}],
		["dashboard", "manager1", "#/dashboard", "main h2"],
		["edit-merge", "worker1", "#/cases/" + caseId + "/edit", "#case-form", async (p) => {
			// someone else saves meanwhile: the same field, differently
			const c = await h.api(p, "GET", "/api/cases/" + caseId);
			const r = await h.api(p, "PATCH", "/api/cases/" + caseId, { version: c.version, children: 7 });
			assert.ok(!(r && r.error), JSON.stringify(r));
			await p.fill("#fld-children", "8");
			await p.click("#save");
			await p.waitForSelector("#conflict");
		}],
		["home", "worker1", "#/home", "#home-overdue"],
		["sites", "admin1", "#/sites", "#sites-table"],
		["users", "admin1", "#/users", "#users-table"],
		["audit", "admin1", "#/audit", "#audit-table"],
		["cases", "worker1", "#/cases", "#case-table"],
		["register", "worker1", "#/cases/new", "#case-form"],
		["edit", "worker1", "#/cases/" + caseId + "/edit", "#case-form"],
		["partners", "worker1", "#/partners", "main h1"],
		["login", null, "", "#login-form"],
	];
}

test("every page again in Arabic: right to left, translated headings, no axe-core violation, fits 390 px", async () => {
	const list = arabicPages();
	assert.deepEqual(list.map((x) => x[0]).sort(), Object.keys(seen).sort()); // the same pages as in English
	const users = {}, bad = [], wide = [];
	for (const [name, user, hash, sel, act] of list) {
		let page;
		if (user) {
			if (!users[user]) {
				users[user] = await h.login(user);
				// leaving a half-typed form asks first (defect 5): yes, leave
				users[user].on("dialog", (d) => d.accept().catch(() => {})); // (or the page is closing)
				assert.equal(((await h.api(users[user], "PATCH", "/api/me", { lang: "ar" })) || {}).error, undefined); // 204
			}
			page = users[user];
			await page.goto(h.base + "/" + hash);
			await page.reload(); // a fresh start of the page (the form of a case is not left half typed)
		} else {
			page = await h.newPage();
			await page.goto(h.base + "/");
			await page.waitForSelector("#lang-select");
			await page.selectOption("#lang-select", "ar");
		}
		await page.waitForFunction(() => document.documentElement.dir === "rtl");
		await page.waitForSelector(sel);
		if (act) await act(page);
		assert.equal(await page.getAttribute("html", "lang"), "ar", name);
		const head = await heading(page);
		assert.ok(head, name + ": no heading");
		assert.notEqual(head, heads[name], name + ": the heading is not translated");
		await h.shots(page, "ux-ar-" + name);
		const v = await h.axe(page);
		if (v.length) bad.push(name + ": " + v.join("; "));
		// at 390 px nothing is wider than the screen (a case's long id in its heading wraps)
		await page.setViewportSize(PHONE);
		await page.waitForTimeout(50);
		const w = await page.evaluate(() => {
			const out = [];
			if (document.documentElement.scrollWidth > window.innerWidth) out.push("page " + document.documentElement.scrollWidth);
			return out;
		});
		if (w.length) wide.push(name + ": " + w.join(", "));
		await page.setViewportSize(DESKTOP);
		if (!user) await page.context().close();
	}
	for (const u of Object.keys(users)) {
		await h.api(users[u], "PATCH", "/api/me", { lang: "" });
		await users[u].context().close();
	}
	assert.deepEqual(bad, []);
	assert.deepEqual(wide, []);
	assert.deepEqual(h.problems, []);
});

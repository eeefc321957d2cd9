/*
 * odk.test.js -- casebank as an OpenRosa server, tested with real clients: every form casebank generates
 * (registration, followup, assistance) is downloaded over the Form List API, rendered and filled in two real
 * form engines in Chromium (ODK Web Forms, and Enketo on enketo-transformer's HTML), the instance the engine
 * hands over is encrypted by tests/odk/encrypt.mjs (the ODK encryption specification written in Node's crypto,
 * apart from casebank's C) and posted as ODK Collect posts it; then the case is read back with the CLI.
 * Also: tampered and truncated files are refused and store nothing, one instanceID twice stores one case, the
 * HTCDS toolkit's own form (unencrypted) becomes a case like an HTCDS import, and an offline edit of a case
 * changed since goes to the review queue.  Screenshots go to build/test-logs/web/.
 *
 *   node --test tests/web/odk.test.js        (CASEBANK_BIN names the binary; ./casebank by default)
 */
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { start, PASSWORD, PHONE, SHOTS } = require("./harness.js");
const { enginePage, enketoTransform } = require("./odk/engines.js");
const { fillEnketo, fillWebForms, finishWebForms } = require("./odk/fill.js");
const { Client } = require("./odk/openrosa.js");

const ROOT = path.resolve(__dirname, "..", "..");
const SITE = "MD-CHISINAU";
const HTCDS_FORM = ["/work/shared/reference/htcds/htcds_xlsform.xml",
	path.join(ROOT, "..", "shared", "reference", "htcds", "htcds_xlsform.xml"),
	path.join(ROOT, "..", "..", "shared", "reference", "htcds", "htcds_xlsform.xml")].find((p) => fs.existsSync(p));

let h, phone, enc;
const forms = {}; // formID -> { xml, version, hash }

const caseIds = () => h.cli(["list", h.db]).split("\n").slice(1).map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
const showCase = (id) => JSON.parse(h.cli(["show", h.db, id, "--with-identifiers"]));

before(async () => {
	enc = await import(path.join(ROOT, "tests", "odk", "encrypt.mjs"));
	h = await start({ name: "web-odk", users: [["worker1", "caseworker", SITE], ["manager1", "manager"]] });
	phone = new Client(h.base, "worker1", PASSWORD);
	const { forms: list } = await phone.formList();
	for (const f of list) {
		const r = await phone.request("GET", f.downloadUrl);
		const version = /<data\b[^>]*\bversion="([^"]*)"/.exec(r.text);
		forms[f.formID] = { xml: r.text, buf: r.buf, version: version ? version[1] : null, hash: f.hash };
	}
});

after(async () => { if (h) await h.stop(); });

// ---- helpers

const FORM_IDS = ["casebank_registration", "casebank_followup", "casebank_assistance"];

function instanceIdOf(xml) {
	const m = /<(?:\w+:)?instanceID>([^<]+)</.exec(xml);
	assert.ok(m, "the engine's instance has an instanceID: " + xml.slice(0, 300));
	return m[1];
}

// Encrypts an engine's instance for a casebank form and posts it; returns the response.
async function postEncrypted(formId, xml, opts) {
	const f = forms[formId];
	const e = enc.encryptSubmission({ xform: f.xml, formId, version: f.version, instanceId: instanceIdOf(xml), xml,
		media: opts && opts.media });
	if (opts && opts.alter) opts.alter(e);
	return phone.submit(enc.multipart(e.manifest, e.files));
}

// Renders a form in an engine at phone width, fills it, and returns the instance XML the engine produced.
async function fillIn(engine, xform, answers, shotName) {
	const ctx = await h.browser.newContext({ viewport: PHONE });
	const errors = [];
	try {
		const page = await enginePage(ctx, engine);
		page.setDefaultTimeout(10000);
		page.on("pageerror", (e) => errors.push(e.message));
		let xml;
		if (engine === "enketo") {
			const t = await enketoTransform(xform);
			const loadErrors = await page.evaluate(([f, m]) => window.cbEnketo.render(f, m), [t.form, t.model]);
			assert.deepEqual(loadErrors, [], "Enketo loads the form without errors");
			await fillEnketo(page, answers);
			const r = await page.evaluate(() => window.cbEnketo.finish());
			await page.screenshot({ path: path.join(SHOTS, shotName + ".png") });
			assert.ok(r.valid, "Enketo finds the answers valid");
			xml = r.xml;
		} else {
			await page.evaluate((x) => window.cbWebForms.render(x), xform);
			await page.waitForSelector(".question-container", { timeout: 20000 });
			assert.equal(await page.locator("text=An error occurred while loading this form").count(), 0,
				"Web Forms loads the form");
			await fillWebForms(page, xform, answers);
			xml = await finishWebForms(page);
			await page.screenshot({ path: path.join(SHOTS, shotName + ".png") });
			assert.equal(typeof xml, "string", "Web Forms accepts the answers: " + JSON.stringify(xml));
		}
		assert.deepEqual(errors, [], "no script errors in the engine");
		return xml;
	} finally {
		await ctx.close();
	}
}

function registrationAnswers(first) {
	return [
		{ name: "consent_assistance", type: "select1", value: "yes" },
		{ name: "consent_statistics", type: "select1", value: "yes" },
		{ name: "consent_share_partners", type: "select1", value: "no" },
		{ name: "registered_on", type: "date", value: "2025-03-18" },
		{ name: "gender", type: "select1", value: "Feminine" },
		{ name: "birth_year", type: "int", value: 1994 },
		{ name: "citizenship", type: "select1", value: "MD" },
		{ name: "exploitation_type", type: "select", value: ["SexualExploitation", "ForcedLabour"] },
		{ name: "labour_sector", type: "select", value: ["agriculture"] },
		{ name: "destination_country", type: "select1", value: "TR" },
		{ name: "first_name", type: "text", value: first },
		{ name: "last_name", type: "text", value: "Testescu" },
	];
}

// ---- the Form List API

test("the form list names casebank's three encrypted forms, each downloadable and matching its hash", async () => {
	const { forms: list, response } = await phone.formList();
	assert.equal(response.headers.get("x-openrosa-version"), "1.0");
	assert.match(response.headers.get("content-type"), /xml/);
	assert.deepEqual(list.map((f) => f.formID).filter((id) => FORM_IDS.includes(id)).sort(), [...FORM_IDS].sort());
	for (const f of list.filter((x) => FORM_IDS.includes(x.formID))) {
		const r = await phone.request("GET", f.downloadUrl);
		assert.equal(r.status, 200, f.formID);
		assert.equal(f.hash, "md5:" + crypto.createHash("md5").update(r.buf).digest("hex"), f.formID + ": hash");
		assert.match(r.text, /base64RsaPublicKey="[A-Za-z0-9+/=]+"/, f.formID + " is encrypted");
		enc.publicKeyFromForm(r.text); // a key Node reads as an RSA SubjectPublicKeyInfo
		assert.equal(f.version, /<data\b[^>]*\bversion="([^"]*)"/.exec(r.text)[1], f.formID + ": the list's version is the form's");
		if (f.manifestUrl) assert.equal((await phone.request("GET", f.manifestUrl)).status, 200, f.formID + ": manifest");
	}
	const anon = await fetch(h.base + "/formList", { headers: { "X-OpenRosa-Version": "1.0" } });
	assert.equal(anon.status, 401, "no form list without a casebank user");
	assert.ok(anon.headers.get("www-authenticate"), "401 carries a challenge");
	const wrong = await new Client(h.base, "worker1", "not the password").request("GET", "/formList");
	assert.equal(wrong.status, 401, "a wrong password is refused");
	const head = await phone.request("HEAD", "/submission");
	assert.ok(head.status === 204 || head.status === 200, "HEAD /submission: " + head.status);
	assert.ok(Number(head.headers.get("x-openrosa-accept-content-length")) > 0, "the server says how much it accepts");
});

// ---- every form in both engines, encrypted, posted, read back

const made = {}; // engine -> case id of its registration

for (const engine of ["webforms", "enketo"]) {
	test(`${engine}: the registration form filled in and sent encrypted becomes a case with its answers`, async () => {
		assert.ok(forms.casebank_registration, "the forms were downloaded");
		const first = engine === "enketo" ? "Elena" : "Wera";
		const before = new Set(caseIds());
		const xml = await fillIn(engine, forms.casebank_registration.xml, registrationAnswers(first), `odk-${engine}-registration`);
		assert.doesNotMatch(xml, /<labour_sector>\s*</, "the engine kept the relevant labour sector");
		const r = await postEncrypted("casebank_registration", xml);
		assert.equal(r.status, 201, r.text + h.log);
		assert.match(r.text, /OpenRosaResponse/);
		const added = caseIds().filter((id) => !before.has(id));
		assert.equal(added.length, 1, "one new case");
		const c = showCase(added[0]);
		made[engine] = added[0];
		assert.equal(c.site, SITE, "the case belongs to the caseworker's office");
		assert.equal(c.registered_on, "2025-03-18");
		assert.equal(c.gender, "Feminine");
		assert.equal(c.birth_year, 1994);
		assert.equal(c.citizenship, "MD");
		assert.equal(c.destination_country, "TR");
		assert.deepEqual([...c.exploitation_type].sort(), ["ForcedLabour", "SexualExploitation"]);
		assert.deepEqual(c.labour_sector, ["agriculture"]);
		assert.equal(c.first_name, first, "the identifying detail arrived (sealed in the store, opened for show)");
		assert.equal(c.last_name, "Testescu");
		assert.equal(c.consent_statistics, true);
		const raw = fs.readFileSync(h.db);
		assert.equal(raw.indexOf(Buffer.from("Testescu")), -1, "the name is not on disk in plain");
	});

	test(`${engine}: the follow-up form names the case and its version and adds a follow-up`, async () => {
		const id = made[engine];
		assert.ok(id, "the registration test made a case");
		const version = showCase(id).version;
		const xml = await fillIn(engine, forms.casebank_followup.xml, [
			{ name: "case_id", type: "text", value: id },
			{ name: "case_version", type: "int", value: version },
			{ name: "due_on", type: "date", value: "2026-01-15" },
			{ name: "note", type: "text", value: "call back " + engine },
		], `odk-${engine}-followup`);
		const r = await postEncrypted("casebank_followup", xml);
		assert.equal(r.status, 201, r.text);
		const list = h.cli(["followup", "list", h.db, "--case", id]);
		assert.match(list, /2026-01-15/, "the follow-up is stored: " + list);
	});

	test(`${engine}: the assistance form adds an assistance record to the case`, async () => {
		const id = made[engine];
		assert.ok(id, "the registration test made a case");
		const version = showCase(id).version;
		const xml = await fillIn(engine, forms.casebank_assistance.xml, [
			{ name: "case_id", type: "text", value: id },
			{ name: "case_version", type: "int", value: version },
			{ name: "type", type: "select1", value: "medical" },
			{ name: "start_on", type: "date", value: "2025-04-01" },
			{ name: "status", type: "select1", value: "ongoing" },
		], `odk-${engine}-assistance`);
		const r = await postEncrypted("casebank_assistance", xml);
		assert.equal(r.status, 201, r.text);
		const list = h.cli(["assist", "list", h.db, id]);
		assert.match(list, /medical/, "the assistance record is stored: " + list);
		assert.match(list, /2025-04-01/);
		assert.match(list, /ongoing/);
	});
}

// ---- refusals: nothing readable, nothing stored

// A registration instance written as an engine writes it (the engines' own output is tested above).
function registrationXml(instanceId, first) {
	const f = forms.casebank_registration;
	return `<data xmlns="http://www.w3.org/2002/xforms" id="casebank_registration"${f.version ? ` version="${f.version}"` : ""}>` +
		"<consent_assistance>yes</consent_assistance><consent_statistics>yes</consent_statistics>" +
		"<consent_share_partners>no</consent_share_partners><registered_on>2025-05-02</registered_on>" +
		"<gender>Masculine</gender><birth_year>1990</birth_year><citizenship>UA</citizenship>" +
		`<exploitation_type>ForcedLabour</exploitation_type><first_name>${first}</first_name>` +
		`<meta><instanceID>${instanceId}</instanceID></meta></data>`;
}

async function reviewCount() {
	const m = await managerApi();
	const r = await m("GET", "/api/review");
	assert.equal(r.status, 200, "GET /api/review: " + r.status);
	const items = Array.isArray(r.body) ? r.body : r.body.items || r.body.entries || [];
	return items.length;
}

let managerSession = null;
async function managerApi() {
	if (!managerSession) {
		const r = await fetch(h.base + "/api/login", { method: "POST", headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ user: "manager1", password: PASSWORD }) });
		assert.equal(r.status, 200, "manager login");
		const body = await r.json();
		managerSession = { cookie: r.headers.get("set-cookie").split(";")[0], csrf: body.csrf_token };
	}
	return async (method, p, body) => {
		const r = await fetch(h.base + p, { method, headers: { Cookie: managerSession.cookie, "X-CSRF-Token": managerSession.csrf,
			"Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await r.text();
		let json = null;
		try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
		return { status: r.status, body: json, text };
	};
}

test("a tampered or truncated encrypted file is refused and nothing is stored", async () => {
	const casesBefore = caseIds().length;
	const queued = await reviewCount();
	const cases = {
		"a flipped byte in the encrypted instance": (e) => { const d = Buffer.from(e.files[0].data); d[d.length >> 1] ^= 0x20; e.files[0].data = d; },
		"the encrypted instance cut short by half a block": (e) => { e.files[0].data = e.files[0].data.subarray(0, e.files[0].data.length - 8); },
		"the encrypted instance cut to whole blocks": (e) => { e.files[0].data = e.files[0].data.subarray(0, e.files[0].data.length - 16); },
		"a wrapped key that is not the one used": (e) => {
			const other = enc.rsaOaepSha256(enc.publicKeyFromForm(forms.casebank_registration.xml), crypto.randomBytes(32)).toString("base64");
			e.manifest = e.manifest.replace(/<base64EncryptedKey>[^<]+</, `<base64EncryptedKey>${other}<`);
		},
		"a signature over other content": (e) => {
			e.manifest = e.manifest.replace(/<base64EncryptedElementSignature>[^<]+</, "<base64EncryptedElementSignature>" +
				enc.rsaOaepSha256(enc.publicKeyFromForm(forms.casebank_registration.xml), crypto.randomBytes(16)).toString("base64") + "<");
		},
	};
	for (const [what, alter] of Object.entries(cases)) {
		const iid = "uuid:" + crypto.randomUUID();
		const r = await postEncrypted("casebank_registration", registrationXml(iid, "Tamara"), { alter });
		assert.ok(r.status >= 400 && r.status < 500, `${what}: refused with a 4xx, got ${r.status} ${r.text}`);
		assert.match(r.text, /OpenRosaResponse/, `${what}: an OpenRosa answer`);
		assert.doesNotMatch(r.text, /Tamara/, `${what}: the answer echoes nothing of the instance`);
		// and the same instance, sent intact afterwards, is still taken: the refusal remembered nothing
		if (what.startsWith("a flipped")) {
			const ok = await postEncrypted("casebank_registration", registrationXml(iid, "Tamara"));
			assert.equal(ok.status, 201, "the intact retry is stored: " + ok.text);
		}
	}
	assert.equal(caseIds().length, casesBefore + 1, "only the intact retry made a case");
	assert.equal(await reviewCount(), queued, "nothing went to the review queue");
	assert.equal(fs.readFileSync(h.db).indexOf(Buffer.from("Tamara")), -1, "nothing of it on disk in plain");
});

test("the same instanceID sent twice (a phone's retry) stores one case", async () => {
	const before = caseIds().length;
	const iid = "uuid:" + crypto.randomUUID();
	const xml = registrationXml(iid, "Dora");
	const a = await postEncrypted("casebank_registration", xml);
	assert.equal(a.status, 201, a.text);
	const b = await postEncrypted("casebank_registration", xml); // encrypted afresh: another key, same instance
	assert.ok(b.status === 201 || b.status === 200 || b.status === 202, "the retry is answered as received: " + b.status);
	assert.match(b.text, /OpenRosaResponse/);
	assert.equal(caseIds().length, before + 1, "one case");
});

test("an offline edit of a case changed since goes to the review queue instead of overwriting", async () => {
	const id = made.enketo || made.webforms;
	assert.ok(id, "a case from the engines");
	// the phone saw the case as it is now; then the office changes it, while the phone is offline
	const stale = showCase(id).version;
	h.cli(["update", h.db, id], JSON.stringify({ gender: "Masculine" })); // (the status follows the stage: not set)
	assert.equal(showCase(id).version, stale + 1);
	const queued = await reviewCount();
	const iid = "uuid:" + crypto.randomUUID();
	const f = forms.casebank_followup;
	const xml = `<data xmlns="http://www.w3.org/2002/xforms" id="casebank_followup"${f.version ? ` version="${f.version}"` : ""}>` +
		`<case_id>${id}</case_id><case_version>${stale}</case_version><due_on>2026-02-01</due_on><note>stale edit</note>` +
		`<meta><instanceID>${iid}</instanceID></meta></data>`;
	const r = await postEncrypted("casebank_followup", xml);
	assert.equal(r.status, 202, "held, not failed (Collect would keep retrying a 4xx): " + r.text);
	assert.match(r.text, /held for review by a manager/i, "the answer says a manager reviews it");
	assert.doesNotMatch(h.cli(["followup", "list", h.db, "--case", id]), /2026-02-01/, "not applied");
	const again = await postEncrypted("casebank_followup", xml);
	assert.equal(again.status, 201, "sent again, it is received (and not queued twice): " + again.text);
	assert.equal(await reviewCount(), queued + 1, "one entry more in the review queue");
});

// ---- the HTCDS toolkit's own form

test("the HTCDS toolkit's form (unencrypted), filled in Enketo and posted, becomes a case as an HTCDS import", { skip: !HTCDS_FORM && "no htcds_xlsform.xml" }, async () => {
	const xform = fs.readFileSync(HTCDS_FORM, "utf8");
	const before = new Set(caseIds());
	const xml = await fillIn("enketo", xform, [
		{ name: "con_Consent", type: "select1", value: "TRUE" },
		{ name: "prs_First_Name", type: "text", value: "Halyna" },
		{ name: "prs_Gender", type: "select1", value: "Feminine" },
		{ name: "prs_Citizenship", type: "select1", value: "UA" },
		{ name: "vic_TypeOfExploitation", type: "select", value: ["ForcedLabour"] },
		{ name: "cas_Status", type: "select1", value: "Active" },
	], "odk-enketo-htcds");
	const r = await phone.submit(enc.multipart(xml, []));
	assert.equal(r.status, 201, r.text);
	const added = caseIds().filter((id) => !before.has(id));
	assert.equal(added.length, 1, "one new case");
	const c = showCase(added[0]);
	assert.equal(c.gender, "Feminine");
	assert.equal(c.citizenship, "UA");
	assert.deepEqual(c.exploitation_type, ["ForcedLabour"]);
	assert.equal(c.first_name, "Halyna");
});

// ---- the review queue in the web interface

// A signed-in page whose CSP violations and script errors are in page.problems (harness.js).
async function loginPage(user, viewport) {
	const page = await h.login(user, viewport);
	page.setDefaultTimeout(10000);
	return page;
}

// axe-core's WCAG 2 A/AA rules on the page as it is.
const axe = (page) => h.axe(page, ["wcag2a", "wcag2aa"]);

test("review queue (390 px): a form that failed the checks is fixed and accepted by a manager", async () => {
	// a registration whose gender is no codebook value: refused with 400 and held
	const iid = "uuid:" + crypto.randomUUID();
	const xml = registrationXml(iid, "Irina").replace("<gender>Masculine</gender>", "<gender>Masc</gender>");
	const r = await postEncrypted("casebank_registration", xml);
	assert.equal(r.status, 400, r.text);
	assert.match(r.text, /gender/, "the answer names the field");
	const before = new Set(caseIds());

	const worker = await loginPage("worker1", PHONE);
	assert.equal(await worker.locator("nav a[href='#/review']").count(), 0, "no review queue for a caseworker");
	await worker.context().close();

	const page = await loginPage("manager1", PHONE);
	await page.click("nav a[href='#/review']");
	await page.waitForSelector("#review-table");
	const row = page.locator("#review-table tbody tr", { hasText: "gender" }).first();
	await row.waitFor();
	assert.match(await row.textContent(), /Did not pass the checks/);
	assert.match(await row.textContent(), /worker1/);
	assert.doesNotMatch(await page.content(), /Irina/, "no identifying answer on the list");
	assert.deepEqual(await axe(page), [], "the queue passes axe's WCAG A/AA rules");
	const width = await page.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(width <= 390, "nothing wider than the phone: " + width);
	await page.screenshot({ path: path.join(SHOTS, "review-queue-390.png"), fullPage: true });

	await row.locator("a").click();
	await page.waitForSelector("#review-fix");
	assert.match(await page.textContent("#review-why"), /gender/);
	assert.match(await page.textContent("#review-identifying"), /First name/, "names the sealed answers, not their text");
	assert.doesNotMatch(await page.content(), /Irina/, "the sealed name is not shown");
	assert.equal(await page.inputValue("#fld-citizenship"), "UA", "the form's coded answers are filled in");
	assert.deepEqual(await axe(page), [], "the entry passes axe's WCAG A/AA rules");
	await page.screenshot({ path: path.join(SHOTS, "review-fix-390.png"), fullPage: true });
	await page.selectOption("#fld-gender", "Masculine");
	await page.click("#review-accept");
	await page.waitForURL(/#\/review$/);
	const flash = await page.textContent("#flash");
	const m = /case ([A-Z0-9]{26})/.exec(flash);
	assert.ok(m, "the flash names the new case: " + flash);
	assert.ok(!before.has(m[1]) && caseIds().includes(m[1]), "the case exists now");
	const c = showCase(m[1]);
	assert.equal(c.gender, "Masculine", "with the manager's fix");
	assert.equal(c.citizenship, "UA", "and the phone's other answers");
	assert.equal(c.first_name, "Irina", "and its sealed identifying details");
	assert.deepEqual(page.problems, []);
	await page.context().close();
});

test("review queue: an offline edit of a changed case shows both versions side by side and is rejected with a reason", async () => {
	const page = await loginPage("manager1");
	await page.goto(h.base + "/#/review");
	const row = page.locator("#review-table tbody tr", { hasText: "changed" }).first();
	await row.waitFor();
	await row.locator("a").click();
	await page.waitForSelector("#review-compare");
	const head = await page.textContent("#review-compare thead");
	assert.match(head, /From the phone/);
	assert.match(head, /In casebank now/);
	assert.match(await page.textContent("#review-versions"), /version \d+ of case [A-Z0-9]{26}; it is now at version \d+/);
	assert.match(await page.textContent("#review-compare"), /stale edit|2026-02-01/, "the phone's answers are listed");
	assert.deepEqual(await axe(page), [], "the comparison passes axe's WCAG A/AA rules");
	await page.screenshot({ path: path.join(SHOTS, "review-conflict.png"), fullPage: true });
	const id = page.url().split("/").pop();
	await page.fill("#review-reason", "no");
	await page.click("#review-reject");
	assert.match(await page.textContent("#review-reason-err"), /at least 5/, "a reason is required");
	assert.equal(await page.getAttribute("#review-reason", "aria-invalid"), "true");
	await page.fill("#review-reason", "the follow-up was entered twice");
	await page.click("#review-reject");
	await page.waitForURL(/#\/review$/);
	assert.match(await page.textContent("#flash"), /Rejected/);
	const m = await managerApi();
	const e = await m("GET", "/api/review/" + id);
	assert.equal(e.body.state, "rejected");
	assert.deepEqual(page.problems, []);
	await page.context().close();
});

// ---- attachments on the case page

test("attachments (390 px): a caseworker uploads a photo to a case, sees it listed and downloads it", async (t) => {
	const id = made.enketo || made.webforms;
	assert.ok(id, "a case from the engines");
	const page = await loginPage("worker1", PHONE);
	const api = await page.evaluate(async (u) => {
		const r = await fetch(u, { headers: { Accept: "application/json" } });
		return { status: r.status, text: await r.text() };
	}, h.base + "/api/cases/" + id + "/attachments");
	if (api.status === 404 && !/attachments/.test(api.text)) {
		await page.context().close();
		t.skip("this server has no attachments API (GET /api/cases/{id}/attachments)");
		return;
	}
	assert.equal(api.status, 200, api.text);
	await page.goto(h.base + "/#/cases/" + id);
	await page.click("#tab-files"); // the case page's Files tab
	await page.waitForSelector("#case-attachments");
	// a 1x1 PNG, and a file of a type the server does not take
	const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
	await page.setInputFiles("#attach-file", { name: "evil.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ") });
	await page.click("#attach-upload");
	await page.waitForFunction(() => document.querySelector("#attach-err").textContent !== "");
	assert.match(await page.textContent("#attach-err"), /image\/png|not a type/, "a program is refused, naming what is taken");
	assert.equal(await page.getAttribute("#attach-file", "aria-invalid"), "true");
	assert.equal(await page.locator("#attach-table a.attach-link", { hasText: "evil.exe" }).count(), 0);
	await page.setInputFiles("#attach-file", { name: "passport-page.png", mimeType: "image/png", buffer: png });
	await page.click("#attach-upload");
	const link = page.locator("#attach-table a.attach-link", { hasText: "passport-page.png" });
	await link.waitFor();
	const wide = await page.evaluate(() => Array.from(document.querySelectorAll("#case-attachments *"))
		.filter((n) => n.getBoundingClientRect().right > 390).map((n) => n.tagName + "#" + n.id + "." + n.className));
	assert.deepEqual(wide, [], "nothing of the section wider than the phone");
	assert.deepEqual(await axe(page), [], "the section passes axe's WCAG A/AA rules");
	await page.screenshot({ path: path.join(SHOTS, "attachments-390.png"), fullPage: true });
	const got = await page.evaluate(async (href) => {
		const r = await fetch(href);
		return { status: r.status, bytes: Array.from(new Uint8Array(await r.arrayBuffer())) };
	}, await link.getAttribute("href"));
	assert.equal(got.status, 200);
	assert.deepEqual(Buffer.from(got.bytes), png, "the download is the file uploaded");
	assert.equal(fs.readFileSync(h.db).indexOf(png.subarray(8, 24)), -1, "the file is not on disk in plain");
	assert.deepEqual(page.problems, []);
	await page.context().close();
});

test("a photo sent with an encrypted registration (ODK media) becomes the new case's attachment", async () => {
	const before = new Set(caseIds());
	const iid = "uuid:" + crypto.randomUUID();
	const photo = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
	// the instance names the file as an ODK upload question's answer does; the file goes before the XML in the
	// order of encryption, so its IV is the first one
	const xml = registrationXml(iid, "Sofia");
	const r = await postEncrypted("casebank_registration", xml, { media: [{ name: "1700000000000.png", data: photo }] });
	assert.equal(r.status, 201, r.text);
	const added = caseIds().filter((id) => !before.has(id));
	assert.equal(added.length, 1);
	const page = await loginPage("worker1");
	const list = await page.evaluate(async (u) => (await fetch(u)).json(), h.base + "/api/cases/" + added[0] + "/attachments");
	assert.equal(list.attachments.length, 1, JSON.stringify(list));
	const a = list.attachments[0];
	assert.equal(a.name, "1700000000000.png");
	assert.equal(a.size, photo.length);
	const bytes = await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())),
		h.base + "/api/cases/" + added[0] + "/attachments/" + a.id);
	assert.deepEqual(Buffer.from(bytes), photo, "the photo decrypted as the phone encrypted it");
	await page.context().close();
});

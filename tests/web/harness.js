/*
 * harness.js -- what every browser test file needs, in one place: a fresh (demo) database, `casebank serve`
 * on an ephemeral port, Debian's headless Chromium (playwright-core) with pages in the language asked for,
 * accounts and their login, CSP violations and script errors collected, downloads, screenshots, and
 * axe-core's accessibility checks injected into a page.  Not a test file itself (node --test runs
 * *.test.js only).
 */
"use strict";
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const net = require("node:net");
const path = require("node:path");
const { chromium } = require("playwright-core");

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.resolve(ROOT, process.env.CASEBANK_BIN || "casebank");
const SHOTS = path.join(ROOT, "build", "test-logs", "web");
const PASSWORD = "correct horse battery staple";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync"];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on("error", reject);
		s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
	});
}

// start(opts) -> the harness of one server.  opts: name (of the temp directory, database and server log),
// cases and seed (a demo database of that many cases; none without cases), release (run `casebank release`:
// the statistics pages read the releases), users ([name, role, site?]: site is an office's code, or a number:
// the index of one of the demo database's offices, in h.sites), context (options of every browser context,
// such as a locale or a time zone).
async function start(opts) {
	const name = opts.name || "web";
	const h = { problems: [], log: "" };
	fs.mkdirSync(SHOTS, { recursive: true });
	h.dir = fs.mkdtempSync(path.join(os.tmpdir(), "casebank-" + name + "-"));
	h.db = path.join(h.dir, name + ".db");
	h.cli = (args, input) => execFileSync(BIN, args, { input: input || "", encoding: "utf8", cwd: h.dir,
		stdio: ["pipe", "pipe", "pipe"] });
	h.cli(["init", h.db]);
	if (opts.cases) h.cli(["demo", h.db, "--cases", String(opts.cases), "--seed", String(opts.seed || 11)]);
	if (opts.release) h.cli(["release", h.db]);
	// the offices that have cases, in the order `list` first shows them
	h.sites = [...new Set(h.cli(["list", h.db]).split("\n").slice(1).filter(Boolean).map((l) => l.trim().split(/\s+/)[1]))];
	h.site = h.sites[0];
	for (const [user, role, site] of opts.users || []) {
		const s = typeof site === "number" ? h.sites[site] : site;
		h.cli(["user", "add", h.db, user, "--role", role].concat(s ? ["--site", s] : []), PASSWORD + "\n");
	}
	const port = await freePort();
	h.base = "http://127.0.0.1:" + port;
	h.server = spawn(BIN, ["serve", h.db, "--listen", "127.0.0.1:" + port], { cwd: h.dir, stdio: ["ignore", "pipe", "pipe"] });
	h.server.stdout.on("data", (d) => { h.log += d; });
	h.server.stderr.on("data", (d) => { h.log += d; });
	h.server.on("exit", (code, sig) => {
		if (!h.stopping) { h.problems.push("server exited (" + (sig || code) + ")"); process.stderr.write(h.log.slice(-3000)); }
	});
	for (let i = 0; ; i++) {
		try { const r = await fetch(h.base + "/"); if (r.status === 200) break; } catch (e) { /* not up yet */ }
		if (h.server.exitCode !== null || i > 100) throw new Error("server did not start: " + h.log);
		await new Promise((r) => setTimeout(r, 100));
	}
	h.browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });

	// A page in a context of its own.  o: a viewport, or { viewport, locale } (the browser's language, sent
	// as Accept-Language).  CSP violations and script errors go to h.problems and to the page's own problems.
	h.newPage = async (o) => {
		o = o && o.width ? { viewport: o } : o || {};
		const ctx = await h.browser.newContext(Object.assign({ viewport: DESKTOP, acceptDownloads: true }, opts.context,
			o.viewport ? { viewport: o.viewport } : {}, o.locale ? { locale: o.locale } : {}));
		const page = await ctx.newPage();
		page.problems = [];
		const problem = (text) => { page.problems.push(text); h.problems.push(text); };
		page.on("console", (m) => {
			if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) problem(m.text());
		});
		page.on("pageerror", (e) => problem("page error: " + e.message));
		return page;
	};
	h.login = async (name, o) => {
		const page = await h.newPage(o);
		try {
			await page.goto(h.base + "/");
		} catch (e) {
			let st = "";
			try { st = fs.readFileSync("/proc/" + h.server.pid + "/status", "utf8").split("\n").slice(0, 3).join(" "); } catch (x) { st = "gone"; }
			throw new Error(e.message + " [server pid " + h.server.pid + " exit " + h.server.exitCode + " " + h.server.signalCode + " " + st + "]");
		}
		await page.fill("#login-user", name);
		await page.fill("#login-password", PASSWORD);
		await page.click("#login-form button[type=submit]");
		await page.waitForSelector("#logout");
		return page;
	};
	// The page at 1280 px (whole page) and at 390 px (what a phone shows), as NAME-1280.png and NAME-390.png.
	h.shots = async (page, name) => {
		const was = page.viewportSize();
		await page.setViewportSize(DESKTOP);
		await page.screenshot({ path: path.join(SHOTS, name + "-1280.png"), fullPage: true });
		await page.setViewportSize(PHONE);
		await page.screenshot({ path: path.join(SHOTS, name + "-390.png") });
		await page.setViewportSize(was);
	};
	// One screenshot as NAME.png: the whole page on a desktop, what the screen shows on a phone.
	h.shot = (page, name) => page.screenshot({ path: path.join(SHOTS, name + ".png"),
		fullPage: page.viewportSize().width > PHONE.width });
	// The file a click downloads: its suggested name and its bytes.
	h.download = async (page, selector) => {
		const [dl] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
		return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) };
	};
	// axe-core's violations on the page as it is now (WCAG 2.1 A and AA rules and best practice, or the
	// rules of the tags given), as "rule: target" lines.
	h.axe = async (page, tags) => {
		// evaluated through the DevTools protocol: the pages' CSP (default-src 'self') forbids inline scripts
		if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(AXE);
		const r = await page.evaluate((tags) => window.axe.run(document,
			{ runOnly: { type: "tag", values: tags } }), tags || ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]);
		return r.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", "));
	};
	// The JSON of an API call made by the page (its session and CSRF token).
	h.api = (page, method, url, body) => page.evaluate((a) => CB.api(a[0], a[1], a[2]).then((x) => x,
		(e) => ({ error: e.code, status: e.status, detail: e.detail })), [method, url, body]);
	h.stop = async () => {
		h.stopping = true;
		fs.writeFileSync(path.join(SHOTS, "..", name + "-server.log"), h.log);
		if (h.browser) await h.browser.close();
		if (h.server && h.server.exitCode === null) {
			h.server.kill("SIGTERM");
			await new Promise((r) => { h.server.once("exit", r); setTimeout(r, 3000); });
		}
		fs.rmSync(h.dir, { recursive: true, force: true });
	};
	return h;
}

module.exports = { start, PASSWORD, DESKTOP, PHONE, SHOTS };

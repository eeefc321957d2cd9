/*
 * fill.js -- fills an XForm in an engine's page the way a person does (clicking options, typing), from a list
 * of answers: [{ name, type: "select1" | "select" | "text" | "int" | "date", value }] (a select's value is an
 * array).  Enketo's controls carry the field's path (name="/data/x"); Web Forms' are found by the question's
 * label, read from the form's own itext in its default language, as a person finds them.
 */
"use strict";

function decode(s) {
	return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

// name -> label text in the default language (or the first), for questions labelled by itext or inline.
function labels(xform) {
	const out = {};
	const all = [...xform.matchAll(/<translation\b([^>]*)>([\s\S]*?)<\/translation>/g)];
	const def = all.find((m) => /\bdefault=/.test(m[1])) || all[0];
	const chosen = def ? def[2] : null;
	let m;
	if (chosen) {
		const t = /<text id="([^"]+):label">\s*<value>([\s\S]*?)<\/value>/g;
		while ((m = t.exec(chosen))) {
			const path = m[1].split("/");
			if (path.length === 3) out[path[2]] = decode(m[2]).trim();
		}
	}
	const ctl = /<(?:input|select1|select|upload)\s+ref="\/data\/([^"]+)"[^>]*>\s*<label>([^<]*)<\/label>/g;
	while ((m = ctl.exec(xform))) if (!(m[1] in out)) out[m[1]] = decode(m[2]).trim();
	return out;
}

async function fillEnketo(page, answers) {
	for (const a of answers) {
		const sel = `[name="/data/${a.name}"]`;
		if (a.type === "select1" || a.type === "select") {
			for (const v of [].concat(a.value)) await page.check(`input${sel}[value="${v}"]`);
		} else if (a.type === "date") {
			const fake = page.locator(`.question:has(input${sel}) .widget.date input`);
			await fake.fill(a.value);
			await fake.press("Tab");
		} else {
			await page.fill(`input${sel}, textarea${sel}`, String(a.value));
			await page.press(`input${sel}, textarea${sel}`, "Tab");
		}
	}
}

function exact(text) {
	return new RegExp("^\\s*" + text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "\\s*$");
}

async function fillWebForms(page, xform, answers) {
	const label = labels(xform);
	for (const a of answers) {
		if (!label[a.name]) throw new Error("no label for " + a.name);
		const q = page.locator(".question-container").filter({
			has: page.locator(".control-text label", { hasText: exact(label[a.name]) }) }).first();
		if (a.type === "select1" || a.type === "select") {
			for (const v of [].concat(a.value)) await q.locator(`label.value-option:has(input[value="${v}"])`).click();
		} else {
			const input = q.locator("input, textarea").first();
			await input.click();
			if (a.type === "date") {
				// typed into the date picker's field as it shows dates (PrimeVue's mm/dd/yyyy), then Enter
				const [y, m, d] = a.value.split("-");
				await input.fill(`${m}/${d}/${y}`);
				await input.press("Enter");
			} else if (a.type === "int") {
				// PrimeVue's number field takes keystrokes, not a pasted value
				await input.pressSequentially(String(a.value));
				await input.press("Tab");
			} else {
				await input.fill(String(a.value));
				await input.press("Tab");
			}
		}
	}
}

// Presses Web Forms' Send and returns the instance it hands over, or { refused: [what it says is wrong] }.
async function finishWebForms(page) {
	await page.getByRole("button", { name: /^Send$/ }).click();
	try {
		await page.waitForFunction(() => window.cbWebForms.submitted !== null, null, { timeout: 5000 });
	} catch (e) {
		// what Web Forms complains about, for the test's message
		return { refused: await page.evaluate(() => Array.from(document.querySelectorAll(".question-container"))
			.filter((q) => { const v = q.querySelector(".validation-message"); return v && v.textContent.trim() && v.style.display !== "none"; })
			.map((q) => q.querySelector(".control-text").textContent.trim() + ": " + q.querySelector(".validation-message").textContent.trim())) };
	}
	return page.evaluate(() => window.cbWebForms.submitted);
}

module.exports = { labels, fillEnketo, fillWebForms, finishWebForms };

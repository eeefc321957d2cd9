/*
 * openrosa.js -- the test's OpenRosa client, doing what ODK Collect does on the wire: every request carries
 * X-OpenRosa-Version: 1.0 and a Date; a 401 challenge is answered with HTTP Digest (RFC 7616, MD5, qop=auth)
 * when the server offers it, HTTP Basic otherwise; the form list is parsed for each form's download URL and
 * hash; a submission is one multipart/form-data POST (xml_submission_file, then the files).
 */
"use strict";
const crypto = require("node:crypto");

const md5 = (s) => crypto.createHash("md5").update(s).digest("hex");

function challenge(header) {
	const out = {};
	const re = /(\w+)=(?:"([^"]*)"|([^,\s]*))/g;
	let m;
	while ((m = re.exec(header))) out[m[1].toLowerCase()] = m[2] !== undefined ? m[2] : m[3];
	return out;
}

function authorization(wwwAuth, method, url, user, password) {
	if (wwwAuth && /^\s*Digest\b/i.test(wwwAuth)) {
		const c = challenge(wwwAuth.replace(/^\s*Digest\s+/i, ""));
		const uri = new URL(url).pathname + new URL(url).search;
		const cnonce = crypto.randomBytes(8).toString("hex"), nc = "00000001";
		const ha1 = md5(`${user}:${c.realm}:${password}`), ha2 = md5(`${method}:${uri}`);
		const qop = c.qop ? "auth" : null;
		const response = qop ? md5(`${ha1}:${c.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${c.nonce}:${ha2}`);
		return `Digest username="${user}", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", response="${response}"` +
			(c.opaque ? `, opaque="${c.opaque}"` : "") + (qop ? `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"` : "") +
			(c.algorithm ? `, algorithm=${c.algorithm}` : "");
	}
	return "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
}

class Client {
	constructor(base, user, password) {
		this.base = base;
		this.user = user;
		this.password = password;
		this.scheme = null; // the challenge last seen, reused like a phone does
	}
	// fetch with the OpenRosa headers; answers one 401 challenge.  Returns { status, headers, text, buf }.
	async request(method, path, body, contentType) {
		const url = path.startsWith("http") ? path : this.base + path;
		const send = async (auth) => {
			const headers = { "X-OpenRosa-Version": "1.0", "Date": new Date().toUTCString() };
			if (auth) headers.Authorization = auth;
			if (contentType) headers["Content-Type"] = contentType;
			const r = await fetch(url, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : body });
			const buf = Buffer.from(await r.arrayBuffer());
			return { status: r.status, headers: r.headers, buf, text: buf.toString("utf8") };
		};
		let r = await send(this.scheme ? authorization(this.scheme, method, url, this.user, this.password) : null);
		if (r.status === 401 && r.headers.get("www-authenticate")) {
			this.scheme = r.headers.get("www-authenticate");
			r = await send(authorization(this.scheme, method, url, this.user, this.password));
		}
		return r;
	}
	// The form list: [{ formID, name, version, hash, downloadUrl, manifestUrl }].
	async formList() {
		const r = await this.request("GET", "/formList");
		if (r.status !== 200) throw new Error("formList: " + r.status + " " + r.text);
		const forms = [];
		for (const m of r.text.matchAll(/<xform>([\s\S]*?)<\/xform>/g)) {
			const f = {};
			for (const k of ["formID", "name", "version", "hash", "downloadUrl", "manifestUrl"]) {
				const v = new RegExp(`<${k}>([^<]*)</${k}>`).exec(m[1]);
				f[k] = v ? v[1].replace(/&amp;/g, "&") : null;
			}
			forms.push(f);
		}
		return { forms, response: r };
	}
	// POSTs a multipart body (odk/../../odk/encrypt.mjs multipart()) to /submission.
	submit(mp) {
		return this.request("POST", "/submission", mp.body, mp.contentType);
	}
}

module.exports = { Client };

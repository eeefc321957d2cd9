/*
 * encrypt.mjs -- the client side of the ODK encryption specification (ODK XForms, "Encryption"), written from
 * the specification in Node's crypto, apart from casebank's own C code, so that the server's decryption is
 * tested against an independent implementation (what ODK Collect, KoboCollect and Enketo do on the phone):
 *   - a random AES-256 key per record, wrapped with RSA-OAEP, SHA-256 for both the OAEP digest and MGF1
 *     ("RSA/NONE/OAEPWithSHA256AndMGF1Padding" with Bouncy Castle's meaning);
 *   - every file AES-256-CFB (128-bit feedback) with PKCS#7 padding ("AES/CFB/PKCS5Padding" in Java);
 *   - IVs from MD5(instanceID || key), one byte incremented per file in the order of encryption
 *     (media first, one by one, then the XML);
 *   - the submission manifest (the XML part of the post) with base64EncryptedKey, encryptedXmlFile, media and
 *     base64EncryptedElementSignature (MD5 of the record's summary lines, wrapped like the key).
 * The OAEP encoding is written out (RFC 8017, 7.1.1) and the RSA step done raw, so the choice of MGF1's hash
 * is explicit here rather than an OpenSSL default; selfTest() checks it against Node's own OAEP-SHA-256.
 *
 *   import { encryptSubmission, publicKeyFromForm, multipart } from "./encrypt.mjs";
 */
import crypto from "node:crypto";

const HLEN = 32; // SHA-256

function sha256(...parts) {
	const h = crypto.createHash("sha256");
	for (const p of parts) h.update(p);
	return h.digest();
}

// MGF1 with SHA-256 (RFC 8017, B.2.1).
function mgf1(seed, len) {
	const out = Buffer.alloc(len);
	const counter = Buffer.alloc(4);
	for (let i = 0, off = 0; off < len; i++, off += HLEN) {
		counter.writeUInt32BE(i);
		sha256(seed, counter).copy(out, off);
	}
	return out;
}

// EME-OAEP encoding with SHA-256 and MGF1-SHA-256 and an empty label, for a modulus of k bytes.
function oaepEncode(message, k) {
	if (message.length > k - 2 * HLEN - 2) throw new Error("message too long for OAEP");
	const db = Buffer.concat([sha256(Buffer.alloc(0)), Buffer.alloc(k - message.length - 2 * HLEN - 2), Buffer.from([1]),
		message]);
	const seed = crypto.randomBytes(HLEN);
	const dbMask = mgf1(seed, db.length);
	const maskedDb = Buffer.from(db.map((b, i) => b ^ dbMask[i]));
	const seedMask = mgf1(maskedDb, HLEN);
	const maskedSeed = Buffer.from(seed.map((b, i) => b ^ seedMask[i]));
	return Buffer.concat([Buffer.from([0]), maskedSeed, maskedDb]);
}

// RSA-OAEP(SHA-256, MGF1-SHA-256) of data under the public key: the encoding above, then raw RSA.
export function rsaOaepSha256(publicKey, data) {
	const k = (publicKey.asymmetricKeyDetails.modulusLength + 7) >> 3;
	return crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_NO_PADDING }, oaepEncode(data, k));
}

// The public key of an encrypted XForm: <submission base64RsaPublicKey="..."> is a DER SubjectPublicKeyInfo.
export function publicKeyFromForm(xform) {
	const m = /base64RsaPublicKey\s*=\s*"([^"]+)"/.exec(xform);
	if (!m) throw new Error("the form has no base64RsaPublicKey: not an encrypted form");
	return publicKeyFromBase64(m[1]);
}

export function publicKeyFromBase64(b64) {
	return crypto.createPublicKey({ key: Buffer.from(b64.replace(/\s+/g, ""), "base64"), format: "der", type: "spki" });
}

// The IV for the n-th file (n from 1): the seed MD5(instanceID || key) with one byte incremented per file so far.
export function ivFor(instanceId, key, n) {
	const iv = crypto.createHash("md5").update(Buffer.from(instanceId, "utf8")).update(key).digest();
	for (let c = 0; c < n; c++) iv[c % 16] = (iv[c % 16] + 1) & 0xff;
	return iv;
}

// AES-256-CFB (CFB128) with PKCS#7 padding: the padding added by hand, since a stream mode pads nothing itself.
export function aesCfbPkcs7(key, iv, plain) {
	const pad = 16 - (plain.length % 16);
	const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
	const c = crypto.createCipheriv("aes-256-cfb", key, iv);
	return Buffer.concat([c.update(padded), c.final()]);
}

function xmlEscape(s) {
	return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/*
 * Encrypts one record. opts: { publicKey (KeyObject) or xform (the form's text), formId, version (if the form
 * has one), instanceId, xml (the filled-in instance), xmlName ("submission.xml"), media: [{ name, data }] }.
 * Returns { manifest, files: [{ name, data }] } in the order of encryption, plus the pieces a test may alter:
 * key, signatureLines.
 */
export function encryptSubmission(opts) {
	const publicKey = opts.publicKey || publicKeyFromForm(opts.xform);
	const instanceId = opts.instanceId;
	if (!instanceId) throw new Error("an encrypted record needs its instanceID");
	const xmlName = opts.xmlName || "submission.xml";
	const key = opts.key || crypto.randomBytes(32);
	const encKey = rsaOaepSha256(publicKey, key).toString("base64");
	const plainFiles = [...(opts.media || []).map((m) => ({ name: m.name, data: Buffer.from(m.data) })),
		{ name: xmlName, data: Buffer.from(opts.xml, "utf8") }];
	const files = plainFiles.map((f, i) => ({
		name: f.name + ".enc", data: aesCfbPkcs7(key, ivFor(instanceId, key, i + 1), f.data) }));
	const lines = [opts.formId];
	if (opts.version != null && opts.version !== "") lines.push(String(opts.version));
	lines.push(encKey, instanceId);
	for (const f of plainFiles) lines.push(f.name + "::" + crypto.createHash("md5").update(f.data).digest("hex"));
	const summary = lines.join("\n") + "\n";
	const digest = crypto.createHash("md5").update(Buffer.from(summary, "utf8")).digest();
	const signature = rsaOaepSha256(publicKey, digest).toString("base64");
	const version = opts.version != null && opts.version !== "" ? ` version="${xmlEscape(opts.version)}"` : "";
	const manifest = `<data xmlns="http://opendatakit.org/submissions" id="${xmlEscape(opts.formId)}" encrypted="yes"${version}>\n` +
		`<base64EncryptedKey>${encKey}</base64EncryptedKey>\n` +
		`<encryptedXmlFile>${xmlEscape(xmlName)}.enc</encryptedXmlFile>\n` +
		files.slice(0, -1).map((f) => `<media><file>${xmlEscape(f.name)}</file></media>\n`).join("") +
		`<base64EncryptedElementSignature>${signature}</base64EncryptedElementSignature>\n` +
		`<meta xmlns="http://openrosa.org/xforms"><instanceID>${xmlEscape(instanceId)}</instanceID></meta>\n</data>\n`;
	return { manifest, files, key, summary };
}

/*
 * A multipart/form-data body as ODK Collect posts it: the XML part named xml_submission_file, then each file
 * under its own name. parts: [{ name, filename, type, data }]. Returns { body, contentType }.
 */
export function multipart(xmlPart, files) {
	const boundary = "----casebank-odk-" + crypto.randomBytes(12).toString("hex");
	const chunks = [];
	const add = (name, filename, type, data) => {
		chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\n` +
			`Content-Type: ${type}\r\n\r\n`), Buffer.from(data), Buffer.from("\r\n"));
	};
	add("xml_submission_file", "submission.xml", "text/xml", xmlPart);
	for (const f of files || []) add(f.name, f.name, f.type || "application/octet-stream", f.data);
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(chunks), contentType: "multipart/form-data; boundary=" + boundary };
}

// Decrypts what encryptSubmission made, with Node's own OAEP-SHA-256 and AES: the test's check that the
// hand-written encoding above says what the specification means (no casebank code involved).
export function selfTest() {
	const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
	const xml = "<data id=\"t\"><meta><instanceID>uuid:1</instanceID></meta></data>";
	const out = encryptSubmission({ publicKey, formId: "t", instanceId: "uuid:1", xml,
		media: [{ name: "a.jpg", data: Buffer.from("picture") }] });
	const key = crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
		Buffer.from(/<base64EncryptedKey>([^<]+)</.exec(out.manifest)[1], "base64"));
	if (!key.equals(out.key)) throw new Error("OAEP: Node's SHA-256 OAEP does not recover the key");
	const d = crypto.createDecipheriv("aes-256-cfb", key, ivFor("uuid:1", key, 2));
	const plain = Buffer.concat([d.update(out.files[1].data), d.final()]);
	if (plain.subarray(0, plain.length - plain[plain.length - 1]).toString() !== xml) throw new Error("AES/IV mismatch");
	const sig = crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
		Buffer.from(/<base64EncryptedElementSignature>([^<]+)</.exec(out.manifest)[1], "base64"));
	if (!sig.equals(crypto.createHash("md5").update(out.summary).digest())) throw new Error("signature mismatch");
	return true;
}

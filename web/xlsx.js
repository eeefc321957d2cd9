/*
 * xlsx.js -- writes a one-sheet XLSX workbook (Office Open XML in an uncompressed zip) from rows of cells,
 * in the browser.  The table builder uses it to offer the server's protected CSV as a spreadsheet too, so
 * the statistics API needs only one tidy format.  Numbers become numeric cells, everything else inline text.
 */
"use strict";
(function () {
	var CRC = (function () {
		var t = new Uint32Array(256);
		for (var n = 0; n < 256; n++) {
			var c = n;
			for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			t[n] = c >>> 0;
		}
		return t;
	})();
	function crc32(b) {
		var c = 0xffffffff;
		for (var i = 0; i < b.length; i++) c = CRC[(c ^ b[i]) & 0xff] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	}
	function esc(s) {
		return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; })
			.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
	}
	function col(i) { var s = ""; for (i++; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + (i - 1) % 26) + s; return s; }

	// A stored (method 0) zip of {name: Uint8Array}.
	function zip(files) {
		var parts = [], central = [], off = 0;
		function u16(v) { return [v & 255, (v >>> 8) & 255]; }
		function u32(v) { return [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255]; }
		Object.keys(files).forEach(function (name) {
			var nm = new TextEncoder().encode(name), data = files[name], crc = crc32(data);
			var common = [].concat(u16(20), u16(0x0800), u16(0), u16(0), u16(0x21), u32(crc), u32(data.length), u32(data.length), u16(nm.length), u16(0));
			var local = new Uint8Array([0x50, 0x4b, 3, 4].concat(common));
			parts.push(local, nm, data);
			central.push(new Uint8Array([0x50, 0x4b, 1, 2].concat(u16(20), common, u16(0), u16(0), u16(0), u32(0), u32(off))), nm);
			off += local.length + nm.length + data.length;
		});
		var size = central.reduce(function (a, b) { return a + b.length; }, 0);
		var n = Object.keys(files).length;
		var end = new Uint8Array([0x50, 0x4b, 5, 6].concat(u16(0), u16(0), u16(n), u16(n), u32(size), u32(off), u16(0)));
		return new Blob(parts.concat(central, [end]), { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
	}

	window.CB.xlsx = function (rows, sheetName) {
		var enc = new TextEncoder(), head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
		var sheet = rows.map(function (r, i) {
			return '<row r="' + (i + 1) + '">' + r.map(function (v, j) {
				var ref = col(j) + (i + 1);
				return /^-?\d+(\.\d+)?$/.test(v) ? '<c r="' + ref + '"><v>' + v + "</v></c>"
					: '<c r="' + ref + '" t="inlineStr"><is><t>' + esc(v) + "</t></is></c>";
			}).join("") + "</row>";
		}).join("");
		var files = {
			"[Content_Types].xml": head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
				'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
				'<Default Extension="xml" ContentType="application/xml"/>' +
				'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
				'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
			"_rels/.rels": head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
				'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
			"xl/workbook.xml": head + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
				'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="' +
				esc((sheetName || "Table").slice(0, 31)) + '" sheetId="1" r:id="rId1"/></sheets></workbook>',
			"xl/_rels/workbook.xml.rels": head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
				'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
			"xl/worksheets/sheet1.xml": head + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
				sheet + "</sheetData></worksheet>"
		};
		Object.keys(files).forEach(function (k) { files[k] = enc.encode(files[k]); });
		return zip(files);
	};

	// The server writes a cell that a spreadsheet would run as a formula behind a ' (docs/formats.md); the
	// workbook's cells are inline text, never formulas, so that ' comes off again, by the server's own rule.
	function unguard(f) {
		var rest = f.replace(/^'+/, "");
		return f !== rest && /^[=+\-@\t\r]/.test(rest) && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(rest)
			? f.slice(1) : f;
	}

	// Splits CSV text (RFC 4180: quoted fields, doubled quotes) into rows.
	window.CB.parseCsv = function (text) {
		var rows = [], row = [], f = "", q = false;
		for (var i = 0; i < text.length; i++) {
			var c = text[i];
			if (c === "#" && !q && f === "" && !row.length) { /* a "# " note line (which releases): one cell */
				var end = text.indexOf("\n", i);
				if (end < 0) end = text.length;
				rows.push([text.slice(i, end).replace(/\r$/, "")]);
				i = end;
				continue;
			}
			if (q) {
				if (c === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c;
			} else if (c === '"') q = true;
			else if (c === ",") { row.push(unguard(f)); f = ""; }
			else if (c === "\n" || c === "\r") {
				if (c === "\r" && text[i + 1] === "\n") i++;
				row.push(unguard(f)); rows.push(row); row = []; f = "";
			} else f += c;
		}
		if (f !== "" || row.length) { row.push(unguard(f)); rows.push(row); }
		return rows;
	};
})();

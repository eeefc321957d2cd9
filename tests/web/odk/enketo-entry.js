/*
 * enketo-entry.js -- what the test page runs of Enketo (bundled by engines.js with esbuild): enketo-core's Form
 * on the HTML that enketo-transformer made of the XForm in Node.  window.cbEnketo.render(html, model) shows the
 * form and returns enketo's load errors; window.cbEnketo.finish() validates and returns the instance XML.
 */
import { Form } from "enketo-core";

let form = null;
window.cbEnketo = {
	render(html, model) {
		const host = document.getElementById("host");
		host.innerHTML = html;
		form = new Form(host.querySelector("form.or"), { modelStr: model }, { language: "English" });
		return form.init();
	},
	async finish() {
		const valid = await form.validate();
		return { valid, xml: form.getDataStr() };
	},
};

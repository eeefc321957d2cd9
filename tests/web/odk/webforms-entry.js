/*
 * webforms-entry.js -- what the test page runs of ODK Web Forms (bundled by engines.js with esbuild): the
 * OdkWebForm Vue component on the XForm as the server sent it.  window.cbWebForms.render(xml) mounts it;
 * pressing its own Send button hands the instance to window.cbWebForms.submitted (the instance XML).
 */
import { createApp, h } from "vue";
import { OdkWebForm, webFormsPlugin } from "@getodk/web-forms";

window.cbWebForms = {
	submitted: null,
	errors: [],
	render(formXml) {
		const app = createApp({
			render: () => h(OdkWebForm, {
				formXml,
				fetchFormAttachment: () => Promise.resolve(new Response("", { status: 404 })),
				missingResourceBehavior: "BLANK",
				onSubmit: async (payload, callback) => {
					const file = payload.data[0].get("xml_submission_file");
					window.cbWebForms.submitted = await file.text();
					if (callback) callback({ status: "success" });
				},
			}),
		});
		app.config.errorHandler = (e) => { window.cbWebForms.errors.push(String(e && e.stack || e)); };
		app.use(webFormsPlugin);
		app.mount("#host");
	},
};

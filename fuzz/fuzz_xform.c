/*
 * fuzz_xform.c -- arbitrary bytes through the submission XML parser (src/io/xform_map.c: libxml2 with no DTD,
 * no entities, no network) and, when they parse, through the mapping onto a case of both the registration
 * form and the HTCDS form.  Nothing may crash, leak or overrun.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/xform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_xform_instance *in = NULL;
	struct cb_err err = {0};
	if (cb_xform_instance_parse((const char *)data, size, &in, &err) != CB_OK)
		return 0;
	struct cb_case c;
	cb_case_init(&c);
	(void)cb_xform_to_case(in, NULL, &c, &err);
	cb_case_clear(&c);
	for (int i = 0; i < in->n; i++)
		(void)cb_xform_field(in, in->f[i].name);
	free(in->form_id);
	in->form_id = strdup(CB_XFORM_HTCDS_ID);
	if (in->form_id) {
		cb_case_init(&c);
		(void)cb_xform_to_case(in, NULL, &c, &err);
		cb_case_clear(&c);
	}
	cb_xform_instance_free(&in);
	return 0;
}

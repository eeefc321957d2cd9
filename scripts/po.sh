#!/bin/sh
# po.sh -- `make po`: the command-line and error messages of src/ into po/casebank.pot (xgettext), merged into
# every po/LL.po (msgmerge; po/en.po gets msgen's English).  Web strings, codebook labels and report texts are
# kept by hand (po/README.md); tests/util/test_i18n.c lists what any catalogue lacks.
set -eu
cd "$(dirname "$0")/.."
xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=cb_err_set:3 --keyword=cb_err_field:4 \
	--add-comments=TRANSLATORS --no-location --sort-output --package-name=casebank -o po/casebank.pot \
	$(find src -name '*.c' | sort)
for po in po/*.po; do
	msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" po/casebank.pot
done
# English translates itself: every new msgid of the template gets its own text in po/en.po
msgen po/en.po -o po/en.po
echo "po: $(grep -c '^msgid' po/casebank.pot) messages in po/casebank.pot; run make test to see what is untranslated"

#!/bin/sh
# po.sh -- `make po`: the messages marked _() and N_() in src/ into po/casebank.pot (xgettext), added to every
# po/LL.po that lacks them (msgcat: translations already there are kept, nothing is dropped), and translated
# into English in po/en.po (msgen).  Web strings, codebook labels, report texts and the error texts of
# cb_err_set/cb_err_field that people meet are kept by hand (po/README.md); tests/util/test_i18n.c lists what
# any catalogue lacks.
set -eu
cd "$(dirname "$0")/.."
xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ --add-comments=TRANSLATORS --no-location \
	--sort-output --package-name=casebank -o po/casebank.pot $(find src -name '*.c' | sort)
for po in po/*.po; do
	msgcat --use-first "$po" po/casebank.pot -o "$po.new"
	mv "$po.new" "$po"
done
msgen --use-first po/en.po -o po/en.po.new 2>/dev/null || msgen po/en.po -o po/en.po.new
mv po/en.po.new po/en.po
echo "po: $(grep -c '^msgid' po/casebank.pot) marked messages; make build/tests/util/test_i18n shows what is untranslated"

# casebank -- build, test and demo.
#
#   make          build ./casebank
#   make demo     install missing packages, build, create demo/demo.db with 20,000 synthetic cases (and partners,
#                 workflow stages and assistance for some offices, 2% planted duplicates, twelve cases assigned
#                 to the demo caseworker), release its statistics, show a table,
#                 create one demo login per role and serve the web interface (Ctrl-C stops it;
#                 CASEBANK_DEMO_NO_SERVE=1 make demo stops before serving, for non-interactive runs)
#   make check    install missing packages, build, run every test (plain, then ASan+UBSan), fuzz for a while
#   make install PREFIX=/usr/local
#
# Objects go to build/ (plain) and build/san/ (AddressSanitizer + UndefinedBehaviorSanitizer); fuzz targets
# to build/fuzz/ (clang, libFuzzer).  Every .c under src/ except src/cli/ goes into the library that the
# binary, the tests and the fuzz targets share.

PREFIX   ?= /usr/local
CC       ?= cc
CLANG    ?= clang
PKGS     := sqlite3 libpq libsodium jansson libmicrohttpd xlsxwriter gmp openssl libxml-2.0
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=c17 -D_DEFAULT_SOURCE $(WARN) -Iinclude -Isrc $(PKG_CFLAGS) $(CFLAGS)
LDLIBS   := $(PKG_LIBS) -lm -lpthread
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC  := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/*/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
# Each compile writes a .d file beside its output listing the headers it read (-MMD), with an empty rule per
# header (-MP) so that deleting one does not break the build; touching a header rebuilds only what includes it.
DEPFLAGS := -MMD -MP

LIB_OBJ     := $(LIB_SRC:%.c=build/%.o)
LIB_OBJ_SAN := $(LIB_SRC:%.c=build/san/%.o)
# The web interface (every file under web/) joins the library as one generated source (scripts/embed.c).
WEB_FILES   := $(sort $(shell find web -type f ! -name '.*' 2>/dev/null))
LIB_OBJ     += build/gen/web_assets.o
LIB_OBJ_SAN += build/san/gen/web_assets.o
# The message catalogues: one po/LL.po a language (gettext), compiled by msgfmt and embedded like the web
# files, each with iso-codes' country names in that language (src/util/i18n.h).
LANGS       := $(sort $(basename $(notdir $(wildcard po/*.po))))
MO_FILES    := $(LANGS:%=build/locale/%.mo) $(LANGS:%=build/locale/%.countries.mo)
ISO_LOCALE  ?= /usr/share/locale
LIB_OBJ     += build/gen/catalogues.o
LIB_OBJ_SAN += build/san/gen/catalogues.o
CLI_OBJ     := $(CLI_SRC:%.c=build/%.o)
TESTS       := $(TEST_SRC:%.c=build/%)
TESTS_SAN   := $(TEST_SRC:%.c=build/san/%)
FUZZERS     := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)

FUZZ_SECONDS ?= 12

.PHONY: po all deps deps-test demo check test test-san test-pg test-web fuzz fuzz-run install clean bench
.DELETE_ON_ERROR:

all: casebank

deps:
	@sh scripts/deps.sh

# The tests need a PostgreSQL server's programs as well (they start throwaway clusters); make demo does not.
deps-test:
	@sh scripts/deps.sh test

casebank: $(CLI_OBJ) build/libcasebank.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) build/libcasebank.a $(LDLIBS)

build/libcasebank.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) $(DEPFLAGS) -c -o $@ $<

# The discrete Gaussian sampler must not touch floating point (its noise would leak through rounding):
# -mgeneral-regs-only makes the compiler refuse any float in it.  Only on x86-64, where gcc and clang both have
# the flag and where tests/stats/test_dgauss.c, which checks the object's disassembly as well, knows the opcodes.
NOFLOAT := $(if $(filter x86_64 amd64,$(shell uname -m)),-mgeneral-regs-only)
build/src/stats/dgauss.o build/san/src/stats/dgauss.o: ALL_CFLAGS += $(NOFLOAT)
build/fuzz/obj/src/stats/dgauss.o: FUZZ_CFLAGS += $(NOFLOAT)

build/san/libcasebank.a: $(LIB_OBJ_SAN)
	@rm -f $@
	ar rcs $@ $^

build/tests/%: tests/%.c build/libcasebank.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -MF $@.d -MT $@ -Itests -o $@ $< build/libcasebank.a $(LDLIBS) -lcmocka

build/san/tests/%: tests/%.c build/san/libcasebank.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) $(DEPFLAGS) -MF $@.d -MT $@ -Itests -o $@ $< build/san/libcasebank.a $(LDLIBS) -lcmocka

# libFuzzer targets: the library is compiled once more with clang and the fuzzer's instrumentation.
FUZZ_CFLAGS := -std=c17 -D_DEFAULT_SOURCE -Iinclude -Isrc $(PKG_CFLAGS) -g -O1
LIB_OBJ_FUZZ := $(LIB_SRC:%.c=build/fuzz/obj/%.o) build/fuzz/obj/gen/web_assets.o build/fuzz/obj/gen/catalogues.o
# Named only by a pattern rule, they would count as intermediate and be deleted after each build: then the
# next one, which knows them from their .d files, would compile them all again.
.SECONDARY: $(LIB_OBJ_FUZZ)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

build/fuzz/%: fuzz/%.c $(LIB_OBJ_FUZZ)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -MF $@.d -MT $@ -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB_OBJ_FUZZ) $(LDLIBS)

# The embedded web interface: a host tool writes the table, compiled like any library source.  web/ itself is a
# prerequisite so that adding or removing a file regenerates it.
build/embed: scripts/embed.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $<

build/gen/web_assets.c: build/embed web $(WEB_FILES)
	@mkdir -p $(dir $@)
	build/embed $@ web $(WEB_FILES)

build/gen/web_assets.o: build/gen/web_assets.c
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/san/gen/web_assets.o: build/gen/web_assets.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) $(DEPFLAGS) -c -o $@ $<

build/fuzz/obj/gen/web_assets.o: build/gen/web_assets.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

# msgfmt --check refuses a translation whose printf directives differ from the English ones.
build/locale/%.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# A language iso-codes lacks gets an empty catalogue: its country names stay English.
build/locale/%.countries.mo: po/%.po
	@mkdir -p $(dir $@)
	@if [ -f $(ISO_LOCALE)/$*/LC_MESSAGES/iso_3166-1.mo ]; then cp $(ISO_LOCALE)/$*/LC_MESSAGES/iso_3166-1.mo $@; \
	else printf 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n' | msgfmt -o $@ -; fi

build/gen/catalogues.c: build/embed $(MO_FILES)
	@mkdir -p $(dir $@)
	build/embed -s cb_catalogue_files cb_catalogue_file util/i18n.h $@ build/locale $(MO_FILES)

build/gen/catalogues.o: build/gen/catalogues.c
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/san/gen/catalogues.o: build/gen/catalogues.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) $(DEPFLAGS) -c -o $@ $<

build/fuzz/obj/gen/catalogues.o: build/gen/catalogues.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

# The maintainer's step after changing messages: po/casebank.pot from the sources, merged into each po/LL.po.
po:
	@sh scripts/po.sh

build/san/casebank: $(CLI_SRC:%.c=build/san/%.o) build/san/libcasebank.a
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

# Each test binary runs twice: plain against ./casebank, and sanitized against build/san/casebank.
# scripts/layers.sh counts as one more test: no file of src/ includes a higher layer, no SQLite outside store/.
LAYERS := scripts/layers.sh
test: casebank $(TESTS)
	@FUZZ_SECONDS=0 sh scripts/run-tests.sh $(LAYERS) $(TESTS)

test-san: build/san/casebank $(TESTS_SAN)
	@FUZZ_SECONDS=0 sh scripts/run-tests.sh $(TESTS_SAN)

# The plain test binaries that get their databases from cbt_db, again on PostgreSQL (one throwaway cluster).
test-pg: casebank $(TESTS)
	@sh scripts/run-tests.sh --pg $(TESTS)

fuzz: $(FUZZERS)

# The browser tests alone (tests/web: headless chromium against ./casebank serve).
test-web: deps casebank
	@sh scripts/run-tests.sh tests/web

# The README's test command: every test binary plain, then under the sanitizers, then each fuzz target for
# FUZZ_SECONDS, the browser tests, and last the plain binaries that open databases once more on PostgreSQL
# (lines "PASS pg ...").  The last line is the combined "N passed, N failed" count.
check: deps-test
	@$(MAKE) --no-print-directory -j2 casebank build/san/casebank $(TESTS) $(TESTS_SAN) $(FUZZERS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh scripts/run-tests.sh $(LAYERS) $(TESTS) $(TESTS_SAN) $(FUZZERS) tests/web \
		--pg $(TESTS)

DEMO_DB ?= demo/demo.db
DEMO_LISTEN ?= 127.0.0.1:8080
demo: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(dir $(DEMO_DB))
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).casekeys $(DEMO_DB).casekeys-wal \
		$(DEMO_DB).casekeys-shm $(DEMO_DB).key $(DEMO_DB).planted
	./casebank init $(DEMO_DB)
	@# 2% of the people registered twice, with errors (casebank duplicates finds them; the true pairs are in
	@# DB.planted, outside the database)
	./casebank demo $(DEMO_DB) --cases 20000 --seed 1 --assistance --duplicates 0.02 --truth $(DEMO_DB).planted
	@# statistics come from differentially private releases: one per year of registration
	./casebank release $(DEMO_DB)
	./casebank stats $(DEMO_DB) --by year,gender --where "year >= 2015"
	@# one login per role (demo passwords: never use them for real data)
	@echo "demo-admin-pw" | ./casebank user add $(DEMO_DB) admin --role admin
	@echo "demo-manager-pw" | ./casebank user add $(DEMO_DB) manager --role manager
	@echo "demo-caseworker-pw" | ./casebank user add $(DEMO_DB) caseworker --role caseworker --site MD-CHISINAU
	@echo "demo-analyst-pw" | ./casebank user add $(DEMO_DB) analyst --role analyst
	@# the caseworker's "my cases": the twelve newest of her office assigned to her
	@./casebank list $(DEMO_DB) --site MD-CHISINAU | sed -n '2,13p' | while read id rest; do \
		./casebank assign $(DEMO_DB) $$id caseworker >/dev/null || exit 1; done
	@echo
	@echo "Web interface: http://$(DEMO_LISTEN)/"
	@echo "ODK form list (ODK Collect, KoboCollect, Enketo; docs/field.md): http://$(DEMO_LISTEN)/formList"
	@echo "Logins (name / password):"
	@echo "  admin      / demo-admin-pw"
	@echo "  manager    / demo-manager-pw"
	@echo "  caseworker / demo-caseworker-pw   (office MD-CHISINAU)"
	@echo "  analyst    / demo-analyst-pw"
	@if [ -n "$(CASEBANK_DEMO_NO_SERVE)" ]; then echo "(CASEBANK_DEMO_NO_SERVE is set: not starting the server)"; \
	else echo "Ctrl-C stops the server."; ./casebank serve $(DEMO_DB) --listen $(DEMO_LISTEN); fi

bench: casebank build/bench/stats_bench
	@sh bench/stats.sh

# The statistics benchmark's harness (bench/stats.sh runs it).
build/bench/stats_bench: bench/stats_bench.c build/libcasebank.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -MF $@.d -MT $@ -o $@ $< build/libcasebank.a $(LDLIBS)

# The releases' accuracy and speed benchmark (bench/release.sh runs it; not part of make check).
build/bench/release_bench: bench/release_bench.c build/libcasebank.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -MF $@.d -MT $@ -o $@ $< build/libcasebank.a $(LDLIBS)

# The ODK server's load benchmark (bench/odk.sh runs it; not part of make check).
build/bench/odk_bench: bench/odk_bench.c build/libcasebank.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -MF $@.d -MT $@ -Itests -o $@ $< build/libcasebank.a $(LDLIBS)

install: casebank
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 casebank $(DESTDIR)$(PREFIX)/bin/casebank
	install -m 0644 man/casebank.1 $(DESTDIR)$(PREFIX)/share/man/man1/casebank.1

clean:
	rm -rf build casebank

# The header lists the compiler wrote (none yet in a clean tree: the first build compiles everything anyway).
-include $(wildcard $(LIB_OBJ:.o=.d) $(LIB_OBJ_SAN:.o=.d) $(LIB_OBJ_FUZZ:.o=.d) $(CLI_OBJ:.o=.d) \
	$(CLI_SRC:%.c=build/san/%.d) $(TESTS:=.d) $(TESTS_SAN:=.d) $(FUZZERS:=.d) build/bench/*.d)

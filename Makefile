# gotrace - build, test, install. `make help` lists the targets.

CC      ?= cc
CFLAGS  ?= -O2 -g
AR      ?= ar
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

B := build
VERSION_MAJOR := $(shell sed -n 's/^\#define GT_VERSION_MAJOR \([0-9]*\).*/\1/p' codec/gotrace.h)
VERSION_MINOR := $(shell sed -n 's/^\#define GT_VERSION_MINOR \([0-9]*\).*/\1/p' codec/gotrace.h)
VERSION_PATCH := $(shell sed -n 's/^\#define GT_VERSION_PATCH \([0-9]*\).*/\1/p' codec/gotrace.h)
VERSION := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)
SONAME  := libgotrace.so.$(VERSION_MAJOR)

# The strict warning set (aesthetics.md 8.20). WERROR=1 (set by CI) adds -Werror.
WARN := -std=c11 -Wall -Wextra -Wcast-qual -Wcast-align -Wshadow -Wconversion -Wsign-conversion \
        -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wpointer-arith -Wvla -Wformat=2 \
        -Winit-self -Wfloat-equal -Wwrite-strings -Wredundant-decls -Wswitch-enum -Wstrict-aliasing=1
ifneq ($(shell $(CC) --version 2>/dev/null | grep -c 'Free Software'),0)
WARN += -Wlogical-op -Wduplicated-cond -Wduplicated-branches
endif
ifeq ($(WERROR),1)
WARN += -Werror
endif
XXH_CFLAGS := $(shell pkg-config --cflags libxxhash 2>/dev/null)
XXH_LIBS   := $(shell pkg-config --libs libxxhash 2>/dev/null || echo -lxxhash)
ALL_CFLAGS := $(WARN) $(CFLAGS) -D_POSIX_C_SOURCE=200809L -fPIC -fvisibility=hidden -Icodec $(XXH_CFLAGS)

# libgotrace is every codec/<concern>/*.c except the capture layer, which is
# its own library on top of it (codec/capture/capture.mk).
LIB_SRC := $(filter-out codec/capture/%,$(sort $(wildcard codec/*/*.c)))
CLI_SRC := $(sort $(wildcard cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/obj/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
EXAMPLE_SRC := $(sort $(wildcard examples/*.c))
EXAMPLE_BIN := $(EXAMPLE_SRC:examples/%.c=$(B)/examples/%)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)

.PHONY: all lib cli examples test unit check-symbols sanitize asan ubsan install uninstall demo bench deps \
        difftest format clean help

all: lib cli examples ## build build/libgotrace.{a,so}, build/gotrace and build/examples/

examples: $(EXAMPLE_BIN) ## build the example programs into build/examples/ (against the shared library)

lib: $(B)/libgotrace.a $(B)/libgotrace.so $(B)/gotrace.pc ## build the static and shared libraries

cli: $(B)/gotrace ## build the gotrace command

$(B)/obj/%.o: %.c $(wildcard codec/*.h codec/*/*.h cli/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/libgotrace.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/libgotrace.so.$(VERSION): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,-z,defs $(CFLAGS) $^ -o $@ $(XXH_LIBS)

$(B)/libgotrace.so: $(B)/libgotrace.so.$(VERSION)
	ln -sf libgotrace.so.$(VERSION) $(B)/$(SONAME)
	ln -sf libgotrace.so.$(VERSION) $@

$(B)/gotrace.pc: gotrace.pc.in Makefile
	@mkdir -p $(B)
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' $< > $@

$(B)/gotrace: $(CLI_OBJ) $(B)/libgotrace.a
	$(CC) $(CFLAGS) $(CLI_OBJ) $(B)/libgotrace.a $(XXH_LIBS) -lm -o $@

# Examples link the shared library the way an installed user would.
$(B)/examples/%: examples/%.c codec/gotrace.h $(B)/libgotrace.so
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra $(CFLAGS) -Icodec $< -L$(B) -lgotrace -Wl,-rpath,'$$ORIGIN/..' -o $@

# ---- tests --------------------------------------------------------------
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
TEST_CFLAGS := -std=c11 -Wall -Wextra $(CFLAGS) -D_POSIX_C_SOURCE=200809L -Icodec $(CMOCKA_CFLAGS)

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(B)/libgotrace.a
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $< $(B)/libgotrace.a $(CMOCKA_LIBS) $(XXH_LIBS) -lm -o $@

$(B)/tools/%: tests/tools/%.c $(wildcard tests/unit/*.h tests/tools/*.h) $(B)/libgotrace.a
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $< $(B)/libgotrace.a $(XXH_LIBS) -lm -o $@

deps: ## install the Debian packages the build and tests need (scripts/deps.sh)
	@scripts/deps.sh --check || scripts/deps.sh

unit: all $(UNIT_BIN) $(TOOL_BIN) ## build and run the cmocka unit tests only
	@tests/run.sh --unit-only

test: deps all $(UNIT_BIN) $(TOOL_BIN) ## run every test: unit, CLI, conformance, interop, robustness (ASan/UBSan)
	@tests/run.sh

check-symbols: $(B)/libgotrace.so ## fail if the shared library exports a symbol without the gt_ prefix
	@tests/scripts/check_symbols.sh $(B)/libgotrace.so

# Sanitizer builds live in their own tree so they never mix with the release
# objects; they build the command, unit tests and tools (not the .so, whose
# sanitizer runtime would have to come from the executable).
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all
san_targets = $(1)/gotrace $(addprefix $(1)/tests/,$(notdir $(UNIT_BIN))) $(addprefix $(1)/tools/,$(notdir $(TOOL_BIN)))
sanitize: ## run the unit and robustness tests under ASan+UBSan (build/san)
	$(MAKE) B=$(B)/san CC=clang CFLAGS="$(SAN_FLAGS) -fsanitize=address,undefined" $(call san_targets,$(B)/san)
	GT_BUILD=$(B)/san tests/run.sh --sanitized
asan: ## the same under AddressSanitizer only (build/asan)
	$(MAKE) B=$(B)/asan CC=clang CFLAGS="$(SAN_FLAGS) -fsanitize=address" $(call san_targets,$(B)/asan)
	GT_BUILD=$(B)/asan tests/run.sh --sanitized
ubsan: ## the same under UndefinedBehaviorSanitizer only (build/ubsan)
	$(MAKE) B=$(B)/ubsan CC=clang CFLAGS="$(SAN_FLAGS) -fsanitize=undefined" $(call san_targets,$(B)/ubsan)
	GT_BUILD=$(B)/ubsan tests/run.sh --sanitized

# ---- the main job ------------------------------------------------------------
demo: deps all ## build, then validate, summarise and dump the bundled example traces and record one live
	@echo "== gotrace validate: Go's verdict on the bundled traces (written by Go 1.19, 1.22, 1.23, 1.27)"
	@for f in examples/traces/*.trace; do $(B)/gotrace validate $$f || exit 1; done
	@echo; echo "== the library: examples/validate.c (wire items), examples/parsed.c (ordered events)"
	@$(B)/examples/validate examples/traces/go127-small.trace
	@$(B)/examples/parsed examples/traces/go127-small.trace 3 | tail -n 16
	@echo; echo "== gotrace stats"
	@$(B)/gotrace stats examples/traces/go127-small.trace | head -n 12
	@echo; echo "== gotrace dump: wire events in Go's raw text form"
	@$(B)/gotrace dump examples/traces/go127-small.trace | head -n 8
	@echo; echo "== gotrace dump --parsed: ordered events, as go tool trace -d=parsed prints them"
	@TZ=UTC $(B)/gotrace dump --parsed examples/traces/go127-small.trace | grep '^M=' | head -n 6
	@echo; echo "== live capture: examples/capture-demo (8 threads of C) records a trace; gotrace validates it"
	@$(B)/examples/capture-demo $(B)/capture-demo.trace
	@$(B)/gotrace validate $(B)/capture-demo.trace
	@TZ=UTC $(B)/gotrace dump --parsed $(B)/capture-demo.trace | grep -E 'TaskBegin|RegionBegin|Log ' | head -n 4

bench: deps all $(TOOL_BIN) ## print throughput and peak RSS beside Go's own tools (not a test)
	@bench/run.sh

# Differential campaign against Go 1.27's reader (not a test; `make test` runs a small sample).
N ?= 100000
DIFF_SOURCES = build/go/traces/tiny-go1*.trace build/go/traces/go12[2-7]-gens.trace \
               build/go/traces/go12[3-7]-allocfree.trace build/go/gotests/go12*.trace
difftest: deps all ## mutants of real traces judged by gotrace and Go 1.27's reader: make difftest N=100000 [SEED=s]
	@bash tests/go/gotests.sh >/dev/null
	@python3 tests/diff/difftest.py -n $(N) $(if $(SEED),--seed $(SEED)) --out $(B)/reports/difftest $(DIFF_SOURCES)

# Fuzzing targets (fuzz-smoke, fuzz, afl, coverage, ...) live beside the harnesses.
-include fuzz/fuzz.mk
# The live-capture library (libgotrace-capture) and its tests.
-include codec/capture/capture.mk

# ---- install ---------------------------------------------------------------
install: all ## install library, header, pkg-config file and command (PREFIX, DESTDIR, LIBDIR, ...)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR)
	install -m 644 $(B)/libgotrace.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(B)/libgotrace.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libgotrace.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf libgotrace.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libgotrace.so
	install -m 644 codec/gotrace.h $(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' \
	    gotrace.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/gotrace.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/gotrace.pc
	install -m 755 $(B)/gotrace $(DESTDIR)$(BINDIR)/

uninstall: ## remove what install put in place
	rm -f $(DESTDIR)$(LIBDIR)/libgotrace.a $(DESTDIR)$(LIBDIR)/libgotrace.so.$(VERSION) \
	      $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libgotrace.so \
	      $(DESTDIR)$(INCLUDEDIR)/gotrace.h $(DESTDIR)$(PKGCONFIGDIR)/gotrace.pc $(DESTDIR)$(BINDIR)/gotrace

format: ## reformat the C sources with clang-format
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(wildcard codec/*.h codec/*/*.h cli/*.h tests/unit/*.c tests/tools/*.c)

clean: ## remove build/
	rm -rf $(B)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

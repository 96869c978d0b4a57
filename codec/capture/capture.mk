# The live-capture library (codec/capture): libgotrace-capture.{a,so} on top
# of libgotrace, its pkg-config file, its example, tests and benchmark.
# Included by the top Makefile (B, CC, CFLAGS, WARN, ALL_CFLAGS, XXH_*, VERSION...).
#
#   build/libgotrace-capture.a     one relocatable object: the capture code, the
#                                  output sink and libbacktrace, with every symbol
#                                  but gt_cap_* made local (no clash with the
#                                  user's own libbacktrace or libgotrace.a)
#   build/libgotrace-capture.so    the same object, linked against libgotrace.so
#   build/gotrace-capture.pc
#   build/examples/capture-demo    examples/capture-demo.c
#   build/tests/test_capture_*     tests/capture/test_capture_*.c (run by tests/run.sh)
#   build/capture/<tool>           the other tests/capture/*.c (driven by tests/scripts/t_capture_*.sh)
#   build/capture/capture_bench    bench/capture_bench.c (make bench)

CAP_SRC := $(sort $(wildcard codec/capture/*.c))
CAP_OBJ := $(CAP_SRC:%.c=$(B)/obj/%.o)
CAP_HDR := codec/capture/gotrace_capture.h codec/capture/cap.h
CAP_SONAME := libgotrace-capture.so.$(VERSION_MAJOR)

# libbacktrace ships with GCC (libgcc-N-dev): symbolization at dump time. Its
# headers sit in GCC's private include directory, which clang must not see
# whole (GCC's stdatomic.h breaks clang): link the two headers into our own.
CAP_BT_LIB := $(shell gcc -print-file-name=libbacktrace.a 2>/dev/null)
CAP_BT_INC := $(shell gcc -print-file-name=include 2>/dev/null)
ifneq ($(wildcard $(CAP_BT_LIB)),)
ifneq ($(wildcard $(CAP_BT_INC)/backtrace.h),)
CAP_HAVE_BT := 1
endif
endif
ifeq ($(CAP_HAVE_BT),1)
CAP_BT_DIR := $(B)/capture/include
CAP_BT_CFLAGS := -DGT_CAP_HAVE_BACKTRACE -I$(CAP_BT_DIR)
CAP_BT_LINK := $(CAP_BT_LIB)
$(CAP_BT_DIR)/backtrace.h:
	@mkdir -p $(CAP_BT_DIR)
	ln -sf $(CAP_BT_INC)/backtrace.h $(CAP_BT_INC)/backtrace-supported.h $(CAP_BT_DIR)/
CAP_BT_DEP := $(CAP_BT_DIR)/backtrace.h
endif

# Frame pointers everywhere in the capture code (its stacks start in it).
CAP_CFLAGS := -fno-omit-frame-pointer -pthread -Icodec/capture $(CAP_BT_CFLAGS)
$(CAP_OBJ): ALL_CFLAGS += $(CAP_CFLAGS)
$(CAP_OBJ): $(CAP_HDR) $(CAP_BT_DEP)

CAP_LIBS := $(B)/libgotrace-capture.a $(B)/libgotrace-capture.so $(B)/gotrace-capture.pc

.PHONY: capture install-capture uninstall-capture
all: capture
capture: $(CAP_LIBS) ## build build/libgotrace-capture.{a,so} (the live-capture library)

$(B)/obj/capture-all.o: $(CAP_OBJ) $(B)/obj/codec/sink/sink.o
	$(LD) -r -o $@.tmp $^ $(CAP_BT_LINK)
	objcopy --wildcard -G 'gt_cap_*' $@.tmp $@
	@rm -f $@.tmp

$(B)/libgotrace-capture.a: $(B)/obj/capture-all.o
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/libgotrace-capture.so.$(VERSION): $(B)/obj/capture-all.o $(B)/libgotrace.so
	$(CC) -shared -Wl,-soname,$(CAP_SONAME) -Wl,-z,defs -Wl,-rpath,'$$ORIGIN' $(CFLAGS) $< -L$(B) -lgotrace -pthread -ldl -o $@

$(B)/libgotrace-capture.so: $(B)/libgotrace-capture.so.$(VERSION)
	ln -sf libgotrace-capture.so.$(VERSION) $(B)/$(CAP_SONAME)
	ln -sf libgotrace-capture.so.$(VERSION) $@

$(B)/gotrace-capture.pc: codec/capture/gotrace-capture.pc.in Makefile
	@mkdir -p $(B)
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' $< > $@

# The example links the shared libraries as an installed user would; its
# file names are recorded relative (-ffile-prefix-map) so no trace it writes
# names this machine's paths.
CAP_EXAMPLE_FLAGS := -std=c11 -Wall -Wextra -O2 -g -fno-omit-frame-pointer -pthread -ffile-prefix-map=$(CURDIR)=.
$(B)/examples/capture-demo: examples/capture-demo.c $(CAP_HDR) $(B)/libgotrace-capture.so
	@mkdir -p $(dir $@)
	$(CC) $(CAP_EXAMPLE_FLAGS) -Icodec -Icodec/capture $< -L$(B) -lgotrace-capture -lgotrace \
	    -Wl,-rpath,'$$ORIGIN/..' -o $@

# Tests link the objects (internal test hooks stay reachable) and libgotrace.a.
CAP_TEST_SRC := $(sort $(wildcard tests/capture/test_capture_*.c))
CAP_TOOL_SRC := $(filter-out $(CAP_TEST_SRC),$(sort $(wildcard tests/capture/*.c)))
CAP_TEST_BIN := $(CAP_TEST_SRC:tests/capture/%.c=$(B)/tests/%)
CAP_TOOL_BIN := $(CAP_TOOL_SRC:tests/capture/%.c=$(B)/capture/%)
CAP_TEST_CFLAGS := $(WARN) $(CFLAGS) -D_GNU_SOURCE -fno-omit-frame-pointer -pthread -Icodec -Icodec/capture \
                   -Itests/capture $(XXH_CFLAGS)
CAP_TEST_LIBS := $(CAP_OBJ) $(B)/libgotrace.a $(CAP_BT_LINK) $(XXH_LIBS) -pthread -ldl -lm
# Its callers of the API have no frame pointers (libunwind walks through them).
$(B)/tests/test_capture_unwind: CAP_TEST_CFLAGS += -fomit-frame-pointer
$(B)/tests/test_capture_%: tests/capture/test_capture_%.c $(wildcard tests/capture/*.h) $(CAP_OBJ) $(B)/libgotrace.a
	@mkdir -p $(dir $@)
	$(CC) $(CAP_TEST_CFLAGS) $< $(CAP_TEST_LIBS) -o $@
$(B)/capture/%: tests/capture/%.c $(wildcard tests/capture/*.h) $(CAP_OBJ) $(B)/libgotrace.a
	@mkdir -p $(dir $@)
	$(CC) $(CAP_TEST_CFLAGS) $< $(CAP_TEST_LIBS) -o $@
$(B)/capture/capture_bench: bench/capture_bench.c $(CAP_OBJ) $(B)/libgotrace.a
	@mkdir -p $(dir $@)
	$(CC) $(CAP_TEST_CFLAGS) $< $(CAP_TEST_LIBS) -o $@

capture-tests: $(CAP_TEST_BIN) $(CAP_TOOL_BIN)
all: capture-tests
.PHONY: capture-tests

# ---- fuzzing ---------------------------------------------------------------
# fuzz/capture_ops (listed in fuzz/fuzz.mk) links the capture objects of its
# flavour too (built by fuzz.mk's pattern rules; symbolization by dladdr).
ifneq ($(FZ_FLAVORS),)
$(foreach f,$(FZ_FLAVORS),$(eval $(FZ)/$(f)/capture_ops: $(CAP_SRC:%.c=$(FZ)/$(f)/obj/%.o)))
endif

# ---- install ---------------------------------------------------------------
install: install-capture
uninstall: uninstall-capture
install-capture: $(CAP_LIBS)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 $(B)/libgotrace-capture.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(B)/libgotrace-capture.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libgotrace-capture.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(CAP_SONAME)
	ln -sf libgotrace-capture.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libgotrace-capture.so
	install -m 644 codec/capture/gotrace_capture.h $(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' \
	    codec/capture/gotrace-capture.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/gotrace-capture.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/gotrace-capture.pc
uninstall-capture:
	rm -f $(DESTDIR)$(LIBDIR)/libgotrace-capture.a $(DESTDIR)$(LIBDIR)/libgotrace-capture.so.$(VERSION) \
	      $(DESTDIR)$(LIBDIR)/$(CAP_SONAME) $(DESTDIR)$(LIBDIR)/libgotrace-capture.so \
	      $(DESTDIR)$(INCLUDEDIR)/gotrace_capture.h $(DESTDIR)$(PKGCONFIGDIR)/gotrace-capture.pc

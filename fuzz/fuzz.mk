# Fuzzing: harnesses in fuzz/, seeds in corpus/, everything built under $(B)/fuzz/.
# Included by the top Makefile (which defines CC, B, WARN, LIB_SRC, XXH_*).
# See fuzz/README.md. Every target is one fuzz/<target>.c built four ways:
#   $(FZ)/libfuzzer/<t>   clang -fsanitize=fuzzer,address,undefined (library: fuzzer-no-link)
#   $(FZ)/afl/<t>         afl-clang-fast + libAFLDriver (persistent mode), no sanitizer
#   $(FZ)/afl-asan/<t>    the same with AFL_USE_ASAN/AFL_USE_UBSAN (one AFL secondary runs it)
#   $(FZ)/cmplog/<t>      AFL_LLVM_CMPLOG=1 (afl-fuzz -c)
#   $(FZ)/replay/<t>      regression_driver.c main(), ASan+UBSan, no fuzzer (make test)
#   $(FZ)/cov/<t>         regression_driver.c main(), clang source-based coverage
# plus $(FZ)/libfuzzer/<t>.mut and $(FZ)/afl/v2_mutator.so, the structure-aware
# custom mutator (fuzz/v2_mutator.c) for libFuzzer and AFL++.

FZ := $(B)/fuzz
FUZZ_CC ?= clang
AFL_CC  ?= afl-clang-fast
AFL_DRIVER ?= /usr/lib/afl/libAFLDriver.a

FUZZ_DECODE_TARGETS := header_varint v2_decode legacy_decode decode_chunked decode_tiny_memory dump \
                       $(basename $(notdir $(wildcard fuzz/order_parse.c fuzz/legacy_semantic.c)))
# Targets that need the encoder/text assembler (codec/gotrace.h "Writing" API) join when their file exists.
FUZZ_WRITE_TARGETS := $(basename $(notdir $(wildcard fuzz/round_trip.c fuzz/text_asm.c fuzz/encoder_ops.c)))
# The capture layer's harness joins when its file exists; its extra objects are
# added by codec/capture/capture.mk.
FUZZ_CAPTURE_TARGETS := $(basename $(notdir $(wildcard fuzz/capture_ops.c)))
FUZZ_TARGETS := $(FUZZ_DECODE_TARGETS) $(FUZZ_WRITE_TARGETS) $(FUZZ_CAPTURE_TARGETS)
# Targets the custom mutator builds for (v2 traces as input).
FUZZ_MUT_TARGETS := $(if $(wildcard fuzz/v2_mutator.c),v2_decode decode_chunked dump $(filter round_trip,$(FUZZ_WRITE_TARGETS)))

FUZZ_HELPERS := fuzz/fuzz_trace.c fuzz/fuzz_data_producer.c
FUZZ_HDRS := $(wildcard fuzz/*.h codec/*.h codec/*/*.h) fuzz/fuzz.mk
FZ_XXH := $(if $(shell grep -l 'xxhash.h' $(LIB_SRC) $(wildcard codec/*/*.h) 2>/dev/null),$(XXH_LIBS))
# The top Makefile's strict warning set, minus the GCC-only flags (the fuzz builds use clang).
FZ_WARN := $(filter-out -Wlogical-op -Wduplicated-cond -Wduplicated-branches,$(WARN))
FZ_CFLAGS := $(FZ_WARN) -g -fno-omit-frame-pointer -D_POSIX_C_SOURCE=200809L \
             -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -Icodec -Ifuzz $(XXH_CFLAGS)
FZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all

# Per flavour: compiler, compile flags, link flags, what a binary links besides its target.
FZ_libfuzzer_CC      := $(FUZZ_CC)
FZ_libfuzzer_CFLAGS  := -O1 -fsanitize=fuzzer-no-link $(FZ_SAN)
FZ_libfuzzer_LDFLAGS := -fsanitize=fuzzer $(FZ_SAN)
FZ_libfuzzer_MAIN    :=
FZ_replay_CC         := $(FUZZ_CC)
FZ_replay_CFLAGS     := -O1 $(FZ_SAN)
FZ_replay_LDFLAGS    := $(FZ_SAN)
FZ_replay_MAIN       := $(FZ)/replay/obj/fuzz/regression_driver.o
FZ_cov_CC            := $(FUZZ_CC)
FZ_cov_CFLAGS        := -O0 -fprofile-instr-generate -fcoverage-mapping
FZ_cov_LDFLAGS       := -fprofile-instr-generate
FZ_cov_MAIN          := $(FZ)/cov/obj/fuzz/regression_driver.o
FZ_afl_CC            := AFL_QUIET=1 $(AFL_CC)
FZ_afl_CFLAGS        := -O2
FZ_afl_LDFLAGS       :=
FZ_afl_MAIN          := $(AFL_DRIVER)
FZ_afl-asan_CC       := AFL_QUIET=1 AFL_USE_ASAN=1 AFL_USE_UBSAN=1 $(AFL_CC)
FZ_afl-asan_CFLAGS   := -O1
FZ_afl-asan_LDFLAGS  :=
FZ_afl-asan_MAIN     := $(AFL_DRIVER)
FZ_cmplog_CC         := AFL_QUIET=1 AFL_LLVM_CMPLOG=1 $(AFL_CC)
FZ_cmplog_CFLAGS     := -O2
FZ_cmplog_LDFLAGS    :=
FZ_cmplog_MAIN       := $(AFL_DRIVER)
FZ_FLAVORS := libfuzzer replay cov afl afl-asan cmplog

define fz_flavor_rules
$(FZ)/$(1)/obj/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $$(@D)
	$(FZ_$(1)_CC) $(FZ_CFLAGS) $(FZ_$(1)_CFLAGS) -c $$< -o $$@
FZ_$(1)_DEPS := $(LIB_SRC:%.c=$(FZ)/$(1)/obj/%.o) $(FUZZ_HELPERS:%.c=$(FZ)/$(1)/obj/%.o) $(FZ_$(1)_MAIN)
endef
define fz_bin_rule
$(FZ)/$(1)/$(2): $(FZ)/$(1)/obj/fuzz/$(2).o $$(FZ_$(1)_DEPS)
	$(FZ_$(1)_CC) $(FZ_$(1)_LDFLAGS) $$^ $(FZ_XXH) -lm -o $$@
endef
$(foreach f,$(FZ_FLAVORS),$(eval $(call fz_flavor_rules,$(f))))
$(foreach f,$(FZ_FLAVORS),$(foreach t,$(FUZZ_TARGETS),$(eval $(call fz_bin_rule,$(f),$(t)))))

# The custom mutator: linked into libFuzzer binaries as LLVMFuzzerCustomMutator
# (<t>.mut), and built as an AFL++ custom mutator library.
FZ_MUT_SRC := fuzz/v2_mutator.c
$(FZ)/libfuzzer/obj/fuzz/v2_mutator_lf.o: $(FZ_MUT_SRC) $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CFLAGS) $(FZ_libfuzzer_CFLAGS) -DGT_MUT_LIBFUZZER -c $< -o $@
define fz_mut_rule
$(FZ)/libfuzzer/$(1).mut: $(FZ)/libfuzzer/obj/fuzz/$(1).o $(FZ)/libfuzzer/obj/fuzz/v2_mutator_lf.o $$(FZ_libfuzzer_DEPS)
	$(FUZZ_CC) $(FZ_libfuzzer_LDFLAGS) $$^ $(FZ_XXH) -lm -o $$@
endef
$(foreach t,$(FUZZ_MUT_TARGETS),$(eval $(call fz_mut_rule,$(t))))
$(FZ)/afl/v2_mutator.so: $(FZ_MUT_SRC) $(LIB_SRC) $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CFLAGS) -O2 -shared -fPIC -DGT_MUT_AFL $(FZ_MUT_SRC) $(LIB_SRC) $(FZ_XXH) -lm -o $@

# The dictionary is generated from the event tables (fuzz/gen_dict.c) and committed.
$(FZ)/gen_dict: fuzz/gen_dict.c $(LIB_SRC) $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CFLAGS) -O1 $< $(LIB_SRC) $(FZ_XXH) -lm -o $@

HAVE_AFL := $(shell command -v $(AFL_CC) >/dev/null 2>&1 && test -f $(AFL_DRIVER) && echo 1)
FZ_LF_BINS := $(FUZZ_TARGETS:%=$(FZ)/libfuzzer/%) $(FUZZ_MUT_TARGETS:%=$(FZ)/libfuzzer/%.mut)
FZ_REPLAY_BINS := $(FUZZ_TARGETS:%=$(FZ)/replay/%)
FZ_AFL_BINS := $(if $(HAVE_AFL),$(foreach f,afl afl-asan cmplog,$(FUZZ_TARGETS:%=$(FZ)/$(f)/%)) $(if $(FUZZ_MUT_TARGETS),$(FZ)/afl/v2_mutator.so))

TARGET  ?= v2_decode
JOBS    ?= 2
SECONDS ?= 600
FUZZ_SH := FZ=$(FZ) FUZZ_TARGETS="$(FUZZ_TARGETS)" FUZZ_MUT_TARGETS="$(FUZZ_MUT_TARGETS)" bash fuzz/fuzz.sh

.PHONY: fuzz-build fuzz-build-libfuzzer fuzz-build-replay fuzz-build-afl fuzz-build-cov fuzz-replay fuzz-smoke \
        fuzz afl coverage fuzz-dict fuzz-merge fuzz-regress fuzz-seeds fuzz-clean

fuzz-build: fuzz-build-libfuzzer fuzz-build-replay fuzz-build-afl ## build every fuzz target: libFuzzer, AFL++ (+CMPLOG, +ASan), replay (build/fuzz)
fuzz-build-libfuzzer: $(FZ_LF_BINS)
fuzz-build-replay: $(FZ_REPLAY_BINS)
fuzz-build-afl: $(FZ_AFL_BINS)
fuzz-build-cov: $(FUZZ_TARGETS:%=$(FZ)/cov/%)

fuzz-replay: $(FZ_REPLAY_BINS) ## replay every corpus and regression file through every target (ASan/UBSan, no fuzzer)
	@$(FUZZ_SH) replay

fuzz-smoke: $(FZ_LF_BINS) ## every target 60 s under libFuzzer+ASan/UBSan, 2 at a time; any finding fails
	@$(FUZZ_SH) smoke

fuzz: $(FZ)/libfuzzer/$(TARGET)$(if $(MUT),.mut) ## libFuzzer campaign: make fuzz TARGET=v2_decode JOBS=2 SECONDS=600 [MUT=1]
	@MUT=$(MUT) $(FUZZ_SH) libfuzzer $(TARGET) $(JOBS) $(SECONDS)

afl: $(FZ_AFL_BINS) ## AFL++ campaign: make afl TARGET=legacy_decode JOBS=4 [SECONDS=...]: one -M, N-1 -S (CMPLOG, ASan)
	@$(FUZZ_SH) afl $(TARGET) $(JOBS) $(if $(filter command line environment,$(origin SECONDS)),$(SECONDS),0)

coverage: $(FUZZ_TARGETS:%=$(FZ)/cov/%) ## line/branch coverage of codec/ from replaying the corpus (llvm-cov), as a table [COV_DIRS=...]
	@$(FUZZ_SH) coverage $(COV_DIRS)

fuzz-dict: $(FZ)/gen_dict ## regenerate fuzz/gotrace.dict and fuzz/text_asm.dict from the event tables
	$(FZ)/gen_dict > fuzz/gotrace.dict
	$(FZ)/gen_dict text > fuzz/text_asm.dict

fuzz-merge: $(FZ)/libfuzzer/$(TARGET) ## minimise DIRS (campaign output) into corpus/TARGET with libFuzzer -merge=1
	@$(FUZZ_SH) merge $(TARGET) $(DIRS)

fuzz-regress: $(FZ)/libfuzzer/$(TARGET) ## minimise CRASH into corpus/regressions/TARGET/NAME
	@$(FUZZ_SH) regress $(TARGET) $(CRASH) $(NAME)

fuzz-clean: ## remove build/fuzz
	rm -rf $(FZ)

# seedgen: shrink real traces into small seeds (fuzz/seeds.sh drives it).
$(FZ)/seedgen: fuzz/seedgen.c $(LIB_SRC) $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CFLAGS) -O1 $< $(LIB_SRC) $(FZ_XXH) -lm -o $@

fuzz-seeds: $(FZ)/seedgen $(B)/tools/encode_sample $(B)/gotrace ## regenerate corpus/*/seed-* (shrunk Go-written traces, encoder output)
	@FZ=$(FZ) bash fuzz/seeds.sh

# Causeway's build. One pattern for every lab: each labs/NN-name/ is built twice, against the
# learner's exercises/NN-name/*.c and against the reference solutions/NN-name/*.c:
#
#   build/MODE/exercises/NN-name/{driver,test}     build/MODE/solutions/NN-name/{driver,test}
#
# MODE is rel (optimized, the default) or san (AddressSanitizer + UndefinedBehaviorSanitizer).
# Everything is found by wildcard: a new lab, library file or test needs no change here.
#
#   make            build everything (installs missing system packages first: scripts/deps.sh)
#   make demo       run a lab in the visualizer (a text summary when there is no terminal)
#   make test       every test, against solutions and exercises, in both modes
#   make check LAB=00   one lab against your exercise, with a score line
#   make bench      benchmarks: figures and ratios, never pass/fail
#   make figures    regenerate the book's figures from real runs
#   make fuzz       fuzz the trace reader (libFuzzer, FUZZ_SECONDS=60)
#   make format     clang-format every C file
#   make clean

MODE ?= rel
B := build/$(MODE)
NPROC := $(shell nproc 2>/dev/null || echo 2)

CC ?= cc
WARN := -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L
ifeq ($(MODE),san)
OPT := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDOPT := -fsanitize=address,undefined
else ifeq ($(MODE),rel)
OPT := -O2 -g
LDOPT :=
else
$(error MODE must be rel or san, not "$(MODE)")
endif

# System packages: scripts/deps.sh installs what pkg-config cannot find, then the flags are
# recorded in build/deps.mk (make remakes it first, then restarts with it).
ifeq ($(filter clean format,$(MAKECMDGOALS)),)
include build/deps.mk
endif
build/deps.mk: scripts/deps.sh
	@mkdir -p build
	@sh scripts/deps.sh
	@{ echo "JANSSON_CFLAGS := $$(pkg-config --cflags jansson)"; \
	   echo "JANSSON_LIBS := $$(pkg-config --libs jansson)"; \
	   echo "VIZ_CFLAGS := $$(pkg-config --cflags ncursesw libcgraph libgvc)"; \
	   echo "VIZ_LIBS := $$(pkg-config --libs ncursesw libcgraph libgvc)"; } > $@.tmp && mv $@.tmp $@

CFLAGS := $(WARN) $(OPT) -Ilib $(JANSSON_CFLAGS) -DCAUSEWAY_BIN_DIR='"$(abspath $(B)/bin)"'
LDFLAGS := $(LDOPT)
LIBS := $(JANSSON_LIBS) -lm

# ---------------------------------------------------------------------------------------------
# The library.
LIB_SRC := $(wildcard lib/*.c)
LIB := $(B)/libcauseway.a
LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# Commands built on the library (lincheck, ...): lib/cmd/NAME.c -> build/MODE/bin/NAME.
CMD_SRC := $(wildcard lib/cmd/*.c)
CMDS := $(CMD_SRC:lib/cmd/%.c=$(B)/bin/%)
$(B)/bin/%: $(B)/obj/lib/cmd/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

# ---------------------------------------------------------------------------------------------
# The visualizer: visualizer/*.c -> dsviz (main in dsviz.c).
VIZ_SRC := $(wildcard visualizer/*.c)
VIZ_OBJ := $(VIZ_SRC:%.c=$(B)/obj/%.o)
VIZ_LIB_OBJ := $(filter-out $(B)/obj/visualizer/dsviz.o,$(VIZ_OBJ))
# ncursesw's pkg-config flags bring their own -D_XOPEN_SOURCE; wide-character curses needs the
# _EXTENDED variant on top of it.
VIZ_EXTRA := $(if $(findstring -D_XOPEN_SOURCE=,$(VIZ_CFLAGS)),,-D_XOPEN_SOURCE=700) -D_XOPEN_SOURCE_EXTENDED $(VIZ_CFLAGS) -Ivisualizer
$(B)/obj/visualizer/%.o: EXTRA_CFLAGS = $(VIZ_EXTRA)
$(B)/obj/tests/viz-%.o: EXTRA_CFLAGS = $(VIZ_EXTRA)
DSVIZ := $(if $(VIZ_SRC),$(B)/bin/dsviz)
$(B)/bin/dsviz: $(VIZ_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(VIZ_LIBS) $(LIBS) -o $@

# ---------------------------------------------------------------------------------------------
# Tests of the library and the viewer: tests/lib-*.c, tests/viz-*.c, tests/*.sh.
HARNESS := $(B)/obj/tests/harness.o
LIB_TESTS := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/lib-*.c))
VIZ_TESTS := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/viz-*.c))
SH_TESTS := $(wildcard tests/*.sh)
BENCHES := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/bench-*.c))

$(B)/tests/lib-%: $(B)/obj/tests/lib-%.o $(HARNESS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LIBS) -o $@
$(B)/tests/bench-%: $(B)/obj/tests/bench-%.o $(HARNESS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LIBS) -o $@
$(B)/tests/viz-%: $(B)/obj/tests/viz-%.o $(VIZ_LIB_OBJ) $(HARNESS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(VIZ_LIBS) $(LIBS) -o $@

# ---------------------------------------------------------------------------------------------
# Labs. For lab L and implementation I (exercises or solutions):
#   driver = labs/L/driver.c + labs/L/*.c (the lab's common code) + I/L/*.c + the library
#   test   = tests/L.c       + labs/L/*.c                         + I/L/*.c + the library + harness
LABS := $(patsubst labs/%/,%,$(wildcard labs/[0-9][0-9]-*/))
IMPLS := exercises solutions

define LAB_template
$(1)_COMMON := $$(patsubst %.c,$(B)/obj/%.o,$$(filter-out labs/$(1)/driver.c,$$(wildcard labs/$(1)/*.c)))
$(B)/obj/labs/$(1)/%.o $(B)/obj/exercises/$(1)/%.o $(B)/obj/solutions/$(1)/%.o: EXTRA_CFLAGS = -Ilabs/$(1)
$(foreach I,$(IMPLS),
$(B)/$(I)/$(1)/driver: $(B)/obj/labs/$(1)/driver.o $$($(1)_COMMON) $$(patsubst %.c,$(B)/obj/%.o,$$(wildcard $(I)/$(1)/*.c)) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) $$^ $$(LIBS) -o $$@
$(B)/obj/$(I)/tests/$(1).o: tests/$(1).c
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -Ilabs/$(1) -Itests -DCAUSEWAY_IMPL='"$(I)"' -DCAUSEWAY_DRIVER='"$(B)/$(I)/$(1)/driver"' -MMD -MP -c $$< -o $$@
$(B)/$(I)/$(1)/test: $(B)/obj/$(I)/tests/$(1).o $$($(1)_COMMON) $$(patsubst %.c,$(B)/obj/%.o,$$(wildcard $(I)/$(1)/*.c)) $(HARNESS) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) $$^ $$(LIBS) -o $$@
)
endef
$(foreach L,$(LABS),$(eval $(call LAB_template,$(L))))

LAB_BINS := $(foreach L,$(LABS),$(foreach I,$(IMPLS),$(B)/$(I)/$(L)/driver $(B)/$(I)/$(L)/test))
SOLUTION_TESTS := $(foreach L,$(LABS),$(B)/solutions/$(L)/test)
EXERCISE_TESTS := $(foreach L,$(LABS),$(B)/exercises/$(L)/test)

# ---------------------------------------------------------------------------------------------
# Targets.
.PHONY: all demo test test-mode check bench figures fuzz format clean
# Keep object files make would otherwise delete as intermediates (they are reused by every mode).
.SECONDARY:
.DEFAULT_GOAL := all

all: $(LIB) $(CMDS) $(DSVIZ) $(LIB_TESTS) $(VIZ_TESTS) $(LAB_BINS) $(BENCHES)

DEMO_LAB ?= 00-messaging
DEMO_SCENARIO ?= lossy
demo:
	@$(MAKE) --no-print-directory -j$(NPROC) MODE=rel all
	build/rel/solutions/$(DEMO_LAB)/driver --scenario $(DEMO_SCENARIO) --seed 1 --viz

# Run one mode's tests: solutions and library tests must pass; exercises must be all TODO.
test-mode: all
	CAUSEWAY_BUILD=$(B) prove --exec '' $(LIB_TESTS) $(VIZ_TESTS) $(SOLUTION_TESTS) $(SH_TESTS)
	sh scripts/check.sh --expect-todo $(EXERCISE_TESTS)

test:
	@$(MAKE) --no-print-directory -j$(NPROC) MODE=rel all
	@$(MAKE) --no-print-directory -j$(NPROC) MODE=san all
	@$(MAKE) --no-print-directory MODE=rel test-mode
	@$(MAKE) --no-print-directory MODE=san test-mode
	sh scripts/cross-determinism.sh build/rel build/san

LAB ?=
check:
	@test -n "$(LAB)" || { echo "make check: say which lab, e.g. make check LAB=00" >&2; exit 2; }
	@lab=$$(cd labs && ls -d $(LAB)* 2>/dev/null | head -n 1); \
	test -n "$$lab" || { echo "make check: no lab matches LAB=$(LAB) (labs: $(LABS))" >&2; exit 2; }; \
	$(MAKE) --no-print-directory -j$(NPROC) MODE=$(MODE) $(B)/exercises/$$lab/test $(B)/exercises/$$lab/driver && \
	sh scripts/check.sh --score $$lab $(B)/exercises/$$lab/test

check-%:
	@$(MAKE) --no-print-directory check LAB=$*

HISTORIES ?= ../shared/data/jepsen-histories
bench: all
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done
	@echo "== dsviz: load and frame time of a 1,000,000-event trace file"
	@$(B)/tests/viz-export --make-trace $(B)/bench-1m.jsonl 1000000 >/dev/null && \
	  $(B)/bin/dsviz --bench $(B)/bench-1m.jsonl
	@echo "== dsviz export: a 100,000-event trace to SVG (cut at the export limit)"
	@$(B)/tests/viz-export --make-trace $(B)/bench-100k.jsonl 100000 >/dev/null && \
	  $(B)/bin/dsviz export $(B)/bench-100k.jsonl --bench -o $(B)/bench-100k.svg
	@echo "== lincheck: time per history file"
	@if [ -d "$(HISTORIES)" ]; then $(B)/bin/lincheck --bench "$(HISTORIES)"; \
	  else echo "skipped: $(HISTORIES) not found (set HISTORIES=DIR)"; fi

# Fuzz the trace reader with libFuzzer (needs clang): FUZZ_SECONDS of fuzzing, starting from the
# corpus in tests/corpus/trace (new inputs go to build/fuzz-corpus; crashes to build/).
FUZZ_SECONDS ?= 60
fuzz: build/deps.mk
	@mkdir -p build/fuzz-corpus
	clang -std=c11 -D_POSIX_C_SOURCE=200809L -DCAUSEWAY_FUZZ -g -O1 -fsanitize=fuzzer,address,undefined \
	  -Ilib $(JANSSON_CFLAGS) tests/fuzz-trace-read.c lib/trace_read.c lib/mem.c $(JANSSON_LIBS) -o build/fuzz-trace-read
	build/fuzz-trace-read -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build/ build/fuzz-corpus tests/corpus/trace

# Every figure in book/figures/ from a lab run with a fixed seed (fails if one cannot be made).
figures: all
	sh scripts/figures.sh $(B)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(shell find build/$(MODE)/obj -name '*.d' 2>/dev/null)

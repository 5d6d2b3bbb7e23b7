# abusedesk - one Makefile, pkg-config for the libraries.
#
#   make            build ./abusedesk
#   make check      all tests (tests/run), ends with "N passed, M failed"
#   make demo       scan the bundled sample logs, list incidents, draft reports
#   make fuzz       libFuzzer targets (clang)
#   make bench      benchmarks against the peers (see bench/README.md)
#   make SANITIZE=1 ...   ASan + UBSan, abort on the first report

CC      ?= cc
PKGS    := sqlite3 zlib jansson libcurl gmime-3.0 libcares
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Wvla
OPT     ?= -O2 -g
CFLAGS  ?=
CPPFLAGS += -Iinclude
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
LDLIBS  += $(PKG_LIBS) -lpthread

ifeq ($(SANITIZE),1)
OPT     := -O1 -g -fno-omit-frame-pointer
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
BUILD   ?= build/san
else
SANFLAGS :=
BUILD   ?= build/rel
endif
ifeq ($(WERROR),1)
WARN    += -Werror
endif

ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) $(SANFLAGS) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)

LIB_SRC := $(wildcard lib/core/*.c) \
           $(wildcard lib/out/ingest/*.c) \
           $(wildcard lib/out/parse/*.c) \
           $(wildcard lib/out/detect/*.c) \
           $(wildcard lib/out/lookup/*.c) \
           $(wildcard lib/out/assess/*.c) \
           $(wildcard lib/out/report/*.c) \
           $(wildcard lib/out/queue/*.c) \
           $(wildcard lib/out/track/*.c) \
           $(wildcard lib/out/deliver/*.c) \
           $(wildcard lib/out/block/*.c) \
           $(wildcard lib/out/*.c) \
           $(wildcard lib/in/mail/*.c) \
           $(wildcard lib/store/*.c)
CLI_SRC := $(wildcard src/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/tables.o \
           $(BUILD)/gen/templates.o
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIBA    := $(BUILD)/libabusedesk.a

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/replay_%)

PROG    := abusedesk

.PHONY: all check demo fuzz bench clean deps unit-bins

all: $(PROG)

$(PROG): $(BUILD)/abusedesk
	cp $< $@

$(BUILD)/abusedesk: $(CLI_OBJ) $(LIBA)
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(LDLIBS)

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

# The shipped tables (data/*.tsv) compiled in as strings: SYM:FILE makes
# data/FILE.tsv the string ad_table_SYM (registry: rdap, whois; assess:
# freemail, scanners, large; followup: certs).
GEN_TABLES := rdap:rdap-bootstrap whois:whois-servers freemail:freemail \
              scanners:scanners large:large-providers certs:certs
$(BUILD)/gen/tables.c: $(foreach t,$(GEN_TABLES),data/$(lastword $(subst :, ,$(t))).tsv) Makefile
	@mkdir -p $(dir $@)
	{ echo '/* generated from the data/ tables by the Makefile */'; \
	  for t in $(GEN_TABLES); do \
	    echo "extern const char ad_table_$${t%%:*}[];"; \
	    echo "const char ad_table_$${t%%:*}[] ="; \
	    sed -e 's/\\/\\\\/g; s/"/\\"/g; s/\t/\\t/g; s/.*/"&\\n"/' \
	        "data/$${t#*:}.tsv"; \
	    echo ';'; \
	  done; } > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/tables.o: $(BUILD)/gen/tables.c
	$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

# The report templates (templates/<lang>/<name>.txt) compiled in as
# name, text pairs; '?' is escaped so no "??x" becomes a trigraph.
TPL_SRC := $(sort $(wildcard templates/*/*.txt))
$(BUILD)/gen/templates.c: $(TPL_SRC)
	@mkdir -p $(dir $@)
	{ echo '/* generated from templates/ by the Makefile */'; \
	  echo '#include <stddef.h>'; \
	  echo 'extern const char *const ad_templates[];'; \
	  echo 'const char *const ad_templates[] = {'; \
	  for f in $(TPL_SRC); do \
	    echo "\"$${f#templates/}\", \"\""; \
	    sed -e 's/\\/\\\\/g; s/"/\\"/g; s/\t/\\t/g; s/?/\\?/g; s/.*/"&\\n"/' $$f; \
	    echo ','; \
	  done; echo 'NULL };'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/templates.o: $(BUILD)/gen/templates.c
	$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(BUILD)/%.o: %.c $(wildcard include/abusedesk/*.h) $(wildcard lib/*/*.h lib/*/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -Ilib -o $@ $< $(LIBA) $(LDLIBS)

# Replay drivers: the fuzz targets linked with a main() that runs files.
$(BUILD)/tests/replay_%: tests/fuzz/%.c tests/fuzz/replay_main.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ilib -o $@ $< tests/fuzz/replay_main.c $(LIBA) $(LDLIBS)

$(BUILD)/bench/parse_only: bench/parse_only.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(BUILD)/bench/lookup_warm: bench/lookup_warm.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

unit-bins: $(UNIT_BIN) $(REPLAY_BIN)

check: $(PROG) unit-bins
	BUILD=$(BUILD) tests/run

demo: $(PROG)
	samples/demo.sh

fuzz:
	$(MAKE) -f tests/fuzz/Makefile.fuzz

bench: $(PROG)
	bench/run.sh

deps:
	scripts/deps.sh

clean:
	rm -rf build $(PROG)

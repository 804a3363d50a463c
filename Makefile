# Tandem: one non-recursive Makefile.  Everything is built out of tree into
# $(BUILD) (default build/).  Sources are found by directory, so a new file in
# a listed directory needs no Makefile change.
#
#   make               configure if needed (installing Debian packages when
#                      root and something is missing), then build build/tandem
#   make check         every test suite, through prove
#   make check-asan    the same suite, ASan+UBSan build in build/asan
#   make check-tsan    the same suite, ThreadSanitizer build in build/tsan
#   make run           boot the built-in demo guest
#   make install       binary, symlinks and man page under PREFIX

BUILD ?= build
-include $(BUILD)/config.mak
BUILD ?= build

# Warnings: -Wall -Wextra -Werror, minus these, each for a reason:
#  unused-parameter: callback tables (MemoryRegionOps, AccelOps, chardev
#                    handlers) have fixed signatures that many users ignore.
#  missing-field-initializers: "{ 0 }" and designated-initializer tables
#                    rely on zero-filling the remaining fields.
#  sign-compare:     guest-supplied sizes are unsigned and host counts are
#                    signed; explicit casts everywhere would hide more bugs
#                    than the warning finds.
WARNINGS := -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-sign-compare
CFLAGS_ALL := $(CONFIG_CFLAGS) $(WARNINGS) -I$(BUILD) -Iinclude -I. $(CFLAGS)
LDFLAGS_ALL := $(CONFIG_LDFLAGS) $(LDFLAGS)

LIB_DIRS := util system accel accel/tcg accel/kvm accel/qtest tcg tcg/x86_64 \
	target/i386 target/ppc hw/core hw/i386 hw/ppc hw/intc hw/timer hw/char \
	hw/pci hw/pci-host hw/virtio hw/net hw/block hw/display hw/misc hw/nvram chardev net \
	block gdbstub monitor ui fpu
MAIN_SRC := system/main.c
LIB_SRCS := $(wildcard cpu-exec.c) $(filter-out $(MAIN_SRC),$(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIB := $(BUILD)/libtandem.a

UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_SUPPORT := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/unit/support/*.c))
UNIT_BINS := $(patsubst %.c,$(BUILD)/%,$(UNIT_SRCS))
QTEST_SRCS := $(wildcard tests/qtest/*-test.c)
QTEST_SUPPORT := $(patsubst %.c,$(BUILD)/%.o,$(filter-out $(QTEST_SRCS),$(wildcard tests/qtest/*.c)))
QTEST_BINS := $(patsubst %.c,$(BUILD)/%,$(QTEST_SRCS))
SCRIPT_TESTS := $(sort $(wildcard tests/cli/*.t tests/functional/*.t))

# V=1 shows full command lines.
ifeq ($(V),1)
Q :=
else
Q := @
$(BUILD)/%.o: Q = @echo "  CC      $<"; 
endif

TANDEM := $(BUILD)/tandem
LINKS := $(BUILD)/tandem-system-x86_64 $(BUILD)/tandem-system-ppc64

.PHONY: all check check-unit check-qtest check-scripts check-asan check-tsan \
	run install clean distclean
.DEFAULT_GOAL := all
# Keep test objects: they are intermediates of the pattern rules.
.SECONDARY:
all: $(TANDEM) $(LINKS)

# Configure on first use.  Exit status 2 from configure means "libraries
# missing"; as root we install them and configure again with the same args.
$(BUILD)/config.mak: configure
	@args=$$(cat $(BUILD)/config-args 2>/dev/null); \
	./configure --builddir=$(BUILD) $$args; rc=$$?; \
	if [ $$rc = 2 ] && [ "$$(id -u)" = 0 ]; then \
		echo "make: installing missing packages with scripts/install-deps.sh"; \
		sh scripts/install-deps.sh && ./configure --builddir=$(BUILD) $$args; \
	else exit $$rc; fi

$(BUILD)/%.o: %.c $(BUILD)/config.mak
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# --whole-archive: machines, devices and accelerators register themselves
# from constructors and nothing refers to them by name, so the linker would
# otherwise leave their objects out of the archive.
$(TANDEM): $(BUILD)/system/main.o $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(BUILD)/system/main.o \
		-Wl,--whole-archive $(LIB) -Wl,--no-whole-archive $(CONFIG_LIBS)

$(LINKS): $(TANDEM)
	ln -sf tandem $@

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(UNIT_SUPPORT) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CONFIG_LIBS)

$(BUILD)/tests/qtest/%: $(BUILD)/tests/qtest/%.o $(QTEST_SUPPORT) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CONFIG_LIBS)

# Tests find the binary under test through TANDEM; the scripts through BUILD.
TEST_ENV := TANDEM=$(abspath $(TANDEM)) BUILD=$(abspath $(BUILD)) SRC=$(CURDIR)
PROVE := prove --exec '' --timer $(PROVE_FLAGS)

check-unit: $(UNIT_BINS)
	$(TEST_ENV) $(PROVE) $(UNIT_BINS)

check-qtest: all $(QTEST_BINS)
	$(if $(QTEST_BINS),$(TEST_ENV) $(PROVE) $(QTEST_BINS),@echo "no qtests")

check-scripts: all
	$(if $(SCRIPT_TESTS),$(TEST_ENV) $(PROVE) $(SCRIPT_TESTS),@echo "no script tests")

check: all $(UNIT_BINS) $(QTEST_BINS)
	$(TEST_ENV) $(PROVE) -j2 $(UNIT_BINS) $(QTEST_BINS) $(SCRIPT_TESTS)

# The instrumented variants configure their own build directory and run the
# same suite.  TSan needs a fixed address layout on kernels with 28+ bits of
# mmap randomisation, hence setarch -R.
check-asan:
	@[ -f build/asan/config.mak ] || ./configure --builddir=build/asan --enable-asan
	$(MAKE) BUILD=build/asan check

check-tsan:
	@[ -f build/tsan/config.mak ] || ./configure --builddir=build/tsan --enable-tsan
	setarch -R $(MAKE) BUILD=build/tsan check

# The demo guest (tests/tcg/x86_64/demo.c) prints a banner, CPU information
# and computed results, then powers off through isa-debug-exit, whose
# "all passed" value makes tandem exit with status 1; Ctrl-A x gives 0.
DEMO_GUEST := $(BUILD)/tests/tcg/x86_64/demo-64.elf
run: all
	@$(TANDEM) -M pc -nographic -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel $(DEMO_GUEST); rc=$$?; [ $$rc = 0 ] || [ $$rc = 1 ]

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(TANDEM) $(DESTDIR)$(PREFIX)/bin/tandem
	ln -sf tandem $(DESTDIR)$(PREFIX)/bin/tandem-system-x86_64
	ln -sf tandem $(DESTDIR)$(PREFIX)/bin/tandem-system-ppc64
	install -m 644 docs/tandem.1 $(DESTDIR)$(PREFIX)/share/man/man1/tandem.1

# Benchmarks (bench/*.c, one program each), built and run by hand:
#   make bench && build/bench/tcg-ir-bench
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
.PHONY: bench
bench: $(BENCH_BINS)
$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CONFIG_LIBS)

# --- x86 guest programs ---
# Freestanding multiboot test programs (tests/tcg/x86_64/*.c), each built
# 32-bit (NAME-32.elf) and 64-bit (NAME-64.elf, x86-64 code in an ELF32
# container: see runtime/crt0-64.S) with the host gcc, into
# $(BUILD)/tests/tcg/x86_64/.  gen-*.c are host programs that generate
# tables for the guests.  See docs/devel/x86-guest-tests.md.
X86G_SRC := tests/tcg/x86_64
X86G_OUT := $(BUILD)/tests/tcg/x86_64
X86G_NAMES := $(filter-out gen-%,$(notdir $(basename $(wildcard $(X86G_SRC)/*.c))))
X86G_ELFS := $(foreach n,$(X86G_NAMES),$(X86G_OUT)/$(n)-32.elf $(X86G_OUT)/$(n)-64.elf)
X86G_RT := $(wildcard $(X86G_SRC)/runtime/*.c)
X86G_CFLAGS := -std=gnu11 -O2 -ffreestanding -fno-pic -no-pie -nostdlib \
	-static -fno-stack-protector -fno-asynchronous-unwind-tables \
	-mgeneral-regs-only -mno-red-zone -fno-builtin $(WARNINGS) \
	-I$(X86G_SRC)/runtime -I$(X86G_SRC) -I$(X86G_OUT) \
	-Wl,-T,$(X86G_SRC)/runtime/link.ld -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
X86G_DEPS := $(X86G_RT) $(wildcard $(X86G_SRC)/runtime/*.[hS] $(X86G_SRC)/*.h) \
	$(X86G_SRC)/runtime/link.ld
SCRIPT_TESTS += $(wildcard $(X86G_SRC)/*.t)
.PHONY: x86-guests
x86-guests: $(X86G_ELFS)
all check check-scripts: x86-guests

$(X86G_OUT)/%-32.elf: $(X86G_SRC)/%.c $(X86G_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) -m32 $(X86G_CFLAGS) -o $@ $(X86G_SRC)/runtime/crt0-32.S $< $(X86G_RT)

# Linked as x86-64, then put in an ELF32 container for multiboot loaders.
$(X86G_OUT)/%-64.elf: $(X86G_SRC)/%.c $(X86G_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) -m64 $(X86G_CFLAGS) -o $@.elf64 $(X86G_SRC)/runtime/crt0-64.S $< $(X86G_RT)
	$(Q)objcopy -O elf32-i386 $@.elf64 $@

# The ALU test's expected values come from running the cases natively.
$(X86G_OUT)/gen-alu: $(X86G_SRC)/gen-alu.c $(X86G_SRC)/alu-ops.h
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O2 -mno-red-zone $(WARNINGS) -I$(X86G_SRC) -o $@ $<
$(X86G_OUT)/alu-table.h: $(X86G_OUT)/gen-alu
	$(Q)$< >$@.tmp && mv $@.tmp $@
$(X86G_OUT)/alu-32.elf $(X86G_OUT)/alu-64.elf: $(X86G_OUT)/alu-table.h

# --- x86 compute benchmarks (bench/x86/, see docs/devel/perf.md) ---
# Each bench/x86/NAME.c is built twice: as a 64-bit multiboot guest with
# the guest test runtime (NAME.elf) and natively (NAME-host), which prints
# the checksum the guest must print.  Built by `make bench`, run by
# bench/x86-compute.sh; not part of `make check`.
BX86_SRC := bench/x86
BX86_OUT := $(BUILD)/bench/x86
BX86_NAMES := $(filter-out guest-main host-main,$(notdir $(basename $(wildcard $(BX86_SRC)/*.c))))
BX86_ELFS := $(foreach n,$(BX86_NAMES),$(BX86_OUT)/$(n).elf $(BX86_OUT)/$(n)-host)
bench: $(BX86_ELFS)

$(BX86_OUT)/%.elf: $(BX86_SRC)/%.c $(BX86_SRC)/guest-main.c $(BX86_SRC)/bench.h $(X86G_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) -m64 $(X86G_CFLAGS) -I$(BX86_SRC) -o $@.elf64 $(X86G_SRC)/runtime/crt0-64.S $< $(BX86_SRC)/guest-main.c $(X86G_RT)
	$(Q)objcopy -O elf32-i386 $@.elf64 $@

$(BX86_OUT)/%-host: $(BX86_SRC)/%.c $(BX86_SRC)/host-main.c $(BX86_SRC)/bench.h
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O2 -mgeneral-regs-only $(WARNINGS) -I$(BX86_SRC) -o $@ $< $(BX86_SRC)/host-main.c

clean:
	rm -rf $(BUILD)/*/ $(BUILD)/tandem* $(BUILD)/libtandem.a

distclean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

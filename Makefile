# SPDX-License-Identifier: GPL-2.0-only
#
# ipt_NETFLOW: kernel module + iptables/ip6tables extensions.
#
#   ./configure && make && make install     build and install on this host
#   make check                              every test (KUnit, VM bench)
#   make demo                               boot a VM and show it working
#   make help                               every target
#
# The module is never built in the source directory: each kernel gets its
# own build directory build/<kver>/ holding symlinks to the sources (Kbuild,
# *.c, *.h), so builds for several kernels don't collide.  The extensions
# are built in build/xtables/.

REPO := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
BUILD := $(REPO)/build
XTBUILD := $(BUILD)/xtables

# Targets that work without config.mk (they run sub-makes that need it, or
# need nothing configured).
NOCONFIG_GOALS := check check-full demo modules-all modules-full clean \
	distclean help
ifneq ($(filter-out $(NOCONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
include $(REPO)/config.mk
$(REPO)/config.mk:
	@echo "config.mk is missing: running ./configure with defaults"
	@echo "(see ./configure --help; run it yourself to choose)"
	cd $(REPO) && ./configure
else
-include $(REPO)/config.mk
endif

# --- sources ----------------------------------------------------------------
PLUGIN_SRCS := libipt_NETFLOW.c libip6t_NETFLOW.c
PLUGINS_SO := $(patsubst %.c,$(XTBUILD)/%.so,$(PLUGIN_SRCS))
# what a kernel build directory links to: Kbuild and every top-level C
# source and header but the extensions and generated files (*.mod.c of an
# in-tree build)
KSRCS = Kbuild $(sort $(filter-out $(PLUGIN_SRCS) %.mod.c, \
	$(notdir $(wildcard $(REPO)/*.c))) $(notdir $(wildcard $(REPO)/*.h)))

# --- flags ------------------------------------------------------------------
# An extension registers itself from "void _init(void)", which the dynamic
# loader runs (DT_INIT) when iptables dlopen()s it: -nostartfiles keeps the
# C runtime's own _init out of the way.
CFLAGS ?= -O2 -g
PLUGIN_CFLAGS := -Wall -Wextra -Werror -fPIC
PLUGIN_LDFLAGS := -shared -nostartfiles

.PHONY: all module modules-all modules-full check-full plugins install \
	install-module \
	install-plugins uninstall clean distclean check demo help

all: module plugins

# sync_tree DIR: make DIR a build directory of symlinks to the sources;
# drop links whose source is gone
define sync_tree
	mkdir -p $(1) && \
	for f in $(KSRCS); do \
		ln -sfn $(REPO)/$$f $(1)/$$f || exit 1; \
	done && \
	for l in $(1)/*; do \
		if [ -L "$$l" ] && [ ! -e "$$l" ]; then rm -f "$$l"; fi; \
	done
endef

# kbuild DIR KDIR TARGET
kbuild = $(MAKE) -C $(2) M=$(1) $(3)

module:
	@$(call sync_tree,$(BUILD)/$(KVER))
	$(call kbuild,$(BUILD)/$(KVER),$(KDIR),modules)
	@echo "module: $(BUILD)/$(KVER)/ipt_NETFLOW.ko"

# Every bench kernel ("<short> <kver>" lines of fetch-kernels.sh --list),
# against /usr/src/linux-headers-<kver>; missing headers are installed by
# fetch-kernels.sh.  modules-full: also make check-full's kernels (the
# PREEMPT_RT ones, and the debug kernel against its own build tree).
define modules_for
	@set -e; \
	list=$$(sh $(REPO)/scripts/fetch-kernels.sh $(1)); \
	[ -n "$$list" ] || { echo "$@: no kernels" >&2; exit 1; }; \
	echo "$$list" | while read short kver; do \
		kdir=/usr/src/linux-headers-$$kver; \
		[ "$$short" != debug ] || \
			kdir=$$(sh $(REPO)/scripts/debug-kernel.sh --kdir); \
		[ -f "$$kdir/Makefile" ] || kdir=/lib/modules/$$kver/build; \
		if [ ! -f "$$kdir/Makefile" ]; then \
			echo "$@: headers for $$kver missing, fetching"; \
			sh $(REPO)/scripts/fetch-kernels.sh $$short >/dev/null; \
			kdir=/usr/src/linux-headers-$$kver; \
		fi; \
		echo "$@: $$short: $$kver ($$kdir)"; \
		$(call sync_tree,$(BUILD)/$$kver); \
		$(call kbuild,$(BUILD)/$$kver,$$kdir,modules); \
		test -f $(BUILD)/$$kver/ipt_NETFLOW.ko; \
	done
	@echo "$@: built" $$(ls $(BUILD)/*/ipt_NETFLOW.ko)
endef

modules-all:
	$(call modules_for,--list)

modules-full:
	$(call modules_for,--list-full)

ifeq ($(PLUGINS),no)
plugins:
	@echo "plugins: disabled by ./configure --disable-plugins"
else
plugins: $(PLUGINS_SO)
endif

# the IPv6 extension is the IPv4 source built for the other family
$(XTBUILD)/libip6t_NETFLOW.so: $(REPO)/libipt_NETFLOW.c
$(XTBUILD)/%.so: $(REPO)/%.c $(REPO)/config.mk
	@mkdir -p $(XTBUILD)
	$(CC) $(CPPFLAGS) $(XTABLES_CFLAGS) $(CFLAGS) $(PLUGIN_CFLAGS) \
		$(LDFLAGS) $(PLUGIN_LDFLAGS) -o $@ $< $(XTABLES_LIBS)

# --- install ----------------------------------------------------------------
# DESTDIR is honoured by the extensions, INSTALL_MOD_PATH by the module.
install: install-module install-plugins

install-module: module
	$(call kbuild,$(BUILD)/$(KVER),$(KDIR),INSTALL_MOD_DIR=extra modules_install)
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KVER)

ifeq ($(PLUGINS),no)
install-plugins:
else
install-plugins: plugins
	install -d $(DESTDIR)$(XTLIBDIR)
	install -m 0644 $(PLUGINS_SO) $(DESTDIR)$(XTLIBDIR)/
endif

uninstall:
	rm -f $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/extra/ipt_NETFLOW.ko*
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KVER)
	rm -f $(addprefix $(DESTDIR)$(XTLIBDIR)/,$(notdir $(PLUGINS_SO)))

# --- tests and demo ---------------------------------------------------------
check:
	sh $(REPO)/scripts/install-deps.sh
	$(MAKE) -C $(REPO) modules-all plugins
	cmake -S $(REPO)/tests -B $(BUILD)/cmake
	cmake --build $(BUILD)/cmake -j2
	cd $(BUILD)/cmake && ctest --output-on-failure

# make check, and the VM suites (with tests/vm/TESTS.full) on Debian's
# PREEMPT_RT 6.1 and 6.12 and on the KASAN/lockdep/kmemleak/fault
# injection kernel scripts/debug-kernel.sh builds (once, cached: hours).
check-full:
	sh $(REPO)/scripts/install-deps.sh
	sh $(REPO)/scripts/debug-kernel.sh
	$(MAKE) -C $(REPO) modules-full plugins
	cmake -S $(REPO)/tests -B $(BUILD)/cmake -DNF_VM_FULL=ON
	cmake --build $(BUILD)/cmake -j2
	cd $(BUILD)/cmake && ctest --output-on-failure

demo:
	sh $(REPO)/scripts/install-deps.sh
	$(MAKE) -C $(REPO) modules-all plugins
	sh $(REPO)/scripts/demo.sh

# --- housekeeping -----------------------------------------------------------
clean:
	rm -rf $(BUILD)
	@# leftovers of a kbuild run in the source directory itself
	cd $(REPO) && rm -f *.o *.ko *.mod *.mod.c .*.cmd \
		.*.d Module.symvers modules.order

distclean: clean
	rm -f $(REPO)/config.mk

help:
	@echo "Targets:"
	@echo "  all          module + xtables extensions (default)"
	@echo "  module       build/<kver>/ipt_NETFLOW.ko for the configured kernel"
	@echo "  modules-all  build/<kver>/ipt_NETFLOW.ko for every bench kernel"
	@echo "  plugins      build/xtables/lib{ipt,ip6t}_NETFLOW.so"
	@echo "  install      module (modules_install to extra/, depmod) + extensions"
	@echo "  uninstall    remove what install put in place"
	@echo "  check        install deps, build, run every test (ctest)"
	@echo "  check-full   check, plus VM suites on PREEMPT_RT and debug kernels"
	@echo "  demo         install deps, build, show the module at work in a VM"
	@echo "  clean        remove build/; distclean also removes config.mk"

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
NOCONFIG_GOALS := check check-full check-docs demo modules-all modules-full \
	clean distclean help version deb dkms-source uninstall dkms-uninstall
ifneq ($(filter-out $(NOCONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
include $(REPO)/config.mk
$(REPO)/config.mk:
	@echo "config.mk is missing: running ./configure with defaults"
	@echo "(see ./configure --help; run it yourself to choose)"
	cd $(REPO) && ./configure
else
-include $(REPO)/config.mk
endif

# The version: NETFLOW_VERSION in ipt_NETFLOW.h, nowhere else (modinfo,
# /proc, the packages, dkms.conf and the man pages take it from there;
# scripts/check-docs checks what cannot).
VERSION := $(shell sed -n 's/^\#define NETFLOW_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	$(REPO)/ipt_NETFLOW.h)
# DKMS module name (/usr/src/$(DKMS_NAME)-$(VERSION)); not Debian's
# iptables-netflow-dkms, whose DKMS module is "ipt-netflow"
DKMS_NAME := ipt-netflow-ng
MODULE ?= yes

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
	install-module install-plugins install-man uninstall dkms-install \
	dkms-uninstall dkms-source deb version check-docs clean distclean \
	check demo help

ifeq ($(MODULE),no)
all: plugins
module:
	@echo "module: disabled by ./configure --disable-module" >&2; exit 1
else
all: module plugins
endif

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

ifneq ($(MODULE),no)
module:
	@$(call sync_tree,$(BUILD)/$(KVER))
	$(call kbuild,$(BUILD)/$(KVER),$(KDIR),modules)
	@echo "module: $(BUILD)/$(KVER)/ipt_NETFLOW.ko"
endif

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
# scripts/install.sh does the work and prints every path it installs; the
# top-level install and dkms-install record them in $(MANIFEST), and
# uninstall / dkms-uninstall remove exactly what that lists (see the
# script).  DESTDIR is honoured by the extensions and man pages (a staged
# install records nothing), INSTALL_MOD_PATH by the module.
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
MAN_PAGES := $(REPO)/man/ipt_NETFLOW.8 $(REPO)/man/iptables-netflow.8
MANIFEST ?= $(REPO)/install_manifest.txt
# kernels make dkms-install builds for (default: every one with headers)
DKMS_KERNELS ?=
INSTALL_SH = REPO='$(REPO)' BUILD='$(BUILD)' KVER='$(KVER)' KDIR='$(KDIR)' \
	INSTALL_MOD_PATH='$(INSTALL_MOD_PATH)' DESTDIR='$(DESTDIR)' \
	XTLIBDIR='$(XTLIBDIR)' MANDIR='$(MANDIR)' MAN_PAGES='$(MAN_PAGES)' \
	PLUGINS_SO='$(if $(filter no,$(PLUGINS)),,$(PLUGINS_SO))' \
	KSRCS='$(KSRCS)' VERSION='$(VERSION)' DKMS_NAME='$(DKMS_NAME)' \
	DKMS_KERNELS='$(DKMS_KERNELS)' MANIFEST='$(MANIFEST)' \
	sh $(REPO)/scripts/install.sh

install: all
	@$(INSTALL_SH) install $(if $(filter no,$(MODULE)),,module) plugins man

# the parts alone, as debian/rules uses them (nothing recorded)
install-module: module
	@MANIFEST= $(INSTALL_SH) install module
install-plugins: plugins
	@MANIFEST= $(INSTALL_SH) install plugins
install-man:
	@MANIFEST= $(INSTALL_SH) install man

uninstall:
	@$(INSTALL_SH) uninstall install

# the module through DKMS (rebuilt for every new kernel), the extensions
# and the man pages as make install puts them
dkms-install: plugins
	@$(INSTALL_SH) dkms-install dkms plugins man

dkms-uninstall:
	@$(INSTALL_SH) uninstall dkms-install

# the module's DKMS source tree into $(DESTDIR)/usr/src (debian/rules)
dkms-source:
	@MANIFEST= $(INSTALL_SH) install dkms-source

# Debian packages $(DKMS_NAME)-dkms and $(DKMS_NAME)-xtables (debian/),
# built with dpkg-buildpackage from a copy of the tree in $(DEB_OUT)/src,
# then checked with lintian (errors fail)
DEB_OUT ?= $(BUILD)/deb
deb:
	@python3 $(REPO)/scripts/check-docs --version-only
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_OUT)/src
	cd $(REPO) && tar -c --exclude=./build --exclude=./.git \
		--exclude=./config.mk --exclude=./install_manifest.txt . | \
		tar -x -C $(DEB_OUT)/src
	cd $(DEB_OUT)/src && dpkg-buildpackage -us -uc
	cd $(DEB_OUT) && lintian --fail-on error --display-info \
		$(DKMS_NAME)_$(VERSION)_*.changes
	@echo "deb: built in $(DEB_OUT):" $$(cd $(DEB_OUT) && ls *.deb)
	@echo "deb: install with"
	@echo "  apt-get install" $$(ls $(DEB_OUT)/*.deb | grep -v -- -dbgsym_)

version:
	@echo $(VERSION)

# --- tests and demo ---------------------------------------------------------
# the man pages and README against settings.c, proc.c and the version
check-docs:
	python3 $(REPO)/scripts/check-docs

# ctest shows a test's output once it has ended: the VM suites (a quarter
# of an hour a boot) write each test's start and result to fd 3 meanwhile
# (tests/vm/ctest-vm.sh), which is make's stdout.  -j2: the host-only
# tests (KUnit's build above all) run beside the VM boots, which take the
# qemu lock one at a time (RESOURCE_LOCK qemu; the pkg tests RUN_SERIAL)
check:
	sh $(REPO)/scripts/install-deps.sh
	$(MAKE) -C $(REPO) modules-all plugins
	cmake -S $(REPO)/tests -B $(BUILD)/cmake
	cmake --build $(BUILD)/cmake -j2
	cd $(BUILD)/cmake && NF_PROGRESS_FD=3 ctest -j2 --output-on-failure 3>&1

# make check, and the VM suites (with tests/vm/TESTS.full) on Debian's
# PREEMPT_RT 6.1 and 6.12 and on the KASAN/lockdep/kmemleak/fault
# injection kernel scripts/debug-kernel.sh builds (once, cached: hours).
check-full:
	sh $(REPO)/scripts/install-deps.sh
	sh $(REPO)/scripts/debug-kernel.sh
	$(MAKE) -C $(REPO) modules-full plugins
	cmake -S $(REPO)/tests -B $(BUILD)/cmake -DNF_VM_FULL=ON
	cmake --build $(BUILD)/cmake -j2
	cd $(BUILD)/cmake && NF_PROGRESS_FD=3 ctest -j2 --output-on-failure 3>&1

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
	@echo "  install      module (modules_install to extra/, depmod), extensions,"
	@echo "               man pages; prints each path and lists them in"
	@echo "               install_manifest.txt"
	@echo "  uninstall    remove exactly what install put in place"
	@echo "  dkms-install the module through DKMS (every kernel with headers, or"
	@echo "               DKMS_KERNELS=...), extensions and man pages"
	@echo "  dkms-uninstall  remove exactly what dkms-install put in place"
	@echo "  deb          Debian packages $(DKMS_NAME)-dkms and $(DKMS_NAME)-xtables"
	@echo "               in build/deb (dpkg-buildpackage, lintian)"
	@echo "  check-docs   man pages and README agree with the source"
	@echo "  version      print the version ($(VERSION))"
	@echo "  check        install deps, build, run every test (ctest)"
	@echo "  check-full   check, plus VM suites on PREEMPT_RT and debug kernels"
	@echo "  demo         install deps, build, show the module at work in a VM"
	@echo "  clean        remove build/; distclean also removes config.mk"

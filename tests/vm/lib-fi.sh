# SPDX-License-Identifier: GPL-2.0-only
# Fault injection helpers for the tests of tests/vm/TESTS.debug (a kernel
# with CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC and the stack-trace filter:
# the debug kernel of make check-full), sourced after lib.sh.

FI=/sys/kernel/debug
FI_ATTRS="failslab fail_page_alloc"

fi_set() { echo "$3" >"$FI/$1/$2" || fail "cannot set $1/$2=$3"; }
fi_all() { for a in $FI_ATTRS; do fi_set "$a" "$1" "$2"; done; }
fi_off() {
	for a in $FI_ATTRS; do echo 0 >"$FI/$a/probability"; done 2>/dev/null
	[ -z "${FI_WINDOW:-}" ] || nf_kmsg_mark "fault injection off"
	FI_WINDOW=
}
# the window in which scripts/dmesg-check allows the stack dumps of
# allocation failure reports
fi_window() { nf_kmsg_mark "fault injection on"; FI_WINDOW=1; }
fi_setup() {
	[ -d $FI/failslab ] || mount -t debugfs none $FI 2>/dev/null
	for a in $FI_ATTRS; do
		[ -d "$FI/$a" ] || fail "no $FI/$a: a kernel without" \
			"CONFIG_FAILSLAB / CONFIG_FAIL_PAGE_ALLOC (TESTS.debug only)"
	done
	[ -e "$FI/failslab/require-start" ] ||
		fail "no stack-trace filter (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER)"
	[ -e /proc/self/fail-nth ] || fail "no /proc/self/fail-nth"
	fi_off
	# no report, no stack dump of ours (FI_VERBOSE=2: a stack dump, for
	# the SITE column of the summaries)
	fi_all verbose "${FI_VERBOSE:-0}"
	fi_all ignore-gfp-wait N	# GFP_KERNEL allocations too
	fi_all task-filter N
	fi_all stacktrace-depth 32
	fi_all interval 1
	fi_all space 0
	fi_all times -1
	fi_all reject-start 0
	fi_all reject-end 0
	fi_set failslab cache-filter N
	fi_set fail_page_alloc ignore-gfp-highmem N
	fi_set fail_page_alloc min-order 0
}
# fi_cache_filter Y|N: with Y, slab allocations from kmemleak's and
# debugobjects' own caches never fail (their failures are absorbed by
# emergency pools, on purpose out of sight: they would only double the
# fault points), every other cache's may
fi_cache_filter() {
	for c in /sys/kernel/slab/*; do
		[ ! -L "$c" ] || continue
		case ${c##*/} in kmemleak_* | debug_objects_cache) continue ;; esac
		echo 1 >"$c/failslab" 2>/dev/null
	done
	fi_set failslab cache-filter "$1"
}
# fi_range START END: only allocations with a return address in
# [START, END) on their stack may fail
fi_range() { fi_all require-start "$1"; fi_all require-end "$2"; }
# fi_reject_func FUNC: no allocation with FUNC (a kernel text symbol) on
# its stack fails: reject-start/end are FUNC's address and the next text
# symbol's (/proc/kallsyms; one range only, for both attributes)
fi_reject_func() {
	set -- "$1" "$(awk -v f="$1" '$3 == f && $2 ~ /^[tT]$/ { print $1; exit }' /proc/kallsyms)"
	[ -n "$2" ] || fail "fi_reject_func: no $1 in /proc/kallsyms"
	# (addresses are 16 hex digits: compared as strings, exactly)
	set -- "$1" "0x$2" "$(awk -v a="x$2" '
		$2 ~ /^[tT]$/ && ("x" $1) > a && (s == "" || ("x" $1) < s) { s = "x" $1 }
		END { print substr(s, 2) }' /proc/kallsyms)"
	[ -n "$3" ] || fail "fi_reject_func: no text symbol after $1"
	fi_all reject-start "$2"
	fi_all reject-end "0x$3"
}

# The module's text, from its .text section to past its last function
# (/proc/kallsyms, as /proc/vmallocinfo hides addresses): the next
# module's text is at least a guard page further.  Sets TEXT_START,
# TEXT_END.
fi_text_range() {
	t=$(cat /sys/module/ipt_NETFLOW/sections/.text) || fail "no .text section"
	TEXT_START=$t TEXT_END=$t
	# (grep first: a shell loop over the debug kernel's 200 000 symbols
	# takes minutes under TCG)
	grep '\[ipt_NETFLOW\]$' /proc/kallsyms >"$W/kallsyms.txt"
	while read -r a type _ mod; do
		case $type in t | T) ;; *) continue ;; esac
		[ $((0x$a)) -ge $((TEXT_START)) ] || TEXT_START=0x$a
		[ $((0x$a)) -lt $((TEXT_END)) ] || TEXT_END=0x$a
	done <"$W/kallsyms.txt"
	[ "$TEXT_END" != "$t" ] || fail "no text symbols of ipt_NETFLOW in /proc/kallsyms"
	TEXT_END=$(printf '0x%x' $((TEXT_END + 4096)))
}


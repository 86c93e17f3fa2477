// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module metadata for ipt_netflow_kunit.ko; kept apart so that every
 * *_test.c stays a self-contained suite.
 */
#include <linux/module.h>

MODULE_DESCRIPTION("KUnit tests for ipt_NETFLOW");
MODULE_LICENSE("GPL");

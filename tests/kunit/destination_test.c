// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for destination.c, the parser of the destination parameter.
 *
 * Every accepted spec is checked through its canonical form, which is what
 * the sockN: lines of /proc show, and every canonical form must parse back
 * to the same entries: a user can paste what /proc prints.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "destination.h"

struct dest_case {
	const char *spec;
	const char *canon;	/* entries formatted and joined by ',' */
	const char *desc;	/* the spec may hold tabs and newlines */
};

static const struct dest_case dest_good[] = {
	{ "127.0.0.1:2055", "127.0.0.1:2055", "v4" },
	{ "10.0.0.2", "10.0.0.2:2055", "v4 default port" },
	{ "10.0.0.2:1", "10.0.0.2:1", "port 1" },
	{ "10.0.0.2:65535", "10.0.0.2:65535", "port 65535" },
	{ "10.0.0.2:02055", "10.0.0.2:2055", "leading zero port" },
	{ "1.1.1.1:1,2.2.2.2:2", "1.1.1.1:1,2.2.2.2:2", "comma" },
	{ "1.1.1.1:1;2.2.2.2:2", "1.1.1.1:1,2.2.2.2:2", "semicolon" },
	{ "1.1.1.1:1 2.2.2.2:2", "1.1.1.1:1,2.2.2.2:2", "space" },
	{ "1.1.1.1:1\t2.2.2.2:2", "1.1.1.1:1,2.2.2.2:2", "tab" },
	{ "1.1.1.1:1\n2.2.2.2:2", "1.1.1.1:1,2.2.2.2:2", "newline" },
	{ " ,;\t1.1.1.1:1 , ;\n 2.2.2.2:2;,\n", "1.1.1.1:1,2.2.2.2:2",
	  "separator runs, leading and trailing" },
	{ "127.0.0.1:2055\n", "127.0.0.1:2055", "sysctl newline" },
	{ "10.0.0.2:2055,10.0.0.2:2055@10.0.0.1,10.0.0.2:2055%eth0",
	  "10.0.0.2:2055,10.0.0.2:2055@10.0.0.1,10.0.0.2:2055%eth0",
	  "one collector by three paths" },
	{ "[::1]:2055", "[::1]:2055", "v6" },
	{ "[::1]", "[::1]:2055", "v6 default port" },
	{ "[2001:DB8:0:0:0:0:0:1]:9995", "[2001:db8::1]:9995", "v6 long form" },
	{ "[::ffff:10.1.2.3]:2055", "[::ffff:10.1.2.3]:2055", "v4-mapped v6" },
	{ "10.0.0.2:2055@10.0.0.1", "10.0.0.2:2055@10.0.0.1", "v4 source" },
	{ "10.0.0.2@10.0.0.1", "10.0.0.2:2055@10.0.0.1",
	  "v4 source, default port" },
	{ "[::1]:2055@[::1]", "[::1]:2055@[::1]", "v6 bracketed source" },
	{ "[::1]:2055@::1", "[::1]:2055@[::1]", "v6 bare source" },
	{ "10.0.0.2:2055%eth0", "10.0.0.2:2055%eth0", "device" },
	{ "10.0.0.2%eth0", "10.0.0.2:2055%eth0", "device, default port" },
	{ "10.0.0.2:2055@10.0.0.1%eth0", "10.0.0.2:2055@10.0.0.1%eth0",
	  "source then device" },
	{ "10.0.0.2:2055%eth0@10.0.0.1", "10.0.0.2:2055@10.0.0.1%eth0",
	  "device then source" },
	{ "[::1]:2055@::1%lo", "[::1]:2055@[::1]%lo", "v6 bare source, device" },
	{ "[::1]:2055%lo@::1", "[::1]:2055@[::1]%lo", "v6 device, bare source" },
	{ "[fe80::1]:2055%eth0", "[fe80::1]:2055%eth0", "link-local, device" },
	{ "[fe80::1]:2055@fe80::2%eth0", "[fe80::1]:2055@[fe80::2]%eth0",
	  "link-local source, device" },
	{ "10.0.0.2:2055%abcdefghijklmno", "10.0.0.2:2055%abcdefghijklmno",
	  "15-char device" },
	{ "10.0.0.2:2055@10.0.0.1%eth0, [::1]:9996%lo",
	  "10.0.0.2:2055@10.0.0.1%eth0,[::1]:9996%lo", "mixed families" },
};

static const struct dest_case dest_bad[] = {
	{ "", NULL, "empty" },
	{ " ,;\t\n", NULL, "separators only" },
	{ "garbage", NULL, "garbage" },
	{ "1.1.1.1:1,1.1.1.1:1", NULL, "same twice" },
	{ "10.0.0.2,10.0.0.2:2055", NULL, "same twice, default port" },
	{ "[::1]:2055 [0:0::1]:2055", NULL, "same v6 twice" },
	{ "1.1.1.1:1%lo,2.2.2.2:2,1.1.1.1:1%lo", NULL, "same twice, apart" },
	{ "1.2.3:2055", NULL, "three octets" },
	{ "1.2.3.4.5:2055", NULL, "five octets" },
	{ "256.1.1.1:2055", NULL, "octet > 255" },
	{ "1.2.3.a:2055", NULL, "hex in v4" },
	{ "0.0.0.0:2055", NULL, "unspecified v4" },
	{ "1.2.3.4:0", NULL, "port 0" },
	{ "1.2.3.4:65536", NULL, "port 65536" },
	{ "1.2.3.4:99999999999999999999", NULL, "port overflows u64" },
	{ "1.2.3.4:abc", NULL, "port not numeric" },
	{ "1.2.3.4:20x5", NULL, "port with junk" },
	{ "1.2.3.4:-1", NULL, "negative port" },
	{ "1.2.3.4:+2055", NULL, "signed port" },
	{ "1.2.3.4:", NULL, "empty port" },
	{ "1.2.3.4:2055:2056", NULL, "two ports" },
	{ "1.2.3.4 :2055", NULL, "space before port" },
	{ "1.2.3.4:2055,bad", NULL, "good then bad" },
	{ "[::1:2055", NULL, "unterminated bracket" },
	{ "[::1", NULL, "unterminated bracket, no port" },
	{ "::1:2055", NULL, "unbracketed v6" },
	{ "[]:2055", NULL, "empty v6" },
	{ "[::]:2055", NULL, "unspecified v6" },
	{ "[1.2.3.4]:2055", NULL, "v4 in brackets" },
	{ "[::1]2055", NULL, "port without colon" },
	{ "[::1]:2055]", NULL, "stray bracket" },
	{ "[fe80::1]:2055", NULL, "link-local without device" },
	{ "[::1]:2055@fe80::1", NULL, "link-local source without device" },
	{ "1.2.3.4:2055@::1", NULL, "v4 destination, v6 source" },
	{ "1.2.3.4:2055@[::1]", NULL, "v4 destination, bracketed v6 source" },
	{ "[::1]:2055@1.2.3.4", NULL, "v6 destination, v4 source" },
	{ "[::1]:2055@[::1", NULL, "unterminated source bracket" },
	{ "[::1]:2055@[::1]x", NULL, "junk after source bracket" },
	{ "1.2.3.4:2055@", NULL, "empty source" },
	{ "1.2.3.4:2055@1.1.1", NULL, "bad source" },
	{ "1.2.3.4:2055@1.1.1.1@2.2.2.2", NULL, "two sources" },
	{ "1.2.3.4:2055%", NULL, "empty device" },
	{ "1.2.3.4:2055%abcdefghijklmnop", NULL, "16-char device" },
	{ "1.2.3.4:2055%lo%eth0", NULL, "two devices" },
	{ "1.2.3.4:2055%a/b", NULL, "slash in device" },
	{ "1.2.3.4:2055%..", NULL, "device .." },
	{ "1.2.3.4@1.1.1.1:2055", NULL, "port after source" },
};

static void dest_case_desc(const struct dest_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dest_good, dest_good, dest_case_desc);
KUNIT_ARRAY_PARAM(dest_bad, dest_bad, dest_case_desc);

static struct nfl_dest_addr *dest_alloc(struct kunit *test, unsigned int n)
{
	struct nfl_dest_addr *a;

	a = kunit_kcalloc(test, n, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	return a;
}

/* Format @n entries of @a joined by ',' into a test-managed buffer. */
static char *dest_join(struct kunit *test, const struct nfl_dest_addr *a,
		       int n)
{
	size_t size = NFL_DEST_MAX * NFL_DEST_STRLEN;
	char *buf, *p;
	int i;

	buf = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0, p = buf; i < n; i++) {
		if (i)
			*p++ = ',';
		p += nfl_dest_format(&a[i], p, buf + size - p);
	}
	return buf;
}

static void dest_test_good(struct kunit *test)
{
	const struct dest_case *c = test->param_value;
	struct nfl_dest_addr *a = dest_alloc(test, NFL_DEST_MAX);
	int n;

	n = nfl_dest_parse(c->spec, a, NFL_DEST_MAX);
	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_EXPECT_STREQ(test, dest_join(test, a, n), c->canon);
}

static void dest_test_bad(struct kunit *test)
{
	const struct dest_case *c = test->param_value;
	struct nfl_dest_addr *a = dest_alloc(test, NFL_DEST_MAX);

	KUNIT_EXPECT_EQ(test, nfl_dest_parse(c->spec, a, NFL_DEST_MAX), -EINVAL);
}

/* parse -> format -> parse gives the same entries, byte for byte */
static void dest_test_round_trip(struct kunit *test)
{
	struct nfl_dest_addr *a = dest_alloc(test, NFL_DEST_MAX);
	struct nfl_dest_addr *b = dest_alloc(test, NFL_DEST_MAX);
	unsigned int i;
	char *canon;
	int n, m;

	for (i = 0; i < ARRAY_SIZE(dest_good); i++) {
		n = nfl_dest_parse(dest_good[i].spec, a, NFL_DEST_MAX);
		KUNIT_ASSERT_GT_MSG(test, n, 0, "%s", dest_good[i].desc);
		canon = dest_join(test, a, n);
		m = nfl_dest_parse(canon, b, NFL_DEST_MAX);
		KUNIT_ASSERT_EQ_MSG(test, m, n, "%s", canon);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(a, b, n * sizeof(*a)), 0,
				    "%s", canon);
	}
}

static void dest_test_fields_v4(struct kunit *test)
{
	struct nfl_dest_addr *a = dest_alloc(test, NFL_DEST_MAX);
	const struct sockaddr_in *d = (const void *)&a[0].dest;
	const struct sockaddr_in *s = (const void *)&a[0].src;

	KUNIT_ASSERT_EQ(test, nfl_dest_parse("10.1.2.3:9995@10.9.8.7%eth1",
					    a, NFL_DEST_MAX), 1);
	KUNIT_EXPECT_EQ(test, d->sin_family, AF_INET);
	KUNIT_EXPECT_EQ(test, d->sin_port, htons(9995));
	KUNIT_EXPECT_EQ(test, d->sin_addr.s_addr, htonl(0x0a010203));
	KUNIT_EXPECT_EQ(test, s->sin_family, AF_INET);
	KUNIT_EXPECT_EQ(test, s->sin_port, 0);
	KUNIT_EXPECT_EQ(test, s->sin_addr.s_addr, htonl(0x0a090807));
	KUNIT_EXPECT_STREQ(test, a[0].ifname, "eth1");

	KUNIT_ASSERT_EQ(test, nfl_dest_parse("10.1.2.3", a, NFL_DEST_MAX), 1);
	KUNIT_EXPECT_EQ(test, d->sin_port, htons(NFL_DEST_DEFAULT_PORT));
	KUNIT_EXPECT_EQ(test, a[0].src.ss_family, AF_UNSPEC);
	KUNIT_EXPECT_STREQ(test, a[0].ifname, "");
}

static void dest_test_fields_v6(struct kunit *test)
{
	static const struct in6_addr one = { .s6_addr = {
		0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct nfl_dest_addr *a = dest_alloc(test, NFL_DEST_MAX);
	const struct sockaddr_in6 *d = (const void *)&a[0].dest;
	const struct sockaddr_in6 *s = (const void *)&a[0].src;

	KUNIT_ASSERT_EQ(test, nfl_dest_parse("[2001:db8::1]:2056@2001:db8::1",
					    a, NFL_DEST_MAX), 1);
	KUNIT_EXPECT_EQ(test, d->sin6_family, AF_INET6);
	KUNIT_EXPECT_EQ(test, d->sin6_port, htons(2056));
	KUNIT_EXPECT_EQ(test, memcmp(&d->sin6_addr, &one, sizeof(one)), 0);
	KUNIT_EXPECT_EQ(test, d->sin6_scope_id, 0);
	KUNIT_EXPECT_EQ(test, s->sin6_family, AF_INET6);
	KUNIT_EXPECT_EQ(test, s->sin6_port, 0);
	KUNIT_EXPECT_EQ(test, memcmp(&s->sin6_addr, &one, sizeof(one)), 0);
}

/* NFL_DEST_MAX collectors are fine, one more is refused, as is a short @max */
static void dest_test_max(struct kunit *test)
{
	struct nfl_dest_addr *a = dest_alloc(test, NFL_DEST_MAX + 1);
	size_t size = (NFL_DEST_MAX + 1) * 20;
	char *spec, *p;
	unsigned int i;

	spec = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spec);
	for (i = 0, p = spec; i < NFL_DEST_MAX; i++)
		p += scnprintf(p, spec + size - p, "10.0.0.%u:%u,", i + 1,
			       2000 + i);

	KUNIT_EXPECT_EQ(test, nfl_dest_parse(spec, a, NFL_DEST_MAX), NFL_DEST_MAX);
	KUNIT_EXPECT_EQ(test, nfl_dest_parse(spec, a, NFL_DEST_MAX - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, nfl_dest_parse(spec, a, 0), -EINVAL);

	scnprintf(p, spec + size - p, "10.0.0.99:2055");
	KUNIT_EXPECT_EQ(test, nfl_dest_parse(spec, a, NFL_DEST_MAX), -EINVAL);
	/* even with room for it: the limit is the caller's @max */
	KUNIT_EXPECT_EQ(test, nfl_dest_parse(spec, a, NFL_DEST_MAX + 1),
			NFL_DEST_MAX + 1);
}

static void dest_test_null(struct kunit *test)
{
	struct nfl_dest_addr *a = dest_alloc(test, 1);

	KUNIT_EXPECT_EQ(test, nfl_dest_parse(NULL, a, 1), -EINVAL);
}

/* the longest canonical item fits NFL_DEST_STRLEN; short buffers truncate */
static void dest_test_format_bounds(struct kunit *test)
{
	static const char spec[] =
		"[1111:2222:3333:4444:5555:6666:7777:8888]:65535@[1111:2222:3333:4444:5555:6666:7777:8889]%abcdefghijklmno";
	struct nfl_dest_addr *a = dest_alloc(test, 1);
	char buf[NFL_DEST_STRLEN];
	int n;

	KUNIT_ASSERT_EQ(test, nfl_dest_parse(spec, a, 1), 1);
	n = nfl_dest_format(a, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, n, (int)strlen(spec));
	KUNIT_EXPECT_LT(test, n, NFL_DEST_STRLEN);
	KUNIT_EXPECT_STREQ(test, buf, spec);

	n = nfl_dest_format(a, buf, 10);
	KUNIT_EXPECT_EQ(test, n, 9);
	KUNIT_EXPECT_STREQ(test, buf, "[1111:222");
}

static struct kunit_case destination_test_cases[] = {
	KUNIT_CASE_PARAM(dest_test_good, dest_good_gen_params),
	KUNIT_CASE_PARAM(dest_test_bad, dest_bad_gen_params),
	KUNIT_CASE(dest_test_round_trip),
	KUNIT_CASE(dest_test_fields_v4),
	KUNIT_CASE(dest_test_fields_v6),
	KUNIT_CASE(dest_test_max),
	KUNIT_CASE(dest_test_null),
	KUNIT_CASE(dest_test_format_bounds),
	{}
};

static struct kunit_suite destination_test_suite = {
	.name = "ipt_netflow_destination",
	.test_cases = destination_test_cases,
};

kunit_test_suite(destination_test_suite);

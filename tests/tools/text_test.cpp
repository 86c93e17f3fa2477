#include "net.hpp"
#include "text.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>

using namespace nft;

TEST(Text, ParseUint)
{
    EXPECT_EQ(parse_uint("0"), 0u);
    EXPECT_EQ(parse_uint("65535", 65535), 65535u);
    EXPECT_EQ(parse_uint("0x1b"), 0x1bu);
    EXPECT_EQ(parse_uint("0XFF"), 255u);
    EXPECT_EQ(parse_uint("18446744073709551615"), UINT64_MAX);
    EXPECT_FALSE(parse_uint("18446744073709551616"));
    EXPECT_FALSE(parse_uint("65536", 65535));
    EXPECT_FALSE(parse_uint(""));
    EXPECT_FALSE(parse_uint("0x"));
    EXPECT_FALSE(parse_uint("-1"));
    EXPECT_FALSE(parse_uint("12a"));
    EXPECT_FALSE(parse_uint(" 1"));
}

TEST(Text, ParseRange)
{
    EXPECT_EQ(parse_range("10000-10999", 65535), std::make_pair(uint64_t{10000}, uint64_t{10999}));
    EXPECT_EQ(parse_range("7", 65535), std::make_pair(uint64_t{7}, uint64_t{7}));
    EXPECT_FALSE(parse_range("10-5", 65535));
    EXPECT_FALSE(parse_range("1-70000", 65535));
    EXPECT_FALSE(parse_range("1-", 65535));
    EXPECT_FALSE(parse_range("-5", 65535));
}

TEST(Text, Hex)
{
    EXPECT_EQ(hex(0), "0x00");
    EXPECT_EQ(hex(0x1b), "0x1b");
    EXPECT_EQ(hex(0x1b, 4), "0x001b");
    const uint8_t b[] = {0x00, 0xab, 0x10};
    EXPECT_EQ(hex_bytes(b, 3), "00ab10");
}

TEST(KvLine, RoundTripWithQuoting)
{
    KvLine l;
    l.tag = "error";
    l.add("kind", "format");
    l.add("n", 42);
    l.add("msg", "v5: length 25 != \"24\" \\ x=y");
    l.add("empty", "");
    std::string s = l.str();
    EXPECT_EQ(s.rfind("error kind=format n=42 msg=\"", 0), 0u) << s;
    auto back = parse_kv_line(s);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->tag, "error");
    EXPECT_EQ(back->fields, l.fields);
    ASSERT_NE(back->get("msg"), nullptr);
    EXPECT_EQ(*back->get("msg"), "v5: length 25 != \"24\" \\ x=y");
    EXPECT_EQ(back->get("nope"), nullptr);
}

TEST(KvLine, SkipsBlankAndComments)
{
    EXPECT_FALSE(parse_kv_line(""));
    EXPECT_FALSE(parse_kv_line("   "));
    EXPECT_FALSE(parse_kv_line("# flow proto=1"));
    auto tag_only = parse_kv_line("summary");
    ASSERT_TRUE(tag_only);
    EXPECT_TRUE(tag_only->fields.empty());
}

TEST(KvLine, Malformed)
{
    EXPECT_THROW(parse_kv_line("flow proto"), std::invalid_argument);
    EXPECT_THROW(parse_kv_line("flow =5"), std::invalid_argument);
    EXPECT_THROW(parse_kv_line("flow msg=\"unterminated"), std::invalid_argument);
    EXPECT_THROW(parse_kv_line("proto=1 src=x"), std::invalid_argument);
}

TEST(Net, IpAddrParseFormat)
{
    auto a = IpAddr::parse("10.1.0.2");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->is_v4());
    EXPECT_EQ(a->str(), "10.1.0.2");
    EXPECT_EQ(a->v4_host_order(), 0x0a010002u);
    auto b = IpAddr::parse("[fd00:0:0::2]");
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->is_v6());
    EXPECT_EQ(b->str(), "fd00::2");
    EXPECT_FALSE(IpAddr::parse("10.1.0"));
    EXPECT_FALSE(IpAddr::parse("10.1.0.256"));
    EXPECT_FALSE(IpAddr::parse("fd00::2::1"));
    EXPECT_FALSE(IpAddr::parse("host.example"));
    EXPECT_TRUE(IpAddr::parse("0.0.0.0")->is_unspecified());
    EXPECT_LT(*IpAddr::parse("10.0.0.1"), *IpAddr::parse("10.0.0.2"));
    EXPECT_LT(*IpAddr::parse("255.0.0.1"), *IpAddr::parse("::1")); // v4 sorts first
}

TEST(Net, EndpointParse)
{
    auto e = Endpoint::parse("127.0.0.1:2055");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->port, 2055);
    EXPECT_EQ(e->str(), "127.0.0.1:2055");
    auto v6 = Endpoint::parse("[::1]:4739");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->addr.is_v6());
    EXPECT_EQ(v6->str(), "[::1]:4739");
    EXPECT_FALSE(Endpoint::parse("127.0.0.1"));
    EXPECT_TRUE(Endpoint::parse("127.0.0.1", true));
    EXPECT_TRUE(Endpoint::parse("fd00::2", true));
    EXPECT_FALSE(Endpoint::parse("fd00::2"));
    EXPECT_FALSE(Endpoint::parse("127.0.0.1:65536"));
    EXPECT_FALSE(Endpoint::parse("127.0.0.1:"));
    EXPECT_FALSE(Endpoint::parse("[::1]"));
    EXPECT_FALSE(Endpoint::parse("[::1]x"));
    EXPECT_FALSE(Endpoint::parse("127.0.0.1:80x"));

    sockaddr_storage ss;
    Endpoint::from_sockaddr(ss); // no crash on garbage family
    socklen_t len = v6->to_sockaddr(ss);
    EXPECT_EQ(len, sizeof(sockaddr_in6));
    EXPECT_EQ(Endpoint::from_sockaddr(ss), *v6);
}

TEST(Net, Prefix)
{
    auto p = Prefix::parse("10.1.0.0/24");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->contains(*IpAddr::parse("10.1.0.200")));
    EXPECT_FALSE(p->contains(*IpAddr::parse("10.1.1.1")));
    EXPECT_FALSE(p->contains(*IpAddr::parse("::1")));
    auto odd = Prefix::parse("10.1.0.128/25");
    EXPECT_TRUE(odd->contains(*IpAddr::parse("10.1.0.129")));
    EXPECT_FALSE(odd->contains(*IpAddr::parse("10.1.0.127")));
    auto v6 = Prefix::parse("fd00:1::/64");
    EXPECT_TRUE(v6->contains(*IpAddr::parse("fd00:1::2")));
    EXPECT_FALSE(v6->contains(*IpAddr::parse("fd00:2::2")));
    auto host = Prefix::parse("10.1.0.1");
    EXPECT_EQ(host->len, 32);
    EXPECT_TRUE(Prefix::parse("0.0.0.0/0")->contains(*IpAddr::parse("1.2.3.4")));
    EXPECT_FALSE(Prefix::parse("10.0.0.0/33"));
    EXPECT_FALSE(Prefix::parse("10.0.0.0/"));
    EXPECT_FALSE(Prefix::parse("10.0.0.0/x"));
}

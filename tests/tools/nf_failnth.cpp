// nf-failnth: one system call with its Nth fault-injection point failing
// (/proc/thread-self/fail-nth, a kernel with CONFIG_FAULT_INJECTION).
//
// Only this task's points count, and of those only the ones the fault
// attributes let through (their stack-trace filter, ignore-gfp-wait...):
// everything else the tool does, opening files included, happens before
// fail-nth is armed or after it is disarmed, so nothing but the one call
// is subject to it.  The tool prints what happened and whether the fault
// was injected (the call reached its Nth point) or not (it has fewer).
#include "cli.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/syscall.h>
#include <unistd.h>

using namespace nft;

namespace {

const char kUsage[] = R"(usage: nf-failnth N load MODULE.ko [PARAMS]
       nf-failnth N write FILE VALUE

Arms /proc/thread-self/fail-nth with N, makes one system call, disarms it:

  load    finit_module(2) of MODULE.ko with the parameter string PARAMS
  write   one write(2) of VALUE (no newline added) to FILE, e.g. a sysctl

and prints one line:

  injected=0|1 points=P rc=0|-ERRNO errno=NAME

injected=1: the call reached its Nth fault point, which failed (P = N);
0: it made fewer than N, P of them (N=0 injects nothing: P is 0; a large
N counts the call's points).  Exit: 0 if the call succeeded, 1 if it
failed, 2 on usage or setup errors.
)";

const char kFailNth[] = "/proc/thread-self/fail-nth";

[[noreturn]] void die(const std::string& what)
{
    std::fprintf(stderr, "nf-failnth: %s: %s\n", what.c_str(), std::strerror(errno));
    std::exit(2);
}

void arm(int fd, unsigned long n)
{
    const std::string s = std::to_string(n);
    if (pwrite(fd, s.data(), s.size(), 0) != static_cast<ssize_t>(s.size()))
        die(std::string("writing ") + kFailNth);
}

// The points left of the N armed: 0 once the Nth one was failed.
unsigned long left(int fd)
{
    char buf[32] = {};
    if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
        die(std::string("reading ") + kFailNth);
    return std::strtoul(buf, nullptr, 10);
}

} // namespace

int main(int argc, char** argv)
{
    try {
        if (argc == 2 && (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help")) {
            std::cout << kUsage;
            return 0;
        }
        if (argc < 4 || (std::string(argv[2]) == "write" && argc != 5) ||
            (std::string(argv[2]) == "load" && argc > 5))
            throw UsageError("wrong arguments");
        const unsigned long n = num_arg("N", argv[1], 1UL << 30);
        const std::string op = argv[2];
        int fd;
        if (op == "load")
            fd = open(argv[3], O_RDONLY | O_CLOEXEC);
        else if (op == "write")
            fd = open(argv[3], O_WRONLY | O_CLOEXEC);
        else
            throw UsageError("unknown operation " + op);
        if (fd < 0)
            die(std::string("opening ") + argv[3]);
        const int fn = open(kFailNth, O_RDWR | O_CLOEXEC);
        if (fn < 0)
            die(std::string("opening ") + kFailNth + " (no CONFIG_FAULT_INJECTION?)");

        const char* params = op == "load" && argc == 5 ? argv[4] : "";
        const char* value = op == "write" ? argv[4] : "";
        const size_t len = std::strlen(value);
        long rc;
        arm(fn, n);
        if (op == "load")
            rc = syscall(SYS_finit_module, fd, params, 0);
        else
            rc = write(fd, value, len);
        const int err = rc < 0 ? errno : 0;
        const unsigned long rest = left(fn);
        arm(fn, 0);

        const bool ok = op == "load" ? rc == 0 : rc == static_cast<long>(len);
        std::printf("injected=%d points=%lu rc=%ld errno=%s\n", n && !rest ? 1 : 0, n - rest,
                    rc < 0 ? -static_cast<long>(err) : rc,
                    err ? strerrorname_np(err) : "0");
        return ok ? 0 : 1;
    } catch (const UsageError& e) {
        std::cerr << "nf-failnth: " << e.what() << "\n" << kUsage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "nf-failnth: " << e.what() << "\n";
        return 2;
    }
}

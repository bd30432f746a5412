/* cpuid_mask: run a program as on a CPU with AVX2 but without AVX-512, VNNI, bf16 or AMX.
 *
 * Loaded with LD_PRELOAD (see benchmarks/avx2.py), it turns on Linux's CPUID faulting
 * (arch_prctl ARCH_SET_CPUID, needs the cpuid_fault CPU flag): every CPUID instruction of the
 * process and its threads then traps, and the handler answers it with the real values minus the
 * feature bits below. Libraries that choose their kernels by CPUID (ONNX Runtime's MLAS, PyTorch's
 * cpuinfo, oneDNN) take the path such a CPU takes. An execve() ends the masking.
 *
 * Hidden, CPUID leaf 7 subleaf 0: EBX avx512f/dq/ifma/pf/er/cd/bw/vl; ECX avx512_vbmi, vbmi2, vnni,
 * bitalg, vpopcntdq; EDX avx512_4vnniw, 4fmaps, vp2intersect, amx_bf16, avx512_fp16, amx_tile,
 * amx_int8. Subleaf 1: EAX avx_vnni, avx512_bf16, avx_ifma.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static long set_cpuid(int enabled) { return syscall(SYS_arch_prctl, ARCH_SET_CPUID, enabled); }

static void on_segv(int sig, siginfo_t *info, void *raw) {
    (void)sig; (void)info;
    ucontext_t *uc = raw;
    greg_t *r = uc->uc_mcontext.gregs;
    const unsigned char *ip = (const unsigned char *)r[REG_RIP];
    if (ip[0] != 0x0f || ip[1] != 0xa2) { /* a real fault: crash as without this library */
        signal(SIGSEGV, SIG_DFL);
        return;
    }
    uint32_t a, b, c, d, leaf = (uint32_t)r[REG_RAX], sub = (uint32_t)r[REG_RCX];
    set_cpuid(1);
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(sub));
    set_cpuid(0);
    if (leaf == 7 && sub == 0) {
        b &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31));
        c &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
        d &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) | (1u << 25));
    } else if (leaf == 7 && sub == 1) {
        a &= ~((1u << 4) | (1u << 5) | (1u << 23));
    }
    r[REG_RAX] = a; r[REG_RBX] = b; r[REG_RCX] = c; r[REG_RDX] = d;
    r[REG_RIP] += 2;
}

__attribute__((constructor)) static void install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    if (set_cpuid(0) != 0) perror("cpuid_mask: CPUID faulting");
}

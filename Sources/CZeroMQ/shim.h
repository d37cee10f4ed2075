#ifndef SWIFTPS_CZEROMQ_SHIM_H
#define SWIFTPS_CZEROMQ_SHIM_H
#include <zmq.h>
#include <errno.h>
#if defined(__linux__)
#include <sys/eventfd.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

// errno is a macro on glibc; Swift cannot read it directly in every context.
static inline int swiftps_zmq_errno(void) { return zmq_errno(); }

// ZeroMQ's own error numbers are macro expressions (ZMQ_HAUSNUMERO + n) on some builds and
// plain errno values on others; Swift imports neither form reliably, so name them here.
static inline int swiftps_zmq_eterm(void) { return ETERM; }
static inline int swiftps_zmq_eagain(void) { return EAGAIN; }
static inline int swiftps_zmq_eintr(void) { return EINTR; }
static inline int swiftps_zmq_ehostunreach(void) { return EHOSTUNREACH; }
static inline int swiftps_zmq_emsgsize(void) { return EMSGSIZE; }

// The event loop's wake-up: an eventfd that other threads write and zmq_poll watches.
// EFD_* flags are macros whose Swift import differs between glibc versions.
static inline int swiftps_eventfd_nonblocking(void) {
#if defined(__linux__)
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
#else
    return -1;  /* EventLoop reports this as an error: Linux is the supported platform */
#endif
}

// Large ZeroMQ frames are malloc'ed by the I/O thread for every received message. glibc
// serves blocks over its mmap threshold with a fresh mmap each (a page fault per 4 KiB,
// an munmap at free); raising the thresholds lets freed frame buffers be reused.
// Process-wide; returns 0 where unsupported. mallopt's M_* constants are macros.
static inline int swiftps_keep_large_allocations_on_heap(int mmap_threshold, int trim_threshold) {
#if defined(__GLIBC__)
    int a = mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    int b = mallopt(M_TRIM_THRESHOLD, trim_threshold);
    return a && b;
#else
    (void)mmap_threshold; (void)trim_threshold;
    return 0;
#endif
}
#endif

#ifndef SWIFTPS_CZEROMQ_SHIM_H
#define SWIFTPS_CZEROMQ_SHIM_H
#include <zmq.h>
#include <errno.h>

// errno is a macro on glibc; Swift cannot read it directly in every context.
static inline int swiftps_zmq_errno(void) { return zmq_errno(); }
#endif

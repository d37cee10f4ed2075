#ifndef SWIFTPS_COPENBLAS_SHIM_H
#define SWIFTPS_COPENBLAS_SHIM_H
// Debian's libopenblas-dev ships cblas.h under its own include directory (pkg-config openblas);
// that header also declares openblas_set_num_threads / openblas_get_num_threads.
#include <cblas.h>
#endif

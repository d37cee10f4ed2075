#ifndef SWIFTPS_CZLIB_SHIM_H
#define SWIFTPS_CZLIB_SHIM_H
#include <zlib.h>
#endif

// The system zlib (already required by swift-nio-extras' HTTP compression, which the
// HTTP client depends on), for gzip-compressing large connector states.
#include <zlib.h>

// Header-only module: SwiftPM needs a source file in a C target.
#include "CLibFuzzer.h"

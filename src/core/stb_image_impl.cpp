// stb_image's implementation, compiled once, restricted to the formats we accept. It has a file
// of its own so that one compile rule applies to stb's code alone (src/core/CMakeLists.txt):
// -fwrapv, because stb 2.27's JPEG decoder multiplies values read from the file in int
// (stbi__jpeg_decode_block's DC prediction times the quantisation step), which a corrupt JPEG
// overflows: undefined behaviour in C++, found by fuzz_image. With -fwrapv the overflow wraps,
// which is what stb expects (the product is cast to short anyway), and the corrupt photo is
// then decoded to noise or refused like any other; the sanitizer's overflow check, whose
// premise -fwrapv removes, is off for this file only.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
#define STBI_FAILURE_USERMSG
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#endif
#include "stb/stb_image.h"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// RapidJSON set-up shared by every parser: assertions throw instead of aborting, so untrusted
// input can never crash the process. Include this instead of rapidjson headers directly.
#pragma once
#include <stdexcept>

#ifndef RAPIDJSON_ASSERT
#define RAPIDJSON_ASSERT(x) \
  do { if (!(x)) throw ::std::logic_error("rapidjson assertion failed: " #x); } while (0)
#endif
#ifndef RAPIDJSON_HAS_STDSTRING
#define RAPIDJSON_HAS_STDSTRING 1
#endif
#define RAPIDJSON_NOEXCEPT_ASSERT(x)
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <rapidjson/error/en.h>

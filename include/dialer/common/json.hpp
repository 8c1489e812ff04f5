// RapidJSON set-up shared by every parser: assertions throw instead of aborting, so untrusted
// input can never crash the process. Include this instead of rapidjson headers directly.
#pragma once
#include <stdexcept>
#include <string>

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

namespace dialer::json {

// The member `name` of `obj`, or nullptr when `obj` is not an object or has no such member.
inline const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// The string member `name`, or empty when it is absent, null or not a string.
inline std::string string_member(const rapidjson::Value& obj, const char* name) {
  const rapidjson::Value* v = member(obj, name);
  if (!v || !v->IsString()) return {};
  return std::string(v->GetString(), v->GetStringLength());
}

}  // namespace dialer::json

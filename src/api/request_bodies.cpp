// Request body parsing with RapidJSON: FindMember and type checks before every getter.
#include "dialer/api/request_bodies.hpp"

#include "dialer/common/json.hpp"
#include "dialer/domain/pacing.hpp"

namespace dialer::api {
namespace {
using engine::errc;
using engine::error;

error bad(std::string field, std::string message) { return {errc::invalid_input, std::move(message), std::move(field)}; }

engine::result<rapidjson::Document> parse_object(std::string_view body) {
  rapidjson::Document doc;
  // Iterative: the default parser recurses per nesting level, and 1 MiB of '[' overflowed the stack
  // (tests/unit/api/request_bodies_test.cpp).
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError())
    return bad("", std::string("invalid JSON at offset ") + std::to_string(doc.GetErrorOffset()) + ": " +
                       rapidjson::GetParseError_En(doc.GetParseError()));
  if (!doc.IsObject()) return bad("", "the body must be a JSON object");
  return doc;
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::optional<error> optional_string(const rapidjson::Value& obj, const char* name, const std::string& path,
                                     std::string& out, std::size_t max_len = 256) {
  auto v = member(obj, name);
  if (!v) return std::nullopt;
  if (!v->IsString()) return bad(path, "must be a string");
  if (v->GetStringLength() > max_len) return bad(path, "is longer than " + std::to_string(max_len) + " characters");
  out.assign(v->GetString(), v->GetStringLength());
  return std::nullopt;
}

std::optional<error> optional_int(const rapidjson::Value& obj, const char* name, std::optional<int>& out) {
  auto v = member(obj, name);
  if (!v) return std::nullopt;
  if (!v->IsInt()) return bad(name, "must be an integer");
  out = v->GetInt();
  return std::nullopt;
}

std::optional<error> bounded_int(const rapidjson::Value& obj, const char* name, int lo, int hi,
                                 std::optional<int>& out) {
  if (auto e = optional_int(obj, name, out)) return e;
  if (out && (*out < lo || *out > hi))
    return bad(name, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return std::nullopt;
}

std::optional<error> parse_numbers(const rapidjson::Value& obj, std::optional<std::vector<std::string>>& out) {
  auto v = member(obj, "selectedNumbers");
  if (!v) return std::nullopt;
  if (!v->IsArray()) return bad("selectedNumbers", "must be an array of E.164 numbers");
  std::vector<std::string> numbers;
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    if (!(*v)[i].IsString()) return bad("selectedNumbers[" + std::to_string(i) + "]", "must be a string");
    numbers.emplace_back((*v)[i].GetString(), (*v)[i].GetStringLength());
  }
  out = std::move(numbers);
  return std::nullopt;
}

engine::result<std::vector<engine::contact>> parse_contacts(const rapidjson::Value& obj, bool required) {
  std::vector<engine::contact> out;
  auto v = member(obj, "contacts");
  if (!v) {
    if (required) return bad("contacts", "required");
    return out;
  }
  if (!v->IsArray()) return bad("contacts", "must be an array");
  if (v->Size() > 100000) return bad("contacts", "at most 100000 contacts per request");
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    const auto path = "contacts[" + std::to_string(i) + "]";
    const auto& c = (*v)[i];
    if (!c.IsObject()) return bad(path, "must be an object");
    engine::contact contact;
    if (auto e = optional_string(c, "id", path + ".id", contact.id)) return *e;
    if (auto e = optional_string(c, "name", path + ".name", contact.name)) return *e;
    if (auto e = optional_string(c, "timezone", path + ".timezone", contact.timezone, 64)) return *e;
    if (!member(c, "phone")) return bad(path + ".phone", "required");
    if (auto e = optional_string(c, "phone", path + ".phone", contact.phone, 32)) return *e;
    out.push_back(std::move(contact));
  }
  return out;
}
}  // namespace

engine::result<engine::create_session_request> parse_create_session(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return doc.err();
  const auto& o = doc.value();
  engine::create_session_request req;
  if (!member(o, "agentId")) return bad("agentId", "required");
  if (auto e = optional_string(o, "agentId", "agentId", req.agent_id)) return *e;
  auto contacts = parse_contacts(o, false);
  if (!contacts) return contacts.err();
  req.contacts = std::move(contacts.value());
  if (auto e = parse_numbers(o, req.selected_numbers)) return *e;
  if (auto e = optional_int(o, "concurrentLines", req.concurrent_lines)) return *e;
  if (auto e = optional_int(o, "maxAttempts", req.max_attempts)) return *e;
  if (member(o, "campaignId")) {
    if (auto e = optional_string(o, "campaignId", "campaignId", req.campaign_id, 64)) return *e;
    if (!domain::is_campaign_id(req.campaign_id)) return bad("campaignId", "must be 1 to 64 of A-Z a-z 0-9 _ -");
  }
  return req;
}

engine::result<session_patch> parse_session_patch(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return doc.err();
  const auto& o = doc.value();
  session_patch p;
  std::string action;
  if (auto e = optional_string(o, "action", "action", action)) return *e;
  if (!action.empty()) {
    if (action != "start" && action != "pause" && action != "resume" && action != "stop")
      return bad("action", "must be one of start, pause, resume, stop");
    p.action = action;
  }
  if (auto e = optional_int(o, "concurrentLines", p.concurrent_lines)) return *e;
  if (auto e = parse_numbers(o, p.selected_numbers)) return *e;
  if (!p.action && !p.concurrent_lines && !p.selected_numbers)
    return bad("", "expected action, concurrentLines or selectedNumbers");
  // One change per request, so a refused action never leaves the settings half-applied.
  if (p.action && (p.concurrent_lines || p.selected_numbers))
    return bad("action", "send either an action or new settings (concurrentLines, selectedNumbers), not both");
  return p;
}

engine::result<std::vector<engine::contact>> parse_add_contacts(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return doc.err();
  return parse_contacts(doc.value(), true);
}

engine::result<engine::item_patch> parse_item_patch(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return doc.err();
  engine::item_patch p;
  if (auto e = bounded_int(doc.value(), "priority", -1000, 1000, p.priority)) return *e;
  if (auto e = bounded_int(doc.value(), "maxAttempts", 1, 20, p.max_attempts)) return *e;
  if (!p.priority && !p.max_attempts) return bad("", "expected priority or maxAttempts");
  return p;
}

engine::result<engine::call_patch> parse_call_patch(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return doc.err();
  const auto& o = doc.value();
  engine::call_patch p;
  std::string text;
  if (member(o, "notes")) {
    if (auto e = optional_string(o, "notes", "notes", text, 10000)) return *e;
    p.notes = text;
  }
  if (member(o, "disposition")) {
    text.clear();
    if (auto e = optional_string(o, "disposition", "disposition", text, 64)) return *e;
    for (unsigned char c : text)
      if (c < 0x20 || c == 0x7f) return bad("disposition", "must not contain control characters");
    p.disposition = text;
  }
  if (!p.notes && !p.disposition) return bad("", "expected notes or disposition");
  return p;
}

engine::result<bool> parse_agent_patch(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return doc.err();
  auto v = member(doc.value(), "busy");
  if (!v) return bad("busy", "required");
  if (!v->IsBool()) return bad("busy", "must be true or false");
  return v->GetBool();
}

engine::result<engine::manual_call_request> parse_manual_call(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return doc.err();
  const auto& o = doc.value();
  engine::manual_call_request req;
  for (auto [name, out] : {std::pair{"agentId", &req.agent_id}, {"from", &req.from}, {"to", &req.to}}) {
    if (!member(o, name)) return bad(name, "required");
    if (auto e = optional_string(o, name, name, *out, 64)) return *e;
  }
  if (auto e = optional_string(o, "contactId", "contactId", req.contact_id)) return *e;
  if (auto e = optional_string(o, "name", "name", req.name)) return *e;
  return req;
}

engine::result<std::vector<std::string>> parse_phone_list(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return doc.err();
  auto v = member(doc.value(), "phones");
  if (!v) return bad("phones", "required");
  if (!v->IsArray()) return bad("phones", "must be an array of phone numbers");
  if (v->Empty()) return bad("phones", "must hold at least one phone number");
  if (v->Size() > 100000) return bad("phones", "at most 100000 phone numbers per request");
  std::vector<std::string> out;
  out.reserve(v->Size());
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    const auto& p = (*v)[i];
    if (!p.IsString()) return bad("phones[" + std::to_string(i) + "]", "must be a string");
    out.emplace_back(p.GetString(), p.GetStringLength());
  }
  return out;
}

}  // namespace dialer::api

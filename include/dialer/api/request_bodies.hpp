// Parsing the CRM's JSON request bodies, one function per message type. Each returns the parsed
// request or an error naming the JSON field ("contacts[3].phone").
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/engine/engine.hpp"
#include "dialer/engine/errors.hpp"

namespace dialer::api {

struct session_patch {
  std::optional<std::string> action;  // start|pause|resume|stop
  std::optional<int> concurrent_lines;
  std::optional<std::vector<std::string>> selected_numbers;
};

engine::result<engine::create_session_request> parse_create_session(std::string_view body);
engine::result<session_patch> parse_session_patch(std::string_view body);
engine::result<std::vector<engine::contact>> parse_add_contacts(std::string_view body);
// {priority?: -1000..1000, maxAttempts?: 1..20}, at least one of them.
engine::result<engine::item_patch> parse_item_patch(std::string_view body);
// {notes?: string up to 10000 characters, disposition?: up to 64 printable characters}, at least one;
// "" clears a field.
engine::result<engine::call_patch> parse_call_patch(std::string_view body);
// {busy: bool}; busy is required.
engine::result<bool> parse_agent_patch(std::string_view body);
// POST /api/calls: agentId, from and to required strings; contactId and name optional.
engine::result<engine::manual_call_request> parse_manual_call(std::string_view body);
// POST/DELETE /api/dnc: {phones: [string, ...]}, 1 to 100000 strings (each checked by the engine).
engine::result<std::vector<std::string>> parse_phone_list(std::string_view body);

}  // namespace dialer::api

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
// POST /api/calls: agentId, from and to required strings; contactId and name optional.
engine::result<engine::manual_call_request> parse_manual_call(std::string_view body);

}  // namespace dialer::api

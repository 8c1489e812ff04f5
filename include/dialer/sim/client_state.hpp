// Reads the dialer's client_state (base64 of {"s":session,"q":queue item,"c":call,"a":attempt,"k":kind})
// so the simulator can attribute calls to dialer sessions. Anything else is tolerated.
#pragma once
#include <string>
#include <string_view>

namespace dialer::sim {

struct client_state_info {
  bool present = false;    // client_state was sent
  bool decoded = false;    // it was base64 of a JSON object
  std::string session_id;  // "s"
  std::string queue_item;  // "q"
  std::string call_id;     // "c"
  int attempt = 0;         // "a"
  std::string kind;        // "k": customer | agent | manual (or whatever was sent)
  std::string raw_json;    // the decoded text when it was valid UTF-8-ish JSON, else empty
};

// Never fails: a missing, non-base64 or non-JSON value gives the corresponding flags false.
client_state_info decode_client_state(std::string_view client_state_b64);

}  // namespace dialer::sim

// Validates JSON request bodies against the official Telnyx OpenAPI document, so telnyx-sim answers
// 422 exactly when real Telnyx would reject a body for its shape (not for its business meaning).
// The same interpreter checks dialerd's own replies against config/dialer-api.openapi.json (tests).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dialer::telnyx {

// Supports the JSON Schema subset the Call Control document uses for request bodies: $ref (local,
// "#/..."), type (including a list of types and 3.0 "nullable"), enum, const, required, properties,
// additionalProperties (false or a schema), minimum/maximum and their exclusive forms, minLength/
// maxLength (in code points), pattern, items, minItems/maxItems, allOf/anyOf/oneOf (oneOf honours a
// discriminator's mapping) and not. "format" and annotations are ignored, as Telnyx does for format.
class openapi_validator {
 public:
  // Loads an OpenAPI 3 JSON document and checks every local $ref resolves. On failure returns
  // nullptr and, when `error` is not null, sets it to one line naming the problem.
  static std::unique_ptr<openapi_validator> load_file(const std::string& path, std::string* error);
  // Same from the document text (for tests).
  static std::unique_ptr<openapi_validator> load(std::string_view json_text, std::string* error);

  ~openapi_validator();
  openapi_validator(const openapi_validator&) = delete;
  openapi_validator& operator=(const openapi_validator&) = delete;

  // Validates `body` as the JSON request body of the operation (method in any case, path template
  // as written in the document, e.g. "/calls/{call_control_id}/actions/bridge"). Returns the
  // problems, each "<path>: <message>", where <path> is the field ("to", "webhook_urls[0].url") or
  // "body" for the whole body. Empty means valid. Invalid JSON, an empty body where one is required,
  // and an operation the document does not have are each one problem. Values are never echoed.
  std::vector<std::string> validate_request(std::string_view method, std::string_view path_template,
                                            std::string_view body) const;

  // Validates a reply of the operation: `status` must be documented under its responses (exactly,
  // as "4XX", or as "default"); a documented application/json schema must accept `body`; a response
  // documented without content must come with an empty body. Problems as validate_request's, with
  // "status" for an undocumented status.
  std::vector<std::string> validate_response(std::string_view method, std::string_view path_template,
                                             unsigned status, std::string_view body) const;

  // Every operation of the document as (upper-case method, path template), sorted.
  std::vector<std::pair<std::string, std::string>> operations() const;

  // The path template matching a concrete request path ("/calls/v3:abc/actions/bridge" ->
  // "/calls/{call_control_id}/actions/bridge"). A query string is ignored, and so is a leading
  // server base path ("/v2" from servers[].url). With several matches the one with the most literal
  // segments wins. nullopt when no path matches.
  std::optional<std::string> match_path(std::string_view concrete_path) const;

 private:
  struct impl;
  explicit openapi_validator(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace dialer::telnyx

// dialerd's replies checked against its OpenAPI document (config/dialer-api.openapi.json): the status
// must be documented for the operation and the body must fit the documented schema.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "dialer/http/message.hpp"
#include "dialer/telnyx/openapi_validator.hpp"
#include "stack.hpp"

namespace dialer::test {

// The document, loaded once per process. Throws std::runtime_error when it does not load.
const telnyx::openapi_validator& api_document();

// Problems of `r` as dialerd's reply to `method target`, each "<where>: <what>" (empty: it fits).
// A target that matches no documented path is one problem.
std::vector<std::string> contract_problems(http::verb method, const std::string& target, const reply& r);

// One line listing the problems, for CHECK_MESSAGE.
std::string joined(const std::vector<std::string>& problems);

// A request through the API whose reply must fit the document (a failed CHECK names the problems).
reply checked_call(stack& s, http::verb method, const std::string& target, const std::string& body = {});

// error.field of an error reply, or empty.
std::string error_field(const reply& r);

}  // namespace dialer::test

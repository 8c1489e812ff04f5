// RFC 4180 CSV writing: fields separated by commas, rows ended by CRLF, a field quoted when it holds a
// comma, a double quote, CR or LF (a double quote inside doubled).
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>

namespace dialer::api {

// Appends `field` to `out`, quoted only when RFC 4180 needs it.
void append_csv_field(std::string& out, std::string_view field);

// Appends one row (the fields in order, comma separated, CRLF at the end) to `out`.
void append_csv_row(std::string& out, std::initializer_list<std::string_view> fields);

}  // namespace dialer::api

// Request-body validation against the Telnyx OpenAPI document: a small JSON Schema interpreter for
// the keywords that document uses, plus path-template matching for telnyx-sim's router.
#include "dialer/telnyx/openapi_validator.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>
#include <unordered_map>

#include "dialer/common/json.hpp"
#include <rapidjson/pointer.h>

namespace dialer::telnyx {

namespace {

using json_value = rapidjson::Value;

constexpr int max_depth = 64;  // bodies nest a few levels; deeper is hostile, not a real request

std::string_view view(const json_value& v) { return {v.GetString(), v.GetStringLength()}; }

std::string field(const std::string& parent, std::string_view name) {
  return parent == "body" ? std::string(name) : parent + "." + std::string(name);
}

std::string element(const std::string& parent, std::size_t i) { return parent + "[" + std::to_string(i) + "]"; }

std::string number_text(double d) {
  if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  std::ostringstream out;
  out << d;
  return out.str();
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool has_type(const json_value& v, std::string_view type) {
  if (type == "string") return v.IsString();
  if (type == "integer") {
    if (v.IsInt64() || v.IsUint64()) return true;
    // JSON Schema counts 3.0 as an integer: the test is the value, not its spelling.
    return v.IsDouble() && std::isfinite(v.GetDouble()) && std::trunc(v.GetDouble()) == v.GetDouble();
  }
  if (type == "number") return v.IsNumber();
  if (type == "boolean") return v.IsBool();
  if (type == "object") return v.IsObject();
  if (type == "array") return v.IsArray();
  if (type == "null") return v.IsNull();
  return true;  // an unknown type name constrains nothing rather than rejecting everything
}

std::string problem(const std::string& path, const std::string& message) { return path + ": " + message; }

// Finds the path of each problem so oneOf/anyOf can tell "wrong kind of value" (a problem at the
// value itself) from "right kind, bad contents" (problems deeper down).
bool is_at(const std::string& text, const std::string& path) {
  return text.size() > path.size() + 1 && text.compare(0, path.size(), path) == 0 &&
         text.compare(path.size(), 2, ": ") == 0;
}

}  // namespace

struct openapi_validator::impl {
  rapidjson::Document doc;
  std::unordered_map<std::string, const json_value*> refs;  // every local $ref, resolved at load
  std::vector<std::pair<std::string, std::vector<std::string>>> templates;  // path template, segments
  std::string base_path;                                                     // "/v2" from servers[0].url

  bool collect_refs(const json_value& v, std::string* error) {
    if (v.IsObject()) {
      for (const auto& m : v.GetObject()) {
        if (view(m.name) == "$ref" && m.value.IsString()) {
          const std::string ref(view(m.value));
          if (refs.count(ref) != 0) continue;
          if (!ref.starts_with("#")) {
            if (error) *error = "unsupported external $ref " + ref;
            return false;
          }
          rapidjson::Pointer pointer(ref.substr(1).c_str());
          const json_value* target = pointer.IsValid() ? pointer.Get(doc) : nullptr;
          if (target == nullptr) {
            if (error) *error = "unresolved $ref " + ref;
            return false;
          }
          refs.emplace(ref, target);
        } else if (!collect_refs(m.value, error)) {
          return false;
        }
      }
    } else if (v.IsArray()) {
      for (const auto& e : v.GetArray()) {
        if (!collect_refs(e, error)) return false;
      }
    }
    return true;
  }

  const json_value* member(const json_value& v, std::string_view name) const {
    if (!v.IsObject()) return nullptr;
    auto it = v.FindMember(rapidjson::StringRef(name.data(), name.size()));
    return it == v.MemberEnd() ? nullptr : &it->value;
  }

  // A schema or other object that may itself be a $ref (requestBodies, schemas).
  const json_value* deref(const json_value* v) const {
    for (int hops = 0; v != nullptr && hops < 16; ++hops) {
      const json_value* ref = member(*v, "$ref");
      if (ref == nullptr || !ref->IsString()) return v;
      auto it = refs.find(std::string(view(*ref)));
      v = it == refs.end() ? nullptr : it->second;
    }
    return v;
  }

  // A short description of what a schema accepts, for "wrong kind of value" messages.
  std::string describe(const json_value& schema_in) const {
    const json_value* schema = deref(&schema_in);
    const json_value* type = schema ? member(*schema, "type") : nullptr;
    if (type == nullptr) return {};
    if (type->IsString()) return std::string(view(*type));
    std::string out;
    if (type->IsArray()) {
      for (const auto& t : type->GetArray()) {
        if (!t.IsString()) continue;
        out += (out.empty() ? "" : " or ") + std::string(view(t));
      }
    }
    return out;
  }

  void check(const json_value& schema, const json_value& v, const std::string& path, int depth,
             std::vector<std::string>& out) const {
    if (depth > max_depth) {
      out.push_back(problem(path, "nested too deeply"));
      return;
    }
    if (schema.IsBool()) {  // JSON Schema 2020-12: true accepts anything, false nothing
      if (!schema.GetBool()) out.push_back(problem(path, "is not allowed"));
      return;
    }
    if (!schema.IsObject()) return;

    // OpenAPI 3.1 lets $ref have siblings; they apply alongside the target.
    if (const json_value* ref = member(schema, "$ref"); ref != nullptr && ref->IsString()) {
      auto it = refs.find(std::string(view(*ref)));
      if (it != refs.end()) check(*it->second, v, path, depth + 1, out);
    }

    if (v.IsNull()) {
      const json_value* nullable = member(schema, "nullable");
      if (nullable != nullptr && nullable->IsBool() && nullable->GetBool()) return;
    }

    if (const json_value* type = member(schema, "type")) {
      bool ok = true;
      if (type->IsString()) {
        ok = has_type(v, view(*type));
      } else if (type->IsArray()) {
        ok = false;
        for (const auto& t : type->GetArray()) ok = ok || (t.IsString() && has_type(v, view(t)));
      }
      if (!ok) {
        // Later keywords would only repeat the same complaint in other words.
        out.push_back(problem(path, "must be of type " + describe(schema)));
        return;
      }
    }

    if (const json_value* values = member(schema, "enum"); values != nullptr && values->IsArray()) {
      bool found = false;
      for (const auto& e : values->GetArray()) found = found || e == v;
      if (!found) {
        std::string list;
        rapidjson::SizeType shown = 0;
        for (const auto& e : values->GetArray()) {
          if (shown++ == 8) {
            list += ", ...";
            break;
          }
          rapidjson::StringBuffer buffer;
          rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
          e.Accept(writer);
          list += (list.empty() ? "" : ", ") + std::string(buffer.GetString(), buffer.GetSize());
        }
        out.push_back(problem(path, "must be one of " + list));
      }
    }
    if (const json_value* c = member(schema, "const"); c != nullptr && !(*c == v)) {
      out.push_back(problem(path, "must equal the constant the schema fixes"));
    }

    if (v.IsNumber()) check_number(schema, v.GetDouble(), path, out);
    if (v.IsString()) check_string(schema, view(v), path, out);
    if (v.IsObject()) check_object(schema, v, path, depth, out);
    if (v.IsArray()) check_array(schema, v, path, depth, out);
    check_combinators(schema, v, path, depth, out);
  }

  void check_number(const json_value& schema, double d, const std::string& path, std::vector<std::string>& out) const {
    auto bound = [&](std::string_view key) -> const json_value* {
      const json_value* b = member(schema, key);
      return b != nullptr && b->IsNumber() ? b : nullptr;
    };
    // OpenAPI 3.0 writes exclusiveMinimum as a boolean beside minimum; 3.1 as the bound itself.
    const json_value* ex_min = member(schema, "exclusiveMinimum");
    const json_value* ex_max = member(schema, "exclusiveMaximum");
    const bool min_exclusive_flag = ex_min != nullptr && ex_min->IsBool() && ex_min->GetBool();
    const bool max_exclusive_flag = ex_max != nullptr && ex_max->IsBool() && ex_max->GetBool();
    if (const json_value* lo = bound("minimum")) {
      const double b = lo->GetDouble();
      if (min_exclusive_flag ? d <= b : d < b) {
        out.push_back(problem(path, std::string("must be ") + (min_exclusive_flag ? "> " : ">= ") + number_text(b)));
      }
    }
    if (const json_value* hi = bound("maximum")) {
      const double b = hi->GetDouble();
      if (max_exclusive_flag ? d >= b : d > b) {
        out.push_back(problem(path, std::string("must be ") + (max_exclusive_flag ? "< " : "<= ") + number_text(b)));
      }
    }
    if (const json_value* lo = bound("exclusiveMinimum"); lo != nullptr && d <= lo->GetDouble()) {
      out.push_back(problem(path, "must be > " + number_text(lo->GetDouble())));
    }
    if (const json_value* hi = bound("exclusiveMaximum"); hi != nullptr && d >= hi->GetDouble()) {
      out.push_back(problem(path, "must be < " + number_text(hi->GetDouble())));
    }
  }

  void check_string(const json_value& schema, std::string_view s, const std::string& path,
                    std::vector<std::string>& out) const {
    const std::size_t length = code_points(s);
    if (const json_value* lo = member(schema, "minLength"); lo != nullptr && lo->IsUint64() && length < lo->GetUint64()) {
      out.push_back(problem(path, "must be at least " + std::to_string(lo->GetUint64()) + " characters"));
    }
    if (const json_value* hi = member(schema, "maxLength"); hi != nullptr && hi->IsUint64() && length > hi->GetUint64()) {
      out.push_back(problem(path, "must be at most " + std::to_string(hi->GetUint64()) + " characters"));
    }
    if (const json_value* pattern = member(schema, "pattern"); pattern != nullptr && pattern->IsString()) {
      try {
        const std::regex re(std::string(view(*pattern)), std::regex::ECMAScript);
        if (!std::regex_search(s.begin(), s.end(), re)) {
          out.push_back(problem(path, "must match the pattern " + std::string(view(*pattern))));
        }
      } catch (const std::regex_error&) {
        // A pattern std::regex cannot compile constrains nothing rather than rejecting every body.
      }
    }
  }

  void check_object(const json_value& schema, const json_value& v, const std::string& path, int depth,
                    std::vector<std::string>& out) const {
    if (const json_value* required = member(schema, "required"); required != nullptr && required->IsArray()) {
      for (const auto& name : required->GetArray()) {
        if (name.IsString() && member(v, view(name)) == nullptr) out.push_back(problem(field(path, view(name)), "required"));
      }
    }
    const json_value* properties = member(schema, "properties");
    const json_value* additional = member(schema, "additionalProperties");
    for (const auto& m : v.GetObject()) {
      const std::string child = field(path, view(m.name));
      if (const json_value* p = properties ? member(*properties, view(m.name)) : nullptr) {
        check(*p, m.value, child, depth + 1, out);
      } else if (additional != nullptr && additional->IsBool() && !additional->GetBool()) {
        out.push_back(problem(child, "unknown property"));
      } else if (additional != nullptr && additional->IsObject()) {
        check(*additional, m.value, child, depth + 1, out);
      }
    }
  }

  void check_array(const json_value& schema, const json_value& v, const std::string& path, int depth,
                   std::vector<std::string>& out) const {
    const rapidjson::SizeType size = v.Size();
    if (const json_value* lo = member(schema, "minItems"); lo != nullptr && lo->IsUint64() && size < lo->GetUint64()) {
      out.push_back(problem(path, "must have at least " + std::to_string(lo->GetUint64()) + " items"));
    }
    if (const json_value* hi = member(schema, "maxItems"); hi != nullptr && hi->IsUint64() && size > hi->GetUint64()) {
      out.push_back(problem(path, "must have at most " + std::to_string(hi->GetUint64()) + " items"));
    }
    if (const json_value* items = member(schema, "items"); items != nullptr && (items->IsObject() || items->IsBool())) {
      for (rapidjson::SizeType i = 0; i < size; ++i) check(*items, v[i], element(path, i), depth + 1, out);
    }
  }

  // After every branch failed: when some branch accepted the kind of value and only its contents
  // were wrong, those contents are the useful report; otherwise say which kinds were allowed.
  void report_no_match(const json_value& branches, const std::vector<std::vector<std::string>>& failures,
                       const std::string& path, std::vector<std::string>& out) const {
    const std::vector<std::string>* best = nullptr;
    for (const auto& f : failures) {
      bool deeper = std::none_of(f.begin(), f.end(), [&](const std::string& p) { return is_at(p, path); });
      if (deeper && (best == nullptr || f.size() < best->size())) best = &f;
    }
    if (best != nullptr) {
      out.insert(out.end(), best->begin(), best->end());
      return;
    }
    std::string kinds;
    for (const auto& b : branches.GetArray()) {
      const std::string d = describe(b);
      if (d.empty()) {
        kinds.clear();
        break;
      }
      kinds += (kinds.empty() ? "" : " or ") + d;
    }
    out.push_back(problem(path, kinds.empty() ? "does not match any allowed schema" : "must be of type " + kinds));
  }

  void check_combinators(const json_value& schema, const json_value& v, const std::string& path, int depth,
                         std::vector<std::string>& out) const {
    if (const json_value* all = member(schema, "allOf"); all != nullptr && all->IsArray()) {
      for (const auto& b : all->GetArray()) check(b, v, path, depth + 1, out);
    }
    if (const json_value* any = member(schema, "anyOf"); any != nullptr && any->IsArray() && !any->Empty()) {
      std::vector<std::vector<std::string>> failures;
      for (const auto& b : any->GetArray()) {
        std::vector<std::string> f;
        check(b, v, path, depth + 1, f);
        if (f.empty()) {
          failures.clear();
          break;
        }
        failures.push_back(std::move(f));
      }
      if (!failures.empty()) report_no_match(*any, failures, path, out);
    }
    if (const json_value* one = member(schema, "oneOf"); one != nullptr && one->IsArray() && !one->Empty()) {
      if (check_discriminator(schema, v, path, depth, out)) return;
      std::vector<std::vector<std::string>> failures;
      int matches = 0;
      for (const auto& b : one->GetArray()) {
        std::vector<std::string> f;
        check(b, v, path, depth + 1, f);
        if (f.empty()) ++matches;
        failures.push_back(std::move(f));
      }
      if (matches == 0) report_no_match(*one, failures, path, out);
      if (matches > 1) out.push_back(problem(path, "matches more than one of the allowed schemas"));
    }
    if (const json_value* negated = member(schema, "not")) {
      std::vector<std::string> f;
      check(*negated, v, path, depth + 1, f);
      if (f.empty()) out.push_back(problem(path, "matches a schema it must not match"));
    }
  }

  // With a discriminator the property names the branch, so only that branch is checked (objects of
  // several branches often fit each other, which plain oneOf would call ambiguous). Returns false
  // when there is no usable discriminator and plain oneOf rules apply.
  bool check_discriminator(const json_value& schema, const json_value& v, const std::string& path, int depth,
                           std::vector<std::string>& out) const {
    const json_value* discriminator = member(schema, "discriminator");
    const json_value* name = discriminator ? member(*discriminator, "propertyName") : nullptr;
    if (name == nullptr || !name->IsString() || !v.IsObject()) return false;
    const json_value* mapping = member(*discriminator, "mapping");
    const json_value* tag = member(v, view(*name));
    if (tag == nullptr) {
      out.push_back(problem(field(path, view(*name)), "required"));
      return true;
    }
    const json_value* target_ref = tag->IsString() && mapping ? member(*mapping, view(*tag)) : nullptr;
    if (target_ref == nullptr || !target_ref->IsString()) {
      // Without a mapping entry OpenAPI falls back to the branch whose schema name is the tag.
      if (tag->IsString()) {
        for (const auto& b : member(schema, "oneOf")->GetArray()) {
          const json_value* ref = member(b, "$ref");
          if (ref != nullptr && ref->IsString() && view(*ref).ends_with("/" + std::string(view(*tag)))) {
            check(b, v, path, depth + 1, out);
            return true;
          }
        }
      }
      std::string allowed;
      if (mapping != nullptr && mapping->IsObject()) {
        for (const auto& m : mapping->GetObject()) allowed += (allowed.empty() ? "" : ", ") + std::string(view(m.name));
      }
      out.push_back(problem(field(path, view(*name)), allowed.empty() ? "names no allowed schema" : "must be one of " + allowed));
      return true;
    }
    auto it = refs.find(std::string(view(*target_ref)));
    if (it != refs.end()) check(*it->second, v, path, depth + 1, out);
    return true;
  }

  // Parses `body` as JSON and checks it against `schema` (when not null).
  std::vector<std::string> check_body(const json_value* schema, std::string_view body) const {
    rapidjson::Document parsed;
    // Iterative parsing: a hostile body nested a million levels deep must not exhaust the stack.
    parsed.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
    if (parsed.HasParseError()) {
      return {problem("body", "invalid JSON at offset " + std::to_string(parsed.GetErrorOffset()) + ": " +
                                  rapidjson::GetParseError_En(parsed.GetParseError()))};
    }
    std::vector<std::string> out;
    if (schema != nullptr) check(*schema, parsed, "body", 0, out);
    return out;
  }

  const json_value* operation(std::string_view method, std::string_view path_template) const {
    std::string lower(method);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const json_value* item = member(*member(doc, "paths"), path_template);
    return item ? member(*deref(item), lower) : nullptr;
  }

  // The application/json schema of a requestBody or response object, or nullptr.
  const json_value* json_schema(const json_value& holder) const {
    const json_value* content = member(holder, "content");
    const json_value* media = content ? member(*content, "application/json") : nullptr;
    return media ? member(*media, "schema") : nullptr;
  }
};

openapi_validator::openapi_validator(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
openapi_validator::~openapi_validator() = default;

std::unique_ptr<openapi_validator> openapi_validator::load(std::string_view json_text, std::string* error) {
  auto p = std::make_unique<impl>();
  p->doc.Parse(json_text.data(), json_text.size());
  if (p->doc.HasParseError()) {
    if (error) {
      *error = "invalid JSON at offset " + std::to_string(p->doc.GetErrorOffset()) + ": " +
               rapidjson::GetParseError_En(p->doc.GetParseError());
    }
    return nullptr;
  }
  const json_value* paths = p->member(p->doc, "paths");
  if (paths == nullptr || !paths->IsObject()) {
    if (error) *error = "not an OpenAPI document: no \"paths\" object";
    return nullptr;
  }
  if (!p->collect_refs(p->doc, error)) return nullptr;
  for (const auto& m : paths->GetObject()) {
    const std::string path(view(m.name));
    std::vector<std::string> segments;
    std::stringstream in(path);
    for (std::string s; std::getline(in, s, '/');) segments.push_back(s);
    p->templates.emplace_back(path, std::move(segments));
  }
  if (const json_value* servers = p->member(p->doc, "servers"); servers != nullptr && servers->IsArray() && !servers->Empty()) {
    if (const json_value* url = p->member((*servers)[0], "url"); url != nullptr && url->IsString()) {
      std::string_view u = view(*url);
      const auto scheme = u.find("://");
      const auto slash = u.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
      if (slash != std::string_view::npos) p->base_path = std::string(u.substr(slash));
      while (p->base_path.ends_with('/')) p->base_path.pop_back();
    }
  }
  return std::unique_ptr<openapi_validator>(new openapi_validator(std::move(p)));
}

std::unique_ptr<openapi_validator> openapi_validator::load_file(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot read " + path;
    return nullptr;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string load_error;
  auto v = load(text.str(), &load_error);
  if (v == nullptr && error) *error = path + ": " + load_error;
  return v;
}

std::vector<std::string> openapi_validator::validate_request(std::string_view method, std::string_view path_template,
                                                             std::string_view body) const {
  const json_value* operation = impl_->operation(method, path_template);
  if (operation == nullptr) {
    return {problem("operation", "the document has no " + std::string(method) + " " + std::string(path_template))};
  }
  const json_value* request_body = impl_->deref(impl_->member(*operation, "requestBody"));
  if (request_body == nullptr) return {};  // nothing is specified, so nothing can be wrong
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    const json_value* required = impl_->member(*request_body, "required");
    if (required != nullptr && required->IsBool() && required->GetBool()) {
      return {problem("body", "required (send at least {})")};
    }
    return {};
  }
  return impl_->check_body(impl_->json_schema(*request_body), body);
}

std::vector<std::string> openapi_validator::validate_response(std::string_view method, std::string_view path_template,
                                                              unsigned status, std::string_view body) const {
  const json_value* operation = impl_->operation(method, path_template);
  if (operation == nullptr) {
    return {problem("operation", "the document has no " + std::string(method) + " " + std::string(path_template))};
  }
  const json_value* responses = impl_->member(*operation, "responses");
  const json_value* response = nullptr;
  const std::string exact = std::to_string(status);
  const std::string range = std::to_string(status / 100) + "XX";
  for (const std::string& key : {exact, range, std::string("default")}) {
    if (response == nullptr && responses != nullptr) response = impl_->deref(impl_->member(*responses, key));
  }
  if (response == nullptr) {
    return {problem("status", exact + " is not documented for " + std::string(method) + " " + std::string(path_template))};
  }
  const json_value* content = impl_->member(*response, "content");
  if (content == nullptr) {
    if (!body.empty()) return {problem("body", "the document says this response has no body")};
    return {};
  }
  const json_value* schema = impl_->json_schema(*response);
  if (schema == nullptr) return {};  // documented with another media type (text/plain): not checked here
  return impl_->check_body(schema, body);
}

std::vector<std::pair<std::string, std::string>> openapi_validator::operations() const {
  static constexpr std::string_view methods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& m : impl_->member(impl_->doc, "paths")->GetObject()) {
    const json_value* item = impl_->deref(&m.value);
    for (auto method : methods) {
      if (item == nullptr || impl_->member(*item, method) == nullptr) continue;
      std::string upper(method);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.emplace_back(std::move(upper), std::string(view(m.name)));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> openapi_validator::match_path(std::string_view concrete_path) const {
  std::string_view path = concrete_path.substr(0, concrete_path.find('?'));
  auto try_match = [&](std::string_view p) -> std::optional<std::string> {
    std::vector<std::string_view> segments;
    for (std::size_t start = 0;;) {
      const auto slash = p.find('/', start);
      segments.push_back(p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
    const std::string* best = nullptr;
    int best_literals = -1;
    for (const auto& [name, parts] : impl_->templates) {
      if (parts.size() != segments.size()) continue;
      int literals = 0;
      bool ok = true;
      for (std::size_t i = 0; ok && i < parts.size(); ++i) {
        const std::string& t = parts[i];
        if (t.size() >= 2 && t.front() == '{' && t.back() == '}') {
          ok = !segments[i].empty();
        } else {
          ok = t == segments[i];
          ++literals;
        }
      }
      if (ok && literals > best_literals) {
        best = &name;
        best_literals = literals;
      }
    }
    return best ? std::optional<std::string>(*best) : std::nullopt;
  };
  if (auto m = try_match(path)) return m;
  const std::string& base = impl_->base_path;
  if (!base.empty() && path.starts_with(base) && path.size() > base.size() && path[base.size()] == '/') {
    return try_match(path.substr(base.size()));
  }
  return std::nullopt;
}

}  // namespace dialer::telnyx

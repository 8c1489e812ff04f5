// Normalising the CRM's phone numbers and checking its time zones (see contact_checks.hpp).
#include "contact_checks.hpp"

#include "dialer/compliance/phone.hpp"
#include "dialer/compliance/time_zones.hpp"

namespace dialer::engine {

std::string default_phone_region(const config::config& cfg) {
  return cfg.compliance ? cfg.compliance->default_region : std::string("US");
}

result<std::string> normalise_phone_field(std::string_view text, const std::string& field, const config::config& cfg) {
  auto n = compliance::normalise_phone(text, default_phone_region(cfg));
  if (!n.ok()) return error{errc::invalid_input, n.error, field};
  return std::move(n.e164);
}

result<checked_contacts> check_contacts(std::vector<contact> contacts, const std::string& field_prefix,
                                        const config::config& cfg) {
  for (std::size_t i = 0; i < contacts.size(); ++i) {
    const std::string path = field_prefix + "[" + std::to_string(i) + "]";
    auto phone = normalise_phone_field(contacts[i].phone, path + ".phone", cfg);
    if (!phone) return phone.err();
    contacts[i].phone = std::move(phone.value());
    if (!contacts[i].timezone.empty() && !compliance::is_known_time_zone(contacts[i].timezone))
      return error{errc::invalid_input, "must be an IANA time zone such as \"America/New_York\"", path + ".timezone"};
  }
  checked_contacts out;
  out.list_ = std::move(contacts);
  return out;
}

}  // namespace dialer::engine

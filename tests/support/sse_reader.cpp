// The SSE test client: a blocking POSIX socket read on a thread, parsed into events under a mutex.
#include "sse_reader.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace dialer::test {
namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
}  // namespace

sse_reader::sse_reader(unsigned short port, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("sse_reader: socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    throw std::runtime_error("sse_reader: cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "\r\n";
  for (std::size_t sent = 0; sent < req.size();) {
    auto n = ::send(fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd_);
      throw std::runtime_error("sse_reader: cannot send the request");
    }
    sent += static_cast<std::size_t>(n);
  }
  thread_ = std::thread([this] { run(); });
}

sse_reader::~sse_reader() {
  disconnect();
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
}

void sse_reader::disconnect() { ::shutdown(fd_, SHUT_RDWR); }  // wakes the blocked recv()

void sse_reader::run() {
  char buf[4096];
  for (;;) {
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    std::lock_guard lock(mutex_);
    if (n <= 0) {
      closed_ = true;
      return;
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
    if (headers_done_) body_.append(buf, static_cast<std::size_t>(n));
    parse_locked();
  }
}

void sse_reader::parse_locked() {
  if (!headers_done_) {
    auto end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) return;
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    headers_done_ = true;
    auto line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() >= 12) status_ = static_cast<unsigned>(std::stoi(status_line.substr(9, 3)));
    std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      auto next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      auto line = head.substr(pos, next - pos);
      if (auto colon = line.find(':'); colon != std::string::npos) {
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        headers_.emplace_back(lower(line.substr(0, colon)), value);
      }
      pos = next + 2;
    }
    body_ = buffer_;  // what came with the headers; later bytes are added as they arrive
  }
  // Events are blocks of lines ended by a blank line.
  for (;;) {
    auto end = buffer_.find("\n\n");
    if (end == std::string::npos) break;
    std::string block = buffer_.substr(0, end + 1);
    buffer_.erase(0, end + 2);
    sse_event ev;
    bool has_field = false;
    std::size_t pos = 0;
    while (pos < block.size()) {
      auto nl = block.find('\n', pos);
      auto line = block.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.empty()) continue;
      if (line.front() == ':') {
        if (line == ": heartbeat") ++heartbeats_;
        continue;
      }
      auto colon = line.find(':');
      auto field = line.substr(0, colon);
      std::string value = colon == std::string::npos ? std::string() : line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (field == "id") ev.id = value, has_field = true;
      else if (field == "event") ev.type = value, has_field = true;
      else if (field == "data") ev.data += (ev.data.empty() ? "" : "\n") + value, has_field = true;
    }
    if (has_field && (!ev.data.empty() || !ev.type.empty())) {
      if (ev.type.empty()) ev.type = "message";
      events_.push_back(std::move(ev));
    }
  }
}

unsigned sse_reader::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

std::string sse_reader::header(const std::string& name) const {
  std::lock_guard lock(mutex_);
  for (const auto& [k, v] : headers_)
    if (k == lower(name)) return v;
  return {};
}

std::string sse_reader::body() const {
  std::lock_guard lock(mutex_);
  return body_;
}

std::vector<sse_event> sse_reader::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

std::vector<sse_event> sse_reader::events_of(const std::string& type) const {
  std::lock_guard lock(mutex_);
  std::vector<sse_event> out;
  for (const auto& e : events_)
    if (e.type == type) out.push_back(e);
  return out;
}

int sse_reader::heartbeats() const {
  std::lock_guard lock(mutex_);
  return heartbeats_;
}

bool sse_reader::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace dialer::test

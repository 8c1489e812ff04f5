// A Server-Sent Events client for integration tests: connects to 127.0.0.1, sends one GET and parses
// the stream on its own thread while the test drives the service; the test polls what it has seen.
#pragma once
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace dialer::test {

struct sse_event {
  std::string id;
  std::string type;  // "message" when the event had no `event:` field
  std::string data;  // data lines joined with "\n"
};

class sse_reader {
 public:
  // Connects to 127.0.0.1:`port` and sends `GET target` with `headers` ("Name: value" pairs).
  // Throws std::runtime_error when it cannot connect.
  sse_reader(unsigned short port, const std::string& target,
             const std::vector<std::pair<std::string, std::string>>& headers);
  ~sse_reader();  // disconnects and joins the reader thread
  sse_reader(const sse_reader&) = delete;
  sse_reader& operator=(const sse_reader&) = delete;

  // The response status, 0 until the headers have arrived.
  unsigned status() const;
  // A response header (name compared case-insensitively), or empty.
  std::string header(const std::string& name) const;
  // The response body as received so far (for error replies, or to debug a stream).
  std::string body() const;
  std::vector<sse_event> events() const;
  std::vector<sse_event> events_of(const std::string& type) const;
  // Comment lines ": heartbeat" seen so far.
  int heartbeats() const;
  // True once the server closed the connection.
  bool closed() const;
  // Closes the connection now (the server sees the client leave).
  void disconnect();

 private:
  void run();
  void parse_locked();

  int fd_ = -1;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::string buffer_;  // unparsed bytes
  bool headers_done_ = false;
  unsigned status_ = 0;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
  std::vector<sse_event> events_;
  int heartbeats_ = 0;
  bool closed_ = false;
};

}  // namespace dialer::test

// The precompiled header of the product code (CMakeLists.txt: dialer_common builds it, every other product
// target reuses it): the std, Boost.Asio, Beast and RapidJSON headers almost every file parses, ~4 s of
// front end per file otherwise. Third-party headers only, plus json.hpp (RapidJSON must be configured by
// it first); nothing a target's own definitions change (SQLiteCpp, date), so one PCH fits every target.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "dialer/common/json.hpp"

// Namespace aliases for Asio and Beast, shared by every module that does I/O.
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

// Declared here so the aliases below compile even when no Beast/SSL header was included first.
namespace boost::beast {}
namespace boost::asio::ssl {}

namespace dialer {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
template <class T>
using awaitable = boost::asio::awaitable<T>;
}  // namespace dialer

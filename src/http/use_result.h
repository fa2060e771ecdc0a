// The completion token every coroutine in Tollgate uses: `co_await op(use_result)` returns
// the error code (and results) as a tuple instead of throwing, because network failures are
// expected outcomes here, not exceptions.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tollgate {

inline constexpr auto use_result = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace tollgate

// Rebuilds the response object of a streamed Responses API call from its typed events. The
// final event (response.completed, response.incomplete or response.failed) carries the whole
// object, and then that object is the result as sent. A stream that broke before it still
// yields what arrived: the last response snapshot (response.created, response.in_progress)
// with its output rebuilt from the output item, content part and text, refusal and
// function-call argument delta events.
//
// One per stream; not thread-safe. Used by StreamAssembler, which parses the events.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>

namespace tollgate::usage {

class ResponseAssembly {
 public:
  void add(const boost::json::object& event);

  // The response object; null when no event carried a response or an output item.
  boost::json::value result() const;

 private:
  boost::json::object* part(const boost::json::object& event);

  boost::json::value snapshot_;  // the response object of the latest event that had one
  bool final_ = false;           // snapshot_ came from a final event
  std::map<std::int64_t, boost::json::object> items_;  // output items by output_index
};

}  // namespace tollgate::usage

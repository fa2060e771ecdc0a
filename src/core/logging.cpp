#include "core/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace tollgate {

void setup_logging(const std::string& level, bool access_log) {
  // A pattern belongs to a sink, so each logger gets its own sink on stderr.
  auto main = std::make_shared<spdlog::logger>("tollgate",
                                               std::make_shared<spdlog::sinks::stderr_sink_mt>());
  main->set_pattern("time=%Y-%m-%dT%H:%M:%S.%fZ level=%l %v", spdlog::pattern_time_type::utc);
  main->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(main);

  spdlog::drop("access");
  auto access =
      std::make_shared<spdlog::logger>("access", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  access->set_pattern("time=%Y-%m-%dT%H:%M:%S.%fZ log=access %v", spdlog::pattern_time_type::utc);
  access->set_level(access_log ? spdlog::level::info : spdlog::level::off);
  spdlog::register_logger(access);
}

}  // namespace tollgate

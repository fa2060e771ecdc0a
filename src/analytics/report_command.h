// The `tollgate report` command: reads its options, opens the source (a SQLite file, a
// PostgreSQL database, or the store a configuration's audit sink writes to), runs the report
// and prints it. docs/report.md is its manual.
#pragma once

#include <string>

namespace tollgate::analytics {

struct ReportCommandOptions {
  std::string sqlite;    // --sqlite PATH
  std::string postgres;  // --postgres CONNINFO (a secret: never printed)
  std::string config;    // --config FILE: the store of its sqlite or postgres sink
  std::string sink;      // --sink NAME: which of the configuration's sinks
  std::string by;        // --by app,model,day
  std::string since;     // --since DATE|TIME
  std::string until;     // --until DATE|TIME
  std::string format = "table";
};

// Runs the command; returns the process exit code (0, or 1 with a message on stderr).
int run_report_command(const ReportCommandOptions& options);

}  // namespace tollgate::analytics

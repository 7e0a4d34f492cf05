//===- Restart.h - woolyd replacing itself with a new process ---*- C++ -*-===//
//
// A GPU context lost to a fatal fault in a kernel (a trap, an assert, a
// stack overflow) cannot be recovered inside the process that owns it
// (CUDA: "the process must be terminated and relaunched"). woolyd then
// replaces itself with a new woolyd (execv of its own executable) on the
// endpoint it was serving, so clients reconnect to the same address and
// get a working device; their old sessions are gone (ServerRestarted).
// An operator's `woolyd --restart` (an upgraded binary) takes the same way
// once the sessions have ended.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_RESTART_H
#define WOOLY_DAEMON_RESTART_H

#include <string>
#include <vector>

namespace wooly::daemon {

/// The command line of the new woolyd: `argv` with the value of --listen
/// replaced by `endpoint`, the address actually bound (a wildcard port such
/// as tcp://127.0.0.1:* stays the port clients know).
std::vector<std::string> restartArguments(int argc, char **argv,
                                          const std::string &endpoint);

/// Marks every open file descriptor above `lowest` close-on-exec.
void closeOnExecAbove(int lowest);

/// Replaces this process by `program` run with `args` (args[0] included),
/// keeping only stdin, stdout and stderr open. Returns only when that
/// fails, with the reason.
std::string replaceProcess(const std::string &program,
                           const std::vector<std::string> &args);

/// Why the program at `path` cannot be run now (gone, not executable), or
/// "".
std::string executableProblem(const std::string &path);

/// The path of this process's own executable (/proc/self/exe): after an
/// upgrade replaced that file, the path, which now holds the new binary.
std::string ownExecutable();

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_RESTART_H

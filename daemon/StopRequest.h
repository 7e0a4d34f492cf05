//===- StopRequest.h - SIGINT and SIGTERM asking woolyd to stop --*- C++ -*-===//
//
// While woolyd serves, SIGINT or SIGTERM sets a flag its main loop checks,
// so it deregisters and closes its sessions. While it replaces itself after
// a lost GPU context (daemon/Restart.h) a flag would be lost with the old
// image: a SIGTERM sent right after a trap left woolyd serving (seen on an
// H200). So from beginRestart() on, a stop signal ends the process at once.
// The new image has the default actions until it serves again, so a stop
// while it starts ends it too.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_STOPREQUEST_H
#define WOOLY_DAEMON_STOPREQUEST_H

namespace wooly::daemon {

/// Installs the handlers of SIGINT and SIGTERM (once woolyd serves).
void installStopHandlers();

/// Whether a stop signal came since installStopHandlers().
bool stopRequested();

/// Woolyd is about to replace itself: from now on a stop signal ends the
/// process (status 0, a line on stderr). False, with nothing changed, when
/// a stop came before: woolyd is to stop, not restart.
bool beginRestart();

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_STOPREQUEST_H

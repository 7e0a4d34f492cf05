//===- DashboardPage.h - The dashboard page compiled into the binary -*- C++
//-*-===//
//
// dashboard.html is turned into a C++ string at build time (EmbedFile.cmake),
// so the controller serves its page with no files to install and no CDN.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_CONTROLLER_WEB_DASHBOARDPAGE_H
#define WOOLY_CONTROLLER_WEB_DASHBOARDPAGE_H

#include <string_view>

namespace wooly::controller::web {
std::string_view dashboardHtml();
}

#endif

#include "compiler/ptx/Parser.h"

#include <catch2/catch.hpp>

#include <string>

using namespace wooly::ptx;

TEST_CASE("errors carry file:line:col and what was expected",
          "[ptx][parser][errors]") {
  ParseResult r = parsePTX(".version 9.0\n.entry k()\n{\n  add.s32 %r1, %r2 %r3;\n}\n");
  REQUIRE(r.diagnostics.size() == 1);
  std::string text = formatDiagnostic("k.ptx", r.diagnostics[0]);
  CHECK(text == "k.ptx:4:20: error: expected ';' or ',' after an operand, "
                "found '%r3'");
}

TEST_CASE("parser recovers and reports several errors",
          "[ptx][parser][errors]") {
  ParseResult r = parsePTX(R"(.entry k()
{
  add.s32 %r1, , %r3;
  mov.u32 %r1, [;
  ret;
}
.bogus
.entry j() { ret; }
)");
  REQUIRE(r.diagnostics.size() == 3);
  CHECK(r.diagnostics[0].loc.line == 3);
  CHECK(r.diagnostics[1].loc.line == 4);
  CHECK(r.diagnostics[2].loc.line == 7);
  // Both kernels are still there after recovery.
  REQUIRE(r.module.functions.size() == 2);
  CHECK(r.module.functions[1].name == "j");
}

TEST_CASE("parser rejects out-of-range literals and sizes",
          "[ptx][parser][errors]") {
  CHECK_FALSE(parsePTX(".entry k() { mov.u64 %rd1, 99999999999999999999999; }")
                  .succeeded());
  CHECK_FALSE(parsePTX(".entry k() { .reg .b32 %r<99999999>; }").succeeded());
  CHECK_FALSE(
      parsePTX(".global .b8 big[4294967296][4294967296];").succeeded());
  CHECK_FALSE(parsePTX(".entry k() { mov.f32 %f1, 0f3F80; }").succeeded());
  CHECK_FALSE(parsePTX(".global .align 3 .b32 x;").succeeded());
}

TEST_CASE("parser stops after too many errors", "[ptx][parser][errors]") {
  std::string src = ".entry k() {\n";
  for (int i = 0; i < 1000; ++i)
    src += "  add.s32 , ;\n";
  src += "}\n";
  ParseResult r = parsePTX(src);
  CHECK(r.diagnostics.size() == ParseLimits{}.maxErrors + 1);
  CHECK(r.diagnostics.back().message == "too many errors, stopping");
}

TEST_CASE("deep nesting is an error, not a stack overflow",
          "[ptx][parser][errors]") {
  std::string src = ".entry k() ";
  src += std::string(100000, '{');
  ParseResult r = parsePTX(src);
  CHECK_FALSE(r.succeeded());
  std::string braces = ".global .b32 x = " + std::string(100000, '{');
  CHECK_FALSE(parsePTX(braces).succeeded());
}

TEST_CASE("unterminated input is reported at its start",
          "[ptx][parser][errors]") {
  ParseResult r = parsePTX(".entry k()\n{\n  ret;\n");
  REQUIRE_FALSE(r.succeeded());
  CHECK(r.diagnostics[0].message.find("unterminated block") !=
        std::string::npos);
  CHECK(r.diagnostics[0].loc.line == 2);
}

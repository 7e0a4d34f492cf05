#include "compiler/ptx/Lexer.h"

#include <catch2/catch.hpp>

using namespace wooly::ptx;

TEST_CASE("lexer splits opcodes, modifiers and registers", "[ptx][lexer]") {
  auto toks = lex("ld.global.f32 %f1, [%rd2+4]; // comment\n");
  REQUIRE(toks.size() == 12);
  CHECK(toks[0].kind == TokenKind::Identifier);
  CHECK(toks[0].text == "ld");
  CHECK(toks[1].kind == TokenKind::DotWord);
  CHECK(toks[1].text == ".global");
  CHECK_FALSE(toks[1].spaceBefore);
  CHECK(toks[3].kind == TokenKind::Identifier);
  CHECK(toks[3].text == "%f1");
  CHECK(toks[3].spaceBefore);
  CHECK(toks[5].kind == TokenKind::LBracket);
  CHECK(toks[7].kind == TokenKind::Plus);
  CHECK(toks[8].kind == TokenKind::Integer);
  CHECK(toks[11].kind == TokenKind::EndOfFile);
}

TEST_CASE("lexer reads every number spelling", "[ptx][lexer]") {
  auto toks = lex("0f3F800000 0d3FF0000000000000 1.5 1e-3 0x1F 017 0b101 42U");
  CHECK(toks[0].kind == TokenKind::Float);
  CHECK(toks[1].kind == TokenKind::Float);
  CHECK(toks[2].kind == TokenKind::Float);
  CHECK(toks[3].kind == TokenKind::Float);
  CHECK(toks[4].kind == TokenKind::Integer);
  CHECK(toks[5].kind == TokenKind::Integer);
  CHECK(toks[6].kind == TokenKind::Integer);
  CHECK(toks[7].kind == TokenKind::Integer);
  CHECK(toks[7].text == "42U");
}

TEST_CASE("lexer tracks lines and columns across comments", "[ptx][lexer]") {
  auto toks = lex("/* a\n b */ ret;\n\t$L__BB0_2:");
  CHECK(toks[0].text == "ret");
  CHECK(toks[0].loc.line == 2);
  CHECK(toks[0].loc.column == 7);
  CHECK(toks[2].text == "$L__BB0_2");
  CHECK(toks[2].loc.line == 3);
  CHECK(toks[2].loc.column == 2);
}

TEST_CASE("lexer survives unterminated comments and strings", "[ptx][lexer]") {
  CHECK(lex("/* never closed").back().kind == TokenKind::EndOfFile);
  CHECK(lex("\"never closed").size() == 2);
  CHECK(lex("#").front().kind == TokenKind::Unknown);
}

TEST_CASE("lexer reads digit-led modifiers glued to a word", "[ptx][lexer]") {
  auto toks = lex("tex.2d.v4 .5");
  CHECK(toks[1].kind == TokenKind::DotWord);
  CHECK(toks[1].text == ".2d");
  CHECK(toks[3].kind == TokenKind::Float);
}

TEST_CASE("lexer keeps qualified modifiers whole", "[ptx][lexer]") {
  auto toks = lex("ld.global.L2::128B.shared::cta.f32 %f1, [x]; lbl: ret;");
  CHECK(toks[2].text == ".L2::128B");
  CHECK(toks[3].text == ".shared::cta");
  CHECK(toks[11].text == "lbl");
  CHECK(toks[12].kind == TokenKind::Colon);
}

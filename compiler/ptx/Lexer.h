//===- Lexer.h - PTX tokenizer -----------------------------------*- C++ -*-===//
//
// Splits PTX text into tokens. Dotted words (`.reg`, `.u32`, `.x`) are one
// token kind whatever they mean: the parser decides whether a dotted word is a
// directive, a type or an instruction modifier, which is what lets modifiers
// come in any order. Comments are dropped. The lexer never fails: characters
// PTX does not use become `Unknown` tokens the parser reports with a location.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_PTX_LEXER_H
#define WOOLY_COMPILER_PTX_LEXER_H

#include "compiler/ptx/Diagnostic.h"

#include <string>
#include <string_view>
#include <vector>

namespace wooly::ptx {

enum class TokenKind {
  EndOfFile,
  Identifier, // foo, %r1, $L__BB0_2, _Z3fibi, %tid
  DotWord,    // .reg, .u32, .global, .x
  Integer,    // 42, 0x1F, 017, 0b101, 42U
  Float,      // 0f3F800000, 0d3FF0000000000000, 1.5, 1e-3
  String,     // "nounroll"
  Comma,
  Semicolon,
  Colon,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Less,
  Greater,
  Plus,
  Minus,
  Bang,
  At,
  Pipe,
  Equal,
  Unknown,
};

/// Printable name of a token kind, for "expected ..." messages.
const char *tokenKindName(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::EndOfFile;
  std::string_view text; // points into the lexed buffer
  SourceLoc loc;
  /// True when whitespace or a comment separates this token from the
  /// previous one (so `%tid.x` differs from `%tid .x`).
  bool spaceBefore = false;
};

/// Tokenizes the whole buffer; the last token is always EndOfFile. The
/// returned tokens point into `source`, which must outlive them.
std::vector<Token> lex(std::string_view source);

} // namespace wooly::ptx

#endif // WOOLY_COMPILER_PTX_LEXER_H

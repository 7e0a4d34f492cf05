//===- Lexer.cpp - PTX tokenizer ------------------------------------------===//
#include "compiler/ptx/Lexer.h"

namespace wooly::ptx {

const char *tokenKindName(TokenKind kind) {
  switch (kind) {
  case TokenKind::EndOfFile:
    return "end of file";
  case TokenKind::Identifier:
    return "identifier";
  case TokenKind::DotWord:
    return "directive";
  case TokenKind::Integer:
    return "integer";
  case TokenKind::Float:
    return "floating-point number";
  case TokenKind::String:
    return "string";
  case TokenKind::Comma:
    return "','";
  case TokenKind::Semicolon:
    return "';'";
  case TokenKind::Colon:
    return "':'";
  case TokenKind::LParen:
    return "'('";
  case TokenKind::RParen:
    return "')'";
  case TokenKind::LBracket:
    return "'['";
  case TokenKind::RBracket:
    return "']'";
  case TokenKind::LBrace:
    return "'{'";
  case TokenKind::RBrace:
    return "'}'";
  case TokenKind::Less:
    return "'<'";
  case TokenKind::Greater:
    return "'>'";
  case TokenKind::Plus:
    return "'+'";
  case TokenKind::Minus:
    return "'-'";
  case TokenKind::Bang:
    return "'!'";
  case TokenKind::At:
    return "'@'";
  case TokenKind::Pipe:
    return "'|'";
  case TokenKind::Equal:
    return "'='";
  case TokenKind::Unknown:
    return "unknown character";
  }
  return "token";
}

namespace {

bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == '$' || c == '%';
}
bool isIdentChar(char c) {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHexDigit(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

class Lexer {
public:
  explicit Lexer(std::string_view source) : src(source) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (true) {
      bool space = skipSpaceAndComments();
      Token tok;
      tok.spaceBefore = space || tokens.empty();
      tok.loc = {line, col};
      size_t start = pos;
      // `tex.2d`: a dotted word may start with a digit when it is glued to
      // the word before it (a modifier), unlike the number `.5`.
      gluedToWord = !space && !tokens.empty() &&
                    (tokens.back().kind == TokenKind::Identifier ||
                     tokens.back().kind == TokenKind::DotWord);
      tok.kind = next();
      tok.text = src.substr(start, pos - start);
      tokens.push_back(tok);
      if (tok.kind == TokenKind::EndOfFile)
        break;
    }
    return tokens;
  }

private:
  std::string_view src;
  size_t pos = 0;
  uint32_t line = 1, col = 1;
  bool gluedToWord = false;

  char peek(size_t ahead = 0) const {
    return pos + ahead < src.size() ? src[pos + ahead] : '\0';
  }
  bool atEnd() const { return pos >= src.size(); }
  void advance() {
    if (atEnd())
      return;
    if (src[pos] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
    ++pos;
  }

  bool skipSpaceAndComments() {
    bool skipped = false;
    while (!atEnd()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
          c == '\v') {
        advance();
      } else if (c == '/' && peek(1) == '/') {
        while (!atEnd() && peek() != '\n')
          advance();
      } else if (c == '/' && peek(1) == '*') {
        advance();
        advance();
        while (!atEnd() && !(peek() == '*' && peek(1) == '/'))
          advance();
        advance();
        advance();
      } else {
        break;
      }
      skipped = true;
    }
    return skipped;
  }

  TokenKind next() {
    if (atEnd())
      return TokenKind::EndOfFile;
    char c = peek();
    if (c == '.' && (isIdentStart(peek(1)) || (gluedToWord && isDigit(peek(1))))) {
      advance();
      while (isIdentChar(peek()))
        advance();
      // Qualified modifiers: .shared::cta, .L2::128B, .L1::no_allocate.
      while (peek() == ':' && peek(1) == ':' && isIdentChar(peek(2))) {
        advance();
        advance();
        while (isIdentChar(peek()))
          advance();
      }
      return TokenKind::DotWord;
    }
    if (isIdentStart(c)) {
      while (isIdentChar(peek()))
        advance();
      return TokenKind::Identifier;
    }
    if (isDigit(c) || (c == '.' && isDigit(peek(1))))
      return number();
    if (c == '"') {
      advance();
      while (!atEnd() && peek() != '"' && peek() != '\n') {
        if (peek() == '\\')
          advance();
        advance();
      }
      if (peek() == '"')
        advance();
      return TokenKind::String;
    }
    advance();
    switch (c) {
    case ',':
      return TokenKind::Comma;
    case ';':
      return TokenKind::Semicolon;
    case ':':
      return TokenKind::Colon;
    case '(':
      return TokenKind::LParen;
    case ')':
      return TokenKind::RParen;
    case '[':
      return TokenKind::LBracket;
    case ']':
      return TokenKind::RBracket;
    case '{':
      return TokenKind::LBrace;
    case '}':
      return TokenKind::RBrace;
    case '<':
      return TokenKind::Less;
    case '>':
      return TokenKind::Greater;
    case '+':
      return TokenKind::Plus;
    case '-':
      return TokenKind::Minus;
    case '!':
      return TokenKind::Bang;
    case '@':
      return TokenKind::At;
    case '|':
      return TokenKind::Pipe;
    case '=':
      return TokenKind::Equal;
    default:
      return TokenKind::Unknown;
    }
  }

  TokenKind number() {
    // Hex-encoded floats: 0fXXXXXXXX (f32) and 0dXXXXXXXXXXXXXXXX (f64).
    if (peek() == '0' && (peek(1) == 'f' || peek(1) == 'F' || peek(1) == 'd' ||
                          peek(1) == 'D') &&
        isHexDigit(peek(2))) {
      advance();
      advance();
      while (isHexDigit(peek()))
        advance();
      return TokenKind::Float;
    }
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      advance();
      advance();
      while (isHexDigit(peek()))
        advance();
      if (peek() == 'U' || peek() == 'u')
        advance();
      return TokenKind::Integer;
    }
    if (peek() == '0' && (peek(1) == 'b' || peek(1) == 'B') &&
        (peek(2) == '0' || peek(2) == '1')) {
      advance();
      advance();
      while (peek() == '0' || peek() == '1')
        advance();
      if (peek() == 'U' || peek() == 'u')
        advance();
      return TokenKind::Integer;
    }
    bool isFloat = false;
    while (isDigit(peek()))
      advance();
    if (peek() == '.' && isDigit(peek(1))) {
      isFloat = true;
      advance();
      while (isDigit(peek()))
        advance();
    } else if (peek() == '.' && !isIdentStart(peek(1))) {
      // "1." is a float; "1.x" is not a thing PTX writes.
      isFloat = true;
      advance();
    }
    if ((peek() == 'e' || peek() == 'E') &&
        (isDigit(peek(1)) ||
         ((peek(1) == '+' || peek(1) == '-') && isDigit(peek(2))))) {
      isFloat = true;
      advance();
      if (peek() == '+' || peek() == '-')
        advance();
      while (isDigit(peek()))
        advance();
    }
    if (!isFloat && (peek() == 'U' || peek() == 'u'))
      advance();
    return isFloat ? TokenKind::Float : TokenKind::Integer;
  }
};

} // namespace

std::vector<Token> lex(std::string_view source) {
  return Lexer(source).run();
}

} // namespace wooly::ptx

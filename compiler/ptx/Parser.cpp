//===- Parser.cpp - PTX parser --------------------------------------------===//
//
// A recursive-descent parser over the token vector. Every loop consumes at
// least one token per iteration or stops, so no input can make it hang; nested
// blocks are bounded by ParseLimits::maxBlockDepth so no input can overflow the
// stack.
//
//===----------------------------------------------------------------------===//
#include "compiler/ptx/Parser.h"
#include "compiler/ptx/Lexer.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

namespace wooly::ptx {

const char *stateSpaceName(StateSpace space) {
  switch (space) {
  case StateSpace::Reg:
    return ".reg";
  case StateSpace::Param:
    return ".param";
  case StateSpace::Local:
    return ".local";
  case StateSpace::Shared:
    return ".shared";
  case StateSpace::Global:
    return ".global";
  case StateSpace::Const:
    return ".const";
  case StateSpace::Generic:
    return "generic";
  }
  return "?";
}

bool Instruction::hasModifier(const std::string &mod) const {
  for (const std::string &m : modifiers)
    if (m == mod)
      return true;
  return false;
}

std::string Instruction::fullName() const {
  std::string name = opcode;
  for (const std::string &m : modifiers)
    name += m;
  return name;
}

namespace {

/// Thrown inside the parser only, to unwind to the statement loop after an
/// error has been recorded. Never escapes parsePTX.
struct SyntaxError {};
/// Thrown when the error limit is reached.
struct TooManyErrors {};

std::optional<StateSpace> stateSpaceFromWord(std::string_view word) {
  if (word == ".reg")
    return StateSpace::Reg;
  if (word == ".param")
    return StateSpace::Param;
  if (word == ".local")
    return StateSpace::Local;
  if (word == ".shared")
    return StateSpace::Shared;
  if (word == ".global")
    return StateSpace::Global;
  if (word == ".const")
    return StateSpace::Const;
  return std::nullopt;
}

bool isTypeWord(std::string_view word) {
  static const std::set<std::string_view> types = {
      ".b8",  ".b16",  ".b32",  ".b64",  ".b128",   ".u8",   ".u16",
      ".u32", ".u64",  ".s8",   ".s16",  ".s32",    ".s64",  ".f16",
      ".f32", ".f64",  ".pred", ".f16x2", ".bf16", ".bf16x2", ".e4m3x2",
      ".e5m2x2", ".tf32", ".texref", ".samplerref", ".surfref"};
  return types.count(word) != 0;
}

class Parser {
public:
  Parser(std::string_view source, const ParseLimits &limits)
      : tokens(lex(source)), limits(limits) {}

  ParseResult run() {
    ParseResult result;
    try {
      while (!at(TokenKind::EndOfFile)) {
        size_t before = index;
        try {
          parseTopLevel(result.module);
        } catch (SyntaxError &) {
          recoverTopLevel(before);
        }
        if (index == before)
          advance(); // guarantee progress
      }
    } catch (TooManyErrors &) {
    }
    result.diagnostics = std::move(diags);
    return result;
  }

private:
  std::vector<Token> tokens;
  size_t index = 0;
  ParseLimits limits;
  std::vector<Diagnostic> diags;
  uint32_t depth = 0;

  //===--------------------------------------------------------------------===//
  // Token helpers
  //===--------------------------------------------------------------------===//

  const Token &cur() const { return tokens[index]; }
  const Token &peekTok(size_t ahead = 1) const {
    size_t i = index + ahead;
    return i < tokens.size() ? tokens[i] : tokens.back();
  }
  bool at(TokenKind kind) const { return cur().kind == kind; }
  bool atWord(std::string_view word) const {
    return at(TokenKind::DotWord) && cur().text == word;
  }
  const Token &advance() {
    const Token &tok = tokens[index];
    if (index + 1 < tokens.size())
      ++index;
    return tok;
  }
  bool consumeIf(TokenKind kind) {
    if (!at(kind))
      return false;
    advance();
    return true;
  }

  static std::string describe(const Token &tok) {
    if (tok.kind == TokenKind::EndOfFile)
      return "end of file";
    std::string text(tok.text.substr(0, 40));
    return "'" + text + "'";
  }

  void report(SourceLoc loc, std::string message) {
    diags.push_back({loc, std::move(message)});
    if (diags.size() >= limits.maxErrors) {
      diags.push_back({loc, "too many errors, stopping"});
      throw TooManyErrors();
    }
  }

  [[noreturn]] void fail(const std::string &expected) {
    report(cur().loc, "expected " + expected + ", found " + describe(cur()));
    throw SyntaxError();
  }

  [[noreturn]] void failAt(SourceLoc loc, std::string message) {
    report(loc, std::move(message));
    throw SyntaxError();
  }

  const Token &expect(TokenKind kind, const char *what = nullptr) {
    if (!at(kind))
      fail(what ? what : tokenKindName(kind));
    return advance();
  }

  /// Skips to just after the next `;` of this nesting level, or to just before
  /// the `}` that closes the current block.
  void recover() {
    int braces = 0;
    while (!at(TokenKind::EndOfFile)) {
      if (at(TokenKind::Semicolon) && braces == 0) {
        advance();
        return;
      }
      if (at(TokenKind::LBrace))
        ++braces;
      if (at(TokenKind::RBrace)) {
        if (braces == 0)
          return;
        --braces;
      }
      advance();
    }
  }

  /// At module scope: skips to the next directive that can start a module
  /// item, past any `{ ... }` group, so one bad item does not hide the next.
  void recoverTopLevel(size_t itemStart) {
    if (index == itemStart)
      advance();
    int braces = 0;
    while (!at(TokenKind::EndOfFile)) {
      if (braces == 0 && at(TokenKind::DotWord)) {
        std::string_view w = cur().text;
        if (w == ".entry" || w == ".func" || w == ".visible" ||
            w == ".extern" || w == ".weak" || w == ".global" ||
            w == ".const" || w == ".shared" || w == ".version" ||
            w == ".target" || w == ".address_size" || w == ".file" ||
            w == ".section")
          return;
      }
      if (at(TokenKind::LBrace))
        ++braces;
      else if (at(TokenKind::RBrace) && braces > 0)
        --braces;
      else if (at(TokenKind::Semicolon) && braces == 0) {
        advance();
        return;
      }
      advance();
    }
  }

  /// Skips every token on the current token's line (for `.loc` and `.file`,
  /// which end at the line end, not at a `;`).
  void skipLine() {
    uint32_t line = cur().loc.line;
    advance();
    while (!at(TokenKind::EndOfFile) && cur().loc.line == line &&
           !at(TokenKind::Semicolon))
      advance();
    consumeIf(TokenKind::Semicolon);
  }

  /// Skips a `{ ... }` group (the body of `.section`).
  void skipBraces() {
    expect(TokenKind::LBrace);
    int braces = 1;
    while (!at(TokenKind::EndOfFile) && braces > 0) {
      if (at(TokenKind::LBrace))
        ++braces;
      else if (at(TokenKind::RBrace))
        --braces;
      advance();
    }
  }

  //===--------------------------------------------------------------------===//
  // Literals
  //===--------------------------------------------------------------------===//

  uint64_t parseIntegerText(const Token &tok, bool *hadUnsignedSuffix) {
    std::string_view text = tok.text;
    bool unsignedSuffix = false;
    if (!text.empty() && (text.back() == 'U' || text.back() == 'u')) {
      unsignedSuffix = true;
      text.remove_suffix(1);
    }
    if (hadUnsignedSuffix)
      *hadUnsignedSuffix = unsignedSuffix;
    unsigned base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
      base = 16;
      text.remove_prefix(2);
    } else if (text.size() > 2 && text[0] == '0' &&
               (text[1] == 'b' || text[1] == 'B')) {
      base = 2;
      text.remove_prefix(2);
    } else if (text.size() > 1 && text[0] == '0') {
      base = 8;
      text.remove_prefix(1);
    }
    uint64_t value = 0;
    for (char c : text) {
      unsigned digit;
      if (c >= '0' && c <= '9')
        digit = c - '0';
      else if (c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
      else
        failAt(tok.loc, "malformed integer literal " + describe(tok));
      if (digit >= base)
        failAt(tok.loc, "digit out of range in integer literal " +
                            describe(tok));
      if (value > (UINT64_MAX - digit) / base)
        failAt(tok.loc, "integer literal " + describe(tok) +
                            " does not fit in 64 bits");
      value = value * base + digit;
    }
    return value;
  }

  /// Returns the IEEE bits and whether the literal is a double.
  std::pair<uint64_t, bool> parseFloatText(const Token &tok) {
    std::string_view text = tok.text;
    if (text.size() > 2 && text[0] == '0' &&
        (text[1] == 'f' || text[1] == 'F' || text[1] == 'd' ||
         text[1] == 'D')) {
      bool isDouble = text[1] == 'd' || text[1] == 'D';
      std::string_view hex = text.substr(2);
      if (hex.size() != (isDouble ? 16u : 8u))
        failAt(tok.loc, std::string("hexadecimal ") +
                            (isDouble ? "f64 literal needs 16" :
                                        "f32 literal needs 8") +
                            " hex digits, found " + describe(tok));
      uint64_t bits = 0;
      for (char c : hex) {
        unsigned digit = (c >= '0' && c <= '9')   ? c - '0'
                         : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                                  : c - 'A' + 10;
        bits = bits << 4 | digit;
      }
      return {bits, isDouble};
    }
    std::string copy(text);
    errno = 0;
    double value = std::strtod(copy.c_str(), nullptr);
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return {bits, true};
  }

  //===--------------------------------------------------------------------===//
  // Top level
  //===--------------------------------------------------------------------===//

  void parseTopLevel(Module &module) {
    if (!at(TokenKind::DotWord))
      fail("a directive (.version, .target, .entry, .func, .global, ...)");
    std::string_view word = cur().text;
    if (word == ".version") {
      advance();
      if (!at(TokenKind::Float) && !at(TokenKind::Integer))
        fail("a PTX ISA version like 9.0");
      module.version = std::string(advance().text);
      return;
    }
    if (word == ".target") {
      advance();
      do {
        module.targets.push_back(
            std::string(expect(TokenKind::Identifier, "a target like sm_90")
                            .text));
      } while (consumeIf(TokenKind::Comma));
      return;
    }
    if (word == ".address_size") {
      SourceLoc loc = advance().loc;
      uint64_t size = parseIntegerText(expect(TokenKind::Integer), nullptr);
      if (size != 32 && size != 64)
        failAt(loc, ".address_size must be 32 or 64");
      module.addressSize = static_cast<uint32_t>(size);
      return;
    }
    if (word == ".file" || word == ".loc") {
      skipLine();
      return;
    }
    if (word == ".section") {
      advance();
      if (at(TokenKind::DotWord) || at(TokenKind::Identifier))
        advance();
      skipBraces();
      return;
    }
    if (word == ".pragma") {
      parsePragma();
      return;
    }
    Linkage linkage = parseLinkage();
    if (atWord(".entry") || atWord(".func")) {
      module.functions.push_back(parseFunction(linkage));
      return;
    }
    if (at(TokenKind::DotWord)) {
      if (auto space = stateSpaceFromWord(cur().text);
          space && *space != StateSpace::Reg && *space != StateSpace::Param) {
        SourceLoc loc = advance().loc;
        for (VarDecl &decl : parseVarDecl(*space, loc, /*allowList=*/true)) {
          decl.linkage = linkage;
          module.globals.push_back(std::move(decl));
        }
        expect(TokenKind::Semicolon);
        return;
      }
    }
    fail("'.entry', '.func' or a module-scope variable (.global, .const, "
         ".shared)");
  }

  void parsePragma() {
    advance();
    do {
      expect(TokenKind::String, "a pragma string");
    } while (consumeIf(TokenKind::Comma));
    expect(TokenKind::Semicolon);
  }

  Linkage parseLinkage() {
    Linkage linkage = Linkage::Default;
    while (at(TokenKind::DotWord)) {
      std::string_view w = cur().text;
      if (w == ".visible")
        linkage = Linkage::Visible;
      else if (w == ".extern")
        linkage = Linkage::Extern;
      else if (w == ".weak")
        linkage = Linkage::Weak;
      else if (w == ".common")
        linkage = Linkage::Common;
      else
        break;
      advance();
    }
    return linkage;
  }

  //===--------------------------------------------------------------------===//
  // Variables
  //===--------------------------------------------------------------------===//

  /// After the state space word: attributes, type, name(s), array
  /// dimensions, initializer. With allowList, `a, b, c` declare several.
  std::vector<VarDecl> parseVarDecl(StateSpace space, SourceLoc loc,
                                    bool allowList) {
    VarDecl proto;
    proto.space = space;
    proto.loc = loc;
    while (at(TokenKind::DotWord)) {
      std::string_view w = cur().text;
      SourceLoc wordLoc = cur().loc;
      if (w == ".align") {
        advance();
        uint64_t align = parseIntegerText(expect(TokenKind::Integer), nullptr);
        if (align == 0 || (align & (align - 1)) || align > 4096)
          failAt(wordLoc, ".align must be a power of two up to 4096");
        if (proto.isPointer && proto.type.size())
          proto.pointeeAlign = static_cast<uint32_t>(align);
        else if (proto.isPointer)
          proto.pointeeAlign = static_cast<uint32_t>(align);
        else
          proto.align = static_cast<uint32_t>(align);
      } else if (w == ".v2" || w == ".v4" || w == ".v8") {
        advance();
        proto.vectorWidth = w[2] - '0';
      } else if (w == ".ptr") {
        advance();
        proto.isPointer = true;
      } else if (proto.isPointer && stateSpaceFromWord(w)) {
        advance();
        proto.pointeeSpace = stateSpaceFromWord(w);
      } else if (w == ".attribute") {
        advance();
        expect(TokenKind::LParen);
        while (at(TokenKind::DotWord))
          advance();
        expect(TokenKind::RParen);
      } else if (isTypeWord(w)) {
        if (!proto.type.empty())
          failAt(wordLoc, "variable has two types: " + proto.type + " and " +
                              std::string(w));
        advance();
        proto.type = std::string(w);
      } else {
        fail("a type (.b32, .u64, .f32, .pred, ...) or .align");
      }
    }
    if (proto.type.empty())
      fail("a type (.b32, .u64, .f32, .pred, ...)");

    std::vector<VarDecl> decls;
    do {
      VarDecl decl = proto;
      const Token &nameTok = expect(TokenKind::Identifier, "a variable name");
      decl.name = std::string(nameTok.text);
      decl.loc = nameTok.loc;
      if (consumeIf(TokenKind::Less)) {
        uint64_t count = parseIntegerText(expect(TokenKind::Integer), nullptr);
        if (count > limits.maxParameterizedRegisters)
          failAt(nameTok.loc, "too many registers in " + decl.name + "<" +
                                  std::to_string(count) + ">");
        decl.parameterizedCount = static_cast<uint32_t>(count);
        expect(TokenKind::Greater);
      }
      uint64_t elements = 1;
      while (at(TokenKind::LBracket)) {
        SourceLoc bracketLoc = advance().loc;
        uint64_t dim = 0;
        if (!at(TokenKind::RBracket)) {
          dim = parseIntegerText(expect(TokenKind::Integer, "an array size"),
                                 nullptr);
          if (dim == 0)
            failAt(bracketLoc, "array dimension must be positive");
        } else if (!decl.arrayDims.empty()) {
          failAt(bracketLoc, "only the first array dimension may be unsized");
        }
        expect(TokenKind::RBracket);
        if (dim && elements > limits.maxArrayBytes / dim)
          failAt(bracketLoc, "array " + decl.name + " is too large");
        if (dim)
          elements *= dim;
        decl.arrayDims.push_back(dim);
      }
      if (consumeIf(TokenKind::Equal))
        parseInitializer(decl.initializer, 0);
      decls.push_back(std::move(decl));
    } while (allowList && consumeIf(TokenKind::Comma));
    return decls;
  }

  void parseInitializer(std::vector<InitValue> &out, uint32_t nesting) {
    if (nesting > 8)
      fail("an initializer nested at most 8 deep");
    if (consumeIf(TokenKind::LBrace)) {
      if (!at(TokenKind::RBrace)) {
        do {
          parseInitializer(out, nesting + 1);
        } while (consumeIf(TokenKind::Comma));
      }
      expect(TokenKind::RBrace, "'}' or ',' in the initializer");
      return;
    }
    InitValue value;
    value.loc = cur().loc;
    bool negative = consumeIf(TokenKind::Minus);
    if (at(TokenKind::Integer)) {
      value.kind = InitValue::Kind::Integer;
      value.intValue = parseIntegerText(advance(), nullptr);
      if (negative)
        value.intValue = 0 - value.intValue;
    } else if (at(TokenKind::Float)) {
      value.kind = InitValue::Kind::Float;
      auto [bits, isDouble] = parseFloatText(advance());
      value.floatBits = bits;
      value.isDouble = isDouble;
      if (negative)
        value.floatBits ^= isDouble ? (1ull << 63) : (1ull << 31);
    } else if (!negative && at(TokenKind::Identifier)) {
      value.kind = InitValue::Kind::Symbol;
      std::string_view name = advance().text;
      if ((name == "generic" || name == "global") &&
          consumeIf(TokenKind::LParen)) {
        value.generic = name == "generic";
        name = expect(TokenKind::Identifier, "a symbol").text;
        value.symbol = std::string(name);
        parseSymbolOffset(value.offset);
        expect(TokenKind::RParen);
      } else {
        value.symbol = std::string(name);
      }
      parseSymbolOffset(value.offset);
    } else {
      fail("an initializer value");
    }
    out.push_back(std::move(value));
  }

  void parseSymbolOffset(int64_t &offset) {
    while (at(TokenKind::Plus) || at(TokenKind::Minus)) {
      bool minus = advance().kind == TokenKind::Minus;
      bool innerMinus = consumeIf(TokenKind::Minus);
      uint64_t v = parseIntegerText(expect(TokenKind::Integer), nullptr);
      if (minus != innerMinus)
        offset -= static_cast<int64_t>(v);
      else
        offset += static_cast<int64_t>(v);
    }
  }

  //===--------------------------------------------------------------------===//
  // Functions
  //===--------------------------------------------------------------------===//

  std::vector<VarDecl> parseParamList() {
    std::vector<VarDecl> params;
    expect(TokenKind::LParen);
    if (consumeIf(TokenKind::RParen))
      return params;
    do {
      if (!at(TokenKind::DotWord))
        fail("'.param' or '.reg'");
      auto space = stateSpaceFromWord(cur().text);
      if (!space || (*space != StateSpace::Param && *space != StateSpace::Reg))
        fail("'.param' or '.reg'");
      SourceLoc loc = advance().loc;
      for (VarDecl &decl : parseVarDecl(*space, loc, /*allowList=*/false))
        params.push_back(std::move(decl));
    } while (consumeIf(TokenKind::Comma));
    expect(TokenKind::RParen, "')' or ',' in the parameter list");
    return params;
  }

  Function parseFunction(Linkage linkage) {
    Function fn;
    fn.linkage = linkage;
    fn.loc = cur().loc;
    fn.isEntry = advance().text == ".entry";
    if (!fn.isEntry && at(TokenKind::LParen))
      fn.returns = parseParamList();
    fn.name = std::string(expect(TokenKind::Identifier, "a function name").text);
    if (at(TokenKind::LParen))
      fn.params = parseParamList();
    while (at(TokenKind::DotWord)) {
      std::string name(cur().text.substr(1));
      if (name == "noreturn") {
        advance();
        fn.performance[name] = {};
        continue;
      }
      if (name != "maxntid" && name != "reqntid" && name != "minnctapersm" &&
          name != "maxnreg" && name != "maxclusterrank" &&
          name != "reqnctapercluster" && name != "explicitcluster" &&
          name != "pragma")
        fail("'{', ';' or a performance directive (.maxntid, .reqntid, "
             ".minnctapersm, .maxnreg)");
      if (name == "pragma") {
        parsePragma();
        continue;
      }
      advance();
      std::vector<uint64_t> values;
      if (at(TokenKind::Integer)) {
        do {
          values.push_back(
              parseIntegerText(expect(TokenKind::Integer), nullptr));
        } while (consumeIf(TokenKind::Comma) && values.size() < 3);
      }
      fn.performance[name] = std::move(values);
    }
    if (consumeIf(TokenKind::Semicolon))
      return fn; // declaration only
    if (!at(TokenKind::LBrace))
      fail("'{' to start the body of " + fn.name + ", or ';'");
    fn.body = parseBlock();
    return fn;
  }

  StatementBlock parseBlock() {
    StatementBlock block;
    block.loc = expect(TokenKind::LBrace).loc;
    if (++depth > limits.maxBlockDepth) {
      --depth;
      failAt(block.loc, "blocks nested more than " +
                            std::to_string(limits.maxBlockDepth) + " deep");
    }
    while (!at(TokenKind::RBrace)) {
      if (at(TokenKind::EndOfFile)) {
        --depth;
        failAt(block.loc, "unterminated block: expected '}' before end of "
                          "file");
      }
      size_t before = index;
      try {
        parseStatement(block.statements);
      } catch (SyntaxError &) {
        recover();
      }
      if (index == before && !at(TokenKind::RBrace))
        advance();
    }
    advance(); // '}'
    --depth;
    return block;
  }

  void parseStatement(std::vector<Statement> &out) {
    if (at(TokenKind::LBrace)) {
      out.push_back(Statement{parseBlock()});
      return;
    }
    if (at(TokenKind::DotWord)) {
      std::string_view w = cur().text;
      if (w == ".loc" || w == ".file") {
        skipLine();
        return;
      }
      if (w == ".pragma") {
        parsePragma();
        return;
      }
      if (w == ".callprototype" || w == ".branchtargets" ||
          w == ".calltargets") {
        recover();
        return;
      }
      if (auto space = stateSpaceFromWord(w)) {
        SourceLoc loc = advance().loc;
        for (VarDecl &decl : parseVarDecl(*space, loc, /*allowList=*/true))
          out.push_back(Statement{std::move(decl)});
        expect(TokenKind::Semicolon);
        return;
      }
      fail("an instruction, a label or a declaration (.reg, .local, "
           ".shared, .param)");
    }
    if (at(TokenKind::Identifier) && peekTok().kind == TokenKind::Colon) {
      Label label{std::string(cur().text), cur().loc};
      advance();
      advance();
      out.push_back(Statement{std::move(label)});
      return;
    }
    out.push_back(Statement{parseInstruction()});
  }

  //===--------------------------------------------------------------------===//
  // Instructions
  //===--------------------------------------------------------------------===//

  Instruction parseInstruction() {
    Instruction inst;
    inst.loc = cur().loc;
    if (consumeIf(TokenKind::At)) {
      Guard guard;
      guard.negated = consumeIf(TokenKind::Bang);
      guard.predicate =
          std::string(expect(TokenKind::Identifier, "a predicate register")
                          .text);
      inst.guard = std::move(guard);
    }
    if (!at(TokenKind::Identifier))
      fail("an instruction");
    const Token &op = advance();
    inst.opcode = std::string(op.text);
    if (!inst.guard)
      inst.loc = op.loc;
    while (at(TokenKind::DotWord) && !cur().spaceBefore)
      inst.modifiers.push_back(std::string(advance().text));
    if (!at(TokenKind::Semicolon)) {
      do {
        inst.operands.push_back(parseOperand(/*inAddress=*/false));
      } while (consumeIf(TokenKind::Comma));
    }
    expect(TokenKind::Semicolon, "';' or ',' after an operand");
    return inst;
  }

  Operand parseOperand(bool inAddress) {
    Operand operand;
    operand.loc = cur().loc;
    if (consumeIf(TokenKind::Bang)) {
      operand = parseOperand(inAddress);
      if (operand.kind != Operand::Kind::Register)
        failAt(operand.loc, "'!' applies only to a predicate register");
      operand.negated = !operand.negated;
      return operand;
    }
    switch (cur().kind) {
    case TokenKind::Minus: {
      advance();
      if (at(TokenKind::Integer)) {
        operand.kind = Operand::Kind::Integer;
        operand.intValue = 0 - parseIntegerText(advance(), nullptr);
        return operand;
      }
      if (at(TokenKind::Float)) {
        operand.kind = Operand::Kind::Float;
        auto [bits, isDouble] = parseFloatText(advance());
        operand.floatBits = bits ^ (isDouble ? 1ull << 63 : 1ull << 31);
        operand.isDouble = isDouble;
        return operand;
      }
      fail("a number after '-'");
    }
    case TokenKind::Integer:
      operand.kind = Operand::Kind::Integer;
      operand.intValue =
          parseIntegerText(advance(), &operand.isUnsignedLiteral);
      return operand;
    case TokenKind::Float: {
      operand.kind = Operand::Kind::Float;
      auto [bits, isDouble] = parseFloatText(advance());
      operand.floatBits = bits;
      operand.isDouble = isDouble;
      return operand;
    }
    case TokenKind::Identifier: {
      std::string_view text = advance().text;
      if (text == "_") {
        operand.kind = Operand::Kind::Sink;
      } else {
        operand.kind = text[0] == '%' ? Operand::Kind::Register
                                      : Operand::Kind::Symbol;
        operand.name = std::string(text);
        // %tid.x, %r.y: a component selector glued to the name.
        if (at(TokenKind::DotWord) && !cur().spaceBefore)
          operand.name += std::string(advance().text);
      }
      if (!inAddress && consumeIf(TokenKind::Pipe)) {
        Operand pair;
        pair.kind = Operand::Kind::Pair;
        pair.loc = operand.loc;
        pair.elements.push_back(std::move(operand));
        pair.elements.push_back(parseOperand(/*inAddress=*/true));
        return pair;
      }
      return operand;
    }
    case TokenKind::LBracket:
      if (inAddress)
        fail("an operand");
      return parseAddress();
    case TokenKind::LBrace: {
      if (inAddress)
        fail("an operand");
      advance();
      operand.kind = Operand::Kind::Vector;
      do {
        operand.elements.push_back(parseOperand(/*inAddress=*/true));
        if (operand.elements.size() > 8)
          failAt(operand.loc, "vector operands have at most 8 elements");
      } while (consumeIf(TokenKind::Comma));
      expect(TokenKind::RBrace, "'}' or ',' in the vector operand");
      return operand;
    }
    case TokenKind::LParen: {
      if (inAddress)
        fail("an operand");
      advance();
      operand.kind = Operand::Kind::Call;
      if (!at(TokenKind::RParen)) {
        do {
          operand.elements.push_back(parseOperand(/*inAddress=*/true));
        } while (consumeIf(TokenKind::Comma));
      }
      expect(TokenKind::RParen, "')' or ',' in the argument list");
      return operand;
    }
    default:
      fail("an operand (register, immediate, symbol, [address] or {vector})");
    }
  }

  Operand parseAddress() {
    Operand address;
    address.kind = Operand::Kind::Address;
    address.loc = expect(TokenKind::LBracket).loc;
    if (at(TokenKind::Identifier)) {
      Operand base;
      base.loc = cur().loc;
      std::string_view text = advance().text;
      base.kind = text[0] == '%' ? Operand::Kind::Register
                                 : Operand::Kind::Symbol;
      base.name = std::string(text);
      address.elements.push_back(std::move(base));
      if (at(TokenKind::Plus) || at(TokenKind::Minus))
        parseSymbolOffset(address.offset);
    } else if (at(TokenKind::Integer) || at(TokenKind::Minus)) {
      bool minus = consumeIf(TokenKind::Minus);
      uint64_t v = parseIntegerText(expect(TokenKind::Integer), nullptr);
      address.offset = minus ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
    } else {
      fail("a register, symbol or integer inside '[ ]'");
    }
    // Texture and surface operands: [tex, {%r1, %r2}].
    while (consumeIf(TokenKind::Comma)) {
      if (address.elements.size() >= 4)
        fail("at most four parts inside '[ ]'");
      address.elements.push_back(parseOperand(/*inAddress=*/false));
    }
    expect(TokenKind::RBracket, "']' or '+offset' in the address");
    return address;
  }
};

} // namespace

ParseResult parsePTX(std::string_view source, const ParseLimits &limits) {
  return Parser(source, limits).run();
}

} // namespace wooly::ptx

#include "compiler/ptx/Parser.h"

#include <catch2/catch.hpp>

using namespace wooly::ptx;

namespace {
const char *kVectorAdd = R"(
.version 9.0
.target sm_90
.address_size 64

.global .align 4 .u32 gcount;
.const .align 4 .b8 coef[16] = {0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64};
.extern .shared .align 16 .b8 s[];

.visible .entry vadd(
	.param .u64 .ptr .global .align 4 vadd_param_0,
	.param .u32 vadd_param_1
)
.maxntid 256, 1, 1
{
	.reg .pred 	%p<2>;
	.reg .f32 	%f<5>;
	.reg .b64 	%rd<15>;

	ld.param.u64 	%rd1, [vadd_param_0];
	mov.u32 	%r3, %ctaid.x;
	@!%p1 bra.uni 	$L__BB1_2;
	shfl.sync.down.b32 	%r11|%p3, %r6, %r9, %r8, -1;
	ld.global.v2.f32 	{%f1, %f2}, [%rd1+-8];
	mov.f32 %f3, 0f3F800000;
$L__BB1_2:
	ret;
}
)";
} // namespace

TEST_CASE("parser reads module directives and globals", "[ptx][parser]") {
  ParseResult r = parsePTX(kVectorAdd);
  INFO(formatDiagnostics("t.ptx", r.diagnostics));
  REQUIRE(r.succeeded());
  CHECK(r.module.version == "9.0");
  REQUIRE(r.module.targets.size() == 1);
  CHECK(r.module.targets[0] == "sm_90");
  CHECK(r.module.addressSize == 64);
  REQUIRE(r.module.globals.size() == 3);
  const VarDecl &coef = r.module.globals[1];
  CHECK(coef.space == StateSpace::Const);
  CHECK(coef.align == 4);
  CHECK(coef.type == ".b8");
  CHECK(coef.arrayDims == std::vector<uint64_t>{16});
  REQUIRE(coef.initializer.size() == 16);
  CHECK(coef.initializer[3].intValue == 63);
  const VarDecl &s = r.module.globals[2];
  CHECK(s.linkage == Linkage::Extern);
  CHECK(s.arrayDims == std::vector<uint64_t>{0});
}

TEST_CASE("parser reads kernels, params and instructions", "[ptx][parser]") {
  ParseResult r = parsePTX(kVectorAdd);
  REQUIRE(r.succeeded());
  REQUIRE(r.module.functions.size() == 1);
  const Function &fn = r.module.functions[0];
  CHECK(fn.isEntry);
  CHECK(fn.linkage == Linkage::Visible);
  CHECK(fn.name == "vadd");
  REQUIRE(fn.params.size() == 2);
  CHECK(fn.params[0].isPointer);
  CHECK(fn.params[0].pointeeSpace == StateSpace::Global);
  CHECK(fn.params[0].pointeeAlign == 4);
  CHECK(fn.params[0].type == ".u64");
  CHECK(fn.performance.at("maxntid") == std::vector<uint64_t>{256, 1, 1});
  REQUIRE(fn.body);
  const auto &stmts = fn.body->statements;
  REQUIRE(stmts.size() == 11);
  const auto &reg = std::get<VarDecl>(stmts[0].node);
  CHECK(reg.space == StateSpace::Reg);
  CHECK(reg.parameterizedCount == 2u);

  const auto &ld = std::get<Instruction>(stmts[3].node);
  CHECK(ld.opcode == "ld");
  CHECK(ld.modifiers == std::vector<std::string>{".param", ".u64"});
  REQUIRE(ld.operands.size() == 2);
  CHECK(ld.operands[1].kind == Operand::Kind::Address);
  CHECK(ld.operands[1].elements[0].name == "vadd_param_0");

  const auto &mov = std::get<Instruction>(stmts[4].node);
  CHECK(mov.operands[1].name == "%ctaid.x");

  const auto &bra = std::get<Instruction>(stmts[5].node);
  REQUIRE(bra.guard);
  CHECK(bra.guard->negated);
  CHECK(bra.guard->predicate == "%p1");
  CHECK(bra.hasModifier(".uni"));
  CHECK(bra.operands[0].kind == Operand::Kind::Symbol);

  const auto &shfl = std::get<Instruction>(stmts[6].node);
  CHECK(shfl.operands[0].kind == Operand::Kind::Pair);
  CHECK(shfl.operands[0].elements[1].name == "%p3");
  CHECK(shfl.operands[4].intValue == ~0ull);

  const auto &vld = std::get<Instruction>(stmts[7].node);
  CHECK(vld.operands[0].kind == Operand::Kind::Vector);
  CHECK(vld.operands[0].elements.size() == 2);
  CHECK(vld.operands[1].offset == -8);

  const auto &movf = std::get<Instruction>(stmts[8].node);
  CHECK(movf.operands[1].kind == Operand::Kind::Float);
  CHECK(movf.operands[1].floatBits == 0x3F800000u);
  CHECK_FALSE(movf.operands[1].isDouble);

  CHECK(std::get<Label>(stmts[9].node).name == "$L__BB1_2");
}

TEST_CASE("parser reads call sequences in nested blocks", "[ptx][parser]") {
  ParseResult r = parsePTX(R"(
.version 8.5
.target sm_75
.address_size 64
.func  (.param .b32 func_retval0) fib(.param .b32 fib_param_0)
{
	.reg .b32 %r<9>;
	{ // callseq 0, 0
	.reg .b32 temp_param_reg;
	.param .b32 param0;
	st.param.b32 	[param0+0], %r4;
	.param .b32 retval0;
	call.uni (retval0),
	fib,
	(
	param0
	);
	ld.param.b32 	%r5, [retval0+0];
	}
	st.param.b32 [func_retval0+0], %r5;
	ret;
}
.extern .func foo(.param .b64 a) .noreturn;
)");
  INFO(formatDiagnostics("t.ptx", r.diagnostics));
  REQUIRE(r.succeeded());
  REQUIRE(r.module.functions.size() == 2);
  const Function &fib = r.module.functions[0];
  CHECK_FALSE(fib.isEntry);
  REQUIRE(fib.returns.size() == 1);
  CHECK(fib.returns[0].name == "func_retval0");
  const StatementBlock &inner = std::get<StatementBlock>(fib.body->statements[1].node);
  REQUIRE(inner.statements.size() == 6);
  const auto &call = std::get<Instruction>(inner.statements[4].node);
  CHECK(call.opcode == "call");
  REQUIRE(call.operands.size() == 3);
  CHECK(call.operands[0].kind == Operand::Kind::Call);
  CHECK(call.operands[1].name == "fib");
  CHECK(call.operands[2].elements[0].name == "param0");
  const Function &foo = r.module.functions[1];
  CHECK_FALSE(foo.body);
  CHECK(foo.linkage == Linkage::Extern);
  CHECK(foo.performance.count("noreturn"));
}

TEST_CASE("parser accepts modifiers in any order and debug directives",
          "[ptx][parser]") {
  ParseResult r = parsePTX(R"(
.version 9.0
.target sm_90, debug
.address_size 64
.file 1 "/tmp/k.cu", 1700000000, 1234
.global .u64 ptr = generic(table+8);
.global .f32 table[2][2] = {{1.0, -0f3F800000}, {0d4000000000000000, 3}};
.entry k()
{
	.loc 1 5 3
	ld.relaxed.gpu.global.u32 %r1, [ptr];
	ld.global.gpu.relaxed.u32 %r1, [ptr];
	.pragma "nounroll";
	atom.add.global.f32 %f1, [%rd1], 0f3F800000;
	exit;
}
.section .debug_str { .b8 65, 0 }
)");
  INFO(formatDiagnostics("t.ptx", r.diagnostics));
  REQUIRE(r.succeeded());
  REQUIRE(r.module.globals.size() == 2);
  CHECK(r.module.globals[0].initializer[0].generic);
  CHECK(r.module.globals[0].initializer[0].symbol == "table");
  CHECK(r.module.globals[0].initializer[0].offset == 8);
  CHECK(r.module.globals[1].arrayDims == std::vector<uint64_t>{2, 2});
  REQUIRE(r.module.globals[1].initializer.size() == 4);
  CHECK(r.module.globals[1].initializer[1].floatBits == 0xBF800000u);
  const auto &stmts = r.module.functions[0].body->statements;
  REQUIRE(stmts.size() == 4);
  CHECK(std::get<Instruction>(stmts[0].node).hasModifier(".relaxed"));
  CHECK(std::get<Instruction>(stmts[1].node).hasModifier(".relaxed"));
}

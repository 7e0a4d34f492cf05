//===- WoolyTypes.td - WIS types ---------------------------*- tablegen -*-===//
#ifndef WOOLY_TYPES_TD
#define WOOLY_TYPES_TD

include "dialects/wooly/WoolyEnums.td"
include "mlir/IR/AttrTypeBase.td"

class Wooly_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Wooly_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def Wooly_PtrType : Wooly_Type<"Ptr", "ptr"> {
  let summary = "a byte address in one address space";
  let description = [{
    `!wooly.ptr<global>` is an untyped byte address; loads and stores name the
    type they access. Pointers are 64 bits wide in every space when converted
    to integers.
  }];
  let parameters = (ins EnumParameter<Wooly_AddressSpace>:$space);
  let assemblyFormat = "`<` $space `>`";
}

def Wooly_RegType : Wooly_Type<"Reg", "reg"> {
  let summary = "a PTX virtual register before SSA construction";
  let description = [{
    The PTX front end gives every `.reg` a `!wooly.reg<T>` slot, then MLIR's
    mem2reg turns slots into SSA values. A finished WIS module holds no
    register slots; the server's verifier rejects them.
  }];
  let parameters = (ins "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
}

def Wooly_AnyPtr : Type<CPred<"::llvm::isa<::wooly::PtrType>($_self)">,
                        "wooly pointer", "::wooly::PtrType">;

class Wooly_PtrIn<string space>
    : Type<And<[CPred<"::llvm::isa<::wooly::PtrType>($_self)">,
                CPred<"::llvm::cast<::wooly::PtrType>($_self).getSpace() == ::wooly::AddressSpace::" # space>]>,
           "pointer to " # space # " memory", "::wooly::PtrType">;

// What may sit in memory or cross a warp: scalars only (vectors are split by
// the front end, so every backend sees the same shapes).
def Wooly_Scalar : AnyTypeOf<[AnySignlessInteger, AnyFloat, Wooly_AnyPtr]>;
def Wooly_IntOrFloat : AnyTypeOf<[AnySignlessInteger, AnyFloat]>;

#endif // WOOLY_TYPES_TD

//===- DataSegment.cpp - Read the data segment of a fenced module ---------===//

#include "compiler/transforms/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

std::optional<wooly::DataSegment> wooly::getDataSegment(ModuleOp module) {
  auto dict = module->getAttrOfType<DictionaryAttr>(kDataSegmentAttr);
  if (!dict)
    return std::nullopt;
  auto size = dict.getAs<IntegerAttr>("size");
  auto alignment = dict.getAs<IntegerAttr>("alignment");
  auto symbols = dict.getAs<DictionaryAttr>("symbols");
  auto sizes = dict.getAs<DictionaryAttr>("sizes");
  auto init = dict.getAs<StringAttr>("init");
  if (!size || !alignment || !symbols || !sizes || !init ||
      init.size() != static_cast<uint64_t>(size.getInt()))
    return std::nullopt;
  DataSegment segment;
  segment.size = size.getInt();
  segment.alignment = alignment.getInt();
  segment.initialBytes = init.getValue().str();
  for (NamedAttribute entry : symbols) {
    auto offset = dyn_cast<IntegerAttr>(entry.getValue());
    if (!offset)
      return std::nullopt;
    segment.symbols.emplace_back(entry.getName().str(), offset.getInt());
  }
  for (NamedAttribute entry : sizes) {
    auto bytes = dyn_cast<IntegerAttr>(entry.getValue());
    if (!bytes)
      return std::nullopt;
    segment.sizes.emplace_back(entry.getName().str(), bytes.getInt());
  }
  if (Attribute bank = dict.get("const_bank")) { // only with const-bank
    auto entries = dyn_cast<DictionaryAttr>(bank);
    if (!entries)
      return std::nullopt;
    for (NamedAttribute entry : entries) {
      auto bytes = dyn_cast<IntegerAttr>(entry.getValue());
      if (!bytes)
        return std::nullopt;
      segment.constBank.emplace_back(entry.getName().str(), bytes.getInt());
    }
  }
  return segment;
}

//===- Input.h - turning wooly-cc's input into PTX text ---------*- C++ -*-===//
#ifndef WOOLY_TOOLS_WOOLY_CC_INPUT_H
#define WOOLY_TOOLS_WOOLY_CC_INPUT_H

#include <string>

namespace wooly::cc {

struct PTXInput {
  std::string text;
  std::string name; // for diagnostics: the .ptx path, or "prog:sm_75.ptx"
};

/// Reads INPUT as PTX: a `.ptx` file as is; a `.cu` file through
/// `nvcc -ptx` (when nvcc is installed); a CUDA executable, library or object
/// through its fatbin. On failure returns false with a message in `error`.
bool loadPTX(const std::string &path, PTXInput &out, std::string &error);

} // namespace wooly::cc

#endif // WOOLY_TOOLS_WOOLY_CC_INPUT_H

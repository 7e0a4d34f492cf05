# -*- Python -*-
# lit configuration for Wooly's compiler and dialect tests.
import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "WOOLY"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".ptx", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.wooly_lit_obj_root

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%wooly_src", config.wooly_src_root))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.wooly_tools_dir, append_path=True)
# Tests never write to the user's cache.
config.environment["WOOLY_CACHE_DIR"] = os.path.join(config.wooly_lit_obj_root, "cache")

tools = ["wooly-opt", "wooly-cc"]
llvm_config.add_tool_substitutions(tools, [config.wooly_tools_dir])

# Optional external tools: tests that need them say `REQUIRES: ptxas` etc.
for tool, feature in [("ptxas", "ptxas"), ("nvcc", "nvcc")]:
    path = shutil.which(tool) or (os.path.exists("/usr/local/cuda/bin/" + tool) and "/usr/local/cuda/bin/" + tool)
    if path:
        config.available_features.add(feature)
        config.substitutions.append(("%" + tool, path))

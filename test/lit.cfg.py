# -*- Python -*-
# The lit configuration of the ternary regression tests: FileCheck tests of
# the tools under test/, and the GoogleTest unit tests under test/unittests/
# (which have their own config).

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "TERNARY"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ternary_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%ternary_src", config.ternary_src_root))
config.substitutions.append(("%ternary_obj", config.ternary_obj_root))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.ternary_tools_dir, config.llvm_tools_dir]
tools = ["ternary-opt", "ternary-run", "ternary-difftest"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

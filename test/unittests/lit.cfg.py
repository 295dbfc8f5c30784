# -*- Python -*-
# Runs every GoogleTest test of the unit-test binaries as one lit test.

import lit.formats

config.name = "TERNARY-Unit"
config.suffixes = []
config.test_source_root = config.unittests_dir
config.test_exec_root = config.unittests_dir
config.test_format = lit.formats.GoogleTest(".", "unittests")

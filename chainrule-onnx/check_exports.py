"""Runs ONNX's own checker (full_check: with strict shape inference) on the files OnnxExportTest exported.

    mvn -B -pl chainrule,chainrule-onnx verify -Dtest=OnnxExportTest -Dsurefire.failIfNoSpecifiedTests=false \
        -Donnx.export.dir=target/onnx-exports
    pip install onnx && python3 chainrule-onnx/check_exports.py chainrule-onnx/target/onnx-exports

Not part of the build (onnx.checker is Python-only); the tests run a Java structural check on every file instead.
"""
import glob
import os
import sys

import onnx

folder = sys.argv[1] if len(sys.argv) > 1 else "chainrule-onnx/target/onnx-exports"
files = sorted(glob.glob(os.path.join(folder, "*.onnx")))
if not files:
    sys.exit(f"no .onnx files in {folder}")
failed = 0
for f in files:
    model = onnx.load(f)
    try:
        onnx.checker.check_model(model, full_check=True)
        print(f"ok    {os.path.basename(f)}: {len(model.graph.node)} nodes, opset {model.opset_import[0].version}")
    except Exception as e:  # the checker raises several exception types
        failed += 1
        print(f"FAIL  {os.path.basename(f)}: {e}")
print(f"onnx {onnx.__version__}: {len(files) - failed} of {len(files)} files pass check_model(full_check=True)")
sys.exit(1 if failed else 0)

# Writes a tiny ONNX detector-shaped model that Sightline's engine cannot run (it uses Erf) but
# ONNX Runtime can: input images [1, 3, 8, 8], output [1, 6, 32] (a YOLOv8-style layout with
# 2 classes and 32 candidates). The browser test drops it to check the fallback to ONNX Runtime.
#   /usr/bin/python3 tests/browser/make_unsupported_model.py OUT.onnx
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

images = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 8, 8])
output = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 6, 32])
shape = numpy_helper.from_array(np.array([1, 6, 32], dtype=np.int64), name="shape")
graph = helper.make_graph(
    [helper.make_node("Erf", ["images"], ["erf"], name="erf_not_in_sightline"),
     helper.make_node("Reshape", ["erf", "shape"], ["output0"], name="reshape")],
    "unsupported_by_sightline", [images], [output], initializer=[shape])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 7
save(model, sys.argv[1])

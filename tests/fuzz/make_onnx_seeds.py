#!/usr/bin/python3
# Writes the hand-made ONNX seeds in tests/fuzz/corpus/onnx/: one tiny model per supported
# operator family (inputs of at most 4096 values, so the fuzz check also runs them). Needs
# Debian's python3-onnx: /usr/bin/python3 tests/fuzz/make_onnx_seeds.py
import os

import numpy as np
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "onnx")


def save(name, nodes, inputs, outputs, initializers=(), opset=13):
    graph = h.make_graph(nodes, name, inputs, outputs, list(initializers))
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", opset)], producer_name="seed")
    model.ir_version = 8
    with open(os.path.join(OUT, name + ".onnx"), "wb") as file:
        file.write(model.SerializeToString())


def floats(name, values):
    return nh.from_array(np.array(values, dtype=np.float32), name)


def int64s(name, values):
    return nh.from_array(np.array(values, dtype=np.int64), name)


def value(name, shape):
    return h.make_tensor_value_info(name, T.FLOAT, shape)


node = h.make_node
Y = [value("Y", None)]

save("add", [node("Add", ["X", "b"], ["Y"], name="add")], [value("X", [1, 2, 2, 2])], Y,
     [floats("b", [1.5])])
save("conv_sigmoid_mul",
     [node("Conv", ["X", "W", "B"], ["c"], name="conv", kernel_shape=[3, 3],
           pads=[1, 1, 1, 1], strides=[1, 1]),
      node("Sigmoid", ["c"], ["s"]), node("Mul", ["c", "s"], ["Y"])],
     [value("X", [1, 3, 6, 6])], Y,
     [floats("W", np.linspace(-1, 1, 4 * 3 * 9).reshape(4, 3, 3, 3)),
      floats("B", [0.1, -0.2, 0.3, 0])])
save("depthwise_stride2",
     [node("Conv", ["X", "W"], ["Y"], group=3, kernel_shape=[3, 3], pads=[1, 1, 1, 1],
           strides=[2, 2])],
     [value("X", [1, 3, 7, 5])], Y, [floats("W", np.linspace(-1, 1, 27).reshape(3, 1, 3, 3))])
save("fold_reshape_concat",
     [node("Reshape", ["b", "shape"], ["b4"]), node("Concat", ["X", "b4"], ["Y"], axis=1)],
     [value("X", [1, 2, 2, 2])], Y, [floats("b", np.arange(8)), int64s("shape", [1, -1, 2, 2])])
save("maxpool_resize",
     [node("MaxPool", ["X"], ["p"], kernel_shape=[5, 5], pads=[2, 2, 2, 2], strides=[1, 1]),
      node("Resize", ["p", "", "scales"], ["Y"], mode="nearest")],
     [value("X", [1, 2, 4, 4])], Y, [floats("scales", [1, 1, 2, 2])], opset=11)
save("slice_split_transpose",
     [node("Slice", ["X", "starts", "ends", "axes", "steps"], ["s"]),
      node("Split", ["s"], ["a", "b"], axis=1), node("Sub", ["a", "b"], ["d"]),
      node("Transpose", ["d"], ["Y"], perm=[0, 3, 2, 1])],
     [value("X", [1, 4, 6, 6])], Y,
     [int64s("starts", [0, 1]), int64s("ends", [6, 6]), int64s("axes", [2, 3]),
      int64s("steps", [2, 1])], opset=11)
save("softmax_div_dynamic",
     [node("Softmax", ["X"], ["s"], axis=-1), node("Div", ["s", "two"], ["Y"])],
     [value("X", ["n", 5])], Y, [floats("two", [2])])
save("quantized_conv",
     [node("DynamicQuantizeLinear", ["X"], ["q", "scale", "zero"]),
      node("ConvInteger", ["q", "W", "zero"], ["ci"], kernel_shape=[1, 1]),
      node("Cast", ["ci"], ["cf"], to=T.FLOAT), node("Mul", ["cf", "scale"], ["Y"])],
     [value("X", [1, 2, 3, 3])], Y,
     [nh.from_array(np.array([[[[3]], [[-4]]], [[[1]], [[2]]]], dtype=np.int8), "W")])
save("unsupported_op", [node("Erf", ["X"], ["Y"], name="erf")], [value("X", [2])], Y)

// Layout operators: Reshape, Transpose, Concat, Slice and Split. They work on any element type;
// Slice and Transpose become a strided copy, Concat and Split block copies.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>

#include "engine/kernels/fast/data_movement.h"
#include "engine/kernels/reference/reference_kernels.h"
#include "engine/ops/attributes.h"
#include "engine/ops/op_helpers.h"
#include "engine/ops/registry.h"
#include "engine/status_macros.h"

namespace sightline::engine {
namespace {

class ReshapeOperator final : public Operator {
 public:
  // `attribute_shape` is used by opset < 5, where the shape is an attribute, not an input.
  ReshapeOperator(bool allow_zero, std::optional<std::vector<int64_t>> attribute_shape)
      : allow_zero_(allow_zero), attribute_shape_(std::move(attribute_shape)) {}

  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    std::vector<int64_t> requested;
    if (attribute_shape_) {
      requested = *attribute_shape_;
    } else {
      SL_ASSIGN_OR_RETURN(requested, constant_int64_values(inputs[1], "shape input"));
    }
    const Shape& input = inputs[0].shape;
    SL_ASSIGN_OR_RETURN(const int64_t count, checked_element_count(input));

    Shape output(requested.size());
    int64_t inferred_axis = -1;
    int64_t known = 1;
    for (size_t i = 0; i < requested.size(); ++i) {
      int64_t extent = requested[i];
      if (extent == 0 && !allow_zero_) {
        // 0 copies the input's extent at the same position.
        if (i >= input.size()) {
          return make_error("shape entry " + std::to_string(i) + " is 0 but the input has only " +
                            std::to_string(input.size()) + " dimensions");
        }
        extent = input[i];
      }
      if (extent == -1) {
        if (inferred_axis >= 0)
          return make_error("shape " + shape_string(requested) + " has more than one -1");
        inferred_axis = static_cast<int64_t>(i);
        continue;
      }
      if (extent < 0) {
        return make_error("shape " + shape_string(requested) + " has negative entry " +
                          std::to_string(extent));
      }
      output[i] = extent;
      if (extent != 0 && known > kMaxTensorElements / extent) {
        return make_error("shape " + shape_string(requested) + " has more than 2^28 elements");
      }
      known *= extent;
    }
    if (inferred_axis >= 0) {
      if (known == 0 || count % known != 0) {
        return make_error("cannot reshape " + shape_string(input) + " (" + std::to_string(count) +
                          " elements) to " + shape_string(requested));
      }
      output[static_cast<size_t>(inferred_axis)] = count / known;
    } else if (known != count) {
      return make_error("cannot reshape " + shape_string(input) + " (" + std::to_string(count) +
                        " elements) to " + shape_string(output));
    }
    outputs[0] = {inputs[0].type, std::move(output)};
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    // A planned program gives the output the input's own buffer: nothing to copy.
    if (outputs[0]->raw() != inputs[0]->raw())
      copy_bytes(outputs[0]->raw(), inputs[0]->raw(), inputs[0]->byte_size());
    return Status::success();
  }

  bool output_is_input_view() const override { return true; }
  std::string kernel_name() const override { return "view"; }

 private:
  bool allow_zero_;
  std::optional<std::vector<int64_t>> attribute_shape_;
};

class TransposeOperator final : public Operator {
 public:
  explicit TransposeOperator(std::vector<int64_t> perm) : perm_(std::move(perm)) {}

  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    const Shape& input = inputs[0].shape;
    std::vector<int64_t> perm = perm_;
    if (perm.empty()) {
      for (size_t axis = input.size(); axis-- > 0;)
        perm.push_back(static_cast<int64_t>(axis));
    }
    if (perm.size() != input.size()) {
      return make_error("perm has " + std::to_string(perm.size()) + " entries for a rank-" +
                        std::to_string(input.size()) + " input");
    }
    std::vector<bool> used(input.size(), false);
    const std::vector<int64_t> strides = dense_strides(input);
    Shape output(input.size());
    copy_ = {};
    for (size_t i = 0; i < perm.size(); ++i) {
      const int64_t axis = perm[i];
      if (axis < 0 || axis >= static_cast<int64_t>(input.size()) || used[axis]) {
        return make_error("perm " + shape_string(perm) + " is not a permutation of 0.." +
                          std::to_string(input.size() - 1));
      }
      used[axis] = true;
      output[i] = input[axis];
      copy_.extents.push_back(input[axis]);
      copy_.input_strides.push_back(strides[axis]);
    }
    element_size_ = data_type_size(inputs[0].type);
    outputs[0] = {inputs[0].type, std::move(output)};
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    if (fast() && element_size_ == 4) {
      kernels::fast::strided_copy_f32(kernel_context(), copy_, inputs[0]->data<float>(),
                                      outputs[0]->data<float>());
      return Status::success();
    }
    kernels::strided_copy_reference(copy_, element_size_, inputs[0]->raw(), outputs[0]->raw());
    return Status::success();
  }

  std::string kernel_name() const override {
    return fast() && element_size_ == 4 ? "strided copy" : "reference";
  }

 private:
  std::vector<int64_t> perm_;
  kernels::StridedCopy copy_;
  size_t element_size_ = 0;
};

class ConcatOperator final : public Operator {
 public:
  explicit ConcatOperator(int64_t axis) : axis_(axis) {}

  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    const PlanInput& first = inputs[0];
    if (first.shape.empty()) return make_error("inputs are scalars; concat needs an axis");
    SL_ASSIGN_OR_RETURN(const int64_t axis, normalize_axis(axis_, first.shape.size(), "axis"));
    const size_t a = static_cast<size_t>(axis);
    const size_t element_size = data_type_size(first.type);

    Shape output = first.shape;
    output[a] = 0;
    block_bytes_.clear();
    for (size_t i = 0; i < inputs.size(); ++i) {
      const PlanInput& input = inputs[i];
      bool compatible =
          input.present && input.type == first.type && input.shape.size() == first.shape.size();
      for (size_t d = 0; compatible && d < first.shape.size(); ++d) {
        compatible = d == a || input.shape[d] == first.shape[d];
      }
      if (!compatible) {
        return make_error("input " + std::to_string(i) + " (" + data_type_name(input.type) + " " +
                          shape_string(input.shape) + ") does not match input 0 (" +
                          data_type_name(first.type) + " " + shape_string(first.shape) +
                          ") outside axis " + std::to_string(axis));
      }
      output[a] += input.shape[a];
      block_bytes_.push_back(product(input.shape, a, input.shape.size()) *
                             static_cast<int64_t>(element_size));
    }
    const Result<int64_t> count = checked_element_count(output);
    if (!count.ok()) return make_error("output: " + count.message());
    outer_ = product(first.shape, 0, a);
    outputs[0] = {first.type, std::move(output)};
    return Status::success();
  }

  // A planned program may have had producers write straight into their block of the output
  // (outer_ == 1); such blocks are already in place and are skipped.
  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    uint8_t* output = outputs[0]->raw();
    if (outer_ == 1) {
      int64_t offset = 0;
      for (size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i]->raw() != output + offset)
          copy_bytes(output + offset, inputs[i]->raw(), static_cast<size_t>(block_bytes_[i]));
        offset += block_bytes_[i];
      }
      return Status::success();
    }
    sources_.clear();
    for (const Tensor* input : inputs)
      sources_.push_back(input->raw());
    kernels::concat_reference(sources_, block_bytes_, outer_, output);
    return Status::success();
  }

  // Input `index` starts there when the output is the input blocks one after the other.
  int64_t input_offset_in_output(size_t index) const override {
    if (outer_ != 1 || index >= block_bytes_.size()) return -1;
    int64_t offset = 0;
    for (size_t i = 0; i < index; ++i)
      offset += block_bytes_[i];
    return offset;
  }
  std::string kernel_name() const override { return "block copy"; }

 private:
  int64_t axis_;
  std::vector<int64_t> block_bytes_;
  std::vector<const uint8_t*> sources_;
  int64_t outer_ = 0;
};

// Slice bounds are resolved per axis as the ONNX specification describes: negative starts and
// ends count from the end, then both are clamped to the axis (to [0, dim] for positive steps and
// [0, dim - 1] / [-1, dim - 1] for negative ones).
class SliceOperator final : public Operator {
 public:
  struct AttributeBounds {
    std::vector<int64_t> starts;
    std::vector<int64_t> ends;
    std::vector<int64_t> axes;
  };

  explicit SliceOperator(std::optional<AttributeBounds> attribute_bounds)
      : attribute_bounds_(std::move(attribute_bounds)) {}

  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    std::vector<int64_t> starts, ends, axes, steps;
    if (attribute_bounds_) {
      starts = attribute_bounds_->starts;
      ends = attribute_bounds_->ends;
      axes = attribute_bounds_->axes;
    } else {
      SL_ASSIGN_OR_RETURN(starts, constant_int64_values(inputs[1], "starts"));
      SL_ASSIGN_OR_RETURN(ends, constant_int64_values(inputs[2], "ends"));
      if (inputs.size() > 3 && inputs[3].present) {
        SL_ASSIGN_OR_RETURN(axes, constant_int64_values(inputs[3], "axes"));
      }
      if (inputs.size() > 4 && inputs[4].present) {
        SL_ASSIGN_OR_RETURN(steps, constant_int64_values(inputs[4], "steps"));
      }
    }
    const Shape& input = inputs[0].shape;
    if (axes.empty()) {
      for (size_t i = 0; i < starts.size(); ++i)
        axes.push_back(static_cast<int64_t>(i));
    }
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size()) {
      return make_error("starts, ends, axes and steps have different lengths (" +
                        std::to_string(starts.size()) + ", " + std::to_string(ends.size()) + ", " +
                        std::to_string(axes.size()) + ", " + std::to_string(steps.size()) + ")");
    }

    const std::vector<int64_t> strides = dense_strides(input);
    copy_.extents = input;
    copy_.input_strides = strides;
    copy_.input_offset = 0;
    axis_starts_.assign(input.size(), 0);
    axis_steps_.assign(input.size(), 1);
    std::vector<bool> seen(input.size(), false);
    for (size_t i = 0; i < starts.size(); ++i) {
      SL_ASSIGN_OR_RETURN(const int64_t axis, normalize_axis(axes[i], input.size(), "axis"));
      if (seen[axis]) return make_error("axis " + std::to_string(axes[i]) + " appears twice");
      seen[axis] = true;
      if (steps[i] == 0) return make_error("step 0 on axis " + std::to_string(axis));
      const int64_t dim = input[axis];
      const int64_t step = steps[i];
      int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
      int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
      if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
      } else {
        start = std::clamp<int64_t>(start, 0, dim - 1);
        end = std::clamp<int64_t>(end, -1, dim - 1);
      }
      // Written as 1 + (distance - 1) / |step| so a huge step cannot overflow.
      int64_t length = 0;
      if (step > 0 && end > start) length = 1 + (end - start - 1) / step;
      if (step < 0 && start > end) {
        length = step == INT64_MIN ? 1 : 1 + (start - end - 1) / -step;
      }
      copy_.extents[axis] = length;
      copy_.input_strides[axis] = length > 1 ? strides[axis] * step : strides[axis];
      if (length > 0) copy_.input_offset += start * strides[axis];
      axis_starts_[axis] = length > 0 ? start : 0;
      axis_steps_[axis] = step;
    }
    element_size_ = data_type_size(inputs[0].type);
    empty_ = product(copy_.extents, 0, copy_.extents.size()) == 0;
    outputs[0] = {inputs[0].type, copy_.extents};
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    if (empty_) return Status::success();
    if (fast() && element_size_ == 4) {
      kernels::fast::strided_copy_f32(kernel_context(), copy_, inputs[0]->data<float>(),
                                      outputs[0]->data<float>());
      return Status::success();
    }
    kernels::strided_copy_reference(copy_, element_size_, inputs[0]->raw(), outputs[0]->raw());
    return Status::success();
  }

  std::string kernel_name() const override {
    return fast() && element_size_ == 4 ? "strided copy" : "reference";
  }

  const kernels::StridedCopy* strided_copy() const override {
    return fast() && element_size_ == 4 && !empty_ ? &copy_ : nullptr;
  }

  // Output element i read input[start + i * step] per axis; the input being producer's output,
  // that element is the producer's input at producer.offset + sum (start + i * step) * stride.
  void read_through(const kernels::StridedCopy& producer) override {
    int64_t offset = producer.input_offset;
    for (size_t axis = 0; axis < copy_.extents.size(); ++axis) {
      offset += axis_starts_[axis] * producer.input_strides[axis];
      copy_.input_strides[axis] = axis_steps_[axis] * producer.input_strides[axis];
    }
    copy_.input_offset = offset;
  }

 private:
  std::optional<AttributeBounds> attribute_bounds_;
  kernels::StridedCopy copy_;
  // Per input axis, the first index read and the step (0 and 1 on axes not sliced).
  std::vector<int64_t> axis_starts_;
  std::vector<int64_t> axis_steps_;
  size_t element_size_ = 0;
  bool empty_ = false;
};

class SplitOperator final : public Operator {
 public:
  // `sizes` from the opset < 13 attribute; `num_outputs` from the opset 18 attribute (0: unset).
  SplitOperator(int64_t axis, std::vector<int64_t> sizes, int64_t num_outputs)
      : axis_(axis), attribute_sizes_(std::move(sizes)), num_outputs_(num_outputs) {}

  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    const Shape& input = inputs[0].shape;
    if (input.empty()) return make_error("input is a scalar; split needs an axis");
    SL_ASSIGN_OR_RETURN(const int64_t axis, normalize_axis(axis_, input.size(), "axis"));
    const size_t a = static_cast<size_t>(axis);
    const int64_t dim = input[a];
    const int64_t count = static_cast<int64_t>(outputs.size());

    std::vector<int64_t> sizes = attribute_sizes_;
    if (inputs.size() > 1 && inputs[1].present) {
      SL_ASSIGN_OR_RETURN(sizes, constant_int64_values(inputs[1], "split input"));
    }
    if (sizes.empty()) {
      // Equal parts; with num_outputs (opset 18) the last part may be smaller.
      const int64_t part = num_outputs_ > 0 ? (dim + count - 1) / count : dim / count;
      if (num_outputs_ == 0 && dim % count != 0) {
        return make_error("axis " + std::to_string(axis) + " of length " + std::to_string(dim) +
                          " does not split evenly into " + std::to_string(count) + " outputs");
      }
      for (int64_t i = 0, left = dim; i < count; ++i, left -= part) {
        sizes.push_back(std::max<int64_t>(0, std::min(part, left)));
      }
    }
    if (static_cast<int64_t>(sizes.size()) != count) {
      return make_error(std::to_string(sizes.size()) + " split sizes for " + std::to_string(count) +
                        " outputs");
    }
    int64_t total = 0;
    for (int64_t size : sizes) {
      if (size < 0 || size > dim)
        return make_error("split size " + std::to_string(size) + " is outside [0, " +
                          std::to_string(dim) + "]");
      total += size;
    }
    if (total != dim) {
      return make_error("split sizes " + shape_string(sizes) + " add up to " +
                        std::to_string(total) + ", not the axis length " + std::to_string(dim));
    }

    const int64_t element_size = static_cast<int64_t>(data_type_size(inputs[0].type));
    const int64_t inner = product(input, a + 1, input.size());
    outer_ = product(input, 0, a);
    block_bytes_.clear();
    for (size_t i = 0; i < sizes.size(); ++i) {
      Shape shape = input;
      shape[a] = sizes[i];
      block_bytes_.push_back(sizes[i] * inner * element_size);
      outputs[i] = {inputs[0].type, std::move(shape)};
    }
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    std::vector<uint8_t*> targets;
    for (Tensor* output : outputs)
      targets.push_back(output->raw());
    kernels::split_reference(inputs[0]->raw(), outer_, block_bytes_, targets);
    return Status::success();
  }

 private:
  int64_t axis_;
  std::vector<int64_t> attribute_sizes_;
  int64_t num_outputs_;
  std::vector<int64_t> block_bytes_;
  int64_t outer_ = 0;
};

}  // namespace

Result<std::unique_ptr<Operator>> create_reshape(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_output_count(node, 1, 1));
  const Attributes attributes(node);
  if (opset < 5) {
    SL_RETURN_IF_ERROR(check_input_count(node, 1, 1));
    SL_RETURN_IF_ERROR(attributes.allow_only({"shape"}));
    SL_ASSIGN_OR_RETURN(std::vector<int64_t> shape, attributes.get_ints("shape"));
    return std::unique_ptr<Operator>(new ReshapeOperator(false, std::move(shape)));
  }
  SL_RETURN_IF_ERROR(check_input_count(node, 2, 2));
  SL_RETURN_IF_ERROR(attributes.allow_only({"allowzero"}));
  SL_ASSIGN_OR_RETURN(const int64_t allow_zero, attributes.get_int("allowzero", 0));
  return std::unique_ptr<Operator>(new ReshapeOperator(allow_zero != 0, std::nullopt));
}

Result<std::unique_ptr<Operator>> create_transpose(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_input_count(node, 1, 1));
  SL_RETURN_IF_ERROR(check_output_count(node, 1, 1));
  const Attributes attributes(node);
  SL_RETURN_IF_ERROR(attributes.allow_only({"perm"}));
  SL_ASSIGN_OR_RETURN(std::vector<int64_t> perm, attributes.get_ints("perm"));
  return std::unique_ptr<Operator>(new TransposeOperator(std::move(perm)));
}

Result<std::unique_ptr<Operator>> create_concat(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_input_count(node, 1, SIZE_MAX));
  SL_RETURN_IF_ERROR(check_output_count(node, 1, 1));
  const Attributes attributes(node);
  SL_RETURN_IF_ERROR(attributes.allow_only({"axis"}));
  if (!attributes.has("axis")) return make_error("attribute 'axis' is missing");
  SL_ASSIGN_OR_RETURN(const int64_t axis, attributes.get_int("axis", 0));
  return std::unique_ptr<Operator>(new ConcatOperator(axis));
}

Result<std::unique_ptr<Operator>> create_slice(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_output_count(node, 1, 1));
  const Attributes attributes(node);
  if (opset < 10) {
    SL_RETURN_IF_ERROR(check_input_count(node, 1, 1));
    SL_RETURN_IF_ERROR(attributes.allow_only({"starts", "ends", "axes"}));
    SliceOperator::AttributeBounds bounds;
    SL_ASSIGN_OR_RETURN(bounds.starts, attributes.get_ints("starts"));
    SL_ASSIGN_OR_RETURN(bounds.ends, attributes.get_ints("ends"));
    SL_ASSIGN_OR_RETURN(bounds.axes, attributes.get_ints("axes"));
    return std::unique_ptr<Operator>(new SliceOperator(std::move(bounds)));
  }
  SL_RETURN_IF_ERROR(check_input_count(node, 3, 5));
  SL_RETURN_IF_ERROR(attributes.allow_only({}));
  return std::unique_ptr<Operator>(new SliceOperator(std::nullopt));
}

Result<std::unique_ptr<Operator>> create_split(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_output_count(node, 1, SIZE_MAX));
  const Attributes attributes(node);
  SL_RETURN_IF_ERROR(attributes.allow_only({"axis", "split", "num_outputs"}));
  SL_ASSIGN_OR_RETURN(const int64_t axis, attributes.get_int("axis", 0));
  SL_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, attributes.get_ints("split"));
  SL_ASSIGN_OR_RETURN(const int64_t num_outputs, attributes.get_int("num_outputs", 0));
  if (opset >= 13 && !sizes.empty()) {
    return make_error("attribute 'split' is not part of opset " + std::to_string(opset));
  }
  if (num_outputs < 0 ||
      (num_outputs > 0 && static_cast<size_t>(num_outputs) != node.outputs.size())) {
    return make_error("num_outputs " + std::to_string(num_outputs) + " does not match the " +
                      std::to_string(node.outputs.size()) + " outputs of the node");
  }
  SL_RETURN_IF_ERROR(check_input_count(node, 1, opset >= 13 ? 2 : 1));
  return std::unique_ptr<Operator>(new SplitOperator(axis, std::move(sizes), num_outputs));
}

}  // namespace sightline::engine

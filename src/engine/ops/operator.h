// Operator: one ONNX node's behaviour, split into three moments.
//
//   create  (registry.h) reads and validates the node's attributes and input count; a failure
//           here makes the node "unsupported" and is what inspect_model reports.
//   plan    checks input types and shapes for the concrete input shape, fixes every parameter the
//           kernel needs and reports each output's type and shape.
//   run     hands tensors to a kernel. No validation happens here: plan already did it.
//
// Kernels (kernels/) only compute; operators own all the ONNX semantics.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/kernels/fast/kernel_context.h"
#include "engine/kernels/kernel_params.h"
#include "engine/tensor.h"

namespace sightline::engine {

// What planning knows about one input of a node.
struct PlanInput {
  bool present = false;  // false for an omitted optional input ("" in the node)
  DataType type = DataType::kUndefined;
  Shape shape;
  const Tensor* constant = nullptr;  // the value, when it is known before running
};

struct ValueType {
  DataType type = DataType::kUndefined;
  Shape shape;
};

// How a program runs its operators, fixed when the model is loaded. Without `fast` every
// operator calls its scalar reference kernel on the calling thread (the oracle for tests).
struct ExecutionContext {
  bool fast = false;
  kernels::fast::KernelContext kernels;
};

class Operator {
 public:
  virtual ~Operator() = default;

  // Set by the program before planning; the context outlives the operator.
  void set_execution(const ExecutionContext* execution) { execution_ = execution; }

  // `outputs` arrives sized to the node's output count.
  virtual Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) = 0;

  // Absent optional inputs are null. Outputs arrive allocated with the planned type and shape.
  virtual Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) = 0;

  // After plan: asks the operator to apply `activation` to its single output itself. True when
  // it will (the program then drops the activation's nodes); only fast kernels accept.
  virtual bool fuse_activation(kernels::fast::Activation activation) { return false; }

  // After plan: true when output 0 holds exactly input 0's bytes (Reshape), so the program can
  // let both share one buffer; run() then sees the same memory and copies nothing.
  virtual bool output_is_input_view() const { return false; }

  // After plan: the byte offset inside output 0 where input `index` may live, so its producer
  // writes there directly and run() finds it in place (Concat); -1 when it may not.
  virtual int64_t input_offset_in_output(size_t index) const { return -1; }

  // After plan: the strided copy that run() performs from input 0 to output 0 with the fast
  // kernels (Slice), or null.
  virtual const kernels::StridedCopy* strided_copy() const { return nullptr; }

  // After plan, on an operator whose strided_copy() is not null: makes run() read input 0 through
  // `producer` (a strided copy of the same rank whose output is this input), that is from the
  // producer's own input, which the program then passes instead.
  virtual void read_through(const kernels::StridedCopy& producer) {}

  // After plan: grows the calling thread's kernel scratch to what run() will need, so runs
  // allocate nothing. The program calls it on every thread of its pool.
  virtual void reserve_scratch() const {}

  // After plan: floating-point operations of one run (a multiply-add counts 2), for profiles.
  virtual int64_t flops() const { return 0; }

  // After plan: which kernel runs, for profiles ("reference" unless an operator says more).
  virtual std::string kernel_name() const { return "reference"; }

 protected:
  bool fast() const { return execution_ != nullptr && execution_->fast; }
  const kernels::fast::KernelContext& kernel_context() const { return execution_->kernels; }

 private:
  const ExecutionContext* execution_ = nullptr;
};

}  // namespace sightline::engine

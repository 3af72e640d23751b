// IR emission for the fused kernel: the driver. The passes are in the other files of
// codegen/src (codegen/README.md); an algorithm's emitter (algorithms.cpp) fills in the loop.
//
// The kernel is one function that runs the whole loop:
//   setup (the algorithm's)
//   repeat: one iteration (the algorithm's; pgd: g = grad f(x), then x = prox(x - step*g) and
//           s = |dx|^2 in one fused pass), certificate = sqrt(s) / step
//           stop on tolerance, divergence or budget; report progress
// The code is written in explicit vectors of kKernelLanes elements over data padded to whole
// vectors (kernel_spec.h): no remainder loops, aligned loads, and no loop vectorizer to run,
// which keeps both the machine code and the compile time small.
#include "emit_kernel.h"

#include "emitter.h"

namespace proxjit::codegen {

KernelEmitter::KernelEmitter(llvm::LLVMContext& context, llvm::Module& module,
                             const KernelSpec& spec, const CodegenOptions& options)
    : context_(context), module_(module), spec_(spec), options_(options), b_(context) {
  scalar_ = spec.scalar == ScalarType::f64 ? Type::getDoubleTy(context) : Type::getFloatTy(context);
  vector_ = llvm::FixedVectorType::get(scalar_, kLanes);
  i64_ = Type::getInt64Ty(context);
  f64_ = Type::getDoubleTy(context);
  ptr_ = llvm::PointerType::get(context, 0);
  alignment_ = llvm::Align(kLanes * scalar_->getPrimitiveSizeInBits() / 8);
  // Sums may be reassociated and multiply-adds fused; NaN and infinity stay meaningful
  // (no nnan/ninf): they are how divergence and indicator values show up.
  llvm::FastMathFlags flags;
  flags.setAllowReassoc();
  flags.setAllowContract();
  flags.setNoSignedZeros();
  b_.setFastMathFlags(flags);
}

Function* KernelEmitter::emit(const std::string& symbol) {
  Function* body = emit_body(symbol + ".loop");
  return emit_entry(symbol, body);
}

// The loop itself, with every array as a noalias argument.
// Arguments: A, b, x, grad, y, x_previous, rows, cols, prox params..., step (scalar type),
// step (double), tolerance, max_iterations, progress, progress context, report_every, args,
// offsets, indices, weights, scratch_in, scratch_out, margins, penalized, curvature,
// prox_call, prox_context, loss params...
Function* KernelEmitter::emit_body(const std::string& name) {
  std::vector<Type*> types = {ptr_, ptr_, ptr_, ptr_, ptr_, ptr_, i64_, i64_};
  const int parameter_count = spec_.prox_parameter_count;
  for (int p = 0; p < parameter_count; ++p)
    types.push_back(scalar_);
  types.insert(types.end(), {scalar_, f64_, f64_, i64_, ptr_, ptr_, i64_, ptr_});
  const unsigned first_extra = static_cast<unsigned>(types.size());
  types.insert(types.end(), {ptr_, ptr_, ptr_, ptr_, ptr_, ptr_, i64_, scalar_, ptr_, ptr_});
  for (int p = 0; p < spec_.loss_parameter_count; ++p)
    types.push_back(scalar_);
  auto* type = llvm::FunctionType::get(b_.getVoidTy(), types, false);
  Function* f = Function::Create(type, Function::InternalLinkage, name, module_);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  if (options_.prefer_vector_width > 0) {
    // x86 tuning may split 512-bit vectors into halves unless the function asks for them.
    const std::string width = std::to_string(options_.prefer_vector_width);
    f->addFnAttr("prefer-vector-width", width);
    f->addFnAttr("min-legal-vector-width", width);
  }
  // Every buffer is distinct (the prox call sees only the scratch buffers it is given).
  std::vector<unsigned> buffers = {0, 1, 2, 3, 4, 5};
  for (unsigned a = first_extra; a < first_extra + 6; ++a)
    buffers.push_back(a);
  for (unsigned a : buffers) {
    f->addParamAttr(a, llvm::Attribute::NoAlias);
  }
  f->addParamAttr(0, llvm::Attribute::ReadOnly);
  f->addParamAttr(1, llvm::Attribute::ReadOnly);
  f->addParamAttr(first_extra - 1, llvm::Attribute::NoAlias);

  auto arg = f->arg_begin();
  A_ = arg++;
  b_vector_ = arg++;
  x_ = arg++;
  grad_ = arg++;
  y_ = arg++;
  x_previous_ = arg++;
  const bool fista = spec_.algorithm == Algorithm::fista;
  rows_ = arg++;
  cols_ = arg++;
  std::vector<Value*> scalar_params;
  for (int p = 0; p < parameter_count; ++p)
    scalar_params.push_back(arg++);
  step_scalar_ = arg++;
  Value* step_double = arg++;
  Value* tolerance = arg++;
  Value* max_iterations = arg++;
  Value* progress = arg++;
  Value* progress_context = arg++;
  Value* report_every = arg++;
  Value* out = arg++;
  offsets_ = arg++;
  indices_ = arg++;
  weights_ = arg++;
  scratch_in_ = arg++;
  scratch_out_ = arg++;
  margins_ = arg++;
  penalized_ = arg++;
  curvature_ = arg++;
  prox_call_ = arg++;
  prox_context_ = arg++;
  for (int p = 0; p < spec_.loss_parameter_count; ++p)
    loss_scalar_params_.push_back(arg++);
  // The roles of the work buffer's vectors of the unknowns (WorkLayout): each pass reads its own.
  Value* const work_vectors[WorkLayout::kUnknownVectors] = {grad_, y_, x_previous_, scratch_in_,
                                                            scratch_out_};
  const auto in_work = [&](WorkSlot slot) { return work_vectors[slot.unknowns]; };
  fista_point_ = in_work(WorkLayout::fista_point);
  fista_previous_ = in_work(WorkLayout::fista_previous);
  trial_gradient_ = in_work(WorkLayout::trial_gradient);
  trial_point_ = in_work(WorkLayout::trial_point);
  lipschitz_ = in_work(WorkLayout::lipschitz);
  newton_curvature_ = in_work(WorkLayout::newton_curvature);
  newton_point_ = in_work(WorkLayout::newton_point);
  mean_gradient_ = in_work(WorkLayout::mean_gradient);
  direction_ = in_work(WorkLayout::direction);
  group_step_ = in_work(WorkLayout::group_step);
  batch_gradient_ = in_work(WorkLayout::batch_gradient);
  sgd_iterate_ = in_work(WorkLayout::sgd_iterate);
  prox_input_ = in_work(WorkLayout::prox_input);
  prox_output_ = in_work(WorkLayout::prox_output);
  point_ = fista ? fista_point_ : x_;

  BasicBlock* entry = BasicBlock::Create(context_, "entry", f);
  BasicBlock* header = BasicBlock::Create(context_, "iter.header", f);
  BasicBlock* iteration = BasicBlock::Create(context_, "iter.body", f);
  BasicBlock* check = BasicBlock::Create(context_, "iter.check", f);
  BasicBlock* report_check = BasicBlock::Create(context_, "iter.report_check", f);
  BasicBlock* report = BasicBlock::Create(context_, "iter.report", f);
  BasicBlock* next = BasicBlock::Create(context_, "iter.next", f);
  BasicBlock* done = BasicBlock::Create(context_, "done", f);
  b_.SetInsertPoint(entry);
  chunks_ =
      b_.CreateUDiv(b_.CreateAdd(cols_, b_.getInt64(kLanes - 1)), b_.getInt64(kLanes), "chunks");
  stride_ = lanes_times(chunks_);
  step_ = splat(step_scalar_);
  scalar_params_ = scalar_params;
  for (Value* p : scalar_params)
    params_.push_back(splat(p));
  for (Value* p : loss_scalar_params_)
    loss_params_.push_back(splat(p));
  sample_chunks_ = b_.CreateUDiv(b_.CreateAdd(rows_, b_.getInt64(kLanes - 1)), b_.getInt64(kLanes),
                                 "sample_chunks");
  const AlgorithmEmitter& algorithm = algorithm_for(spec_);
  if (algorithm.setup) (this->*algorithm.setup)(out, step_double);
  const std::vector<CarriedValue> declared =
      algorithm.state ? (this->*algorithm.state)() : std::vector<CarriedValue>{};
  BasicBlock* preheader = b_.GetInsertBlock();
  b_.CreateBr(header);

  b_.SetInsertPoint(header);
  PHINode* k = b_.CreatePHI(i64_, 2, "k");
  // The algorithm's loop-carried values; their phis go before the driver's or after them, the
  // order the IR has always had.
  std::vector<PHINode*> state;
  const auto declare_state = [&] {
    for (const CarriedValue& value : declared) {
      PHINode* phi = b_.CreatePHI(value.type, 2, value.name);
      phi->addIncoming(value.initial, preheader);
      state.push_back(phi);
    }
  };
  if (algorithm.state_first) declare_state();
  PHINode* first_certificate = b_.CreatePHI(f64_, 2, "first_certificate");
  PHINode* last_certificate = b_.CreatePHI(f64_, 2, "last_certificate");
  // Iterations left until the next progress report (a countdown: no division per iteration).
  PHINode* until_report = b_.CreatePHI(i64_, 2, "until_report");
  until_report->addIncoming(report_every, preheader);
  k->addIncoming(b_.getInt64(0), preheader);
  first_certificate->addIncoming(llvm::ConstantFP::get(f64_, -1.0), preheader);
  last_certificate->addIncoming(llvm::ConstantFP::get(f64_, 0.0), preheader);
  // FISTA's momentum sequence t_k (t_0 = 1). Every kernel carries it, as it always has (the IR
  // stays the same); LLVM drops it where it is unused.
  PHINode* momentum = b_.CreatePHI(f64_, 2, "t");
  momentum->addIncoming(llvm::ConstantFP::get(f64_, 1.0), preheader);
  if (!algorithm.state_first) declare_state();
  b_.CreateCondBr(b_.CreateICmpSLT(k, max_iterations), iteration, done);

  b_.SetInsertPoint(iteration);
  const Iteration result = (this->*algorithm.iterate)(
      LoopState{std::vector<Value*>(state.begin(), state.end()), momentum, step_double});
  Value* squared_change = result.squared_change;
  Value* next_momentum = result.next_momentum ? result.next_momentum : momentum;
  Value* certificate_divisor =
      result.certificate_divisor ? result.certificate_divisor : step_double;
  if (scalar_ != f64_) squared_change = b_.CreateFPExt(squared_change, f64_);
  // The norm of the gradient mapping: |dx| / step, or for coordinate descent sum (L_j dx_j)^2
  // already scaled coordinate by coordinate (its divisor is 1).
  Value* certificate = b_.CreateFDiv(b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, squared_change),
                                     certificate_divisor, "certificate");
  Value* k_next = b_.CreateAdd(k, b_.getInt64(1), "k.next", true, true);
  Value* first =
      b_.CreateSelect(b_.CreateFCmpOLT(first_certificate, llvm::ConstantFP::get(f64_, 0.0)),
                      certificate, first_certificate);
  // Diverged: not finite (NaN fails `<`), or grown far past the first certificate.
  Value* finite = b_.CreateFCmpOLT(certificate, llvm::ConstantFP::getInfinity(f64_), "finite");
  Value* exploded = b_.CreateFCmpOGT(
      certificate, b_.CreateFMul(first, llvm::ConstantFP::get(f64_, kDivergenceGrowth)));
  BasicBlock* iteration_end = b_.GetInsertBlock();
  b_.CreateCondBr(b_.CreateOr(b_.CreateNot(finite), exploded), done, check);

  b_.SetInsertPoint(check);
  // Tolerance 0 runs the whole budget (a fixed point is then not an early exit either).
  Value* converged = b_.CreateAnd(b_.CreateFCmpOLE(certificate, tolerance),
                                  b_.CreateFCmpOGT(tolerance, llvm::ConstantFP::get(f64_, 0.0)));
  b_.CreateCondBr(converged, done, report_check);

  // Progress: when the countdown reaches zero (it never does when report_every is 0).
  b_.SetInsertPoint(report_check);
  Value* countdown = b_.CreateSub(until_report, b_.getInt64(1));
  b_.CreateCondBr(b_.CreateICmpEQ(countdown, b_.getInt64(0)), report, next);
  b_.SetInsertPoint(report);
  auto* progress_type = llvm::FunctionType::get(i64_, {ptr_, i64_, f64_, ptr_}, false);
  Value* verdict = b_.CreateCall(progress_type, progress,
                                 {progress_context, k_next, certificate, x_}, "verdict");
  b_.CreateCondBr(b_.CreateICmpNE(verdict, b_.getInt64(0)), done, next);

  b_.SetInsertPoint(next);
  PHINode* reset = b_.CreatePHI(i64_, 2, "until_report.next");
  reset->addIncoming(countdown, report_check);
  reset->addIncoming(report_every, report);
  b_.CreateBr(header);
  k->addIncoming(k_next, next);
  first_certificate->addIncoming(first, next);
  last_certificate->addIncoming(certificate, next);
  until_report->addIncoming(reset, next);
  momentum->addIncoming(next_momentum, next);
  for (std::size_t v = 0; v < state.size(); ++v)
    state[v]->addIncoming(result.next_state[v], next);

  b_.SetInsertPoint(done);
  PHINode* status = b_.CreatePHI(i64_, 4, "status");
  status->addIncoming(b_.getInt64(static_cast<int64_t>(SolveStatus::max_iterations)), header);
  status->addIncoming(b_.getInt64(static_cast<int64_t>(SolveStatus::diverged)), iteration_end);
  status->addIncoming(b_.getInt64(static_cast<int64_t>(SolveStatus::converged)), check);
  status->addIncoming(verdict, report);
  PHINode* iterations = b_.CreatePHI(i64_, 4, "iterations");
  iterations->addIncoming(k, header);
  iterations->addIncoming(k_next, iteration_end);
  iterations->addIncoming(k_next, check);
  iterations->addIncoming(k_next, report);
  PHINode* final_certificate = b_.CreatePHI(f64_, 4, "final_certificate");
  final_certificate->addIncoming(last_certificate, header);
  final_certificate->addIncoming(certificate, iteration_end);
  final_certificate->addIncoming(certificate, check);
  final_certificate->addIncoming(certificate, report);
  b_.CreateStore(iterations, field(out, KernelArgField::iterations));
  b_.CreateStore(final_certificate, field(out, KernelArgField::certificate));
  b_.CreateStore(status, field(out, KernelArgField::status));
  b_.CreateRetVoid();
  return f;
}

Value* KernelEmitter::field(Value* args, KernelArgField index) {
  return b_.CreateConstInBoundsGEP1_64(i64_, args, static_cast<unsigned>(index));
}

// Slot `to` of the work buffer from a pointer to slot `from` (WorkLayout), the two apart in
// one kind of vector only.
Value* KernelEmitter::work_slot(Value* from, WorkSlot from_slot, WorkSlot to_slot) {
  const std::int64_t unknowns = to_slot.unknowns - from_slot.unknowns;
  const std::int64_t samples = to_slot.samples - from_slot.samples;
  if (unknowns == 0 && samples == 0) return from;
  Value* chunks = unknowns != 0 ? chunks_ : sample_chunks_;
  const std::int64_t count = unknowns != 0 ? unknowns : samples;
  return address(from, lanes_times(count == 1 ? chunks : b_.CreateMul(chunks, b_.getInt64(count))));
}

// `void symbol(KernelArgs*)`: unpacks the arguments and calls the loop.
Function* KernelEmitter::emit_entry(const std::string& symbol, Function* body) {
  auto* type = llvm::FunctionType::get(b_.getVoidTy(), {ptr_}, false);
  Function* f = Function::Create(type, Function::ExternalLinkage, symbol, module_);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  Value* args = f->getArg(0);
  b_.SetInsertPoint(BasicBlock::Create(context_, "entry", f));
  Value* params = b_.CreateLoad(ptr_, field(args, KernelArgField::params), "params");
  Value* step = b_.CreateLoad(f64_, field(args, KernelArgField::step), "step");
  std::vector<Value*> call_args = {
      b_.CreateLoad(ptr_, field(args, KernelArgField::A), "A"),
      b_.CreateLoad(ptr_, field(args, KernelArgField::b), "b"),
      b_.CreateLoad(ptr_, field(args, KernelArgField::x), "x"),
  };
  // Work (WorkLayout): five padded vectors of the unknowns, then the vectors of the samples
  // from the margins on. Plain GEPs: the ones an algorithm does not use are never touched.
  Value* work = b_.CreateLoad(ptr_, field(args, KernelArgField::work), "work");
  Value* cols = b_.CreateLoad(i64_, field(args, KernelArgField::cols), "cols");
  Value* padded =
      b_.CreateMul(b_.CreateUDiv(b_.CreateAdd(cols, b_.getInt64(kLanes - 1)), b_.getInt64(kLanes)),
                   b_.getInt64(kLanes));
  Value* rows = b_.CreateLoad(i64_, field(args, KernelArgField::rows), "rows");
  const auto work_vector = [&](int index, const char* name) {
    return b_.CreateGEP(scalar_, work, b_.CreateMul(padded, b_.getInt64(index)), name);
  };
  // The body's buffer arguments: the storage of WorkLayout's vectors 0 to 4 and the margins.
  static_assert(WorkLayout::gradient.unknowns == 0 && WorkLayout::kUnknownVectors == 5);
  call_args.push_back(work);
  call_args.push_back(work_vector(1, "y"));
  call_args.push_back(work_vector(2, "x_old"));
  call_args.push_back(rows);
  call_args.push_back(cols);
  for (int p = 0; p < spec_.prox_parameter_count; ++p) {
    Value* value = b_.CreateLoad(f64_, b_.CreateConstInBoundsGEP1_64(f64_, params, p));
    call_args.push_back(scalar_ == f64_ ? value : b_.CreateFPTrunc(value, scalar_));
  }
  call_args.push_back(scalar_ == f64_ ? step : b_.CreateFPTrunc(step, scalar_));
  call_args.push_back(step);
  call_args.push_back(b_.CreateLoad(f64_, field(args, KernelArgField::tolerance), "tolerance"));
  call_args.push_back(
      b_.CreateLoad(i64_, field(args, KernelArgField::max_iterations), "max_iterations"));
  call_args.push_back(b_.CreateLoad(ptr_, field(args, KernelArgField::progress), "progress"));
  call_args.push_back(
      b_.CreateLoad(ptr_, field(args, KernelArgField::progress_context), "context"));
  call_args.push_back(
      b_.CreateLoad(i64_, field(args, KernelArgField::report_every), "report_every"));
  call_args.push_back(args);
  call_args.push_back(b_.CreateLoad(ptr_, field(args, KernelArgField::offsets), "offsets"));
  call_args.push_back(b_.CreateLoad(ptr_, field(args, KernelArgField::indices), "indices"));
  call_args.push_back(b_.CreateLoad(ptr_, field(args, KernelArgField::weights), "weights"));
  call_args.push_back(work_vector(3, "scratch_in"));
  call_args.push_back(work_vector(4, "scratch_out"));
  call_args.push_back(work_vector(WorkLayout::margins.unknowns, "margins"));
  call_args.push_back(b_.CreateLoad(i64_, field(args, KernelArgField::penalized), "penalized"));
  Value* curvature = b_.CreateLoad(f64_, field(args, KernelArgField::curvature), "curvature");
  call_args.push_back(scalar_ == f64_ ? curvature : b_.CreateFPTrunc(curvature, scalar_));
  call_args.push_back(b_.CreateLoad(ptr_, field(args, KernelArgField::prox_call), "prox_call"));
  call_args.push_back(
      b_.CreateLoad(ptr_, field(args, KernelArgField::prox_context), "prox_context"));
  Value* loss_params = b_.CreateLoad(ptr_, field(args, KernelArgField::loss_params), "loss_params");
  for (int p = 0; p < spec_.loss_parameter_count; ++p) {
    Value* value = b_.CreateLoad(f64_, b_.CreateConstInBoundsGEP1_64(f64_, loss_params, p));
    call_args.push_back(scalar_ == f64_ ? value : b_.CreateFPTrunc(value, scalar_));
  }
  b_.CreateCall(body, call_args);
  b_.CreateRetVoid();
  return f;
}

std::unique_ptr<llvm::Module> emit_kernel(llvm::LLVMContext& context, const KernelSpec& spec,
                                          const CodegenOptions& options,
                                          const std::string& symbol) {
  auto module = std::make_unique<llvm::Module>(symbol, context);
  KernelEmitter(context, *module, spec, options).emit(symbol);
  return module;
}

}  // namespace proxjit::codegen

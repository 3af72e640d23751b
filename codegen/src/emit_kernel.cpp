// IR emission for the fused proximal-gradient kernel.
//
// The kernel is one function that runs the whole loop:
//   repeat: g = grad f(x)                        (matvec emitted for the layout, register-blocked)
//           x, s = prox(x - step*g), |dx|^2       (one fused pass: step, prox, certificate sum)
//           stop on tolerance, divergence or budget
// Scalar code is emitted with noalias pointers and reassociation allowed on sums; LLVM's loop
// vectorizer turns the inner loops into AVX2/AVX-512 code for the host.
#include "emit_kernel.h"

#include <cstdlib>
#include <functional>
#include <limits>
#include <vector>

#include "proxjit/runtime/reference_solver.h"
#include "proxjit/runtime/status.h"

namespace proxjit::codegen {
namespace {

using llvm::BasicBlock;
using llvm::Function;
using llvm::Intrinsic::ID;
using llvm::PHINode;
using llvm::Type;
using llvm::Value;

// KernelArgs fields, each 8 bytes, in declaration order (see kernel_spec.h).
enum ArgField : unsigned {
  kFieldA,
  kFieldB,
  kFieldX,
  kFieldWork,
  kFieldRows,
  kFieldCols,
  kFieldParams,
  kFieldStep,
  kFieldTolerance,
  kFieldMaxIterations,
  kFieldIterations,
  kFieldCertificate,
  kFieldStatus,
};

// Columns (quadratic) or rows (least squares) folded into one pass over the gradient: each
// pass loads and stores g once for this many rows of A, so the matvec is bound by A's loads.
static const int kMatvecBlock = std::getenv("PJX_BLOCK") ? std::atoi(std::getenv("PJX_BLOCK")) : 4;

class KernelEmitter {
 public:
  KernelEmitter(llvm::LLVMContext& context, llvm::Module& module, const KernelSpec& spec,
                const CodegenOptions& options)
      : context_(context), module_(module), spec_(spec), options_(options), b_(context) {
    scalar_ = spec.scalar == ScalarType::f64 ? Type::getDoubleTy(context)
                                             : Type::getFloatTy(context);
    i64_ = Type::getInt64Ty(context);
    f64_ = Type::getDoubleTy(context);
    ptr_ = llvm::PointerType::get(context, 0);
    // Sums may be reassociated (vectorized) and multiply-adds fused; NaN and infinity stay
    // meaningful (no nnan/ninf): they are how divergence and indicator values show up.
    llvm::FastMathFlags flags;
    flags.setAllowReassoc();
    flags.setAllowContract();
    flags.setNoSignedZeros();
    b_.setFastMathFlags(flags);
  }

  Function* emit(const std::string& symbol) {
    Function* body = emit_body(symbol + ".loop");
    return emit_entry(symbol, body);
  }

 private:
  using LoopBody = std::function<std::vector<Value*>(Value* index, std::vector<Value*> carried)>;

  // for (i = begin; i < end; ++i) with loop-carried values; returns their final values and
  // leaves the insert point after the loop.
  std::vector<Value*> emit_loop(Value* begin, Value* end, const std::vector<Value*>& initial,
                                const LoopBody& body, const char* name) {
    Function* function = b_.GetInsertBlock()->getParent();
    BasicBlock* preheader = b_.GetInsertBlock();
    BasicBlock* header = BasicBlock::Create(context_, std::string(name) + ".header", function);
    BasicBlock* loop = BasicBlock::Create(context_, std::string(name) + ".body", function);
    BasicBlock* exit = BasicBlock::Create(context_, std::string(name) + ".exit", function);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    PHINode* index = b_.CreatePHI(i64_, 2, std::string(name) + ".i");
    index->addIncoming(begin, preheader);
    std::vector<PHINode*> phis;
    std::vector<Value*> carried;
    for (Value* value : initial) {
      PHINode* phi = b_.CreatePHI(value->getType(), 2);
      phi->addIncoming(value, preheader);
      phis.push_back(phi);
      carried.push_back(phi);
    }
    b_.CreateCondBr(b_.CreateICmpSLT(index, end), loop, exit);
    b_.SetInsertPoint(loop);
    const std::vector<Value*> next = body(index, carried);
    Value* next_index = b_.CreateAdd(index, b_.getInt64(1), "", /*HasNUW=*/true, /*HasNSW=*/true);
    BasicBlock* latch = b_.GetInsertBlock();
    llvm::BranchInst* back_edge = b_.CreateBr(header);
    if (const char* e = std::getenv("PJX_PRED"); e && *e == '1') {
      llvm::Metadata* hints[] = {
          nullptr,
          llvm::MDNode::get(context_, {llvm::MDString::get(context_, "llvm.loop.vectorize.predicate.enable"),
                                       llvm::ConstantAsMetadata::get(b_.getTrue())}),
          llvm::MDNode::get(context_, {llvm::MDString::get(context_, "llvm.loop.vectorize.enable"),
                                       llvm::ConstantAsMetadata::get(b_.getTrue())})};
      llvm::MDNode* loop_id = llvm::MDNode::getDistinct(context_, hints);
      loop_id->replaceOperandWith(0, loop_id);
      back_edge->setMetadata(llvm::LLVMContext::MD_loop, loop_id);
    }
    index->addIncoming(next_index, latch);
    for (std::size_t k = 0; k < phis.size(); ++k) phis[k]->addIncoming(next[k], latch);
    b_.SetInsertPoint(exit);
    return carried;
  }

  Value* address(Value* base, Value* index) { return b_.CreateInBoundsGEP(scalar_, base, index); }
  Value* load(Value* base, Value* index) { return b_.CreateLoad(scalar_, address(base, index)); }
  void store(Value* value, Value* base, Value* index) { b_.CreateStore(value, address(base, index)); }
  Value* constant(double value) { return llvm::ConstantFP::get(scalar_, value); }
  Value* row_pointer(Value* matrix, Value* row, Value* row_length) {
    return address(matrix, b_.CreateMul(row, row_length, "", true, true));
  }

  // ---- gradient of f, into grad_; returns the factor the update multiplies it by ----

  // quadratic: g = A x + b with A exactly symmetric (the Problem makes it so). Like BLAS
  // symv, each entry of the upper triangle is loaded once and used twice:
  //   for a block of kMatvecBlock rows i:  g_i += sum_{j > block} A_ij x_j   (dot products)
  //                                        g_j += sum_i A_ij x_i              (axpy)
  // which halves the matrix traffic of a plain matvec and gives 2 FMAs per load of A.
  Value* emit_quadratic_gradient() {
    Value* d = cols_;
    emit_loop(b_.getInt64(0), d, {}, [&](Value* i, std::vector<Value*>) {
      store(load(b_vector_, i), grad_, i);
      return std::vector<Value*>{};
    }, "g.init");
    Value* blocks = b_.CreateSDiv(d, b_.getInt64(kMatvecBlock));
    emit_loop(b_.getInt64(0), blocks, {}, [&](Value* block, std::vector<Value*>) {
      Value* first = b_.CreateMul(block, b_.getInt64(kMatvecBlock), "", true, true);
      std::vector<Value*> index, rows, weights;
      for (int m = 0; m < kMatvecBlock; ++m) {
        index.push_back(b_.CreateAdd(first, b_.getInt64(m), "", true, true));
        rows.push_back(row_pointer(A_, index.back(), d));
        weights.push_back(load(x_, index.back()));
      }
      // The diagonal block, straight-line.
      for (int m = 0; m < kMatvecBlock; ++m) {
        Value* sum = load(grad_, index[m]);
        for (int n = 0; n < kMatvecBlock; ++n) {
          sum = b_.CreateFAdd(sum, b_.CreateFMul(load(rows[m], index[n]), weights[n]));
        }
        store(sum, grad_, index[m]);
      }
      Value* after = b_.CreateAdd(first, b_.getInt64(kMatvecBlock), "", true, true);
      emit_symmetric_strip(index, rows, weights, after, d);
      return std::vector<Value*>{};
    }, "gq.block");
    // The last d mod kMatvecBlock rows: their strip to the right lies inside the tail.
    Value* tail = b_.CreateMul(blocks, b_.getInt64(kMatvecBlock));
    emit_loop(tail, d, {}, [&](Value* i, std::vector<Value*>) {
      Value* row = row_pointer(A_, i, d);
      const std::vector<Value*> sum = emit_loop(tail, d, {load(grad_, i)},
          [&](Value* j, std::vector<Value*> partial) {
            return std::vector<Value*>{
                b_.CreateFAdd(partial[0], b_.CreateFMul(load(row, j), load(x_, j)))};
          }, "gq.tail.dot");
      store(sum[0], grad_, i);
      return std::vector<Value*>{};
    }, "gq.tail");
    return constant(1.0);
  }

  // For columns j in [begin, end): g_i += A_ij x_j for the block's rows (dot products kept in
  // registers), and g_j += sum_m A_(i_m) j x_(i_m) (one load and store of g_j per block).
  void emit_symmetric_strip(const std::vector<Value*>& index, const std::vector<Value*>& rows,
                            const std::vector<Value*>& weights, Value* begin, Value* end) {
    std::vector<Value*> zeros(rows.size(), constant(0.0));
    const std::vector<Value*> dots = emit_loop(begin, end, zeros,
        [&](Value* j, std::vector<Value*> partial) {
          Value* xj = load(x_, j);
          Value* gj = load(grad_, j);
          for (std::size_t m = 0; m < rows.size(); ++m) {
            Value* a = load(rows[m], j);
            partial[m] = b_.CreateFAdd(partial[m], b_.CreateFMul(a, xj));
            gj = b_.CreateFAdd(gj, b_.CreateFMul(a, weights[m]));
          }
          store(gj, grad_, j);
          return partial;
        }, "symv");
    for (std::size_t m = 0; m < rows.size(); ++m) {
      store(b_.CreateFAdd(load(grad_, index[m]), dots[m]), grad_, index[m]);
    }
  }

  // g[i] += sum_m rows[m][i] * weights[m], in order m = 0, 1, ...
  void emit_axpy_block(const std::vector<Value*>& rows, const std::vector<Value*>& weights,
                       Value* length) {
    emit_loop(b_.getInt64(0), length, {}, [&](Value* i, std::vector<Value*>) {
      Value* sum = load(grad_, i);
      for (std::size_t m = 0; m < rows.size(); ++m) {
        sum = b_.CreateFAdd(sum, b_.CreateFMul(load(rows[m], i), weights[m]));
      }
      store(sum, grad_, i);
      return std::vector<Value*>{};
    }, "axpy");
  }

  // least_squares: residual = A x - b (kMatvecBlock row dots per pass over x), then
  // g = A' residual (axpy form over rows); the 1/n is folded into the step.
  Value* emit_least_squares_gradient() {
    Value* n = rows_;
    Value* d = cols_;
    Value* blocks = b_.CreateSDiv(n, b_.getInt64(kMatvecBlock));
    emit_loop(b_.getInt64(0), blocks, {}, [&](Value* block, std::vector<Value*>) {
      Value* first = b_.CreateMul(block, b_.getInt64(kMatvecBlock), "", true, true);
      std::vector<Value*> row_index, rows;
      for (int m = 0; m < kMatvecBlock; ++m) {
        row_index.push_back(b_.CreateAdd(first, b_.getInt64(m), "", true, true));
        rows.push_back(row_pointer(A_, row_index.back(), d));
      }
      emit_residual_block(row_index, rows, d);
      return std::vector<Value*>{};
    }, "r.block");
    emit_loop(b_.CreateMul(blocks, b_.getInt64(kMatvecBlock)), n, {},
              [&](Value* i, std::vector<Value*>) {
                emit_residual_block({i}, {row_pointer(A_, i, d)}, d);
                return std::vector<Value*>{};
              },
              "r.rest");

    emit_loop(b_.getInt64(0), d, {}, [&](Value* k, std::vector<Value*>) {
      store(constant(0.0), grad_, k);
      return std::vector<Value*>{};
    }, "g.init");
    emit_loop(b_.getInt64(0), blocks, {}, [&](Value* block, std::vector<Value*>) {
      Value* first = b_.CreateMul(block, b_.getInt64(kMatvecBlock), "", true, true);
      std::vector<Value*> weights, rows;
      for (int m = 0; m < kMatvecBlock; ++m) {
        Value* i = b_.CreateAdd(first, b_.getInt64(m), "", true, true);
        weights.push_back(load(residual_, i));
        rows.push_back(row_pointer(A_, i, d));
      }
      emit_axpy_block(rows, weights, d);
      return std::vector<Value*>{};
    }, "gt.block");
    emit_loop(b_.CreateMul(blocks, b_.getInt64(kMatvecBlock)), n, {},
              [&](Value* i, std::vector<Value*>) {
                emit_axpy_block({row_pointer(A_, i, d)}, {load(residual_, i)}, d);
                return std::vector<Value*>{};
              },
              "gt.rest");
    return b_.CreateFDiv(constant(1.0), b_.CreateSIToFP(n, scalar_));
  }

  // residual[row_index[m]] = dot(rows[m], x) - b[row_index[m]] for each m, sharing x's loads.
  void emit_residual_block(const std::vector<Value*>& row_index, const std::vector<Value*>& rows,
                           Value* length) {
    std::vector<Value*> zeros(rows.size(), constant(0.0));
    const std::vector<Value*> sums = emit_loop(
        b_.getInt64(0), length, zeros,
        [&](Value* k, std::vector<Value*> partial) {
          Value* xk = load(x_, k);
          for (std::size_t m = 0; m < rows.size(); ++m) {
            partial[m] = b_.CreateFAdd(partial[m], b_.CreateFMul(load(rows[m], k), xk));
          }
          return partial;
        },
        "dot");
    for (std::size_t m = 0; m < rows.size(); ++m) {
      store(b_.CreateFSub(sums[m], load(b_vector_, row_index[m])), residual_, row_index[m]);
    }
  }

  Value* emit_gradient() {
    switch (spec_.smooth) {
      case SmoothKind::quadratic: return emit_quadratic_gradient();
      case SmoothKind::least_squares: return emit_least_squares_gradient();
    }
    return nullptr;
  }

  // ---- the prox expression, inlined per element ----

  Value* emit_expr(const expr::Expr& e, Value* variable) {
    using expr::Op;
    const auto arg = [&](int i) { return emit_expr(e.args()[i], variable); };
    switch (e.op()) {
      case Op::constant: return constant(e.constant());
      case Op::variable: return variable;
      case Op::step: return step_;
      case Op::parameter: return params_.at(e.slot());
      case Op::neg: return b_.CreateFNeg(arg(0));
      case Op::abs: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, arg(0));
      case Op::sign: {
        Value* a = arg(0);
        Value* negative_or_self = b_.CreateSelect(b_.CreateFCmpOLT(a, constant(0.0)),
                                                  constant(-1.0), a);
        return b_.CreateSelect(b_.CreateFCmpOGT(a, constant(0.0)), constant(1.0),
                               negative_or_self);
      }
      case Op::sqrt: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, arg(0));
      case Op::exp: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::exp, arg(0));
      case Op::log: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::log, arg(0));
      case Op::add: return b_.CreateFAdd(arg(0), arg(1));
      case Op::sub: return b_.CreateFSub(arg(0), arg(1));
      case Op::mul: return b_.CreateFMul(arg(0), arg(1));
      case Op::div: return b_.CreateFDiv(arg(0), arg(1));
      // NaN-propagating, as expr::nan_min / nan_max.
      case Op::min: return b_.CreateBinaryIntrinsic(llvm::Intrinsic::minimum, arg(0), arg(1));
      case Op::max: return b_.CreateBinaryIntrinsic(llvm::Intrinsic::maximum, arg(0), arg(1));
      case Op::less:
      case Op::less_equal:
      case Op::greater:
      case Op::greater_equal: return b_.CreateUIToFP(emit_condition(e, variable), scalar_);
      case Op::where:
        return b_.CreateSelect(emit_condition(e.args()[0], variable), arg(1), arg(2));
    }
    return nullptr;
  }

  // An expression used as a condition: comparisons directly, anything else as "!= 0"
  // (unordered, so NaN counts as true, as in expr::evaluate).
  Value* emit_condition(const expr::Expr& e, Value* variable) {
    using expr::Op;
    switch (e.op()) {
      case Op::less:
        return b_.CreateFCmpOLT(emit_expr(e.args()[0], variable), emit_expr(e.args()[1], variable));
      case Op::less_equal:
        return b_.CreateFCmpOLE(emit_expr(e.args()[0], variable), emit_expr(e.args()[1], variable));
      case Op::greater:
        return b_.CreateFCmpOGT(emit_expr(e.args()[0], variable), emit_expr(e.args()[1], variable));
      case Op::greater_equal:
        return b_.CreateFCmpOGE(emit_expr(e.args()[0], variable), emit_expr(e.args()[1], variable));
      default: return b_.CreateFCmpUNE(emit_expr(e, variable), constant(0.0));
    }
  }

  // ---- the fused update pass: y = x - step*g, x = prox(y), returns sum (x_new - x_old)^2 ----
  Value* emit_update(Value* gradient_scale) {
    Value* scaled_step = b_.CreateFMul(step_, gradient_scale);
    return emit_loop(b_.getInt64(0), cols_, {constant(0.0)},
                     [&](Value* i, std::vector<Value*> sum) {
                       Value* old_x = load(x_, i);
                       Value* y = b_.CreateFSub(old_x, b_.CreateFMul(scaled_step, load(grad_, i)));
                       Value* new_x = emit_expr(spec_.prox, y);
                       store(new_x, x_, i);
                       Value* change = b_.CreateFSub(new_x, old_x);
                       return std::vector<Value*>{
                           b_.CreateFAdd(sum[0], b_.CreateFMul(change, change))};
                     },
                     "update")[0];
  }

  void add_common_attributes(Function* f) {
    f->addFnAttr(llvm::Attribute::NoUnwind);
    if (options_.prefer_vector_width > 0) {
      f->addFnAttr("prefer-vector-width", std::to_string(options_.prefer_vector_width));
    }
  }

  // The loop itself, with every array as a noalias argument so the vectorizer needs no
  // runtime overlap checks.
  Function* emit_body(const std::string& name) {
    std::vector<Type*> types = {ptr_, ptr_, ptr_, ptr_, ptr_, i64_, i64_};
    const int parameter_count = spec_.prox_parameter_count;
    for (int p = 0; p < parameter_count; ++p) types.push_back(scalar_);
    types.insert(types.end(), {scalar_, f64_, f64_, i64_, ptr_});
    auto* type = llvm::FunctionType::get(b_.getVoidTy(), types, false);
    Function* f = Function::Create(type, Function::InternalLinkage, name, module_);
    add_common_attributes(f);
    for (unsigned a = 0; a < 5; ++a) {
      f->addParamAttr(a, llvm::Attribute::NoAlias);
      f->addParamAttr(a, llvm::Attribute::NoCapture);
    }
    f->addParamAttr(0, llvm::Attribute::ReadOnly);
    f->addParamAttr(1, llvm::Attribute::ReadOnly);
    f->addParamAttr(static_cast<unsigned>(types.size() - 1), llvm::Attribute::NoAlias);

    auto arg = f->arg_begin();
    A_ = arg++;
    b_vector_ = arg++;
    x_ = arg++;
    grad_ = arg++;
    residual_ = arg++;
    rows_ = arg++;
    cols_ = arg++;
    for (int p = 0; p < parameter_count; ++p) params_.push_back(arg++);
    step_ = arg++;
    Value* step_double = arg++;
    Value* tolerance = arg++;
    Value* max_iterations = arg++;
    Value* out = arg++;

    BasicBlock* entry = BasicBlock::Create(context_, "entry", f);
    BasicBlock* header = BasicBlock::Create(context_, "iter.header", f);
    BasicBlock* iteration = BasicBlock::Create(context_, "iter.body", f);
    BasicBlock* check = BasicBlock::Create(context_, "iter.check", f);
    BasicBlock* next = BasicBlock::Create(context_, "iter.next", f);
    BasicBlock* done = BasicBlock::Create(context_, "done", f);
    b_.SetInsertPoint(entry);
    b_.CreateBr(header);

    b_.SetInsertPoint(header);
    PHINode* k = b_.CreatePHI(i64_, 2, "k");
    PHINode* first_certificate = b_.CreatePHI(f64_, 2, "first_certificate");
    PHINode* last_certificate = b_.CreatePHI(f64_, 2, "last_certificate");
    k->addIncoming(b_.getInt64(0), entry);
    first_certificate->addIncoming(llvm::ConstantFP::get(f64_, -1.0), entry);
    last_certificate->addIncoming(llvm::ConstantFP::get(f64_, 0.0), entry);
    b_.CreateCondBr(b_.CreateICmpSLT(k, max_iterations), iteration, done);

    b_.SetInsertPoint(iteration);
    Value* gradient_scale = emit_gradient();
    Value* squared_change = emit_update(gradient_scale);
    if (scalar_ != f64_) squared_change = b_.CreateFPExt(squared_change, f64_);
    Value* certificate = b_.CreateFDiv(
        b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, squared_change), step_double, "certificate");
    Value* k_next = b_.CreateAdd(k, b_.getInt64(1), "k.next", true, true);
    Value* first = b_.CreateSelect(
        b_.CreateFCmpOLT(first_certificate, llvm::ConstantFP::get(f64_, 0.0)), certificate,
        first_certificate);
    // Diverged: not finite (NaN fails `<`), or grown far past the first certificate.
    Value* finite = b_.CreateFCmpOLT(certificate,
                                     llvm::ConstantFP::getInfinity(f64_), "finite");
    Value* exploded = b_.CreateFCmpOGT(
        certificate, b_.CreateFMul(first, llvm::ConstantFP::get(f64_, kDivergenceGrowth)));
    BasicBlock* iteration_end = b_.GetInsertBlock();
    b_.CreateCondBr(b_.CreateOr(b_.CreateNot(finite), exploded), done, check);

    b_.SetInsertPoint(check);
    // Tolerance 0 runs the whole budget (a fixed point is then not an early exit either).
    Value* converged = b_.CreateAnd(b_.CreateFCmpOLE(certificate, tolerance),
                                    b_.CreateFCmpOGT(tolerance, llvm::ConstantFP::get(f64_, 0.0)));
    b_.CreateCondBr(converged, done, next);

    b_.SetInsertPoint(next);
    b_.CreateBr(header);
    k->addIncoming(k_next, next);
    first_certificate->addIncoming(first, next);
    last_certificate->addIncoming(certificate, next);

    b_.SetInsertPoint(done);
    PHINode* status = b_.CreatePHI(i64_, 3, "status");
    status->addIncoming(b_.getInt64(static_cast<int64_t>(SolveStatus::max_iterations)), header);
    status->addIncoming(b_.getInt64(static_cast<int64_t>(SolveStatus::diverged)), iteration_end);
    status->addIncoming(b_.getInt64(static_cast<int64_t>(SolveStatus::converged)), check);
    PHINode* iterations = b_.CreatePHI(i64_, 3, "iterations");
    iterations->addIncoming(k, header);
    iterations->addIncoming(k_next, iteration_end);
    iterations->addIncoming(k_next, check);
    PHINode* final_certificate = b_.CreatePHI(f64_, 3, "final_certificate");
    final_certificate->addIncoming(last_certificate, header);
    final_certificate->addIncoming(certificate, iteration_end);
    final_certificate->addIncoming(certificate, check);
    b_.CreateStore(iterations, field(out, kFieldIterations));
    b_.CreateStore(final_certificate, field(out, kFieldCertificate));
    b_.CreateStore(status, field(out, kFieldStatus));
    b_.CreateRetVoid();
    return f;
  }

  Value* field(Value* args, ArgField index) {
    return b_.CreateConstInBoundsGEP1_64(i64_, args, index);
  }

  // `void symbol(KernelArgs*)`: unpacks the arguments and calls the loop.
  Function* emit_entry(const std::string& symbol, Function* body) {
    auto* type = llvm::FunctionType::get(b_.getVoidTy(), {ptr_}, false);
    Function* f = Function::Create(type, Function::ExternalLinkage, symbol, module_);
    add_common_attributes(f);
    Value* args = f->getArg(0);
    b_.SetInsertPoint(BasicBlock::Create(context_, "entry", f));
    Value* work = b_.CreateLoad(ptr_, field(args, kFieldWork), "work");
    Value* cols = b_.CreateLoad(i64_, field(args, kFieldCols), "cols");
    Value* params = b_.CreateLoad(ptr_, field(args, kFieldParams), "params");
    Value* step = b_.CreateLoad(f64_, field(args, kFieldStep), "step");
    std::vector<Value*> call_args = {
        b_.CreateLoad(ptr_, field(args, kFieldA), "A"),
        b_.CreateLoad(ptr_, field(args, kFieldB), "b"),
        b_.CreateLoad(ptr_, field(args, kFieldX), "x"),
        work,
        b_.CreateInBoundsGEP(scalar_, work, cols, "residual"),
        b_.CreateLoad(i64_, field(args, kFieldRows), "rows"),
        cols,
    };
    for (int p = 0; p < spec_.prox_parameter_count; ++p) {
      Value* value = b_.CreateLoad(f64_, b_.CreateConstInBoundsGEP1_64(f64_, params, p));
      call_args.push_back(scalar_ == f64_ ? value : b_.CreateFPTrunc(value, scalar_));
    }
    call_args.push_back(scalar_ == f64_ ? step : b_.CreateFPTrunc(step, scalar_));
    call_args.push_back(step);
    call_args.push_back(b_.CreateLoad(f64_, field(args, kFieldTolerance), "tolerance"));
    call_args.push_back(b_.CreateLoad(i64_, field(args, kFieldMaxIterations), "max_iterations"));
    call_args.push_back(args);
    b_.CreateCall(body, call_args);
    b_.CreateRetVoid();
    return f;
  }

  llvm::LLVMContext& context_;
  llvm::Module& module_;
  const KernelSpec& spec_;
  const CodegenOptions& options_;
  llvm::IRBuilder<> b_;
  Type* scalar_ = nullptr;
  Type* i64_ = nullptr;
  Type* f64_ = nullptr;
  llvm::PointerType* ptr_ = nullptr;
  Value* A_ = nullptr;
  Value* b_vector_ = nullptr;
  Value* x_ = nullptr;
  Value* grad_ = nullptr;
  Value* residual_ = nullptr;
  Value* rows_ = nullptr;
  Value* cols_ = nullptr;
  Value* step_ = nullptr;
  std::vector<Value*> params_;
};

}  // namespace

std::unique_ptr<llvm::Module> emit_kernel(llvm::LLVMContext& context, const KernelSpec& spec,
                                          const CodegenOptions& options,
                                          const std::string& symbol) {
  auto module = std::make_unique<llvm::Module>(symbol, context);
  KernelEmitter(context, *module, spec, options).emit(symbol);
  return module;
}

}  // namespace proxjit::codegen

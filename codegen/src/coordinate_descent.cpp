// Cyclic proximal coordinate descent: setup, column access, the epoch.
#include "emitter.h"

namespace proxjit::codegen {

// Before the first epoch: the gradient (quadratic), or the margins and the L_j (losses).
void KernelEmitter::emit_coordinate_descent_setup() {
  if (spec_.smooth == SmoothKind::quadratic) {
    emit_quadratic_gradient();
    return;
  }
  emit_zero(margins_, sample_chunks_);
  Value* scale = b_.CreateFMul(curvature_, inverse_n());
  emit_loop(
      b_.getInt64(0), cols_, {},
      [&](Value* j, std::vector<Value*>) {
        Value* xj = load_scalar(x_, j);
        Value* norm;
        if (sparse_columns()) {
          norm = for_sparse_column(
              j, {scalar_constant(0.0)},
              [&](Value* k, Value* i, std::vector<Value*> sum) {
                Value* a = load_scalar(A_, k);
                Value* z = address(margins_, i);
                b_.CreateStore(fma(a, xj, b_.CreateLoad(scalar_, z)), z);
                Value* weighted = spec_.weighted ? b_.CreateFMul(a, load_scalar(weights_, i)) : a;
                return std::vector<Value*>{fma(weighted, a, sum[0])};
              },
              "cd.column")[0];
        } else {
          Value* column = column_pointer(j);
          Value* x_splat = splat(xj);
          const std::vector<Value*> squares = emit_loop(
              b_.getInt64(0), sample_chunks_, {vector_constant(0.0)},
              [&](Value* c, std::vector<Value*> partial) {
                Value* i = lanes_times(c);
                Value* a = load_vector(column, i);
                store_vector(fma(a, x_splat, load_vector(margins_, i)), margins_, i);
                Value* weighted = spec_.weighted ? b_.CreateFMul(a, load_vector(weights_, i)) : a;
                return std::vector<Value*>{fma(weighted, a, partial[0])};
              },
              "cd.column");
          norm = b_.CreateFAddReduce(scalar_constant(0.0), squares[0]);
        }
        b_.CreateStore(b_.CreateFMul(norm, scale), address(lipschitz_, j));
        return std::vector<Value*>{};
      },
      "cd.setup");
}

// g_j of a loss: sum_i a_ij w_i dphi(z_i, b_i) / n.
Value* KernelEmitter::emit_coordinate_gradient(Value* j) {
  const std::vector<Value*> dot = column_sums(
      j, 1,
      [&](Value* i, Value* a, bool vector) {
        Value* d = vector ? emit_sample_derivative(load_vector(margins_, i), i)
                          : emit_sample_derivative_scalar(load_scalar(margins_, i), i);
        return std::vector<Value*>{b_.CreateFMul(a, d)};
      },
      "cd.dot");
  return b_.CreateFMul(dot[0], inverse_n());
}

Value* KernelEmitter::emit_coordinate_descent_epoch() {
  const bool quadratic = spec_.smooth == SmoothKind::quadratic;
  Function* function = b_.GetInsertBlock()->getParent();
  return emit_loop(
      b_.getInt64(0), cols_, {scalar_constant(0.0)},
      [&](Value* j, std::vector<Value*> sum) {
        Value* lipschitz =
            quadratic ? load_scalar(column_pointer(j), j) : load_scalar(lipschitz_, j);
        BasicBlock* before = b_.GetInsertBlock();
        BasicBlock* active = BasicBlock::Create(context_, "cd.active", function);
        BasicBlock* move = BasicBlock::Create(context_, "cd.move", function);
        BasicBlock* joined = BasicBlock::Create(context_, "cd.next", function);
        // A coordinate without curvature (a zero column) cannot be stepped: leave it.
        b_.CreateCondBr(b_.CreateFCmpOGT(lipschitz, scalar_constant(0.0)), active, joined);

        b_.SetInsertPoint(active);
        Value* gradient = quadratic ? load_scalar(grad_, j) : emit_coordinate_gradient(j);
        Value* step = b_.CreateFDiv(scalar_constant(1.0), lipschitz);
        Value* old_x = load_scalar(x_, j);
        Value* trial = b_.CreateFSub(old_x, b_.CreateFMul(gradient, step));
        Value* proxed = emit_expr(spec_.prox, {trial, step, &scalar_params_, scalar_});
        Value* new_x = b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), proxed, trial);
        Value* delta = b_.CreateFSub(new_x, old_x);
        Value* scaled = b_.CreateFMul(lipschitz, delta);
        Value* active_sum = fma(scaled, scaled, sum[0]);
        BasicBlock* active_end = b_.GetInsertBlock();
        // Most coordinates of a sparse solution do not move: skip their update pass.
        b_.CreateCondBr(b_.CreateFCmpUNE(delta, scalar_constant(0.0)), move, joined);

        b_.SetInsertPoint(move);
        b_.CreateStore(new_x, address(x_, j));
        if (quadratic || !sparse_columns()) {
          Value* column = column_pointer(j);
          Value* follow = quadratic ? grad_ : margins_;
          Value* weight = splat(delta);
          emit_loop(
              b_.getInt64(0), quadratic ? chunks_ : sample_chunks_, {},
              [&](Value* c, std::vector<Value*>) {
                Value* i = lanes_times(c);
                store_vector(fma(load_vector(column, i), weight, load_vector(follow, i)), follow,
                             i);
                return std::vector<Value*>{};
              },
              "cd.follow");
        } else {
          for_sparse_column(
              j, {},
              [&](Value* k, Value* i, std::vector<Value*>) {
                Value* z = address(margins_, i);
                b_.CreateStore(fma(load_scalar(A_, k), delta, b_.CreateLoad(scalar_, z)), z);
                return std::vector<Value*>{};
              },
              "cd.follow");
        }
        BasicBlock* move_end = b_.GetInsertBlock();
        b_.CreateBr(joined);

        b_.SetInsertPoint(joined);
        PHINode* next_sum = b_.CreatePHI(scalar_, 3);
        next_sum->addIncoming(sum[0], before);
        next_sum->addIncoming(active_sum, active_end);
        next_sum->addIncoming(active_sum, move_end);
        return std::vector<Value*>{next_sum};
      },
      "cd.epoch")[0];
}

const KernelEmitter::AlgorithmEmitter KernelEmitter::kCoordinateDescent = {
    .name = "cd",
    .matches =
        [](const KernelSpec& spec) {
          return spec.algorithm == Algorithm::coordinate_descent && !spec.coordinate_newton;
        },
    .setup = &KernelEmitter::coordinate_descent_setup,
    .iterate = &KernelEmitter::coordinate_descent_iterate};

void KernelEmitter::coordinate_descent_setup(Value*, Value*) {
  emit_coordinate_descent_setup();
}

// An epoch; its sum is scaled coordinate by coordinate already (divisor 1).
KernelEmitter::Iteration KernelEmitter::coordinate_descent_iterate(const LoopState&) {
  return {.squared_change = emit_coordinate_descent_epoch(),
          .certificate_divisor = llvm::ConstantFP::get(f64_, 1.0)};
}

}  // namespace proxjit::codegen

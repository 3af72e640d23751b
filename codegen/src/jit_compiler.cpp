// The compile pipeline, one stage after another from one place:
//   emit IR -> verify -> optimize (new pass manager, host TargetMachine) -> object code -> link
// Each stage is timed; PROXJIT_DUMP_IR shows the IR after each stage.
#include "proxjit/codegen/jit_compiler.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>

#include "emit_kernel.h"
#include "llvm_headers.h"
#include "proxjit/runtime/error.h"

namespace proxjit {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string to_message(llvm::Error error) {
  std::string text;
  llvm::raw_string_ostream out(text);
  out << error;
  return text;
}

template <class T>
T unwrap(llvm::Expected<T> value, const char* what) {
  if (!value) throw Error(std::string("JIT ") + what + ": " + to_message(value.takeError()));
  return std::move(*value);
}

void initialize_llvm_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    // Loop strength reduction was a third of machine-code generation time for these kernels
    // and gains nothing on their simple indexed loops. The option is LLVM's own (a global).
    auto& options = llvm::cl::getRegisteredOptions();
    if (auto found = options.find("disable-lsr"); found != options.end()) {
      static_cast<llvm::cl::opt<bool>*>(found->second)->setValue(true);
    }
  });
}

// The emitter writes SSA values, explicit vectors and no calls, so the general -O2 pipeline
// (inliner, SROA, loop vectorizer, ...) finds nothing to do but costs 4x the time of the few
// passes that clean up what it does emit. Level 3 still runs LLVM's full default<O3>.
constexpr const char* kKernelPipeline =
    "function(early-cse,instcombine<no-verify-fixpoint>,simplifycfg,loop(loop-rotate),"
    "loop-mssa(licm),gvn,simplifycfg)";

llvm::CodeGenOptLevel codegen_level(int level) {
  switch (level) {
    case 0:
      return llvm::CodeGenOptLevel::None;
    case 1:
      return llvm::CodeGenOptLevel::Less;
    case 3:
      return llvm::CodeGenOptLevel::Aggressive;
    default:
      return llvm::CodeGenOptLevel::Default;
  }
}

// PROXJIT_DUMP_IR=1 prints to stderr; any other non-empty value is a directory for .ll files.
class StageDump {
 public:
  explicit StageDump(const std::string& symbol) : symbol_(symbol) {
    const char* setting = std::getenv("PROXJIT_DUMP_IR");
    if (setting && *setting && std::string(setting) != "0") {
      enabled_ = true;
      if (std::string(setting) != "1") directory_ = setting;
    }
  }
  void after(const char* stage, double seconds, const llvm::Module* module) const {
    if (!enabled_) return;
    std::cerr << "proxjit: " << symbol_ << ": " << stage << " took " << seconds * 1e3 << " ms\n";
    if (!module) return;
    std::string text;
    llvm::raw_string_ostream out(text);
    module->print(out, nullptr);
    if (directory_.empty()) {
      std::cerr << "; ---- IR after " << stage << " ----\n" << text << "\n";
    } else {
      std::ofstream(directory_ + "/" + symbol_ + "." + stage + ".ll") << text;
    }
  }

 private:
  std::string symbol_;
  bool enabled_ = false;
  std::string directory_;
};

}  // namespace

struct JitCompiler::Impl {
  llvm::orc::JITTargetMachineBuilder machine_builder{llvm::Triple()};
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::string target_description;
  double setup_seconds = 0.0;
  std::atomic<int> next_library{0};

  // A TargetMachine per compile: they are not thread-safe and cost ~0.2 ms to make.
  std::unique_ptr<llvm::TargetMachine> make_target_machine(const CodegenOptions& options) {
    llvm::orc::JITTargetMachineBuilder builder = machine_builder;
    builder.setCodeGenOptLevel(codegen_level(options.optimization_level));
    return unwrap(builder.createTargetMachine(), "target machine");
  }

  // Stage 1: IR.
  std::unique_ptr<llvm::Module> emit(llvm::LLVMContext& context, const KernelSpec& spec,
                                     const CodegenOptions& options, const std::string& symbol,
                                     llvm::TargetMachine& machine) {
    auto module = codegen::emit_kernel(context, spec, options, symbol);
    // Without the triple and data layout the optimizer assumes a generic target and does not
    // vectorize.
    module->setTargetTriple(machine.getTargetTriple().str());
    module->setDataLayout(machine.createDataLayout());
    std::string problems;
    llvm::raw_string_ostream out(problems);
    if (llvm::verifyModule(*module, &out)) {
      throw Error("internal error: generated IR for " + symbol + " is invalid: " + problems);
    }
    return module;
  }

  // Stage 2: the new pass manager's default pipeline, with the host TargetMachine so the
  // cost model knows the vector units.
  static void optimize(llvm::Module& module, llvm::TargetMachine& machine, int level) {
    llvm::LoopAnalysisManager loops;
    llvm::FunctionAnalysisManager functions;
    llvm::CGSCCAnalysisManager cgscc;
    llvm::ModuleAnalysisManager modules;
    llvm::PassBuilder builder(&machine);
    builder.registerModuleAnalyses(modules);
    builder.registerCGSCCAnalyses(cgscc);
    builder.registerFunctionAnalyses(functions);
    builder.registerLoopAnalyses(loops);
    builder.crossRegisterProxies(loops, functions, cgscc, modules);
    llvm::ModulePassManager passes;
    if (level == 0) {
      passes = builder.buildO0DefaultPipeline(llvm::OptimizationLevel::O0);
    } else if (level == 3) {
      passes = builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
    } else if (llvm::Error error = builder.parsePassPipeline(passes, kKernelPipeline)) {
      throw Error("internal error: bad pass pipeline: " + to_message(std::move(error)));
    }
    passes.run(module, modules);
  }

  // The optimized IR or the assembly of a spec, built on the side (nothing is linked).
  std::string inspect(const KernelSpec& spec, const CodegenOptions& options, bool assembly) {
    llvm::LLVMContext context;
    std::unique_ptr<llvm::TargetMachine> machine = make_target_machine(options);
    auto module = emit(context, spec, options, "proxjit_inspect", *machine);
    optimize(*module, *machine, options.optimization_level);
    if (assembly) {
      const llvm::SmallVector<char, 0> text =
          emit_code(*module, *machine, llvm::CodeGenFileType::AssemblyFile);
      return std::string(text.data(), text.size());
    }
    std::string text;
    llvm::raw_string_ostream out(text);
    module->print(out, nullptr);
    return text;
  }

  // Stage 3: machine code (an object file, or assembly text for inspection).
  static llvm::SmallVector<char, 0> emit_code(llvm::Module& module, llvm::TargetMachine& machine,
                                              llvm::CodeGenFileType type) {
    llvm::SmallVector<char, 0> buffer;
    llvm::raw_svector_ostream out(buffer);
    llvm::legacy::PassManager passes;
    if (machine.addPassesToEmitFile(passes, out, nullptr, type)) {
      throw Error("internal error: the target cannot emit this kind of file");
    }
    passes.run(module);
    return buffer;
  }
};

JitCompiler::JitCompiler() : impl_(std::make_unique<Impl>()) {
  const Clock::time_point start = Clock::now();
  initialize_llvm_once();
  impl_->machine_builder = unwrap(llvm::orc::JITTargetMachineBuilder::detectHost(), "host");
  // JITLink (LLJIT's default linker on x86-64 ELF) wants position-independent small-model code.
  impl_->machine_builder.setRelocationModel(llvm::Reloc::PIC_);
  impl_->machine_builder.setCodeModel(llvm::CodeModel::Small);
  impl_->jit =
      unwrap(llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(impl_->machine_builder).create(),
             "set-up");

  std::vector<std::string> features = impl_->machine_builder.getFeatures().getFeatures();
  std::sort(features.begin(), features.end());
  std::string feature_text;
  for (const std::string& f : features) {
    if (!f.empty() && f[0] == '+') feature_text += f;
  }
  impl_->target_description = "triple=" + impl_->machine_builder.getTargetTriple().str() +
                              ";cpu=" + impl_->machine_builder.getCPU() +
                              ";features=" + feature_text + ";llvm=" + LLVM_VERSION_STRING +
                              ";proxjit=" + PROXJIT_VERSION;
  impl_->setup_seconds = seconds_since(start);
}

JitCompiler::~JitCompiler() = default;

const std::string& JitCompiler::target_description() const {
  return impl_->target_description;
}
double JitCompiler::setup_seconds() const {
  return impl_->setup_seconds;
}

CompiledKernel JitCompiler::compile(const KernelSpec& spec, const CodegenOptions& options,
                                    const std::string& symbol) {
  CompiledKernel kernel;
  kernel.symbol = symbol;
  const StageDump dump(symbol);

  Clock::time_point start = Clock::now();
  auto context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::TargetMachine> machine = impl_->make_target_machine(options);
  std::unique_ptr<llvm::Module> module = impl_->emit(*context, spec, options, symbol, *machine);
  kernel.timings.ir_seconds = seconds_since(start);
  dump.after("emit", kernel.timings.ir_seconds, module.get());

  start = Clock::now();
  Impl::optimize(*module, *machine, options.optimization_level);
  kernel.timings.optimize_seconds = seconds_since(start);
  dump.after("optimize", kernel.timings.optimize_seconds, module.get());

  start = Clock::now();
  llvm::SmallVector<char, 0> object =
      Impl::emit_code(*module, *machine, llvm::CodeGenFileType::ObjectFile);
  kernel.object.assign(object.data(), object.size());
  kernel.timings.codegen_seconds = seconds_since(start);
  dump.after("codegen", kernel.timings.codegen_seconds, nullptr);

  const CompiledKernel linked = link_object(kernel.object, symbol);
  kernel.entry = linked.entry;
  kernel.timings.link_seconds = linked.timings.link_seconds;
  dump.after("link", kernel.timings.link_seconds, nullptr);
  return kernel;
}

CompiledKernel JitCompiler::link_object(const std::string& object, const std::string& symbol) {
  CompiledKernel kernel;
  kernel.symbol = symbol;
  const Clock::time_point start = Clock::now();
  // Each object gets its own JITDylib (linked against the process's symbols, as LLJIT's default
  // order has it): a faulty object cannot leave half-defined symbols that would clash with a
  // recompiled kernel of the same name.
  llvm::Expected<llvm::orc::JITDylib&> created =
      impl_->jit->createJITDylib(symbol + "." + std::to_string(impl_->next_library++));
  if (!created) throw Error("JIT library for " + symbol + ": " + to_message(created.takeError()));
  llvm::orc::JITDylib& library = *created;
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(object, symbol);
  if (llvm::Error error = impl_->jit->addObjectFile(library, std::move(buffer))) {
    throw Error("JIT link of " + symbol + ": " + to_message(std::move(error)));
  }
  llvm::orc::ExecutorAddr address = unwrap(impl_->jit->lookup(library, symbol), "symbol lookup");
  kernel.entry = address.toPtr<KernelFunction>();
  kernel.timings.link_seconds = seconds_since(start);
  return kernel;
}

std::string JitCompiler::optimized_ir(const KernelSpec& spec, const CodegenOptions& options) {
  return impl_->inspect(spec, options, /*assembly=*/false);
}

std::string JitCompiler::assembly(const KernelSpec& spec, const CodegenOptions& options) {
  return impl_->inspect(spec, options, /*assembly=*/true);
}

}  // namespace proxjit

#pragma once
// The kernel caches: in memory (a map from structure key to a shared future, so concurrent first
// calls compile once), then on disk, else compile. Owns the JIT, set up on a background thread
// as soon as the engine exists, so that LLVM's one-time set-up overlaps whatever the caller does
// before its first solve (loading data).
#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "proxjit/codegen/jit_compiler.h"
#include "proxjit/codegen/kernel_spec.h"
#include "proxjit/engine.h"

namespace proxjit::detail {

// A kernel as the cache holds it, with what the call that made it paid.
struct CachedKernel {
  CompiledKernel kernel;
  std::string key;
  KernelSource source = KernelSource::compiled;  // compiled, or loaded from disk
  double setup_seconds = 0.0;                    // JIT set-up paid by that call
  double cache_io_seconds = 0.0;
  std::string note;  // what went wrong with the disk cache, if anything
};

class KernelCache {
 public:
  explicit KernelCache(const EngineOptions& options);

  struct Acquired {
    std::shared_ptr<const CachedKernel> kernel;
    bool hit = false;
    bool made_here = false;  // this call loaded or compiled the kernel
    double lookup_seconds = 0.0;
  };
  // The kernel for a spec: from memory, or compiled exactly once however many threads ask.
  // `count_lookup` false leaves the hit/miss counters alone (compiles and disk loads count).
  Acquired acquire(const KernelSpec& spec, const CodegenOptions& codegen,
                   bool count_lookup = true);

  // Waits for the JIT; returns the seconds this call waited for its set-up (0 once it is up).
  // Rethrows the set-up's error.
  double ensure_jit();
  // The JIT, once ensure_jit() has returned.
  JitCompiler& compiler() { return *jit_.load(std::memory_order_acquire); }

  static std::string structure_key(const KernelSpec& spec, const CodegenOptions& codegen);
  // The structure plus everything that makes an object wrong to reuse: the target (triple, CPU,
  // features), the LLVM and proxjit versions (in target_description) and the kernel format.
  std::string full_key(const std::string& structure);

  DiskCache* disk() { return disk_.get(); }
  const std::string& disk_problem() const { return disk_problem_; }
  CacheStats stats() const;

 private:
  using KernelFuture = std::shared_future<std::shared_ptr<const CachedKernel>>;
  // Disk first (no IR is built on a hit), else compile and store.
  std::shared_ptr<CachedKernel> load_or_compile(const KernelSpec& spec,
                                                const CodegenOptions& codegen,
                                                const std::string& structure);

  std::unique_ptr<DiskCache> disk_;
  std::string disk_problem_;
  std::shared_future<std::shared_ptr<JitCompiler>> jit_ready_;
  std::atomic<JitCompiler*> jit_{nullptr};
  mutable std::mutex mutex_;  // guards cache_ and stats_
  // Keyed by the structure (spec + codegen options); the target is fixed per engine.
  std::unordered_map<std::string, KernelFuture> cache_;
  CacheStats stats_;
};

}  // namespace proxjit::detail

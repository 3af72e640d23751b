#include "kernel_cache.h"

#include <chrono>

#include "engine_internal.h"
#include "proxjit/runtime/error.h"

namespace proxjit::detail {
namespace {

// Bumped whenever the emitted code or the kernel ABI changes: part of every key, so the disk
// cache never hands an old process's kernel to a new one.
constexpr const char* kKernelFormat = "kernel-format=15";

}  // namespace

KernelCache::KernelCache(const EngineOptions& options) {
  jit_ready_ = std::async(std::launch::async, [] { return std::make_shared<JitCompiler>(); });
  if (options.disk_cache) {
    const std::filesystem::path directory = options.cache_directory.empty()
                                                ? DiskCache::default_directory()
                                                : std::filesystem::path(options.cache_directory);
    try {
      disk_ = std::make_unique<DiskCache>(directory, options.cache_max_bytes);
    } catch (const Error& error) {
      // Without a usable directory the engine still works, compiling in every process.
      disk_problem_ = error.what();
    }
  }
}

double KernelCache::ensure_jit() {
  if (jit_.load(std::memory_order_acquire)) return 0.0;
  const Clock::time_point start = Clock::now();
  jit_.store(jit_ready_.get().get(), std::memory_order_release);
  return seconds_since(start);
}

std::string KernelCache::structure_key(const KernelSpec& spec, const CodegenOptions& codegen) {
  std::string key = spec.canonical();
  key += '|';
  key += codegen.canonical();
  return key;
}

std::string KernelCache::full_key(const std::string& structure) {
  return structure + "|" + kKernelFormat + "|target=" + compiler().target_description();
}

CacheStats KernelCache::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  CacheStats stats = stats_;
  stats.entries = static_cast<std::int64_t>(cache_.size());
  return stats;
}

std::shared_ptr<CachedKernel> KernelCache::load_or_compile(const KernelSpec& spec,
                                                           const CodegenOptions& codegen,
                                                           const std::string& structure) {
  auto cached = std::make_shared<CachedKernel>();
  cached->setup_seconds = ensure_jit();
  cached->key = full_key(structure);
  const std::string symbol = "proxjit_" + stable_hash_hex(cached->key);
  if (disk_) {
    const Clock::time_point start = Clock::now();
    const DiskLookup found = disk_->load(cached->key);
    cached->cache_io_seconds += seconds_since(start);
    if (found.status == DiskLookupStatus::hit) {
      try {
        cached->kernel = compiler().link_object(found.object, symbol);
        cached->source = KernelSource::disk;
        std::lock_guard<std::mutex> lock(mutex_);
        ++stats_.disk_hits;
        return cached;
      } catch (const Error& error) {
        cached->note =
            std::string("disk entry could not be linked (") + error.what() + "); recompiled";
      }
    } else if (found.status == DiskLookupStatus::invalid) {
      cached->note = found.problem + "; recompiled";
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.disk_invalid;
    }
  }
  cached->kernel = compiler().compile(spec, codegen, symbol);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.compiles;
  }
  if (disk_) {
    const Clock::time_point start = Clock::now();
    std::string problem;
    if (!disk_->store(cached->key, cached->kernel.object, &problem)) {
      cached->note += (cached->note.empty() ? "" : "; ") + problem;
    }
    cached->cache_io_seconds += seconds_since(start);
  }
  return cached;
}

KernelCache::Acquired KernelCache::acquire(const KernelSpec& spec, const CodegenOptions& codegen,
                                          bool count_lookup) {
  Acquired result;
  const Clock::time_point start = Clock::now();
  const std::string structure = structure_key(spec, codegen);
  std::promise<std::shared_ptr<const CachedKernel>> promise;
  KernelFuture future;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = cache_.find(structure);
    if (found != cache_.end()) {
      future = found->second;
      if (future.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        if (count_lookup) ++stats_.hits;
        result.hit = true;
      } else if (count_lookup) {
        ++stats_.misses;  // another thread is compiling it: wait below
      }
    } else {
      future = promise.get_future().share();
      cache_.emplace(structure, future);
      if (count_lookup) ++stats_.misses;
      result.made_here = true;
    }
  }
  result.lookup_seconds = seconds_since(start);
  if (result.hit) {
    result.kernel = future.get();
    return result;
  }
  if (result.made_here) {
    try {
      promise.set_value(load_or_compile(spec, codegen, structure));
    } catch (...) {
      // Forget the failure so that a later call may try again, and tell the waiters.
      promise.set_exception(std::current_exception());
      std::lock_guard<std::mutex> lock(mutex_);
      cache_.erase(structure);
    }
  }
  result.kernel = future.get();  // rethrows a failed compile
  return result;
}

}  // namespace proxjit::detail

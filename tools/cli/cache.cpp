// `proxjit cache ls|stats|clear` and `proxjit precompile`: the on-disk kernel cache, looked at
// and filled ahead of time, so that a deployment never pays for a first call.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>

#include "commands.h"
#include "common.h"
#include "json.h"
#include "proxjit/disk_cache.h"
#include "proxjit/engine.h"
#include "proxjit/runtime/error.h"

namespace proxjit::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::string byte_text(std::int64_t bytes) {
  char buffer[32];
  if (bytes < 1024) {
    std::snprintf(buffer, sizeof buffer, "%lld B", static_cast<long long>(bytes));
  } else if (bytes < 1024 * 1024) {
    std::snprintf(buffer, sizeof buffer, "%.1f KiB", bytes / 1024.0);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
  return buffer;
}

// A file time as local "YYYY-MM-DD HH:MM:SS" (via the offset between the two clocks now,
// which works whatever file_clock's epoch is).
std::string local_time_text(std::filesystem::file_time_type time) {
  const auto system_time = std::chrono::system_clock::now() +
                           std::chrono::duration_cast<std::chrono::system_clock::duration>(
                               time - std::filesystem::file_time_type::clock::now());
  const std::time_t seconds = std::chrono::system_clock::to_time_t(system_time);
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &local);
  return buffer;
}

// The part of a kernel key a person reads: structure and codegen, not the target description.
std::string readable_key(const std::string& key) {
  if (key.empty()) return "(unreadable entry)";
  return key.substr(0, key.find("|target="));
}

// ---- cache ---------------------------------------------------------------------------------

struct CacheCommandFlags {
  CacheFlags cache;  // only .directory is used
  bool json = false;
};

// The cache directory, or null (after saying so) when there is none yet: looking at a cache
// should not create one (nor need write access: ls and stats open it read-only).
std::unique_ptr<DiskCache> open_existing(const CacheCommandFlags& flags,
                                         DiskCacheAccess access = DiskCacheAccess::read_only) {
  const std::filesystem::path directory = cache_directory_from(flags.cache);
  std::error_code error;
  if (!std::filesystem::exists(directory, error)) return nullptr;
  return std::make_unique<DiskCache>(directory, DiskCache::kDefaultMaxBytes, access);
}

int run_cache_ls(const CacheCommandFlags& flags) {
  const std::unique_ptr<DiskCache> disk = open_existing(flags);
  std::vector<DiskCacheEntry> entries;
  if (disk) entries = disk->entries();
  if (entries.empty()) {
    std::cerr << "proxjit cache: no kernels in " << cache_directory_from(flags.cache).string()
              << "\n";
    return kExitOk;
  }
  // Most recently used first.
  std::sort(entries.begin(), entries.end(), [](const DiskCacheEntry& a, const DiskCacheEntry& b) {
    return a.last_used > b.last_used;
  });
  for (const DiskCacheEntry& entry : entries) {
    std::printf("%s  %10s  %s  %s\n", entry.hash.c_str(), byte_text(entry.bytes).c_str(),
                local_time_text(entry.last_used).c_str(), readable_key(entry.key).c_str());
  }
  return kExitOk;
}

int run_cache_stats(const CacheCommandFlags& flags) {
  const std::unique_ptr<DiskCache> disk = open_existing(flags);
  DiskCacheStats stats;
  if (disk) {
    stats = disk->stats();
  } else {
    stats.directory = cache_directory_from(flags.cache).string();
    stats.max_bytes = DiskCache::kDefaultMaxBytes;
  }
  // Whether solves use it: PROXJIT_NO_CACHE turns it off unless a --cache-dir is given.
  const bool off_by_default = std::getenv("PROXJIT_NO_CACHE") != nullptr;
  if (flags.json) {
    JsonWriter json;
    json.begin_object();
    json.field("directory", stats.directory);
    json.field("exists", disk != nullptr);
    json.field("entries", stats.entries);
    json.field("bytes", stats.bytes);
    json.field("max_bytes", stats.max_bytes);
    json.field("hits", stats.hits);
    json.field("misses", stats.misses);
    json.field("invalid", stats.invalid);
    json.field("evicted", stats.evicted);
    json.field("disabled_by_environment", off_by_default);
    json.end_object();
    std::cout << json.text() << "\n";
    return kExitOk;
  }
  const auto line = [](const char* label, const std::string& value) {
    std::printf("%-10s %s\n", label, value.c_str());
  };
  line("directory", stats.directory + (disk ? "" : " (does not exist yet)"));
  line("entries", std::to_string(stats.entries));
  line("bytes", std::to_string(stats.bytes) + " (" + byte_text(stats.bytes) + ")");
  line("limit", std::to_string(stats.max_bytes) + " (" + byte_text(stats.max_bytes) +
                    "; least recently used entries are evicted beyond it)");
  line("hits", std::to_string(stats.hits));
  line("misses", std::to_string(stats.misses));
  line("invalid", std::to_string(stats.invalid) + " (truncated, corrupt or foreign; recompiled)");
  line("evicted", std::to_string(stats.evicted));
  if (off_by_default) {
    std::printf(
        "note: PROXJIT_NO_CACHE is set, so solves skip the disk cache unless given "
        "--cache-dir\n");
  }
  return kExitOk;
}

int run_cache_clear(const CacheCommandFlags& flags) {
  const std::unique_ptr<DiskCache> disk = open_existing(flags, DiskCacheAccess::read_write);
  if (!disk) {
    std::printf("removed 0 entries (%s does not exist)\n",
                cache_directory_from(flags.cache).string().c_str());
    return kExitOk;
  }
  const std::size_t count = disk->entries().size();
  disk->clear();
  std::printf("removed %zu %s from %s\n", count, count == 1 ? "entry" : "entries",
              disk->directory().string().c_str());
  return kExitOk;
}

void add_cache_directory_flag(CLI::App& app, CacheCommandFlags& flags) {
  app.add_option("--cache-dir", flags.cache.directory,
                 "The cache directory (default: $PROXJIT_CACHE_DIR, $XDG_CACHE_HOME/proxjit or "
                 "~/.cache/proxjit)")
      ->type_name("DIR");
}

// ---- precompile ----------------------------------------------------------------------------

struct PrecompileFlags {
  bool all = false;
  std::vector<std::string> signatures;
  std::vector<std::string> dtypes;
  SettingFlags settings;  // --opt-level, --prefer-vector-width
  CacheFlags cache;
};

std::string milliseconds(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f ms", seconds * 1e3);
  return buffer;
}

int run_precompile(const PrecompileFlags& flags) {
  if (!flags.all && flags.signatures.empty()) {
    throw Error(
        "nothing to compile: pass --signature \"SMOOTH PROX [DTYPE] [dense|sparse]\" "
        "(repeatable) or "
        "--all");
  }
  std::vector<ScalarType> scalars;
  for (const std::string& dtype : flags.dtypes) {
    const ScalarType scalar = scalar_named(dtype, "--dtype");
    if (std::find(scalars.begin(), scalars.end(), scalar) == scalars.end()) {
      scalars.push_back(scalar);
    }
  }
  // Every name is checked before anything is compiled.
  std::vector<KernelSignature> signatures;
  if (flags.all) {
    signatures = builtin_signatures(
        scalars.empty() ? std::vector<ScalarType>{ScalarType::f64, ScalarType::f32} : scalars);
  }
  for (const std::string& text : flags.signatures) {
    // A signature without a dtype is compiled for each --dtype (default float64).
    for (const KernelSignature& typed :
         for_each_dtype(parse_signature(text, ScalarType::f64, "--signature"), scalars)) {
      signatures.push_back(typed);
    }
  }
  // A loss over samples may meet dense or sparse data: both, unless the signature says.
  signatures = with_both_storages(signatures);
  const SolverOptions options = apply_setting_flags(flags.settings, default_solver_options());
  validate_options(options);

  EngineOptions engine_options = engine_options_from(flags.cache);
  if (!engine_options.disk_cache) {
    throw Error(
        "the disk cache is off (PROXJIT_NO_CACHE is set), so precompiled kernels would "
        "be lost: pass --cache-dir DIR");
  }
  Engine engine(engine_options);
  if (!engine.disk_cache()) {
    throw Error("cannot use the kernel cache: " + engine.disk_cache_problem());
  }
  std::printf("precompiling %zu %s into %s (-O%d)\n", signatures.size(),
              signatures.size() == 1 ? "kernel" : "kernels",
              engine.disk_cache()->directory().string().c_str(),
              options.codegen.optimization_level);
  std::map<KernelSource, int> counts;
  const Clock::time_point all_start = Clock::now();
  for (const KernelSignature& signature : signatures) {
    const Clock::time_point start = Clock::now();
    const KernelSource source =
        engine.precompile(kernel_spec_for(signature, options), options.codegen);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    ++counts[source];
    std::printf("  %-39s %-9s %10s\n", signature.text().c_str(),
                std::string(to_string(source)).c_str(), milliseconds(seconds).c_str());
  }
  const double total = std::chrono::duration<double>(Clock::now() - all_start).count();
  std::printf("%zu %s: %d compiled, %d from disk, %d already in memory; %s in total\n",
              signatures.size(), signatures.size() == 1 ? "kernel" : "kernels",
              counts[KernelSource::compiled], counts[KernelSource::disk],
              counts[KernelSource::memory], milliseconds(total).c_str());
  return kExitOk;
}

}  // namespace

Command add_cache_command(CLI::App& root) {
  auto flags = std::make_shared<CacheCommandFlags>();
  CLI::App* app = root.add_subcommand(
      "cache", "Look at or clear the on-disk kernel cache (ls, stats, clear; stats by default).");
  app->require_subcommand(0, 1);
  add_cache_directory_flag(*app, *flags);

  CLI::App* ls = app->add_subcommand(
      "ls", "One line per cached kernel: hash, size, last used (local time), and its key");
  add_cache_directory_flag(*ls, *flags);
  ls->footer("Example:\n  proxjit cache ls --cache-dir /tmp/kernels");

  CLI::App* stats = app->add_subcommand(
      "stats",
      "Directory, entries, bytes, size limit, and hits/misses/invalid/evicted over all processes");
  add_cache_directory_flag(*stats, *flags);
  stats->add_flag("--json", flags->json, "Print one JSON object");
  stats->footer("Example:\n  proxjit cache stats --json");

  CLI::App* clear = app->add_subcommand("clear", "Remove every cached kernel and the counters");
  add_cache_directory_flag(*clear, *flags);
  clear->footer("Example:\n  proxjit cache clear --cache-dir /tmp/kernels");

  app->footer(
      "Examples:\n"
      "  proxjit cache ls\n"
      "  proxjit cache stats --cache-dir /tmp/kernels --json\n"
      "  proxjit cache clear\n"
      "The directory: --cache-dir, else $PROXJIT_CACHE_DIR, $XDG_CACHE_HOME/proxjit or "
      "~/.cache/proxjit.");
  return {app, [flags, ls, clear] {
            if (ls->parsed()) return run_cache_ls(*flags);
            if (clear->parsed()) return run_cache_clear(*flags);
            return run_cache_stats(*flags);
          }};
}

Command add_precompile_command(CLI::App& root) {
  auto flags = std::make_shared<PrecompileFlags>();
  CLI::App* app = root.add_subcommand(
      "precompile",
      "Compile kernels ahead of time into the on-disk cache, so no process pays a first call.");
  app->add_flag("--all", flags->all,
                "Every smooth term x every prox, for float64 and float32 (or each --dtype), "
                "losses over samples for dense and sparse data");
  app->add_option("--signature", flags->signatures,
                  "A kernel as \"SMOOTH PROX [DTYPE] [dense|sparse]\", e.g. \"quadratic l1\", "
                  "\"least_squares box float32\" or \"logistic l1 sparse\"; a loss over samples "
                  "without dense|sparse gets both; repeatable")
      ->type_name("TEXT");
  app->add_option("--dtype", flags->dtypes,
                  "Scalar type(s) for signatures that name none (default float64); repeatable")
      ->type_name("float64|float32");
  add_setting_flags(*app, flags->settings, {"opt_level", "prefer_vector_width"},
                    default_solver_options());
  app->add_option("--cache-dir", flags->cache.directory,
                  "Compile into this directory (default: $PROXJIT_CACHE_DIR, "
                  "$XDG_CACHE_HOME/proxjit or ~/.cache/proxjit)")
      ->type_name("DIR");
  app->footer(
      "Examples:\n"
      "  proxjit precompile --signature \"quadratic l1\" --signature \"least_squares box "
      "float32\"\n"
      "  proxjit precompile --all --cache-dir /srv/app/kernels\n"
      "  PROXJIT_CACHE_DIR=/srv/app/kernels proxjit solve ...   (loads, never compiles)\n"
      "Kernels depend on structure only: parameter values and data sizes reuse them. Solves\n"
      "must use the same --opt-level and --prefer-vector-width to find them.\n"
      "Exit status: 0 when every kernel is in the cache, 2 on bad input.");
  return {app, [flags] { return run_precompile(*flags); }};
}

}  // namespace proxjit::cli

#pragma once
// Compiled kernels on disk, shared by every process of the same user and target.
//
// One file per kernel, <dir>/kernels/<hash>.pjk: a magic tag, the full kernel key, the object
// code and a checksum over both. Writes go to a temporary file renamed into place, so readers
// never see half an entry and concurrent writers of one key leave one valid entry. A load
// checks the size, the checksum and the key (a hash collision or a foreign file is a miss,
// never a wrong kernel). Hits refresh the file's time, which orders least-recently-used
// eviction once the directory grows past its size limit.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace proxjit {

// 16 hex digits of FNV-1a/64: stable across runs and platforms (std::hash is not).
std::string stable_hash_hex(const std::string& text);

enum class DiskLookupStatus {
  hit,      // a valid entry for exactly this key
  missing,  // no entry
  invalid,  // an entry was there but truncated, corrupt or for another key: removed
};

struct DiskLookup {
  DiskLookupStatus status = DiskLookupStatus::missing;
  std::string object;   // the object code on a hit
  std::string problem;  // what was wrong with an invalid entry
};

struct DiskCacheEntry {
  std::string hash;
  std::string key;  // empty if the entry cannot be read
  std::int64_t bytes = 0;
  std::filesystem::file_time_type last_used;
};

struct DiskCacheStats {
  std::string directory;
  std::int64_t entries = 0;
  std::int64_t bytes = 0;
  std::int64_t max_bytes = 0;
  // Counted over every process since the last clear (an append-only event log).
  std::int64_t hits = 0;
  std::int64_t misses = 0;
  std::int64_t invalid = 0;
  std::int64_t evicted = 0;
};

// read_only: for looking at a cache (list, stats): nothing is created, and a directory that
// cannot be written is accepted.
enum class DiskCacheAccess { read_write, read_only };

class DiskCache {
 public:
  static constexpr std::int64_t kDefaultMaxBytes = 256 << 20;

  // Creates the directory (and its kernels/) with owner-only permissions if missing. An existing
  // directory keeps its permissions: it is used as it is, or refused with a proxjit::Error naming
  // it and why (not a directory, not writable, kernels/ writable by others or not yours).
  explicit DiskCache(std::filesystem::path directory, std::int64_t max_bytes = kDefaultMaxBytes,
                     DiskCacheAccess access = DiskCacheAccess::read_write);

  // $PROXJIT_CACHE_DIR, else $XDG_CACHE_HOME/proxjit, else $HOME/.cache/proxjit.
  static std::filesystem::path default_directory();

  const std::filesystem::path& directory() const { return directory_; }

  DiskLookup load(const std::string& key) const;
  // Best effort: a full disk or a read-only directory loses the entry, not the solve.
  // Returns false (and why) when the entry could not be written.
  bool store(const std::string& key, const std::string& object, std::string* problem = nullptr);

  std::vector<DiskCacheEntry> entries() const;
  DiskCacheStats stats() const;
  // Removes every entry and the event log.
  void clear();

 private:
  std::filesystem::path entry_path(const std::string& hash) const;
  void log_event(const std::string& line) const;
  void evict_beyond_limit(const std::filesystem::path& keep);

  std::filesystem::path directory_;
  std::int64_t max_bytes_;
};

}  // namespace proxjit

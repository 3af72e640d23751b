#include "proxjit/disk_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "proxjit/runtime/error.h"

namespace proxjit {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'P', 'J', 'X', 'K', 'E', 'R', 'N', '1'};
constexpr std::size_t kHeaderBytes = sizeof kMagic + 3 * sizeof(std::uint64_t);

std::uint64_t fnv1a(const char* data, std::size_t size,
                    std::uint64_t hash = 1469598103934665603ull) {
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= static_cast<unsigned char>(data[i]);
    hash *= 1099511628211ull;
  }
  return hash;
}

std::uint64_t checksum(const std::string& key, const std::string& object) {
  return fnv1a(object.data(), object.size(), fnv1a(key.data(), key.size()));
}

void put_u64(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t get_u64(const char* in) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

bool read_file(const fs::path& path, std::string& contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  contents = buffer.str();
  return true;
}

// Parses an entry; returns "" when valid, else what is wrong.
std::string parse_entry(const std::string& contents, std::string& key, std::string& object) {
  if (contents.size() >= sizeof kMagic &&
      std::memcmp(contents.data(), kMagic, sizeof kMagic) != 0) {
    return "not a proxjit kernel file";
  }
  if (contents.size() < kHeaderBytes) return "truncated (shorter than its header)";
  const std::uint64_t key_bytes = get_u64(contents.data() + 8);
  const std::uint64_t object_bytes = get_u64(contents.data() + 16);
  const std::uint64_t sum = get_u64(contents.data() + 24);
  if (key_bytes > contents.size() || object_bytes > contents.size() ||
      kHeaderBytes + key_bytes + object_bytes != contents.size()) {
    return "truncated or padded (sizes do not match the header)";
  }
  key.assign(contents, kHeaderBytes, key_bytes);
  object.assign(contents, kHeaderBytes + key_bytes, object_bytes);
  if (checksum(key, object) != sum) return "corrupt (checksum mismatch)";
  return "";
}

}  // namespace

std::string stable_hash_hex(const std::string& text) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx",
                static_cast<unsigned long long>(fnv1a(text.data(), text.size())));
  return buffer;
}

namespace {

std::string mode_text(mode_t mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04o", static_cast<unsigned>(mode & 07777));
  return buffer;
}

[[noreturn]] void refuse(const fs::path& directory, const std::string& why) {
  throw Error("kernel cache directory " + directory.string() + " " + why +
              " (set another with --cache-dir or PROXJIT_CACHE_DIR)");
}

// Makes `path` a directory: an existing one is left exactly as it is; a missing one is created
// owner-only (kernels are code this process will run). Returns its status.
struct stat ensure_directory(const fs::path& path, const fs::path& shown, bool create) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT || !create)
      refuse(shown, std::string("cannot be used: ") + std::strerror(errno));
    std::error_code error;
    if (path.has_parent_path()) fs::create_directories(path.parent_path(), error);
    if (error) refuse(shown, "cannot be created: " + error.message());
    if (::mkdir(path.c_str(), 0700) == 0) {
      ::chmod(path.c_str(), 0700);  // ours: exactly 0700, whatever the umask
    } else if (errno != EEXIST) {   // EEXIST: another process made it just now
      refuse(shown, std::string("cannot be created: ") + std::strerror(errno));
    }
    if (::stat(path.c_str(), &info) != 0) {
      refuse(shown, std::string("cannot be used: ") + std::strerror(errno));
    }
  }
  if (!S_ISDIR(info.st_mode)) refuse(shown, "is not a directory");
  return info;
}

}  // namespace

DiskCache::DiskCache(fs::path directory, std::int64_t max_bytes, DiskCacheAccess access)
    : directory_(std::move(directory)), max_bytes_(max_bytes) {
  const bool writing = access == DiskCacheAccess::read_write;
  // "dir/" has an empty file name: mkdir and stat want "dir".
  const fs::path top = directory_.has_filename() ? directory_ : directory_.parent_path();
  const fs::path kernels = directory_ / "kernels";
  const struct stat top_info = ensure_directory(top, directory_, writing);
  if (!writing) return;
  const struct stat kernel_info = ensure_directory(kernels, kernels, true);
  // Never chmod what proxjit did not create (a shared /tmp-like directory would lose its
  // sticky bit): refuse what is unusable or unsafe instead, and say why.
  for (const fs::path& dir : {top, kernels}) {
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
      struct stat info {};
      ::stat(dir.c_str(), &info);
      refuse(dir, "is not writable (mode " + mode_text(info.st_mode) + ": " + std::strerror(errno) +
                      "); proxjit leaves its permissions as they are");
    }
  }
  // Others who can write kernels/ (or swap it: a non-sticky writable parent) could plant code.
  if (kernel_info.st_uid != ::geteuid()) {
    refuse(kernels, "belongs to another user (uid " + std::to_string(kernel_info.st_uid) +
                        "); kernels are code this process runs");
  }
  if ((kernel_info.st_mode & 022) != 0) {
    refuse(kernels, "is writable by other users (mode " + mode_text(kernel_info.st_mode) +
                        "); kernels are code this process runs: chmod go-w it");
  }
  if ((top_info.st_mode & 022) != 0 && (top_info.st_mode & S_ISVTX) == 0) {
    refuse(directory_, "is writable by other users without the sticky bit (mode " +
                           mode_text(top_info.st_mode) + "), who could replace its kernels/");
  }
}

fs::path DiskCache::default_directory() {
  if (const char* explicit_dir = std::getenv("PROXJIT_CACHE_DIR"); explicit_dir && *explicit_dir) {
    return explicit_dir;
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return fs::path(xdg) / "proxjit";
  if (const char* home = std::getenv("HOME"); home && *home) {
    return fs::path(home) / ".cache" / "proxjit";
  }
  return fs::temp_directory_path() / ("proxjit-" + std::to_string(getuid()));
}

fs::path DiskCache::entry_path(const std::string& hash) const {
  return directory_ / "kernels" / (hash + ".pjk");
}

void DiskCache::log_event(const std::string& line) const {
  // O_APPEND writes of one short line are atomic, so processes can share the log.
  const int fd = ::open((directory_ / "events.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) return;
  const std::string text = line + "\n";
  [[maybe_unused]] const ssize_t written = ::write(fd, text.data(), text.size());
  ::close(fd);
}

DiskLookup DiskCache::load(const std::string& key) const {
  DiskLookup result;
  const std::string hash = stable_hash_hex(key);
  const fs::path path = entry_path(hash);
  std::string contents;
  if (!read_file(path, contents)) {
    log_event("miss " + hash);
    return result;
  }
  std::string stored_key;
  result.problem = parse_entry(contents, stored_key, result.object);
  if (result.problem.empty() && stored_key != key) {
    result.problem = "written for another kernel key (a hash collision or a foreign file)";
  }
  if (!result.problem.empty()) {
    result.status = DiskLookupStatus::invalid;
    result.object.clear();
    result.problem = "disk entry " + path.string() + " is " + result.problem;
    std::error_code ignored;
    fs::remove(path, ignored);
    log_event("invalid " + hash);
    return result;
  }
  result.status = DiskLookupStatus::hit;
  std::error_code ignored;
  fs::last_write_time(path, fs::file_time_type::clock::now(), ignored);  // recently used
  log_event("hit " + hash);
  return result;
}

bool DiskCache::store(const std::string& key, const std::string& object, std::string* problem) {
  static std::atomic<unsigned> counter{0};
  const std::string hash = stable_hash_hex(key);
  const fs::path path = entry_path(hash);
  const fs::path temporary =
      directory_ / "kernels" /
      ("." + hash + "." + std::to_string(getpid()) + "." + std::to_string(counter++) + ".tmp");
  std::string contents(kMagic, sizeof kMagic);
  put_u64(contents, key.size());
  put_u64(contents, object.size());
  put_u64(contents, checksum(key, object));
  contents += key;
  contents += object;
  const auto fail = [&](const std::string& what) {
    if (problem) *problem = "could not write " + path.string() + ": " + what;
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return false;
  };
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return fail(std::strerror(errno));
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n <= 0) {
      ::close(fd);
      return fail(std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  std::error_code error;
  fs::rename(temporary, path, error);  // atomic: readers see the old entry or the new one
  if (error) return fail(error.message());
  evict_beyond_limit(path);
  return true;
}

std::vector<DiskCacheEntry> DiskCache::entries() const {
  std::vector<DiskCacheEntry> list;
  std::error_code error;
  for (const auto& file : fs::directory_iterator(directory_ / "kernels", error)) {
    if (file.path().extension() != ".pjk") continue;
    DiskCacheEntry entry;
    entry.hash = file.path().stem().string();
    entry.bytes = static_cast<std::int64_t>(file.file_size(error));
    entry.last_used = file.last_write_time(error);
    std::string contents, object;
    if (read_file(file.path(), contents) && !parse_entry(contents, entry.key, object).empty()) {
      entry.key.clear();
    }
    list.push_back(std::move(entry));
  }
  std::sort(list.begin(), list.end(), [](const DiskCacheEntry& a, const DiskCacheEntry& b) {
    return a.last_used > b.last_used;
  });
  return list;
}

DiskCacheStats DiskCache::stats() const {
  DiskCacheStats stats;
  stats.directory = directory_.string();
  stats.max_bytes = max_bytes_;
  for (const DiskCacheEntry& entry : entries()) {
    ++stats.entries;
    stats.bytes += entry.bytes;
  }
  std::ifstream log(directory_ / "events.log");
  std::string word, hash;
  while (log >> word >> hash) {
    if (word == "hit") ++stats.hits;
    if (word == "miss") ++stats.misses;
    if (word == "invalid") ++stats.invalid;
    if (word == "evict") ++stats.evicted;
  }
  return stats;
}

void DiskCache::clear() {
  std::error_code ignored;
  for (const auto& file : fs::directory_iterator(directory_ / "kernels", ignored)) {
    fs::remove(file.path(), ignored);
  }
  fs::remove(directory_ / "events.log", ignored);
}

void DiskCache::evict_beyond_limit(const fs::path& keep) {
  // Sizes and times only: reading every entry's key would make each store cost the whole cache.
  std::vector<DiskCacheEntry> list;
  std::error_code error;
  for (const auto& file : fs::directory_iterator(directory_ / "kernels", error)) {
    if (file.path().extension() != ".pjk") continue;
    list.push_back({file.path().stem().string(), "",
                    static_cast<std::int64_t>(file.file_size(error)), file.last_write_time(error)});
  }
  std::sort(list.begin(), list.end(), [](const DiskCacheEntry& a, const DiskCacheEntry& b) {
    return a.last_used > b.last_used;
  });
  std::int64_t total = 0;
  for (const DiskCacheEntry& entry : list)
    total += entry.bytes;
  while (total > max_bytes_ && !list.empty()) {
    const DiskCacheEntry& oldest = list.back();
    if (entry_path(oldest.hash) != keep) {
      std::error_code ignored;
      if (fs::remove(entry_path(oldest.hash), ignored)) log_event("evict " + oldest.hash);
      total -= oldest.bytes;
    }
    list.pop_back();
  }
}

}  // namespace proxjit

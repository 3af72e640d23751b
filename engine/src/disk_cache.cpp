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

// Closes on every way out.
struct FileDescriptor {
  int fd;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

bool read_exactly(int fd, char* out, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, out + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Opens a cache file for reading without following a symlink or blocking on a FIFO, and accepts
// a regular file only: returns the descriptor (-1 if absent or unreadable; `problem` says why
// when the file is there but is no regular file) and sets `bytes` to its size.
int open_regular(const fs::path& path, std::uint64_t& bytes, std::string& problem) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP) problem = "a symbolic link, not a regular file";
    return -1;
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    if (S_ISFIFO(info.st_mode)) {
      problem = "a FIFO, not a regular file";
    } else if (S_ISDIR(info.st_mode)) {
      problem = "a directory, not a regular file";
    } else {
      problem = "not a regular file";
    }
    ::close(fd);
    return -1;
  }
  bytes = static_cast<std::uint64_t>(info.st_size);
  return fd;
}

// Reads and checks an entry: the header first, then no more than the sizes it declares (which
// must add up to the file's size), the key and the object straight into their strings (one
// copy of the object in memory, however large). Returns false when there is no readable file;
// otherwise `problem` is "" for a valid entry, else what is wrong with it.
bool read_entry(const fs::path& path, std::string& key, std::string& object, std::string& problem) {
  problem.clear();
  std::uint64_t size = 0;
  const FileDescriptor file{open_regular(path, size, problem)};
  if (file.fd < 0) return !problem.empty();
  char header[kHeaderBytes];
  const auto head = static_cast<std::size_t>(std::min<std::uint64_t>(size, kHeaderBytes));
  if (!read_exactly(file.fd, header, head)) {
    problem = "unreadable or truncated (its header could not be read)";
    return true;
  }
  if (head >= sizeof kMagic && std::memcmp(header, kMagic, sizeof kMagic) != 0) {
    problem = "not a proxjit kernel file";
    return true;
  }
  if (head < kHeaderBytes) {
    problem = "truncated (shorter than its header)";
    return true;
  }
  const std::uint64_t key_bytes = get_u64(header + 8);
  const std::uint64_t object_bytes = get_u64(header + 16);
  const std::uint64_t sum = get_u64(header + 24);
  if (key_bytes > size || object_bytes > size || kHeaderBytes + key_bytes + object_bytes != size) {
    problem = "truncated or padded (sizes do not match the header)";
    return true;
  }
  key.resize(static_cast<std::size_t>(key_bytes));
  object.resize(static_cast<std::size_t>(object_bytes));
  if (!read_exactly(file.fd, key.data(), key.size()) ||
      !read_exactly(file.fd, object.data(), object.size())) {
    problem = "truncated (shorter than its header says)";  // it shrank while being read
  } else if (checksum(key, object) != sum) {
    problem = "corrupt (checksum mismatch)";
  }
  if (!problem.empty()) {
    key.clear();
    object.clear();
  }
  return true;
}

// A directory entry's size without following a symlink: 0 for anything but a regular file.
std::int64_t regular_file_bytes(const fs::directory_entry& file) {
  std::error_code error;
  if (!fs::is_regular_file(file.symlink_status(error))) return 0;
  const std::uintmax_t bytes = file.file_size(error);
  return error ? 0 : static_cast<std::int64_t>(bytes);
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
  const int fd = ::open((directory_ / "events.log").c_str(),
                        O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0) return;
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return;
  }
  const std::string text = line + "\n";
  [[maybe_unused]] const ssize_t written = ::write(fd, text.data(), text.size());
  ::close(fd);
}

DiskLookup DiskCache::load(const std::string& key) const {
  DiskLookup result;
  const std::string hash = stable_hash_hex(key);
  const fs::path path = entry_path(hash);
  std::string stored_key;
  if (!read_entry(path, stored_key, result.object, result.problem)) {
    log_event("miss " + hash);
    return result;
  }
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
    entry.bytes = regular_file_bytes(file);
    entry.last_used = file.last_write_time(error);
    std::string object, problem;
    read_entry(file.path(), entry.key, object, problem);  // a bad entry lists with no key
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
  // The log is read as safely as the entries (a FIFO there must not hang `cache stats`).
  std::string text, problem;
  std::uint64_t size = 0;
  const FileDescriptor file{open_regular(directory_ / "events.log", size, problem)};
  if (file.fd >= 0) {
    text.resize(static_cast<std::size_t>(size));
    std::size_t done = 0;
    for (ssize_t n = 0; done < text.size(); done += static_cast<std::size_t>(n)) {
      n = ::read(file.fd, text.data() + done, text.size() - done);
      if (n <= 0) break;
    }
    text.resize(done);
  }
  std::istringstream log(text);
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
    list.push_back(
        {file.path().stem().string(), "", regular_file_bytes(file), file.last_write_time(error)});
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

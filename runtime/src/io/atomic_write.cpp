// Every file proxjit writes goes through write_file_atomically: the contents go to a temporary
// file next to the target, which is renamed over it only once complete, so a failed or
// interrupted write never leaves a half-written file (and never truncates the old one first).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"

namespace proxjit {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error(path + ": " + what);
}

std::string errno_text() {
  return std::strerror(errno);
}

// Writes all of `contents` to `fd`; false on an error (errno set).
bool write_all(int fd, std::string_view contents) {
  while (!contents.empty()) {
    const ssize_t written = ::write(fd, contents.data(), contents.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    contents.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

// The file a write to `path` lands in: symbolic links followed (as a plain open would), so
// that the link stays and its target is replaced, in the target's own directory.
fs::path resolve_links(const std::string& path) {
  fs::path target(path);
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code error;
    if (!fs::is_symlink(fs::symlink_status(target, error))) return target;
    const fs::path link = fs::read_symlink(target, error);
    if (error) return target;
    target = link.is_absolute() ? link : target.parent_path() / link;
  }
  fail(path, "too many levels of symbolic links");
}

// Devices, pipes and sockets (/dev/stdout, /dev/null, a FIFO) are written in place: renaming
// over them would replace the device node, not write to it.
void write_in_place(const std::string& path, std::string_view contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(path, "cannot open for writing: " + errno_text());
  const bool ok = write_all(fd, contents);
  const std::string why = ok ? std::string() : errno_text();
  ::close(fd);
  if (!ok) fail(path, "cannot write the file: " + why);
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view contents) {
  if (path.empty()) throw Error("cannot write a file with an empty name");
  const fs::path target = resolve_links(path);
  struct stat existing {};
  const bool exists = ::stat(target.c_str(), &existing) == 0;
  if (exists && S_ISDIR(existing.st_mode)) fail(path, "is a directory, not a file");
  if (exists && !S_ISREG(existing.st_mode)) return write_in_place(path, contents);

  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string stem = "." + target.filename().string() + ".proxjit-tmp-";
  std::random_device entropy;
  std::string temporary;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    temporary = (directory / (stem + std::to_string(entropy() % 1000000000u))).string();
    // 0644 less the umask, as a new file; O_EXCL: never reuse (or follow) an existing name.
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) {
      fail(path, "cannot open for writing (a temporary file in " + directory.string() +
                     "): " + errno_text());
    }
  }
  if (fd < 0) fail(path, "cannot create a temporary file in " + directory.string());
  const auto abandon = [&](const std::string& what) {
    ::close(fd);
    ::unlink(temporary.c_str());
    fail(path, what);
  };
  // A file that is replaced keeps its permissions.
  if (exists && ::fchmod(fd, existing.st_mode & 07777) != 0) {
    abandon("cannot set the permissions of the new file: " + errno_text());
  }
  if (!write_all(fd, contents)) abandon("cannot write the file (disk full?): " + errno_text());
  // On disk before it replaces the old file: a crash leaves the old or the new, never neither.
  if (::fsync(fd) != 0) abandon("cannot write the file (disk full?): " + errno_text());
  if (::close(fd) != 0) {
    ::unlink(temporary.c_str());
    fail(path, "cannot write the file (disk full?): " + errno_text());
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(temporary.c_str());
    fail(path, "cannot replace the file: " + why);
  }
}

}  // namespace proxjit

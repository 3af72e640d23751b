// The disk kernel cache: entries survive processes, and anything wrong with an entry is
// detected and recompiled, never loaded.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <optional>
#include <thread>

#include "proxjit/disk_cache.h"
#include "proxjit/engine.h"
#include "support/problems.h"

namespace proxjit {
namespace {

namespace fs = std::filesystem;

// A fresh, empty directory per test.
fs::path fresh_directory(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() /
                       ("proxjit_disk_cache_test_" + std::to_string(getpid()) + "_" + name);
  fs::remove_all(dir);
  return dir;
}

fs::path only_entry(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(dir / "kernels")) {
    if (f.path().extension() == ".pjk") files.push_back(f.path());
  }
  EXPECT_EQ(files.size(), 1u);
  return files.empty() ? fs::path() : files[0];
}

std::string object_bytes(std::size_t size, char seed) {
  std::string object(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    object[i] = static_cast<char>(seed + i * 7);
  return object;
}

TEST(DiskCache, StoresAndLoadsAnEntryForItsExactKey) {
  DiskCache cache(fresh_directory("roundtrip"));
  EXPECT_EQ(cache.load("key-a").status, DiskLookupStatus::missing);
  const std::string object = object_bytes(3000, 1);
  ASSERT_TRUE(cache.store("key-a", object));
  const DiskLookup found = cache.load("key-a");
  ASSERT_EQ(found.status, DiskLookupStatus::hit);
  EXPECT_EQ(found.object, object);
  // Another key (another CPU feature string, another version): a miss.
  EXPECT_EQ(cache.load("key-a|features=+avx512f").status, DiskLookupStatus::missing);
  const DiskCacheStats stats = cache.stats();
  EXPECT_EQ(stats.entries, 1);
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 2);
}

TEST(DiskCache, DirectoryIsOwnerOnly) {
  const fs::path dir = fresh_directory("perms");
  DiskCache cache(dir);
  ASSERT_TRUE(cache.store("k", "object"));
  EXPECT_EQ(fs::status(dir).permissions() & fs::perms::all, fs::perms::owner_all);
  struct stat info {};
  ASSERT_EQ(::stat(only_entry(dir).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

fs::path existing_directory(const std::string& name, unsigned mode) {
  const fs::path dir = fresh_directory(name);
  fs::create_directories(dir);
  EXPECT_EQ(::chmod(dir.c_str(), mode), 0);
  return dir;
}

TEST(DiskCache, ExistingSharedStickyDirectoryKeepsItsMode) {
  // A /tmp-like directory: losing its sticky bit or world access would harm its other users.
  const fs::path dir = existing_directory("sticky", 01777);
  DiskCache cache(dir);
  ASSERT_TRUE(cache.store("k", "object"));
  EXPECT_EQ(cache.load("k").status, DiskLookupStatus::hit);
  EXPECT_EQ(mode_of(dir), 01777u);
  EXPECT_EQ(mode_of(dir / "kernels"), 0700u);  // created by proxjit: owner-only
}

TEST(DiskCache, ExistingDirectoryIsUsedAsItIs) {
  const fs::path dir = existing_directory("as_is", 0755);
  { DiskCache cache(dir); }
  EXPECT_EQ(mode_of(dir), 0755u);
}

TEST(DiskCache, ReadOnlyCacheIsNeverMadeWritable) {
  const fs::path dir = existing_directory("read_only", 0700);
  { DiskCache(dir).store("k", "object"); }
  ASSERT_EQ(::chmod((dir / "kernels").c_str(), 0500), 0);
  ASSERT_EQ(::chmod(dir.c_str(), 0500), 0);
  Engine engine(EngineOptions{.disk_cache = true, .cache_directory = dir.string()});
  if (::geteuid() == 0) {
    // Root writes whatever the mode says; what matters is that the mode stays.
    ASSERT_NE(engine.disk_cache(), nullptr) << engine.disk_cache_problem();
    EXPECT_TRUE(engine.disk_cache()->store("k2", "object"));
  } else {
    EXPECT_EQ(engine.disk_cache(), nullptr);
    EXPECT_NE(engine.disk_cache_problem().find("not writable"), std::string::npos)
        << engine.disk_cache_problem();
    EXPECT_THROW(DiskCache{dir}, Error);
    // Looking at it needs no write access.
    EXPECT_EQ(
        DiskCache(dir, DiskCache::kDefaultMaxBytes, DiskCacheAccess::read_only).entries().size(),
        1u);
  }
  EXPECT_EQ(mode_of(dir), 0500u);
  EXPECT_EQ(mode_of(dir / "kernels"), 0500u);
  ::chmod(dir.c_str(), 0700);
  ::chmod((dir / "kernels").c_str(), 0700);
}

TEST(DiskCache, KernelsDirectoryWritableByOthersIsRefusedNotChmodded) {
  const fs::path dir = existing_directory("others", 0700);
  fs::create_directories(dir / "kernels");
  ASSERT_EQ(::chmod((dir / "kernels").c_str(), 0777), 0);
  try {
    DiskCache cache(dir);
    ADD_FAILURE() << "a kernels/ anyone can write was used";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("writable by other users"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find((dir / "kernels").string()), std::string::npos);
  }
  EXPECT_EQ(mode_of(dir / "kernels"), 0777u);
}

TEST(DiskCache, WorldWritableDirectoryWithoutStickyBitIsRefusedNotChmodded) {
  const fs::path dir = existing_directory("no_sticky", 0777);
  EXPECT_THROW(DiskCache{dir}, Error);
  EXPECT_EQ(mode_of(dir), 0777u);
}

TEST(DiskCache, ReadOnlyAccessCreatesNothing) {
  const fs::path dir = existing_directory("look_only", 0755);
  DiskCache cache(dir, DiskCache::kDefaultMaxBytes, DiskCacheAccess::read_only);
  EXPECT_EQ(cache.stats().entries, 0);
  EXPECT_FALSE(fs::exists(dir / "kernels"));
  EXPECT_THROW(DiskCache(fresh_directory("look_missing"), DiskCache::kDefaultMaxBytes,
                         DiskCacheAccess::read_only),
               Error);
}

TEST(DiskCache, TruncatedEntryIsDetectedAndRemoved) {
  const fs::path dir = fresh_directory("truncated");
  DiskCache cache(dir);
  ASSERT_TRUE(cache.store("key", object_bytes(2000, 3)));
  const fs::path entry = only_entry(dir);
  fs::resize_file(entry, fs::file_size(entry) / 2);
  const DiskLookup found = cache.load("key");
  EXPECT_EQ(found.status, DiskLookupStatus::invalid);
  EXPECT_NE(found.problem.find("truncated"), std::string::npos) << found.problem;
  EXPECT_TRUE(found.object.empty());
  EXPECT_FALSE(fs::exists(entry));
  EXPECT_EQ(cache.load("key").status, DiskLookupStatus::missing);
}

TEST(DiskCache, FlippedBitIsDetected) {
  const fs::path dir = fresh_directory("bitflip");
  DiskCache cache(dir);
  ASSERT_TRUE(cache.store("key", object_bytes(2000, 5)));
  const fs::path entry = only_entry(dir);
  {
    std::fstream file(entry, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(1500);
    char byte = 0;
    file.read(&byte, 1);
    byte ^= 0x10;
    file.seekp(1500);
    file.write(&byte, 1);
  }
  const DiskLookup found = cache.load("key");
  EXPECT_EQ(found.status, DiskLookupStatus::invalid);
  EXPECT_NE(found.problem.find("checksum"), std::string::npos) << found.problem;
}

TEST(DiskCache, ForeignEntryUnderTheSameNameIsNotLoaded) {
  const fs::path dir = fresh_directory("foreign");
  DiskCache cache(dir);
  ASSERT_TRUE(cache.store("key-one", object_bytes(100, 9)));
  // Put key-one's (valid) entry where key-two's would be: as a hash collision would.
  fs::rename(only_entry(dir), dir / "kernels" / (stable_hash_hex("key-two") + ".pjk"));
  const DiskLookup found = cache.load("key-two");
  EXPECT_EQ(found.status, DiskLookupStatus::invalid);
  EXPECT_NE(found.problem.find("another kernel key"), std::string::npos) << found.problem;
}

TEST(DiskCache, GarbageFileIsNotAKernel) {
  const fs::path dir = fresh_directory("garbage");
  DiskCache cache(dir);
  std::ofstream(dir / "kernels" / (stable_hash_hex("k") + ".pjk")) << "hello, this is not a kernel";
  const DiskLookup found = cache.load("k");
  EXPECT_EQ(found.status, DiskLookupStatus::invalid);
  EXPECT_NE(found.problem.find("not a proxjit kernel"), std::string::npos) << found.problem;
}

// ---- entries that are no regular file, or lie about their size ----

// Runs `f` on a detached thread: a call that blocks fails the test instead of hanging it.
template <class F>
auto within_seconds(int seconds, F f) -> std::optional<decltype(f())> {
  using Result = decltype(f());
  auto task = std::make_shared<std::packaged_task<Result()>>(std::move(f));
  std::future<Result> future = task->get_future();
  std::thread([task] { (*task)(); }).detach();
  if (future.wait_for(std::chrono::seconds(seconds)) != std::future_status::ready) {
    return std::nullopt;
  }
  return future.get();
}

fs::path entry_for(const fs::path& dir, const std::string& key) {
  return dir / "kernels" / (stable_hash_hex(key) + ".pjk");
}

// An entry header: magic, key and object sizes, checksum.
std::string entry_header(std::uint64_t key_bytes, std::uint64_t object_bytes) {
  std::string header = "PJXKERN1";
  for (std::uint64_t value : {key_bytes, object_bytes, std::uint64_t{0}}) {
    for (int i = 0; i < 8; ++i)
      header += static_cast<char>((value >> (8 * i)) & 0xff);
  }
  return header;
}

TEST(DiskCache, FifoEntryIsRejectedWithoutBlocking) {
  const fs::path dir = fresh_directory("fifo");
  const auto cache = std::make_shared<DiskCache>(dir);
  const fs::path entry = entry_for(dir, "k");
  ASSERT_EQ(::mkfifo(entry.c_str(), 0600), 0);
  const auto listing = within_seconds(10, [cache] { return cache->entries(); });
  ASSERT_TRUE(listing) << "entries() blocked on a FIFO entry";
  ASSERT_EQ(listing->size(), 1u);
  EXPECT_EQ(listing->front().key, "");
  EXPECT_EQ(listing->front().bytes, 0);
  const auto stats = within_seconds(10, [cache] { return cache->stats(); });
  ASSERT_TRUE(stats) << "stats() blocked on a FIFO entry";
  EXPECT_EQ(stats->bytes, 0);
  const auto found = within_seconds(10, [cache] { return cache->load("k"); });
  ASSERT_TRUE(found) << "load() blocked on a FIFO entry";
  EXPECT_EQ(found->status, DiskLookupStatus::invalid);
  EXPECT_NE(found->problem.find("FIFO"), std::string::npos) << found->problem;
  EXPECT_FALSE(fs::exists(fs::symlink_status(entry)));  // removed, so the recompile can store
  EXPECT_TRUE(cache->store("k", "object"));
  EXPECT_EQ(cache->load("k").status, DiskLookupStatus::hit);
}

TEST(DiskCache, FifoEventLogDoesNotBlockStats) {
  const fs::path dir = fresh_directory("fifo_log");
  const auto cache = std::make_shared<DiskCache>(dir);
  ASSERT_EQ(::mkfifo((dir / "events.log").c_str(), 0600), 0);
  const auto stored = within_seconds(10, [cache] { return cache->store("k", "object"); });
  ASSERT_TRUE(stored) << "store() blocked on a FIFO event log";
  const auto stats = within_seconds(10, [cache] { return cache->stats(); });
  ASSERT_TRUE(stats) << "stats() blocked on a FIFO event log";
  EXPECT_EQ(stats->entries, 1);
  EXPECT_EQ(stats->hits, 0);
}

TEST(DiskCache, SymlinkedEntryIsNeverFollowed) {
  const fs::path dir = fresh_directory("symlink");
  const auto cache = std::make_shared<DiskCache>(dir);
  // To /dev/zero: an endless read unless the link is refused.
  fs::create_symlink("/dev/zero", entry_for(dir, "zero"));
  const auto found = within_seconds(10, [cache] { return cache->load("zero"); });
  ASSERT_TRUE(found) << "load() read a symlink to /dev/zero";
  EXPECT_EQ(found->status, DiskLookupStatus::invalid);
  EXPECT_NE(found->problem.find("symbolic link"), std::string::npos) << found->problem;
  EXPECT_FALSE(fs::is_symlink(entry_for(dir, "zero")));
  EXPECT_TRUE(fs::exists("/dev/zero"));  // the link went, not its target
  // To a valid entry somewhere else: still refused (the code would come from outside).
  ASSERT_TRUE(cache->store("k", "object"));
  const fs::path elsewhere = fresh_directory("symlink_target");
  fs::create_directories(elsewhere);
  fs::rename(entry_for(dir, "k"), elsewhere / "entry.pjk");
  fs::create_symlink(elsewhere / "entry.pjk", entry_for(dir, "k"));
  const auto listing = within_seconds(10, [cache] { return cache->entries(); });
  ASSERT_TRUE(listing);
  ASSERT_EQ(listing->size(), 1u);
  EXPECT_EQ(listing->front().key, "");
  EXPECT_EQ(listing->front().bytes, 0);
  EXPECT_EQ(cache->load("k").status, DiskLookupStatus::invalid);
  EXPECT_TRUE(fs::exists(elsewhere / "entry.pjk"));
  fs::remove_all(elsewhere);
}

TEST(DiskCache, HeaderClaimingMoreBytesThanTheFileIsTruncated) {
  const fs::path dir = fresh_directory("claims");
  const auto cache = std::make_shared<DiskCache>(dir);
  std::ofstream(entry_for(dir, "k"), std::ios::binary)
      << entry_header(1, std::uint64_t{1} << 40) << "k"
      << "only a few bytes";
  const auto found = within_seconds(10, [cache] { return cache->load("k"); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, DiskLookupStatus::invalid);
  EXPECT_NE(found->problem.find("truncated"), std::string::npos) << found->problem;
}

TEST(DiskCache, LargeEntryIsReadWithoutASecondCopy) {
  const fs::path dir = fresh_directory("large");
  { DiskCache create(dir); }
  // A 256 MiB object in a sparse file: its checksum fails, but only once all of it was read.
  constexpr std::uint64_t kObject = std::uint64_t{256} << 20;
  const fs::path entry = entry_for(dir, "k");
  std::ofstream(entry, std::ios::binary) << entry_header(1, kObject) << "k";
  fs::resize_file(entry, 32 + 1 + kObject);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // In a child: its peak resident size measures this one load.
    struct rusage before {
    }, after{};
    ::getrusage(RUSAGE_SELF, &before);
    const DiskLookup found = DiskCache(dir).load("k");
    ::getrusage(RUSAGE_SELF, &after);
    const long grown_kib =
        found.status == DiskLookupStatus::invalid ? after.ru_maxrss - before.ru_maxrss : -1;
    [[maybe_unused]] const ssize_t written = ::write(pipe_fds[1], &grown_kib, sizeof grown_kib);
    _exit(0);
  }
  long grown_kib = -2;
  ASSERT_EQ(::read(pipe_fds[0], &grown_kib, sizeof grown_kib),
            static_cast<ssize_t>(sizeof grown_kib));
  int status = 0;
  waitpid(pid, &status, 0);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  ASSERT_GE(grown_kib, 0) << "the bad entry was not reported invalid";
  EXPECT_LT(static_cast<std::uint64_t>(grown_kib) * 1024, kObject * 3 / 2)
      << "peak memory grew by " << grown_kib / 1024 << " MiB for a " << (kObject >> 20)
      << " MiB entry";
  fs::remove_all(dir);
}

TEST(DiskCache, ConcurrentWritersFromSeveralProcessesLeaveOneValidEntry) {
  const fs::path dir = fresh_directory("writers");
  { DiskCache create_directory_once(dir); }
  const std::string object = object_bytes(200000, 11);
  std::vector<pid_t> children;
  for (int child = 0; child < 4; ++child) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      DiskCache cache(dir);
      bool ok = true;
      for (int round = 0; round < 20; ++round)
        ok = cache.store("shared", object) && ok;
      _exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  DiskCache cache(dir);
  const DiskLookup found = cache.load("shared");
  ASSERT_EQ(found.status, DiskLookupStatus::hit);
  EXPECT_EQ(found.object, object);
  EXPECT_EQ(cache.entries().size(), 1u);  // no temporary files left behind either
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& f : fs::directory_iterator(dir / "kernels"))
    ++files;
  EXPECT_EQ(files, 1u);
}

TEST(DiskCache, EvictsTheLeastRecentlyUsedBeyondTheLimit) {
  const fs::path dir = fresh_directory("evict");
  // Room for about two 10 kB entries.
  DiskCache cache(dir, 25000);
  ASSERT_TRUE(cache.store("first", object_bytes(10000, 1)));
  ASSERT_TRUE(cache.store("second", object_bytes(10000, 2)));
  // Make "first" the older one on the clock, then use it: it becomes the most recent.
  for (const auto& f : fs::directory_iterator(dir / "kernels")) {
    fs::last_write_time(f.path(), fs::file_time_type::clock::now() - std::chrono::hours(1));
  }
  ASSERT_EQ(cache.load("first").status, DiskLookupStatus::hit);
  ASSERT_TRUE(cache.store("third", object_bytes(10000, 3)));
  EXPECT_EQ(cache.load("second").status, DiskLookupStatus::missing);  // least recently used
  EXPECT_EQ(cache.load("first").status, DiskLookupStatus::hit);
  EXPECT_EQ(cache.load("third").status, DiskLookupStatus::hit);
  EXPECT_EQ(cache.stats().evicted, 1);
}

TEST(DiskCache, ClearRemovesEverything) {
  DiskCache cache(fresh_directory("clear"));
  ASSERT_TRUE(cache.store("a", "x"));
  ASSERT_TRUE(cache.store("b", "y"));
  cache.clear();
  EXPECT_EQ(cache.stats().entries, 0);
  EXPECT_EQ(cache.load("a").status, DiskLookupStatus::missing);
}

TEST(DiskCache, UnusableDirectoryIsReportedAndTheEngineStillSolves) {
  EngineOptions options;
  options.disk_cache = true;
  options.cache_directory = "/proc/proxjit-cannot-be-here";
  Engine engine(options);
  EXPECT_EQ(engine.disk_cache(), nullptr);
  EXPECT_NE(engine.disk_cache_problem().find("/proc/proxjit-cannot-be-here"), std::string::npos);
  const Problem problem = testing::make_problem("quadratic", "l1(lambda=0.1)", 5, 5, 1);
  EXPECT_EQ(engine.solve(problem).source, KernelSource::compiled);
}

// ---- through the engine ----

EngineOptions disk_options(const fs::path& dir) {
  EngineOptions options;
  options.disk_cache = true;
  options.cache_directory = dir.string();
  return options;
}

TEST(EngineDiskCache, ANewEngineLoadsTheKernelFromDiskAndGetsTheSameResult) {
  const fs::path dir = fresh_directory("engine");
  const Problem problem = testing::make_problem("least_squares", "l1(lambda=0.05)", 30, 60, 4);
  SolverOptions options;
  options.tolerance = 0;
  options.max_iterations = 300;
  Summary first, second;
  {
    Engine engine(disk_options(dir));
    first = engine.solve(problem, options);
    EXPECT_EQ(first.source, KernelSource::compiled);
    EXPECT_FALSE(first.cache_hit);
  }
  {
    Engine engine(disk_options(dir));  // as a new process would
    second = engine.solve(problem, options);
    EXPECT_EQ(second.source, KernelSource::disk);
    EXPECT_TRUE(second.cache_hit);
    EXPECT_EQ(second.timing.ir_s, 0.0);  // no IR was built
    EXPECT_EQ(engine.cache_stats().compiles, 0);
    EXPECT_EQ(engine.cache_stats().disk_hits, 1);
    // In memory from then on.
    EXPECT_EQ(engine.solve(problem, options).source, KernelSource::memory);
  }
  EXPECT_EQ(first.kernel_key, second.kernel_key);
  EXPECT_EQ(first.x, second.x);  // the same machine code: bitwise the same iterates
}

TEST(EngineDiskCache, CorruptEntryIsReportedAndRecompiled) {
  const fs::path dir = fresh_directory("engine_corrupt");
  const Problem problem = testing::make_problem("quadratic", "box(lo=-1, hi=1)", 12, 12, 2);
  { Engine(disk_options(dir)).solve(problem); }
  fs::resize_file(only_entry(dir), 100);
  Engine engine(disk_options(dir));
  const Summary summary = engine.solve(problem);
  EXPECT_EQ(summary.source, KernelSource::compiled);
  EXPECT_NE(summary.cache_note.find("truncated"), std::string::npos) << summary.cache_note;
  EXPECT_EQ(engine.cache_stats().disk_invalid, 1);
  // The recompiled kernel replaced the bad entry.
  EXPECT_EQ(Engine(disk_options(dir)).solve(problem).source, KernelSource::disk);
}

TEST(EngineDiskCache, KeyCoversTargetVersionsAndCodegenOptions) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Problem problem = testing::make_problem("quadratic", "l1(lambda=0.1)", 4, 4, 1);
  SolverOptions options;
  const std::string key = engine.kernel_key(problem, options);
  for (const char* part :
       {"triple=", "cpu=", "features=", "llvm=19", "proxjit=", "kernel-format=", "|O2|"}) {
    EXPECT_NE(key.find(part), std::string::npos) << part << " missing from " << key;
  }
  options.codegen.optimization_level = 3;
  EXPECT_NE(engine.kernel_key(problem, options), key);
  options.codegen.optimization_level = 2;
  options.codegen.prefer_vector_width = 512;
  EXPECT_NE(engine.kernel_key(problem, options), key);
}

}  // namespace
}  // namespace proxjit

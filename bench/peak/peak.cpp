//===- peak.cpp - The machine's own compute and bandwidth limits ----------===//
//
// Part of the Tokamak project. Measures what "% of peak" means on the
// machine the benchmarks run on, in the same run:
//  - fp32 FMA peak: 16 independent zmm FMA chains (AVX-512F intrinsics) per
//    thread when the CPU has AVX-512F, else 12 ymm chains (AVX2/FMA, 16
//    registers), on one thread and on all threads, each thread's FLOPs over
//    its own CPU time (so other processes' time slices do not lower it);
//  - streaming bandwidth: STREAM copy (b = a) and triad (a = b + s*c) and a
//    read-only stream (a sum), counting bytes the STREAM way (2, 3 and 1
//    arrays per element, no write-allocate), each run over the next 64 MiB
//    segment of 512 MiB arrays, on all threads and on one, in wall time,
//    best over the runs no other process interrupted; the roof is the best
//    of them.
// Threads: OMP_NUM_THREADS when set, else every hardware thread. Prints one
// JSON object on stdout. Options: --quick (shorter runs, smaller arrays),
// --threads=N, --array-mib=M.
//
//===----------------------------------------------------------------------===//

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

//===----------------------------------------------------------------------===//
// FMA peak
//===----------------------------------------------------------------------===//

/// FLOPs one iteration of fmaLoopAvx512 performs: 16 chains x 16 lanes x 2.
constexpr double kFlopsPerIterAvx512 = 16 * 16 * 2;
/// FLOPs one iteration of fmaLoopAvx2 performs: 12 chains x 8 lanes x 2.
constexpr double kFlopsPerIterAvx2 = 12 * 8 * 2;

/// 16 independent dependency chains of zmm FMAs; the result is returned so
/// the loop cannot be removed.
__attribute__((target("avx512f"))) float fmaLoopAvx512(int64_t iters,
                                                       float seed) {
  __m512 a0 = _mm512_set1_ps(seed + 0.01f), a1 = _mm512_set1_ps(seed + 0.02f),
         a2 = _mm512_set1_ps(seed + 0.03f), a3 = _mm512_set1_ps(seed + 0.04f),
         a4 = _mm512_set1_ps(seed + 0.05f), a5 = _mm512_set1_ps(seed + 0.06f),
         a6 = _mm512_set1_ps(seed + 0.07f), a7 = _mm512_set1_ps(seed + 0.08f),
         a8 = _mm512_set1_ps(seed + 0.09f), a9 = _mm512_set1_ps(seed + 0.10f),
         a10 = _mm512_set1_ps(seed + 0.11f), a11 = _mm512_set1_ps(seed + 0.12f),
         a12 = _mm512_set1_ps(seed + 0.13f), a13 = _mm512_set1_ps(seed + 0.14f),
         a14 = _mm512_set1_ps(seed + 0.15f), a15 = _mm512_set1_ps(seed + 0.16f);
  const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  for (int64_t i = 0; i < iters; ++i) {
    a0 = _mm512_fmadd_ps(a0, m, c);
    a1 = _mm512_fmadd_ps(a1, m, c);
    a2 = _mm512_fmadd_ps(a2, m, c);
    a3 = _mm512_fmadd_ps(a3, m, c);
    a4 = _mm512_fmadd_ps(a4, m, c);
    a5 = _mm512_fmadd_ps(a5, m, c);
    a6 = _mm512_fmadd_ps(a6, m, c);
    a7 = _mm512_fmadd_ps(a7, m, c);
    a8 = _mm512_fmadd_ps(a8, m, c);
    a9 = _mm512_fmadd_ps(a9, m, c);
    a10 = _mm512_fmadd_ps(a10, m, c);
    a11 = _mm512_fmadd_ps(a11, m, c);
    a12 = _mm512_fmadd_ps(a12, m, c);
    a13 = _mm512_fmadd_ps(a13, m, c);
    a14 = _mm512_fmadd_ps(a14, m, c);
    a15 = _mm512_fmadd_ps(a15, m, c);
  }
  __m512 s = _mm512_add_ps(
      _mm512_add_ps(
          _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
          _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7))),
      _mm512_add_ps(
          _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)),
          _mm512_add_ps(_mm512_add_ps(a12, a13), _mm512_add_ps(a14, a15))));
  return _mm512_reduce_add_ps(s);
}

/// 12 independent chains of ymm FMAs (AVX2 has 16 vector registers).
__attribute__((target("avx2,fma"))) float fmaLoopAvx2(int64_t iters,
                                                      float seed) {
  __m256 a0 = _mm256_set1_ps(seed + 0.01f), a1 = _mm256_set1_ps(seed + 0.02f),
         a2 = _mm256_set1_ps(seed + 0.03f), a3 = _mm256_set1_ps(seed + 0.04f),
         a4 = _mm256_set1_ps(seed + 0.05f), a5 = _mm256_set1_ps(seed + 0.06f),
         a6 = _mm256_set1_ps(seed + 0.07f), a7 = _mm256_set1_ps(seed + 0.08f),
         a8 = _mm256_set1_ps(seed + 0.09f), a9 = _mm256_set1_ps(seed + 0.10f),
         a10 = _mm256_set1_ps(seed + 0.11f), a11 = _mm256_set1_ps(seed + 0.12f);
  const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < iters; ++i) {
    a0 = _mm256_fmadd_ps(a0, m, c);
    a1 = _mm256_fmadd_ps(a1, m, c);
    a2 = _mm256_fmadd_ps(a2, m, c);
    a3 = _mm256_fmadd_ps(a3, m, c);
    a4 = _mm256_fmadd_ps(a4, m, c);
    a5 = _mm256_fmadd_ps(a5, m, c);
    a6 = _mm256_fmadd_ps(a6, m, c);
    a7 = _mm256_fmadd_ps(a7, m, c);
    a8 = _mm256_fmadd_ps(a8, m, c);
    a9 = _mm256_fmadd_ps(a9, m, c);
    a10 = _mm256_fmadd_ps(a10, m, c);
    a11 = _mm256_fmadd_ps(a11, m, c);
  }
  __m256 s = _mm256_add_ps(
      _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
      _mm256_add_ps(
          _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)),
          _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11))));
  float lanes[8];
  _mm256_storeu_ps(lanes, s);
  float total = 0;
  for (float lane : lanes)
    total += lane;
  return total;
}

/// The calling thread's CPU time in seconds.
double threadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/// What runParallel measured.
struct ParallelTiming {
  /// Wall time from the common start to the last thread's end.
  double wall = 0;
  /// Each thread's CPU time in its body.
  std::vector<double> cpu;
  /// The smallest share of its own wall time a thread spent on a CPU: below
  /// 1 when other processes took the cores for a while.
  double minOnCpu = 1;
};

/// Runs `body(thread)` on `threads` threads that start together.
ParallelTiming runParallel(int threads, const std::function<void(int)> &body) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  ParallelTiming timing;
  timing.cpu.assign(threads, 0);
  std::vector<double> onCpu(threads, 1);
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire))
        ;
      Clock::time_point wallStart = Clock::now();
      double cpuStart = threadCpuSeconds();
      body(t);
      timing.cpu[t] = threadCpuSeconds() - cpuStart;
      onCpu[t] = timing.cpu[t] / std::max(secondsSince(wallStart), 1e-9);
    });
  while (ready.load() != threads)
    ;
  Clock::time_point start = Clock::now();
  go.store(true, std::memory_order_release);
  for (std::thread &thread : pool)
    thread.join();
  timing.wall = secondsSince(start);
  timing.minOnCpu = *std::min_element(onCpu.begin(), onCpu.end());
  return timing;
}

/// Bytes per array one bandwidth run streams (2x the L3 of the project's
/// machines; the arrays hold several such segments).
constexpr int64_t kSegmentBytes = int64_t(64) << 20;

/// A run counts as uncontended when every thread was on a CPU for at least
/// this share of its wall time.
constexpr double kCleanOnCpu = 0.9;

volatile float fmaSink;

/// Best FMA rate in GFLOP/s over `reps` runs of `seconds` each on `threads`
/// threads: the sum over threads of FLOPs / the thread's CPU time, so time
/// slices other processes take do not lower it (FMA throughput is a per-core
/// resource).
double measureFma(bool avx512, int threads, double seconds, int reps) {
  auto loop = avx512 ? fmaLoopAvx512 : fmaLoopAvx2;
  double flopsPerIter = avx512 ? kFlopsPerIterAvx512 : kFlopsPerIterAvx2;
  // Calibrate the iteration count on one thread.
  int64_t iters = 1 << 16;
  for (;;) {
    Clock::time_point start = Clock::now();
    fmaSink = loop(iters, 1.0f);
    double elapsed = secondsSince(start);
    if (elapsed > seconds / 4 || iters > (int64_t(1) << 40)) {
      iters = static_cast<int64_t>(iters * seconds / std::max(elapsed, 1e-9));
      break;
    }
    iters *= 4;
  }
  double best = 0;
  for (int rep = 0; rep < reps; ++rep) {
    std::vector<float> sinks(threads);
    ParallelTiming timing = runParallel(
        threads, [&](int t) { sinks[t] = loop(iters, 1.0f + 0.001f * t); });
    for (float s : sinks)
      fmaSink = s;
    double rate = 0;
    for (double cpu : timing.cpu)
      rate += flopsPerIter * iters / std::max(cpu, 1e-9) / 1e9;
    best = std::max(best, rate);
  }
  return best;
}

//===----------------------------------------------------------------------===//
// Streaming bandwidth
//===----------------------------------------------------------------------===//

struct Bandwidth {
  double copy = 0;
  double triad = 0;
  double read = 0;
  /// Runs in which every thread stayed on its CPU (kCleanOnCpu), of all.
  int cleanRuns = 0;
  int runs = 0;
};

/// b[begin, end) = a[begin, end), as a loop (not a memcpy call, whose
/// non-temporal stores would make copy and triad incomparable).
__attribute__((noinline, no_builtin("memcpy"))) void
copyRange(float *__restrict dst, const float *__restrict src, int64_t begin,
          int64_t end) {
  for (int64_t i = begin; i < end; ++i)
    dst[i] = src[i];
}

/// dst[i] = x[i] + scalar * y[i] on [begin, end).
void triadRange(float *__restrict dst, const float *__restrict x,
                const float *__restrict y, float scalar, int64_t begin,
                int64_t end) {
  for (int64_t i = begin; i < end; ++i)
    dst[i] = x[i] + scalar * y[i];
}

/// The sum of x[begin, end): a read-only stream (reassociated so it
/// vectorizes).
__attribute__((noinline)) float readRange(const float *__restrict x,
                                          int64_t begin, int64_t end) {
#pragma clang fp reassociate(on)
  float sum = 0;
#pragma clang loop vectorize_width(16) interleave_count(4)
  for (int64_t i = begin; i < end; ++i)
    sum += x[i];
  return sum;
}

/// The three STREAM arrays, split into segments: each run streams one
/// segment of kSegmentBytes per array and the next run the next segment, so
/// runs are short (a few ms; many finish between other processes' time
/// slices) and what one run leaves in the cache is not what the next reads.
struct StreamArrays {
  float *a = nullptr, *b = nullptr, *c = nullptr;
  int64_t segment = 0;
  int64_t segments = 0;

  /// Thread t's part [begin, end) of segment `seg` among `threads`.
  void range(int threads, int t, int64_t seg, int64_t &begin,
             int64_t &end) const {
    int64_t chunk = (segment / threads + 15) / 16 * 16;
    begin = seg * segment + std::min(segment, t * chunk);
    end = seg * segment +
          (t == threads - 1 ? segment : std::min(segment, (t + 1) * chunk));
  }
};

/// Allocates three arrays of `elements` floats, first touched by the
/// `threads` threads that stream them, filled with distinct values on every
/// page (so no hypervisor can merge pages).
StreamArrays allocateStreams(int threads, int64_t elements) {
  StreamArrays arrays;
  arrays.segment =
      std::min<int64_t>(elements, kSegmentBytes / int64_t(sizeof(float)));
  arrays.segments = elements / arrays.segment;
  size_t bytes =
      static_cast<size_t>(arrays.segment * arrays.segments) * sizeof(float);
  arrays.a = static_cast<float *>(std::aligned_alloc(64, bytes));
  arrays.b = static_cast<float *>(std::aligned_alloc(64, bytes));
  arrays.c = static_cast<float *>(std::aligned_alloc(64, bytes));
  if (!arrays.a || !arrays.b || !arrays.c) {
    std::fprintf(stderr, "tokamak-bench-peak: cannot allocate 3 x %zu bytes\n",
                 bytes);
    std::exit(1);
  }
  runParallel(threads, [&](int t) {
    for (int64_t seg = 0; seg < arrays.segments; ++seg) {
      int64_t begin, end;
      arrays.range(threads, t, seg, begin, end);
      for (int64_t i = begin; i < end; ++i) {
        arrays.a[i] = static_cast<float>(i);
        arrays.b[i] = static_cast<float>(2 * i);
        arrays.c[i] = static_cast<float>(i % 1009) * 0.5f;
      }
    }
  });
  return arrays;
}

/// Best STREAM copy and triad rates and read-only (sum) rate in GB/s over
/// `reps` runs (one segment each) on `threads` threads.
Bandwidth measureBandwidth(int threads, const StreamArrays &arrays, int reps) {
  float *a = arrays.a, *b = arrays.b, *c = arrays.c;
  auto range = [&](int t, int64_t seg, int64_t &begin, int64_t &end) {
    arrays.range(threads, t, seg, begin, end);
  };
  // Wall-time rates (the threads share the memory system, so per-thread CPU
  // time would overstate them); the best over uncontended runs, or over all
  // runs when none was.
  Bandwidth clean, any;
  auto record = [&](double Bandwidth::*field, double rate,
                    const ParallelTiming &timing) {
    any.*field = std::max(any.*field, rate);
    ++any.runs;
    if (timing.minOnCpu >= kCleanOnCpu) {
      clean.*field = std::max(clean.*field, rate);
      ++clean.cleanRuns;
    }
  };
  const float scalar = 3.0f;
  double bytes = static_cast<double>(arrays.segment) * sizeof(float);
  for (int rep = 0; rep < reps; ++rep) {
    int64_t seg = rep % arrays.segments;
    ParallelTiming copy = runParallel(threads, [&](int t) {
      int64_t begin, end;
      range(t, seg, begin, end);
      copyRange(b, a, begin, end);
    });
    record(&Bandwidth::copy, 2 * bytes / copy.wall / 1e9, copy);
    ParallelTiming triad = runParallel(threads, [&](int t) {
      int64_t begin, end;
      range(t, seg, begin, end);
      triadRange(a, b, c, scalar, begin, end);
    });
    record(&Bandwidth::triad, 3 * bytes / triad.wall / 1e9, triad);
    std::vector<float> sums(threads);
    ParallelTiming read = runParallel(threads, [&](int t) {
      int64_t begin, end;
      range(t, seg, begin, end);
      sums[t] = readRange(c, begin, end);
    });
    for (float sum : sums)
      fmaSink = sum;
    record(&Bandwidth::read, bytes / read.wall / 1e9, read);
  }
  Bandwidth best = any;
  if (clean.copy > 0 && clean.triad > 0 && clean.read > 0) {
    best.copy = clean.copy;
    best.triad = clean.triad;
    best.read = clean.read;
  }
  best.cleanRuns = clean.cleanRuns;
  fmaSink = a[arrays.segment / 2] + b[arrays.segment / 3];
  return best;
}

/// The CPU's model name from /proc/cpuinfo, or "unknown".
std::string cpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(colon + 1);
        name.erase(0, name.find_first_not_of(' '));
        std::string escaped;
        for (char ch : name)
          if (ch != '"' && ch != '\\')
            escaped += ch;
        return escaped;
      }
    }
  return "unknown";
}

/// The thread count: OMP_NUM_THREADS (its first entry) when set, else every
/// hardware thread.
int defaultThreads() {
  if (const char *env = std::getenv("OMP_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0)
      return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

} // namespace

int main(int argc, char **argv) {
  bool quick = false;
  int threads = defaultThreads();
  int64_t arrayMiB = 0;
  std::string isa;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      quick = true;
    } else if (arg.rfind("--threads=", 0) == 0) {
      threads = std::atoi(arg.c_str() + 10);
    } else if (arg.rfind("--isa=", 0) == 0) {
      isa = arg.substr(6);
      if (isa != "avx2" && isa != "avx512") {
        std::fprintf(stderr,
                     "tokamak-bench-peak: error: --isa must be avx2 "
                     "or avx512, got '%s'\n",
                     isa.c_str());
        return 1;
      }
    } else if (arg.rfind("--array-mib=", 0) == 0) {
      arrayMiB = std::atoll(arg.c_str() + 12);
    } else if (arg == "--help" || arg == "-h") {
      std::puts("usage: tokamak-bench-peak [--quick] [--threads=N] "
                "[--array-mib=M] [--isa=avx2|avx512]\nPrints the machine's "
                "fp32 FMA peak (with the widest FMA it has, or --isa's) and "
                "streaming bandwidth as JSON.");
      return 0;
    } else {
      std::fprintf(stderr, "tokamak-bench-peak: error: unknown option '%s'\n",
                   arg.c_str());
      return 1;
    }
  }
  if (threads <= 0) {
    std::fprintf(stderr, "tokamak-bench-peak: error: --threads must be > 0\n");
    return 1;
  }
  __builtin_cpu_init();
  bool avx512 = __builtin_cpu_supports("avx512f");
  if (isa == "avx512" && !avx512) {
    std::fprintf(stderr, "tokamak-bench-peak: error: --isa=avx512 but the "
                         "CPU has no AVX-512F\n");
    return 1;
  }
  // --isa=avx2 on an AVX-512 host: the peak of the code a 256-bit target
  // gets (what `tokamak-bench --cpu=znver3` runs).
  if (isa == "avx2")
    avx512 = false;
  if (!avx512 &&
      !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
    std::fprintf(stderr, "tokamak-bench-peak: error: the CPU has neither "
                         "AVX-512F nor AVX2+FMA\n");
    return 1;
  }
  // 512 MiB per array (8 segments) by default; 128 MiB when quick.
  if (arrayMiB <= 0)
    arrayMiB = quick ? 128 : 512;
  int64_t elements = arrayMiB * (int64_t(1) << 20) / int64_t(sizeof(float));

  double seconds = quick ? 0.03 : 0.15;
  int reps = quick ? 2 : 5;
  double fma1 = measureFma(avx512, 1, seconds, reps);
  double fmaN =
      threads == 1 ? fma1 : measureFma(avx512, threads, seconds, reps);
  StreamArrays arrays = allocateStreams(threads, elements);
  Bandwidth bw = measureBandwidth(threads, arrays, quick ? 16 : 120);
  // One thread too: when other processes keep taking a core, a one-thread
  // run is more often uncontended, and more threads never have less
  // bandwidth, so the roof is the best of both.
  Bandwidth bw1 =
      threads == 1 ? bw : measureBandwidth(1, arrays, quick ? 8 : 60);
  std::free(arrays.a);
  std::free(arrays.b);
  std::free(arrays.c);

  std::printf("{\n");
  std::printf("  \"cpu\": \"%s\",\n", cpuModel().c_str());
  std::printf("  \"hardware_threads\": %u,\n",
              std::thread::hardware_concurrency());
  std::printf("  \"threads\": %d,\n", threads);
  std::printf("  \"isa\": \"%s\",\n", avx512 ? "avx512" : "avx2");
  std::printf("  \"fma_chains\": %d,\n", avx512 ? 16 : 12);
  std::printf("  \"fma_gflops_1t\": %.1f,\n", fma1);
  std::printf("  \"fma_gflops\": %.1f,\n", fmaN);
  std::printf("  \"array_mib\": %lld,\n", static_cast<long long>(arrayMiB));
  std::printf("  \"copy_gbs\": %.1f,\n", bw.copy);
  std::printf("  \"triad_gbs\": %.1f,\n", bw.triad);
  std::printf("  \"read_gbs\": %.1f,\n", bw.read);
  std::printf("  \"bandwidth_clean_runs\": %d,\n", bw.cleanRuns);
  std::printf("  \"bandwidth_runs\": %d,\n", bw.runs);
  std::printf("  \"copy_gbs_1t\": %.1f,\n", bw1.copy);
  std::printf("  \"triad_gbs_1t\": %.1f,\n", bw1.triad);
  std::printf("  \"read_gbs_1t\": %.1f,\n", bw1.read);
  std::printf("  \"bandwidth_clean_runs_1t\": %d,\n", bw1.cleanRuns);
  std::printf(
      "  \"bandwidth_gbs\": %.1f,\n",
      std::max({bw.copy, bw.triad, bw.read, bw1.copy, bw1.triad, bw1.read}));
  std::printf("  \"quick\": %s\n", quick ? "true" : "false");
  std::printf("}\n");
  return 0;
}

//===- FragmentMapsTest.cpp - Tensor-core index maps vs the PTX ISA -------===//
//
// Part of the Tokamak project. Checks the index maps the tensor-core
// kernels are emitted from (FragmentMaps.h, instantiated here with `int`)
// by simulating one warp on host arrays: cp.async copies into swizzled
// shared tiles, ldmatrix (x4, .trans) and mma.m16n8k16 with the per-lane
// element ownership the PTX ISA documents, quad shuffles, the C -> A reuse
// of P, and whole GEMM and FlashAttention-2 warp tiles, against plain
// float64 matmul / softmax references.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Codegen/CUDA/TensorCores/FragmentMaps.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <vector>

using namespace tokamak::cuda::tc;

namespace {

constexpr int kWarp = 32;
constexpr double kInf = std::numeric_limits<double>::infinity();

//===----------------------------------------------------------------------===//
// The PTX ISA's definitions ("Matrix Fragments for mma.m16n8k16 with
// floating point type", "Warp-level matrix load instruction: ldmatrix"),
// written from the ISA text independently of FragmentMaps.h. `i` is the
// fragment element index a_i / b_i / c_i.
//===----------------------------------------------------------------------===//

int groupId(int lane) { return lane >> 2; }
int threadInGroup(int lane) { return lane % 4; }

/// a_i: row groupID for a0,a1,a4,a5 and groupID+8 for a2,a3,a6,a7; column
/// threadID_in_group*2 + (i & 1), plus 8 for a4..a7.
std::pair<int, int> isaA(int lane, int i) {
  int row = groupId(lane) + ((i == 2 || i == 3 || i == 6 || i == 7) ? 8 : 0);
  int col = threadInGroup(lane) * 2 + (i & 1) + (i >= 4 ? 8 : 0);
  return {row, col};
}

/// b_i: row (k) threadID_in_group*2 + (i & 1), plus 8 for b2,b3; column
/// groupID.
std::pair<int, int> isaB(int lane, int i) {
  return {threadInGroup(lane) * 2 + (i & 1) + (i >= 2 ? 8 : 0), groupId(lane)};
}

/// c_i: row groupID for c0,c1 and groupID+8 for c2,c3; column
/// threadID_in_group*2 + (i & 1).
std::pair<int, int> isaC(int lane, int i) {
  return {groupId(lane) + (i >= 2 ? 8 : 0), threadInGroup(lane) * 2 + (i & 1)};
}

/// Per-lane fragments: [lane][register][element].
template <int Regs>
using Frag = std::array<std::array<std::array<double, 2>, Regs>, kWarp>;

/// A shared tile [rows][cols] of 16-bit elements (held as doubles).
struct Smem {
  int rows, cols;
  std::vector<double> data;
  std::vector<int> writes;
  Smem(int rows, int cols)
      : rows(rows), cols(cols), data(rows * cols, NAN), writes(rows * cols) {}
  double &at(int r, int c) { return data[r * cols + c]; }
};

/// ldmatrix.x4 per the ISA: lanes 8i..8i+7 give the row addresses of matrix
/// i; without .trans, thread l receives row l/4, elements 2(l%4) and
/// 2(l%4)+1 of each matrix; with .trans, elements (2(l%4), l/4) and
/// (2(l%4)+1, l/4).
Frag<4> ldmatrixX4(Smem &s, const std::array<std::pair<int, int>, kWarp> &addr,
                   bool trans) {
  Frag<4> out{};
  for (int lane = 0; lane < kWarp; ++lane)
    for (int m = 0; m < 4; ++m)
      for (int e = 0; e < 2; ++e) {
        int r = trans ? 2 * (lane % 4) + e : lane / 4;
        int c = trans ? lane / 4 : 2 * (lane % 4) + e;
        auto [row, col] = addr[8 * m + r];
        EXPECT_EQ(col % 8, 0) << "ldmatrix rows are 16-byte aligned";
        out[lane][m][e] = s.at(row, col + c);
      }
  return out;
}

/// mma.m16n8k16 per the ISA: D = A·B + C from the lanes' fragments.
Frag<2> mma(const Frag<4> &a, const Frag<2> &b, const Frag<2> &c) {
  double am[16][16], bm[16][8], cm[16][8];
  for (int lane = 0; lane < kWarp; ++lane) {
    for (int i = 0; i < 8; ++i) {
      auto [r, k] = isaA(lane, i);
      am[r][k] = a[lane][i / 2][i % 2];
    }
    for (int i = 0; i < 4; ++i) {
      auto [k, n] = isaB(lane, i);
      bm[k][n] = b[lane][i / 2][i % 2];
      auto [r, cc] = isaC(lane, i);
      cm[r][cc] = c[lane][i / 2][i % 2];
    }
  }
  Frag<2> d{};
  for (int lane = 0; lane < kWarp; ++lane)
    for (int i = 0; i < 4; ++i) {
      auto [r, n] = isaC(lane, i);
      double acc = cm[r][n];
      for (int k = 0; k < 16; ++k)
        acc += am[r][k] * bm[k][n];
      d[lane][i / 2][i % 2] = acc;
    }
  return d;
}

/// Registers 2h, 2h+1 of an x4 result (FragmentBuilder::bHalf).
Frag<2> bHalf(const Frag<4> &x4, int half) {
  Frag<2> out{};
  for (int lane = 0; lane < kWarp; ++lane)
    for (int r = 0; r < 2; ++r)
      out[lane][r] = x4[lane][2 * half + r];
  return out;
}

/// The kernel's cp.async tile copy: `threads` threads, chunk maps and
/// swizzle of FragmentMaps.h; rows past `validRows` zero-fill.
void copyTile(Smem &s, const std::vector<double> &global, int globalCols,
              int row0, int col0, int validRows, int threads) {
  int cpr = s.cols / kChunkElems;
  int rounds = (s.rows * cpr + threads - 1) / threads;
  for (int tid = 0; tid < threads; ++tid)
    for (int round = 0; round < rounds; ++round) {
      RowCol<int> rc = copyChunk(tid, round, threads, cpr);
      if (rc.row >= s.rows)
        continue;
      int dst = swizzleCol(rc.row, rc.col, cpr);
      ASSERT_EQ(dst % kChunkElems, 0);
      bool valid = row0 + rc.row < validRows;
      for (int e = 0; e < kChunkElems; ++e) {
        s.at(rc.row, dst + e) =
            valid ? global[(row0 + rc.row) * globalCols + col0 + rc.col + e]
                  : 0.0;
        ++s.writes[rc.row * s.cols + dst + e];
      }
    }
}

/// The lane addresses of the kernel's ldmatrix.x4 of block (row0, col0).
std::array<std::pair<int, int>, kWarp> x4Addresses(const Smem &s, int row0,
                                                   int col0, X4Order order) {
  std::array<std::pair<int, int>, kWarp> addr;
  for (int lane = 0; lane < kWarp; ++lane) {
    RowCol<int> at =
        ldmatrixX4SharedAddress(lane, row0, col0, order, s.cols / kChunkElems);
    addr[lane] = {at.row, at.col};
  }
  return addr;
}

/// shfl.sync.bfly over the warp, then `combine`: every lane reads before
/// any writes.
template <typename F>
void butterfly(std::array<double, kWarp> &v, int mask, F combine) {
  std::array<double, kWarp> old = v;
  for (int lane = 0; lane < kWarp; ++lane)
    v[lane] = combine(old[lane], old[lane ^ mask]);
}

std::vector<double> randomMatrix(int rows, int cols, std::mt19937 &rng) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> m(rows * cols);
  for (double &x : m)
    x = dist(rng);
  return m;
}

//===----------------------------------------------------------------------===//
// Fragment ownership and the C -> A identity
//===----------------------------------------------------------------------===//

TEST(FragmentMaps, OwnershipMatchesIsa) {
  std::set<std::pair<int, int>> a, b, c;
  for (int lane = 0; lane < kWarp; ++lane)
    for (int reg = 0; reg < 4; ++reg)
      for (int e = 0; e < 2; ++e) {
        RowCol<int> rc = mmaAElement(lane, reg, e);
        EXPECT_EQ(std::make_pair(rc.row, rc.col), isaA(lane, 2 * reg + e));
        a.insert({rc.row, rc.col});
        if (reg < 2) {
          RowCol<int> rb = mmaBElement(lane, reg, e);
          EXPECT_EQ(std::make_pair(rb.row, rb.col), isaB(lane, 2 * reg + e));
          b.insert({rb.row, rb.col});
          RowCol<int> rcc = mmaCElement(lane, reg, e);
          EXPECT_EQ(std::make_pair(rcc.row, rcc.col), isaC(lane, 2 * reg + e));
          c.insert({rcc.row, rcc.col});
        }
      }
  EXPECT_EQ(a.size(), 256u);
  EXPECT_EQ(b.size(), 128u);
  EXPECT_EQ(c.size(), 128u);
}

TEST(FragmentMaps, CFragmentsOfTwoNTilesAreAnAFragment) {
  // Score element (row, key) of n-tile nt lives in C register cr of lane l;
  // as A of k-chunk kk it must sit where the ISA puts A element (row, key -
  // 16kk) of the same lane.
  for (int kk = 0; kk < 4; ++kk)
    for (int lane = 0; lane < kWarp; ++lane)
      for (int reg = 0; reg < 4; ++reg)
        for (int e = 0; e < 2; ++e) {
          int nt = cToANTile(kk, reg);
          RowCol<int> c = mmaCElement(lane, cToARow(reg), e);
          auto [ar, ac] = isaA(lane, 2 * reg + e);
          EXPECT_EQ(c.row, ar);
          EXPECT_EQ(nt * kMmaN + c.col, kk * kMmaK + ac);
        }
}

//===----------------------------------------------------------------------===//
// Swizzled tiles: cp.async writes, ldmatrix reads
//===----------------------------------------------------------------------===//

class SwizzleTest : public ::testing::TestWithParam<int> {};

TEST_P(SwizzleTest, CopyThenLdmatrixRoundTrips) {
  const int cols = GetParam(), rows = 64, threads = 128;
  std::mt19937 rng(cols);
  std::vector<double> g = randomMatrix(rows, cols, rng);
  Smem s(rows, cols);
  copyTile(s, g, cols, 0, 0, rows, threads);
  for (int w : s.writes)
    ASSERT_EQ(w, 1) << "every shared element is written exactly once";

  const int cpr = cols / kChunkElems;
  for (X4Order order : {X4Order::RowsFirst, X4Order::ColsFirst})
    for (int row0 = 0; row0 < rows; row0 += 16)
      for (int col0 = 0; col0 < cols; col0 += 16) {
        auto addr = x4Addresses(s, row0, col0, order);
        // Each 8-lane phase hits 8 distinct 16-byte bank groups.
        for (int m = 0; m < 4; ++m) {
          std::set<int> banks;
          for (int l = 8 * m; l < 8 * m + 8; ++l)
            banks.insert(((addr[l].first * cols + addr[l].second) * 2 / 16) %
                         8);
          if (cpr >= 4)
            EXPECT_EQ(banks.size(), 8u) << "bank conflict, cols " << cols;
        }
        Frag<4> f = ldmatrixX4(s, addr, /*trans=*/false);
        for (int lane = 0; lane < kWarp; ++lane)
          for (int m = 0; m < 4; ++m)
            for (int e = 0; e < 2; ++e) {
              int rb = order == X4Order::RowsFirst ? m % 2 : m / 2;
              int cb = order == X4Order::RowsFirst ? m / 2 : m % 2;
              int r = row0 + 8 * rb + lane / 4;
              int c = col0 + 8 * cb + 2 * (lane % 4) + e;
              EXPECT_EQ(f[lane][m][e], g[r * cols + c]);
            }
      }
}

INSTANTIATE_TEST_SUITE_P(ChunksPerRow, SwizzleTest,
                         ::testing::Values(32, 64, 128));

//===----------------------------------------------------------------------===//
// A GEMM warp tile (x [M, K] · Wᵀ, W [N, K]) as the GEMM kernel issues it
//===----------------------------------------------------------------------===//

TEST(FragmentMaps, GemmWarpTileMatchesMatmul) {
  // One stage of the kernel's tiles: A 128 x 32, W 128 x 32 (4 chunks per
  // row, the (row / 2) % 4 swizzle); this warp computes rows 64..127 and
  // columns 32..63 (warp 5 of 2 x 4), 4 x 4 atoms, both k16 steps. Rows past
  // M = 100 are zero-filled.
  const int bm = 128, bn = 128, bk = 32, m = 100, threads = 256;
  std::mt19937 rng(7);
  std::vector<double> x = randomMatrix(bm, bk, rng);
  std::vector<double> w = randomMatrix(bn, bk, rng);
  Smem sa(bm, bk), sb(bn, bk);
  copyTile(sa, x, bk, 0, 0, m, threads);
  copyTile(sb, w, bk, 0, 0, bn, threads);
  const int warpRow = 64, warpCol = 32;
  std::vector<Frag<2>> acc(16, Frag<2>{});
  for (int ks = 0; ks < bk / kMmaK; ++ks) {
    std::vector<Frag<4>> a;
    std::vector<Frag<2>> b;
    for (int mt = 0; mt < 4; ++mt)
      a.push_back(ldmatrixX4(
          sa, x4Addresses(sa, warpRow + 16 * mt, 16 * ks, X4Order::RowsFirst),
          false));
    for (int np = 0; np < 2; ++np) {
      Frag<4> x4 = ldmatrixX4(
          sb, x4Addresses(sb, warpCol + 16 * np, 16 * ks, X4Order::ColsFirst),
          false);
      b.push_back(bHalf(x4, 0));
      b.push_back(bHalf(x4, 1));
    }
    for (int mt = 0; mt < 4; ++mt)
      for (int nt = 0; nt < 4; ++nt)
        acc[mt * 4 + nt] = mma(a[mt], b[nt], acc[mt * 4 + nt]);
  }
  for (int mt = 0; mt < 4; ++mt)
    for (int nt = 0; nt < 4; ++nt)
      for (int lane = 0; lane < kWarp; ++lane)
        for (int reg = 0; reg < 2; ++reg)
          for (int e = 0; e < 2; ++e) {
            RowCol<int> rc = mmaCElement(lane, reg, e);
            int row = warpRow + 16 * mt + rc.row;
            int col = warpCol + 8 * nt + rc.col;
            double ref = 0;
            for (int k = 0; k < bk; ++k)
              ref += (row < m ? x[row * bk + k] : 0.0) * w[col * bk + k];
            EXPECT_NEAR(acc[mt * 4 + nt][lane][reg][e], ref, 1e-12)
                << "row " << row << " col " << col;
          }
}

//===----------------------------------------------------------------------===//
// Mask bounds: blocks outside the range see nothing, unmasked blocks see all
//===----------------------------------------------------------------------===//

TEST(FragmentMaps, KeyBlockRangeAndMaskAreExact) {
  auto minI = [](int a, int b) { return std::min(a, b); };
  auto maxI = [](int a, int b) { return std::max(a, b); };
  const int rows = 64, bn = 64;
  for (int sq : {1, 5, 64, 100, 200})
    for (int skv : {1, 63, 64, 130, 300})
      for (int variant = 0; variant < 4; ++variant) {
        bool causal = variant != 0;
        int64_t window = variant == 2 ? 17 : variant == 3 ? 100 : 0;
        MaskParams<int> mp{skv, skv - sq, causal, window};
        for (int q0 = 0; q0 < sq; q0 += rows) {
          RowCol<int> range = keyBlockRange(mp, q0, rows, bn, 0, minI, maxI);
          int numBlocks = (skv + bn - 1) / bn;
          for (int blk = 0; blk < numBlocks; ++blk) {
            bool inRange = blk >= range.row && blk < range.col;
            int j0 = blk * bn;
            bool needs = keyBlockNeedsMask(mp, q0, rows, bn, j0, false);
            for (int i = q0; i < q0 + rows; ++i)
              for (int j = j0; j < j0 + bn; ++j) {
                bool vis = j < skv && (!causal || j <= i + (skv - sq)) &&
                           (!window || j > i + (skv - sq) - window);
                EXPECT_EQ(keyVisible(mp, i, j, true), vis);
                if (vis && i < sq)
                  EXPECT_TRUE(inRange) << "visible block skipped: sq " << sq
                                       << " skv " << skv << " q0 " << q0;
                if (inRange && !needs)
                  EXPECT_TRUE(vis) << "unmasked block with hidden keys";
              }
          }
        }
      }
}

//===----------------------------------------------------------------------===//
// A FlashAttention-2 warp tile as the attention kernel issues it
//===----------------------------------------------------------------------===//

struct AttnCase {
  int headDim;
  int numQueries;
  int numKeys;
  bool causal;
  int64_t window;
  double softcap;
  int headsPerTile; // GQA packing: query heads of one kv group per tile.
};

class AttentionWarpTest : public ::testing::TestWithParam<AttnCase> {};

TEST_P(AttentionWarpTest, MatchesFloat64Softmax) {
  const AttnCase p = GetParam();
  const int d = p.headDim, bm = 64, bn = 64, threads = 128;
  const int sq = p.numQueries, skv = p.numKeys, heads = p.headsPerTile;
  const int positions = bm / heads;
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  const double log2e = 1.4426950408889634;
  std::mt19937 rng(d + sq + skv);
  // Q of the group's heads: row (h * sq + i).
  std::vector<double> q = randomMatrix(heads * sq, d, rng);
  std::vector<double> k = randomMatrix(skv, d, rng);
  std::vector<double> v = randomMatrix(skv, d, rng);
  for (double &x : q)
    x *= 4; // Larger scores exercise the running-max rescaling.
  auto minI = [](int a, int b) { return std::min(a, b); };
  auto maxI = [](int a, int b) { return std::max(a, b); };
  MaskParams<int> mp{skv, skv - sq, p.causal, p.window};
  // How often each (head, position) row was produced: exactly once.
  std::vector<int> produced(heads * sq, 0);

  for (int q0 = 0; q0 < sq; q0 += positions) {
    // The kernel's Q copy: tile row r is head packedRowHead(r) at position
    // packedRowPosition(r); rows past Sq zero-fill.
    Smem sQ(bm, d);
    for (int tid = 0; tid < threads; ++tid)
      for (int round = 0; round < bm * d / kChunkElems / threads; ++round) {
        RowCol<int> rc = copyChunk(tid, round, threads, d / kChunkElems);
        int h = packedRowHead(0, rc.row, heads, bm);
        int pos = packedRowPosition(q0, rc.row, heads, bm);
        int dst = swizzleCol(rc.row, rc.col, d / kChunkElems);
        for (int e = 0; e < kChunkElems; ++e) {
          sQ.at(rc.row, dst + e) =
              pos < sq ? q[(h * sq + pos) * d + rc.col + e] : 0.0;
          ++sQ.writes[rc.row * d + dst + e];
        }
      }
    for (int w : sQ.writes)
      ASSERT_EQ(w, 1);
    RowCol<int> range = keyBlockRange(mp, q0, positions, bn, 0, minI, maxI);
    for (int warp = 0; warp < 4; ++warp) {
      const int warpRow = 16 * warp;
      std::vector<Frag<4>> qf;
      for (int kk = 0; kk < d / 16; ++kk)
        qf.push_back(ldmatrixX4(
            sQ, x4Addresses(sQ, warpRow, 16 * kk, X4Order::RowsFirst), false));
      std::array<std::array<double, 2>, kWarp> m, l;
      for (auto &r : m)
        r = {-kInf, -kInf};
      for (auto &r : l)
        r = {0, 0};
      std::vector<Frag<2>> o(d / 8, Frag<2>{});
      for (int blk = range.row; blk < range.col; ++blk) {
        const int j0 = blk * bn;
        Smem sK(bn, d), sV(bn, d);
        copyTile(sK, k, d, j0, 0, skv, threads);
        copyTile(sV, v, d, j0, 0, skv, threads);
        std::vector<Frag<2>> s(bn / 8, Frag<2>{});
        for (int kk = 0; kk < d / 16; ++kk)
          for (int np = 0; np < bn / 16; ++np) {
            Frag<4> x4 = ldmatrixX4(
                sK, x4Addresses(sK, 16 * np, 16 * kk, X4Order::ColsFirst),
                false);
            s[2 * np] = mma(qf[kk], bHalf(x4, 0), s[2 * np]);
            s[2 * np + 1] = mma(qf[kk], bHalf(x4, 1), s[2 * np + 1]);
          }
        bool needs = keyBlockNeedsMask(mp, q0, positions, bn, j0, false);
        for (int nt = 0; nt < bn / 8; ++nt)
          for (int lane = 0; lane < kWarp; ++lane)
            for (int reg = 0; reg < 2; ++reg)
              for (int e = 0; e < 2; ++e) {
                double &x = s[nt][lane][reg][e];
                x = p.softcap > 0
                        ? p.softcap * std::tanh(x * scale / p.softcap) * log2e
                        : x * scale * log2e;
                RowCol<int> rc = mmaCElement(lane, reg, e);
                int i = packedRowPosition(q0, warpRow + rc.row, heads, bm);
                if (needs && !keyVisible(mp, i, j0 + 8 * nt + rc.col, true))
                  x = -kInf;
              }
        // Online softmax: thread-local max, quad butterfly, rescale.
        std::array<std::array<double, 2>, kWarp> mUse, alpha;
        for (int reg = 0; reg < 2; ++reg) {
          std::array<double, kWarp> mx;
          for (int lane = 0; lane < kWarp; ++lane) {
            mx[lane] = -kInf;
            for (int nt = 0; nt < bn / 8; ++nt)
              for (int e = 0; e < 2; ++e)
                mx[lane] = std::max(mx[lane], s[nt][lane][reg][e]);
          }
          auto maxOp = [](double a, double b) { return std::max(a, b); };
          butterfly(mx, 1, maxOp);
          butterfly(mx, 2, maxOp);
          for (int lane = 0; lane < kWarp; ++lane) {
            double mNew = std::max(m[lane][reg], mx[lane]);
            mUse[lane][reg] = mNew == -kInf ? 0.0 : mNew;
            alpha[lane][reg] = std::exp2(m[lane][reg] - mUse[lane][reg]);
            m[lane][reg] = mNew;
          }
        }
        for (int lane = 0; lane < kWarp; ++lane)
          for (int reg = 0; reg < 2; ++reg) {
            double sum = 0;
            for (int nt = 0; nt < bn / 8; ++nt)
              for (int e = 0; e < 2; ++e) {
                double &x = s[nt][lane][reg][e];
                x = std::exp2(x - mUse[lane][reg]);
                sum += x;
              }
            l[lane][reg] = l[lane][reg] * alpha[lane][reg] + sum;
            for (auto &frag : o)
              for (int e = 0; e < 2; ++e)
                frag[lane][reg][e] *= alpha[lane][reg];
          }
        // O += P·V with P's C fragments as A fragments.
        for (int kk = 0; kk < bn / 16; ++kk) {
          Frag<4> a{};
          for (int lane = 0; lane < kWarp; ++lane)
            for (int reg = 0; reg < 4; ++reg)
              a[lane][reg] = s[cToANTile(kk, reg)][lane][cToARow(reg)];
          for (int np = 0; np < d / 16; ++np) {
            Frag<4> x4 = ldmatrixX4(
                sV, x4Addresses(sV, 16 * kk, 16 * np, X4Order::RowsFirst),
                true);
            o[2 * np] = mma(a, bHalf(x4, 0), o[2 * np]);
            o[2 * np + 1] = mma(a, bHalf(x4, 1), o[2 * np + 1]);
          }
        }
      }
      // Epilogue: l across the quad, O / l, lse; compare with float64.
      for (int reg = 0; reg < 2; ++reg) {
        std::array<double, kWarp> lq;
        for (int lane = 0; lane < kWarp; ++lane)
          lq[lane] = l[lane][reg];
        auto addOp = [](double a, double b) { return a + b; };
        butterfly(lq, 1, addOp);
        butterfly(lq, 2, addOp);
        for (int lane = 0; lane < kWarp; ++lane) {
          int tileRow = warpRow + mmaCElement(lane, reg, 0).row;
          int i = packedRowPosition(q0, tileRow, heads, bm);
          int h = packedRowHead(0, tileRow, heads, bm);
          if (i >= sq)
            continue;
          if (lane % 4 == 0)
            ++produced[h * sq + i];
          // Reference: softmax over the visible keys of row i.
          std::vector<double> sc(skv, -kInf);
          double mx = -kInf;
          for (int j = 0; j < skv; ++j) {
            if (!keyVisible(mp, i, j, true))
              continue;
            double dot = 0;
            for (int c = 0; c < d; ++c)
              dot += q[(h * sq + i) * d + c] * k[j * d + c];
            sc[j] = p.softcap > 0
                        ? p.softcap * std::tanh(dot * scale / p.softcap)
                        : dot * scale;
            mx = std::max(mx, sc[j]);
          }
          double denom = 0;
          for (int j = 0; j < skv; ++j)
            denom += sc[j] == -kInf ? 0.0 : std::exp(sc[j] - mx);
          double lse = lq[lane] > 0
                           ? (m[lane][reg] + std::log2(lq[lane])) / log2e
                           : -kInf;
          if (denom == 0) {
            EXPECT_EQ(lse, -kInf);
          } else {
            EXPECT_NEAR(lse, mx + std::log(denom), 1e-9) << "row " << i;
          }
          for (int nt = 0; nt < d / 8; ++nt)
            for (int e = 0; e < 2; ++e) {
              int c = 8 * nt + mmaCElement(lane, reg, e).col;
              double ref = 0;
              for (int j = 0; j < skv; ++j)
                if (sc[j] != -kInf)
                  ref += std::exp(sc[j] - mx) / denom * v[j * d + c];
              double got = lq[lane] > 0 ? o[nt][lane][reg][e] / lq[lane] : 0.0;
              EXPECT_NEAR(got, ref, 1e-9) << "row " << i << " col " << c;
            }
        }
      }
    }
  }
  for (int n : produced)
    EXPECT_EQ(n, 1) << "every (head, position) row is produced once";
}

INSTANTIATE_TEST_SUITE_P(
    Variants, AttentionWarpTest,
    ::testing::Values(AttnCase{64, 64, 64, false, 0, 0, 1},
                      AttnCase{64, 100, 150, false, 0, 0, 1},
                      AttnCase{128, 70, 70, true, 0, 0, 1},
                      AttnCase{64, 40, 200, true, 0, 0, 1},
                      AttnCase{64, 200, 40, true, 0, 0, 1},
                      AttnCase{128, 130, 130, true, 48, 0, 1},
                      AttnCase{64, 90, 120, false, 0, 20.0, 1},
                      AttnCase{64, 50, 90, true, 0, 0, 4},
                      AttnCase{128, 1, 77, true, 0, 0, 8},
                      AttnCase{64, 37, 37, true, 20, 0, 2}));

} // namespace

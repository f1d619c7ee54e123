/**
 * The source (WebAssembly text) of this project's SIMD kernels, run on the
 * tfjs wasm heap by backends/wasm/simd.ts: the float32 GEMM behind the wasm
 * backend's `BatchMatMul`, the fused AdamATan2 update of the data-parallel
 * workers, and strided copies for slices and concatenations.
 * `backends/wasm/build_simd_bytes.ts` assembles it into backends/wasm/simd_bytes.ts;
 * a test checks the committed bytes are this text assembled.
 *
 * GEMM.
 *
 * Why our own: tfjs-backend-wasm 4.22's XNNPACK build uses plain SIMD128
 * (separate multiply and add) and reaches ~35 GFLOP/s on one core here. A
 * 6 x 8 register-blocked kernel with `f32x4.relaxed_madd`, which V8 lowers to
 * a fused multiply-add where the CPU has one, reaches ~54 GFLOP/s on the same
 * shapes (measured on this project's 2-core AMD EPYC machine).
 *
 * The layout is the classic packed GEMM (Goto/BLIS): `C[m, n] = A[m, k] B[k, n]`
 * with both operands first copied into panels, so any transposition or stride
 * costs one packing pass and the kernel itself always reads contiguous memory:
 * - A panels: 6 rows at a time, k-major (`k` groups of 6 floats), rows past `m`
 *   zero-filled;
 * - B panels: 8 columns at a time, k-major (`k` groups of 8 floats), columns past
 *   `n` zero-filled.
 * Every output element is one dot product summed over k = 0, 1, ... in order
 * with one fused multiply-add per term, whatever the tiling: results do not
 * depend on how rows are split into batches or between workers.
 *
 * The module imports its memory (`env.mem`): it runs on the tfjs wasm heap,
 * so operands and results are never copied between memories. All pointers and
 * strides are in bytes.
 * @module
 */

/** Rows per micro-tile (A panel height). */
export const MR = 6;
/** Columns per micro-tile (B panel width: two f32x4 vectors). */
export const NR = 8;

/** acc += a * b, fused where the CPU has FMA. */
function madd(acc: string, a: string, b: string): string {
  return `(local.set ${acc} (f32x4.relaxed_madd (local.get ${a}) (local.get ${b}) (local.get ${acc})))`;
}

function lines(count: number, f: (r: number) => string): string {
  return Array.from({ length: count }, (_, r) => f(r)).join("\n");
}

/**
 * `tile(pa, pb, k, pc, ldc)`: the 6 x 8 micro-kernel. Sums k terms of one A
 * panel and one B panel in 12 vector accumulators (6 rows x 2 vectors; with
 * the two B vectors and the A broadcast, 15 of x86's 16 vector registers) and
 * stores the tile at `pc` with row stride `ldc`.
 */
function tileFunc(): string {
  const acc = (r: number, h: number) => `$c${r}${h}`;
  return `(func $tile (param $pa i32) (param $pb i32) (param $k i32) (param $pc i32) (param $ldc i32)
  (local $a v128) (local $b0 v128) (local $b1 v128)
  ${lines(MR, (r) => `(local ${acc(r, 0)} v128) (local ${acc(r, 1)} v128)`)}
  (loop $lk
    (local.set $b0 (v128.load offset=0 (local.get $pb)))
    (local.set $b1 (v128.load offset=16 (local.get $pb)))
${
    lines(
      MR,
      (r) =>
        `    (local.set $a (v128.load32_splat offset=${4 * r} (local.get $pa)))\n    ` +
        madd(acc(r, 0), "$a", "$b0") + " " + madd(acc(r, 1), "$a", "$b1"),
    )
  }
    (local.set $pa (i32.add (local.get $pa) (i32.const ${4 * MR})))
    (local.set $pb (i32.add (local.get $pb) (i32.const ${4 * NR})))
    (local.set $k (i32.sub (local.get $k) (i32.const 1)))
    (br_if $lk (local.get $k)))
${
    lines(
      MR,
      (r) =>
        `  (v128.store offset=0 (local.get $pc) (local.get ${acc(r, 0)}))\n` +
        `  (v128.store offset=16 (local.get $pc) (local.get ${acc(r, 1)}))` +
        (r < MR - 1 ? `\n  (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))` : ""),
    )
  })`;
}

/**
 * `gemm(apack, bpack, c, m, n, k, ldc, mcBlocks, scratch)`: C = A B from packed
 * panels, k >= 1. Rows are taken `mcBlocks` A panels at a time (a chunk that
 * stays in L2 while every B panel passes over it; each B panel stays in L1).
 * Edge tiles go through `scratch` (6 x 8 floats) and only their valid part is
 * copied to C.
 */
const GEMM = `(func (export "gemm") (param $apack i32) (param $bpack i32) (param $c i32)
    (param $m i32) (param $n i32) (param $k i32) (param $ldc i32) (param $mcBlocks i32)
    (param $scratch i32)
  (local $mBlocks i32) (local $nBlocks i32) (local $ib0 i32) (local $ib1 i32) (local $ib i32)
  (local $jb i32) (local $pb i32) (local $rows i32) (local $cols i32) (local $r i32) (local $j i32)
  (local $src i32) (local $dst i32)
  (local.set $mBlocks (i32.div_u (i32.add (local.get $m) (i32.const ${MR - 1})) (i32.const ${MR})))
  (local.set $nBlocks (i32.div_u (i32.add (local.get $n) (i32.const ${NR - 1})) (i32.const ${NR})))
  (loop $chunks
    (local.set $ib1 (i32.add (local.get $ib0) (local.get $mcBlocks)))
    (if (i32.gt_u (local.get $ib1) (local.get $mBlocks)) (then (local.set $ib1 (local.get $mBlocks))))
    (local.set $jb (i32.const 0))
    (loop $cols_loop
      (local.set $pb (i32.add (local.get $bpack)
        (i32.mul (local.get $jb) (i32.mul (local.get $k) (i32.const ${4 * NR})))))
      (local.set $cols (i32.sub (local.get $n) (i32.mul (local.get $jb) (i32.const ${NR}))))
      (if (i32.gt_u (local.get $cols) (i32.const ${NR})) (then (local.set $cols (i32.const ${NR}))))
      (local.set $ib (local.get $ib0))
      (loop $rows_loop
        (local.set $rows (i32.sub (local.get $m) (i32.mul (local.get $ib) (i32.const ${MR}))))
        (if (i32.gt_u (local.get $rows) (i32.const ${MR})) (then (local.set $rows (i32.const ${MR}))))
        (local.set $dst (i32.add (local.get $c) (i32.add
          (i32.mul (local.get $ib) (i32.mul (local.get $ldc) (i32.const ${MR})))
          (i32.mul (local.get $jb) (i32.const ${4 * NR})))))
        (local.set $src (i32.add (local.get $apack)
          (i32.mul (local.get $ib) (i32.mul (local.get $k) (i32.const ${4 * MR})))))
        (if (i32.and (i32.eq (local.get $rows) (i32.const ${MR})) (i32.eq (local.get $cols) (i32.const ${NR})))
          (then (call $tile (local.get $src) (local.get $pb) (local.get $k) (local.get $dst) (local.get $ldc)))
          (else
            (call $tile (local.get $src) (local.get $pb) (local.get $k) (local.get $scratch) (i32.const ${
  4 * NR
})) 
            (local.set $r (i32.const 0))
            (loop $copy_rows
              (local.set $j (i32.const 0))
              (loop $copy_cols
                (f32.store
                  (i32.add (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $ldc)))
                    (i32.shl (local.get $j) (i32.const 2)))
                  (f32.load (i32.add (local.get $scratch)
                    (i32.shl (i32.add (i32.mul (local.get $r) (i32.const ${NR})) (local.get $j)) (i32.const 2)))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br_if $copy_cols (i32.lt_u (local.get $j) (local.get $cols))))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br_if $copy_rows (i32.lt_u (local.get $r) (local.get $rows))))))
        (local.set $ib (i32.add (local.get $ib) (i32.const 1)))
        (br_if $rows_loop (i32.lt_u (local.get $ib) (local.get $ib1))))
      (local.set $jb (i32.add (local.get $jb) (i32.const 1)))
      (br_if $cols_loop (i32.lt_u (local.get $jb) (local.get $nBlocks))))
    (local.set $ib0 (local.get $ib1))
    (br_if $chunks (i32.lt_u (local.get $ib0) (local.get $mBlocks)))))`;

/**
 * `pack(src, rs, cs, rows, k, dst, width)`: copies `rows` x k elements, element
 * (i, kk) at `src + i*rs + kk*cs`, into panels of `width` (6 or 8) rows,
 * k-major, rows past `rows` zero-filled. Packs A (rows = m, width 6) and B (its
 * columns are the rows: rows = n, rs/cs = B's column/row strides, width 8).
 * Where a panel's rows are adjacent floats (rs = 4: a transposed A, a row-major
 * B) each k group is one contiguous copy; where a row's k are adjacent (cs = 4)
 * four floats are read per load; otherwise element by element.
 */
const PACK = `(func (export "pack") (param $src i32) (param $rs i32) (param $cs i32)
    (param $rows i32) (param $k i32) (param $dst i32) (param $width i32)
  (local $i i32) (local $i1 i32) (local $p i32) (local $q i32) (local $kk i32) (local $step i32)
  (local $v v128)
  ;; bytes from one k group to the next inside a panel
  (local.set $step (i32.shl (local.get $width) (i32.const 2)))
  (loop $panels
    (local.set $i1 (i32.add (local.get $i) (local.get $width)))
    (if (i32.and (i32.eq (local.get $rs) (i32.const 4)) (i32.le_u (local.get $i1) (local.get $rows)))
      (then
        ;; a full panel of adjacent rows: each k group is width contiguous floats
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $kk (i32.const 0))
        (loop $groups
          (v128.store (local.get $dst) (v128.load (local.get $p)))
          (if (i32.eq (local.get $width) (i32.const 8))
            (then (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $p))))
            (else (i64.store offset=16 (local.get $dst) (i64.load offset=16 (local.get $p)))))
          (local.set $p (i32.add (local.get $p) (local.get $cs)))
          (local.set $dst (i32.add (local.get $dst) (local.get $step)))
          (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
          (br_if $groups (i32.lt_u (local.get $kk) (local.get $k)))))
      (else
        (loop $per_row
          ;; row i goes to slot (i % width) of this panel
          (local.set $q (local.get $dst))
          (if (i32.lt_u (local.get $i) (local.get $rows))
            (then
              (local.set $p (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $rs))))
              (local.set $kk (i32.const 0))
              (if (i32.eq (local.get $cs) (i32.const 4))
                (then
                  (block $done4
                    (loop $by4
                      (br_if $done4 (i32.gt_u (i32.add (local.get $kk) (i32.const 4)) (local.get $k)))
                      (local.set $v (v128.load (local.get $p)))
                      (v128.store32_lane 0 (local.get $q) (local.get $v))
                      (v128.store32_lane 1 (i32.add (local.get $q) (local.get $step)) (local.get $v))
                      (v128.store32_lane 2
                        (i32.add (local.get $q) (i32.shl (local.get $step) (i32.const 1))) (local.get $v))
                      (v128.store32_lane 3
                        (i32.add (local.get $q) (i32.mul (local.get $step) (i32.const 3))) (local.get $v))
                      (local.set $p (i32.add (local.get $p) (i32.const 16)))
                      (local.set $q (i32.add (local.get $q) (i32.shl (local.get $step) (i32.const 2))))
                      (local.set $kk (i32.add (local.get $kk) (i32.const 4)))
                      (br $by4)))))
              (block $done
                (loop $by1
                  (br_if $done (i32.ge_u (local.get $kk) (local.get $k)))
                  (f32.store (local.get $q) (f32.load (local.get $p)))
                  (local.set $p (i32.add (local.get $p) (local.get $cs)))
                  (local.set $q (i32.add (local.get $q) (local.get $step)))
                  (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
                  (br $by1))))
            (else
              (local.set $kk (i32.const 0))
              (loop $zero
                (f32.store (local.get $q) (f32.const 0))
                (local.set $q (i32.add (local.get $q) (local.get $step)))
                (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
                (br_if $zero (i32.lt_u (local.get $kk) (local.get $k))))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $per_row (i32.lt_u (local.get $i) (local.get $i1))))
        ;; dst walked one float per row; move it to the next panel
        (local.set $dst (i32.sub (local.get $dst) (local.get $step)))
        (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $k) (local.get $step))))))
    (local.set $i (local.get $i1))
    (br_if $panels (i32.lt_u (local.get $i) (local.get $rows)))))`;

/** i8x16.shuffle lanes: bytes 8..15 of the first operand to 0..7. */
const HIGH_TO_LOW = "8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7";
/** i8x16.shuffle lanes: the low 8 bytes of each operand, first then second. */
const LOW_HALVES = "0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23";

/** The coefficients of atan(a) = a * P(a^2) on [0, 1], as `atan2NonNegX` (model/optim.ts). */
const ATAN_COEFFS = [
  0.9999999847929929,
  -0.3333307347640884,
  0.1999262123530038,
  -0.14203656069623222,
  0.10640972723813791,
  -0.07504367724012895,
  0.04269230730898356,
  -0.016069079122657717,
  0.0028499954937996896,
];

/** `a * P(a*a)` in f64x2, Horner's rule in the same order as `atan2NonNegX`. */
function atanPoly(a: string): string {
  const c = (x: number) => `(f64x2.splat (f64.const ${x}))`;
  let horner = c(ATAN_COEFFS[ATAN_COEFFS.length - 1]);
  for (let i = ATAN_COEFFS.length - 2; i >= 0; i--) {
    horner = `(f64x2.add ${c(ATAN_COEFFS[i])} (f64x2.mul (local.get $z) ${horner}))`;
  }
  return `(local.set $z (f64x2.mul (local.get ${a}) (local.get ${a})))
      (f64x2.mul (local.get ${a}) ${horner})`;
}

/**
 * `adam(p, m, v, g, n, c1, c2, bc2Sqrt, decay, stepSize)`: AdamATan2 on n
 * floats (n a multiple of 4), in place on p, m, v, bit for bit the float32 and
 * float64 operations of `adamATan2Host` (model/optim.ts): the moments and the
 * update in f32x4, atan2's ratio and polynomial in f64x2 as JavaScript's
 * doubles. Separate multiplies and adds only (no fused multiply-add here), so
 * every rounding is the same as the host loop's.
 */
const ADAM = `(func (export "adam") (param $p i32) (param $m i32) (param $v i32) (param $g i32)
    (param $n i32) (param $c1 f32) (param $c2 f32) (param $bc2 f32) (param $decay f32)
    (param $step f32)
  (local $end i32) (local $gv v128) (local $mv v128) (local $vv v128) (local $x v128) (local $ay v128)
  (local $flip v128) (local $hi v128) (local $lo v128) (local $a v128) (local $z v128)
  (local $rLo v128) (local $rHi v128) (local $r v128)
  (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
  (block $done
    (loop $each4
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $gv (v128.load (local.get $g)))
      (local.set $mv (v128.load (local.get $m)))
      (local.set $vv (v128.load (local.get $v)))
      ;; m + (g - m) * c1;  v + (g*g - v) * c2
      (local.set $mv (f32x4.add (local.get $mv) (f32x4.mul
        (f32x4.sub (local.get $gv) (local.get $mv)) (f32x4.splat (local.get $c1)))))
      (local.set $vv (f32x4.add (local.get $vv) (f32x4.mul
        (f32x4.sub (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $vv))
        (f32x4.splat (local.get $c2)))))
      (v128.store (local.get $m) (local.get $mv))
      (v128.store (local.get $v) (local.get $vv))
      ;; atan2(m, sqrt(v) / bc2Sqrt) with x >= 0
      (local.set $x (f32x4.div (f32x4.sqrt (local.get $vv)) (f32x4.splat (local.get $bc2))))
      (local.set $ay (f32x4.abs (local.get $mv)))
      (local.set $flip (f32x4.gt (local.get $ay) (local.get $x)))
      (local.set $hi (v128.bitselect (local.get $ay) (local.get $x) (local.get $flip)))
      (local.set $lo (v128.bitselect (local.get $x) (local.get $ay) (local.get $flip)))
      ;; lanes 0, 1 in f64
      (local.set $a (f64x2.div (f64x2.promote_low_f32x4 (local.get $lo))
        (f64x2.promote_low_f32x4 (local.get $hi))))
      (local.set $rLo ${atanPoly("$a")})
      (local.set $rLo (v128.bitselect
        (f64x2.sub (f64x2.splat (f64.const ${Math.PI / 2})) (local.get $rLo)) (local.get $rLo)
        (i64x2.extend_low_i32x4_s (local.get $flip))))
      ;; lanes 2, 3 in f64
      (local.set $a (f64x2.div
        (f64x2.promote_low_f32x4 (i8x16.shuffle ${HIGH_TO_LOW} (local.get $lo) (local.get $lo)))
        (f64x2.promote_low_f32x4 (i8x16.shuffle ${HIGH_TO_LOW} (local.get $hi) (local.get $hi)))))
      (local.set $rHi ${atanPoly("$a")})
      (local.set $rHi (v128.bitselect
        (f64x2.sub (f64x2.splat (f64.const ${Math.PI / 2})) (local.get $rHi)) (local.get $rHi)
        (i64x2.extend_high_i32x4_s (local.get $flip))))
      ;; back to f32x4; the sign of m; atan2(+-0, 0) = m
      (local.set $r (i8x16.shuffle ${LOW_HALVES}
        (f32x4.demote_f64x2_zero (local.get $rLo)) (f32x4.demote_f64x2_zero (local.get $rHi))))
      (local.set $r (v128.bitselect (f32x4.neg (local.get $r)) (local.get $r)
        (f32x4.lt (local.get $mv) (f32x4.splat (f32.const 0)))))
      (local.set $r (v128.bitselect (local.get $mv) (local.get $r)
        (f32x4.eq (local.get $hi) (f32x4.splat (f32.const 0)))))
      ;; p * decay - update * stepSize
      (v128.store (local.get $p) (f32x4.sub
        (f32x4.mul (v128.load (local.get $p)) (f32x4.splat (local.get $decay)))
        (f32x4.mul (local.get $r) (f32x4.splat (local.get $step)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $m (i32.add (local.get $m) (i32.const 16)))
      (local.set $v (i32.add (local.get $v) (i32.const 16)))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (br $each4))))`;

/**
 * `copy(src, dst, run, count, srcStride, dstStride)`: copies `count` runs of
 * `run` bytes, the i-th from `src + i*srcStride` to `dst + i*dstStride`
 * (slices, splits and concatenations: one call per strided family of runs
 * instead of one JavaScript call per run).
 */
const COPY = `(func (export "copy") (param $src i32) (param $dst i32) (param $run i32)
    (param $count i32) (param $ss i32) (param $ds i32)
  (block $done
    (loop $runs
      (br_if $done (i32.eqz (local.get $count)))
      (memory.copy (local.get $dst) (local.get $src) (local.get $run))
      (local.set $src (i32.add (local.get $src) (local.get $ss)))
      (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br $runs))))`;

/** The whole module's text. */
export function simdWat(): string {
  return `(module
(import "env" "mem" (memory 1))
${tileFunc()}
${GEMM}
${PACK}
${ADAM}
${COPY})
`;
}

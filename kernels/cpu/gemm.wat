;; The large products of the CPU GEMM in WebAssembly SIMD (see gemm-wasm.ts for the JavaScript
;; side that copies the operands in and the results out).
;;
;;   C[i, j] = init[j] + Σ_p A[i, p] · B[p, j]      (init: the bias row, or 0)
;;
;; Register blocking: C is cut into 4 × 8 blocks. A block lives in 8 vectors of 4 float32 lanes
;; ($c<r>_<h>: row r of the block, columns 4h .. 4h+3) for the whole sum over p. Each step p loads
;; the 8 values B[p, j .. j+7] (2 vectors), and for each of the 4 rows broadcasts A[i+r, p] to all
;; lanes ("splat") and does
;;   c[r][h] = c[r][h] + splat(A[i+r, p]) · B[p, j+4h .. j+4h+3]
;; so 2 + 4 loads feed 32 multiply-adds. The product is rounded to float32 (f32x4.mul), then the
;; sum (f32x4.add), in the order p = 0, 1, ...: the JavaScript loops of matmul.ts round the same
;; way, so both give the same bits.
;;
;; Addresses are in bytes. A[i, p] is at $a + i·$sAi + p·$sAp (so A may be stored transposed),
;; B[p, j .. j+7] is contiguous at $b + p·$ldb + 4·j, init is one row, C is row-major with $ldc
;; bytes per row (written, never read). $mBlocks = rows / 4 and $nBlocks = columns / 8 (the caller
;; pads), $k ≥ 1.
;;
;; $claim ≠ 0: first write every cache line of the rows of C this call computes, then compute.
;; The kernel writes each of them anyway; the first pass only makes this core their owner sooner.
;; On two cores a layer's output C is read by both (its weight gradient's product xᵀ·dz reads it
;; by columns), so when the next step writes it again its lines are in the other core's cache
;; too, and stores that must first take each line from there, 8 vectors at a time between
;; sums, held the whole product up; one pass of plain stores gets them all under way at once
;; (docs/performance.md, "a layer's output, claimed before it is written").
;;
;; The epilogue, applied to each vector as it is stored ($act; the op table's rows bit for bit):
;;   0: none,  1: ReLU  max-by-sign: x > 0 ? x : +0  (also +0 for NaN and −0, as `x > 0` is false there),
;;   2: LeakyReLU  x > 0 ? x : α·x, the product in double precision then rounded to float32, as
;;      JavaScript computes α·x and a Float32Array store rounds it. α arrives as the two 32-bit
;;      halves of its float64 ($alphaLo, $alphaHi), so that every argument is an i32.
(module
  (import "env" "memory" (memory 1))
  (func (export "gemm")
    (param $a i32) (param $sAi i32) (param $sAp i32) (param $b i32) (param $ldb i32)
    (param $init i32) (param $c i32) (param $ldc i32)
    (param $mBlocks i32) (param $nBlocks i32) (param $k i32)
    (param $act i32) (param $alphaLo i32) (param $alphaHi i32) (param $claim i32)
    (local $ib i32) (local $jb i32) (local $p i32)
    (local $ap i32) (local $bp i32) (local $cp i32)
    (local $row1 i32) (local $row2 i32) (local $row3 i32)  ;; r·$sAi: A[i+r, p] is at $ap + $row<r>
    (local $c0_0 v128) (local $c0_1 v128) (local $c1_0 v128) (local $c1_1 v128)
    (local $c2_0 v128) (local $c2_1 v128) (local $c3_0 v128) (local $c3_1 v128)
    (local $b0 v128) (local $b1 v128)  ;; B[p, j .. j+3] and B[p, j+4 .. j+7]
    (local $aSplat v128)               ;; A[i+r, p] in all 4 lanes
    (local $alpha f64)
    (local $ldc2 i32) (local $ldc3 i32)  ;; 2·$ldc, 3·$ldc
    (local $q i32) (local $qEnd i32) (local $h i32) (local $x v128)  ;; the epilogue's pass
    (local.set $alpha (f64.reinterpret_i64 (i64.or (i64.extend_i32_u (local.get $alphaLo))
      (i64.shl (i64.extend_i32_u (local.get $alphaHi)) (i64.const 32)))))
    (local.set $row1 (local.get $sAi))
    (local.set $row2 (i32.mul (local.get $sAi) (i32.const 2)))
    (local.set $row3 (i32.mul (local.get $sAi) (i32.const 3)))
    (local.set $ldc2 (i32.mul (local.get $ldc) (i32.const 2)))
    (local.set $ldc3 (i32.mul (local.get $ldc) (i32.const 3)))
    (if (local.get $claim)
      (then                            ;; a zero into each 64 bytes of each row's 32·$nBlocks, and into its last 16
        (local.set $q (local.get $c))
        (local.set $qEnd (i32.add (local.get $c) (i32.mul (i32.shl (local.get $mBlocks) (i32.const 2)) (local.get $ldc))))
        (loop $claimRows
          (local.set $h (i32.const 0))
          (loop $claimLines
            (v128.store (i32.add (local.get $q) (local.get $h)) (v128.const i32x4 0 0 0 0))
            (br_if $claimLines (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 64))) (i32.shl (local.get $nBlocks) (i32.const 5)))))
          (v128.store offset=0 (i32.sub (i32.add (local.get $q) (i32.shl (local.get $nBlocks) (i32.const 5))) (i32.const 16)) (v128.const i32x4 0 0 0 0))
          (br_if $claimRows (i32.lt_u (local.tee $q (i32.add (local.get $q) (local.get $ldc))) (local.get $qEnd))))))
    (local.set $ib (i32.const 0))
    (loop $rows                        ;; rows 4·ib .. 4·ib+3
      (local.set $jb (i32.const 0))
      (loop $columns                   ;; columns 8·jb .. 8·jb+7
        (local.set $cp (i32.add (i32.add (local.get $c)
          (i32.mul (i32.mul (local.get $ib) (local.get $ldc)) (i32.const 4)))
          (i32.mul (local.get $jb) (i32.const 32))))
        (local.set $ap (i32.add (local.get $a) (i32.mul (i32.mul (local.get $ib) (local.get $sAi)) (i32.const 4))))
        (local.set $bp (i32.add (local.get $b) (i32.mul (local.get $jb) (i32.const 32))))
        ;; every row of the block starts from init[j .. j+7]
        (local.set $c0_0 (v128.load offset=0 (i32.add (local.get $init) (i32.mul (local.get $jb) (i32.const 32)))))
        (local.set $c0_1 (v128.load offset=16 (i32.add (local.get $init) (i32.mul (local.get $jb) (i32.const 32)))))
        (local.set $c1_0 (local.get $c0_0)) (local.set $c1_1 (local.get $c0_1))
        (local.set $c2_0 (local.get $c0_0)) (local.set $c2_1 (local.get $c0_1))
        (local.set $c3_0 (local.get $c0_0)) (local.set $c3_1 (local.get $c0_1))
        (local.set $p (local.get $k))
        (loop $sum                     ;; p = 0 .. k-1
          (local.set $b0 (v128.load offset=0 (local.get $bp)))
          (local.set $b1 (v128.load offset=16 (local.get $bp)))
          (local.set $aSplat (v128.load32_splat (local.get $ap)))
          (local.set $c0_0 (f32x4.add (local.get $c0_0) (f32x4.mul (local.get $aSplat) (local.get $b0))))
          (local.set $c0_1 (f32x4.add (local.get $c0_1) (f32x4.mul (local.get $aSplat) (local.get $b1))))
          (local.set $aSplat (v128.load32_splat (i32.add (local.get $ap) (local.get $row1))))
          (local.set $c1_0 (f32x4.add (local.get $c1_0) (f32x4.mul (local.get $aSplat) (local.get $b0))))
          (local.set $c1_1 (f32x4.add (local.get $c1_1) (f32x4.mul (local.get $aSplat) (local.get $b1))))
          (local.set $aSplat (v128.load32_splat (i32.add (local.get $ap) (local.get $row2))))
          (local.set $c2_0 (f32x4.add (local.get $c2_0) (f32x4.mul (local.get $aSplat) (local.get $b0))))
          (local.set $c2_1 (f32x4.add (local.get $c2_1) (f32x4.mul (local.get $aSplat) (local.get $b1))))
          (local.set $aSplat (v128.load32_splat (i32.add (local.get $ap) (local.get $row3))))
          (local.set $c3_0 (f32x4.add (local.get $c3_0) (f32x4.mul (local.get $aSplat) (local.get $b0))))
          (local.set $c3_1 (f32x4.add (local.get $c3_1) (f32x4.mul (local.get $aSplat) (local.get $b1))))
          (local.set $ap (i32.add (local.get $ap) (local.get $sAp)))
          (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
          (br_if $sum (local.tee $p (i32.sub (local.get $p) (i32.const 1)))))
        ;; the block's 4 rows, 2 vectors each
        (v128.store offset=0 (local.get $cp) (local.get $c0_0))
        (v128.store offset=16 (local.get $cp) (local.get $c0_1))
        (v128.store offset=0 (i32.add (local.get $cp) (local.get $ldc)) (local.get $c1_0))
        (v128.store offset=16 (i32.add (local.get $cp) (local.get $ldc)) (local.get $c1_1))
        (v128.store offset=0 (i32.add (local.get $cp) (local.get $ldc2)) (local.get $c2_0))
        (v128.store offset=16 (i32.add (local.get $cp) (local.get $ldc2)) (local.get $c2_1))
        (v128.store offset=0 (i32.add (local.get $cp) (local.get $ldc3)) (local.get $c3_0))
        (v128.store offset=16 (i32.add (local.get $cp) (local.get $ldc3)) (local.get $c3_1))
        ;; then, with an epilogue, the same 8 vectors through it in place (still in the cache).
        ;; Inline, not a call per vector: the calls cost the forward products 15%.
        (if (local.get $act)
          (then
            (local.set $q (local.get $cp))
            (local.set $qEnd (i32.add (local.get $cp) (i32.shl (local.get $ldc) (i32.const 2))))
            (loop $epilogueRows
              (local.set $h (i32.const 0))
              (loop $epilogueVectors
                (local.set $x (v128.load (i32.add (local.get $q) (local.get $h))))
                (if (i32.eq (local.get $act) (i32.const 1))
                  (then (local.set $x (v128.and (local.get $x) (f32x4.gt (local.get $x) (v128.const f32x4 0 0 0 0)))))
                  (else (local.set $x (v128.bitselect (local.get $x)
                    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                      (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.splat (local.get $alpha))))
                      (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4
                        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))) (f64x2.splat (local.get $alpha)))))
                    (f32x4.gt (local.get $x) (v128.const f32x4 0 0 0 0))))))
                (v128.store (i32.add (local.get $q) (local.get $h)) (local.get $x))
                (br_if $epilogueVectors (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 16))) (i32.const 32))))
              (br_if $epilogueRows (i32.lt_u (local.tee $q (i32.add (local.get $q) (local.get $ldc))) (local.get $qEnd))))))
        (br_if $columns (i32.lt_u (local.tee $jb (i32.add (local.get $jb) (i32.const 1))) (local.get $nBlocks))))
      (br_if $rows (i32.lt_u (local.tee $ib (i32.add (local.get $ib) (i32.const 1))) (local.get $mBlocks))))))

;; Products with one output column (n = 1: a logit layer's forward, the weight gradient of a
;; layer with one output) in WebAssembly SIMD, on the GEMM kernel's memory (gemv-wasm.ts is the
;; JavaScript side). gemm.wat's 4 × 8 blocks would compute 8 columns to keep one; here the four
;; lanes of a vector are four rows of C instead:
;;
;;   C[i] = init + Σ_p A[i, p] · B[p]
;;
;; each product rounded to float32 (f32x4.mul), then the sum (f32x4.add), in the order
;; p = 0, 1, ...: the rounding and order of gemm.wat and of matmul.ts's loops, so all give the
;; same bits. A[i, p] is at $a + i·$sAi + p·$sAp (bytes), B[p] at $b + 4·p, C[i] at $c + 4·i.
;; How a vector of A[i .. i+3, p] is read depends on how A is stored:
;;   - transposed (A[i .. i+3, p] contiguous, $sAi = 4: the weight gradient xᵀ·dz): one load;
;;   - rows (4 values of p contiguous in each row, $sAp = 4: a logit layer's x·w): four rows'
;;     A[i+r, p .. p+3] loaded and transposed 4 × 4 by shuffles, giving the vectors for
;;     p .. p+3, added in that order; the last k mod 4 values of p lane by lane;
;;   - otherwise lane by lane.
;; The last m mod 4 rows are summed one at a time, in the same order.
(module
  (import "env" "memory" (memory 1))

  ;; A[i .. i+3, p] lane by lane, from A[i, p]'s address $at
  (func $column (param $at i32) (param $sAi i32) (result v128)
    (f32x4.replace_lane 3
      (f32x4.replace_lane 2
        (f32x4.replace_lane 1
          (f32x4.splat (f32.load (local.get $at)))
          (f32.load (i32.add (local.get $at) (local.get $sAi))))
        (f32.load (i32.add (local.get $at) (i32.mul (local.get $sAi) (i32.const 2)))))
      (f32.load (i32.add (local.get $at) (i32.mul (local.get $sAi) (i32.const 3))))))

  (func (export "gemv")
    (param $a i32) (param $sAi i32) (param $sAp i32) (param $b i32) (param $init f32)
    (param $c i32) (param $m i32) (param $k i32)
    (local $i i32) (local $p i32) (local $ap i32) (local $bp i32) (local $k4 i32)
    (local $acc v128) (local $s f32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $k4 (i32.and (local.get $k) (i32.const -4)))
    (local.set $i (i32.const 0))
    ;; rows 4 at a time
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
        (local.set $acc (f32x4.splat (local.get $init)))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sAi))))
        (local.set $bp (local.get $b))
        (local.set $p (i32.const 0))
        (if (i32.eq (local.get $sAi) (i32.const 4))
          (then
            ;; transposed: A[i .. i+3, p] is one vector
            (block $done
              (loop $sum
                (br_if $done (i32.ge_u (local.get $p) (local.get $k)))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul (v128.load (local.get $ap)) (v128.load32_splat (local.get $bp)))))
                (local.set $ap (i32.add (local.get $ap) (local.get $sAp)))
                (local.set $bp (i32.add (local.get $bp) (i32.const 4)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $sum))))
          (else
            (if (i32.eq (local.get $sAp) (i32.const 4))
              (then
                ;; rows: 4 × 4 blocks of A, transposed in registers
                (block $done
                  (loop $sum
                    (br_if $done (i32.ge_u (local.get $p) (local.get $k4)))
                    (local.set $r0 (v128.load (local.get $ap)))
                    (local.set $r1 (v128.load (i32.add (local.get $ap) (local.get $sAi))))
                    (local.set $r2 (v128.load (i32.add (local.get $ap) (i32.mul (local.get $sAi) (i32.const 2)))))
                    (local.set $r3 (v128.load (i32.add (local.get $ap) (i32.mul (local.get $sAi) (i32.const 3)))))
                    ;; t0 = (r0[0], r1[0], r0[1], r1[1]), t1 = the same of r2, r3; t2, t3: lanes 2 and 3
                    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                    (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                    (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                    ;; A[i .. i+3, p + q] for q = 0, 1, 2, 3, in that order
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
                      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1))
                      (v128.load32_splat (local.get $bp)))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
                      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1))
                      (v128.load32_splat offset=4 (local.get $bp)))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
                      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3))
                      (v128.load32_splat offset=8 (local.get $bp)))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
                      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3))
                      (v128.load32_splat offset=12 (local.get $bp)))))
                    (local.set $ap (i32.add (local.get $ap) (i32.const 16)))
                    (local.set $bp (i32.add (local.get $bp) (i32.const 16)))
                    (local.set $p (i32.add (local.get $p) (i32.const 4)))
                    (br $sum)))))
            ;; the values of p left (all of them for other layouts), lane by lane
            (block $done
              (loop $sum
                (br_if $done (i32.ge_u (local.get $p) (local.get $k)))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul (call $column (local.get $ap) (local.get $sAi)) (v128.load32_splat (local.get $bp)))))
                (local.set $ap (i32.add (local.get $ap) (local.get $sAp)))
                (local.set $bp (i32.add (local.get $bp) (i32.const 4)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $sum)))))
        (v128.store (i32.add (local.get $c) (i32.mul (local.get $i) (i32.const 4))) (local.get $acc))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $blocks)))
    ;; the last m mod 4 rows, one at a time
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $s (local.get $init))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sAi))))
        (local.set $bp (local.get $b))
        (local.set $p (i32.const 0))
        (block $done
          (loop $sum
            (br_if $done (i32.ge_u (local.get $p) (local.get $k)))
            (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $ap)) (f32.load (local.get $bp)))))
            (local.set $ap (i32.add (local.get $ap) (local.get $sAp)))
            (local.set $bp (i32.add (local.get $bp) (i32.const 4)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $sum)))
        (f32.store (i32.add (local.get $c) (i32.mul (local.get $i) (i32.const 4))) (local.get $s))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))))

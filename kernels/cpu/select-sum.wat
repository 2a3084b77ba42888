;; Two float32 loops of the CPU backend's backward pass in WebAssembly SIMD, run on the GEMM
;; kernel's memory where the arrays live (select-sum-wasm.ts is the JavaScript side).
;;
;; select: the rows of the op table that choose by a sign (ReLU, LeakyReLU; their gradients):
;;   out[i] = c[i] > 0 ? p[i] : (act 1: +0,  act 2: α·p[i])
;; as unary.ts's selectBySign does it, bit for bit: a mask of all ones where c > 0 (false for NaN
;; and −0, so those take the second value), and α·p computed in double precision, then rounded
;; to float32, as JavaScript multiplies and a Float32Array store rounds. α arrives as the two
;; 32-bit halves of its float64 ($alphaLo, $alphaHi).
;;
;; colSum: the column sums of a row-major [rows, cols] block,
;;   out[j] = x[0, j] + x[1, j] + ... + x[rows − 1, j]
;; each sum rounded to float32 in that order (f32 adds), as reduce.ts sums a middle axis into a
;; Float32Array: JavaScript adds two float32 values in double precision and the store rounds
;; the sum, which is the float32 sum itself (a double holds the exact sum of two floats to well
;; within half a float32 unit). 16 columns at a time, 4 vectors of sums for each row.
;;
;; Addresses and lengths are in bytes and floats: $c, $p, $out, $x are byte addresses; $n, $rows,
;; $cols counts of floats.
(module
  (import "env" "memory" (memory 1))
  (func (export "select")
    (param $c i32) (param $p i32) (param $out i32) (param $n i32)
    (param $act i32) (param $alphaLo i32) (param $alphaHi i32)
    (local $at i32) (local $end i32) (local $x v128) (local $mask v128) (local $alpha f64) (local $v f32)
    (local.set $alpha (f64.reinterpret_i64 (i64.or (i64.extend_i32_u (local.get $alphaLo))
      (i64.shl (i64.extend_i32_u (local.get $alphaHi)) (i64.const 32)))))
    (local.set $at (i32.const 0))
    (local.set $end (i32.mul (i32.and (local.get $n) (i32.const -4)) (i32.const 4)))  ;; whole vectors, in bytes
    (block $vectorsDone
      (br_if $vectorsDone (i32.eqz (local.get $end)))
      (loop $vectors
        (local.set $x (v128.load (i32.add (local.get $p) (local.get $at))))
        (local.set $mask (f32x4.gt (v128.load (i32.add (local.get $c) (local.get $at))) (v128.const f32x4 0 0 0 0)))
        (if (i32.eq (local.get $act) (i32.const 1))
          (then (v128.store (i32.add (local.get $out) (local.get $at)) (v128.and (local.get $x) (local.get $mask))))
          (else (v128.store (i32.add (local.get $out) (local.get $at))
            (v128.bitselect (local.get $x)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.splat (local.get $alpha))))
                (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))) (f64x2.splat (local.get $alpha)))))
              (local.get $mask)))))
        (br_if $vectors (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 16))) (local.get $end)))))
    ;; the last n mod 4 floats, one at a time
    (local.set $end (i32.mul (local.get $n) (i32.const 4)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $v (f32.load (i32.add (local.get $p) (local.get $at))))
        (f32.store (i32.add (local.get $out) (local.get $at))
          (if (result f32) (f32.gt (f32.load (i32.add (local.get $c) (local.get $at))) (f32.const 0))
            (then (local.get $v))
            (else (if (result f32) (i32.eq (local.get $act) (i32.const 1))
              (then (f32.const 0))
              (else (f32.demote_f64 (f64.mul (f64.promote_f32 (local.get $v)) (local.get $alpha))))))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $tail))))

  (func (export "colSum") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $j i32) (local $i i32) (local $at i32) (local $ld i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s f32)
    (local.set $ld (i32.mul (local.get $cols) (i32.const 4)))  ;; bytes per row
    (local.set $j (i32.const 0))
    ;; 16 columns at a time: 4 independent chains of vector adds
    (block $wideDone
      (loop $wide
        (br_if $wideDone (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $cols)))
        (local.set $s0 (v128.const f32x4 0 0 0 0)) (local.set $s1 (v128.const f32x4 0 0 0 0))
        (local.set $s2 (v128.const f32x4 0 0 0 0)) (local.set $s3 (v128.const f32x4 0 0 0 0))
        (local.set $at (i32.add (local.get $x) (i32.mul (local.get $j) (i32.const 4))))
        (local.set $i (local.get $rows))
        (block $rowsDone
          (loop $row
            (br_if $rowsDone (i32.eqz (local.get $i)))
            (local.set $s0 (f32x4.add (local.get $s0) (v128.load offset=0 (local.get $at))))
            (local.set $s1 (f32x4.add (local.get $s1) (v128.load offset=16 (local.get $at))))
            (local.set $s2 (f32x4.add (local.get $s2) (v128.load offset=32 (local.get $at))))
            (local.set $s3 (f32x4.add (local.get $s3) (v128.load offset=48 (local.get $at))))
            (local.set $at (i32.add (local.get $at) (local.get $ld)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br $row)))
        (local.set $at (i32.add (local.get $out) (i32.mul (local.get $j) (i32.const 4))))
        (v128.store offset=0 (local.get $at) (local.get $s0))
        (v128.store offset=16 (local.get $at) (local.get $s1))
        (v128.store offset=32 (local.get $at) (local.get $s2))
        (v128.store offset=48 (local.get $at) (local.get $s3))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $wide)))
    ;; the last cols mod 16 columns, one at a time
    (block $done
      (loop $column
        (br_if $done (i32.ge_u (local.get $j) (local.get $cols)))
        (local.set $s (f32.const 0))
        (local.set $at (i32.add (local.get $x) (i32.mul (local.get $j) (i32.const 4))))
        (local.set $i (local.get $rows))
        (block $rowsDone
          (loop $row
            (br_if $rowsDone (i32.eqz (local.get $i)))
            (local.set $s (f32.add (local.get $s) (f32.load (local.get $at))))
            (local.set $at (i32.add (local.get $at) (local.get $ld)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br $row)))
        (f32.store (i32.add (local.get $out) (i32.mul (local.get $j) (i32.const 4))) (local.get $s))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $column)))))

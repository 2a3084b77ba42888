;; The transposed copy of a float32 block in WebAssembly SIMD, for a product whose B is stored
;; transposed (gemm-wasm.ts copies it into the GEMM kernel's scratch as [k, n] rows):
;;
;;   dst[c, r] = src[r, c]      for r < $rows, c < $cols  ($rows and $cols multiples of 4, ≥ 4)
;;
;; 4 × 4 at a time: four rows of src in four vectors, then two rounds of shuffles interleave them
;; into four columns, each stored as a row of dst. A copy moves bits, so the result is the
;; JavaScript loop's exactly. Addresses and row strides ($lds, $ldd) are in bytes.
(module
  (import "env" "memory" (memory 1))
  (func (export "transpose")
    (param $src i32) (param $lds i32) (param $dst i32) (param $ldd i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $s i32) (local $d i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $r (i32.const 0))
    (loop $rowBlocks                   ;; rows r .. r+3 of src
      (local.set $c (i32.const 0))
      (loop $columnBlocks              ;; columns c .. c+3 of src
        (local.set $s (i32.add (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $lds))) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $d (i32.add (i32.add (local.get $dst) (i32.mul (local.get $c) (local.get $ldd))) (i32.shl (local.get $r) (i32.const 2))))
        ;; row i of the block: src[r+i, c .. c+3] = (ai0, ai1, ai2, ai3)
        (local.set $r0 (v128.load (local.get $s)))
        (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $lds))))
        (local.set $r2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $lds) (i32.const 1)))))
        (local.set $r3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $lds) (i32.const 3)))))
        ;; interleave pairs of rows: t0 = (a00, a10, a01, a11), t1 = (a02, a12, a03, a13), t2 and t3 the same of rows 2, 3
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
        (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
        ;; then halves of those: column j = (a0j, a1j, a2j, a3j), stored as row c+j of dst
        (v128.store (local.get $d)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $d) (local.get $ldd))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $d) (i32.shl (local.get $ldd) (i32.const 1)))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
        (v128.store (i32.add (local.get $d) (i32.mul (local.get $ldd) (i32.const 3)))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
        (br_if $columnBlocks (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 4))) (local.get $cols))))
      (br_if $rowBlocks (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 4))) (local.get $rows))))))

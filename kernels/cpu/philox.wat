;; Philox 4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3"; the
;; engine's definition is engine/rng.ts): $blocks consecutive blocks of one stream per call,
;; stored as 4 words each from address 0.
;;
;;   for each block b:   counter = (first + b, its carry into the high word, 0, 0), key = (k0, k1)
;;     10 rounds:  p0 = M0·c0,  p1 = M1·c2                       (64-bit products)
;;                 (c0, c1, c2, c3) = (hi(p1) ^ c1 ^ k0,  lo(p1),  hi(p0) ^ c3 ^ k1,  lo(p0))
;;                 k0 += W0,  k1 += W1                           (Weyl sequence, mod 2^32)
;;     store c0, c1, c2, c3
;;
;; JavaScript numbers are exact only to 2^53, so engine/rng.ts builds the high half of each
;; product from four 16-bit products; here it is one i64.mul and a shift. Integer arithmetic has
;; one answer, so the words are the JavaScript function's, bit for bit.
(module
  (import "env" "memory" (memory 1))
  (func (export "philox")
    (param $k0 i32) (param $k1 i32) (param $firstLo i32) (param $firstHi i32) (param $blocks i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $key0 i32) (local $key1 i32) (local $round i32) (local $b i32) (local $addr i32)
    (local $p0 i64) (local $p1 i64)
    (local.set $b (i32.const 0))
    (local.set $addr (i32.const 0))
    (loop $block                       ;; b = 0 .. blocks-1 (blocks ≥ 1)
      ;; counter = first + b: the low word, and the high word plus the carry
      ;; (the carry is 1 exactly when the low word wrapped: c0 < firstLo, unsigned)
      (local.set $c0 (i32.add (local.get $firstLo) (local.get $b)))
      (local.set $c1 (i32.add (i32.lt_u (local.get $c0) (local.get $firstLo)) (local.get $firstHi)))
      (local.set $c2 (i32.const 0))
      (local.set $c3 (i32.const 0))
      (local.set $key0 (local.get $k0))
      (local.set $key1 (local.get $k1))
      (local.set $round (i32.const 10))
      (loop $rounds
        (local.set $p0 (i64.mul (i64.extend_i32_u (local.get $c0)) (i64.const 0xd2511f53)))  ;; M0
        (local.set $p1 (i64.mul (i64.extend_i32_u (local.get $c2)) (i64.const 0xcd9e8d57)))  ;; M1
        (local.set $c0 (i32.xor (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $p1) (i64.const 32))) (local.get $c1)) (local.get $key0)))
        (local.set $c1 (i32.wrap_i64 (local.get $p1)))
        (local.set $c2 (i32.xor (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $p0) (i64.const 32))) (local.get $c3)) (local.get $key1)))
        (local.set $c3 (i32.wrap_i64 (local.get $p0)))
        (local.set $key0 (i32.add (local.get $key0) (i32.const 0x9e3779b9)))  ;; W0
        (local.set $key1 (i32.add (local.get $key1) (i32.const 0xbb67ae85)))  ;; W1
        (br_if $rounds (local.tee $round (i32.sub (local.get $round) (i32.const 1)))))
      (i32.store offset=0 (local.get $addr) (local.get $c0))
      (i32.store offset=4 (local.get $addr) (local.get $c1))
      (i32.store offset=8 (local.get $addr) (local.get $c2))
      (i32.store offset=12 (local.get $addr) (local.get $c3))
      (local.set $addr (i32.add (local.get $addr) (i32.const 16)))
      (br_if $block (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $blocks))))))

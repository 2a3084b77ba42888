;; The Gaussian-Bernoulli RBM's hot loops in WebAssembly SIMD (models/rbm/gibbs-wasm.ts copies the
;; operands in; models/rbm/rbm-cpu.ts has the same loops in plain JavaScript, the definition).
;;
;;   uniforms:  Philox 4x32-10 words → uniforms u = ((w >>> 9) + 0.5)·2⁻²³, four blocks at a time
;;   hidden:    a_j = (c_j + Σ_i v_i W_ij)·(1/σ²),  h_j = [u_j < sigmoid(a_j)],  m_i = Σ_j h_j W_ij
;;   gradient:  s_j = sigmoid(a_j);  gc_j −= scale·s_j,  gW_ij −= (scale·v_i)·s_j  (CD: ⟨v hᵀ⟩_data − ⟨v hᵀ⟩_model)
;;
;; Every result is the JavaScript loops' bit for bit (but for the free energy, a reported figure,
;; which is summed by blocks: see gradient): a_j is computed in double precision in the same
;; order; the Bernoulli test u < sigmoid(a), i.e. u·(1 + e^−a) < 1, is first made with a
;; single-precision exponential on 4 lanes, and where that answer is within 2⁻¹² of the boundary
;; (|u − p| < 2⁻¹²·p: at most 5 units in ten thousand) it is made again exactly, in double precision; the exact
;; exponential ($exp) is fdlibm's e_exp.c, the algorithm of V8's Math.exp, step for step, so it
;; rounds the same. The sums over j (m_i) and over rows (gW, gc) keep the loops' order.
;;
;; Addresses are in bytes. W is [V, Hp] float64 (rows padded with −0 to Hp, a multiple of 4), c is
;; [Hp] float64, v is [n, V] float32, u is the stream's n·H float32 (row r at r·H, not padded).
(module
  (import "env" "memory" (memory 1))
  (import "env" "exp" (func $mathExp (param f64) (result f64)))  ;; Math.exp: beyond |x| ≥ 708

  ;; ---- e^x in double precision, two lanes: fdlibm's e_exp.c (Sun Microsystems, 1993) ----
  ;;   k = trunc(x/ln2 ± ½) (±1 for ½ln2 < |x| < 1.5ln2, 0 for |x| ≤ ½ln2; the sign of −0 does not matter),  r = hi − lo,
  ;;   hi = x − k·ln2_hi,  lo = k·ln2_lo,  c = r − r²(P1 + r²(P2 + … + r²P5)),
  ;;   e^x = 2^k · (1 − ((lo − r·c/(2 − c)) − hi))           (1 + x for |x| < 2⁻²⁸)
  ;; With k = 0 (hi = x, lo = 0) the last line is fdlibm's own k = 0 formula, bit for bit.
  (func $exp (param $x v128) (result v128)
    (local $hx v128) (local $k v128) (local $hi v128) (local $lo v128) (local $r v128)
    (local $t v128) (local $c v128) (local $y v128) (local $twoK v128)
    ;; the high word of |x|, in each 64-bit lane
    (local.set $hx (i64x2.shr_u (v128.and (local.get $x) (v128.const i64x2 0x7fffffffffffffff 0x7fffffffffffffff)) (i32.const 32)))
    (if (v128.any_true (i64x2.ge_s (local.get $hx) (v128.const i64x2 0x40862000 0x40862000)))
      (then  ;; |x| ≥ 708 (overflow, subnormal results, inf, NaN) in a lane: Math.exp for both
        (return (f64x2.replace_lane 1
          (f64x2.splat (call $mathExp (f64x2.extract_lane 0 (local.get $x))))
          (call $mathExp (f64x2.extract_lane 1 (local.get $x)))))))
    ;; k = trunc(x·(1/ln2) + ½·sign(x))
    (local.set $k (f64x2.trunc (f64x2.add
      (f64x2.mul (local.get $x) (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
      (v128.bitselect (v128.const f64x2 -0.5 -0.5) (v128.const f64x2 0.5 0.5) (f64x2.lt (local.get $x) (v128.const f64x2 0 0))))))
    ;; ±1 where |x| < 1.5ln2
    (local.set $k (v128.bitselect
      (v128.bitselect (v128.const f64x2 -1 -1) (v128.const f64x2 1 1) (f64x2.lt (local.get $x) (v128.const f64x2 0 0)))
      (local.get $k)
      (i64x2.lt_s (local.get $hx) (v128.const i64x2 0x3ff0a2b2 0x3ff0a2b2))))
    ;; 0 where |x| ≤ ½ln2
    (local.set $k (v128.and (local.get $k) (i64x2.gt_s (local.get $hx) (v128.const i64x2 0x3fd62e42 0x3fd62e42))))
    (local.set $hi (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
    (local.set $lo (f64x2.mul (local.get $k) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
    (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
    (local.set $t (f64x2.mul (local.get $r) (local.get $r)))
    (local.set $c (f64x2.sub (local.get $r) (f64x2.mul (local.get $t)
      (f64x2.add (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01) (f64x2.mul (local.get $t)
      (f64x2.add (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03) (f64x2.mul (local.get $t)
      (f64x2.add (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05) (f64x2.mul (local.get $t)
      (f64x2.add (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06) (f64x2.mul (local.get $t)
        (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))))))))))))
    (local.set $y (f64x2.sub (v128.const f64x2 1 1) (f64x2.sub
      (f64x2.sub (local.get $lo) (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (v128.const f64x2 2 2) (local.get $c))))
      (local.get $hi))))
    ;; 2^k from its bits, (1023 + k) << 52: k + 1023 + 1.5·2⁵² has the bits 0x4338000000000000 + k + 1023,
    ;; which the shift drops to k + 1023
    (local.set $twoK (i64x2.shl (f64x2.add (local.get $k) (v128.const f64x2 6755399441056767 6755399441056767)) (i32.const 52)))
    ;; 1 + x where |x| < 2⁻²⁸
    (v128.bitselect
      (f64x2.add (v128.const f64x2 1 1) (local.get $x))
      (f64x2.mul (local.get $y) (local.get $twoK))
      (i64x2.lt_s (local.get $hx) (v128.const i64x2 0x3e300000 0x3e300000))))

  ;; ---- e^x in single precision, four lanes, for the first Bernoulli test (Cephes' expf) ----
  ;;   x clamped to [−30, 30];  n = round(x/ln2),  r = x − n·ln2 (in two parts),
  ;;   e^r ≈ 1 + r + r²·P(r) (degree 5),  e^x = 2^n · e^r;  relative error below 3·10⁻⁷
  (func $expFast (param $x v128) (result v128)
    (local $t v128) (local $n v128) (local $r v128) (local $p v128)
    ;; pmin/pmax: a NaN in x stays NaN (and then fails both tests below)
    (local.set $x (f32x4.pmax (f32x4.pmin (local.get $x) (v128.const f32x4 30 30 30 30)) (v128.const f32x4 -30 -30 -30 -30)))
    ;; n = round(x/ln2) by adding 1.5·2²³, whose float32 has no fraction bits left: t's low bits are n
    (local.set $t (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
      (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $n (f32x4.sub (local.get $t) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
      (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $r)) (local.get $r)) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    ;; 2^n from its bits, (127 + n) << 23: t's bits are 0x4B400000 + n, which the shift drops to n
    (f32x4.mul (local.get $p) (i32x4.shl (i32x4.add (local.get $t) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  ;; The exact test u·(1 + e^−a) < 1, in double precision as the JavaScript loop makes it.
  (func $exactOn (param $a f64) (param $u f32) (result i32)
    (f64.lt (f64.mul (f64.promote_f32 (local.get $u))
      (f64.add (f64.const 1) (f64x2.extract_lane 0 (call $exp (f64x2.splat (f64.neg (local.get $a)))))))
      (f64.const 1)))

  ;; The exponentials, for the tests: out[i] = e^x[i] (float64 exact, in pairs; float32 fast, in fours).
  (func (export "expArray") (param $x i32) (param $out i32) (param $pairs i32)
    (loop $l
      (v128.store (local.get $out) (call $exp (v128.load (local.get $x))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br_if $l (local.tee $pairs (i32.sub (local.get $pairs) (i32.const 1))))))
  (func (export "expFastArray") (param $x i32) (param $out i32) (param $quads i32)
    (loop $l
      (v128.store (local.get $out) (call $expFast (v128.load (local.get $x))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br_if $l (local.tee $quads (i32.sub (local.get $quads) (i32.const 1))))))

  ;; ---- Philox 4x32-10 uniforms, four blocks per step (philox.wat has the rounds one block at a time) ----
  ;; Blocks first .. first + 4·groups − 1 of the stream with key (k0, k1); block b's 4 words become
  ;; uniforms out[4b .. 4b+3], in (0, 1), exact in float32. Each lane of c0..c3 is one block; a
  ;; 32×32 → 64-bit product is two extended multiplies (lanes 0–1 and 2–3), whose low and high
  ;; words are gathered back by shuffles.
  (func $uniforms (export "uniforms")
    (param $k0 i32) (param $k1 i32) (param $firstLo i32) (param $firstHi i32) (param $groups i32) (param $out i32)
    (local $b i32) (local $round i32) (local $key0 i32) (local $key1 i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $lo v128) (local $hi v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $b (i32.const 0))
    (loop $group
      ;; counters first + b .. first + b + 3, with the carry into the high word where the low word wrapped
      (local.set $c0 (i32x4.add (i32x4.splat (i32.add (local.get $firstLo) (local.get $b))) (v128.const i32x4 0 1 2 3)))
      (local.set $c1 (i32x4.sub (i32x4.splat (local.get $firstHi)) (i32x4.lt_u (local.get $c0) (i32x4.splat (local.get $firstLo)))))
      (local.set $c2 (v128.const i32x4 0 0 0 0))
      (local.set $c3 (v128.const i32x4 0 0 0 0))
      (local.set $key0 (local.get $k0))
      (local.set $key1 (local.get $k1))
      (local.set $round (i32.const 10))
      (loop $rounds
        ;; (c0, c1, c2, c3) = (hi(M1·c2) ^ c1 ^ k0,  lo(M1·c2),  hi(M0·c0) ^ c3 ^ k1,  lo(M0·c0))
        (local.set $lo (i64x2.extmul_low_i32x4_u (local.get $c0) (v128.const i32x4 0xd2511f53 0xd2511f53 0xd2511f53 0xd2511f53)))
        (local.set $hi (i64x2.extmul_high_i32x4_u (local.get $c0) (v128.const i32x4 0xd2511f53 0xd2511f53 0xd2511f53 0xd2511f53)))
        (local.set $t0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $lo) (local.get $hi)))  ;; lo(M0·c0)
        (local.set $t1 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $lo) (local.get $hi)))  ;; hi(M0·c0)
        (local.set $lo (i64x2.extmul_low_i32x4_u (local.get $c2) (v128.const i32x4 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57)))
        (local.set $hi (i64x2.extmul_high_i32x4_u (local.get $c2) (v128.const i32x4 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57)))
        (local.set $t2 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $lo) (local.get $hi)))  ;; lo(M1·c2)
        (local.set $t3 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $lo) (local.get $hi)))  ;; hi(M1·c2)
        (local.set $c0 (v128.xor (v128.xor (local.get $t3) (local.get $c1)) (i32x4.splat (local.get $key0))))
        (local.set $c1 (local.get $t2))
        (local.set $c2 (v128.xor (v128.xor (local.get $t1) (local.get $c3)) (i32x4.splat (local.get $key1))))
        (local.set $c3 (local.get $t0))
        (local.set $key0 (i32.add (local.get $key0) (i32.const 0x9e3779b9)))
        (local.set $key1 (i32.add (local.get $key1) (i32.const 0xbb67ae85)))
        (br_if $rounds (local.tee $round (i32.sub (local.get $round) (i32.const 1)))))
      ;; words → uniforms ((w >>> 9) + 0.5)·2⁻²³
      (local.set $c0 (f32x4.mul (f32x4.add (f32x4.convert_i32x4_u (i32x4.shr_u (local.get $c0) (i32.const 9))) (v128.const f32x4 0.5 0.5 0.5 0.5)) (v128.const f32x4 1.1920928955078125e-7 1.1920928955078125e-7 1.1920928955078125e-7 1.1920928955078125e-7)))
      (local.set $c1 (f32x4.mul (f32x4.add (f32x4.convert_i32x4_u (i32x4.shr_u (local.get $c1) (i32.const 9))) (v128.const f32x4 0.5 0.5 0.5 0.5)) (v128.const f32x4 1.1920928955078125e-7 1.1920928955078125e-7 1.1920928955078125e-7 1.1920928955078125e-7)))
      (local.set $c2 (f32x4.mul (f32x4.add (f32x4.convert_i32x4_u (i32x4.shr_u (local.get $c2) (i32.const 9))) (v128.const f32x4 0.5 0.5 0.5 0.5)) (v128.const f32x4 1.1920928955078125e-7 1.1920928955078125e-7 1.1920928955078125e-7 1.1920928955078125e-7)))
      (local.set $c3 (f32x4.mul (f32x4.add (f32x4.convert_i32x4_u (i32x4.shr_u (local.get $c3) (i32.const 9))) (v128.const f32x4 0.5 0.5 0.5 0.5)) (v128.const f32x4 1.1920928955078125e-7 1.1920928955078125e-7 1.1920928955078125e-7 1.1920928955078125e-7)))
      ;; lane l of c_w is word w of block l: transpose the 4 × 4 so that each block's words are contiguous
      (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c0) (local.get $c1)))   ;; b0w0 b0w1 b1w0 b1w1
      (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c2) (local.get $c3)))   ;; b0w2 b0w3 b1w2 b1w3
      (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c0) (local.get $c1))) ;; b2w0 b2w1 b3w0 b3w1
      (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c2) (local.get $c3))) ;; b2w2 b2w3 b3w2 b3w3
      (v128.store offset=0 (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
      (v128.store offset=16 (local.get $out) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
      (v128.store offset=32 (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
      (v128.store offset=48 (local.get $out) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
      (local.set $out (i32.add (local.get $out) (i32.const 64)))
      (local.set $b (i32.add (local.get $b) (i32.const 4)))
      (br_if $group (local.tee $groups (i32.sub (local.get $groups) (i32.const 1))))))

  ;; ---- the hidden half of a Gibbs sweep, rows r0 .. r1−1, four rows at a time (one per lane) ----
  ;;   a_rj = (c_j + Σ_i v_ri W_ij)·invVar,  h_rj = [u_rj·(1 + e^−a_rj) < 1] (that is u < sigmoid(a)),
  ;;   m[r, i] = Σ_j h_rj W_ij  (float64, in the order j = 0, 1, ...; an off unit adds −0, which changes nothing)
  ;; The lanes hold four rows, so the four sums over j run side by side rather than one after the
  ;; other. m is stored by blocks of four rows: m[r, i] at m + 32·(V·floor(r/4) + i) + 8·(r mod 4). r0 is
  ;; a multiple of 4; lanes past r1 compute rows that nobody reads (the caller pads v and u).
  (func $hidden (export "hidden")
    (param $W i32) (param $c i32) (param $v i32) (param $u i32) (param $m i32)
    (param $V i32) (param $H i32) (param $Hp i32) (param $r0 i32) (param $r1 i32) (param $invVar f64)
    (local $r i32) (local $j i32) (local $i i32) (local $at i32) (local $mBlock i32) (local $vRow i32) (local $uRow i32)
    (local $aLo v128) (local $aHi v128) (local $xs v128) (local $w v128) (local $uq v128) (local $q v128)
    (local $on v128) (local $sure v128) (local $acc0Lo v128) (local $acc0Hi v128)
    (local.set $r (local.get $r0))
    (block $done (loop $rows           ;; rows r .. r+3
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $mBlock (i32.add (local.get $m) (i32.mul (i32.mul (local.get $V) (i32.shr_u (local.get $r) (i32.const 2))) (i32.const 32))))
      ;; the sums for visible units 1 .. V−1 live in m (unit 0's in $acc0Lo/$acc0Hi): start them at 0
      (local.set $i (i32.const 1))
      (block $zeroed (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $i) (local.get $V)))
        (v128.store offset=0 (i32.add (local.get $mBlock) (i32.shl (local.get $i) (i32.const 5))) (v128.const f64x2 0 0))
        (v128.store offset=16 (i32.add (local.get $mBlock) (i32.shl (local.get $i) (i32.const 5))) (v128.const f64x2 0 0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $zero)))
      (local.set $acc0Lo (v128.const f64x2 0 0))
      (local.set $acc0Hi (v128.const f64x2 0 0))
      (local.set $vRow (i32.add (local.get $v) (i32.shl (i32.mul (local.get $r) (local.get $V)) (i32.const 2))))
      (local.set $uRow (i32.add (local.get $u) (i32.shl (i32.mul (local.get $r) (local.get $H)) (i32.const 2))))
      (local.set $j (i32.const 0))
      (loop $units                     ;; unit j of the four rows
        ;; a = (c_j + Σ_i v_·i W_ij)·invVar: rows r, r+1 in $aLo and r+2, r+3 in $aHi
        (local.set $aLo (f64x2.splat (f64.load (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 3))))))
        (local.set $aHi (local.get $aLo))
        (local.set $i (i32.const 0))
        (loop $drive
          (local.set $at (i32.add (local.get $vRow) (i32.shl (local.get $i) (i32.const 2))))
          (local.set $xs (v128.load32_zero (local.get $at)))          ;; v[r+l, i], l = 0..3 (stride 4V bytes)
          (local.set $at (i32.add (local.get $at) (i32.shl (local.get $V) (i32.const 2))))
          (local.set $xs (v128.load32_lane 1 (local.get $at) (local.get $xs)))
          (local.set $at (i32.add (local.get $at) (i32.shl (local.get $V) (i32.const 2))))
          (local.set $xs (v128.load32_lane 2 (local.get $at) (local.get $xs)))
          (local.set $at (i32.add (local.get $at) (i32.shl (local.get $V) (i32.const 2))))
          (local.set $xs (v128.load32_lane 3 (local.get $at) (local.get $xs)))
          (local.set $w (f64x2.splat (f64.load (i32.add (local.get $W) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $Hp)) (local.get $j)) (i32.const 3))))))
          (local.set $aLo (f64x2.add (local.get $aLo) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $xs)) (local.get $w))))
          (local.set $aHi (f64x2.add (local.get $aHi) (f64x2.mul (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $xs) (local.get $xs))) (local.get $w))))
          (br_if $drive (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $V))))
        (local.set $aLo (f64x2.mul (local.get $aLo) (f64x2.splat (local.get $invVar))))
        (local.set $aHi (f64x2.mul (local.get $aHi) (f64x2.splat (local.get $invVar))))
        ;; u[r+l, j], l = 0..3 (stride 4H bytes)
        (local.set $at (i32.add (local.get $uRow) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $uq (v128.load32_zero (local.get $at)))
        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $H) (i32.const 2))))
        (local.set $uq (v128.load32_lane 1 (local.get $at) (local.get $uq)))
        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $H) (i32.const 2))))
        (local.set $uq (v128.load32_lane 2 (local.get $at) (local.get $uq)))
        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $H) (i32.const 2))))
        (local.set $uq (v128.load32_lane 3 (local.get $at) (local.get $uq)))
        ;; first test in single precision: q = u·(1 + e^−a)
        (local.set $q (f32x4.mul (local.get $uq) (f32x4.add (v128.const f32x4 1 1 1 1) (call $expFast (f32x4.neg
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (local.get $aLo)) (f32x4.demote_f64x2_zero (local.get $aHi))))))))
        (local.set $on (f32x4.lt (local.get $q) (v128.const f32x4 0.999755859375 0.999755859375 0.999755859375 0.999755859375)))  ;; 1 − 2⁻¹²
        (local.set $sure (v128.or (local.get $on) (f32x4.gt (local.get $q) (v128.const f32x4 1.000244140625 1.000244140625 1.000244140625 1.000244140625))))
        (if (i32.eqz (i32x4.all_true (local.get $sure)))
          (then  ;; near the boundary (or NaN): the exact test, lane by lane
            (if (i32.eqz (i32x4.extract_lane 0 (local.get $sure)))
              (then (local.set $on (i32x4.replace_lane 0 (local.get $on) (i32.sub (i32.const 0)
                (call $exactOn (f64x2.extract_lane 0 (local.get $aLo)) (f32x4.extract_lane 0 (local.get $uq))))))))
            (if (i32.eqz (i32x4.extract_lane 1 (local.get $sure)))
              (then (local.set $on (i32x4.replace_lane 1 (local.get $on) (i32.sub (i32.const 0)
                (call $exactOn (f64x2.extract_lane 1 (local.get $aLo)) (f32x4.extract_lane 1 (local.get $uq))))))))
            (if (i32.eqz (i32x4.extract_lane 2 (local.get $sure)))
              (then (local.set $on (i32x4.replace_lane 2 (local.get $on) (i32.sub (i32.const 0)
                (call $exactOn (f64x2.extract_lane 0 (local.get $aHi)) (f32x4.extract_lane 2 (local.get $uq))))))))
            (if (i32.eqz (i32x4.extract_lane 3 (local.get $sure)))
              (then (local.set $on (i32x4.replace_lane 3 (local.get $on) (i32.sub (i32.const 0)
                (call $exactOn (f64x2.extract_lane 1 (local.get $aHi)) (f32x4.extract_lane 3 (local.get $uq))))))))))
        ;; m[r+l, i] += h_(r+l)j W_ij
        (local.set $w (f64x2.splat (f64.load (i32.add (local.get $W) (i32.shl (local.get $j) (i32.const 3))))))
        (local.set $acc0Lo (f64x2.add (local.get $acc0Lo) (v128.bitselect (local.get $w) (v128.const f64x2 -0.0 -0.0) (i64x2.extend_low_i32x4_s (local.get $on)))))
        (local.set $acc0Hi (f64x2.add (local.get $acc0Hi) (v128.bitselect (local.get $w) (v128.const f64x2 -0.0 -0.0) (i64x2.extend_high_i32x4_s (local.get $on)))))
        (local.set $i (i32.const 1))
        (block $summed (loop $accumulate
          (br_if $summed (i32.ge_u (local.get $i) (local.get $V)))
          (local.set $w (f64x2.splat (f64.load (i32.add (local.get $W) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $Hp)) (local.get $j)) (i32.const 3))))))
          (local.set $at (i32.add (local.get $mBlock) (i32.shl (local.get $i) (i32.const 5))))
          (v128.store offset=0 (local.get $at) (f64x2.add (v128.load offset=0 (local.get $at))
            (v128.bitselect (local.get $w) (v128.const f64x2 -0.0 -0.0) (i64x2.extend_low_i32x4_s (local.get $on)))))
          (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at))
            (v128.bitselect (local.get $w) (v128.const f64x2 -0.0 -0.0) (i64x2.extend_high_i32x4_s (local.get $on)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $accumulate)))
        (br_if $units (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $H))))
      (v128.store offset=0 (local.get $mBlock) (local.get $acc0Lo))
      (v128.store offset=16 (local.get $mBlock) (local.get $acc0Hi))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $rows))))

  ;; ---- a band of rows of a sweep: their uniforms, then their hidden units (one thread's share) ----
  ;; Rows r0 .. r1−1 take uniforms r0·H .. r1·H − 1 of the draw that starts at block `first`: the
  ;; groups of 16 that hold them, computed here. A group that straddles two bands is computed by both
  ;; threads, which write the same numbers.
  (func (export "sweepRows")
    (param $k0 i32) (param $k1 i32) (param $firstLo i32) (param $firstHi i32)
    (param $W i32) (param $c i32) (param $v i32) (param $u i32) (param $m i32)
    (param $V i32) (param $H i32) (param $Hp i32) (param $r0 i32) (param $r1 i32) (param $invVar f64)
    (local $g0 i32) (local $g1 i32) (local $lo i32)
    (if (i32.ge_u (local.get $r0) (local.get $r1)) (then (return)))
    (local.set $g0 (i32.div_u (i32.mul (local.get $r0) (local.get $H)) (i32.const 16)))
    (local.set $g1 (i32.div_u (i32.add (i32.mul (local.get $r1) (local.get $H)) (i32.const 15)) (i32.const 16)))
    ;; the counter of the band's first block: first + 4·g0, with the carry into the high word
    (local.set $lo (i32.add (local.get $firstLo) (i32.shl (local.get $g0) (i32.const 2))))
    (call $uniforms (local.get $k0) (local.get $k1) (local.get $lo)
      (i32.add (local.get $firstHi) (i32.lt_u (local.get $lo) (local.get $firstLo)))
      (i32.sub (local.get $g1) (local.get $g0)) (i32.add (local.get $u) (i32.shl (local.get $g0) (i32.const 6))))
    (call $hidden (local.get $W) (local.get $c) (local.get $v) (local.get $u) (local.get $m)
      (local.get $V) (local.get $H) (local.get $Hp) (local.get $r0) (local.get $r1) (local.get $invVar)))

  ;; ---- one phase of the CD gradient, hidden units j0 .. j1−1 (multiples of 32, or j1 = Hp), all n rows ----
  ;;   s_rj = sigmoid(a_rj) = 1/(1 + e) for a ≥ 0, e/(1 + e) below, e = e^−|a|;
  ;;   gc_j −= scale·s_rj,  gW_ij −= (scale·v_ri)·s_rj,  summed over r = 0, 1, ... in order
  ;;   (this is −scale·Σ_r v_r h_rᵀ, the data's or the model's half of ⟨v hᵀ⟩_data − ⟨v hᵀ⟩_model).
  ;; With $energy, the free energy's hidden term Σ_j softplus(a_rj) = Σ_j max(a_rj, 0) + log Π_j (1 + e_rj),
  ;; by blocks of 32 units: sp[r, b] holds, per lane, Σ max(a, 0) (starting at 0) and Π (1 + e)
  ;; (starting at 1, at most 2¹⁶), 32 bytes per block; the caller takes one logarithm per block.
  (func (export "gradient")
    (param $W i32) (param $c i32) (param $v i32) (param $n i32) (param $V i32) (param $H i32) (param $Hp i32)
    (param $j0 i32) (param $j1 i32) (param $invVar f64) (param $scale f64)
    (param $gW i32) (param $gc i32) (param $energy i32) (param $sp i32)
    (local $j i32) (local $r i32) (local $i i32) (local $at i32) (local $blocks i32)
    (local $a v128) (local $e v128) (local $s v128) (local $gcAcc v128) (local $live v128) (local $x f64)
    (local.set $blocks (i32.shr_u (i32.add (local.get $Hp) (i32.const 31)) (i32.const 5)))
    (local.set $j (local.get $j0))
    (block $done (loop $units          ;; units j, j+1
      (br_if $done (i32.ge_u (local.get $j) (local.get $j1)))
      (local.set $gcAcc (v128.load (i32.add (local.get $gc) (i32.shl (local.get $j) (i32.const 3)))))
      ;; the lanes of real units (j + lane < H), not padding
      (local.set $live (i64x2.lt_s (i64x2.add (i64x2.splat (i64.extend_i32_u (local.get $j))) (v128.const i64x2 0 1))
        (i64x2.splat (i64.extend_i32_u (local.get $H)))))
      (local.set $r (i32.const 0))
      (block $rowsDone (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $a (v128.load (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $i (i32.const 0))
        (loop $drive
          (local.set $a (f64x2.add (local.get $a) (f64x2.mul
            (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $v) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $V)) (local.get $i)) (i32.const 2))))))
            (v128.load (i32.add (local.get $W) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $Hp)) (local.get $j)) (i32.const 3)))))))
          (br_if $drive (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $V))))
        (local.set $a (f64x2.mul (local.get $a) (f64x2.splat (local.get $invVar))))
        (local.set $e (call $exp (f64x2.neg (f64x2.abs (local.get $a)))))
        (local.set $s (f64x2.div
          (v128.bitselect (v128.const f64x2 1 1) (local.get $e) (f64x2.ge (local.get $a) (v128.const f64x2 0 0)))
          (f64x2.add (v128.const f64x2 1 1) (local.get $e))))
        (if (local.get $energy)
          (then
            (local.set $at (i32.add (local.get $sp) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $blocks)) (i32.shr_u (local.get $j) (i32.const 5))) (i32.const 5))))
            (v128.store offset=0 (local.get $at) (f64x2.add (v128.load offset=0 (local.get $at))
              (v128.and (f64x2.max (local.get $a) (v128.const f64x2 0 0)) (local.get $live))))
            (v128.store offset=16 (local.get $at) (f64x2.mul (v128.load offset=16 (local.get $at))
              (v128.bitselect (f64x2.add (v128.const f64x2 1 1) (local.get $e)) (v128.const f64x2 1 1) (local.get $live))))))
        (local.set $gcAcc (f64x2.sub (local.get $gcAcc) (f64x2.mul (f64x2.splat (local.get $scale)) (local.get $s))))
        (local.set $i (i32.const 0))
        (loop $weights
          (local.set $x (f64.mul (local.get $scale) (f64.promote_f32 (f32.load (i32.add (local.get $v)
            (i32.shl (i32.add (i32.mul (local.get $r) (local.get $V)) (local.get $i)) (i32.const 2)))))))
          (local.set $at (i32.add (local.get $gW) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $Hp)) (local.get $j)) (i32.const 3))))
          (v128.store (local.get $at) (f64x2.sub (v128.load (local.get $at)) (f64x2.mul (f64x2.splat (local.get $x)) (local.get $s))))
          (br_if $weights (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $V))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
      (v128.store (i32.add (local.get $gc) (i32.shl (local.get $j) (i32.const 3))) (local.get $gcAcc))
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $units))))
)

;; Normal draws: Philox 4x32-10 words (as philox.wat makes them) turned into normals by the
;; Box–Muller transform (as box-muller.ts does it), two pairs at a time in float64 lanes, stored
;; as float32s in the kernels' memory.
;;
;;   for each Philox block (c0, c1, c2, c3) of the stream, from block `first`:
;;     u = ((c >>> 9) + 0.5)·2^-23 for each word           (exact in a double)
;;     r = √(−2·ln u0),  θ = (2π)·u1       → out: a + (b·r)·cos θ,  a + (b·r)·sin θ
;;     the same with (c2, c3) for the block's other two elements
;;
;; ln, cos and sin are fdlibm's (Sun Microsystems, 1993): the same algorithms, constants and
;; order of operations, so the same bits as V8's Math.log, Math.cos and Math.sin in Node 20, which
;; are fdlibm's, and so as box-muller.ts there. A branch of fdlibm becomes a select between lanes:
;; both sides are computed and each lane keeps the one its own value takes. The tests compare
;; every one of the 2^23 possible uniforms with fdlibm written out in JavaScript, bit for bit, on
;; any engine. (Engines need not build Math from fdlibm: Chromium 156 does not, and there this
;; kernel's fills and box-muller.ts's can differ in a last bit; each is the same run to run.)
;;
;; The domain is the transform's: u in [2^-24, 1 − 2^-24] (positive, normal numbers) and θ in
;; (0, 2π), so the reduction of θ modulo π/2 meets quadrant counts 0 to 4 only.
(module
  (import "env" "memory" (memory 1))

  ;; fdlibm's constants, as two-lane vectors (its names; the hex words in its comments, as hex floats)
  (global $ln2_hi v128 (v128.const f64x2 0x1.62e42fee00000p-1 0x1.62e42fee00000p-1))   ;; ln 2's first 32 bits
  (global $ln2_lo v128 (v128.const f64x2 0x1.a39ef35793c76p-33 0x1.a39ef35793c76p-33))  ;; ln 2 − ln2_hi
  (global $Lg1 v128 (v128.const f64x2 0x1.5555555555593p-1 0x1.5555555555593p-1))
  (global $Lg2 v128 (v128.const f64x2 0x1.999999997fa04p-2 0x1.999999997fa04p-2))
  (global $Lg3 v128 (v128.const f64x2 0x1.2492494229359p-2 0x1.2492494229359p-2))
  (global $Lg4 v128 (v128.const f64x2 0x1.c71c51d8e78afp-3 0x1.c71c51d8e78afp-3))
  (global $Lg5 v128 (v128.const f64x2 0x1.7466496cb03dep-3 0x1.7466496cb03dep-3))
  (global $Lg6 v128 (v128.const f64x2 0x1.39a09d078c69fp-3 0x1.39a09d078c69fp-3))
  (global $Lg7 v128 (v128.const f64x2 0x1.2f112df3e5244p-3 0x1.2f112df3e5244p-3))
  (global $third v128 (v128.const f64x2 0x1.5555555555555p-2 0x1.5555555555555p-2))     ;; the double nearest 1/3
  (global $invpio2 v128 (v128.const f64x2 0x1.45f306dc9c883p-1 0x1.45f306dc9c883p-1))   ;; 2/π
  (global $pio2_1 v128 (v128.const f64x2 0x1.921fb54400000p0 0x1.921fb54400000p0))      ;; π/2's first 33 bits
  (global $pio2_1t v128 (v128.const f64x2 0x1.0b4611a626331p-34 0x1.0b4611a626331p-34)) ;; π/2 − pio2_1
  (global $pio2_2 v128 (v128.const f64x2 0x1.0b4611a600000p-34 0x1.0b4611a600000p-34))  ;; its next 33 bits
  (global $pio2_2t v128 (v128.const f64x2 0x1.3198a2e037073p-69 0x1.3198a2e037073p-69)) ;; π/2 − pio2_1 − pio2_2
  (global $S1 v128 (v128.const f64x2 -0x1.5555555555549p-3 -0x1.5555555555549p-3))
  (global $S2 v128 (v128.const f64x2 0x1.111111110f8a6p-7 0x1.111111110f8a6p-7))
  (global $S3 v128 (v128.const f64x2 -0x1.a01a019c161d5p-13 -0x1.a01a019c161d5p-13))
  (global $S4 v128 (v128.const f64x2 0x1.71de357b1fe7dp-19 0x1.71de357b1fe7dp-19))
  (global $S5 v128 (v128.const f64x2 -0x1.ae5e68a2b9cebp-26 -0x1.ae5e68a2b9cebp-26))
  (global $S6 v128 (v128.const f64x2 0x1.5d93a5acfd57cp-33 0x1.5d93a5acfd57cp-33))
  (global $C1 v128 (v128.const f64x2 0x1.555555555554cp-5 0x1.555555555554cp-5))
  (global $C2 v128 (v128.const f64x2 -0x1.6c16c16c15177p-10 -0x1.6c16c16c15177p-10))
  (global $C3 v128 (v128.const f64x2 0x1.a01a019cb1590p-16 0x1.a01a019cb1590p-16))
  (global $C4 v128 (v128.const f64x2 -0x1.27e4f809c52adp-22 -0x1.27e4f809c52adp-22))
  (global $C5 v128 (v128.const f64x2 0x1.1ee9ebdb4b1c4p-29 0x1.1ee9ebdb4b1c4p-29))
  (global $C6 v128 (v128.const f64x2 -0x1.8fae9be8838d4p-37 -0x1.8fae9be8838d4p-37))
  (global $twoPi v128 (v128.const f64x2 0x1.921fb54442d18p2 0x1.921fb54442d18p2))       ;; 2·Math.PI
  ;; (fdlibm's constants live in globals: ln and cos/sin measured 25% faster so than with a
  ;; v128.const at each use. The masks and thresholds below are splats of scalar constants,
  ;; which take a third of a v128.const's bytes.)

  ;; ln u for u in (0, 1): fdlibm's e_log.c. u = 2^k·(1 + f) with √2/2 ≤ 1 + f < √2, then
  ;; s = f/(2 + f), ln(1 + f) = 2s + s·R(s²) with R a degree-14 minimax polynomial (Lg1..Lg7),
  ;; and ln u = k·ln2_hi − ((f²/2 − (s·(f²/2 + R) + k·ln2_lo)) − f), in that order.
  ;; fdlibm has a second form of each formula for k = 0 (no k·ln2 terms); with k = 0 the first
  ;; gives the same bits (0 − (x − f) = f − x exactly), so one form serves both.
  (func $log (param $x v128) (result v128)
    (local $hx v128) (local $k v128) (local $i v128) (local $f v128) (local $dk v128)
    (local $khi v128) (local $klo v128) (local $s v128) (local $z v128) (local $w v128) (local $R v128)
    (local $hfsq v128) (local $RA v128)
    ;; the high word (u > 0, so positive) and k = its exponent − 1023
    (local.set $hx (i64x2.shr_u (local.get $x) (i32.const 32)))
    (local.set $k (i64x2.sub (i64x2.shr_u (local.get $hx) (i32.const 20)) (i64x2.splat (i64.const 1023))))
    (local.set $hx (v128.and (local.get $hx) (i64x2.splat (i64.const 0xfffff))))
    ;; i = 0x100000 where the mantissa is past √2: then x is halved and k is one more
    (local.set $i (v128.and (i64x2.add (local.get $hx) (i64x2.splat (i64.const 0x95f64))) (i64x2.splat (i64.const 0x100000))))
    (local.set $x (v128.or
      (v128.and (local.get $x) (i64x2.splat (i64.const 0xffffffff)))
      (i64x2.shl (v128.or (local.get $hx) (v128.xor (local.get $i) (i64x2.splat (i64.const 0x3ff00000)))) (i32.const 32))))
    (local.set $k (i64x2.add (local.get $k) (i64x2.shr_u (local.get $i) (i32.const 20))))
    (local.set $f (f64x2.sub (local.get $x) (f64x2.splat (f64.const 1))))
    ;; k as a double: the bits of 1.5·2^52 plus k are the double 1.5·2^52 + k (|k| < 2^51), exactly
    (local.set $dk (f64x2.sub
      (i64x2.add (local.get $k) (i64x2.splat (i64.const 0x4338000000000000)))
      (f64x2.splat (f64.const 0x1.8p52))))
    (local.set $khi (f64x2.mul (local.get $dk) (global.get $ln2_hi)))   ;; k·ln2_hi
    (local.set $klo (f64x2.mul (local.get $dk) (global.get $ln2_lo)))  ;; k·ln2_lo
    ;; s = f/(2 + f) and R = t2 + t1, the polynomial split into odd and even powers of z²
    (local.set $s (f64x2.div (local.get $f) (f64x2.add (f64x2.splat (f64.const 2)) (local.get $f))))
    (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
    (local.set $w (f64x2.mul (local.get $z) (local.get $z)))
    (local.set $R (f64x2.add
      (f64x2.mul (local.get $z)                                                     ;; t2
        (f64x2.add (global.get $Lg1)
          (f64x2.mul (local.get $w)
            (f64x2.add (global.get $Lg3)
              (f64x2.mul (local.get $w)
                (f64x2.add (global.get $Lg5)
                  (f64x2.mul (local.get $w) (global.get $Lg7))))))))
      (f64x2.mul (local.get $w)                                                     ;; t1
        (f64x2.add (global.get $Lg2)
          (f64x2.mul (local.get $w)
            (f64x2.add (global.get $Lg4)
              (f64x2.mul (local.get $w) (global.get $Lg6))))))))
    (local.set $hfsq (f64x2.mul (f64x2.mul (f64x2.splat (f64.const 0.5)) (local.get $f)) (local.get $f)))
    ;; |f| < 2^-20 (the mantissa's high bits within 2 of 0): ln(1 + f) ≈ f − f²·(1/2 − f/3),
    ;; and exactly k·ln2 where f = 0
    (local.set $RA (f64x2.mul (f64x2.mul (local.get $f) (local.get $f))
      (f64x2.sub (f64x2.splat (f64.const 0.5)) (f64x2.mul (global.get $third) (local.get $f)))))
    (v128.bitselect
      (v128.bitselect
        (f64x2.add (local.get $khi) (local.get $klo))
        (f64x2.sub (local.get $khi) (f64x2.sub (f64x2.sub (local.get $RA) (local.get $klo)) (local.get $f)))
        (f64x2.eq (local.get $f) (f64x2.splat (f64.const 0))))
      ;; f far from 0 (the mantissa's high bits between 0x6147a and 0x6b851): the f²/2 form;
      ;; otherwise k·ln2_hi − ((s·(f − R) − k·ln2_lo) − f)
      (v128.bitselect
        (f64x2.sub (local.get $khi)
          (f64x2.sub
            (f64x2.sub (local.get $hfsq) (f64x2.add (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $R))) (local.get $klo)))
            (local.get $f)))
        (f64x2.sub (local.get $khi)
          (f64x2.sub
            (f64x2.sub (f64x2.mul (local.get $s) (f64x2.sub (local.get $f) (local.get $R))) (local.get $klo))
            (local.get $f)))
        (i64x2.gt_s
          (v128.or (i64x2.sub (local.get $hx) (i64x2.splat (i64.const 0x6147a)))
                   (i64x2.sub (i64x2.splat (i64.const 0x6b851)) (local.get $hx)))
          (i64x2.splat (i64.const 0))))
      (i64x2.lt_s (v128.and (i64x2.add (local.get $hx) (i64x2.splat (i64.const 2))) (i64x2.splat (i64.const 0xfffff)))
                  (i64x2.splat (i64.const 3)))))

  ;; cos θ and sin θ for θ in (0, 2π): fdlibm's s_cos.c and s_sin.c on one reduction.
  ;; θ = n·π/2 + y0 + y1 with |y0| ≤ π/4 (e_rem_pio2.c: n = floor(θ·2/π + 1/2), π/2 in 33-bit
  ;; pieces, a second piece where the first cancels), then the kernels k_cos.c and k_sin.c:
  ;;   cos y ≈ 1 − y²/2 + y⁴·C(y²),  sin y ≈ y + y³·S(y²)   on [−π/4, π/4] (degree 14 and 13),
  ;; and the quadrant n mod 4 picks ±cos or ±sin of y for each.
  ;; Within this domain three of fdlibm's paths give the bits of the general one and are left
  ;; out: θ ≤ π/4 (n = 0 reduces to y0 = θ, y1 = 0, as fdlibm's shortcut has it); θ < 3π/4 (its
  ;; n = 1 case is the general formula with n = 1, and its form near π/2 the second round); a third
  ;; round for θ within 2^-49·θ of n·π/2 (no θ = 2π·u comes nearer than 3.7e-7). Nor is |y| ever
  ;; below 2^-27, where the kernels return y and 1. The tests check every θ against Math.
  (func $cosSin (param $t v128) (result v128 v128)
    (local $ix v128) (local $small v128) (local $fn v128) (local $n v128) (local $r v128) (local $w v128)
    (local $y0 v128) (local $r2 v128) (local $w2 v128) (local $second v128) (local $hw v128) (local $y1 v128)
    (local $ax v128) (local $z v128) (local $v v128) (local $rs v128) (local $rc v128) (local $tail v128)
    (local $qx v128) (local $ks v128) (local $kc v128) (local $odd v128)
    (local.set $ix (i64x2.shr_u (local.get $t) (i32.const 32)))
    ;; θ ≤ π/4 (its high word ≤ π/4's): n = 0, and sin takes k_sin.c's form for a y with no tail
    (local.set $small (i64x2.le_s (local.get $ix) (i64x2.splat (i64.const 0x3fe921fb))))
    (local.set $fn (v128.andnot
      (f64x2.trunc (f64x2.add
        (f64x2.mul (local.get $t) (global.get $invpio2))
        (f64x2.splat (f64.const 0.5))))
      (local.get $small)))
    (local.set $n (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $fn))))
    ;; y = (θ − n·pio2_1) − n·pio2_1t
    (local.set $r (f64x2.sub (local.get $t) (f64x2.mul (local.get $fn) (global.get $pio2_1))))
    (local.set $w (f64x2.mul (local.get $fn) (global.get $pio2_1t)))
    (local.set $y0 (f64x2.sub (local.get $r) (local.get $w)))
    ;; where θ's high word is n·π/2's (fdlibm's table npio2_hw for n = 1 to 4) and y0 lost more
    ;; than 16 bits to cancellation: a second round with the next 33 bits of π/2 (pio2_2, pio2_2t)
    (local.set $hw
      (v128.bitselect (i64x2.splat (i64.const 0x3ff921fb))
        (v128.bitselect (i64x2.splat (i64.const 0x400921fb))
          (v128.bitselect (i64x2.splat (i64.const 0x4012d97c)) (i64x2.splat (i64.const 0x401921fb))
            (i64x2.eq (local.get $n) (i64x2.splat (i64.const 3))))
          (i64x2.eq (local.get $n) (i64x2.splat (i64.const 2))))
        (i64x2.eq (local.get $n) (i64x2.splat (i64.const 1)))))
    (local.set $second (v128.and (i64x2.eq (local.get $ix) (local.get $hw))
      (i64x2.gt_s
        (i64x2.sub (i64x2.shr_u (local.get $ix) (i32.const 20))
                   (v128.and (i64x2.shr_u (local.get $y0) (i32.const 52)) (i64x2.splat (i64.const 0x7ff))))  ;; exponents
        (i64x2.splat (i64.const 16)))))
    (local.set $w2 (f64x2.mul (local.get $fn) (global.get $pio2_2)))
    (local.set $r2 (f64x2.sub (local.get $r) (local.get $w2)))
    (local.set $w2 (f64x2.sub (f64x2.mul (local.get $fn) (global.get $pio2_2t))
      (f64x2.sub (f64x2.sub (local.get $r) (local.get $r2)) (local.get $w2))))
    (local.set $r (v128.bitselect (local.get $r2) (local.get $r) (local.get $second)))
    (local.set $w (v128.bitselect (local.get $w2) (local.get $w) (local.get $second)))
    (local.set $y0 (f64x2.sub (local.get $r) (local.get $w)))
    (local.set $y1 (f64x2.sub (f64x2.sub (local.get $r) (local.get $y0)) (local.get $w)))
    ;; the kernels on y = y0 + y1
    (local.set $ax (v128.and (i64x2.shr_u (local.get $y0) (i32.const 32)) (i64x2.splat (i64.const 0x7fffffff))))
    (local.set $z (f64x2.mul (local.get $y0) (local.get $y0)))
    ;; sin y = y + y³·(S1 + y²·rs), or with the tail: y0 − ((y²·(y1/2 − y³·rs) − y1) − y³·S1)
    (local.set $v (f64x2.mul (local.get $z) (local.get $y0)))
    (local.set $rs
      (f64x2.add (global.get $S2)
        (f64x2.mul (local.get $z)
          (f64x2.add (global.get $S3)
            (f64x2.mul (local.get $z)
              (f64x2.add (global.get $S4)
                (f64x2.mul (local.get $z)
                  (f64x2.add (global.get $S5)
                    (f64x2.mul (local.get $z) (global.get $S6))))))))))
    (local.set $ks (v128.bitselect
      (f64x2.add (local.get $y0) (f64x2.mul (local.get $v)
        (f64x2.add (global.get $S1) (f64x2.mul (local.get $z) (local.get $rs)))))  ;; S1
      (f64x2.sub (local.get $y0)
        (f64x2.sub
          (f64x2.sub
            (f64x2.mul (local.get $z) (f64x2.sub (f64x2.mul (f64x2.splat (f64.const 0.5)) (local.get $y1)) (f64x2.mul (local.get $v) (local.get $rs))))
            (local.get $y1))
          (f64x2.mul (local.get $v) (global.get $S1))))
      (local.get $small)))
    ;; cos y = 1 − (y²/2 − (y²·rc − y0·y1)); where |y| ≥ 0.3, qx = |y|/4 with its low word cleared
    ;; (0.28125 past 0.78125) is taken out of both 1 and y²/2, exactly, before they meet
    (local.set $rc (f64x2.mul (local.get $z)
      (f64x2.add (global.get $C1)
        (f64x2.mul (local.get $z)
          (f64x2.add (global.get $C2)
            (f64x2.mul (local.get $z)
              (f64x2.add (global.get $C3)
                (f64x2.mul (local.get $z)
                  (f64x2.add (global.get $C4)
                    (f64x2.mul (local.get $z)
                      (f64x2.add (global.get $C5)
                        (f64x2.mul (local.get $z) (global.get $C6)))))))))))))
    (local.set $tail (f64x2.sub (f64x2.mul (local.get $z) (local.get $rc)) (f64x2.mul (local.get $y0) (local.get $y1))))
    (local.set $qx (v128.bitselect (f64x2.splat (f64.const 0.28125))
      (i64x2.shl (i64x2.sub (local.get $ax) (i64x2.splat (i64.const 0x00200000))) (i32.const 32))
      (i64x2.gt_s (local.get $ax) (i64x2.splat (i64.const 0x3fe90000)))))
    (local.set $kc (v128.bitselect
      (f64x2.sub (f64x2.splat (f64.const 1)) (f64x2.sub (f64x2.mul (f64x2.splat (f64.const 0.5)) (local.get $z)) (local.get $tail)))
      (f64x2.sub (f64x2.sub (f64x2.splat (f64.const 1)) (local.get $qx))
        (f64x2.sub (f64x2.sub (f64x2.mul (f64x2.splat (f64.const 0.5)) (local.get $z)) (local.get $qx)) (local.get $tail)))
      (i64x2.lt_s (local.get $ax) (i64x2.splat (i64.const 0x3fd33333)))))
    ;; quadrant n mod 4:  cos θ = kc, −ks, −kc, ks   sin θ = ks, kc, −ks, −kc  (− flips the sign bit)
    (local.set $odd (i64x2.ne (v128.and (local.get $n) (i64x2.splat (i64.const 1))) (i64x2.splat (i64.const 0))))
    (v128.xor (v128.bitselect (local.get $ks) (local.get $kc) (local.get $odd))
      (i64x2.shl (v128.and (i64x2.add (local.get $n) (i64x2.splat (i64.const 1))) (i64x2.splat (i64.const 2))) (i32.const 62)))
    (v128.xor (v128.bitselect (local.get $kc) (local.get $ks) (local.get $odd))
      (i64x2.shl (v128.and (local.get $n) (i64x2.splat (i64.const 2))) (i32.const 62))))

  ;; The uniforms of the low two words of `words`: ((w >>> 9) + 0.5)·2^-23, exact in a double.
  (func $uniforms (param $words v128) (result v128)
    (f64x2.mul
      (f64x2.add (f64x2.convert_low_i32x4_u (i32x4.shr_u (local.get $words) (i32.const 9))) (f64x2.splat (f64.const 0.5)))
      (f64x2.splat (f64.const 0x1p-23))))

  ;; Two pairs of normals from the uniforms u (for the radius) and t (for the angle), lane by
  ;; lane: (a + (b·r)·cos θ, a + (b·r)·sin θ) with r = √(−2·ln u), θ = (2π)·t, rounded to float32
  ;; and interleaved: cos₀ sin₀ cos₁ sin₁.
  (func $pairs (param $u v128) (param $t v128) (param $a v128) (param $b v128) (result v128)
    (local $radius v128) (local $cos v128) (local $sin v128)
    (local.set $radius (f64x2.mul (local.get $b)
      (f64x2.sqrt (f64x2.mul (f64x2.splat (f64.const -2)) (call $log (local.get $u))))))
    (call $cosSin (f64x2.mul (global.get $twoPi) (local.get $t)))
    (local.set $sin)
    (local.set $cos)
    (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
      (f32x4.demote_f64x2_zero (f64x2.add (local.get $a) (f64x2.mul (local.get $radius) (local.get $cos))))
      (f32x4.demote_f64x2_zero (f64x2.add (local.get $a) (f64x2.mul (local.get $radius) (local.get $sin))))))

  ;; Store the first $left (if more than 4, all 4) floats of $v at byte address $at.
  (func $put (param $at i32) (param $v v128) (param $left i32)
    (if (i32.ge_s (local.get $left) (i32.const 4))
      (then (v128.store (local.get $at) (local.get $v)))
      (else
        (if (i32.ge_s (local.get $left) (i32.const 1)) (then (v128.store32_lane 0 (local.get $at) (local.get $v))))
        (if (i32.ge_s (local.get $left) (i32.const 2)) (then (v128.store32_lane offset=4 1 (local.get $at) (local.get $v))))
        (if (i32.ge_s (local.get $left) (i32.const 3)) (then (v128.store32_lane offset=8 2 (local.get $at) (local.get $v)))))))

  ;; Elements 0 .. n−1 of a fill at byte address $out: element i is word i mod 4 of Philox block
  ;; first + floor(i/4) (an integer below 2^53, exact in a double) of the stream with key (k0, k1), through
  ;; the transform above. Four blocks at a time, one in each i32 lane: the rounds as philox.wat
  ;; has them, with the 64-bit products from i64x2.extmul.
  (func (export "normals")
    (param $out i32) (param $n i32) (param $k0 i32) (param $k1 i32) (param $first f64) (param $a f64) (param $b f64)
    (local $firstLo i32) (local $firstHi i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $lo v128)
    (local $key0 v128) (local $key1 v128) (local $p0lo v128) (local $p0hi v128) (local $p1lo v128) (local $p1hi v128)
    (local $A v128) (local $B v128) (local $first01 v128) (local $first23 v128) (local $second01 v128) (local $second23 v128)
    (local $round i32) (local $left i32)
    ;; the counter's low and high words
    (local.set $firstLo (i32.wrap_i64 (i64.trunc_sat_f64_u (local.get $first))))
    (local.set $firstHi (i32.wrap_i64 (i64.shr_u (i64.trunc_sat_f64_u (local.get $first)) (i64.const 32))))
    (local.set $A (f64x2.splat (local.get $a)))
    (local.set $B (f64x2.splat (local.get $b)))
    (local.set $left (local.get $n))
    (block $done
      (br_if $done (i32.le_s (local.get $left) (i32.const 0)))
      (loop $group
        ;; counters (first + g, its carry into the high word, 0, 0) for the four blocks g
        (local.set $c0 (i32x4.add (i32x4.splat (local.get $firstLo)) (v128.const i32x4 0 1 2 3)))
        (local.set $c1 (i32x4.sub (i32x4.splat (local.get $firstHi)) (i32x4.lt_u (local.get $c0) (i32x4.splat (local.get $firstLo)))))  ;; true is −1
        (local.set $c2 (i32x4.splat (i32.const 0)))
        (local.set $c3 (i32x4.splat (i32.const 0)))
        (local.set $key0 (i32x4.splat (local.get $k0)))
        (local.set $key1 (i32x4.splat (local.get $k1)))
        (local.set $round (i32.const 10))
        (loop $rounds
          ;; p0 = M0·c0, p1 = M1·c2 (64 bits each: lanes 0 and 1 in ..lo, 2 and 3 in ..hi)
          (local.set $p0lo (i64x2.extmul_low_i32x4_u (local.get $c0) (i32x4.splat (i32.const 0xd2511f53))))
          (local.set $p0hi (i64x2.extmul_high_i32x4_u (local.get $c0) (i32x4.splat (i32.const 0xd2511f53))))
          (local.set $p1lo (i64x2.extmul_low_i32x4_u (local.get $c2) (i32x4.splat (i32.const 0xcd9e8d57))))
          (local.set $p1hi (i64x2.extmul_high_i32x4_u (local.get $c2) (i32x4.splat (i32.const 0xcd9e8d57))))
          ;; (c0, c1, c2, c3) = (hi(p1) ^ c1 ^ k0, lo(p1), hi(p0) ^ c3 ^ k1, lo(p0))
          (local.set $lo (local.get $c1))
          (local.set $c0 (v128.xor (v128.xor
            (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $p1lo) (local.get $p1hi)) (local.get $lo)) (local.get $key0)))
          (local.set $c1 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $p1lo) (local.get $p1hi)))
          (local.set $c2 (v128.xor (v128.xor
            (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $p0lo) (local.get $p0hi)) (local.get $c3)) (local.get $key1)))
          (local.set $c3 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $p0lo) (local.get $p0hi)))
          (local.set $key0 (i32x4.add (local.get $key0) (i32x4.splat (i32.const 0x9e3779b9))))  ;; Weyl steps
          (local.set $key1 (i32x4.add (local.get $key1) (i32x4.splat (i32.const 0xbb67ae85))))
          (br_if $rounds (local.tee $round (i32.sub (local.get $round) (i32.const 1)))))
        ;; a block's elements 0, 1 come from its words (c0, c1), elements 2, 3 from (c2, c3)
        (local.set $first01 (call $pairs (call $uniforms (local.get $c0)) (call $uniforms (local.get $c1)) (local.get $A) (local.get $B)))
        (local.set $second01 (call $pairs (call $uniforms (local.get $c2)) (call $uniforms (local.get $c3)) (local.get $A) (local.get $B)))
        (local.set $first23 (call $pairs
          (call $uniforms (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c0) (local.get $c0)))
          (call $uniforms (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c1) (local.get $c1)))
          (local.get $A) (local.get $B)))
        (local.set $second23 (call $pairs
          (call $uniforms (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c2) (local.get $c2)))
          (call $uniforms (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c3) (local.get $c3)))
          (local.get $A) (local.get $B)))
        ;; block g's four floats: its first pair's two, then its second pair's two
        (call $put (local.get $out)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $first01) (local.get $second01)) (local.get $left))
        (call $put (i32.add (local.get $out) (i32.const 16))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $first01) (local.get $second01)) (i32.sub (local.get $left) (i32.const 4)))
        (call $put (i32.add (local.get $out) (i32.const 32))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $first23) (local.get $second23)) (i32.sub (local.get $left) (i32.const 8)))
        (call $put (i32.add (local.get $out) (i32.const 48))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $first23) (local.get $second23)) (i32.sub (local.get $left) (i32.const 12)))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        ;; the next four blocks; the high word carries where the low one wraps
        (local.set $firstHi (i32.add (local.get $firstHi) (i32.lt_u (i32.add (local.get $firstLo) (i32.const 4)) (local.get $firstLo))))
        (local.set $firstLo (i32.add (local.get $firstLo) (i32.const 4)))
        (br_if $group (i32.gt_s (local.tee $left (i32.sub (local.get $left) (i32.const 16))) (i32.const 0))))))

  ;; For the tests, which compare the functions above with Math over every possible uniform:
  ;; ln of the n doubles (n even) at byte address $at, in place.
  (func (export "lnEach") (param $at i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $at) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
      (loop $pairs
        (v128.store (local.get $at) (call $log (v128.load (local.get $at))))
        (br_if $pairs (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 16))) (local.get $end))))))

  ;; cos of the n doubles (n even) at $at in place, and their sin to $sinAt.
  (func (export "cosSinEach") (param $at i32) (param $sinAt i32) (param $n i32)
    (local $end i32) (local $cos v128) (local $sin v128)
    (local.set $end (i32.add (local.get $at) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
      (loop $pairs
        (call $cosSin (v128.load (local.get $at)))
        (local.set $sin)
        (local.set $cos)
        (v128.store (local.get $sinAt) (local.get $sin))
        (v128.store (local.get $at) (local.get $cos))
        (local.set $sinAt (i32.add (local.get $sinAt) (i32.const 16)))
        (br_if $pairs (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 16))) (local.get $end)))))))

;; Adam's update (Kingma and Ba, 2015) on float32 arrays in the kernels' memory, two elements at
;; a time in float64 lanes (f64x2), bit for bit what adam-range.ts's loop computes:
;;
;;   m = β1·m + (1 − β1)·g            rounded to float32 as it is stored, then read back
;;   v = β2·v + ((1 − β2)·g)·g        the same
;;   θ = θ − (lr·(m / c1)) / (√(v / c2) + ε)
;;
;; Every operation is one IEEE double operation in JavaScript's order (products and quotients
;; rounded as JavaScript rounds them; a square root is correctly rounded in both), and each
;; store rounds to float32 as a Float32Array store does (f32x4.demote_f64x2_zero). Three
;; divisions and a square root per element: two lanes halve what the loop pays for them.
;; Addresses are in bytes; $n counts elements.
(module
  (import "env" "memory" (memory 1))
  (func (export "adam")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $lr f64) (param $beta1 f64) (param $beta2 f64) (param $eps f64) (param $c1 f64) (param $c2 f64)
    (local $at i32) (local $pairsEnd i32) (local $end i32)
    (local $grad v128) (local $mNew v128) (local $vNew v128) (local $rounded v128)
    (local $B1 v128) (local $OB1 v128) (local $B2 v128) (local $OB2 v128)
    (local $LR v128) (local $EPS v128) (local $C1 v128) (local $C2 v128)
    (local $gs f64) (local $ms f32) (local $vs f32)
    (local.set $B1 (f64x2.splat (local.get $beta1)))
    (local.set $OB1 (f64x2.splat (f64.sub (f64.const 1) (local.get $beta1))))
    (local.set $B2 (f64x2.splat (local.get $beta2)))
    (local.set $OB2 (f64x2.splat (f64.sub (f64.const 1) (local.get $beta2))))
    (local.set $LR (f64x2.splat (local.get $lr)))
    (local.set $EPS (f64x2.splat (local.get $eps)))
    (local.set $C1 (f64x2.splat (local.get $c1)))
    (local.set $C2 (f64x2.splat (local.get $c2)))
    (local.set $at (i32.const 0))
    (local.set $pairsEnd (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2)))  ;; whole pairs, in bytes
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $pairsDone
      (br_if $pairsDone (i32.ge_u (local.get $at) (local.get $pairsEnd)))
      (loop $pairs
        (local.set $grad (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $g) (local.get $at)))))
        ;; m, rounded to float32, stored, and read back as the float32 it now is
        (local.set $mNew (f64x2.add
          (f64x2.mul (local.get $B1) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $m) (local.get $at)))))
          (f64x2.mul (local.get $OB1) (local.get $grad))))
        (local.set $rounded (f32x4.demote_f64x2_zero (local.get $mNew)))
        (v128.store64_lane 0 (i32.add (local.get $m) (local.get $at)) (local.get $rounded))
        (local.set $mNew (f64x2.promote_low_f32x4 (local.get $rounded)))
        ;; v the same
        (local.set $vNew (f64x2.add
          (f64x2.mul (local.get $B2) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $v) (local.get $at)))))
          (f64x2.mul (f64x2.mul (local.get $OB2) (local.get $grad)) (local.get $grad))))
        (local.set $rounded (f32x4.demote_f64x2_zero (local.get $vNew)))
        (v128.store64_lane 0 (i32.add (local.get $v) (local.get $at)) (local.get $rounded))
        (local.set $vNew (f64x2.promote_low_f32x4 (local.get $rounded)))
        ;; θ − (lr·(m / c1)) / (√(v / c2) + ε)
        (v128.store64_lane 0 (i32.add (local.get $p) (local.get $at))
          (f32x4.demote_f64x2_zero (f64x2.sub
            (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $p) (local.get $at))))
            (f64x2.div
              (f64x2.mul (local.get $LR) (f64x2.div (local.get $mNew) (local.get $C1)))
              (f64x2.add (f64x2.sqrt (f64x2.div (local.get $vNew) (local.get $C2))) (local.get $EPS))))))
        (br_if $pairs (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 8))) (local.get $pairsEnd)))))
    ;; an odd last element, the same operations on scalars
    (if (i32.lt_u (local.get $at) (local.get $end))
      (then
        (local.set $gs (f64.promote_f32 (f32.load (i32.add (local.get $g) (local.get $at)))))
        (local.set $ms (f32.demote_f64 (f64.add
          (f64.mul (local.get $beta1) (f64.promote_f32 (f32.load (i32.add (local.get $m) (local.get $at)))))
          (f64.mul (f64.sub (f64.const 1) (local.get $beta1)) (local.get $gs)))))
        (f32.store (i32.add (local.get $m) (local.get $at)) (local.get $ms))
        (local.set $vs (f32.demote_f64 (f64.add
          (f64.mul (local.get $beta2) (f64.promote_f32 (f32.load (i32.add (local.get $v) (local.get $at)))))
          (f64.mul (f64.mul (f64.sub (f64.const 1) (local.get $beta2)) (local.get $gs)) (local.get $gs)))))
        (f32.store (i32.add (local.get $v) (local.get $at)) (local.get $vs))
        (f32.store (i32.add (local.get $p) (local.get $at))
          (f32.demote_f64 (f64.sub
            (f64.promote_f32 (f32.load (i32.add (local.get $p) (local.get $at))))
            (f64.div
              (f64.mul (local.get $lr) (f64.div (f64.promote_f32 (local.get $ms)) (local.get $c1)))
              (f64.add (f64.sqrt (f64.div (f64.promote_f32 (local.get $vs)) (local.get $c2))) (local.get $eps))))))))))

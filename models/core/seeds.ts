// The seeds a run accepts, and side-stream seeds derived from them. A run's seed is an integer
// from 0 to 2³² − 1; derived seeds are computed exactly (BigInt), so no seed can push a sum past
// 2⁵³ and come out as a different, or invalid, number.

/** The largest seed `--seed` and model configs accept. */
export const MAX_SEED = 2 ** 32 - 1;

/** (seed·a + salt·b + c) mod 2⁵², exactly: a side stream's seed, always a valid createRng seed. */
export function mixSeed(seed: number, a: number, salt: number, b: number, c: number): number {
  const v = BigInt(seed) * BigInt(a) + BigInt(salt) * BigInt(b) + BigInt(c);
  return Number((v < 0n ? -v : v) % 2n ** 52n);
}

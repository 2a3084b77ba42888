// WGAN-LP on `normal` (the stable networks, Gulrajani et al.'s optimizer, the one-sided penalty of
// Petzka et al. 2018, λ 10): one seed of the README's five, at half the table's 300 epochs to fit
// CI. The five-seed figures, next to weight clipping and the two-sided WGAN-GP, come from
// `npm run quality:gan -- --only wgan`.

import { expect, it } from 'vitest';
import { qualityRun } from '../../models/gan/quality';
import { WGAN_LP } from '../../models/scripts/gan-quality-configs';

it('WGAN-LP learns normal: W1 < 0.25 and the mean within 0.15 of 4, seed 0, 150 epochs', async () => {
  const r = await qualityRun('normal', WGAN_LP, 0, 150);
  expect(r.w1, JSON.stringify(r)).toBeLessThan(0.25);
  expect(Math.abs(r.mean - 4), JSON.stringify(r)).toBeLessThan(0.15);
}, 600_000);

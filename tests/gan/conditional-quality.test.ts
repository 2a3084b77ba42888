// The conditional GAN's goal, CI-sized: on `bimodal` and `1d-trimodal`, seed 0, with the
// conditional defaults and the CLI's 150 conditional epochs, for each class c at least 95% of 5000 samples of
// G(z, c) lie nearer to component c's mean than to any other, and their mean and std are within
// 0.15 of the component's. The 5-seed figures are in the README (npm run quality:gan -- --only conditional).

import { describe, expect, it } from 'vitest';
import { CONDITIONAL_GOAL, conditionalQualityRun } from '../../models/gan/conditional-quality';
import { GAN_CONDITIONAL_EPOCHS } from '../../models/gan/config';

describe('conditional GAN: each class on its own component', () => {
  for (const target of ['bimodal', '1d-trimodal']) {
    it(`${target}, seed 0`, async () => {
      const r = await conditionalQualityRun(target, {}, 0, GAN_CONDITIONAL_EPOCHS);
      for (const c of r.classes) {
        const what = `${target} class ${c.class}`;
        expect(c.nearest, what).toBeGreaterThanOrEqual(CONDITIONAL_GOAL.nearest);
        expect(Math.abs(c.mean[0] - c.targetMean[0]), what).toBeLessThanOrEqual(CONDITIONAL_GOAL.meanError);
        expect(Math.abs(c.std[0] - c.targetStd[0]), what).toBeLessThanOrEqual(CONDITIONAL_GOAL.stdError);
      }
    }, 180_000);
  }
});

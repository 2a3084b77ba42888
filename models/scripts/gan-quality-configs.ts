// The WGAN settings of the GAN quality table: the stable networks (2×32 LeakyReLU) as critic
// and generator, with Gulrajani et al. 2017's optimizer settings (Adam 1e-4, β (0, 0.9), 5 critic
// steps per generator step), keeping the critic Lipschitz by weight clipping, by the two-sided
// gradient penalty (Gulrajani et al. 2017) or by the one-sided one (Petzka et al. 2018).

import type { GanConfig } from '../gan';
import { WGAN_GP_DEFAULTS } from '../gan/config';

const WGAN_ARCH: Partial<GanConfig> = { gLayers: 2, gWidth: 32, dLayers: 2, dWidth: 32, activation: 'leaky', ...WGAN_GP_DEFAULTS };
export const WGAN_CLIP: Partial<GanConfig> = { ...WGAN_ARCH, loss: 'wgan', clip: 0.01 };
export const WGAN_GP: Partial<GanConfig> = { ...WGAN_ARCH, loss: 'wgan-gp', gpLambda: 10 };
export const WGAN_LP: Partial<GanConfig> = { ...WGAN_ARCH, loss: 'wgan-lp', gpLambda: 10 };

// The VAE, RBM, diffusion and Compare tabs.

import type { AppServices, Tab } from '../app';
import { createCompareTab } from './compare';
import { createDiffusionTab } from './diffusion';
import type { Notify } from './model-tab';
import { createRbmTab } from './rbm';
import { createVaeTab } from './vae';

export function createOtherTabs(services: AppServices, notify: Notify): Tab[] {
  return [
    createVaeTab(services, notify),
    createRbmTab(services, notify),
    createDiffusionTab(services, notify),
    createCompareTab(services, notify),
  ];
}

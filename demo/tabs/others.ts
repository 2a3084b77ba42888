// The VAE, RBM, diffusion and Compare tabs. A tab whose model has not landed in models/ shows
// "not available yet".

import type { AppServices, Tab } from '../app';
import { createDiffusionTab } from './diffusion';
import type { Notify } from './model-tab';
import { createRbmTab } from './rbm';
import { createVaeTab } from './vae';

class PlaceholderTab implements Tab {
  constructor(readonly id: string, readonly title: string, private readonly what: string) {}
  mount(container: HTMLElement): void {
    const box = document.createElement('div');
    box.className = 'not-available';
    box.dataset.notAvailable = this.id;
    box.innerHTML = `<h2>${this.title}</h2><p>Not available yet: ${this.what}</p>`;
    container.append(box);
  }
  activate(): void {}
  deactivate(): void {}
  backendChanged(): void {}
  hood(): null { return null; }
}

export function createOtherTabs(services: AppServices, notify: Notify): Tab[] {
  return [
    createVaeTab(services, notify),
    createRbmTab(services, notify),
    createDiffusionTab(services, notify),
    new PlaceholderTab('compare', 'Compare', 'the comparison (models/compare.ts) has not landed in this build.'),
  ];
}

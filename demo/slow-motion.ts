// The slow-motion step (as GAN Lab's): one training step of the model on screen is run once
// while its kernel dispatches are recorded and its computation graph captured; then the step is
// walked through in the order the dispatches ran, one every `msPerDispatch`: the dispatch's row
// in "under the hood" and the box of the graph whose forward op or backward rule asked for it
// are marked together (an optimizer update has no box: its row alone is marked). A second
// click stops the walk.

import { flush, backendStats, captureStep, recordDispatches, type Tensor } from '../engine/index';
import type { GraphPanel } from './graph/panel';
import type { HoodPanel } from './hood';

export const SLOW_MOTION_MS = 250;

export class SlowMotion {
  private playing = false;
  private stopRequested = false;

  constructor(private readonly hood: HoodPanel, private readonly graph: GraphPanel, private readonly root: HTMLElement) {}

  /** Play one step in slow motion, or stop the one playing. */
  async toggle(msPerDispatch = SLOW_MOTION_MS): Promise<void> {
    if (this.playing) {
      this.stopRequested = true;
      return;
    }
    const source = this.hood.current;
    if (!source) return;
    this.playing = true;
    this.stopRequested = false;
    this.graph.holding = true;
    this.root.dataset.slow = 'running';
    try {
      const names = new Map<Tensor, string>(source.parameters().map(([n, t]) => [t, n]));
      const { dispatches, graphs, submits } = await source.run(async () => {
        await flush();
        const before = backendStats().submits;
        const recorded = recordDispatches(() => captureStep(() => source.step(), names));
        const captured = await recorded.result;
        await flush();
        return { dispatches: recorded.dispatches, graphs: captured, submits: backendStats().submits - before };
      });
      // The graph keeps each tensor's own gradient, so the fusions that hand a layer its gradient
      // already multiplied by its activation's slope stay off (engine/fusion.ts, 6 and 7).
      const plain = this.hood.plainStepDispatches(source);
      const differs = plain !== null && plain !== dispatches.length
        ? ` (a step the graph does not watch runs ${plain}: while the graph keeps every tensor's own gradient, the fusions that pass a gradient on already multiplied by the next layer's activation slope stay off)` : '';
      this.hood.showDispatches(dispatches, `Slow motion: one step, ${dispatches.length} kernel dispatches${differs}, ${submits} queue submit(s); each is marked in turn here and in the graph.`,
        new Set(graphs.flatMap((g) => g.nodes.flatMap((n) => n.backward))));
      this.graph.show(graphs);
      for (let i = 0; i < dispatches.length && !this.stopRequested; i++) {
        this.hood.highlightRow(i);
        this.graph.highlight(dispatches[i]);
        this.root.dataset.slowIndex = String(i);
        await new Promise((resolve) => setTimeout(resolve, msPerDispatch));
      }
    } finally {
      this.hood.highlightRow(null);
      this.graph.highlight(null);
      this.graph.holding = false;
      this.playing = false;
      this.root.dataset.slow = 'done';
    }
  }
}

// The distribution view the VAE, RBM and diffusion tabs share: in 1D the real data's KDE
// (dotted), the model's KDE and a rug of its samples; in 2D data and samples as dots.

import { kde, linspace } from '../../models/eval/metrics';
import type { Target } from '../../models/data/targets';
import { COLORS, DensityPlot, PointPlot } from '../plots';

export class SamplePlot {
  readonly grid: Float64Array;
  private readonly realKde: Float64Array | null;
  private readonly d1: DensityPlot | null = null;
  private readonly d2: PointPlot | null = null;

  constructor(parent: HTMLElement, readonly target: Target, readonly real: Float64Array, title: string, modelLabel: string, color: string) {
    this.grid = linspace(target.range[0], target.range[1], 200);
    this.realKde = target.dim === 1 ? kde(real, this.grid) : null;
    parent.replaceChildren();
    if (target.dim === 1) {
      this.d1 = new DensityPlot(parent, {
        title, range: target.range, height: 280,
        series: [{ label: 'real (KDE)', color: COLORS.real, dash: [2, 4], width: 3 }, { label: `${modelLabel} (KDE)`, color, width: 2.5 }],
      });
      this.d1.rugColor = color;
    } else {
      this.d2 = new PointPlot(parent, title, target.range, [{ label: 'data', color: COLORS.real }, { label: modelLabel, color }], 320);
    }
  }

  /** The y values last drawn (for the page tests). */
  get lastData(): number[][] {
    return this.d1?.lastData ?? [];
  }

  show(samples: Float64Array, title?: string): void {
    if (this.d1) {
      this.d1.rug = samples.subarray(0, 400);
      if (title) this.d1.setTitle(title);
      this.d1.setData(this.grid, [this.realKde ?? new Float64Array(this.grid.length), kde(samples, this.grid)]);
    } else if (this.d2) {
      this.d2.layers = [
        { points: this.real.subarray(0, 1200), color: COLORS.real, alpha: 0.3, radius: 2 },
        { points: samples, color: (this.d2.plot.series[2].stroke as unknown as string) ?? COLORS.generated, alpha: 0.6, radius: 2 },
      ];
      this.d2.redraw();
    }
  }
}

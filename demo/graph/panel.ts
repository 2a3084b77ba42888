// "The computation graph of one training step": runs one step of the model on screen while
// capturing the graph of each backward pass it makes (engine/graph.ts captureStep), and draws
// it: ops with their output shapes, the tensors as edges, a value summary and the gradient norm
// that flowed back on every box. A GAN step has several passes (k D updates, then a G update):
// one button each. Click a box for its code, rule, kernels and dispatches.

import { captureStep, type CapturedGraph, type DispatchRecord, type GraphNode, type Tensor } from '../../engine/index';
import type { HoodSource } from '../app';
import { fusedInto } from './fused';
import { el } from '../controls';
import { showNodeDetail, type DetailContext } from './detail';
import { describeBoxes, displayNodes, inputLabel, networkOf, readableNames, type InputLabel } from './display';
import { fmt, MIN_SCALE, renderGraph } from './render';
import { attachPanZoom } from './pan-zoom';

/**
 * What a pass trains, from the networks whose parameters got gradients. A pass that gives
 * gradients only to unnamed leaves differentiates with respect to the data: the ∇ₓ D(x) that a
 * gradient penalty (R1, WGAN-GP) measures, taken before the update it belongs to.
 */
function passName(g: CapturedGraph, i: number): string {
  const got = (n: GraphNode) => n.kind === 'parameter' && n.gradNorm !== null && n.gradNorm !== undefined;
  const trained = new Set(g.nodes.filter((n) => got(n) && n.name).map((n) => networkOf(n.name as string).network ?? 'parameters'));
  if (trained.size > 0) return `update of ${[...trained].join(' and ')}`;
  return g.nodes.some((n) => got(n) && !n.name) ? 'gradient w.r.t. the data, for a gradient penalty' : `backward pass ${i + 1}`;
}

/** Backward edge width from a gradient norm: 1 px at 1e-4, growing with each decade. */
export function gradWidth(n: GraphNode): number {
  if (n.gradNorm === null || n.gradNorm === undefined) return 0;
  return Math.min(6, Math.max(1, 1 + 0.6 * (Math.log10(n.gradNorm + 1e-12) + 4)));
}

export class GraphPanel {
  private source: HoodSource | null = null;
  private graphs: CapturedGraph[] = [];
  private pass = 0;
  private selected: number | null = null;
  private expanded = new Set<number>();
  /** The zoom: 'fit' (to the width, never below 11 px text) or a scale (1: full size). */
  private zoom: number | 'fit' = 'fit';
  /** The scale the graph was last drawn at. */
  private shownScale = 1;
  private readonly zoomReadout: HTMLOutputElement;

  private capturing = false;
  private captures = 0;
  /** The slow-motion step's current box (marked 'current'), null otherwise. */
  private current: number | null = null;
  private readonly info: HTMLElement;
  private readonly passes: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly expandAll: HTMLButtonElement;

  constructor(private readonly root: HTMLElement) {
    const body = el('div', { class: 'graph-body' });
    this.info = el('p', { class: 'intro' });
    const capture = el('button', { class: 'btn small', 'data-action': 'capture-graph' }, 'Run one step and draw its graph');
    capture.addEventListener('click', () => void this.capture());
    this.expandAll = el('button', { class: 'btn small', 'data-action': 'expand-all' }, 'Show all parameters') as HTMLButtonElement;
    this.expandAll.addEventListener('click', () => this.toggleAll());
    // Zoom: fit to the width (never below an 11 px font: a larger graph is panned instead),
    // zoom out and in, full size. Drag, the wheel (Ctrl + wheel or a pinch zooms) and touch pan.
    const zoom = el('span', { class: 'graph-zoom', role: 'group', 'aria-label': 'zoom the graph' });
    const zoomButton = (action: string, text: string, label: string, fn: () => void): HTMLElement => {
      const b = el('button', { class: 'btn small', 'data-action': action, 'aria-label': label, title: label }, text);
      b.addEventListener('click', fn);
      return b;
    };
    this.zoomReadout = el('output', { 'data-zoom': '', 'aria-live': 'polite' }) as HTMLOutputElement;
    zoom.append(
      zoomButton('fit', 'Fit', 'fit to width (text stays at least 11 px; pan for the rest)', () => this.setZoom('fit')),
      zoomButton('zoom-out', '−', 'zoom out', () => this.setZoom(this.shownScale / 1.25)),
      zoomButton('zoom-in', '+', 'zoom in', () => this.setZoom(this.shownScale * 1.25)),
      zoomButton('zoom-full', '100%', 'full size', () => this.setZoom(1)),
      this.zoomReadout,
    );
    // Follow training: while the panel is open and the model trains, capture a step every few seconds.
    const follow = el('label', { class: 'follow' });
    const followBox = el('input', { type: 'checkbox', 'data-action': 'follow' }) as HTMLInputElement;
    followBox.addEventListener('change', () => this.follow(followBox.checked));
    follow.append(followBox, ' follow training (a captured step every 2 s)');
    const buttons = el('div', { class: 'button-row' });
    buttons.append(capture, this.expandAll, zoom, follow);
    this.passes = el('div', { class: 'button-row graph-passes' });
    const legend = el('p', { class: 'caption graph-legend' });
    legend.innerHTML = '<span class="lg-fwd">blue: forward</span> (tensors flowing left to right; each box: op, output shape, mean μ and spread σ of its values) · '
      + '<span class="lg-bwd">orange: backward</span> (∂L/∂tensor flowing right to left, thicker for a larger norm; ‖∇‖ on each box) · '
      + 'tinted areas: the networks. Each box: its name (a layer, an op, or what an input holds), the op and activation, values, gradient. '
      + 'Inputs: <span class="lg-real">green: real data</span>, <span class="lg-fake">red: fake or detached</span> (made without gradient), <span class="lg-noise">violet: noise</span>. '
      + 'Parameters are folded into the layer that reads them: + on a box shows them.';
    this.canvas = el('div', { class: 'graph-canvas', tabindex: '0', role: 'region', 'aria-label': 'computation graph: drag or use the arrow keys to pan, Ctrl + wheel or pinch to zoom' });
    attachPanZoom(this.canvas, { zoomBy: (factor) => this.setZoom(this.shownScale * factor) });
    this.detail = el('div', { class: 'graph-detail' });
    this.detail.append(el('p', { class: 'caption' }, 'Click a box: its forward code, its derivative rule, its CPU kernel and WGSL, and the dispatches it became.'));
    body.append(this.info, buttons, this.passes, legend, this.canvas, this.detail);
    root.append(body);
    root.addEventListener('toggle', () => { if ((root as HTMLDetailsElement).open && this.graphs.length === 0) void this.capture(); });
  }

  private timer: number | null = null;
  /** True while the slow-motion step plays: "follow training" keeps the step on screen. */
  holding = false;

  private follow(on: boolean): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = on ? window.setInterval(() => {
      if ((this.root as HTMLDetailsElement).open && !this.capturing && !this.holding) void this.capture();
    }, 2000) : null;
  }

  /** Zoom to a scale (clamped to 11 px text and 2.5×), or fit to the width. */
  private setZoom(z: number | 'fit'): void {
    this.zoom = z === 'fit' ? 'fit' : Math.min(2.5, Math.max(MIN_SCALE, z));
    this.draw();
  }

  setSource(source: HoodSource | null): void {
    if (source === this.source) return;
    this.source = source;
    this.graphs = [];
    this.passes.replaceChildren();
    this.canvas.replaceChildren();
    this.info.textContent = source ? `Model: ${source.model.kind.toUpperCase()}. The step captured is ${source.stepName}.` : 'This tab has no model to draw.';
    if ((this.root as HTMLDetailsElement).open) void this.capture();
  }

  /** Run one training step of the live model, capturing the graph of each backward pass. */
  async capture(): Promise<void> {
    const source = this.source;
    if (!source) return;
    const names = new Map<Tensor, string>(source.parameters().map(([n, t]) => [t, n]));
    this.capturing = true;
    let graphs: CapturedGraph[];
    try {
      graphs = await source.run(() => captureStep(() => source.step(), names));
    } catch (e) {
      this.info.textContent = `Capturing the step failed: ${e instanceof Error ? e.message : String(e)}`;
      return;
    } finally {
      this.capturing = false;
    }
    if (source !== this.source) return;
    this.show(graphs);
  }

  /** Draw the graphs of a step just captured (here, or by the slow-motion step). */
  show(graphs: CapturedGraph[]): void {
    this.current = null;
    // A new capture of the same step keeps the pass, the selection and the unfolded layers
    // (matched by position: tensor ids are new each step).
    const same = this.graphs.length === graphs.length && this.graphs.every((g, i) => g.nodes.length === graphs[i].nodes.length);
    const remap = (id: number): number | null => {
      const old = this.graphs[this.pass]?.nodes.findIndex((n) => n.id === id) ?? -1;
      return same && old >= 0 ? graphs[this.pass].nodes[old].id : null;
    };
    if (same) {
      this.selected = this.selected === null ? null : remap(this.selected);
      this.expanded = new Set([...this.expanded].map(remap).filter((id): id is number => id !== null));
    } else {
      this.pass = graphs.length - 1;
      this.selected = null;
      this.expanded.clear();
    }
    this.graphs = graphs;
    this.captures++;
    this.root.dataset.captures = String(this.captures);
    this.root.dataset.passes = String(graphs.length);
    this.passes.replaceChildren(...graphs.map((g, i) => {
      const b = el('button', { class: 'btn small', 'data-pass': String(i) }, `${i + 1}. ${passName(g, i)} (${g.nodes.length} tensors)`);
      b.addEventListener('click', () => { this.pass = i; this.selected = null; this.draw(); });
      return b;
    }));
    this.draw();
    if (this.selected !== null) this.select(this.selected);
  }

  /**
   * The slow-motion step: mark the box whose forward op or backward rule made this dispatch
   * (switching to its pass; a folded parameter's box is the layer that reads it). Returns the
   * box's id, or null when the dispatch belongs to no box (an optimizer update); null clears.
   */
  highlight(dispatch: DispatchRecord | null): number | null {
    let found: { pass: number; id: number } | null = null;
    if (dispatch) {
      this.graphs.forEach((g, pass) => {
        const node = found ? undefined : g.nodes.find((n) => n.forward.includes(dispatch) || n.backward.includes(dispatch));
        if (node) found = { pass, id: node.id };
      });
    }
    const hit = found as { pass: number; id: number } | null;
    if (hit && hit.pass !== this.pass) this.pass = hit.pass;
    this.current = hit?.id ?? null;
    this.draw();
    const box = this.current === null ? null : this.canvas.querySelector(`.gnode.current`);
    this.root.dataset.current = box ? String(box.getAttribute('data-id')) : '';
    box?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    return box ? Number(box.getAttribute('data-id')) : null;
  }

  private toggleAll(): void {
    const g = this.graphs[this.pass];
    if (!g) return;
    if (this.expanded.size > 0) this.expanded.clear();
    else for (const n of g.nodes) if (n.kind === 'op') this.expanded.add(n.id);
    this.expandAll.textContent = this.expanded.size > 0 ? 'Fold parameters into layers' : 'Show all parameters';
    this.draw();
  }

  private draw(): void {
    const g = this.graphs[this.pass];
    if (!g) return;
    this.passes.querySelectorAll('button').forEach((b) => b.classList.toggle('selected', b.dataset.pass === String(this.pass)));
    const { names, labels } = this.naming(g);
    const boxes = describeBoxes(displayNodes(g, this.expanded), names, labels);
    // The current node's box: its own, or the box it is folded into.
    const currentBox = this.current === null ? null
      : boxes.find((b) => b.id === this.current || b.folded.some((p) => p.id === this.current))?.id ?? null;
    const drawn = renderGraph(this.canvas, boxes, {
      selected: this.selected,
      current: currentBox === null ? undefined : new Set([currentBox]),
      onSelect: (id) => this.select(id),
      onToggle: (id) => {
        if (this.expanded.has(id)) this.expanded.delete(id);
        else this.expanded.add(id);
        this.draw();
      },
      gradText: (n) => {
        if (n.gradNorm === undefined) return null;
        if (n.gradNorm === null) return 'no gradient';
        const into = fusedInto(n, g);
        return `‖∇‖ ${fmt(n.gradNorm)}${into ? ` ↪ ${names.get(into.id)}` : ''}`;
      },
      gradWidth,
      ...(this.zoom === 'fit' ? { fit: true } : { scale: this.zoom }),
    });
    this.shownScale = drawn.scale;
    this.canvas.dataset.boxes = String(boxes.length);
    this.canvas.dataset.scale = drawn.scale.toFixed(3);
    this.canvas.dataset.fullWidth = String(drawn.width);
    this.zoomReadout.value = `${Math.round(drawn.scale * 100)}%`;
  }

  /** Readable names and the inputs' roles of a graph (names from ops, layers and parameters, never tensor ids). */
  private naming(g: CapturedGraph): DetailContext {
    // The live parameters' buffers name the network a detached input was computed by.
    const buffers = new Map<unknown, string>((this.source?.parameters() ?? []).filter(([, t]) => !t.isDisposed).map(([n, t]) => [t.storage('graph view'), n]));
    const labels = new Map<number, InputLabel>();
    for (const n of g.nodes) {
      const label = inputLabel(n, g, (buffer) => buffers.get(buffer) ?? null);
      if (label) labels.set(n.id, label);
    }
    return { names: readableNames(g, labels), labels, graph: g };
  }

  private select(id: number): void {
    const g = this.graphs[this.pass];
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    const node = byId.get(id);
    if (!node) return;
    this.selected = id;
    this.draw();
    showNodeDetail(this.detail, node, byId, this.naming(g));
  }
}

// "Under the hood": what one training step of the model on screen asks of the engine.
//   - the ordered list of kernel dispatches of one step (recordDispatches around trainStep),
//     split into forward, backward and optimizer phases, with kernel, shapes and workgroups;
//   - click a row: the WGSL it ran and its CPU twin, coloured;
//   - dispatches and submits per step (backendStats before and after);
//   - per-layer gradient norms ‖∂L/∂θ‖₂ over time;
//   - "check gradients": the engine's gradcheck on a slice of the live parameters;
//   - "compile one step": the plan compile() records for the model's step, the list a compiled
//     step replays (engine/compile.ts).

import { backendStats, describeMatmulTuning, flush, formatShape, matmulTuning, onDispatch, recordDispatches, type DispatchRecord, type KernelCall, type PlanEntry } from '../engine/index';
// The reverse-pass observer captureStep uses (engine/graph.ts): it tells which dispatches a
// backward() made, so the additions of gradients are filed under backward, not forward.
import { observeReversePasses } from '../engine/autograd';
import type { GradcheckRow, HoodSource } from './app';
import { el } from './controls';
import { BoundedSeries } from './history';
import { filePhases, PHASE_NAMES, type Phase } from './hood-phases';
import { LinePlot } from './plots';
import { cpuTwin, highlight, wgslBlocks, wgslFor } from './source-view';

/** Run fn and return the dispatches it made, and those made while a reverse pass ran. */
function recordWithReversePasses(fn: () => void): { dispatches: DispatchRecord[]; reverse: Set<DispatchRecord> } {
  const reverse = new Set<DispatchRecord>();
  let reversing = false;
  const stop = onDispatch((r) => { if (reversing) reverse.add(r); });
  // Pass boundaries only: an observer that reads no gradient leaves every fusion on, so this is the step as it runs.
  observeReversePasses({ begin() { reversing = true; }, end() { reversing = false; } });
  try {
    return { dispatches: recordDispatches(fn).dispatches, reverse };
  } finally {
    observeReversePasses(null);
    stop();
  }
}

const NORM_COLORS = ['#2563eb', '#059669', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#9333ea', '#0d9488'];

export class HoodPanel {
  private source: HoodSource | null = null;
  private readonly info: HTMLElement;
  private readonly stats: HTMLElement;
  private readonly table: HTMLElement;
  private readonly sourceView: HTMLElement;
  private readonly normsBox: HTMLElement;
  private readonly checkBox: HTMLElement;
  private readonly unitsBox: HTMLElement;
  private readonly unitsList: HTMLElement;
  private readonly planBox: HTMLElement;
  private norms: LinePlot | null = null;
  private normNames: string[] = [];
  /** The norms against the step, bounded (older samples decimated to each bucket's min and max). */
  private normHistory = new BoundedSeries([]);
  private timer: number | null = null;
  private dispatches: DispatchRecord[] = [];
  /** The dispatch count of the last step recorded as it runs (recordStep), and whose step it was. */
  private plainStep: { source: HoodSource; count: number } | null = null;
  /** The dispatches made while a reverse pass ran (null: not recorded, filed by their names). */
  private reverse: ReadonlySet<DispatchRecord> | null = null;
  /** Set by the page: play one step in slow motion (demo/slow-motion.ts). */
  onSlowMotion: (() => void) | null = null;

  constructor(private readonly root: HTMLElement) {
    const body = el('div', { class: 'hood-body' });
    this.info = el('p', { class: 'intro' });
    const record = el('button', { class: 'btn small', 'data-action': 'record-step' }, 'Record one training step');
    record.addEventListener('click', () => void this.recordStep());
    const check = el('button', { class: 'btn small', 'data-action': 'gradcheck' }, 'Check gradients');
    check.addEventListener('click', () => void this.runGradcheck());
    const compileButton = el('button', { class: 'btn small', 'data-action': 'compile-step' }, 'Compile one step');
    compileButton.addEventListener('click', () => void this.compileStep());
    const slow = el('button', { class: 'btn small', 'data-action': 'slow-motion', title: 'Run one step, then walk through its dispatches one by one, marking each row here and its box in the computation graph' }, 'Slow-motion step');
    slow.addEventListener('click', () => this.onSlowMotion?.());
    const buttons = el('div', { class: 'button-row' });
    buttons.append(record, slow, check, compileButton);
    this.stats = el('div', { class: 'hood-stats' });

    const grid = el('div', { class: 'hood-grid' });
    const left = el('div');
    left.append(el('h3', {}, 'Kernel dispatches of one step, in order (click one)'));
    this.table = el('div', { class: 'op-list', tabindex: '0', role: 'region', 'aria-label': 'kernel dispatches of one step' });
    left.append(this.table);
    this.planBox = el('div', { class: 'plan' });
    left.append(this.planBox);
    this.sourceView = el('div', { class: 'source-view' });
    this.sourceView.append(el('p', { class: 'caption' }, 'Click a row to read the WGSL compute shader it runs and its CPU twin.'));
    const right = el('div');
    this.normsBox = el('div', { class: 'card' });
    this.checkBox = el('div', { class: 'card gradcheck' });
    this.checkBox.append(el('h3', {}, 'Gradient check'), el('p', { class: 'caption' },
      'Compares backward()\'s gradient of the loss with a central difference (f(θ + h) − f(θ − h)) / 2h for a few live parameters, in float64 on the CPU.'));
    this.unitsBox = el('div', { class: 'card dead-units', 'data-dead-units': '' });
    this.unitsList = el('div');
    this.unitsBox.append(el('h3', {}, 'Dead ReLU units per layer, live'), el('p', { class: 'caption' },
      'A ReLU unit is dead when its input x·w + b is ≤ 0 for every input (the data and G\'s samples): it outputs 0 and passes back no gradient, since ReLU′ = 0 there, so no update can revive it. A layer with every unit dead makes D one constant.'), this.unitsList);
    right.append(this.unitsBox, this.normsBox, this.checkBox);
    grid.append(left, right);
    body.append(this.info, buttons, this.stats, grid, this.sourceView);
    root.append(body);
    root.addEventListener('toggle', () => this.openChanged());
  }

  setSource(source: HoodSource | null): void {
    if (source === this.source) return;
    this.source = source;
    this.normHistory = new BoundedSeries([]);
    this.normNames = [];
    this.norms = null;
    this.normsBox.replaceChildren();
    this.planBox.replaceChildren();
    this.info.textContent = source
      ? `Model: ${source.model.kind.toUpperCase()} on ${source.model.target.name}, ${source.model.parameterCount()} parameters. The step recorded is ${source.stepName}.`
      : 'This tab has no model to look into.';
    if ((this.root as HTMLDetailsElement).open) void this.recordStep();
  }

  private openChanged(): void {
    const open = (this.root as HTMLDetailsElement).open;
    if (open && this.timer === null) {
      void this.recordStep();
      this.timer = window.setInterval(() => void this.sampleNorms(), 700);
    } else if (!open && this.timer !== null) {
      window.clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Run one training step of the live model while recording its dispatches. */
  async recordStep(): Promise<void> {
    const source = this.source;
    if (!source) return;
    await source.run(async () => {
      await flush();
      const before = backendStats();
      const { dispatches, reverse } = recordWithReversePasses(() => source.step());
      await flush();
      const after = backendStats();
      this.dispatches = dispatches;
      this.reverse = reverse;
      this.plainStep = { source, count: dispatches.length };
      this.stats.textContent = `One step: ${dispatches.length} kernel dispatches, ${after.submits - before.submits} queue submit(s)` +
        (after.bindGroupCreations !== undefined ? `; new bind groups: ${(after.bindGroupCreations ?? 0) - (before.bindGroupCreations ?? 0)}, new pipelines: ${(after.pipelineCreations ?? 0) - (before.pipelineCreations ?? 0)}` : '') +
        `; live buffers: ${after.liveBuffers}.`;
      // On WebGPU, which rung of the matmul ladder 'auto' runs (timed on this adapter at start-up),
      // and how a rung that beat the rule's was timed again.
      const tuning = matmulTuning();
      if (tuning) this.stats.append(el('br'), describeMatmulTuning(tuning, { confirmation: true }));
    });
    this.renderTable();
    await this.sampleNorms();
  }

  /** How many dispatches a step of `source` made when last recorded as it runs, or null. */
  plainStepDispatches(source: HoodSource): number | null {
    return this.plainStep?.source === source ? this.plainStep.count : null;
  }

  /** The model on screen (the slow-motion step runs its step). */
  get current(): HoodSource | null {
    return this.source;
  }

  /** Show a step's dispatches recorded elsewhere (the slow-motion step), with those its reverse passes made. */
  showDispatches(dispatches: DispatchRecord[], stats: string, reverse: ReadonlySet<DispatchRecord> | null = null): void {
    this.dispatches = dispatches;
    this.reverse = reverse;
    this.stats.textContent = stats;
    this.renderTable();
  }

  /** Mark the row of dispatch `index` as the one running (null: none), and scroll it into view. */
  highlightRow(index: number | null): void {
    this.table.querySelectorAll('tr.current').forEach((t) => t.classList.remove('current'));
    this.root.dataset.current = index === null ? '' : String(index);
    if (index === null) return;
    const row = this.table.querySelector<HTMLElement>(`tr.op[data-index="${index}"]`);
    row?.classList.add('current');
    if (row) this.table.scrollTop = Math.max(0, row.offsetTop - this.table.clientHeight / 2);
  }

  private renderTable(): void {
    const table = el('table');
    const head = el('tr');
    for (const h of ['#', 'op', 'kernel', 'shapes', 'workgroups', 'derivative rule']) head.append(el('th', {}, h));
    table.append(head);
    let phase: Phase | null = null;
    // Which update a phase belongs to: one per optimizer step. (Counting forward phases would
    // number a penalty's ∇ₓ pass, R1's or WGAN-GP's, which splits a forward in two, as an update.)
    let updatesDone = 0;
    const reverse = this.reverse;
    const phases = filePhases(this.dispatches, reverse ? (r) => reverse.has(r) : undefined);
    this.dispatches.forEach((r, i) => {
      const p = phases[i];
      if (p !== phase) {
        phase = p;
        const update = p === 'sums' ? Math.max(updatesDone, 1) : updatesDone + 1; // the sums follow the update they add up
        if (p === 'optimizer') updatesDone++;
        const row = el('tr', { class: `phase phase-${p}`, 'data-phase': p });
        row.append(el('td', { colspan: '6' }, `${PHASE_NAMES[p]}${update > 1 || p !== 'forward' ? ` (update ${update})` : ''}`));
        table.append(row);
      }
      // Focusable: Tab reaches each kernel row, Enter or Space opens its source.
      const row = el('tr', { class: `op op-${p}`, 'data-index': String(i), 'data-phase': p, tabindex: '0' });
      const wg = r.workgroups ? r.workgroups.map((w) => w.join('×')).join(', ') : '—';
      row.append(
        el('td', {}, String(i + 1)), el('td', {}, r.op), el('td', {}, r.label ?? r.kernel),
        // A shape never breaks inside (non-breaking spaces); the list wraps between shapes.
        el('td', { class: 'shapes' }, r.shapes.map((s) => formatShape(s).replace(/ /g, '\u00a0')).join(' ')), el('td', {}, wg),
        // Which op's derivative this backward dispatch computes, e.g. 'sigmoid: dx = dy·y·(1 − y)'.
        el('td', { class: 'rule' }, r.rule ?? ''),
      );
      row.addEventListener('click', () => {
        table.querySelectorAll('tr.selected').forEach((t) => t.classList.remove('selected'));
        row.classList.add('selected');
        this.showSource(r);
      });
      row.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); row.click(); }
      });
      table.append(row);
    });
    this.table.replaceChildren(table);
  }

  /**
   * Take one step through compile() and list its plan: what every later call of a compiled step
   * replays, and nothing else. The step is recorded while dispatches are watched, so each model
   * takes its plain engine step (no fused CPU loops) and each kernel call is named by its op.
   */
  async compileStep(): Promise<void> {
    const source = this.source;
    if (!source) return;
    const box = this.planBox;
    box.replaceChildren(el('h3', {}, 'Compiled plan: what a replay runs'), el('p', { class: 'caption' }, 'compiling…'));
    try {
      const { plan, ops } = await source.run(async () => {
        await flush();
        const { result, dispatches } = recordDispatches(() => source.model.compiledStepPlan());
        await flush();
        return { plan: result, ops: new Map<KernelCall, DispatchRecord>(dispatches.map((d) => [d.call, d])) };
      });
      if (source !== this.source) return;
      const runs = plan.filter((e) => e.kind === 'run');
      const refreshed = runs.filter((e) => e.kind === 'run' && e.refreshed).length;
      const submits = plan.filter((e) => e.kind === 'submit').length;
      box.replaceChildren(
        el('h3', {}, 'Compiled plan: what a replay runs'),
        el('p', { class: 'caption plan-summary' },
          `compile(step) ran the step once and recorded ${runs.length} kernel calls` +
          `${submits ? ` and ${submits} queue submit` : ''}. Every later call of the compiled step replays this list and nothing else: ` +
          'no graph to build, no shapes to check, no kernels to plan, no buffers to pick from the pool. ' +
          `Only the ${refreshed} calls marked ↻ are updated at each replay: a random kernel's counter, Adam's step count t and learning rate.`),
        planTable(plan, ops),
      );
    } catch (e) {
      box.replaceChildren(el('h3', {}, 'Compiled plan'), el('p', { class: 'caption plan-summary' },
        `compile() could not record this step: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private showSource(r: DispatchRecord): void {
    const parts: HTMLElement[] = [];
    if (r.rule) parts.push(el('h4', { class: 'rule' }, `Derivative rule — ${r.rule}`));
    // Two columns: the WGSL on the left, its CPU twin on the right.
    const gpu = el('div', { class: 'source-column' });
    for (const k of wgslFor(r)) {
      gpu.append(el('h4', {}, `WGSL: ${k.label}${k.workgroups ? ` — workgroups ${k.workgroups}` : ''}${r.backend === 'cpu' ? ' (what WebGPU would run)' : ''}`));
      gpu.append(...wgslBlocks(k.wgsl));
    }
    const twin = cpuTwin(r.kernel);
    const cpu = el('div', { class: 'source-column' });
    const pre = el('pre', { class: 'cpu-source', tabindex: '0' });
    pre.innerHTML = highlight(twin.source);
    cpu.append(el('h4', {}, `CPU twin: ${twin.file}`), pre);
    parts.push(gpu, cpu);
    this.sourceView.replaceChildren(...parts);
  }

  /** Read each parameter's gradient and append its L2 norm to the plot. */
  /** The share of dead ReLU units per layer (the GAN's D), as bars: a dead unit gives no gradient. */
  private renderUnits(source: HoodSource): void {
    const units = source.deadUnits?.();
    this.unitsBox.hidden = !units;
    if (!units) return;
    const rows = units.layers.map(({ layer, dead, units: n }) => {
      const share = n > 0 ? dead / n : 0;
      const row = el('div', { class: 'unit-row', 'data-dead-layer': String(layer), 'data-dead-share': share.toFixed(4) });
      const bar = el('span', { class: 'unit-bar' });
      bar.append(el('span', { class: 'unit-fill', style: `width: ${(100 * share).toFixed(1)}%` }));
      row.append(el('span', {}, `${units.network} layer ${layer}`), bar, el('span', {}, `${dead} of ${n} dead (${(100 * share).toFixed(0)}%)`));
      return row;
    });
    this.unitsList.replaceChildren(...(rows.length ? rows : [el('p', { class: 'caption' }, 'No ReLU layer to watch: LeakyReLU units keep a slope s < 0 side, so none can die.')]));
  }

  private async sampleNorms(): Promise<void> {
    const source = this.source;
    if (!source || !(this.root as HTMLDetailsElement).open) return;
    this.renderUnits(source);
    const norms = await source.run(async () => {
      const params = source.parameters().filter(([, p]) => p.grad !== null && !p.grad.isDisposed);
      const values = await Promise.all(params.map(async ([, p]) => {
        const g = await (p.grad as NonNullable<typeof p.grad>).data();
        let s = 0;
        for (let i = 0; i < g.length; i++) s += g[i] * g[i];
        return Math.sqrt(s);
      }));
      return { names: params.map(([n]) => n), values };
    });
    if (norms.names.length === 0 || source !== this.source) return;
    if (this.norms === null || norms.names.join() !== this.normNames.join()) {
      this.normNames = norms.names;
      this.normHistory = new BoundedSeries(norms.names);
      this.normsBox.replaceChildren();
      this.norms = new LinePlot(this.normsBox, {
        title: 'Gradient norm per parameter tensor (log scale)', xLabel: 'step', yLabel: '‖grad‖₂', logY: true, height: 230,
        series: norms.names.map((n, i) => ({ label: n, color: NORM_COLORS[i % NORM_COLORS.length], width: 1.5, points: true })),
      });
    }
    const steps = source.model.steps;
    if (this.normHistory.lastX === steps) return;
    this.normHistory.push(steps, norms.values.map((v) => Math.max(v, 1e-12)));
    const { x, ys } = this.normHistory.data();
    this.norms.setData(x, ys);
  }

  private async runGradcheck(): Promise<void> {
    const source = this.source;
    const box = this.checkBox;
    box.querySelector('.result')?.remove();
    const result = el('div', { class: 'result' });
    box.append(result);
    if (!source?.gradcheck) {
      result.textContent = 'This model does not offer a live gradient check yet.';
      return;
    }
    result.textContent = 'checking…';
    try {
      const { rows, what } = await source.run(() => (source.gradcheck as NonNullable<HoodSource['gradcheck']>)());
      result.replaceChildren(el('p', { class: 'caption' }, what), gradcheckTable(rows));
    } catch (e) {
      result.textContent = `gradcheck failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
}

/** The plan's entries, one row each; a kernel call is named by the op whose dispatch it was. */
function planTable(plan: readonly PlanEntry[], ops: Map<KernelCall, DispatchRecord>): HTMLElement {
  const table = el('table');
  const head = el('tr');
  for (const h of ['#', 'op', 'kernel', 'shapes', 'at each replay']) head.append(el('th', {}, h));
  table.append(head);
  plan.forEach((e, i) => {
    const row = el('tr', { class: 'plan-row' });
    if (e.kind === 'run') {
      const d = ops.get(e.call);
      row.append(el('td', {}, String(i + 1)), el('td', {}, d?.op ?? ''), el('td', {}, d?.label ?? e.call.kernel),
        el('td', {}, d ? d.shapes.map((sh) => formatShape(sh)).join(' ') : ''), el('td', {}, e.refreshed ? '↻ recomputed' : 'as recorded'));
    } else {
      const what = e.kind === 'effect' ? 'bookkeeping in JavaScript: a random draw reserves its generator\'s counter, or an optimizer counts t += 1'
        : e.kind === 'submit' ? 'queue submit: the step\'s commands go to the GPU'
          : `write ${e.size} numbers into a buffer`;
      row.append(el('td', {}, String(i + 1)), el('td', { colspan: '4' }, what));
    }
    table.append(row);
  });
  const list = el('div', { class: 'plan-list' });
  list.append(table);
  return list;
}

function gradcheckTable(rows: GradcheckRow[]): HTMLElement {
  const table = el('table');
  const head = el('tr');
  for (const h of ['parameter', 'entry', 'value', 'analytic', 'numeric', 'rel. error', '']) head.append(el('th', {}, h));
  table.append(head);
  for (const r of rows) {
    const tr = el('tr');
    const ok = r.relError < 1e-5;
    tr.append(
      el('td', {}, r.parameter), el('td', {}, String(r.index)), el('td', {}, r.value.toFixed(4)),
      el('td', {}, r.analytic.toExponential(4)), el('td', {}, r.numeric.toExponential(4)),
      el('td', {}, r.relError.toExponential(1)), el('td', { class: ok ? 'ok' : 'bad' }, ok ? '✓' : '✗'),
    );
    table.append(tr);
  }
  return table;
}

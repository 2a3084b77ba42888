// "Under the hood" in a real browser: one recorded GAN step lists its dispatches (with
// workgroups on WebGPU), a click shows the WGSL and the CPU twin, and the live gradient check
// agrees with finite differences; the VAE, RBM and diffusion tabs' gradient checks pass too.
// "Compile one step" lists the plan compile() records for each model, on both backends.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, openSession, type Session } from './browser';

let session: Session;
beforeAll(async () => { session = await openSession(); }, 120_000);
afterAll(async () => { await session?.close(); });

/** Click "Check gradients" and return the rows' pass marks and relative errors. */
async function runGradcheck(page: Page): Promise<{ marks: string[]; relErrors: number[] }> {
  await page.click('#hood [data-action="gradcheck"]');
  const result = page.locator('#hood .gradcheck .result table');
  await expect.poll(() => result.count(), { timeout: 60_000 }).toBe(1);
  const marks = await page.locator('#hood .gradcheck td.ok, #hood .gradcheck td.bad').allTextContents();
  const relErrors = (await page.locator('#hood .gradcheck .result tr td:nth-child(6)').allTextContents()).map(Number);
  // Readable in its card: each parameter's name on at most two lines (the table scrolls sideways instead).
  const names = page.locator('#hood .gradcheck .result tr td:first-child');
  const lineHeight = await names.first().evaluate((td) => parseFloat(getComputedStyle(td).lineHeight) || 16);
  for (const height of await names.evaluateAll((tds) => tds.map((td) => td.getBoundingClientRect().height))) expect(height).toBeLessThan(3 * lineHeight);
  return { marks, relErrors };
}

/** Click "Compile one step" and check the plan it lists: kernel calls named by their ops, some refreshed at each replay. */
async function checkCompiledPlan(page: Page, backend: 'cpu' | 'webgpu'): Promise<number> {
  await page.click('#hood [data-action="compile-step"]');
  const summary = page.locator('#hood .plan-summary');
  await expect.poll(async () => (await summary.count()) > 0 && /kernel calls|could not/.test((await summary.textContent()) ?? ''), { timeout: 60_000 }).toBe(true);
  const text = (await summary.textContent()) ?? '';
  const match = /recorded (\d+) kernel calls/.exec(text);
  expect(match, text).not.toBeNull();
  const calls = Number((match as RegExpExecArray)[1]);
  const refreshed = Number((/Only the (\d+) calls marked/.exec(text) as RegExpExecArray)[1]);
  expect(calls).toBeGreaterThan(10);
  expect(refreshed).toBeGreaterThanOrEqual(2); // at least a random draw and the optimizer
  const cells = await page.locator('#hood .plan-list tr.plan-row td').allTextContents();
  expect(cells.filter((c) => c === '↻ recomputed').length).toBe(refreshed);
  expect(cells.join(' ')).toMatch(/adam/);
  expect(cells.join(' ')).toMatch(/t \+= 1/);
  if (backend === 'webgpu') expect(cells.join(' ')).toMatch(/queue submit/);
  return calls;
}

describe('under the hood', () => {
  for (const backend of ['webgpu', 'cpu'] as const) {
    it(`shows the kernels of one GAN step on ${backend}, their sources, and a passing gradient check`, async () => {
      const { page, errors } = await openPage(session, `?backend=${backend}`);
      await page.click('#hood > summary');
      const rows = page.locator('#hood tr.op');
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThan(20);
      const text = (await page.locator('#hood .op-list').textContent()) ?? '';
      expect(text).toMatch(/forward pass/);
      expect(text).toMatch(/backward pass/);
      expect(text).toMatch(/adam/);
      // The epoch's running sums under their own heading, none of them among the loss's rows.
      expect(await page.locator('#hood tr.phase[data-phase="sums"]').first().textContent()).toMatch(/running sums, not part of the loss/);
      expect(await page.locator('#hood tr.op[data-phase="sums"]').count()).toBeGreaterThan(0);
      if (backend === 'webgpu') expect(await rows.first().locator('td').nth(4).textContent()).toMatch(/\d+×\d+×\d+/);
      // On WebGPU, the matmul rungs the start-up tuning picked, and how a rung that beat the
      // rule's was timed again (kernels/webgpu/matmul-tune.ts); on the CPU, no such line.
      const stats = (await page.locator('#hood .hood-stats').textContent()) ?? '';
      const rung = '(naive|tiled|register|small|block|broadcast)';
      const rounds = `; (wide|thin): ${rung}(, ${rung})* and ${rung} timed again in \\d+ alternating rounds?: ${rung}( kept, none \\d+% faster)?`;
      if (backend === 'webgpu') expect(stats).toMatch(new RegExp(`matmul: ${rung} for wide products, ${rung} for thin ones \\(timed on .+ at start-up[^)]*\\)(${rounds})*$`));
      else expect(stats).not.toMatch(/matmul:/);
      // The step as it runs, fusions included: D's last layer stores its dx as the hidden layer's
      // dz = dx ⊙ leakyRelu'(h) (engine/fusion.ts, 7), which a pass watched for each gradient would not.
      if (backend === 'webgpu') expect(text).toMatch(/linearGrad\S*\.dx-leakyRelu/);
      await rows.first().click();
      expect(await page.locator('#hood pre.wgsl').first().textContent()).toMatch(/@compute/);
      expect(await page.locator('#hood pre.cpu-source').textContent()).toMatch(/export function/);
      // Every backward dispatch names the derivative rule it came from (the op table's text).
      const rules = await page.locator('#hood tr.op td.rule').allTextContents();
      expect(rules.filter((r) => r !== '').length).toBeGreaterThan(5);
      expect(rules.join('\n')).toMatch(/(sigmoid|tanh|relu|leakyRelu|linear): .*dx = /);
      // A fused gradient: the loss's, computed inside the backward of D's last layer.
      const fused = page.locator('#hood tr.op', { hasText: /linearGrad\S*bceLogits/ }).first();
      await fused.click();
      expect(await page.locator('#hood h4.rule').textContent()).toMatch(/Derivative rule — \w+: /);
      expect(await page.locator('#hood pre.cpu-source').textContent()).toMatch(/cpuGrad: .*rule: /s);
      const { marks } = await runGradcheck(page);
      expect(marks.length).toBeGreaterThanOrEqual(6);
      expect(marks.every((m) => m === '✓')).toBe(true);
      const calls = await checkCompiledPlan(page, backend);
      expect(calls).toBeLessThanOrEqual(await rows.count()); // the plan leaves out the epoch's loss sums
      await page.locator('#hood').scrollIntoViewIfNeeded();
      await page.locator('#hood').screenshot({ path: `test-results/hood-${backend}.png` });
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  // The other models: the tab's hood offers the check and every row passes, on the CPU and on
  // WebGPU (where the weights, the batch and the Gibbs sample are read back from the device).
  const MODEL_RUNS = (['vae', 'rbm', 'diffusion'] as const).flatMap((tab) => (['cpu', 'webgpu'] as const).map((backend) => [tab, backend] as const));
  for (const [tab, backend] of MODEL_RUNS) {
    it(`checks the live ${tab}'s gradients on ${backend}`, async () => {
      const { page, errors } = await openPage(session, `?tab=${tab}&backend=${backend}`);
      await page.click('#hood > summary');
      await expect.poll(() => page.locator('#hood tr.op').count(), { timeout: 30_000 }).toBeGreaterThan(10);
      expect(await page.locator('#hood .intro').first().textContent()).toMatch(new RegExp(`Model: ${tab.toUpperCase()}`));
      const { marks, relErrors } = await runGradcheck(page);
      expect(marks.length).toBeGreaterThanOrEqual(6);
      expect(marks.every((m) => m === '✓')).toBe(true);
      for (const e of relErrors) expect(e).toBeLessThan(1e-5);
      console.info(`${tab} on ${backend}: ${marks.length} rows, worst rel. error ${Math.max(...relErrors).toExponential(1)}`);
      await checkCompiledPlan(page, backend);
      await page.locator('#hood').scrollIntoViewIfNeeded();
      await page.locator('#hood').screenshot({ path: `test-results/hood-${tab}${backend === 'cpu' ? '' : `-${backend}`}.png` });
      expect(errors).toEqual([]);
      await page.close();
    }, 120_000);
  }
});

describe('a readable kernel table at 1400 px', () => {
  it('shows the derivative rules whole, files the running sums apart, and folds the shared WGSL helpers', async () => {
    // R1 off: its ∇ₓ D pass (a backward inside D's forward) adds a phase of its own.
    const { page, errors } = await openPage(session, '?backend=cpu&r1Gamma=0');
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.click('#hood > summary');
    const rows = page.locator('#hood tr.op');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThan(20);
    // The rule column lies inside the list, which does not scroll sideways, and no rule is cut.
    const fit = await page.locator('#hood .op-list').evaluate((list) => {
      const th = [...list.querySelectorAll('th')].find((h) => h.textContent === 'derivative rule') as HTMLElement;
      const cells = [...list.querySelectorAll<HTMLElement>('td.rule')].filter((c) => c.textContent !== '');
      return {
        inside: th.getBoundingClientRect().right <= list.getBoundingClientRect().right + 1,
        sideways: list.scrollWidth - list.clientWidth,
        cells: cells.length,
        cut: cells.filter((c) => c.scrollWidth > c.clientWidth + 1).length,
      };
    });
    expect(fit.inside).toBe(true);
    expect(fit.sideways).toBeLessThanOrEqual(1);
    expect(fit.cells).toBeGreaterThan(5);
    expect(fit.cut).toBe(0);
    // The running sums (D's outputs and accuracies, the losses added up) are not filed as the loss's forward pass.
    const ops = async (phase: string): Promise<string[]> => page.locator(`#hood tr.op[data-phase="${phase}"] td:nth-child(2)`).allTextContents();
    expect(await ops('sums')).toEqual(expect.arrayContaining(['add', 'sigmoid', 'accuracy']));
    expect(await ops('forward')).not.toContain('accuracy');
    expect(await ops('forward')).toEqual(expect.arrayContaining(['linear', 'bceWithLogits']));
    expect(await page.locator('#hood tr.phase[data-phase="forward"]').count()).toBe(2); // one per update (D, then G)
    // A fused Linear layer's WGSL: the kernel's own code first, the shared helpers folded under it.
    await page.locator('#hood tr.op[data-phase="forward"]', { hasText: 'linear' }).first().click();
    const own = (await page.locator('#hood .source-view pre.wgsl').first().textContent()) ?? '';
    expect(own).toMatch(/@compute/);
    expect(own).not.toMatch(/fn safe_divisor|fn readA/);
    const fold = page.locator('#hood .source-view details.wgsl-shared').first();
    expect(await fold.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await fold.locator('pre').textContent()).toMatch(/fn safe_divisor[\s\S]*fn loadA/);
    await fold.locator('summary').click();
    expect(await fold.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    await page.locator('#hood').screenshot({ path: 'test-results/hood-1400.png' });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('with the default R1 penalty, files its ∇ₓ D pass under D\'s update and says so', async () => {
    const { page, errors } = await openPage(session, '?backend=cpu');
    await page.click('#hood > summary');
    const phases = page.locator('#hood tr.phase');
    await expect.poll(() => phases.count(), { timeout: 30_000 }).toBeGreaterThan(4);
    const labels = await phases.allTextContents();
    // D's update: forward, R1's backward for ∇ₓ D, the rest of the forward, backward, Adam; then G's.
    expect(labels.slice(0, 5).map((l) => l.replace(/:.*?(\(update \d\))?$/, '$1'))).toEqual(
      ['forward pass', 'backward pass(update 1)', 'forward pass', 'backward pass(update 1)', 'optimizer(update 1)']);
    expect(labels.join(' ')).toMatch(/forward pass: compute the loss \(update 2\)/);
    expect(labels.join(' ')).not.toMatch(/update 3/);
    expect(await page.locator('#hood').textContent()).toMatch(/a backward pass for the R1 penalty's ∇ₓ D on the real rows/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

// The computation graph of one training step and the derivative lesson, in a real browser:
// the graph of a captured step is drawn for each of the four models (value and gradient norm on
// the boxes, D and G grouped for the GAN), a click on a box shows its rule, WGSL and CPU kernel
// and where a fusion took its backward, a Linear layer unfolds into its parameters; the lesson's
// final gradients match gradcheck's central differences and the closed-form derivatives.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, openSession, type Session } from './browser';

let session: Session;
beforeAll(async () => { session = await openSession(); }, 120_000);
afterAll(async () => { await session?.close(); });

/** The smallest text of the drawn graph, in screen pixels (font size times the drawing's scale). */
async function smallestTextPx(page: Page): Promise<number> {
  return page.locator('#graph .graph-svg').evaluate((svg) => {
    const scale = (svg as SVGSVGElement).width.baseVal.value / (svg as SVGSVGElement).viewBox.baseVal.width;
    return Math.min(...[...svg.querySelectorAll('.gnode text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale));
  });
}

/** Open the graph panel and wait for the captured step to be drawn. */
async function openGraph(page: Page): Promise<void> {
  await page.click('#graph > summary');
  await expect.poll(() => page.locator('#graph .gnode').count(), { timeout: 60_000 }).toBeGreaterThan(3);
}

describe('the computation graph of one step', () => {
  const RUNS = [['gan', 'webgpu'], ['gan', 'cpu'], ['vae', 'cpu'], ['rbm', 'cpu'], ['diffusion', 'cpu']] as const;
  for (const [tab, backend] of RUNS) {
    it(`draws the ${tab}'s step on ${backend}, with values, gradient norms and a node's rule and kernels`, async () => {
      // R1 off: its ∇ₓ D pass and penalty boxes are checked on their own below.
      const query = tab === 'gan' ? `?backend=${backend}&gLayers=3&gWidth=64&dLayers=3&dWidth=64&r1Gamma=0` : `?tab=${tab}&backend=${backend}`;
      const { page, errors } = await openPage(session, query);
      await openGraph(page);
      // Every box has a value line; the loss and everything upstream of a parameter got a gradient.
      const values = await page.locator('#graph .gnode .gvalue').allTextContents();
      expect(values.every((v) => /\[[\d, ]*\]/.test(v))).toBe(true);
      const grads = await page.locator('#graph .gnode .ggrad').allTextContents();
      expect(grads.some((g) => /‖∇‖ \d/.test(g))).toBe(true);
      expect(await page.locator('#graph path.gedge.fwd').count()).toBeGreaterThan(2);
      expect(await page.locator('#graph path.gedge.bwd').count()).toBeGreaterThan(2);
      if (tab === 'gan') {
        // The last pass is G's update: G's and D's layers in their own groups, 3 hidden + 1 output each.
        expect(await page.locator('#graph .ggroup').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-group')).sort())).toEqual(['D', 'G']);
        expect(await page.locator('#graph .gnode[data-op="linear"]').count()).toBe(8);
        // Readable: one box per layer, parameters folded in.
        expect(Number(await page.locator('#graph .graph-canvas').getAttribute('data-boxes'))).toBeLessThan(16);
        const passes = await page.locator('#graph [data-pass]').allTextContents();
        expect(passes[passes.length - 1]).toMatch(/update of G/);
        expect(passes[0]).toMatch(/update of D/);
        // D's pass: D runs on real and on fake rows; its parameters are folded into both uses.
        await page.click('#graph [data-pass="0"]');
        expect(await page.locator('#graph .gnode[data-op="linear"]').count()).toBe(8);
        expect(await page.locator('#graph .gnode.parameter').count()).toBe(0);
        expect(Number(await page.locator('#graph .graph-canvas').getAttribute('data-boxes'))).toBeLessThan(20);
        await page.locator('#graph .graph-canvas').screenshot({ path: `test-results/graph-gan-${backend}-d-pass.png` });
        await page.click(`#graph [data-pass="${passes.length - 1}"]`);
      }
      // Click a linear layer (or any op): rule, WGSL and CPU kernel.
      const target = page.locator('#graph .gnode[data-op="linear"]').first();
      await (await target.count() ? target : page.locator('#graph .gnode.op').first()).click();
      const detail = page.locator('#graph .graph-detail');
      expect(await detail.locator('.grule').textContent()).toMatch(/derivative rule: .*d/);
      expect(await detail.locator('pre.forward-code').textContent()).toMatch(/= \w+\(/);
      await expect.poll(() => detail.locator('pre.wgsl').count()).toBeGreaterThan(0);
      expect(await detail.locator('pre.wgsl').first().textContent()).toMatch(/@compute/);
      expect(await detail.locator('pre.cpu-source').textContent()).toMatch(/export function/);
      expect(await detail.textContent()).toMatch(/Backward dispatches.*: [1-9]/);
      if (tab === 'gan') {
        expect(await detail.locator('.grule').textContent()).toMatch(/dW = xᵀ·dz/);
        expect(await detail.locator('pre.op-row').textContent()).toMatch(/wgslGrad/);
        // Unfold the layer: its weight and bias get boxes of their own.
        const before = await page.locator('#graph .gnode').count();
        await page.locator('#graph .gnode[data-op="linear"]').first().locator('[data-action="toggle-layer"]').click();
        await expect.poll(() => page.locator('#graph .gnode').count()).toBe(before + 2);
        expect(await page.locator('#graph .gnode.parameter .gtitle').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/weight/)]));
        // In G's pass only D's output layer feeds the loss: its forward ran inside the loss's reduction, and its box says so.
        // G's 64-wide layers (batch 128: too wide for linearGrad) say their db was summed by their dW's product.
        let fused = 0;
        const biasInProduct: string[] = [];
        for (const box of await page.locator('#graph .gnode[data-op="linear"]').all()) {
          await box.click();
          fused += await detail.locator('.gfused').count();
          if (/the fusion biasGradInProduct/.test((await detail.locator('.gfused-bwd').allTextContents()).join(' '))) {
            biasInProduct.push(await box.locator('.gtitle').textContent() ?? '');
          }
        }
        expect(fused).toBe(1);
        expect(biasInProduct).toEqual(expect.arrayContaining(['G.layers.1', 'G.layers.2']));
      }
      const shot = `test-results/graph-${tab}${backend === 'cpu' && tab !== 'gan' ? '' : `-${backend}`}`;
      await page.locator('#graph').scrollIntoViewIfNeeded();
      await page.locator('#graph').screenshot({ path: `${shot}.png` });
      // The whole graph at once, scaled to the page's width, unless that needs text under 11 px:
      // then the text stays 11 px and the rest is panned to.
      await page.click('#graph [data-action="fit"]');
      const svgWidth = await page.locator('#graph .graph-svg').evaluate((e) => e.getBoundingClientRect().width);
      const canvasWidth = await page.locator('#graph .graph-canvas').evaluate((e) => e.clientWidth);
      expect(await smallestTextPx(page)).toBeGreaterThanOrEqual(11 - 1e-6);
      if (svgWidth > canvasWidth + 1) expect(await smallestTextPx(page)).toBeCloseTo(11, 6);
      await page.locator('#graph .graph-canvas').screenshot({ path: `${shot}-fit.png` });
      expect(errors).toEqual([]);
      await page.close();
    }, 120_000);
  }
});

describe('a graph a reader can read', () => {
  it('names boxes from layers, ops and inputs, labels the real, fake and noise inputs, shows activations, fused backwards and one element\'s dy·f′', async () => {
    // R1 off: with it, the real rows are a leaf that needs a gradient (for ∇ₓ D), checked below.
    const { page, errors } = await openPage(session, '?backend=cpu&r1Gamma=0');
    await openGraph(page);
    const texts = async (): Promise<string> => (await page.locator('#graph .gnode text').allTextContents()).join(' | ');
    // G's update: noise in, G's layers with their activations, D's layers, the loss.
    expect(await page.locator('#graph .gnode[data-role="noise"] .gsub').textContent()).toMatch(/noise z ~ N\(0, 1\)/);
    const subs = await page.locator('#graph .gnode[data-op="linear"] .gsub').allTextContents();
    expect(subs).toContain('linear → leakyRelu');
    expect(subs).toContain('linear, no activation');
    expect(await texts()).not.toMatch(/\bt\d+\b/);
    // The loss's backward went into D's last layer's kernel, and the box says where.
    const loss = page.locator('#graph .gnode[data-op="bceWithLogits"]');
    expect(await loss.locator('.ggrad').textContent()).toMatch(/‖∇‖ [\d.]+ ↪ D\.layers\.1/);
    await loss.click();
    const detail = page.locator('#graph .graph-detail');
    expect(await detail.locator('.gfused-bwd').textContent()).toMatch(/inside D\.layers\.1's linearGrad kernel \(the fusion lossInLayerBackward/);
    expect(await detail.locator('pre.forward-code').textContent()).toMatch(/^loss = bceWithLogits\(D\.layers\.1\)/);
    // One element of G's first layer: dy·f′ with its numbers, beside the norm.
    await page.locator('#graph .gnode[data-op="linear"]').first().click();
    const element = detail.locator('.gelement');
    const [dy, fPrime, product] = await Promise.all(['data-dy', 'data-fprime', 'data-product'].map(async (a) => Number(await element.getAttribute(a))));
    expect(dy).not.toBe(0);
    expect([1, 0.2]).toContain(Number(fPrime.toPrecision(6))); // leakyRelu′: 1, or the slope 0.2
    expect(product).toBeCloseTo(dy * fPrime, 12);
    expect(await element.textContent()).toMatch(/dy = ∂L\/∂y = .*leakyRelu′\(z\) = .*dz = dy·f′ = .* × .* = .*‖∂L\/∂y‖₂ = /);
    expect(await detail.textContent()).not.toMatch(/\bt\d+\b/);
    // D's update: the real minibatch and G's fake rows, detached, each labelled; D's layers told apart by what they read.
    await page.click('#graph [data-pass="0"]');
    expect(await page.locator('#graph .gnode[data-role="real"] .gsub').textContent()).toMatch(/real data/);
    expect(await page.locator('#graph .gnode[data-role="fake"] .gsub').textContent()).toMatch(/fake G\(z\), detached/);
    expect(await page.locator('#graph .gnode .gtitle').allTextContents()).toEqual(expect.arrayContaining(['D.layers.0(real)', 'D.layers.0(fake)']));
    await page.locator('#graph .gnode[data-role="fake"]').click();
    expect(await detail.locator('pre.forward-code').textContent()).toMatch(/detached/);
    expect(await texts()).not.toMatch(/\bt\d+\b/);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('names the default GAN\'s R1 pass: ∇ₓ D on the real rows first, then D\'s update, then G\'s', async () => {
    const { page, errors } = await openPage(session, '?backend=cpu');
    await openGraph(page);
    const passes = await page.locator('#graph [data-pass]').allTextContents();
    expect(passes).toHaveLength(3);
    expect(passes[0]).toMatch(/gradient w\.r\.t\. the data, for a gradient penalty/);
    expect(passes[1]).toMatch(/update of D/);
    expect(passes[2]).toMatch(/update of G/);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('at 390 px keeps 11 px text and offers pan and zoom: drag, Ctrl + wheel, pinch, keys and buttons', async () => {
    // Opened at a phone's width (the plots size themselves to the width they open at).
    const page = await session.browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${session.url}?backend=cpu`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await openGraph(page);
    const canvas = page.locator('#graph .graph-canvas');
    const scale = async (): Promise<number> => Number(await canvas.getAttribute('data-scale'));
    await page.click('#graph [data-action="fit"]');
    expect(await smallestTextPx(page)).toBeCloseTo(11, 6); // the graph is wider than a phone: fitting stops at 11 px
    expect(await canvas.evaluate((c) => c.scrollWidth > c.clientWidth)).toBe(true);
    const fitted = await scale();
    await page.click('#graph [data-action="zoom-out"]');
    expect(await scale()).toBe(fitted); // never below 11 px
    // Drag to pan (a mouse), along the canvas's top margin.
    await canvas.evaluate((c) => { c.scrollLeft = 0; });
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox() as NonNullable<Awaited<ReturnType<typeof canvas.boundingBox>>>;
    await page.mouse.move(box.x + box.width - 20, box.y + 10);
    await page.mouse.down();
    await page.mouse.move(box.x + 40, box.y + 10, { steps: 5 });
    await page.mouse.up();
    expect(await canvas.evaluate((c) => c.scrollLeft)).toBeGreaterThan(100);
    // Zoom: the buttons, the keyboard (+ and − on the focused drawing), Ctrl + wheel, a pinch.
    await page.click('#graph [data-action="zoom-in"]');
    await expect.poll(scale).toBeGreaterThan(fitted);
    const afterButton = await scale();
    await canvas.focus();
    await page.keyboard.press('+');
    await expect.poll(scale).toBeGreaterThan(afterButton);
    await page.keyboard.press('-');
    await expect.poll(scale).toBeCloseTo(afterButton, 6);
    await page.mouse.move(box.x + 100, box.y + 30);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -120);
    await page.keyboard.up('Control');
    await expect.poll(scale).toBeGreaterThan(afterButton);
    const beforePinch = await scale();
    await canvas.evaluate((c) => {
      const at = (id: number, x: number, type: string): void => { c.dispatchEvent(new PointerEvent(type, { pointerId: id, pointerType: 'touch', clientX: x, clientY: 50, bubbles: true })); };
      at(11, 100, 'pointerdown'); at(12, 150, 'pointerdown');
      at(12, 250, 'pointermove');
      at(11, 100, 'pointerup'); at(12, 250, 'pointerup');
    });
    await expect.poll(scale).toBeGreaterThan(beforePinch);
    await page.click('#graph [data-action="zoom-full"]');
    await expect.poll(scale).toBe(1);
    await page.click('#graph [data-action="fit"]');
    await expect.poll(scale).toBe(fitted);
    expect(await page.locator('#graph [data-zoom]').textContent()).toBe(`${Math.round(fitted * 100)}%`);
    // A box's detail (code, tables of dispatches) scrolls inside itself: the page never scrolls sideways.
    await page.locator('#graph .gnode[data-op="linear"]').first().click();
    await expect.poll(() => page.locator('#graph .graph-detail .gdispatches').count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.locator('#graph').screenshot({ path: 'test-results/graph-390.png' });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('following training', () => {
  it('captures the live model again every few seconds while it trains, keeping the selected box', async () => {
    const { page, errors } = await openPage(session, '?backend=cpu');
    await openGraph(page);
    await page.locator('#graph .gnode[data-op="linear"]').first().click();
    const firstValue = await page.locator('#graph .graph-detail .gfwd p').last().textContent();
    await page.click('[data-tabpanel="gan"] [data-action="start"]');
    await page.check('#graph [data-action="follow"]');
    await expect.poll(async () => Number(await page.getAttribute('#graph', 'data-captures')), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    await page.click('[data-tabpanel="gan"] [data-action="start"]');
    await page.uncheck('#graph [data-action="follow"]');
    // The same layer is still selected, with the values of a later step.
    expect(await page.locator('#graph .gnode.selected').getAttribute('data-op')).toBe('linear');
    expect(await page.locator('#graph .graph-detail .gfwd p').last().textContent()).not.toBe(firstValue);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

/** Drawn edges of the lesson's graph that pass through a box they do not connect (sampled every 2 px). */
function edgesThroughBoxes(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll<SVGGElement>('#lesson .gnode')].map((g) => {
      const m = /translate\(([-\d.]+),\s*([-\d.]+)\)/.exec(g.getAttribute('transform') ?? '') as RegExpExecArray;
      const r = g.querySelector('rect') as SVGRectElement;
      return { id: g.dataset.id as string, x: Number(m[1]), y: Number(m[2]), w: r.width.baseVal.value, h: r.height.baseVal.value };
    });
    const found: string[] = [];
    for (const path of document.querySelectorAll<SVGPathElement>('#lesson path.gedge')) {
      const ends = [path.dataset.from, path.dataset.to];
      const length = path.getTotalLength();
      for (let d = 0; d <= length; d += 2) {
        const p = path.getPointAtLength(d);
        const hit = boxes.find((b) => !ends.includes(b.id) && p.x > b.x + 0.5 && p.x < b.x + b.w - 0.5 && p.y > b.y + 0.5 && p.y < b.y + b.h - 0.5);
        if (hit) { found.push(`${ends.join('→')} through ${hit.id}`); break; }
      }
    }
    return found;
  });
}

describe('the derivative lesson', () => {
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));
  const [vx, vt] = [[0.5, -1.2, 2], [1, 0, 1.5]];
  // Closed forms, at the lesson's default inputs.
  const CASES: { index: number; expected: Record<string, number> }[] = [
    { index: 0, expected: (() => { const [x, w, b] = [0.8, -1.3, 0.4]; const s = sig(x * w + b); const d = s * (1 - s); return { x: d * w, w: d * x, b: d }; })() },
    { index: 1, expected: { x: 2 * Math.tanh(0.7) * (1 - Math.tanh(0.7) ** 2) } },
    { index: 2, expected: { x: Math.sin(1.2) + 1.2 * Math.cos(1.2) } },
    // mean((x − t)²): ∂L/∂xᵢ = 2(xᵢ − tᵢ)/3, ∂L/∂tᵢ = −∂L/∂xᵢ.
    { index: 3, expected: Object.fromEntries(vx.flatMap((x, i) => [[`x[${i}]`, (2 * (x - vt[i])) / 3], [`t[${i}]`, (-2 * (x - vt[i])) / 3]])) },
  ];
  for (const { index, expected } of CASES) {
    it(`steps through lesson ${index + 1} and ends at gradcheck's numbers`, async () => {
      const { page, errors } = await openPage(session, '?backend=cpu');
      await page.click('#lesson > summary');
      await page.selectOption('#lesson [data-lesson="function"]', String(index));
      await expect.poll(() => page.locator('#lesson .gnode').count()).toBeGreaterThan(1);
      expect(await edgesThroughBoxes(page)).toEqual([]);
      // Step by step: each step writes the chain-rule product with numbers. At the loss the local
      // derivative is written by the loss's own formula (∂sigmoid(u)/∂u), never as ∂L/∂u again.
      await page.click('#lesson [data-action="lesson-step"]');
      expect(await page.locator('#lesson .lesson-log li').count()).toBe(1);
      const first = (await page.locator('#lesson .lesson-log li p.chain').first().textContent()) ?? '';
      expect(first).toMatch(/^∂L\/∂(\S+) = ∂L\/∂L · ∂\S+\/∂\1 = 1 × /);
      expect(first).not.toMatch(/∂L\/∂L · ∂L\//);
      expect(await page.locator('#lesson .gnode.current').count()).toBe(1);
      await page.click('#lesson [data-action="lesson-all"]');
      const rows = page.locator('#lesson .lesson-result tr[data-input]');
      expect(await rows.count()).toBe(Object.keys(expected).length);
      for (const [name, value] of Object.entries(expected)) {
        const row = page.locator(`#lesson .lesson-result tr[data-input="${name}"]`);
        const analytic = Number(await row.getAttribute('data-analytic'));
        const numeric = Number(await row.getAttribute('data-numeric'));
        expect(Math.abs(analytic - value)).toBeLessThan(1e-12);
        expect(Math.abs(analytic - numeric) / Math.max(Math.abs(value), 1e-3)).toBeLessThan(1e-7);
      }
      expect(await page.locator('#lesson [data-gradcheck]').getAttribute('data-gradcheck')).toBe('pass');
      expect(await edgesThroughBoxes(page)).toEqual([]);
      if (index === 1) {
        // pow shows its exponent.
        expect(await page.locator('#lesson .gnode .gtitle').allTextContents()).toContain('L = t²');
      }
      if (index === 2) {
        // x is used twice: a second contribution is added to the first, along an edge in view.
        expect(await page.locator('#lesson .lesson-log').textContent()).toMatch(/added to the/);
        expect(await page.locator('#lesson .lesson-log').textContent()).toMatch(/∂L\/∂x = ∂L\/∂s · ∂s\/∂x = 1\.2 × cos\(x\) = 1\.2 × 0\.36235775/);
      }
      if (index === 3) {
        // Per-element gradients on the vector's box.
        expect(await page.locator('#lesson .gnode .ggrad').allTextContents()).toContain('∂L/∂x = [−0.33, −0.8, 0.33]');
      }
      await page.locator('#lesson').scrollIntoViewIfNeeded();
      await page.locator('#lesson').screenshot({ path: `test-results/lesson-${index + 1}.png` });
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  }

  it('takes a typed function: shows a mistake with its column, then its graph, backward by keyboard, and the check', async () => {
    const { page, errors } = await openPage(session, '?backend=cpu');
    await page.click('#lesson > summary');
    const source = page.locator('#lesson [data-lesson="source"]');
    await source.fill('x·exp(−x^2) + sn(x)^2');
    await source.press('Enter');
    await expect.poll(() => page.locator('#lesson .lesson-error').textContent()).toMatch(/unknown function 'sn' at column 15; try sin/);
    expect(await page.locator('#lesson .lesson-error').getAttribute('data-column')).toBe('15');
    expect(await page.locator('#lesson .gnode').count()).toBe(0);
    expect(await page.locator('#lesson [data-action="lesson-step"]').isDisabled()).toBe(true);
    // Fixed, with x's value changed: the graph has one box per op and x.
    await source.fill('x·exp(−x^2) + sin(x)^2');
    await source.press('Enter');
    await expect.poll(() => page.locator('#lesson .gnode').count()).toBe(8); // x, x², −x², exp, x·e, sin, s², +
    expect(await page.locator('#lesson .lesson-error').textContent()).toBe('');
    const x = 0.55;
    await page.fill('#lesson [data-input="x"]', String(x));
    await page.press('#lesson [data-input="x"]', 'Enter');
    await page.locator('#lesson [data-input="x"]').blur();
    await expect.poll(() => page.locator('#lesson .gnode[data-op="parameter"] .gvalue').textContent()).toBe(`= ${x}`);
    expect(await edgesThroughBoxes(page)).toEqual([]);
    expect(await page.locator('#lesson .gnode .gtitle').allTextContents()).toEqual(expect.arrayContaining(['p₁ = x²', 's = sin(x)', 'p₂ = s²']));
    expect(await page.locator('#lesson .gnode[data-op="parameter"]').getAttribute('aria-label')).toBe('x = 0.55');
    // A box read from the keyboard: Tab to it, Enter.
    await page.locator('#lesson .gnode[data-op="parameter"]').focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#lesson .lesson-box-note').textContent()).toMatch(/^x = 0\.55 \(an input\)\. ∂L\/∂x is not known yet/);
    // Backward one node at a time from the keyboard: focus the button, press Enter per step.
    await page.focus('#lesson [data-action="lesson-step"]');
    let steps = 0;
    while (!(await page.locator('#lesson [data-action="lesson-step"]').isDisabled())) {
      await page.keyboard.press('Enter');
      steps++;
      expect(await page.locator('#lesson .lesson-log li').count()).toBe(steps);
    }
    expect(steps).toBe(7);
    // d/dx [x·e^(−x²) + sin²x] = e^(−x²)(1 − 2x²) + 2 sin x cos x
    const want = Math.exp(-x * x) * (1 - 2 * x * x) + 2 * Math.sin(x) * Math.cos(x);
    const row = page.locator('#lesson .lesson-result tr[data-input="x"]');
    expect(Math.abs(Number(await row.getAttribute('data-analytic')) - want)).toBeLessThan(1e-12);
    expect(Math.abs(Number(await row.getAttribute('data-numeric')) - want) / Math.abs(want)).toBeLessThan(1e-7);
    expect(await page.locator('#lesson [data-gradcheck]').getAttribute('data-gradcheck')).toBe('pass');
    await page.locator('#lesson').screenshot({ path: 'test-results/lesson-typed.png' });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

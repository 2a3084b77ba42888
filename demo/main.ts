// The demo page: a header with the backend switch, a tab per model (GAN playground, VAE, RBM,
// diffusion, Compare), and the "under the hood" panel under whichever model is on screen.
// Settings live in the URL (see url-state.ts); a bad value falls back to its default and the
// page says so at the top.

import { getBackend, setBackend, webgpuAvailable } from '../engine/index';
import { cpuThreads, wasmGemmAvailable, whenCpuThreadsReady } from '../kernels/cpu/gemm-wasm';
import { describeThreads } from './threads-note';
import type { AppServices, Tab } from './app';
import { el } from './controls';
import { GraphPanel } from './graph/panel';
import { LessonPanel } from './graph/lesson';
import { HoodPanel } from './hood';
import { SlowMotion } from './slow-motion';
import { describeBackend, pickFasterBackend, type BackendNoteState } from './backend-pick';
import { createGanTab } from './tabs/gan';
import { createOtherTabs } from './tabs/others';
import { choiceField, readSettings, writeParam } from './url-state';

const notices = document.getElementById('notices') as HTMLElement;

/** A dismissable line at the top of the page (bad URL values, no WebGPU). */
function showNotice(text: string, kind: 'warn' | 'info' = 'warn'): void {
  const line = el('div', { class: `notice ${kind}`, role: 'status' });
  const close = el('button', { class: 'notice-close', title: 'Dismiss' }, '×');
  close.addEventListener('click', () => line.remove());
  line.append(el('span', {}, text), close);
  notices.append(line);
}

async function main(): Promise<void> {
  const tabField = choiceField('tab', 'gan', ['gan', 'vae', 'rbm', 'diffusion', 'compare']);
  const backendField = choiceField('backend', 'webgpu', ['webgpu', 'cpu']);
  const shell = readSettings([tabField, backendField], window.location.search);
  for (const n of shell.notices) showNotice(`URL: ${n}.`);

  // Backend: as the URL says; else the faster of the two when the browser has WebGPU (timed at
  // start, both figures shown), the CPU otherwise (and the page says so).
  const hasGpu = 'gpu' in navigator && (await webgpuAvailable().catch(() => false));
  const gpuRadio = document.getElementById('backend-webgpu') as HTMLInputElement;
  const cpuRadio = document.getElementById('backend-cpu') as HTMLInputElement;
  const gpuNote = document.getElementById('backend-note') as HTMLElement;
  const note: BackendNoteState = { startup: null, backend: 'cpu', trainingRate: null };
  if (!hasGpu) {
    gpuRadio.disabled = true;
    gpuNote.textContent = 'WebGPU is not available in this browser: everything runs on the CPU backend (plain typed-array loops). The results are the same, only the speed differs.';
    gpuNote.hidden = false;
    await setBackend('cpu');
  } else if (new URLSearchParams(window.location.search).has('backend')) {
    await setBackend(shell.values.backend === 'cpu' ? 'cpu' : 'webgpu');
  } else {
    // No backend in the URL: time a few steps on each and take the faster (backend-pick.ts).
    note.startup = await pickFasterBackend();
  }
  note.backend = getBackend() === 'webgpu' ? 'webgpu' : 'cpu';
  const showNote = (): void => {
    if (!hasGpu) return;
    gpuNote.textContent = describeBackend(note);
    gpuNote.hidden = false;
  };
  showNote();
  (getBackend() === 'webgpu' ? gpuRadio : cpuRadio).checked = true;

  const tabs: Tab[] = [];
  const hood = new HoodPanel(document.getElementById('hood') as HTMLElement);
  const graph = new GraphPanel(document.getElementById('graph') as HTMLElement);
  const slowMotion = new SlowMotion(hood, graph, document.getElementById('hood') as HTMLElement);
  hood.onSlowMotion = () => void slowMotion.toggle();
  new LessonPanel(document.getElementById('lesson') as HTMLElement);
  const showModel = (tab: Tab): void => {
    const source = tab.hood();
    hood.setSource(source);
    graph.setSource(source);
  };
  const services: AppServices = {
    backendName: () => getBackend(),
    modelChanged: (tab) => { if (tab === active) showModel(tab); },
  };
  tabs.push(createGanTab(services, showNotice), ...createOtherTabs(services, showNotice));

  const bar = document.getElementById('tab-bar') as HTMLElement;
  const panels = document.getElementById('tab-panels') as HTMLElement;
  const buttons = new Map<string, HTMLButtonElement>();
  const containers = new Map<string, HTMLElement>();
  let active: Tab | null = null;

  const open = (tab: Tab): void => {
    if (active === tab) return;
    active?.deactivate();
    // Roving tabindex: the open tab is the one Tab stop in the bar; arrow keys move between tabs.
    for (const [id, b] of buttons) {
      b.setAttribute('aria-selected', String(id === tab.id));
      b.tabIndex = id === tab.id ? 0 : -1;
    }
    for (const [id, c] of containers) c.hidden = id !== tab.id;
    active = tab;
    writeParam('tab', tab.id === 'gan' ? null : tab.id);
    tab.activate();
    showModel(tab);
  };

  for (const tab of tabs) {
    const button = el('button', { role: 'tab', 'data-tab': tab.id, 'aria-selected': 'false', id: `tab-${tab.id}`, 'aria-controls': `panel-${tab.id}` }, tab.title);
    button.addEventListener('click', () => open(tab));
    bar.append(button);
    buttons.set(tab.id, button);
    const container = el('div', { role: 'tabpanel', 'data-tabpanel': tab.id, hidden: '', id: `panel-${tab.id}`, 'aria-labelledby': `tab-${tab.id}` });
    panels.append(container);
    containers.set(tab.id, container);
    tab.mount(container);
  }

  bar.addEventListener('keydown', (e) => {
    const keys: Record<string, (i: number) => number> = {
      ArrowRight: (i) => (i + 1) % tabs.length, ArrowLeft: (i) => (i - 1 + tabs.length) % tabs.length,
      Home: () => 0, End: () => tabs.length - 1,
    };
    const move = keys[e.key];
    if (!move || !active) return;
    e.preventDefault();
    const next = tabs[move(tabs.indexOf(active))];
    open(next);
    buttons.get(next.id)?.focus();
  });

  const switchBackend = async (name: 'webgpu' | 'cpu'): Promise<void> => {
    const got = await setBackend(name);
    if (got !== name) showNotice(`Could not start ${name}; using ${got}.`);
    (got === 'webgpu' ? gpuRadio : cpuRadio).checked = true;
    writeParam('backend', got === 'webgpu' ? null : got);
    note.backend = got === 'webgpu' ? 'webgpu' : 'cpu';
    note.trainingRate = null;
    stale = new Map(tabs.map((t) => [t, t.trainingRate?.() ?? 0]));
    showNote();
    for (const tab of tabs) tab.backendChanged();
    if (active) showModel(active);
    showThreads();
  };
  // How many cores the CPU backend uses (shown while it is the backend in use).
  const threadsNote = document.getElementById('threads-note') as HTMLElement;
  const showThreads = (): void => {
    threadsNote.hidden = getBackend() !== 'cpu';
    void whenCpuThreadsReady().then((threads) => {
      threadsNote.textContent = describeThreads(window.crossOriginIsolated, threads, navigator.hardwareConcurrency ?? 1);
    });
  };
  showThreads();
  gpuRadio.addEventListener('change', () => { if (gpuRadio.checked) void switchBackend('webgpu'); });
  cpuRadio.addEventListener('change', () => { if (cpuRadio.checked) void switchBackend('cpu'); });

  // The rate training actually runs at: the open tab's training loop measures it (steps over
  // wall time while it trains, the same figure as the tab's status line).
  // A rate a loop measured before the last backend switch belongs to the other backend: skipped.
  let stale = new Map<Tab, number>();
  window.setInterval(() => {
    const rate = active?.trainingRate?.() ?? 0;
    if (rate > 0 && rate !== note.trainingRate && rate !== stale.get(active as Tab)) {
      note.trainingRate = rate;
      showNote();
    }
  }, 1000);

  // A small handle for the page tests (and curious learners in the console).
  (window as unknown as { gradlab: unknown }).gradlab = {
    plotted: (tab: string, plot: string) => tabs.find((t) => t.id === tab)?.plotted?.(plot) ?? null,
    backend: () => getBackend(),
    // 'wasm' when the CPU backend's large products run in the WebAssembly SIMD kernel (the page's
    // Content-Security-Policy must allow compiling it: 'wasm-unsafe-eval' or 'unsafe-eval'), else 'js'.
    cpuGemm: () => (wasmGemmAvailable() ? 'wasm' : 'js'),
    // Threads the CPU backend's large products run on (1, or one per core when the page is cross-origin isolated).
    cpuThreads: () => cpuThreads(),
  };

  open(tabs.find((t) => t.id === shell.values.tab) ?? tabs[0]);
  document.body.dataset.ready = 'true';
}

main().catch((e: unknown) => {
  console.error(e);
  showNotice(`The page failed to start: ${e instanceof Error ? e.message : String(e)}`);
});

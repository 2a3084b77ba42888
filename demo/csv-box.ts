// "Your data": paste CSV text or drop a .csv file; it is parsed with models/data/csv.ts (one column
// for 1D samples, two for 2D points) and a bad file is refused with the line and the reason.

import { parseCsv, type ParsedCsv } from '../models/data/csv';
import { el } from './controls';

export interface CsvBox {
  element: HTMLElement;
  open(show: boolean): void;
}

export function createCsvBox(onData: (parsed: ParsedCsv, name: string) => void): CsvBox {
  const box = el('div', { class: 'data-box', 'data-csv-box': '' });
  const help = el('p', { class: 'caption' },
    'Paste numbers (one column: 1D samples; two columns: 2D points; a header line is fine) or drop a .csv file here, then press "Use this data".');
  const text = el('textarea', { 'data-csv-text': '', placeholder: 'x\n1.2\n3.4\n2.8\n…', spellcheck: 'false' });
  const file = el('input', { type: 'file', accept: '.csv,.txt,text/csv,text/plain' });
  const use = el('button', { class: 'btn small', 'data-action': 'use-csv' }, 'Use this data');
  const status = el('p', { class: 'csv-status', 'aria-live': 'polite' });
  const row = el('div', { class: 'button-row' });
  row.append(use, file);
  box.append(help, text, row, status);

  const load = (content: string, name: string): void => {
    try {
      const parsed = parseCsv(content, name);
      status.className = 'csv-ok';
      status.textContent = `Loaded ${parsed.rows} rows of ${parsed.dim}D data from ${name}.`;
      onData(parsed, name);
    } catch (e) {
      status.className = 'csv-error';
      status.textContent = e instanceof Error ? e.message : String(e);
    }
  };
  use.addEventListener('click', () => load(text.value, 'pasted data'));
  const readFile = (f: File): void => {
    void f.text().then((content) => {
      text.value = content.length > 20000 ? `${content.slice(0, 20000)}\n…` : content;
      load(content, f.name);
    });
  };
  file.addEventListener('change', () => { if (file.files?.[0]) readFile(file.files[0]); });
  box.addEventListener('dragover', (e) => { e.preventDefault(); box.classList.add('dragging'); });
  box.addEventListener('dragleave', () => box.classList.remove('dragging'));
  box.addEventListener('drop', (e) => {
    e.preventDefault();
    box.classList.remove('dragging');
    const f = e.dataTransfer?.files?.[0];
    if (f) readFile(f);
  });
  return { element: box, open: (show) => box.classList.toggle('open', show) };
}

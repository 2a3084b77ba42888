// One declaration per setting: its control (label, kind, range, help) and its default. The URL
// field that reads and writes it comes from the same declaration, so the slider and the link can
// never disagree on a range. The settings every model tab shares are made here too.

import type { ControlSpec } from './controls';
import { choiceField, choiceNumberField, intField, numberField, type AnyField, type Values } from './url-state';

/** A control with its default; `field` overrides the URL field derived from it (e.g. the target list). */
export type Setting = ControlSpec & { default: string | number; field?: AnyField };

/** The URL field of a setting: the values its control can produce, and nothing else. */
export function fieldOf(s: Setting): AnyField {
  if (s.field) return s.field;
  switch (s.kind) {
    case 'select': {
      const values = s.options.map((o) => o.value);
      return typeof values[0] === 'number'
        ? choiceNumberField(s.key, Number(s.default), values as number[])
        : choiceField(s.key, String(s.default), values as string[]);
    }
    case 'number': return intField(s.key, Number(s.default), s.min, s.max);
    case 'log': return numberField(s.key, Number(s.default), 10 ** s.minExp, 10 ** s.maxExp);
    case 'range': return Number.isInteger(s.step) && Number.isInteger(s.min)
      ? intField(s.key, Number(s.default), s.min, s.max)
      : numberField(s.key, Number(s.default), s.min, s.max);
  }
}

export function fieldsOf(settings: readonly Setting[]): AnyField[] {
  return settings.map(fieldOf);
}

export function controlsOf(settings: readonly Setting[]): ControlSpec[] {
  return settings.map(({ default: _d, field: _f, ...spec }) => spec as ControlSpec);
}

const numbers = (values: readonly number[], label: (v: number) => string = String): { value: number; label: string }[] =>
  values.map((v) => ({ value: v, label: label(v) }));

/** The dataset size: N samples drawn once. */
export function datasetSetting(): Setting {
  return { kind: 'select', key: 'dataset', label: 'Dataset', default: 2048, options: numbers([512, 1024, 2048, 4096, 10000]), help: 'N samples drawn once; one epoch = N / batch steps' };
}

export function batchSetting(): Setting {
  return { kind: 'select', key: 'batch', label: 'Batch', default: 128, options: numbers([32, 64, 128, 256]), help: 'samples per training step' };
}

export function lrSetting(fallback: number, help = 'Adam step size (a change restarts the run)'): Setting {
  return { kind: 'log', key: 'lr', label: 'Learning rate', minExp: -4, maxExp: -1, step: 0.1, default: fallback, help };
}

export function seedSetting(): Setting {
  return { kind: 'number', key: 'seed', label: 'Seed', min: 0, max: 999999, default: 0, help: 'same seed, same run' };
}

/** A select over a list of numbers. */
export function numberChoice(key: string, label: string, fallback: number, values: readonly number[], help?: string, name?: (v: number) => string): Setting {
  return { kind: 'select', key, label, default: fallback, options: numbers(values, name), ...(help ? { help } : {}) };
}

/** Whether a setting does anything for the other values (GP λ only with a gradient penalty, ...). */
export type Relevance = Record<string, (values: Values) => boolean>;

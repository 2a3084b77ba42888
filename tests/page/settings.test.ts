// One declaration per setting (demo/settings.ts): the URL field accepts exactly what the control
// can produce, so a slider and a shared link cannot disagree on a range.

import { describe, expect, it } from 'vitest';
import { controlsOf, fieldOf, numberChoice, type Setting } from '../../demo/settings';
import type { Field } from '../../demo/url-state';

const parse = (s: Setting, text: string): unknown => (fieldOf(s) as Field<string | number>).parse(text);

describe('settings', () => {
  it('a range slider and its URL field share the bounds', () => {
    const gp: Setting = { kind: 'range', key: 'gpLambda', label: 'GP λ', min: 0, max: 100, step: 1, default: 10 };
    expect(parse(gp, '100')).toBe(100);
    expect(parse(gp, '101')).toBeUndefined();
    expect(parse(gp, '2.5')).toBeUndefined(); // an integer slider gives integers
    const drop: Setting = { kind: 'range', key: 'dDropout', label: 'D dropout', min: 0, max: 0.5, step: 0.05, default: 0 };
    expect(parse(drop, '0.35')).toBe(0.35);
    expect(parse(drop, '0.6')).toBeUndefined();
  });

  it('a select accepts its options only; a log slider its decades', () => {
    const beta = numberChoice('beta1', 'Adam β₁', 0.9, [0.9, 0.5]);
    expect(parse(beta, '0.5')).toBe(0.5);
    expect(parse(beta, '0.7')).toBeUndefined();
    const lr: Setting = { kind: 'log', key: 'lr', label: 'Learning rate', minExp: -4, maxExp: -1, step: 0.1, default: 0.003 };
    expect(parse(lr, '0.1')).toBe(0.1);
    expect(parse(lr, '0.2')).toBeUndefined();
    expect(fieldOf(lr).default).toBe(0.003);
  });

  it('the control spec drops the default and the field override', () => {
    const [spec] = controlsOf([numberChoice('batch', 'Batch', 128, [64, 128], 'samples per step')]);
    expect(spec).toEqual({ kind: 'select', key: 'batch', label: 'Batch', options: [{ value: 64, label: '64' }, { value: 128, label: '128' }], help: 'samples per step' });
  });
});

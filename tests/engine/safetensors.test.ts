// fromSafetensors on broken and hostile files: each is refused with an error that says what is
// wrong, before any tensor is made. Files are built by hand here, byte by byte.

import { describe, expect, it } from 'vitest';
import * as g from '../../engine/index.js';

/** A safetensors file from a header object (serialised as given) and raw data bytes. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (values: number[]): Uint8Array => new Uint8Array(new Float32Array(values).buffer);

describe('fromSafetensors', () => {
  it('reads F32, F64 and I32 tensors, little-endian, at their offsets', () => {
    const data = new Uint8Array(8 + 16 + 8);
    const view = new DataView(data.buffer);
    view.setFloat32(0, 1.5, true);
    view.setFloat32(4, -2.25, true);
    view.setFloat64(8, Math.PI, true);
    view.setFloat64(16, -1e-300, true);
    view.setInt32(24, -7, true);
    view.setInt32(28, 123456, true);
    const dict = g.fromSafetensors(file({
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      c: { dtype: 'I32', shape: [1, 2], data_offsets: [24, 32] },
      b: { dtype: 'F64', shape: [2, 1], data_offsets: [8, 24] },
      __metadata__: { format: 'pt' },
    }, data));
    expect(Object.keys(dict)).toEqual(['a', 'c', 'b']);
    expect(Array.from(dict.a.dataSync())).toEqual([1.5, -2.25]);
    expect([dict.b.dtype, dict.b.shape, Array.from(dict.b.dataSync())]).toEqual(['float64', [2, 1], [Math.PI, -1e-300]]);
    expect([dict.c.dtype, Array.from(dict.c.dataSync())]).toEqual(['int32', [-7, 123456]]);
  });

  it('reads I64 (PyTorch\'s BatchNorm counter) into int32', () => {
    const data = new Uint8Array(16);
    const view = new DataView(data.buffer);
    view.setBigInt64(0, -5n, true);
    view.setBigInt64(8, 2147483647n, true);
    const dict = g.fromSafetensors(file({ n: { dtype: 'I64', shape: [], data_offsets: [0, 8] }, m: { dtype: 'I64', shape: [1], data_offsets: [8, 16] } }, data));
    expect([dict.n.dtype, dict.n.shape, Array.from(dict.n.dataSync())]).toEqual(['int32', [], [-5]]);
    expect(Array.from(dict.m.dataSync())).toEqual([2147483647]);
  });

  it('refuses an I64 value beyond int32', () => {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setBigInt64(0, 2n ** 40n, true);
    expect(() => g.fromSafetensors(file({ n: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data))).toThrow(/tensor 'n' \(I64\) holds 1099511627776 at flat index 0, outside int32's range/);
  });

  it('refuses a header length beyond the file, and a file too short to have one', () => {
    expect(() => g.fromSafetensors(new Uint8Array(5))).toThrow(/the file has 5 bytes, fewer than the 8 of the header length/);
    expect(() => g.fromSafetensors(file({}, new Uint8Array(0), 1000))).toThrow(/the header length is 1000 bytes, beyond the end of the file \(10 bytes\)/);
    const huge = file({});
    new DataView(huge.buffer).setUint32(4, 1, true); // 2^32 + 2: the high word set
    expect(() => g.fromSafetensors(huge)).toThrow(/the header length is 4294967298 bytes, beyond the end of the file/);
  });

  it('refuses a header that is not a JSON object', () => {
    expect(() => g.fromSafetensors(file('{"a": '))).toThrow(/the header is not valid UTF-8 JSON/);
    expect(() => g.fromSafetensors(file('[1, 2]'))).toThrow(/the header must be a JSON object, got an array/);
    expect(() => g.fromSafetensors(file({ __metadata__: { n: 3 } }))).toThrow(/metadata 'n' must be a string, got 3/);
  });

  it('refuses offsets out of range, overlapping, or leaving bytes to no tensor', () => {
    expect(() => g.fromSafetensors(file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 16] } }, f32([1, 2])))).toThrow(/tensor 'a' has data_offsets \[0, 16\], out of the data's range \[0, 8\]/);
    expect(() => g.fromSafetensors(file({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, f32([1, 2])))).toThrow(/tensor 'a' has data_offsets \[8, 4\], out of the data's range/);
    expect(() => g.fromSafetensors(file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32([1, 2, 3]))))
      .toThrow(/tensor 'b' \(bytes 4 to 12\) overlaps the tensor before it \(which ends at 8\)/);
    expect(() => g.fromSafetensors(file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2])))).toThrow(/bytes 0 to 4 of the data belong to no tensor/);
    expect(() => g.fromSafetensors(file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32([1, 2])))).toThrow(/the data has 8 bytes but the tensors cover 4/);
    expect(() => g.fromSafetensors(file({ a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, f32([1])))).toThrow(/data_offsets \[-4,0\]; expected \[begin, end\], two non-negative integers/);
  });

  it('refuses an unknown dtype, naming the tensor and the dtypes it reads', () => {
    expect(() => g.fromSafetensors(file({ w: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4))))
      .toThrow(/tensor 'w' has dtype "BF16"; gradlab reads F32, F64, I32 and I64/);
    expect(() => g.fromSafetensors(file({ w: { dtype: 'toString', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)))).toThrow(/has dtype "toString"/);
  });

  it('refuses a shape that does not match the bytes, or is not a shape', () => {
    expect(() => g.fromSafetensors(file({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32([1, 2]))))
      .toThrow(/tensor 'w' of shape \[3\] and dtype F32 needs 12 bytes, its data_offsets give 8/);
    expect(() => g.fromSafetensors(file({ w: { dtype: 'F32', shape: [2.5], data_offsets: [0, 8] } }, f32([1, 2])))).toThrow(/has shape \[2.5\]; a shape is a list of non-negative integers/);
    expect(() => g.fromSafetensors(file({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8], extra: 1 } }, f32([1, 2])))).toThrow(/unknown header field 'extra'/);
  });

  it('refuses prototype-named keys (which would reach Object.prototype)', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'prototype']) {
      const bytes = file(`{"${name}": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}`, f32([1]));
      expect(() => g.fromSafetensors(bytes)).toThrow(new RegExp(`'${name}' cannot be a tensor's name`));
    }
    expect(({} as Record<string, unknown>).dtype).toBeUndefined(); // nothing leaked into the prototype
  });

  it('refuses non-finite values, naming the tensor, and leaves no tensor behind', () => {
    const before = g.liveTensors();
    const bytes = file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32([1, 2, Number.NaN]));
    expect(() => g.fromSafetensors(bytes)).toThrow(/tensor 'b' holds NaN at flat index 1/);
    expect(g.liveTensors()).toBe(before);
  });
});

describe('toSafetensors', () => {
  it('refuses metadata that is not strings, reserved names and entries that are not tensors', () => {
    const t = g.tensor([1, 2]);
    expect(() => g.toSafetensors({ a: t }, { epochs: 3 as unknown as string })).toThrow(/metadata 'epochs' must be a string/);
    expect(() => g.toSafetensors({ __metadata__: t })).toThrow(/'__metadata__' cannot be a tensor's name/);
    expect(() => g.toSafetensors({ a: [1, 2] as unknown as g.Tensor })).toThrow(/entry 'a' is not a Tensor/);
  });
});

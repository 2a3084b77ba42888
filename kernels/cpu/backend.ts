// The CPU backend: typed arrays and plain loops. It runs every kernel at once (there is no queue),
// so reads are immediate and flush() has nothing to do. Released arrays go to a pool keyed by
// dtype and size, so a training loop that makes the same shapes every step allocates nothing
// after its first step. Float32 arrays of HEAP_MIN_FLOATS or more are carved out of the GEMM
// kernel's shared WebAssembly memory where there is one (kernels/cpu/wasm-heap.ts), so that the
// products read and write them in place.

import { checkColumnSums, type Backend, type BackendStats, type DataArray, type DType, type FloatArray, type KernelCall, type Storage } from '../../engine/backend';
import { addBack, outputFor } from './add-into';
import { binary } from './binary';
import { cast, permute } from './layout';
import { copyAxis, expand, fill, gather, gatherRandom, scatterAdd } from './copy';
import { cpuFloat32Array } from './gemm-wasm';
import { linearGrad } from './linear-grad';
import { linear, matmul, transpose } from './matmul';
import { adam, adamMulti, sgd } from './optim';
import { random } from './random';
import { mappedReduce, reduce } from './reduce';
import { softmax } from './softmax';
import { meanUnaryGrad, unary, unaryGrad } from './unary';

export class CpuStorage implements Storage {
  readonly backend = 'cpu' as const;
  constructor(readonly data: DataArray, readonly dtype: DType) {}
  get size(): number {
    return this.data.length;
  }
}

function makeArray(size: number, dtype: DType): DataArray {
  if (dtype === 'float64') return new Float64Array(size);
  if (dtype === 'int32') return new Int32Array(size);
  return cpuFloat32Array(size); // inside the GEMM kernel's memory where it can be, so products need not copy
}

const f = (s: Storage): FloatArray => (s as CpuStorage).data as FloatArray;
const i32 = (s: Storage): Int32Array => (s as CpuStorage).data as Int32Array;

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  /** Released arrays by dtype, then by size (number keys: no key string to build per call). */
  private readonly pool: Record<DType, Map<number, CpuStorage[]>> = { float32: new Map(), float64: new Map(), int32: new Map() };
  private counters: BackendStats = { liveBuffers: 0, bufferCreations: 0, dispatches: 0, submits: 0 };

  alloc(size: number, dtype: DType): Storage {
    const reused = this.pool[dtype].get(size)?.pop();
    // Counted once made: an array too large to allocate throws and leaves the count as it was.
    const storage = reused ?? new CpuStorage(makeArray(size, dtype), dtype);
    if (!reused) this.counters.bufferCreations++;
    this.counters.liveBuffers++;
    return storage;
  }

  write(dst: Storage, data: ArrayLike<number>): void {
    (dst as CpuStorage).data.set(data);
  }

  readSync(src: Storage): DataArray {
    return (src as CpuStorage).data.slice();
  }

  read(src: Storage): Promise<DataArray> {
    return Promise.resolve(this.readSync(src));
  }

  /** The live array itself, without a copy (engine internals on the CPU only). */
  view(src: Storage): DataArray {
    return (src as CpuStorage).data;
  }

  release(storage: Storage): void {
    this.counters.liveBuffers--;
    const bySize = this.pool[storage.dtype];
    let free = bySize.get(storage.size);
    if (!free) bySize.set(storage.size, (free = []));
    free.push(storage as CpuStorage);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  stats(): BackendStats {
    return { ...this.counters };
  }

  run(c: KernelCall): void {
    this.counters.dispatches++;
    switch (c.kernel) {
      case 'unary': return unary(c.op, f(c.x), f(c.out), c.alpha, c.beta);
      case 'unaryGrad': return unaryGrad(c.op, f(c.x), f(c.y), f(c.dy), f(c.out), c.alpha, c.beta);
      case 'binary': return binary(c.op, f(c.a), f(c.b), f(c.out), c.aShape, c.bShape, c.outShape);
      case 'reduce': {
        // With a fused layer, its forward first (linear's own loops); the reduction reads its output z.
        const l = c.linear;
        if (l) linear(f(c.x), f(l.w), l.b ? f(l.b) : null, f(l.z), l.m, l.k, l.n, l.activation, l.alpha);
        const x = f(l ? l.z : c.x);
        const out = outputFor(f(c.out), c.accumulate); // with accumulate, scratch to add into what out holds
        if (c.map) mappedReduce(c.op, c.map, x, out, c.outer, c.axisSize, c.inner, c.scale);
        else reduce(c.op, x, out, c.outer, c.axisSize, c.inner, c.scale);
        return addBack(f(c.out), out);
      }
      case 'meanUnaryGrad': return meanUnaryGrad(c.op, f(c.x), c.dy && f(c.dy), f(c.out), c.alpha, c.beta, c.scale);
      case 'matmul': {
        const out = outputFor(f(c.out), c.accumulate), g = c.activationGrad;
        matmul(f(c.a), f(c.b), out, c.batch, c.m, c.k, c.n, c.transA, c.transB, c.strideA, c.strideB, g ?? null, g ? f(g.y) : null);
        addBack(f(c.out), out);
        // The column sums of B beside the product (a layer's db beside its dW): reduce's own loop, so the same bits as a separate column sum.
        if (c.columnSums) {
          checkColumnSums(c);
          const sums = outputFor(f(c.columnSums), c.accumulateColumnSums);
          reduce('sum', f(c.b), sums, 1, c.k, c.n, 1);
          addBack(f(c.columnSums), sums);
        }
        return;
      }
      case 'linear': return linear(f(c.x), f(c.w), c.b ? f(c.b) : null, f(c.out), c.m, c.k, c.n, c.activation, c.alpha);
      case 'linearGrad': {
        const loss = c.loss && { ...c.loss, dy: c.loss.dy && f(c.loss.dy) };
        return linearGrad(f(c.x), f(c.w), f(c.y), c.dy && f(c.dy), c.dx && f(c.dx), c.dw && f(c.dw), c.db && f(c.db), c.m, c.k, c.n, c.activation, c.alpha, c.accumulate, loss, c.dxActivation);
      }
      case 'expand': return expand(f(c.x), f(c.out), c.inShape, c.outShape, c.scale);
      case 'transpose': return transpose(f(c.x), f(c.out), c.rows, c.cols);
      case 'permute': return permute((c.x as CpuStorage).data, (c.out as CpuStorage).data, c.outShape, c.strides);
      case 'cast': return cast((c.x as CpuStorage).data, (c.out as CpuStorage).data);
      case 'softmax': return softmax(f(c.x), f(c.out), c.outer, c.axisSize, c.inner, c.log);
      case 'copyAxis': return copyAxis((c.src as CpuStorage).data, (c.dst as CpuStorage).data, c.outer, c.inner, c.srcAxis, c.dstAxis, c.srcStart, c.dstStart, c.count);
      case 'gather': return gather(f(c.x), i32(c.indices), f(c.out), c.rows, c.inner);
      case 'gatherRandom': return gatherRandom(f(c.x), f(c.out), c.rows, c.inner, c.key0, c.key1, c.counter, c.high);
      case 'scatterAdd': return scatterAdd(f(c.src), i32(c.indices), f(c.out), c.rows, c.inner);
      case 'fill': return fill((c.out as CpuStorage).data, c.value);
      case 'random': return random((c.out as CpuStorage).data, c.dist, c.key0, c.key1, c.counter, c.a, c.b);
      case 'adam': return adam(f(c.param), f(c.grad), f(c.m), f(c.v), c.lr, c.beta1, c.beta2, c.eps, c.step);
      case 'adamMulti': return adamMulti(c.params.map(f), c.grads.map(f), f(c.state), c.stateOffsets, c.lr, c.beta1, c.beta2, c.eps, c.step);
      case 'sgd': return sgd(f(c.param), f(c.grad), c.velocity ? f(c.velocity) : null, c.lr, c.momentum);
      default: throw new Error(`cpu backend: unknown kernel '${(c as { kernel: string }).kernel}'`);
    }
  }
}

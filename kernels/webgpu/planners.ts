// Which planner handles which kernel call: the dispatch table of the WebGPU backend.

import type { KernelCall, KernelName } from '../../engine/backend';
import { planCopyAxis, planFill, planGather, planGatherRandom, planScatterAdd } from './copy.wgsl';
import { planBinary } from './binary.wgsl';
import { planCast, planPermute } from './layout.wgsl';
import { planLinearGrad } from './linear-grad.wgsl';
import { planLinear, planMatmul, planTranspose } from './matmul.wgsl';
import { planAdam, planAdamMulti, planSgd } from './optim.wgsl';
import type { DispatchPlan, PlanLimits, Planner } from './plan';
import { planRandom } from './random.wgsl';
import { planExpand, planReduce } from './reduce.wgsl';
import { planSoftmax } from './softmax.wgsl';
import { planMeanUnaryGrad, planUnary, planUnaryGrad } from './unary.wgsl';

const PLANNERS: { [K in KernelName]: Planner<K> } = {
  unary: planUnary,
  unaryGrad: planUnaryGrad,
  meanUnaryGrad: planMeanUnaryGrad,
  binary: planBinary,
  reduce: planReduce,
  matmul: planMatmul,
  linear: planLinear,
  linearGrad: planLinearGrad,
  expand: planExpand,
  transpose: planTranspose,
  permute: planPermute,
  cast: planCast,
  softmax: planSoftmax,
  copyAxis: planCopyAxis,
  gather: planGather,
  gatherRandom: planGatherRandom,
  scatterAdd: planScatterAdd,
  fill: planFill,
  random: planRandom,
  adam: planAdam,
  adamMulti: planAdamMulti,
  sgd: planSgd,
};

/** The dispatches that carry out one kernel call, in order. */
export function planCall(call: KernelCall, limits: PlanLimits): DispatchPlan[] {
  const planner = PLANNERS[call.kernel] as ((c: KernelCall, l: PlanLimits) => DispatchPlan | DispatchPlan[]) | undefined;
  if (!planner) throw new Error(`webgpu backend: unknown kernel '${(call as { kernel: string }).kernel}'`);
  const plans = planner(call, limits);
  return Array.isArray(plans) ? plans : [plans];
}

// All ops, one import away. Each file keeps every op's backward beside its forward.
export * from './creation';
export * from './elementwise';
export * from './unary';
export { unaryOps, type UnaryDef } from './unary-table';
export * from './activations';
export * from './reduce';
export * from './matmul';
export * from './layout';
export * from './losses';
// PyTorch's ops (docs/ops.md): the fronts below replace the names they share with the files
// above (transpose of any rank, reductions over a list of axes, gather along any axis, matmul
// with PyTorch's rules).
export * from './cast';
export * from './select';
export { permute, transpose, squeeze, unsqueeze, expand, stack } from './axes';
export { sum, mean, max, type Axes } from './reduce-axes';
export * from './stats';
export { gather } from './gather-axis';
export { matmul } from './matmul-rules';

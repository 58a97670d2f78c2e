/** Pure kernels over planes (typed arrays + validity masks) for the chunk executor. */
export { allocPlane, countValid, planeFromArray, writePlane, type Plane, type PlaneFromArrayOptions, type WritablePlane, type WritePlaneOptions } from './values.ts';
export { compileCallback, type CompileOptions } from './compile.ts';
export type { KernelInputs, PlaneKernel } from './codegen.ts';
export type { ValueType } from './ir.ts';
export { createStreamingReducer, type StreamingKind, type StreamingReducer, type StreamingReducerOptions } from './reducers.ts';
export { BufferedReducer, type BufferedKind, type BufferedReducerOptions, type ColumnReducer } from './buffered.ts';
export { recognizeReducer, type ReducerSpec } from './recognize.ts';
export { mask, type MaskOptions } from './mask.ts';
export { bandIndex, planesFromInterleaved, selectBands, stackPlanes } from './bands.ts';

// faultline attached in code (README "Attaching", mode 3): wrap() from the
// built layer's package, whose URL the benchmark passes in FAULTLINE_BENCH_LAYER
// (a copy of dist/layer/<flavor>/nodejs/node_modules/faultline/index.js).
import { loadUserHandler } from './userHandler.mjs';

const layer = process.env.FAULTLINE_BENCH_LAYER;
if (!layer) throw new Error('FAULTLINE_BENCH_LAYER is not set: expected the file: URL of the layer index.js');
const { wrap } = await import(layer);

export const handler = wrap(loadUserHandler());

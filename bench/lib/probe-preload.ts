/** `node --require dist/bench/lib/probe-preload.js dist/src/main.js`: careslot with the bench's usage probe. */
import { installProbe } from './probe';

installProbe();

/**
 * Starts a local cloud on the data folder given as the first argument, prints its pid and exits
 * without stopping it, as a bench or a test that crashed would.
 */
import { spawnLocalCloud } from '../../infra/local/spawn';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: parent-that-vanishes.ts <data folder>');
const cloud = await spawnLocalCloud({ dataDir });
process.stdout.write(`${cloud.info.pid}\n`);
process.exit(0);

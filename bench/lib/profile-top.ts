/** `node dist/bench/lib/profile-top.js FILE.cpuprofile [N]`: the N functions with the most self time. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, count = '30'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const hits = new Map<number, number>();
for (const sample of profile.samples) hits.set(sample, (hits.get(sample) ?? 0) + 1);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const n = hits.get(node.id) ?? 0;
  if (!n) continue;
  const url = node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/');
  const key = `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + n);
  const pkg = /^(@[^/]+\/[^/]+|[^/(]+)/.exec(url)?.[1] ?? node.callFrame.functionName;
  byPackage.set(pkg || '(native)', (byPackage.get(pkg || '(native)') ?? 0) + n);
}
const total = profile.samples.length;
const show = (map: Map<string, number>, limit: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)
  .map(([key, n]) => `${((100 * n) / total).toFixed(1).padStart(5)}%  ${key}`).join('\n');
process.stdout.write(`self time by package / file:\n${show(byPackage, 25)}\n\nself time by function:\n${show(byFunction, Number(count))}\n`);

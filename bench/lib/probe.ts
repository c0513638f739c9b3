/**
 * Preloaded into the careslot server (`node --require dist/bench/lib/probe-preload.js …`) and loaded by
 * the floor servers: answers the bench's IPC question "how much CPU and memory have you used?"
 * with process.cpuUsage() (microseconds, far finer than /proc's clock ticks). It does nothing
 * when the process has no IPC channel, so it never changes what the product does.
 */
export interface Usage {
  /** User + system CPU time in microseconds since the process started. */
  cpuMicros: number;
  rssBytes: number;
}

export function installProbe(): void {
  if (!process.send || !process.channel) return;
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message?.type !== 'bench:usage') return;
    const cpu = process.cpuUsage();
    const usage: Usage = { cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() };
    process.send?.({ type: 'bench:usage', id: message.id, usage });
  });
}

/**
 * What a reader calls each metric. The results document names metrics by id
 * (`cpuIntOpsRatioToHost`); a report shows these titles instead, with the unit beside them.
 * Every report takes its wording from here, so the HTML page, the Markdown and the CI
 * summaries name a figure the same way.
 */
export interface MetricInfo {
  /** A title that reads without the id: "Startup: one-shot run". */
  title: string;
  /** The same in a few words, for a column header: "startup (run)". */
  short: string;
  /** The unit the recorded values are in when the schema's unit says less (SHA-256 rates are MiB/s, not ops/s). */
  valueUnit?: string;
}

const KNOWN: Readonly<Record<string, MetricInfo>> = {
  run: { title: 'Startup: one-shot run', short: 'startup (run)' },
  lifecycle: { title: 'Startup: create → start → exit → delete', short: 'lifecycle' },
  create: { title: 'Lifecycle phase: create', short: 'create' },
  start: { title: 'Lifecycle phase: start', short: 'start' },
  exit: { title: 'Lifecycle phase: start returned → exit observed', short: 'exit' },
  delete: { title: 'Lifecycle phase: delete', short: 'delete' },
  containerCreate: { title: 'containerd phase: container create', short: 'container create' },
  taskCreate: { title: 'containerd phase: task create', short: 'task create' },
  taskStart: { title: 'containerd phase: task start', short: 'task start' },
  cleanup: { title: 'containerd phase: cleanup', short: 'cleanup' },
  runtimePeakRssBytes: { title: 'Peak RSS of the runtime process', short: 'runtime RSS' },
  initPeakRssBytes: { title: "Peak RSS of the container's init process", short: 'init RSS' },
  cgroupPeakBytes: { title: "Container memory peak (the cgroup's high-water mark)", short: 'container memory' },
  shimPeakRssBytes: { title: 'Peak RSS of the containerd shim', short: 'shim RSS' },
  containerdRssBytes: { title: "containerd's RSS after each container", short: 'containerd RSS' },
  containerdRssGrowthBytes: { title: "Growth of containerd's RSS during the run", short: 'containerd growth' },
  cpuIntOpsRatioToHost: { title: 'CPU speed against the bare host (integer ops)', short: 'CPU vs host' },
  cpuIntOpsPerSec: { title: 'CPU: integer operations per second', short: 'int ops/s' },
  cpuSha256MibPerSec: { title: 'CPU: SHA-256 throughput', short: 'SHA-256', valueUnit: 'MiB/s' },
  churnContainersPerSec: { title: 'Churn: containers completed per second', short: 'churn' },
  podStartupLatency: { title: 'Pod startup latency (creation → all containers started)', short: 'pod startup' },
  podScheduleLatency: { title: 'Pod scheduling latency', short: 'scheduling' },
  podSandboxLatency: { title: 'Pod sandbox creation latency', short: 'sandbox' },
  podContainerStartLatency: { title: 'Pod container start latency', short: 'container start' },
  podsStartedPerSec: { title: 'Pods started per second', short: 'pods/s' },
  podWorkingSetBytes: { title: 'Working set per pod', short: 'pod working set' },
  podCgroupUsageBytes: { title: 'Pod cgroup memory usage', short: 'pod cgroup' },
  shimRssBytes: { title: 'RSS of the shim per pod', short: 'shim RSS' },
  densityPods: { title: 'Idle pods that fit on the node', short: 'density' },
};

/** "cpuSha256MibPerSec" → "cpu sha256 mib per sec": an unknown metric still reads as words. */
function words(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
}

export function metricInfo(metric: string): MetricInfo {
  const known = KNOWN[metric];
  if (known) return known;
  const w = words(metric);
  return { title: w.charAt(0).toUpperCase() + w.slice(1), short: w };
}

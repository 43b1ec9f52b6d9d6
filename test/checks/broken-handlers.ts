/**
 * Prints the RUNBENCH_CLUSTER_HANDLERS value that gives the local cluster one CRI handler per
 * broken wrapper, for the broken-runtime tests behind a RuntimeClass:
 *   RUNBENCH_CLUSTER_HANDLERS=$(npx tsx test/checks/broken-handlers.ts) scripts/cluster.sh up
 */
import { clusterHandlers } from './broken-table.ts';

console.log(clusterHandlers());

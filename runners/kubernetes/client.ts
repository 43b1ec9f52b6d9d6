/**
 * The Kubernetes API as the kubernetes layer uses it: one kubeconfig (the flag, else
 * $KUBECONFIG, else the local cluster's admin kubeconfig), typed clients, and a raw GET
 * for the paths client-node returns as text (the kubelet's summary API via the node proxy).
 */
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { CoreV1Api, KubeConfig, NodeV1Api, VersionApi, Watch } from '@kubernetes/client-node';

/** Written by scripts/cluster.sh up. */
export const LOCAL_CLUSTER_KUBECONFIG = '/var/lib/runbench-cluster/kubeconfig/admin.conf';

export interface KubeconfigChoice {
  path: string;
  source: 'flag' | 'KUBECONFIG' | 'local cluster';
}

/** Which kubeconfig a run uses, or null when there is none (the layer is then unavailable). */
export function chooseKubeconfig(flag?: string, env: NodeJS.ProcessEnv = process.env): KubeconfigChoice | null {
  if (flag) return { path: flag, source: 'flag' };
  const fromEnv = env.KUBECONFIG?.split(':').find((p) => p.trim() !== '');
  if (fromEnv) return { path: fromEnv, source: 'KUBECONFIG' };
  if (existsSync(LOCAL_CLUSTER_KUBECONFIG)) return { path: LOCAL_CLUSTER_KUBECONFIG, source: 'local cluster' };
  return null;
}

interface ApiErrorShape {
  code?: number;
  body?: unknown;
  message?: string;
}

/** The HTTP status of a client-node ApiException (or undefined for transport errors). */
export function statusOf(e: unknown): number | undefined {
  const code = (e as ApiErrorShape | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function isNotFound(e: unknown): boolean {
  return statusOf(e) === 404;
}

export function isConflict(e: unknown): boolean {
  return statusOf(e) === 409;
}

/** One line from an API error: the Status message when the server sent one. */
export function apiMessage(e: unknown): string {
  const err = e as ApiErrorShape | null;
  let body: unknown = err?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      /* plain text body */
    }
  }
  const msg = (body as { message?: unknown } | null)?.message;
  if (typeof msg === 'string' && msg) return `${err?.code ?? ''} ${msg}`.trim();
  if (typeof body === 'string' && body.trim()) return `${err?.code ?? ''} ${body.trim().split('\n')[0]}`.trim();
  return (err?.message ?? String(e)).split('\n')[0] ?? String(e);
}

export class KubeClient {
  readonly kc = new KubeConfig();
  readonly core: CoreV1Api;
  readonly node: NodeV1Api;
  readonly version: VersionApi;
  readonly watch: Watch;

  constructor(readonly kubeconfig: KubeconfigChoice) {
    this.kc.loadFromFile(kubeconfig.path);
    if (!this.kc.getCurrentCluster()) throw new Error(`${kubeconfig.path} has no current cluster`);
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.node = this.kc.makeApiClient(NodeV1Api);
    this.version = this.kc.makeApiClient(VersionApi);
    this.watch = new Watch(this.kc);
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }

  /** GET a path of the API server as text, with the kubeconfig's credentials. */
  async getText(path: string, timeoutMs = 30_000): Promise<string> {
    const url = new URL(path, this.server);
    const opts: import('node:https').RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(opts);
    const send = url.protocol === 'http:' ? httpRequest : request;
    return new Promise<string>((resolve, reject) => {
      const req = send(url, { ...opts, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300) reject(Object.assign(new Error(`GET ${path}: HTTP ${res.statusCode}`), { code: res.statusCode, body: text }));
          else resolve(text);
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }
}

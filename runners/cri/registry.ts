/**
 * A read-only registry (the pull side of the OCI distribution API) serving one OCI image
 * layout: what the CRI pulls while critest runs, with no network and no registry program.
 * An image is found by its reference without the registry host (`e2e-test-images/busybox`
 * for `registry.k8s.io/e2e-test-images/busybox`): containerd's hosts.toml sends every host
 * critest names here. Run as a process of its own (registry-main.ts) inside the network
 * namespace the CRI's containerd lives in.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { z } from 'zod';

const Descriptor = z.object({
  mediaType: z.string(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const LayoutIndex = z.object({ schemaVersion: z.literal(2), manifests: z.array(Descriptor) });
type Descriptor = z.infer<typeof Descriptor>;

const REF_NAME = 'org.opencontainers.image.ref.name';

/** `registry.k8s.io/e2e-test-images/busybox:1.29-2` -> `e2e-test-images/busybox`, `1.29-2`. */
export function splitReference(ref: string): { repository: string; tag: string } | null {
  const m = /^(?:([^/]+)\/)?(.+?):([\w][\w.-]{0,127})$/.exec(ref);
  if (!m?.[2] || !m[3]) return null;
  const host = m[1];
  // a first component is a registry host when it has a dot or a port, or is localhost
  const hasHost = host !== undefined && (host.includes('.') || host.includes(':') || host === 'localhost');
  const repository = hasHost ? m[2] : host === undefined ? m[2] : `${host}/${m[2]}`;
  return { repository, tag: m[3] };
}

export interface LayoutCatalogue {
  /** `repository:tag` -> the manifest's descriptor. */
  tags: Map<string, Descriptor>;
  /** Every manifest digest the layout names. */
  manifests: Map<string, Descriptor>;
  blobDir: string;
}

/** Reads a layout's index.json: every manifest it names by full reference. */
export function readLayout(dir: string): LayoutCatalogue {
  const index = LayoutIndex.parse(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')));
  const tags = new Map<string, Descriptor>();
  const manifests = new Map<string, Descriptor>();
  for (const d of index.manifests) {
    manifests.set(d.digest, d);
    const ref = d.annotations?.[REF_NAME];
    const parts = ref ? splitReference(ref) : null;
    if (parts) tags.set(`${parts.repository}:${parts.tag}`, d);
  }
  return { tags, manifests, blobDir: join(dir, 'blobs', 'sha256') };
}

const PATH = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/;

function notFound(res: ServerResponse, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ code, message }] });
  res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendBlob(req: IncomingMessage, res: ServerResponse, cat: LayoutCatalogue, digest: string, mediaType: string): void {
  const file = join(cat.blobDir, digest.slice('sha256:'.length));
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    notFound(res, 'BLOB_UNKNOWN', `${digest} is not in the layout`);
    return;
  }
  res.writeHead(200, { 'content-type': mediaType, 'content-length': size, 'docker-content-digest': digest });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

export function handle(cat: LayoutCatalogue, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' });
    res.end();
    return;
  }
  res.setHeader('docker-distribution-api-version', 'registry/2.0');
  if (path === '/v2/' || path === '/v2') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
    res.end(req.method === 'HEAD' ? undefined : '{}');
    return;
  }
  const m = PATH.exec(path);
  if (!m?.[1] || !m[3]) {
    notFound(res, 'NAME_UNKNOWN', `no route for ${path}`);
    return;
  }
  const [, repository, kind, ref] = m;
  if (kind === 'blobs') {
    if (!/^sha256:[0-9a-f]{64}$/.test(ref)) return notFound(res, 'DIGEST_INVALID', `${ref} is not a sha256 digest`);
    return sendBlob(req, res, cat, ref, 'application/octet-stream');
  }
  const desc = ref.startsWith('sha256:') ? cat.manifests.get(ref) : cat.tags.get(`${repository}:${ref}`);
  if (!desc) return notFound(res, 'MANIFEST_UNKNOWN', `${repository}:${ref} is not in the layout`);
  sendBlob(req, res, cat, desc.digest, desc.mediaType);
}

/** Serves the layout on host:port (0: a free port); resolves once listening. */
export function serveLayout(dir: string, host = '127.0.0.1', port = 0): Promise<{ server: Server; port: number }> {
  const cat = readLayout(dir);
  const server = createServer((req, res) => handle(cat, req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      if (addr === null || typeof addr === 'string') reject(new Error('the registry has no TCP address'));
      else resolve({ server, port: addr.port });
    });
  });
}

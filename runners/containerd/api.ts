/**
 * A thin client of containerd's gRPC API (the services ctr itself calls), over its
 * unix socket. The service definitions are containerd's own .proto files, read at run
 * time from Debian's golang-github-containerd-containerd-dev (the same 1.6.20 as the
 * daemon) and golang-github-gogo-protobuf-dev, both installed by scripts/setup.sh:
 * nothing is generated, and nothing of containerd's is kept in this repository.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';
import { UserError } from '../../core/errors.ts';

const GOCODE = process.env.RUNBENCH_PROTO_ROOT ?? '/usr/share/gocode/src';
/** containerd's protos import gogoproto/gogo.proto relative to gogo/protobuf's root. */
const PROTO_INCLUDES = [GOCODE, join(GOCODE, 'github.com/gogo/protobuf'), join(GOCODE, 'github.com/gogo/protobuf/protobuf')];
const PROTO_ROOT = GOCODE;
const API = 'github.com/containerd/containerd/api/services';
const SERVICES = {
  version: `${API}/version/v1/version.proto`,
  containers: `${API}/containers/v1/containers.proto`,
  tasks: `${API}/tasks/v1/tasks.proto`,
  snapshots: `${API}/snapshots/v1/snapshots.proto`,
  images: `${API}/images/v1/images.proto`,
  content: `${API}/content/v1/content.proto`,
  leases: `${API}/leases/v1/leases.proto`,
  namespaces: `${API}/namespaces/v1/namespace.proto`,
  events: `${API}/events/v1/events.proto`,
} as const;

/** containerd's type URL for an OCI runtime spec carried (as JSON) in a protobuf Any. */
export const SPEC_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';
/** The runc shim's options message (runtime/v2/runc/options/oci.proto). */
export const RUNC_OPTIONS_TYPE_URL = 'containerd.runc.v1.Options';

export interface ProtoAny {
  type_url: string;
  value: Buffer;
}

export interface Mount {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

export interface Descriptor {
  media_type: string;
  digest: string;
  size: number;
}

export interface ContainerSpec {
  id: string;
  image: string;
  labels: Record<string, string>;
  runtime: { name: string; options: ProtoAny | null };
  spec: ProtoAny;
  snapshotter: string;
  snapshot_key: string;
}

export interface TaskCreate {
  container_id: string;
  rootfs: Mount[];
  stdin: string;
  stdout: string;
  stderr: string;
  terminal: boolean;
}

/** One event as containerd's Subscribe streams it; `event` is the topic's message, still encoded. */
export interface EventEnvelope {
  timestamp: { seconds: number; nanos: number } | null;
  namespace: string;
  topic: string;
  event: ProtoAny | null;
}

type Callback<T> = (err: grpc.ServiceError | null, res: T) => void;
type ServiceClient = grpc.Client & Record<string, (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb?: Callback<unknown>) => unknown>;
type ServiceCtor = new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => ServiceClient;

let loaded: Record<keyof typeof SERVICES, ServiceCtor> | null = null;

function services(): Record<keyof typeof SERVICES, ServiceCtor> {
  if (loaded) return loaded;
  const missing = Object.values(SERVICES).find((f) => !existsSync(join(GOCODE, f)));
  if (missing) {
    throw new UserError(
      `containerd's API definitions are not installed (${join(GOCODE, missing)} is missing): apt-get install golang-github-containerd-containerd-dev golang-github-gogo-protobuf-dev, or scripts/setup.sh`,
      1,
    );
  }
  const def = loader.loadSync(Object.values(SERVICES), {
    includeDirs: PROTO_INCLUDES,
    keepCase: true,
    longs: Number,
    enums: String,
    bytes: Buffer,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    containerd: { services: Record<string, { v1: Record<string, ServiceCtor> }> };
  };
  const s = pkg.containerd.services;
  const get = (svc: string, name: string): ServiceCtor => {
    const ctor = s[svc]?.v1[name];
    if (!ctor) throw new Error(`containerd proto service ${svc}.${name} missing from ${PROTO_ROOT}`);
    return ctor;
  };
  loaded = {
    version: get('version', 'Version'),
    containers: get('containers', 'Containers'),
    tasks: get('tasks', 'Tasks'),
    snapshots: get('snapshots', 'Snapshots'),
    images: get('images', 'Images'),
    content: get('content', 'Content'),
    leases: get('leases', 'Leases'),
    namespaces: get('namespaces', 'Namespaces'),
    events: get('events', 'Events'),
  };
  return loaded;
}

/** Encodes the two string fields of containerd.runc.v1.Options runbench sets (protobuf wire format). */
export function runcOptions(o: { binaryName?: string; root?: string }): ProtoAny {
  const parts: Buffer[] = [];
  const field = (num: number, s: string) => {
    const bytes = Buffer.from(s, 'utf8');
    const len: number[] = [];
    let n = bytes.length;
    while (n > 0x7f) {
      len.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    len.push(n);
    parts.push(Buffer.from([(num << 3) | 2, ...len]), bytes);
  };
  if (o.binaryName) field(6, o.binaryName);
  if (o.root) field(7, o.root);
  return { type_url: RUNC_OPTIONS_TYPE_URL, value: Buffer.concat(parts) };
}

/** gRPC status codes containerd maps its errdefs onto. */
export const NOT_FOUND = grpc.status.NOT_FOUND;

export function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: number }).code === grpc.status.NOT_FOUND;
}

export class ContainerdClient {
  private readonly clients = new Map<string, ServiceClient>();
  private readonly meta = new grpc.Metadata();

  constructor(
    readonly address: string,
    readonly namespace: string,
    private readonly defaultDeadlineMs = 30_000,
  ) {
    this.meta.set('containerd-namespace', namespace);
  }

  private client(name: keyof typeof SERVICES): ServiceClient {
    let c = this.clients.get(name);
    if (!c) {
      const Ctor = services()[name];
      // one channel per service, all to the same socket: grpc-js shares nothing between clients
      c = new Ctor(`unix://${this.address}`, grpc.credentials.createInsecure(), { 'grpc.enable_retries': 0 });
      this.clients.set(name, c);
    }
    return c;
  }

  call<T>(svc: keyof typeof SERVICES, method: string, req: unknown, deadlineMs = this.defaultDeadlineMs): Promise<T> {
    const c = this.client(svc);
    const fn = c[method];
    if (typeof fn !== 'function') return Promise.reject(new Error(`containerd ${svc} has no method ${method}`));
    return new Promise<T>((resolve, reject) => {
      fn.call(c, req, this.meta, { deadline: Date.now() + deadlineMs }, (err: grpc.ServiceError | null, res: unknown) => {
        if (err) reject(err);
        else resolve(res as T);
      });
    });
  }

  private stream<T>(svc: keyof typeof SERVICES, method: string, req: unknown, deadlineMs = this.defaultDeadlineMs): Promise<T[]> {
    const c = this.client(svc);
    const fn = c[method];
    if (typeof fn !== 'function') return Promise.reject(new Error(`containerd ${svc} has no method ${method}`));
    return new Promise<T[]>((resolve, reject) => {
      const out: T[] = [];
      const call = fn.call(c, req, this.meta, { deadline: Date.now() + deadlineMs }) as grpc.ClientReadableStream<T>;
      call.on('data', (d: T) => out.push(d));
      call.on('error', reject);
      call.on('end', () => resolve(out));
    });
  }

  /** Waits until the daemon answers, or the deadline passes. */
  async ready(deadlineMs: number): Promise<void> {
    const c = this.client('version');
    await new Promise<void>((resolve, reject) => c.waitForReady(Date.now() + deadlineMs, (e) => (e ? reject(e) : resolve())));
  }

  version(): Promise<{ version: string; revision: string }> {
    return this.call('version', 'Version', {});
  }

  createContainer(container: ContainerSpec): Promise<unknown> {
    return this.call('containers', 'Create', { container });
  }
  deleteContainer(id: string): Promise<unknown> {
    return this.call('containers', 'Delete', { id });
  }
  /** A container's record: the spec it was created with (an OCI runtime spec as JSON in an Any). */
  async getContainer(id: string): Promise<{ id: string; spec: ProtoAny | null; labels: Record<string, string> }> {
    const r = await this.call<{ container: { id: string; spec: ProtoAny | null; labels: Record<string, string> } }>('containers', 'Get', { id });
    return r.container;
  }
  async listContainers(): Promise<{ id: string }[]> {
    const r = await this.call<{ containers: { id: string }[] }>('containers', 'List', { filters: [] });
    return r.containers;
  }

  async prepareSnapshot(snapshotter: string, key: string, parent: string): Promise<Mount[]> {
    const r = await this.call<{ mounts: Mount[] }>('snapshots', 'Prepare', { snapshotter, key, parent, labels: {} });
    return r.mounts;
  }
  removeSnapshot(snapshotter: string, key: string): Promise<unknown> {
    return this.call('snapshots', 'Remove', { snapshotter, key });
  }
  async listSnapshots(snapshotter: string): Promise<{ name: string; parent: string; kind: string }[]> {
    const chunks = await this.stream<{ info: { name: string; parent: string; kind: string }[] }>('snapshots', 'List', { snapshotter, filters: [] });
    return chunks.flatMap((c) => c.info);
  }

  createTask(t: TaskCreate, deadlineMs?: number): Promise<{ container_id: string; pid: number }> {
    return this.call('tasks', 'Create', t, deadlineMs);
  }
  startTask(id: string, deadlineMs?: number): Promise<{ pid: number }> {
    return this.call('tasks', 'Start', { container_id: id, exec_id: '' }, deadlineMs);
  }
  waitTask(id: string, deadlineMs?: number): Promise<{ exit_status: number }> {
    return this.call('tasks', 'Wait', { container_id: id, exec_id: '' }, deadlineMs);
  }
  deleteTask(id: string, deadlineMs?: number): Promise<{ exit_status: number; pid: number }> {
    return this.call('tasks', 'Delete', { container_id: id }, deadlineMs);
  }
  killTask(id: string, signal: number, all = true): Promise<unknown> {
    return this.call('tasks', 'Kill', { container_id: id, exec_id: '', signal, all });
  }
  async listTasks(): Promise<{ id: string; pid: number; status: string }[]> {
    const r = await this.call<{ tasks: { id: string; pid: number; status: string }[] }>('tasks', 'List', { filter: '' });
    return r.tasks;
  }

  async getImage(name: string): Promise<{ name: string; target: Descriptor }> {
    const r = await this.call<{ image: { name: string; target: Descriptor } }>('images', 'Get', { name });
    return r.image;
  }
  async listImages(): Promise<{ name: string }[]> {
    const r = await this.call<{ images: { name: string }[] }>('images', 'List', { filters: [] });
    return r.images;
  }
  /** `sync` makes containerd collect the image's content and snapshots before answering. */
  deleteImage(name: string, sync = true): Promise<unknown> {
    return this.call('images', 'Delete', { name, sync });
  }

  /** A blob's size and labels (runwasi's library labels what it precompiled). */
  async contentInfo(digest: string): Promise<{ digest: string; size: number; labels: Record<string, string> }> {
    const r = await this.call<{ info: { digest: string; size: number; labels: Record<string, string> } }>('content', 'Info', { digest });
    return r.info;
  }

  async readContent(digest: string): Promise<Buffer> {
    const chunks = await this.stream<{ offset: number; data: Buffer }>('content', 'Read', { digest, offset: 0, size: 0 });
    return Buffer.concat(chunks.map((c) => c.data));
  }

  /**
   * Creates a lease and attaches it to every later call of this client, as ctr does:
   * snapshots prepared under it survive garbage collection until removed, even in the
   * moment between Prepare and the container that will reference them.
   */
  async useLease(id: string): Promise<void> {
    await this.call('leases', 'Create', { id, labels: {} });
    this.meta.set('containerd-lease', id);
  }
  async listLeases(): Promise<{ id: string }[]> {
    const r = await this.call<{ leases: { id: string }[] }>('leases', 'List', { filters: [] });
    return r.leases;
  }
  deleteLease(id: string): Promise<unknown> {
    return this.call('leases', 'Delete', { id, sync: true });
  }

  async listNamespaces(): Promise<string[]> {
    const r = await this.call<{ namespaces: { name: string }[] }>('namespaces', 'List', {});
    return r.namespaces.map((n) => n.name);
  }
  deleteNamespace(name: string): Promise<unknown> {
    return this.call('namespaces', 'Delete', { name });
  }

  /**
   * containerd's event stream (filters as ctr events takes them, ORed): every envelope as
   * it arrives, until the returned call is cancelled. Envelope timestamps are the
   * publisher's wall clock (containerd's, or the shim's for task events).
   */
  subscribe(filters: string[], onEnvelope: (e: EventEnvelope) => void, onEnd: (err: Error | null) => void): { cancel(): void } {
    const c = this.client('events');
    const fn = c.Subscribe;
    if (typeof fn !== 'function') throw new Error('containerd events has no method Subscribe');
    const call = fn.call(c, { filters }, this.meta, {}) as grpc.ClientReadableStream<EventEnvelope>;
    let ended = false;
    const end = (err: Error | null) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    call.on('data', (d: EventEnvelope) => onEnvelope(d));
    call.on('error', (e: grpc.ServiceError) => end(e.code === grpc.status.CANCELLED ? null : e));
    call.on('end', () => end(null));
    return { cancel: () => call.cancel() };
  }
  /** Publishes an event in this client's namespace; containerd stamps it with its own clock. */
  publish(topic: string, event: ProtoAny): Promise<unknown> {
    return this.call('events', 'Publish', { topic, event });
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

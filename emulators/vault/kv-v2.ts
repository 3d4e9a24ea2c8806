import { checkAndSetError, isRecord, timestamp, versionNumbers } from './kv-v2-fields.js';
import {
  configAnswer,
  configChanges,
  type KeyRecord,
  type MountConfig,
  metadataAnswer,
  metadataChanges,
  newKeyRecord,
  type VersionRecord,
} from './kv-v2-metadata.js';
import {
  type Capability,
  envelope,
  type KvRequest,
  PERMISSION_DENIED,
  type Send,
  UNSUPPORTED_OPERATION,
} from './vault-http.js';

/** defaultMaxVersions in backend.go. */
const DEFAULT_MAX_VERSIONS = 10;

/**
 * KV v2 as vault-plugin-secrets-kv implements it (path_data.go, path_delete.go, path_destroy.go,
 * path_metadata.go, path_config.go). A version that is soft-deleted, destroyed or past
 * delete_version_after reads as 404 with its metadata, yet still counts in current_version,
 * which is what check-and-set compares with.
 */
export class KvV2Engine {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly configs = new Map<string, MountConfig>();

  constructor(private readonly now: () => number) {}

  /** A write without check-and-set, as another client's would be. */
  write(mount: string, path: string, data: Record<string, unknown>): void {
    this.addVersion(mount, `${mount}/${path}`, data);
  }

  handle(request: KvRequest, send: Send) {
    const { method, mount, rest, body } = request;
    const [kind = '', ...segments] = rest.split('/');
    const key = `${mount}/${segments.join('/')}`;
    const meta = this.keys.get(key);
    const route = `${method} ${kind}`;
    const capability = (
      {
        'GET data': 'read',
        'GET metadata': 'read',
        'GET config': 'read',
        'POST data': meta ? 'update' : 'create',
        'POST metadata': meta ? 'update' : 'create',
        'POST config': 'update',
        'POST delete': 'update',
        'POST undelete': 'update',
        'POST destroy': 'update',
        'DELETE data': 'delete',
      } as Record<string, Capability>
    )[route];
    if (!capability || (kind === 'config') !== (segments.length === 0)) {
      return send(405, UNSUPPORTED_OPERATION);
    }
    if (!request.can(`${mount}/${rest}`, capability)) return send(403, PERMISSION_DENIED);
    switch (route) {
      case 'GET data':
        return this.readData(meta, Number(request.query.get('version') ?? 0), send);
      case 'POST data':
        return this.writeData(request, key, send);
      case 'DELETE data':
        if (meta) this.apply('delete', mount, meta, [meta.currentVersion]);
        return send(204);
      case 'GET metadata':
        return meta ? send(200, envelope(metadataAnswer(meta))) : send(404, { errors: [] });
      case 'POST metadata':
        return this.writeMetadata(key, meta, body, send);
      case 'GET config':
        return send(200, envelope(configAnswer(this.config(mount))));
      case 'POST config':
        return this.writeConfig(mount, body, send);
      default:
        return this.changeVersions(kind, mount, meta, body.versions, send);
    }
  }

  private readData(meta: KeyRecord | undefined, requested: number, send: Send) {
    const number = requested > 0 ? requested : (meta?.currentVersion ?? 0);
    const version = meta?.versions.get(number);
    if (!meta || !version) return send(404, { errors: [] });
    const metadata = {
      version: number,
      created_time: timestamp(version.createdTime),
      deletion_time: timestamp(version.deletionTime),
      destroyed: version.destroyed,
      custom_metadata: meta.customMetadata,
    };
    if (!this.readable(version)) return send(404, envelope({ data: null, metadata }));
    send(200, envelope({ data: version.data, metadata }));
  }

  private writeData(request: KvRequest, key: string, send: Send) {
    const { body, mount } = request;
    if (!isRecord(body.data)) return send(400, { errors: ['no data provided'] });
    request.beforeWrite();
    const meta = this.keys.get(key);
    const required = this.config(mount).casRequired || (meta?.casRequired ?? false);
    const refused = checkAndSetError(body.options, required, meta?.currentVersion ?? 0);
    if (refused) return send(400, { errors: [refused] });
    const { number, version, written } = this.addVersion(mount, key, body.data);
    send(
      200,
      envelope({
        version: number,
        created_time: timestamp(version.createdTime),
        deletion_time: timestamp(version.deletionTime),
        destroyed: false,
        custom_metadata: written.customMetadata,
      }),
    );
  }

  /** KeyMetadata.AddVersion: the next number, and the oldest versions past max_versions dropped. */
  private addVersion(mount: string, key: string, data: Record<string, unknown>) {
    const now = this.now();
    const meta = this.keys.get(key) ?? this.newKey(key, now);
    const config = this.config(mount);
    const version: VersionRecord = {
      data,
      createdTime: now,
      deletionTime: this.deletionTime(now, config, meta),
      destroyed: false,
    };
    meta.currentVersion += 1;
    meta.versions.set(meta.currentVersion, version);
    meta.updatedTime = now;
    const max = Math.max(meta.maxVersions, config.maxVersions) || DEFAULT_MAX_VERSIONS;
    if (meta.currentVersion - meta.oldestVersion >= max) {
      const last = meta.currentVersion - max;
      for (let number = meta.oldestVersion; number <= last; number++) meta.versions.delete(number);
      meta.oldestVersion = last + 1;
    }
    return { number: meta.currentVersion, version, written: meta };
  }

  /** POST delete/, undelete/ or destroy/ with `versions`. */
  private changeVersions(kind: string, mount: string, meta: KeyRecord | undefined, raw: unknown, send: Send) {
    const numbers = versionNumbers(raw);
    if (numbers.length === 0) {
      return send(400, {
        errors: [kind === 'destroy' ? 'no version number provided' : 'No version number provided'],
      });
    }
    if (meta) this.apply(kind, mount, meta, numbers);
    send(204);
  }

  /** Missing and destroyed versions are skipped; an already deleted one keeps its deletion_time. */
  private apply(kind: string, mount: string, meta: KeyRecord, numbers: number[]): void {
    for (const number of numbers) {
      const version = meta.versions.get(number);
      if (!version || version.destroyed) continue;
      if (kind === 'destroy') {
        version.destroyed = true;
        version.data = null;
      } else if (kind === 'undelete') {
        // Undeleting restarts delete_version_after from now rather than clearing it.
        version.deletionTime = this.deletionTime(this.now(), this.config(mount), meta);
      } else if (this.readable(version)) {
        version.deletionTime = this.now();
      }
    }
  }

  private writeMetadata(
    key: string,
    existing: KeyRecord | undefined,
    body: Record<string, unknown>,
    send: Send,
  ) {
    const changes = metadataChanges(body);
    if (typeof changes === 'string') return send(400, { errors: [changes] });
    if (Object.keys(changes).length > 0) Object.assign(existing ?? this.newKey(key, this.now()), changes);
    send(204);
  }

  private writeConfig(mount: string, body: Record<string, unknown>, send: Send) {
    const changes = configChanges(body);
    if (typeof changes === 'string') return send(400, { errors: [changes] });
    this.configs.set(mount, { ...this.config(mount), ...changes });
    send(204);
  }

  private config(mount: string): MountConfig {
    return this.configs.get(mount) ?? { maxVersions: 0, casRequired: false, deleteVersionAfterSeconds: 0 };
  }

  private newKey(key: string, now: number): KeyRecord {
    const meta = newKeyRecord(now);
    this.keys.set(key, meta);
    return meta;
  }

  /** delete_version_after.go deletionTime: the shorter of the mount's and the key's, when either is set. */
  private deletionTime(from: number, config: MountConfig, meta: KeyRecord): number | undefined {
    if (config.deleteVersionAfterSeconds < 0) return undefined;
    const set = [config.deleteVersionAfterSeconds, meta.deleteVersionAfterSeconds].filter((s) => s > 0);
    return set.length > 0 ? from + Math.min(...set) * 1000 : undefined;
  }

  /**
   * Vault asks whether deletion_time is before now, in nanoseconds; in milliseconds a delete and
   * the read after it can share a tick, so a deletion_time equal to now already counts as past.
   */
  private readable(version: VersionRecord): boolean {
    return !version.destroyed && (version.deletionTime === undefined || version.deletionTime > this.now());
  }
}

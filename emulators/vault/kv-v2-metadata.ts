import { durationSeconds, goDuration, isRecord, timestamp } from './kv-v2-fields.js';

/** One version's record (VersionMetadata plus its data); times are milliseconds. */
export interface VersionRecord {
  /** null once destroyed. */
  data: Record<string, unknown> | null;
  createdTime: number;
  /** May lie in the future: delete_version_after schedules it at write time. */
  deletionTime: number | undefined;
  destroyed: boolean;
}

/** KeyMetadata: current_version counts every version ever written, deleted or destroyed ones too. */
export interface KeyRecord {
  currentVersion: number;
  oldestVersion: number;
  versions: Map<number, VersionRecord>;
  createdTime: number;
  updatedTime: number;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfterSeconds: number;
  customMetadata: Record<string, string> | null;
}

/** The mount's config/ settings. */
export interface MountConfig {
  maxVersions: number;
  casRequired: boolean;
  /** Negative disables delete_version_after for every key, as Vault's -1s does. */
  deleteVersionAfterSeconds: number;
}

type MetadataChanges = Partial<
  Pick<KeyRecord, 'maxVersions' | 'casRequired' | 'deleteVersionAfterSeconds' | 'customMetadata'>
>;

export function newKeyRecord(now: number): KeyRecord {
  return {
    currentVersion: 0,
    oldestVersion: 0,
    versions: new Map(),
    createdTime: now,
    updatedTime: now,
    maxVersions: 0,
    casRequired: false,
    deleteVersionAfterSeconds: 0,
    customMetadata: null,
  };
}

/** path_metadata.go pathMetadataRead. */
export function metadataAnswer(meta: KeyRecord) {
  return {
    versions: Object.fromEntries(
      [...meta.versions].map(([number, version]) => [
        String(number),
        {
          created_time: timestamp(version.createdTime),
          deletion_time: timestamp(version.deletionTime),
          destroyed: version.destroyed,
        },
      ]),
    ),
    current_version: meta.currentVersion,
    oldest_version: meta.oldestVersion,
    created_time: timestamp(meta.createdTime),
    updated_time: timestamp(meta.updatedTime),
    max_versions: meta.maxVersions,
    cas_required: meta.casRequired,
    delete_version_after: goDuration(meta.deleteVersionAfterSeconds),
    custom_metadata: meta.customMetadata,
  };
}

/** path_metadata.go pathMetadataWrite: the changes, or the error Vault answers 400 with. */
export function metadataChanges(body: Record<string, unknown>): MetadataChanges | string {
  const changes: MetadataChanges = {};
  if (body.delete_version_after !== undefined) {
    const seconds = durationSeconds(body.delete_version_after);
    if (seconds === undefined) return 'field "delete_version_after": invalid duration';
    // The key's own setting is a TypeDurationSecond, which refuses what the mount's accepts.
    if (seconds < 0) return `field "delete_version_after": cannot provide negative value '${seconds}'`;
    changes.deleteVersionAfterSeconds = seconds;
  }
  if (body.custom_metadata !== undefined) {
    if (!isRecord(body.custom_metadata)) return 'custom_metadata validation failed: expected a map';
    changes.customMetadata = Object.fromEntries(
      Object.entries(body.custom_metadata).map(([name, value]) => [name, String(value)]),
    );
  }
  if (body.max_versions !== undefined) changes.maxVersions = Number(body.max_versions);
  if (body.cas_required !== undefined) changes.casRequired = body.cas_required === true;
  return changes;
}

/** path_config.go pathConfigRead. */
export function configAnswer(config: MountConfig) {
  return {
    max_versions: config.maxVersions,
    cas_required: config.casRequired,
    delete_version_after: goDuration(config.deleteVersionAfterSeconds),
  };
}

/** path_config.go pathConfigWrite: a negative delete_version_after disables it, zero clears it. */
export function configChanges(body: Record<string, unknown>): Partial<MountConfig> | string {
  const changes: Partial<MountConfig> = {};
  if (body.delete_version_after !== undefined) {
    const seconds = durationSeconds(body.delete_version_after);
    if (seconds === undefined) return 'field "delete_version_after": invalid duration';
    changes.deleteVersionAfterSeconds = Math.max(seconds, -1);
  }
  if (body.max_versions !== undefined) changes.maxVersions = Number(body.max_versions);
  if (body.cas_required !== undefined) changes.casRequired = body.cas_required === true;
  return changes;
}
